import Glibc

/// Where kernel bytes come from: a file read piece by piece (a vmlinux is
/// mostly symbols the guest never sees, so only its segments are read,
/// straight into guest memory), or bytes already in memory (tests).
public protocol KernelSource: Sendable {
    var size: UInt64 { get }
    func bytes(at offset: UInt64, count: Int) throws(KernelImageError) -> [UInt8]
    func copy(at offset: UInt64, count: Int, to destination: UnsafeMutableRawPointer) throws(KernelImageError)
}

extension KernelSource {
    func checkRange(_ offset: UInt64, _ count: Int) throws(KernelImageError) {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw .truncated(expected: Int(clamping: offset &+ UInt64(count)), actual: Int(clamping: size))
        }
    }
}

extension Array: KernelSource where Element == UInt8 {
    public var size: UInt64 { UInt64(count) }

    public func bytes(at offset: UInt64, count: Int) throws(KernelImageError) -> [UInt8] {
        try checkRange(offset, count)
        return Array(self[Int(offset)..<(Int(offset) + count)])
    }

    public func copy(at offset: UInt64, count: Int, to destination: UnsafeMutableRawPointer) throws(KernelImageError) {
        try checkRange(offset, count)
        withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: count) }
    }
}

/// An open kernel file, read with pread.
public final class KernelFile: KernelSource, @unchecked Sendable {
    let fd: Int32
    public let size: UInt64

    /// Throws the errno of the failed open or fstat.
    public init(path: String) throws(KernelFileError) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .open(errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let err = errno
            close(fd)
            throw .open(errno: err)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .notARegularFile
        }
        size = UInt64(info.st_size)
    }

    deinit {
        close(fd)
    }

    public func bytes(at offset: UInt64, count: Int) throws(KernelImageError) -> [UInt8] {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        defer { buffer.deallocate() }
        try copy(at: offset, count: count, to: buffer)
        return [UInt8](UnsafeRawBufferPointer(start: buffer, count: count))
    }

    public func copy(at offset: UInt64, count: Int, to destination: UnsafeMutableRawPointer) throws(KernelImageError) {
        try checkRange(offset, count)
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .truncated(expected: Int(offset) + count, actual: Int(offset) + done) }
            done += n
        }
    }
}

public enum KernelFileError: Error, Equatable {
    case open(errno: Int32)
    case notARegularFile
}
