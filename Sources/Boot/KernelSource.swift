import Glibc
import GuestMemory

/// Where kernel bytes come from: a file read piece by piece (a vmlinux is
/// mostly symbols the guest never sees, so only its segments are read,
/// straight into guest memory), or bytes already in memory (tests).
public protocol KernelSource: Sendable {
    var size: UInt64 { get }
    func bytes(at offset: UInt64, count: Int) throws(KernelImageError) -> [UInt8]
    func copy(at offset: UInt64, count: Int, to destination: UnsafeMutableRawPointer) throws(KernelImageError)
    /// Copies into guest RAM at `guestAddress`.
    func load(at offset: UInt64, count: Int, into memory: GuestMemory, guestAddress: UInt64) throws
}

extension KernelSource {
    public func load(at offset: UInt64, count: Int, into memory: GuestMemory, guestAddress: UInt64) throws {
        try copy(at: offset, count: count, to: try memory.pointer(at: guestAddress, length: UInt64(count)))
    }

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
        withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            destination.copyMemory(from: base + Int(offset), byteCount: count)
        }
    }
}

/// An open kernel file, read with pread.
public final class KernelFile: KernelSource, @unchecked Sendable {
    let fd: Int32
    let path: String
    public let size: UInt64

    /// Throws the errno of the failed open or fstat.
    public init(path: String) throws(KernelFileError) {
        self.path = path
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

extension KernelFile {
    /// sendfile(2) from the kernel file into the guest's memfd: the pages
    /// are filled in the kernel, without a user page fault per page (about
    /// twice as fast as pread into the mapping for a vmlinux).
    public func load(at offset: UInt64, count: Int, into memory: GuestMemory, guestAddress: UInt64) throws {
        try checkRange(offset, count)
        try memory.fill(fromFile: fd, path: path, at: offset, count: count, to: guestAddress)
    }
}

public enum KernelFileError: Error, Equatable {
    case open(errno: Int32)
    case notARegularFile
}
