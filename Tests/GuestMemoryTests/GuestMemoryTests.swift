import Glibc
import Testing
@testable import GuestMemory

@Suite("Guest memory")
struct GuestMemoryTests {
    @Test func layoutSplitsAroundTheMMIOGap() {
        let small = MemoryRegion.layout(size: 128 << 20)
        #expect(small == [MemoryRegion(guestAddress: 0, size: 128 << 20, fileOffset: 0)])

        let large = MemoryRegion.layout(size: 4 << 30)
        #expect(large.count == 2)
        #expect(large[0] == MemoryRegion(guestAddress: 0, size: MemoryRegion.mmioGapStart, fileOffset: 0))
        #expect(large[1].guestAddress == MemoryRegion.mmioGapEnd)
        #expect(large[1].fileOffset == MemoryRegion.mmioGapStart)
        #expect(large[1].size == (4 << 30) - MemoryRegion.mmioGapStart)
    }

    @Test func containsNeverOverflows() {
        let region = MemoryRegion(guestAddress: 0x1000, size: 0x1000, fileOffset: 0)
        #expect(region.contains(0x1000, length: 0x1000))
        #expect(region.contains(0x1FFF, length: 1))
        #expect(region.contains(0x2000, length: 0))
        #expect(!region.contains(0x1FFF, length: 2))
        #expect(!region.contains(0xFFF, length: 1))
        #expect(!region.contains(UInt64.max - 1, length: 4))
        #expect(!region.contains(0x1800, length: UInt64.max))
    }

    @Test func readsBackWhatWasWritten() throws {
        let memory = try GuestMemory(size: 1 << 20)
        try memory.write([1, 2, 3, 4], at: 0x100)
        #expect(try memory.read(at: 0x100, count: 4) == [1, 2, 3, 4])
        try memory.store(UInt32(0xDEAD_BEEF), at: 0x203)  // unaligned on purpose
        #expect(try memory.load(UInt32.self, at: 0x203) == 0xDEAD_BEEF)
        #expect(try memory.read(at: 0x203, count: 4) == [0xEF, 0xBE, 0xAD, 0xDE])
        try memory.write([], at: 1 << 20)  // empty write at the very end is in range
    }

    @Test func outOfRangeAccessIsAnErrorNotACrash() throws {
        let size: UInt64 = 1 << 20
        let memory = try GuestMemory(size: size)
        #expect(throws: GuestMemoryError.outOfRange(address: size, length: 1)) {
            try memory.read(at: size, count: 1)
        }
        #expect(throws: GuestMemoryError.outOfRange(address: size - 2, length: 4)) {
            try memory.store(UInt32(1), at: size - 2)
        }
        #expect(throws: GuestMemoryError.outOfRange(address: UInt64.max - 3, length: 8)) {
            try memory.load(UInt64.self, at: UInt64.max - 3)
        }
        #expect(throws: GuestMemoryError.outOfRange(address: 0, length: UInt64.max)) {
            try memory.pointer(at: 0, length: UInt64.max)
        }
    }

    @Test func theMMIOGapIsNotMemory() throws {
        let memory = try GuestMemory(size: MemoryRegion.mmioGapStart + (1 << 20))  // sparse: nothing is touched
        #expect(throws: GuestMemoryError.self) { try memory.load(UInt8.self, at: MemoryRegion.mmioGapStart) }
        #expect(throws: GuestMemoryError.self) { try memory.read(at: MemoryRegion.mmioGapStart - 2, count: 4) }
        try memory.store(UInt8(7), at: MemoryRegion.mmioGapEnd)
        #expect(try memory.load(UInt8.self, at: MemoryRegion.mmioGapEnd) == 7)
        // The byte after the gap is the memfd's byte right after low RAM.
        let host = memory.hostBase.load(fromByteOffset: Int(MemoryRegion.mmioGapStart), as: UInt8.self)
        #expect(host == 7)
    }

    @Test(arguments: [UInt64(0), 4095, GuestMemory.maximumSize + 4096])
    func invalidSizesAreRejected(size: UInt64) {
        #expect(throws: GuestMemoryError.invalidSize(size)) { try GuestMemory(size: size) }
    }
}

@Suite("Filling guest memory through the memfd")
struct GuestMemoryFillTests {
    @Test func filledBytesReadBackThroughTheMapping() throws {
        let memory = try GuestMemory(size: 1 << 20)
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 13) }
        try memory.fill(bytes, at: 0x1_2345)
        #expect(try memory.read(at: 0x1_2345, count: bytes.count) == bytes)
        #expect(throws: GuestMemoryError.outOfRange(address: (1 << 20) - 4, length: 8)) {
            try memory.fill([UInt8](repeating: 1, count: 8), at: (1 << 20) - 4)
        }
    }

    @Test func aFileIsCopiedInByItsOffsetAndAShortFileIsAnError() throws {
        let contents = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let path = "/tmp/vmm-fill-test-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        #expect(contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == contents.count)
        let memory = try GuestMemory(size: 1 << 20)
        try memory.fill(fromFile: fd, path: path, at: 100, count: 60_000, to: 0x8000)
        #expect(try memory.read(at: 0x8000, count: 60_000) == Array(contents[100..<60_100]))
        #expect(throws: GuestMemoryError.fillFailed(path: path, errno: 0, missing: 1)) {
            try memory.fill(fromFile: fd, path: path, at: 69_000, count: 1_001, to: 0x8000)
        }
    }
}
