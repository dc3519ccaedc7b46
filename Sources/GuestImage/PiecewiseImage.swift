import HostFiles

/// Bytes laid end to end, some in memory and some still in host files: an
/// initramfs whose large files (init, busybox) go from their files straight
/// into guest memory, never through vmm's own heap.
public struct PiecewiseImage: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        case bytes([UInt8])
        /// `size` bytes from the start of the file at `path`, as measured
        /// when the image was made.
        case file(path: String, size: UInt64)

        public var size: UInt64 {
            switch self {
            case .bytes(let bytes): UInt64(bytes.count)
            case .file(_, let size): size
            }
        }
    }

    public private(set) var pieces: [Piece] = []
    public private(set) var size: UInt64 = 0

    public init(_ bytes: [UInt8] = []) {
        if !bytes.isEmpty { append(bytes) }
    }

    public mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        size += UInt64(bytes.count)
        // Neighbouring in-memory bytes become one piece: one write each.
        if case .bytes(var previous)? = pieces.last {
            pieces.removeLast()
            previous += bytes
            pieces.append(.bytes(previous))
        } else {
            pieces.append(.bytes(bytes))
        }
    }

    public mutating func appendFile(_ path: String, size fileSize: UInt64) {
        guard fileSize > 0 else { return }
        size += fileSize
        pieces.append(.file(path: path, size: fileSize))
    }

    /// A host file that no longer has the size the image was made with.
    public struct SizeChanged: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) changed size since the image was made" }
    }

    /// Every byte in memory (tests, and archives written to disk).
    public func flattened() throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(Int(size))
        for piece in pieces {
            switch piece {
            case .bytes(let bytes): output += bytes
            case .file(let path, let size):
                let contents = try readWholeFile(path)
                guard contents.count == Int(size) else { throw SizeChanged(path: path) }
                output += contents
            }
        }
        return output
    }
}
