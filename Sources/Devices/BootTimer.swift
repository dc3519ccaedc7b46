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

    /// guest/PROTOCOL.md §4: init's markers by name, others by number.
    public static func markerName(_ marker: UInt64) -> String {
        switch marker {
        case 0x100: "init started"
        case 0x101: "init: root filesystem ready"
        case 0x102: "init: ready sent"
        case 0x103: "init: exec of the process"
        default: "guest marker \(marker)"
        }
    }

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: 0)
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        guard offset == 0, count.add(1, ordering: .relaxed).newValue <= Self.maximumMarkers else { return .none }
        timeline.record(Self.markerName(data.littleEndianValue))
        return .none
    }
}
