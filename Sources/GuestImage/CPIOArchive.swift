/// A cpio archive in the "newc" format, the one the kernel unpacks as an
/// initramfs. Headers are built in memory; a `.hostFile` entry's contents
/// stay in its file until the VMM copies them into guest RAM.
public struct CPIOArchive: Sendable {
    public enum Entry: Sendable, Equatable {
        case directory(path: String, mode: UInt32 = 0o755)
        case file(path: String, mode: UInt32 = 0o644, contents: [UInt8])
        /// A regular file whose bytes are those of a host file, read only
        /// when the archive is copied into guest memory.
        case hostFile(path: String, mode: UInt32 = 0o644, source: HostFile)
        case symlink(path: String, target: String)
        case characterDevice(path: String, mode: UInt32 = 0o600, major: UInt32, minor: UInt32)
    }

    /// A host file sized when the entry is made; newc records sizes in 32
    /// bits, so a larger file cannot be one.
    public struct HostFile: Sendable, Equatable {
        public let path: String
        public let size: UInt64

        public init?(path: String, size: UInt64) {
            guard size <= UInt64(UInt32.max) else { return nil }
            self.path = path
            self.size = size
        }
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

    /// The archive, trailer included, with host files' contents as pieces.
    public var image: PiecewiseImage {
        var output = PiecewiseImage()
        for (index, entry) in entries.enumerated() {
            Self.write(entry, inode: UInt32(index + 1), to: &output)
        }
        Self.writeRecord(name: Self.trailer, inode: 0, mode: 0, links: 1, data: .bytes([]), to: &output)
        return output
    }

    /// The archive, trailer included, every byte in memory.
    public var bytes: [UInt8] {
        get throws { try image.flattened() }
    }

    static func write(_ entry: Entry, inode: UInt32, to output: inout PiecewiseImage) {
        switch entry {
        case .directory(let path, let mode):
            writeRecord(name: path, inode: inode, mode: directoryType | mode, links: 2, data: .bytes([]), to: &output)
        case .file(let path, let mode, let contents):
            writeRecord(name: path, inode: inode, mode: regularFile | mode, links: 1, data: .bytes(contents), to: &output)
        case .hostFile(let path, let mode, let source):
            writeRecord(name: path, inode: inode, mode: regularFile | mode, links: 1, data: .file(path: source.path, size: source.size), to: &output)
        case .symlink(let path, let target):
            writeRecord(name: path, inode: inode, mode: symlinkType | 0o777, links: 1, data: .bytes(Array(target.utf8)), to: &output)
        case .characterDevice(let path, let mode, let major, let minor):
            writeRecord(name: path, inode: inode, mode: characterDeviceType | mode, links: 1, data: .bytes([]), device: (major, minor), to: &output)
        }
    }

    static func writeRecord(
        name: String, inode: UInt32, mode: UInt32, links: UInt32, data: PiecewiseImage.Piece,
        device: (major: UInt32, minor: UInt32) = (0, 0), to output: inout PiecewiseImage
    ) {
        let nameBytes = Array(name.utf8) + [0]
        let fields: [UInt32] = [
            inode, mode, 0, 0, links, 0,  // ino, mode, uid, gid, nlink, mtime
            UInt32(clamping: data.size), 0, 0, device.major, device.minor,  // filesize (HostFile keeps it in range), dev, rdev
            UInt32(nameBytes.count), 0,  // namesize, check
        ]
        var header = Array(magic.utf8)
        for field in fields { header += hex8(field) }
        header += nameBytes
        header += padding(after: output.size + UInt64(header.count))
        output.append(header)
        switch data {
        case .bytes(let bytes): output.append(bytes)
        case .file(let path, let size): output.appendFile(path, size: size)
        }
        output.append(padding(after: output.size))
    }

    static func hex8(_ value: UInt32) -> [UInt8] {
        let digits = Array(String(value, radix: 16, uppercase: true).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: 8 - digits.count) + digits
    }

    /// Zeros up to the next multiple of four.
    static func padding(after length: UInt64) -> [UInt8] {
        [UInt8](repeating: 0, count: Int((4 - length % 4) % 4))
    }
}
