import JSON

/// One run's `vmm-timeline/1` JSON read back (what `vmm bench` collects),
/// with what bench measured from outside.
public struct TimelineSample: Sendable {
    public struct Event: Sendable {
        public let id: String
        public let name: String
        public let lane: Milestone.Lane
        public let atMicroseconds: UInt64
    }

    public let events: [Event]
    public let totalMicroseconds: UInt64
    public let exitStatus: Int32
    public let memory: MemoryFootprint?
    /// The timeline's `failure`: vmm or the guest failed.
    public let failure: String?
    /// Spawn to reap, as the parent saw it.
    public let wallMicroseconds: UInt64
    public let timeline: JSONValue

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(timeline: JSONValue, wallMicroseconds: UInt64) throws(FormatError) {
        guard timeline["schema"] == .string(TimelineReport.schema) else {
            throw FormatError(description: "not a \(TimelineReport.schema) timeline")
        }
        guard case .array(let entries)? = timeline["events"], let total = timeline["total_us"]?.unsigned,
              let status = timeline["exit_status"]?.unsigned.flatMap({ Int32(exactly: $0) }) else {
            throw FormatError(description: "a timeline without events, total_us or exit_status")
        }
        var events: [Event] = []
        for entry in entries {
            guard case .string(let id)? = entry["id"], case .string(let name)? = entry["name"],
                  case .string(let laneName)? = entry["lane"], let lane = Milestone.Lane(rawValue: laneName),
                  let at = entry["at_us"]?.unsigned else {
                throw FormatError(description: "a timeline event without id, name, lane or at_us")
            }
            events.append(Event(id: id, name: name, lane: lane, atMicroseconds: at))
        }
        self.events = events
        self.totalMicroseconds = total
        self.exitStatus = status
        if let memory = timeline["memory"], let peak = memory["peak_rss_kib"]?.unsigned,
           let guest = memory["guest_resident_kib"]?.unsigned {
            self.memory = MemoryFootprint(peakRSSKiB: peak, guestResidentKiB: guest)
        } else {
            self.memory = nil
        }
        if case .string(let failure)? = timeline["failure"] { self.failure = failure } else { self.failure = nil }
        self.wallMicroseconds = wallMicroseconds
        self.timeline = timeline
    }
}

extension JSONValue {
    /// A whole, non-negative JSON number.
    var unsigned: UInt64? {
        guard case .number(let text) = self else { return nil }
        return UInt64(text)
    }
}
