import COS
import Glibc

/// Guest RAM: one memfd (so helpers such as virtiofsd can map the same
/// pages), mapped shared, excluded from fork. Every access by guest-physical
/// address is bounds-checked and fails with an error, never a trap.
public final class GuestMemory: @unchecked Sendable {
    public static let maximumSize: UInt64 = 1 << 40

    public let regions: [MemoryRegion]
    public let size: UInt64
    public let fileDescriptor: Int32
    /// Host address of the memfd's first byte.
    public let hostBase: UnsafeMutableRawPointer

    /// `hugePages`: ask for transparent huge pages (MADV_HUGEPAGE). Where the
    /// host allows them for shared memory (shmem_enabled advise or always),
    /// a guest's first touch of 2 MiB is one nested-paging fault instead of
    /// 512: a Linux boot touches tens of MiB. A firmware guest touching a
    /// page would pay for zeroing 2 MiB, so it does not ask.
    public init(size: UInt64, hugePages: Bool = false) throws(GuestMemoryError) {
        guard size > 0, size % 4096 == 0, size <= Self.maximumSize else { throw .invalidSize(size) }
        let fd = cos_memfd_create("vmm-guest-ram", COS_MFD_CLOEXEC)
        guard fd >= 0 else { throw .createFailed(errno: errno) }
        guard ftruncate(fd, off_t(size)) == 0 else {
            let err = errno
            close(fd)
            throw .createFailed(errno: err)
        }
        let mapping = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0)
        guard let mapping, mapping != MAP_FAILED else {
            let err = errno
            close(fd)
            throw .mapFailed(errno: err)
        }
        // Child processes (virtiofsd, the monitor) must not inherit a copy.
        madvise(mapping, Int(size), MADV_DONTFORK)
        if hugePages { madvise(mapping, Int(size), MADV_HUGEPAGE) }  // advice: refused or ignored, nothing is lost
        self.size = size
        self.fileDescriptor = fd
        self.hostBase = mapping
        self.regions = MemoryRegion.layout(size: size)
    }

    deinit {
        munmap(hostBase, Int(size))
        close(fileDescriptor)
    }

    /// Host pointer to `length` bytes at guest-physical `address`, which must
    /// lie within one RAM region.
    public func pointer(at address: UInt64, length: UInt64) throws(GuestMemoryError) -> UnsafeMutableRawPointer {
        guard let region = regions.first(where: { $0.contains(address, length: length) }) else {
            throw .outOfRange(address: address, length: length)
        }
        return hostBase + Int(region.fileOffset + (address - region.guestAddress))
    }

    /// Offset in the memfd of `length` bytes at guest-physical `address`
    /// (for filling guest RAM with file-to-file copies).
    public func fileOffset(at address: UInt64, length: UInt64) throws(GuestMemoryError) -> UInt64 {
        guard let region = regions.first(where: { $0.contains(address, length: length) }) else {
            throw .outOfRange(address: address, length: length)
        }
        return region.fileOffset + (address - region.guestAddress)
    }

    public func read(at address: UInt64, count: Int) throws(GuestMemoryError) -> [UInt8] {
        let source = try pointer(at: address, length: UInt64(count))
        return [UInt8](UnsafeRawBufferPointer(start: source, count: count))
    }

    public func write(_ bytes: [UInt8], at address: UInt64) throws(GuestMemoryError) {
        let destination = try pointer(at: address, length: UInt64(bytes.count))
        bytes.withUnsafeBytes { source in
            guard let start = source.baseAddress else { return }
            destination.copyMemory(from: start, byteCount: source.count)
        }
    }

    /// Reads a little-endian integer; unaligned addresses are fine.
    public func load<T: FixedWidthInteger>(_: T.Type, at address: UInt64) throws(GuestMemoryError) -> T {
        let source = try pointer(at: address, length: UInt64(MemoryLayout<T>.size))
        return T(littleEndian: source.loadUnaligned(as: T.self))
    }

    public func store<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws(GuestMemoryError) {
        let destination = try pointer(at: address, length: UInt64(MemoryLayout<T>.size))
        destination.storeBytes(of: value.littleEndian, as: T.self)
    }
}
