import Glibc
import GuestImage
import GuestMemory
import Testing
import TestSupport

/// A container's initramfs lands in guest RAM byte for byte as the archive
/// it describes, host files included.
@Suite("Piecewise initrd")
struct InitrdImageTests {
    @Test func guestMemoryHoldsTheFlattenedArchive() throws {
        let tool = (0..<5_001).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let path = try Fixtures.temporaryFile("initrd-tool", tool)
        let archive = CPIOArchive([
            .hostFile(path: "init", mode: 0o755, source: try #require(CPIOArchive.HostFile(path: path, size: UInt64(tool.count)))),
            .directory(path: "vmm"),
            .file(path: "vmm/process", contents: [1, 2, 3]),
            .hostFile(path: "bin/busybox", mode: 0o755, source: try #require(CPIOArchive.HostFile(path: path, size: UInt64(tool.count)))),
        ])
        let memory = try GuestMemory(size: 1 << 20)
        let image = archive.image
        try image.write(into: memory, at: 0x4_0000)
        let expected = try archive.bytes
        #expect(image.size == UInt64(expected.count))
        #expect(try memory.read(at: 0x4_0000, count: expected.count) == expected)
    }

    @Test func aMissingHostFileNamesIt() throws {
        var image = PiecewiseImage([1, 2, 3, 4])
        image.appendFile("/nonexistent/init", size: 10)
        let memory = try GuestMemory(size: 1 << 20)
        #expect(throws: GuestMemoryError.fillFailed(path: "/nonexistent/init", errno: ENOENT, missing: 10)) {
            try image.write(into: memory, at: 0)
        }
    }
}
