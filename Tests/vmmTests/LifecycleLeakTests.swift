import Foundation
import Testing
import TestSupport

/// 100 create/start/delete cycles through the OCI verbs under real KVM (the
/// firmware stand-in, the real virtiofsd for its root): after them nothing
/// of any container is left: no process, descriptor, mount or state file.
@Suite("OCI lifecycle: 100 cycles leave nothing behind", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct LifecycleLeakTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-cycles-\(UUID().uuidString)")
    var root: String { scratch.appendingPathComponent("state").path }
    var bundle: String { scratch.appendingPathComponent("bundle").path }

    func vmm(_ arguments: [String]) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments, standardInput: Data())
    }

    /// Processes whose command line names this test's state root or bundle:
    /// monitors, and the virtiofsd each one starts.
    func processesOfThisTest() -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(scratch.path) ? "\(pid): \(line)" : nil
        }
    }

    static func count(_ directory: String) -> Int { (try? FileManager.default.contentsOfDirectory(atPath: directory).count) ?? 0 }

    /// Of this process (tests run side by side in it): only what names this test's files.
    func descriptorsOnThisTest() -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }.filter { $0.contains(scratch.path) }
    }

    func mountsOfThisTest() -> [String] {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").map(String.init).filter { $0.contains(scratch.path) }
    }

    @Test func aHundredCyclesLeaveNoProcessDescriptorMountOrStateFile() throws {
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = """
            {"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
             "annotations": {"dev.vmm.firmware": "\(try Fixtures.firmware("virtio_console"))"}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))

        for cycle in 0..<100 {
            let id = "cycle\(cycle)"
            let created = vmm(["create", "--bundle", bundle, id])
            try #require(created.status == 0, "cycle \(cycle): \(created.standardError)")
            try #require(vmm(["start", id]).status == 0, "cycle \(cycle)")
            // The stand-in reads its stdin (empty) and exits 7.
            var status = ""
            for _ in 0..<400 where status != "stopped" {
                let state = try JSONSerialization.jsonObject(with: Data(vmm(["state", id]).standardOutput.utf8)) as? [String: Any]
                status = state?["status"] as? String ?? ""
                if status != "stopped" { usleep(25_000) }
            }
            try #require(status == "stopped", "cycle \(cycle): still \(status)")
            try #require(vmm(["delete", id]).status == 0, "cycle \(cycle)")
        }

        #expect(processesOfThisTest().isEmpty, "\(processesOfThisTest())")
        #expect(Self.count(root) == 0, "state files left: \((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])")
        #expect(descriptorsOnThisTest().isEmpty, "\(descriptorsOnThisTest())")
        #expect(mountsOfThisTest().isEmpty, "\(mountsOfThisTest())")
    }
}
