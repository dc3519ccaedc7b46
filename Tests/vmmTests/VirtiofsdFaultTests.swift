import Foundation
import Testing
import TestSupport

/// virtiofsd going wrong: one line naming it, status 125, and nothing left
/// behind (no virtiofsd, no socket, no runtime directory).
@Suite(
    "vmm run --rootfs: virtiofsd faults",
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: Host.virtiofsd != nil, "needs virtiofsd (apt-get install qemu-system-common)"),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct VirtiofsdFaultTests {
    let scratch: URL
    let rootfs: URL
    let runtime: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-fs-\(UUID().uuidString)")
        rootfs = scratch.appendingPathComponent("rootfs")
        runtime = scratch.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: rootfs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
    }

    func run(_ arguments: [String]) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["run", "--runtime-dir", runtime.path] + arguments + ["--", "true"])
    }

    /// Nothing of the VM survives it: no runtime directory, no virtiofsd serving our rootfs.
    func expectNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime.path).isEmpty, sourceLocation: sourceLocation)
        let serving = Command.run("/usr/bin/pgrep", ["-f", "source=\(rootfs.path)"])
        #expect(serving.standardOutput.isEmpty, "virtiofsd still running: \(serving.standardOutput)", sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(at: scratch)
    }

    @Test func aMissingVirtiofsdBinary() throws {
        let result = run(["--rootfs", rootfs.path, "--virtiofsd", "/nonexistent/virtiofsd"])
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: virtiofsd /nonexistent/virtiofsd: No such file or directory\n")
        try expectNothingLeft()
    }

    @Test func aVirtiofsdThatFailsToStart() throws {
        let result = run(["--rootfs", rootfs.path, "--virtiofsd", "/bin/false"])
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: virtiofsd exited before creating its socket (exit status 1)\n")
        try expectNothingLeft()
    }

    @Test func aMissingRootfs() throws {
        let missing = scratch.appendingPathComponent("nope").path
        let result = run(["--rootfs", missing])
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: root filesystem \(missing): No such file or directory\n")
        try expectNothingLeft()
    }

    @Test func anUnwritableRuntimeDirectory() throws {
        let result = Command.run(Fixtures.vmmExecutable, ["run", "--runtime-dir", "/proc", "--rootfs", rootfs.path, "--", "true"])
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: cannot create the VM's runtime directory in /proc: No such file or directory\n")
        try expectNothingLeft()
    }

    /// Killed while the VM runs: the VM is stopped and vmm names virtiofsd.
    @Test func virtiofsdKilledMidRun() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.vmmExecutable)
        process.arguments = ["run", "--runtime-dir", runtime.path, "--rootfs", rootfs.path, "--", "sleep", "60"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until virtiofsd is up and serving (its socket exists): killed
        // earlier, it would be the "before creating its socket" case.
        var virtiofsd = ""
        for _ in 0..<500 where virtiofsd.isEmpty {
            usleep(10_000)
            let sockets = (try? FileManager.default.contentsOfDirectory(atPath: runtime.path))?
                .filter { FileManager.default.fileExists(atPath: runtime.path + "/" + $0 + "/virtiofsd.sock") } ?? []
            guard !sockets.isEmpty else { continue }
            virtiofsd = Command.run("/usr/bin/pgrep", ["-P", "\(process.processIdentifier)", "virtiofsd"])
                .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let pid = try #require(Int32(virtiofsd), "virtiofsd never started")
        kill(pid, SIGKILL)
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 125)
        #expect(message == "vmm: virtiofsd exited during the run (killed by signal 9): the VM was stopped\n")
        try expectNothingLeft()
    }
}
