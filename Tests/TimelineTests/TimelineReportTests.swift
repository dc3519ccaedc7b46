import JSON
import Testing
@testable import Timeline

@Suite("Timeline report")
struct TimelineReportTests {
    static func entry(_ milestone: Milestone, _ nanoseconds: UInt64) -> BootTimeline.Entry {
        BootTimeline.Entry(milestone: milestone, nanoseconds: nanoseconds)
    }

    /// Recorded out of order (two threads), with a background event between.
    static let entries = [
        entry(.processStart, 0), entry(.kvmReady, 412_999), entry(.vcpuThreadsStarted, 900_000),
        entry(.firstGuestExit, 1_200_500), entry(.firstVCPUEntry, 1_100_700), entry(.teardownDone, 2_301_999),
    ]

    @Test func mainEventsAreInTimeOrderThenBackgroundOnes() {
        let report = TimelineReport(entries: Self.entries, payload: "firmware", host: "pvm", exitStatus: 0)
        #expect(report.events.map(\.milestone.id) == [
            "process_start", "kvm_ready", "first_vcpu_entry", "first_guest_exit", "teardown_done", "vcpu_threads_started",
        ])
        #expect(report.events.last?.phaseMicroseconds == nil)
    }

    @Test func phasesAddUpExactlyToTheTotal() {
        let report = TimelineReport(entries: Self.entries, payload: "firmware", host: "pvm", exitStatus: 0)
        #expect(report.events.compactMap(\.phaseMicroseconds) == [0, 412, 688, 100, 1101])
        #expect(report.totalMicroseconds == 2301)
        #expect(report.events.compactMap(\.phaseMicroseconds).reduce(0, +) == report.totalMicroseconds)
    }

    @Test func theJSONFollowsTheSchema() throws {
        let memory = MemoryFootprint(peakRSSKiB: 4800, guestResidentKiB: 300)
        let report = TimelineReport(entries: Self.entries, payload: "linux", host: "hardware", exitStatus: 3, memory: memory)
        let json = try JSONParser.parse(Array(JSONWriter.write(report.json).utf8))
        #expect(json.keys == ["schema", "clock", "unit", "payload", "host", "exit_status", "events", "total_us", "memory"])
        #expect(json["schema"] == .string("vmm-timeline/1"))
        #expect(json["payload"] == .string("linux"))
        #expect(json["exit_status"] == .number("3"))
        #expect(json["total_us"] == .number("2301"))
        #expect(json["memory"]?["vmm_overhead_kib"] == .number("4500"))
        guard case .array(let events)? = json["events"] else { Issue.record("no events"); return }
        #expect(events[1].keys == ["id", "name", "lane", "at_us", "phase_us"])
        #expect(events[1]["id"] == .string("kvm_ready"))
        #expect(events[5].keys == ["id", "name", "lane", "at_us"])
        #expect(events[5]["lane"] == .string("background"))
        // And it reads back as bench reads it.
        let sample = try TimelineSample(timeline: json, wallMicroseconds: 2500)
        #expect(sample.totalMicroseconds == 2301 && sample.exitStatus == 3 && sample.memory == memory)
    }

    @Test func theTextShowsEachPhaseAndTheTotal() {
        let report = TimelineReport(entries: Self.entries, payload: "firmware", host: "pvm", exitStatus: 0)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("       412        412  KVM ready"))
        #expect(lines.contains("       900             vCPU threads started"))
        #expect(lines.last == "  total 2301 µs, exit status 0")
    }

    @Test func aGuestMarkerIsNamedByItsNumberUnlessInitWroteIt() {
        #expect(Milestone.guestMarker(7).id == "guest_marker_7")
        #expect(Milestone.guestMarker(0x100).id == "init_started")
        #expect(Milestone.guestMarker(0x103).id == "process_exec")
    }

    @Test func theOverheadNeverUnderflows() {
        #expect(MemoryFootprint(peakRSSKiB: 10, guestResidentKiB: 20).vmmOverheadKiB == 0)
    }
}
