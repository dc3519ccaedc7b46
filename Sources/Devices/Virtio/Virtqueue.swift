import GuestMemory
import Synchronization

/// The device side of one split virtqueue (virtio 1.1 §2.6). Every index,
/// address and length comes from the guest and is checked before use.
public struct Virtqueue: Sendable {
    public static let maximumSize: UInt16 = 256

    // Descriptor flags.
    static let next: UInt16 = 1
    static let write: UInt16 = 2
    static let indirect: UInt16 = 4
    static let descriptorSize: UInt64 = 16
    /// More entries than this in one indirect table is a broken guest.
    static let maximumIndirectEntries: UInt64 = 1024
    static let noInterrupt: UInt16 = 1

    // Set by the driver through the transport.
    public var size: UInt16 = maximumSize
    /// VIRTIO_F_INDIRECT_DESC was negotiated; without it an indirect
    /// descriptor is a broken driver.
    public var indirectAllowed = false
    public var ready = false
    public var descriptorTable: UInt64 = 0
    public var availableRing: UInt64 = 0
    public var usedRing: UInt64 = 0

    // Device progress.
    var nextAvailable: UInt16 = 0
    var nextUsed: UInt16 = 0

    public init() {}

    init(size: UInt16) {
        self.size = size
    }

    /// Checks the rings lie in guest memory, before the device uses them.
    public func validate(in memory: GuestMemory, maximumSize: UInt16 = Virtqueue.maximumSize) throws(VirtioError) {
        let n = UInt64(size)
        guard size > 0, size <= maximumSize, size & (size - 1) == 0 else {
            throw VirtioError("queue size \(size) is not a power of two between 1 and \(maximumSize)")
        }
        try check(memory, descriptorTable, Self.descriptorSize * n, "descriptor table")
        try check(memory, availableRing, 6 + 2 * n, "available ring")
        try check(memory, usedRing, 6 + 8 * n, "used ring")
    }

    func check(_ memory: GuestMemory, _ address: UInt64, _ length: UInt64, _ what: String) throws(VirtioError) {
        do {
            _ = try memory.pointer(at: address, length: length)
        } catch {
            throw VirtioError("\(what) at 0x\(String(address, radix: 16)) (\(length) bytes) is outside guest memory")
        }
    }

    /// The next chain the driver made available, or nil when there is none.
    public mutating func popAvailable(from memory: GuestMemory) throws(VirtioError) -> DescriptorChain? {
        // Addresses come from the driver: wrapping sums, then the memory check refuses them.
        let published = try load(UInt16.self, memory, availableRing &+ 2, "available index")
        atomicMemoryFence(ordering: .acquiring)  // ring entries after the index
        let pending = published &- nextAvailable
        guard pending <= size else {
            throw VirtioError("available index jumped from \(nextAvailable) to \(published), more than the queue size \(size)")
        }
        guard pending > 0 else { return nil }
        let slot = UInt64(nextAvailable % size)
        let head = try load(UInt16.self, memory, availableRing &+ 4 &+ 2 * slot, "available ring entry")
        nextAvailable &+= 1
        return try DescriptorChain(head: head, queue: self, memory: memory)
    }

    /// Returns a chain to the driver with the number of bytes written into it.
    public mutating func pushUsed(head: UInt16, written: UInt32, to memory: GuestMemory) throws(VirtioError) {
        let slot = UInt64(nextUsed % size)
        try store(UInt32(head), memory, usedRing &+ 4 &+ 8 * slot, "used ring entry")
        try store(written, memory, usedRing &+ 8 &+ 8 * slot, "used ring entry")
        atomicMemoryFence(ordering: .releasing)  // the entry before the index
        nextUsed &+= 1
        try store(nextUsed, memory, usedRing &+ 2, "used index")
    }

    /// The driver may ask not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT).
    public func wantsInterrupt(_ memory: GuestMemory) -> Bool {
        guard let flags = try? memory.load(UInt16.self, at: availableRing) else { return true }
        return flags & Self.noInterrupt == 0
    }

    func load<T: FixedWidthInteger>(_: T.Type, _ memory: GuestMemory, _ address: UInt64, _ what: String) throws(VirtioError) -> T {
        do {
            return try memory.load(T.self, at: address)
        } catch {
            throw VirtioError("\(what) at 0x\(String(address, radix: 16)) is outside guest memory")
        }
    }

    func store<T: FixedWidthInteger>(_ value: T, _ memory: GuestMemory, _ address: UInt64, _ what: String) throws(VirtioError) {
        do {
            try memory.store(value, at: address)
        } catch {
            throw VirtioError("\(what) at 0x\(String(address, radix: 16)) is outside guest memory")
        }
    }
}
