/// A cpio archive in the "newc" format, the one the kernel unpacks as an
/// initramfs. Built in memory: initramfs images are small, and the VMM
/// places the bytes straight into guest RAM.
public struct CPIOArchive: Sendable {
    public enum Entry: Sendable, Equatable {
        case directory(path: String, mode: UInt32 = 0o755)
        case file(path: String, mode: UInt32 = 0o644, contents: [UInt8])
        case symlink(path: String, target: String)
        case characterDevice(path: String, mode: UInt32 = 0o600, major: UInt32, minor: UInt32)
    }

    static let magic = "070701"
    static let trailer = "TRAILER!!!"
    static let regularFile: UInt32 = 0o100000
    static let directoryType: UInt32 = 0o040000
    static let symlinkType: UInt32 = 0o120000
    static let characterDeviceType: UInt32 = 0o020000

    public private(set) var entries: [Entry] = []

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    /// The archive, trailer included.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        for (index, entry) in entries.enumerated() {
            Self.write(entry, inode: UInt32(index + 1), to: &output)
        }
        Self.writeRecord(name: Self.trailer, inode: 0, mode: 0, links: 1, data: [], to: &output)
        return output
    }

    static func write(_ entry: Entry, inode: UInt32, to output: inout [UInt8]) {
        switch entry {
        case .directory(let path, let mode):
            writeRecord(name: path, inode: inode, mode: directoryType | mode, links: 2, data: [], to: &output)
        case .file(let path, let mode, let contents):
            writeRecord(name: path, inode: inode, mode: regularFile | mode, links: 1, data: contents, to: &output)
        case .symlink(let path, let target):
            writeRecord(name: path, inode: inode, mode: symlinkType | 0o777, links: 1, data: Array(target.utf8), to: &output)
        case .characterDevice(let path, let mode, let major, let minor):
            writeRecord(name: path, inode: inode, mode: characterDeviceType | mode, links: 1, data: [], device: (major, minor), to: &output)
        }
    }

    static func writeRecord(
        name: String, inode: UInt32, mode: UInt32, links: UInt32, data: [UInt8],
        device: (major: UInt32, minor: UInt32) = (0, 0), to output: inout [UInt8]
    ) {
        let nameBytes = Array(name.utf8) + [0]
        let fields: [UInt32] = [
            inode, mode, 0, 0, links, 0,  // ino, mode, uid, gid, nlink, mtime
            UInt32(data.count), 0, 0, device.major, device.minor,  // filesize, dev, rdev
            UInt32(nameBytes.count), 0,  // namesize, check
        ]
        output += Array(magic.utf8)
        for field in fields { output += hex8(field) }
        output += nameBytes
        padToFour(&output)
        output += data
        padToFour(&output)
    }

    static func hex8(_ value: UInt32) -> [UInt8] {
        let digits = Array(String(value, radix: 16, uppercase: true).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: 8 - digits.count) + digits
    }

    static func padToFour(_ output: inout [UInt8]) {
        while output.count % 4 != 0 { output.append(0) }
    }
}
