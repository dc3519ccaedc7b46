import Timeline
import Synchronization

/// Port 0x510: the guest writes a 32-bit marker and the timeline records
/// when it arrived.
public final class BootTimer: BusDevice {
    public static let port: UInt64 = 0x510
    public static let length: UInt64 = 4

    private let timeline: BootTimeline
    /// A guest writing markers in a loop must not grow host memory.
    public static let maximumMarkers = 256
    private let count = Atomic<Int>(0)

    public init(timeline: BootTimeline) {
        self.timeline = timeline
    }

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: 0)
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        guard offset == 0, count.add(1, ordering: .relaxed).newValue <= Self.maximumMarkers else { return .none }
        timeline.record(.guestMarker(data.littleEndianValue))
        return .none
    }
}
