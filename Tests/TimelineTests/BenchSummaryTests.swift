import JSON
import Testing
@testable import Timeline

@Suite("Bench statistics")
struct BenchSummaryTests {
    @Test func distributionsAreNearestRank() throws {
        let tenth = try #require(Distribution(Array(1...10)))
        #expect((tenth.minimum, tenth.median, tenth.p90, tenth.maximum) == (1, 5, 9, 10))
        let three = try #require(Distribution([30, 10, 20]))
        #expect((three.minimum, three.median, three.p90, three.maximum) == (10, 20, 30, 30))
        let one = try #require(Distribution([7]))
        #expect((one.minimum, one.median, one.p90, one.maximum) == (7, 7, 7, 7))
        #expect(Distribution([]) == nil)
    }

    static func sample(_ kvmReady: UInt64, marker: UInt64?, total: UInt64, wall: UInt64) throws -> TimelineSample {
        var entries = [
            BootTimeline.Entry(milestone: .processStart, nanoseconds: 0),
            BootTimeline.Entry(milestone: .kvmReady, nanoseconds: kvmReady * 1000),
            BootTimeline.Entry(milestone: .virtiofsdConnected, nanoseconds: 5_000_000),
            BootTimeline.Entry(milestone: .teardownDone, nanoseconds: total * 1000),
        ]
        if let marker { entries.append(BootTimeline.Entry(milestone: .guestMarker(1), nanoseconds: marker * 1000)) }
        let report = TimelineReport(entries: entries, payload: "firmware", host: "pvm", exitStatus: 0,
                                    memory: MemoryFootprint(peakRSSKiB: 5000, guestResidentKiB: 100 + kvmReady))
        return try TimelineSample(timeline: report.json, wallMicroseconds: wall)
    }

    @Test func phasesAreSummarisedInBootOrderWithTheirCounts() throws {
        let summary = try #require(BenchSummary(samples: [
            try Self.sample(400, marker: 1000, total: 2000, wall: 2500),
            try Self.sample(600, marker: nil, total: 2200, wall: 2700),
            try Self.sample(500, marker: 1100, total: 2100, wall: 2600),
        ]))
        #expect(summary.phases.map(\.id) == ["kvm_ready", "guest_marker_1", "teardown_done"])
        #expect(summary.phases[0].values.median == 500)
        #expect(summary.phases[1].count == 2)
        // The phase ends at the event: 1000 - 400, 1100 - 500.
        #expect(summary.phases[1].values.minimum == 600)
        // Without the marker the teardown phase starts at kvm_ready.
        #expect(summary.phases[2].values.maximum == 1600)
        #expect(summary.background.map(\.id) == ["virtiofsd_connected"])
        #expect(summary.background[0].values.median == 5000)
        #expect(summary.total.median == 2100 && summary.wall.maximum == 2700)
        #expect(summary.vmmOverhead?.minimum == 4300)
    }

    @Test func theJSONFollowsTheSchema() throws {
        let summary = try #require(BenchSummary(samples: [try Self.sample(400, marker: 1000, total: 2000, wall: 2500)]))
        let json = try JSONParser.parse(Array(JSONWriter.write(summary.json(arguments: ["--firmware", "x"], runs: 1, warmup: 0, host: "pvm")).utf8))
        #expect(json.keys == ["schema", "argv", "runs", "warmup", "host", "exit_status", "phases", "background", "total_us",
                              "wall_us", "peak_rss_kib", "vmm_overhead_kib", "samples"])
        #expect(json["schema"] == .string("vmm-bench/1"))
        guard case .array(let phases)? = json["phases"], case .array(let samples)? = json["samples"] else {
            Issue.record("no phases or samples")
            return
        }
        #expect(phases[0].keys == ["id", "name", "count", "min_us", "median_us", "p90_us", "max_us"])
        #expect(json["total_us"]?.keys == ["min", "median", "p90", "max"])
        #expect(samples[0]["timeline"]?["schema"] == .string("vmm-timeline/1"))
    }

    @Test func aTimelineOfAnotherSchemaIsRefused() {
        #expect(throws: TimelineSample.FormatError.self) {
            try TimelineSample(timeline: .object([("schema", .string("vmm-timeline/2"))]), wallMicroseconds: 1)
        }
    }
}
