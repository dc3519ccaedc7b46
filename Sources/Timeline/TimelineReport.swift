/// One run's timeline as people and programs read it (docs/timeline.md):
/// events in microseconds, main ones with the phase that ends at each.
public struct TimelineReport: Sendable {
    public struct Event: Equatable, Sendable {
        public let milestone: Milestone
        public let atMicroseconds: UInt64
        /// Since the previous main event; nil on background events.
        public let phaseMicroseconds: UInt64?
    }

    /// `firmware` or `linux`.
    public var payload: String
    /// `pvm`, `hardware` or `unknown`.
    public var host: String
    public var exitStatus: Int32
    /// Why the run failed when vmm or the guest did (not the process it
    /// ran): a bench must not average failures.
    public var failure: String?
    public var memory: MemoryFootprint?
    /// Main events in time order, then background events in time order.
    public let events: [Event]

    /// The last main event's time: the sum of the phases.
    public var totalMicroseconds: UInt64 { events.last { $0.phaseMicroseconds != nil }?.atMicroseconds ?? 0 }

    public init(entries: [BootTimeline.Entry], payload: String, host: String, exitStatus: Int32, memory: MemoryFootprint? = nil) {
        self.payload = payload
        self.host = host
        self.exitStatus = exitStatus
        self.memory = memory
        // Truncate first, then subtract: the phases then add up exactly.
        let ordered = entries.enumerated()
            .sorted { ($0.element.nanoseconds, $0.offset) < ($1.element.nanoseconds, $1.offset) }
            .map { (milestone: $0.element.milestone, at: $0.element.nanoseconds / 1000) }
        var events: [Event] = []
        var previous: UInt64 = 0
        for entry in ordered where entry.milestone.lane == .main {
            events.append(Event(milestone: entry.milestone, atMicroseconds: entry.at, phaseMicroseconds: entry.at - previous))
            previous = entry.at
        }
        for entry in ordered where entry.milestone.lane == .background {
            events.append(Event(milestone: entry.milestone, atMicroseconds: entry.at, phaseMicroseconds: nil))
        }
        self.events = events
    }
}
