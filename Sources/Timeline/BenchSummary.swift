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
        var phaseValues: [String: Collected] = [:]
        var backgroundValues: [String: Collected] = [:]
        for (run, sample) in samples.enumerated() {
            var previous: UInt64 = 0
            // process_start is the origin: always 0, no phase.
            for event in sample.events where event.id != Milestone.processStart.id {
                switch event.lane {
                case .main:
                    phaseValues[event.id, default: Collected(name: event.name)]
                        .add(event.atMicroseconds - min(previous, event.atMicroseconds), at: event.atMicroseconds, run: run)
                    previous = event.atMicroseconds
                case .background:
                    backgroundValues[event.id, default: Collected(name: event.name)]
                        .add(event.atMicroseconds, at: event.atMicroseconds, run: run)
                }
            }
        }
        phases = Self.rows(phaseValues)
        background = Self.rows(backgroundValues)
    }

    /// One event id's values over the runs; a guest may write a marker more
    /// than once, so the runs that had it are counted apart.
    struct Collected {
        let name: String
        var values: [UInt64] = []
        var times: [UInt64] = []
        var runs: Set<Int> = []

        mutating func add(_ value: UInt64, at time: UInt64, run: Int) {
            values.append(value)
            times.append(time)
            runs.insert(run)
        }
    }

    private static func rows(_ collected: [String: Collected]) -> [Row] {
        collected.compactMap { id, entry in
            guard let distribution = Distribution(entry.values), let at = Distribution(entry.times) else { return nil }
            return Row(id: id, name: entry.name, count: entry.runs.count, values: distribution, medianAt: at.median)
        }
        .sorted { ($0.medianAt, $0.id) < ($1.medianAt, $1.id) }
    }
}
