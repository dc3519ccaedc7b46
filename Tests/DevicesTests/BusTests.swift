import Testing
@testable import Devices

@Suite("Bus")
struct BusTests {
    @Test func dispatchesByRangeWithOffsets() throws {
        var bus = Bus()
        let first = RecordingDevice(), second = RecordingDevice()
        try bus.register(first, base: 0x100, length: 8)
        try bus.register(second, base: 0x10, length: 0x10)
        #expect(bus.lookup(0x100)?.offset == 0)
        #expect(bus.lookup(0x107)?.offset == 7)
        #expect(bus.lookup(0x108) == nil)
        #expect(bus.lookup(0x1F)?.device === second)
        #expect(bus.lookup(0x20) == nil)
        #expect(bus.lookup(0xF) == nil)

        var byte: UInt8 = 0x5A
        _ = withUnsafeMutableBytes(of: &byte) { bus.access(0x103, isWrite: true, data: $0) }
        #expect(first.writes == [Access(offset: 3, value: 0x5A)])
    }

    @Test func overlappingRangesAreRefused() throws {
        var bus = Bus()
        try bus.register(RecordingDevice(), base: 0x100, length: 8)
        #expect(throws: Bus.Error.overlap(base: 0x107, length: 2)) {
            try bus.register(RecordingDevice(), base: 0x107, length: 2)
        }
        #expect(throws: Bus.Error.overlap(base: 0xF0, length: 0x20)) {
            try bus.register(RecordingDevice(), base: 0xF0, length: 0x20)
        }
        #expect(throws: Bus.Error.emptyRange(base: 0x200)) {
            try bus.register(RecordingDevice(), base: 0x200, length: 0)
        }
        #expect(throws: Bus.Error.emptyRange(base: UInt64.max)) {
            try bus.register(RecordingDevice(), base: UInt64.max, length: 2)
        }
        try bus.register(RecordingDevice(), base: 0x108, length: 1)  // adjacent is fine
    }

    @Test func unclaimedReadsFloatHigh() {
        let bus = Bus()
        var value: UInt32 = 0
        let action = withUnsafeMutableBytes(of: &value) { bus.access(0x1234, isWrite: false, data: $0) }
        #expect(action == .none)
        #expect(value == 0xFFFF_FFFF)
    }
}

struct Access: Equatable {
    let offset: UInt64
    let value: UInt64
}

final class RecordingDevice: BusDevice, @unchecked Sendable {
    var writes: [Access] = []

    func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: offset)
        return .none
    }

    func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        writes.append(Access(offset: offset, value: data.littleEndianValue))
        return .none
    }
}
