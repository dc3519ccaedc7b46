import Foundation
import Testing
import TestSupport
@testable import GuestImage

@Suite("cpio newc writer")
struct CPIOArchiveTests {
    @Test func headerFieldsAndPaddingFollowNewc() throws {
        let bytes = try CPIOArchive([.file(path: "ab", mode: 0o755, contents: [1, 2, 3, 4, 5])]).bytes
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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // init's contents come from a host file, as a container's init does.
        let hostInit = directory.appendingPathComponent("host-init")
        try Data([0x7F, 0x45, 0x4C]).write(to: hostInit)
        let archive = CPIOArchive([
            .directory(path: "vmm"),
            .file(path: "vmm/process", contents: contents),
            .hostFile(path: "init", mode: 0o755, source: try #require(CPIOArchive.HostFile(path: hostInit.path, size: 3))),
            .symlink(path: "sh", target: "init"),
        ])
        let archivePath = directory.appendingPathComponent("image.cpio")
        try Data(try archive.bytes).write(to: archivePath)
        let result = Command.run("/bin/sh", ["-c", "cd '\(directory.path)' && mkdir out && cd out && cpio -i --quiet < ../image.cpio"])
        #expect(result.status == 0, "\(result.standardError)")
        let out = directory.appendingPathComponent("out")
        #expect(try Data(contentsOf: out.appendingPathComponent("vmm/process")) == Data(contents))
        #expect(try Data(contentsOf: out.appendingPathComponent("init")) == Data([0x7F, 0x45, 0x4C]))
        let attributes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("init").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("sh").path) == "init")
    }

    @Test func aHostFileEntryIsTheSameArchiveAsItsBytesInMemory() throws {
        let contents: [UInt8] = Array(0..<201).map { UInt8($0) }
        let path = try Fixtures.temporaryFile("cpio-host-file", contents)
        let inMemory = CPIOArchive([.file(path: "bin/tool", mode: 0o755, contents: contents), .directory(path: "etc")])
        let fromHost = CPIOArchive([.hostFile(path: "bin/tool", mode: 0o755, source: try #require(CPIOArchive.HostFile(path: path, size: 201))), .directory(path: "etc")])
        #expect(try fromHost.bytes == inMemory.bytes)
        // The file stays a file: header bytes, the file, then the padding and the rest.
        let pieces = fromHost.image.pieces
        #expect(pieces.count == 3)
        #expect(pieces[1] == .file(path: path, size: 201))
        #expect(fromHost.image.size == UInt64(try inMemory.bytes.count))
    }

    @Test func aHostFileThatChangedSizeIsAnError() throws {
        let path = try Fixtures.temporaryFile("cpio-shrunk", [1, 2, 3])
        let source = try #require(CPIOArchive.HostFile(path: path, size: 4))
        #expect(throws: PiecewiseImage.SizeChanged.self) {
            _ = try CPIOArchive([.hostFile(path: "x", source: source)]).bytes
        }
    }

    @Test func aHostFileTooLargeForNewcCannotBeAnEntry() {
        #expect(CPIOArchive.HostFile(path: "/big", size: UInt64(UInt32.max)) != nil)
        #expect(CPIOArchive.HostFile(path: "/big", size: UInt64(UInt32.max) + 1) == nil)
    }

    /// Pinned bytes (odd name and data lengths, two entries and the
    /// trailer), so a padding change cannot pass by changing both sides.
    @Test func theBytesAreExactlyNewc() throws {
        let bytes = try CPIOArchive([.file(path: "abc", mode: 0o644, contents: [9, 8, 7]), .symlink(path: "l", target: "abc")]).bytes
        func header(_ fields: [UInt32]) -> [UInt8] {
            Array(("070701" + fields.map { String(repeating: "0", count: 8 - String($0, radix: 16).count) + String($0, radix: 16, uppercase: true) }.joined()).utf8)
        }
        var expected = header([1, 0o100644, 0, 0, 1, 0, 3, 0, 0, 0, 0, 4, 0]) + Array("abc".utf8) + [0, 0, 0] + [9, 8, 7, 0]
        expected += header([2, 0o120777, 0, 0, 1, 0, 3, 0, 0, 0, 0, 2, 0]) + Array("l".utf8) + [0] + Array("abc".utf8) + [0]
        expected += header([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0]) + Array("TRAILER!!!".utf8) + [0, 0, 0, 0]
        #expect(bytes.count == 360)
        #expect(bytes == expected)
    }
}
