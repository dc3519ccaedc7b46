import Glibc
import Synchronization

/// Nanoseconds on the monotonic clock.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// Named moments of one VM's life, in nanoseconds since `origin` (the
/// start of `vmm`): host phases and markers written by the guest.
public final class BootTimeline: Sendable {
    public struct Event: Equatable, Sendable {
        public let name: String
        public let nanoseconds: UInt64
    }

    public let origin: UInt64
    private let events = Mutex<[Event]>([])

    public init(origin: UInt64 = MonotonicClock.now()) {
        self.origin = origin
    }

    public func record(_ name: String) {
        let now = MonotonicClock.now()
        let elapsed = now >= origin ? now - origin : 0
        events.withLock { $0.append(Event(name: name, nanoseconds: elapsed)) }
    }

    public var recorded: [Event] { events.withLock { $0 } }
}
