import Foundation
import Testing
import TestSupport

/// virtio-fs end to end under real KVM with the real virtiofsd: the
/// firmware guest is a FUSE client (INIT, LOOKUP, GETATTR, OPEN, READ,
/// RELEASE, CREATE, WRITE, FLUSH) on the shared directory.
@Suite(
    "virtio-fs firmware under KVM with virtiofsd",
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: Host.virtiofsd != nil, "needs virtiofsd (apt-get install qemu-system-common)"))
struct VirtioFSFirmwareTests {
    /// A fresh shared directory (virtiofsd 7.2 aborts on CREATE of a file
    /// that exists: a known upstream bug, so never reuse one).
    func share(with files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-share-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try Data(contents.utf8).write(to: directory.appendingPathComponent(name))
        }
        return directory
    }

    @Test func theGuestReadsAHostFileAndWritesOneBack() throws {
        let directory = try share(with: ["hello.txt": "hello from the host\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("virtio_fs"), "--rootfs", directory.path)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("fuse: hello.txt size=20\n"))
        #expect(result.standardOutput.contains("read: hello from the host\n\n"))
        #expect(result.standardOutput.contains("fuse: wrote 21 bytes\n"))
        let written = try String(contentsOf: directory.appendingPathComponent("written.txt"), encoding: .utf8)
        #expect(written == "written by the guest\n")
    }

    @Test func aMissingFileIsTheServersENOENT() throws {
        let directory = try share(with: [:])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("virtio_fs"), "--rootfs", directory.path)
        #expect(result.status == 12, "the guest's LOOKUP step")
        #expect(result.standardOutput.contains("fuse: FAILED lookup error=2"))
    }

    @Test func nothingIsLeftBehind() throws {
        let directory = try share(with: ["hello.txt": "x"])
        let runtime = directory.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = Command.vmm("run", "--runtime-dir", runtime.path, "--firmware", try Fixtures.firmware("virtio_fs"), "--rootfs", directory.path)
        #expect(result.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime.path).isEmpty)
        #expect(Command.run("/usr/bin/pgrep", ["-f", "source=\(directory.path)"]).standardOutput.isEmpty)
    }
}

extension VirtioFSFirmwareTests {
    /// --read-only holds on the host, not just in the guest: virtiofsd sees
    /// a read-only mount, so even a guest that ignores the flag gets EROFS.
    @Test func aReadOnlyShareRefusesWritesOnTheHostSide() throws {
        let directory = try share(with: ["hello.txt": "hello from the host\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("virtio_fs"), "--rootfs", directory.path, "--read-only")
        #expect(result.standardOutput.contains("read: hello from the host"), "reads still work")
        #expect(result.standardOutput.contains("fuse: FAILED create error=30"), "EROFS")
        #expect(result.status == 17)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("written.txt").path))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(directory.path), "the read-only mount stays in virtiofsd's namespace")
    }
}

extension VirtioFSFirmwareTests {
    /// A hostile FUSE client (virtio_fs_escape) against the real virtiofsd:
    /// `..` of the root, names with `/`, a symlink to a host file outside
    /// the share, forged node ids and file handles. Each stays inside or is
    /// refused, and the outside file's text never reaches the guest.
    @Test func aHostileClientCannotLeaveTheSharedRoot() throws {
        let directory = try share(with: ["hello.txt": "inside\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-secret-\(UUID().uuidString)")
        try Data("HOST-SECRET\n".utf8).write(to: secret)
        defer { try? FileManager.default.removeItem(at: secret) }
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("outside").path, withDestinationPath: secret.path)

        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("virtio_fs_escape"), "--rootfs", directory.path)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(!result.standardOutput.contains("HOST-SECRET"))
        let lines = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("escape: ") }.map(String.init)
        let outcome = Dictionary(uniqueKeysWithValues: lines.compactMap { line -> (String, String)? in
            let parts = line.dropFirst("escape: ".count).split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
        })
        #expect(outcome["lookup .. of the root"] == "the root itself")
        #expect(outcome["lookup the symlink to outside"] == "a symlink node", "the link itself, unresolved")
        for attempt in ["lookup ../etc", "lookup /etc", "open through the symlink", "lookup .. under the symlink",
                        "getattr of a forged node id", "open a forged node id", "lookup under a forged node id",
                        "read with a forged file handle"] {
            #expect(outcome[attempt]?.hasPrefix("refused errno=") == true, "\(attempt): \(outcome[attempt] ?? "no line")")
        }
        #expect(lines.last == "escape: done")
    }
}
