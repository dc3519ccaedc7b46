import Synchronization

/// Moments of one VM's life, in nanoseconds since `origin` (the start of
/// vmm): host phases and markers written by the guest. Any thread records.
public final class BootTimeline: Sendable {
    public struct Entry: Equatable, Sendable {
        public let milestone: Milestone
        public let nanoseconds: UInt64
    }

    public let origin: UInt64
    private let entries = Mutex<[Entry]>([])

    /// `process_start` is the origin itself.
    public init(origin: UInt64 = MonotonicClock.now()) {
        self.origin = origin
        entries.withLock { $0.append(Entry(milestone: .processStart, nanoseconds: 0)) }
    }

    public func record(_ milestone: Milestone) {
        let now = MonotonicClock.now()
        let elapsed = now >= origin ? now - origin : 0
        entries.withLock { $0.append(Entry(milestone: milestone, nanoseconds: elapsed)) }
    }

    /// In the order they were recorded.
    public var recorded: [Entry] { entries.withLock { $0 } }
}
