import Glibc

/// Why a file could not be read: the errno, or that it is no regular file.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    case system(errno: Int32)
    case notARegularFile

    public var description: String {
        switch self {
        case .system(let err): String(cString: strerror(err))
        case .notARegularFile: "not a regular file"
        }
    }
}

/// Reads a whole regular file without Foundation (kept off the start path).
public func readWholeFile(_ path: String) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system(errno: errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .system(errno: errno) }
    guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var filled = 0
    while filled < bytes.count {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + filled }, $0.count - filled) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw .system(errno: errno) }
        if n == 0 { break }
        filled += n
    }
    return Array(bytes.prefix(filled))
}

/// What `stat` says a path is, or nil when it does not exist or is unreachable.
public enum PathKind: Equatable, Sendable {
    case directory, regularFile, other

    public static func of(_ path: String) -> PathKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }
}

/// Reads a file that does not know its size (/proc) until end of file.
public func readUntilEnd(_ path: String) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system(errno: errno) }
    defer { close(fd) }
    return try readUntilEnd(fileDescriptor: fd, from: nil)
}

/// Reads an open file until its end: from `offset` by pread (the file's
/// position untouched), or from where it stands when `offset` is nil.
public func readUntilEnd(fileDescriptor fd: Int32, from offset: Int64?) throws(FileReadError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    var position = offset ?? 0
    while true {
        let n = chunk.withUnsafeMutableBytes { buffer in
            offset == nil ? read(fd, buffer.baseAddress, buffer.count) : pread(fd, buffer.baseAddress, buffer.count, off_t(position))
        }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw .system(errno: errno) }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
        position += Int64(n)
    }
}

/// Writes every byte to `fd`: through EINTR, and through EAGAIN on an
/// inherited non-blocking descriptor (waiting for POLLOUT). Returns 0, or
/// the errno that stopped it (EPIPE: the reader went away).
public func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
    var rest = bytes
    while let start = rest.baseAddress, !rest.isEmpty {
        let written = write(fd, start, rest.count)
        if written < 0 && errno == EINTR { continue }
        if written < 0 && errno == EAGAIN {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, -1)
            continue
        }
        if written <= 0 { return written < 0 ? errno : EIO }
        rest = UnsafeRawBufferPointer(rebasing: rest[written...])
    }
    return 0
}

/// The same for text, as UTF-8.
@discardableResult
public func writeAll(_ text: String, to fd: Int32) -> Int32 {
    Array(text.utf8).withUnsafeBytes { writeAll($0, to: fd) }
}
