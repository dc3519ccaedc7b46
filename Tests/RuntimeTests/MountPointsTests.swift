import Foundation
import GuestImage
import OCI
@testable import Runtime
import Testing

/// Mount points made on the host for a read-only root, as runc makes them
/// before it remounts the root read-only.
@Suite("Runtime: mount points in a read-only root")
struct MountPointsTests {
    func root() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mountpoints-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/etc", withIntermediateDirectories: true)
        return path
    }

    @Test func missingTargetsAreMadeAFileForAFileBindAndNothingUnderAnEarlierMount() throws {
        let path = try root()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var spec = try ContainerSpec.resolve({ var r = RunRequest(); r.rootfs = path; r.command = ["true"]; return r }())
        spec.process.bindEntry(0, at: "/etc/hosts", flags: 1)
        spec.binds = [HostBind(source: "/etc/hosts", isDirectory: false, readOnly: true, recursive: false)]
        spec.process.mounts.append(.init(type: "tmpfs", source: "tmpfs", target: "/run/deep"))
        spec.process.mounts.append(.init(type: "", source: "/x", target: "/run/deep/inside", flags: 0x1000))
        try MountPoints.create(in: path, for: spec)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path + "/etc/hosts", isDirectory: &isDirectory) && !isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: path + "/run/deep", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(!FileManager.default.fileExists(atPath: path + "/run/deep/inside"), "the guest makes it in the tmpfs")
    }

    @Test func aSymlinkOnTheWayIsRefusedAndNothingOutsideIsMade() throws {
        let path = try root()
        let outside = try root()
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: outside)
        }
        try FileManager.default.createSymbolicLink(atPath: path + "/var", withDestinationPath: outside)
        var spec = try ContainerSpec.resolve({ var r = RunRequest(); r.rootfs = path; r.command = ["true"]; return r }())
        spec.process.mounts = [.init(type: "tmpfs", source: "tmpfs", target: "/var/lib/data")]
        #expect(throws: CommandFailure.self) { try MountPoints.create(in: path, for: spec) }
        #expect(!FileManager.default.fileExists(atPath: outside + "/lib"))
    }
}
