import GuestMemory
import Testing
@testable import Devices

/// A driver-side view of one split queue laid out in guest memory, to
/// build the chains the device under test will walk.
struct TestRing {
    let memory: GuestMemory
    var queue = Virtqueue()
    var availableIndex: UInt16 = 0

    init(memory: GuestMemory, size: UInt16 = 8, base: UInt64 = 0x1_0000) {
        self.memory = memory
        queue.size = size
        queue.descriptorTable = base
        queue.availableRing = base + 0x1000
        queue.usedRing = base + 0x2000
        queue.ready = true
    }

    func setDescriptor(_ index: UInt16, address: UInt64, length: UInt32, flags: UInt16 = 0, next: UInt16 = 0) throws {
        let entry = queue.descriptorTable + UInt64(index) * 16
        try memory.store(address, at: entry)
        try memory.store(length, at: entry + 8)
        try memory.store(flags, at: entry + 12)
        try memory.store(next, at: entry + 14)
    }

    mutating func publish(_ head: UInt16) throws {
        try memory.store(head, at: queue.availableRing + 4 + 2 * UInt64(availableIndex % queue.size))
        availableIndex &+= 1
        try memory.store(availableIndex, at: queue.availableRing + 2)
    }

    func setAvailableIndex(_ value: UInt16) throws {
        try memory.store(value, at: queue.availableRing + 2)
    }

    func usedIndex() throws -> UInt16 { try memory.load(UInt16.self, at: queue.usedRing + 2) }

    func usedEntry(_ slot: UInt16) throws -> (id: UInt32, length: UInt32) {
        let at = queue.usedRing + 4 + 8 * UInt64(slot % queue.size)
        return (try memory.load(UInt32.self, at: at), try memory.load(UInt32.self, at: at + 4))
    }
}

@Suite("Split virtqueue")
struct VirtqueueTests {
    let memory: GuestMemory

    init() throws {
        memory = try GuestMemory(size: 1 << 20)
    }

    @Test func walksAChainAndReturnsItUsed() throws {
        var ring = TestRing(memory: memory)
        try memory.write(Array("hello ".utf8), at: 0x2_0000)
        try memory.write(Array("world".utf8), at: 0x3_0000)
        try ring.setDescriptor(3, address: 0x2_0000, length: 6, flags: Virtqueue.next, next: 5)
        try ring.setDescriptor(5, address: 0x3_0000, length: 5, flags: Virtqueue.next, next: 1)
        try ring.setDescriptor(1, address: 0x4_0000, length: 100, flags: Virtqueue.write)
        try ring.publish(3)

        let chain = try #require(try ring.queue.popAvailable(from: memory))
        #expect(chain.head == 3)
        #expect(chain.readable.count == 2 && chain.writable.count == 1)
        #expect(chain.readAll(from: memory) == Array("hello world".utf8))
        #expect(chain.write(Array("reply".utf8)[...], to: memory) == 5)
        #expect(try memory.read(at: 0x4_0000, count: 5) == Array("reply".utf8))
        #expect(try ring.queue.popAvailable(from: memory) == nil)

        try ring.queue.pushUsed(head: 3, written: 5, to: memory)
        #expect(try ring.usedIndex() == 1)
        #expect(try ring.usedEntry(0) == (3, 5))
    }

    @Test func indirectTablesAreFollowedOnce() throws {
        var ring = TestRing(memory: memory)
        ring.queue.indirectAllowed = true
        let table: UInt64 = 0x5_0000
        for (index, (address, length)) in [(UInt64(0x2_0000), UInt32(4)), (0x3_0000, 8)].enumerated() {
            let entry = table + UInt64(index) * 16
            try memory.store(address, at: entry)
            try memory.store(length, at: entry + 8)
            try memory.store(index == 0 ? Virtqueue.next : Virtqueue.write, at: entry + 12)
            try memory.store(UInt16(1), at: entry + 14)
        }
        try ring.setDescriptor(0, address: table, length: 32, flags: Virtqueue.indirect)
        try ring.publish(0)
        let chain = try #require(try ring.queue.popAvailable(from: memory))
        #expect(chain.buffers == [
            .init(address: 0x2_0000, length: 4, writable: false),
            .init(address: 0x3_0000, length: 8, writable: true),
        ])
    }

    @Test func theAvailableIndexWrapsAround() throws {
        var ring = TestRing(memory: memory, size: 4)
        ring.queue.nextAvailable = 0xFFFF
        ring.availableIndex = 0xFFFF
        try ring.setDescriptor(2, address: 0x2_0000, length: 1)
        try ring.publish(2)
        #expect(try ring.queue.popAvailable(from: memory)?.head == 2)
        #expect(ring.queue.nextAvailable == 0)
    }

    // MARK: Malformed queues: each is an error, never a crash.

    func expectBroken(_ ring: inout TestRing, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: VirtioError(message), sourceLocation: sourceLocation) { try ring.queue.popAvailable(from: memory) }
    }

    @Test func aBufferOutsideMemoryIsRefused() throws {
        var ring = TestRing(memory: memory)
        try ring.setDescriptor(0, address: 0xF000_0000, length: 16)
        try ring.publish(0)
        expectBroken(&ring, "descriptor 0: buffer at 0xf0000000 of 16 bytes is outside guest memory")
    }

    @Test func aLengthThatWrapsIsRefused() throws {
        var ring = TestRing(memory: memory)
        try ring.setDescriptor(0, address: 0xFFFF_FFFF_FFFF_FF00, length: 0xFFFF_FFFF)
        try ring.publish(0)
        expectBroken(&ring, "descriptor 0: buffer at 0xffffffffffffff00 of 4294967295 bytes is outside guest memory")
    }

    @Test func aLoopingChainIsRefused() throws {
        var ring = TestRing(memory: memory)
        try ring.setDescriptor(0, address: 0x2_0000, length: 1, flags: Virtqueue.next, next: 1)
        try ring.setDescriptor(1, address: 0x2_0000, length: 1, flags: Virtqueue.next, next: 0)
        try ring.publish(0)
        expectBroken(&ring, "descriptor chain from 0 loops")
    }

    @Test func aChainAsLongAsTheQueueIsFine() throws {
        var ring = TestRing(memory: memory, size: 4)
        for index: UInt16 in 0..<4 {
            try ring.setDescriptor(index, address: 0x2_0000, length: 1, flags: index < 3 ? Virtqueue.next : 0, next: index + 1)
        }
        try ring.publish(0)
        #expect(try ring.queue.popAvailable(from: memory)?.buffers.count == 4)
    }

    @Test func anAvailableIndexJumpIsRefused() throws {
        var ring = TestRing(memory: memory, size: 8)
        try ring.setAvailableIndex(8 + 5)
        expectBroken(&ring, "available index jumped from 0 to 13, more than the queue size 8")
    }

    @Test func badIndicesAreRefused() throws {
        var ring = TestRing(memory: memory, size: 8)
        try ring.setDescriptor(0, address: 0x2_0000, length: 1, flags: Virtqueue.next, next: 200)
        try ring.publish(0)
        try ring.publish(9)
        expectBroken(&ring, "descriptor 0: next index 200 is past the table size 8")
        expectBroken(&ring, "descriptor index 9 is past the queue size 8")
    }

    @Test func indirectWithoutTheFeatureIsRefused() throws {
        var ring = TestRing(memory: memory)
        try ring.setDescriptor(0, address: 0x5_0000, length: 16, flags: Virtqueue.indirect)
        try ring.publish(0)
        expectBroken(&ring, "descriptor 0: indirect, but VIRTIO_F_INDIRECT_DESC was not negotiated")
    }

    @Test func ringAddressesThatWrapAreRefusedNotTrapped() throws {
        var ring = TestRing(memory: memory)
        ring.queue.availableRing = UInt64.max - 3
        expectBroken(&ring, "available index at 0xfffffffffffffffe is outside guest memory")
        var table = TestRing(memory: memory)
        table.queue.descriptorTable = UInt64.max - 15
        try table.setAvailableIndex(1)
        expectBroken(&table, "descriptor 0 at 0xfffffffffffffff0 is outside guest memory")
    }

    @Test func nestedOrOversizedIndirectTablesAreRefused() throws {
        var ring = TestRing(memory: memory)
        ring.queue.indirectAllowed = true
        try memory.store(UInt16(Virtqueue.indirect), at: 0x5_0000 + 12)
        try ring.setDescriptor(0, address: 0x5_0000, length: 16, flags: Virtqueue.indirect)
        try ring.setDescriptor(1, address: 0x5_0000, length: 15, flags: Virtqueue.indirect)
        try ring.publish(0)
        try ring.publish(1)
        expectBroken(&ring, "descriptor 0: an indirect table inside an indirect table")
        expectBroken(&ring, "descriptor 1: indirect table length 15 is invalid")
    }

    @Test func ringsOutsideMemoryFailValidation() {
        var queue = Virtqueue()
        queue.size = 8
        queue.descriptorTable = 0x1_0000
        queue.availableRing = (1 << 20) - 4
        queue.usedRing = 0x2_0000
        #expect(throws: VirtioError("available ring at 0xffffc (22 bytes) is outside guest memory")) { try queue.validate(in: memory) }
        queue.size = 6
        #expect(throws: VirtioError("queue size 6 is not a power of two between 1 and 256")) { try queue.validate(in: memory) }
    }
}
