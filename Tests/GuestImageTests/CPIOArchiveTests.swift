import Foundation
import Testing
import TestSupport
@testable import GuestImage

@Suite("cpio newc writer")
struct CPIOArchiveTests {
    @Test func headerFieldsAndPaddingFollowNewc() {
        let bytes = CPIOArchive([.file(path: "ab", mode: 0o755, contents: [1, 2, 3, 4, 5])]).bytes
        let header = String(decoding: bytes[0..<110], as: UTF8.self)
        #expect(header.hasPrefix("070701"))
        func field(_ index: Int) -> UInt32 {
            let start = header.index(header.startIndex, offsetBy: 6 + index * 8)
            return UInt32(header[start..<header.index(start, offsetBy: 8)], radix: 16) ?? .max
        }
        #expect(field(1) == 0o100755, "mode")
        #expect(field(6) == 5, "filesize")
        #expect(field(11) == 3, "namesize counts the NUL")
        #expect(Array(bytes[110..<113]) == [0x61, 0x62, 0])
        #expect(Array(bytes[113..<116]) == [0, 0, 0], "header + name padded to a multiple of four")
        #expect(Array(bytes[116..<121]) == [1, 2, 3, 4, 5])
        #expect(Array(bytes[121..<124]) == [0, 0, 0], "data padded to four")
        #expect(bytes.count % 4 == 0)
        #expect(String(decoding: bytes, as: UTF8.self).contains("TRAILER!!!"))
    }

    /// GNU cpio reads back what we wrote: names, modes, contents, links.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cpio"), "needs GNU cpio"))
    func gnuCpioExtractsIt() throws {
        let contents = Array("line one\nline \"two\" with = and . and spaces\n".utf8) + [0, 0xFF, 0x80]
        let archive = CPIOArchive([
            .directory(path: "vmm"),
            .file(path: "vmm/process", contents: contents),
            .file(path: "init", mode: 0o755, contents: [0x7F, 0x45]),
            .symlink(path: "sh", target: "init"),
        ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let archivePath = directory.appendingPathComponent("image.cpio")
        try Data(archive.bytes).write(to: archivePath)
        let result = Command.run("/bin/sh", ["-c", "cd '\(directory.path)' && mkdir out && cd out && cpio -i --quiet < ../image.cpio"])
        #expect(result.status == 0, "\(result.standardError)")
        let out = directory.appendingPathComponent("out")
        #expect(try Data(contentsOf: out.appendingPathComponent("vmm/process")) == Data(contents))
        let attributes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("init").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("sh").path) == "init")
    }
}
