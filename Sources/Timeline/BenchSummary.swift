import JSON

/// What `vmm bench` reports over its runs: per main phase, per background
/// event, the total, the wall time and memory (docs/timeline.md).
public struct BenchSummary: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let name: String
        /// How many runs had this event.
        public let count: Int
        /// Main rows: the phase ending at the event; background rows: its time.
        public let values: Distribution
        /// Where it sits: the median of its `at_us`.
        public let medianAt: UInt64
    }

    public let phases: [Row]
    public let background: [Row]
    public let total: Distribution
    public let wall: Distribution
    public let peakRSS: Distribution?
    public let vmmOverhead: Distribution?
    public let samples: [TimelineSample]

    public init?(samples: [TimelineSample]) {
        guard let total = Distribution(samples.map(\.totalMicroseconds)),
              let wall = Distribution(samples.map(\.wallMicroseconds)) else { return nil }
        self.samples = samples
        self.total = total
        self.wall = wall
        peakRSS = Distribution(samples.compactMap { $0.memory?.peakRSSKiB })
        vmmOverhead = Distribution(samples.compactMap { $0.memory?.vmmOverheadKiB })
        var phaseValues: [String: (name: String, values: [UInt64], at: [UInt64])] = [:]
        var backgroundValues: [String: (name: String, values: [UInt64], at: [UInt64])] = [:]
        for sample in samples {
            var previous: UInt64 = 0
            // process_start is the origin: always 0, no phase.
            for event in sample.events where event.id != Milestone.processStart.id {
                switch event.lane {
                case .main:
                    phaseValues[event.id, default: (event.name, [], [])].values.append(event.atMicroseconds - min(previous, event.atMicroseconds))
                    phaseValues[event.id]!.at.append(event.atMicroseconds)
                    previous = event.atMicroseconds
                case .background:
                    backgroundValues[event.id, default: (event.name, [], [])].values.append(event.atMicroseconds)
                    backgroundValues[event.id]!.at.append(event.atMicroseconds)
                }
            }
        }
        phases = Self.rows(phaseValues)
        background = Self.rows(backgroundValues)
    }

    private static func rows(_ values: [String: (name: String, values: [UInt64], at: [UInt64])]) -> [Row] {
        values.compactMap { id, entry in
            guard let distribution = Distribution(entry.values), let at = Distribution(entry.at) else { return nil }
            return Row(id: id, name: entry.name, count: entry.values.count, values: distribution, medianAt: at.median)
        }
        .sorted { ($0.medianAt, $0.id) < ($1.medianAt, $1.id) }
    }
}
