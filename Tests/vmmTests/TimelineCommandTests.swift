import Foundation
import JSON
import Testing
import TestSupport

/// `vmm run --timeline` and `vmm bench` as a user runs them, on firmware
/// guests under real KVM (docs/timeline.md is the schema checked here).
@Suite("Boot timeline and vmm bench", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct TimelineCommandTests {
    static let helloMainEvents = [
        "process_start", "kvm_ready", "memory_mapped", "vcpus_created", "firmware_loaded", "devices_ready",
        "first_vcpu_entry", "first_guest_exit", "guest_marker_1", "guest_marker_2", "vm_stopped", "memory_measured",
        "teardown_done",
    ]

    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    static func numbers(_ value: JSONValue?) -> UInt64? {
        guard case .number(let text)? = value else { return nil }
        return UInt64(text)
    }

    @Test func theTextTimelineListsEveryPhaseOfAFirmwareGuest() throws {
        let result = Command.vmm("run", "--timeline", "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 0)
        #expect(result.standardOutput == "Hello from vmm firmware\n")
        let names = result.standardError.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3, UInt64(fields[0]) != nil, UInt64(fields[1]) != nil else { return nil }
            return fields[2].trimmingCharacters(in: .whitespaces)
        }
        #expect(names == ["process start", "KVM ready", "guest memory mapped", "vCPUs created", "firmware loaded", "devices ready",
                          "first vCPU entry", "first guest exit", "guest marker 1", "guest marker 2", "VM stopped",
                          "memory measured", "teardown done"])
        #expect(result.standardError.contains("vCPU threads started"))
        #expect(result.standardError.contains("vmm overhead"))
    }

    @Test func theJSONTimelineIsOrderedAndItsPhasesSumToTheTotal() throws {
        let started = Date()
        let result = Command.vmm("run", "--timeline=json", "--firmware", try Fixtures.firmware("exit42"))
        let wallMicroseconds = UInt64(Date().timeIntervalSince(started) * 1_000_000)
        #expect(result.status == 42)
        let json = try Self.parse(result.standardError)
        #expect(json["schema"] == .string("vmm-timeline/1"))
        #expect(json["payload"] == .string("firmware"))
        #expect(json["exit_status"] == .number("42"))
        guard case .array(let events)? = json["events"] else { Issue.record("no events"); return }
        let main = events.filter { $0["lane"] == .string("main") }
        let times = main.compactMap { Self.numbers($0["at_us"]) }
        let phases = main.compactMap { Self.numbers($0["phase_us"]) }
        #expect(times.count == main.count && phases.count == main.count)
        #expect(times == times.sorted())
        #expect(zip(phases.dropFirst(), zip(times.dropFirst(), times)).allSatisfy { $0 == $1.0 - $1.1 })
        let total = try #require(Self.numbers(json["total_us"]))
        #expect(phases.reduce(0, +) == total)
        #expect(times.last == total)
        #expect(total > 0 && total < wallMicroseconds)
        #expect(main.first?["id"] == .string("process_start"))
        #expect(main.last?["id"] == .string("teardown_done"))
        for id in ["kvm_ready", "memory_mapped", "firmware_loaded", "first_vcpu_entry", "first_guest_exit", "vm_stopped"] {
            #expect(main.contains { $0["id"] == .string(id) }, "missing \(id)")
        }
        let peak = try #require(Self.numbers(json["memory"]?["peak_rss_kib"]))
        let guest = try #require(Self.numbers(json["memory"]?["guest_resident_kib"]))
        #expect(Self.numbers(json["memory"]?["vmm_overhead_kib"]) == peak - guest)
        #expect(peak > 1024)
    }

    @Test func theTimelineCanGoToAFileInstead() throws {
        let path = Fixtures.scratch.appendingPathComponent("timeline-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = Command.vmm("run", "--timeline=json", "--timeline-output", path, "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 0)
        #expect(result.standardError == "")
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        guard case .array(let events)? = json["events"] else { Issue.record("no events"); return }
        let main = events.filter { $0["lane"] == .string("main") }.compactMap { value -> String? in
            guard case .string(let id)? = value["id"] else { return nil }
            return id
        }
        #expect(main == Self.helloMainEvents)
    }

    @Test func benchReportsEveryPhaseOverItsRuns() throws {
        let path = Fixtures.scratch.appendingPathComponent("bench-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = Command.vmm("bench", "--runs", "3", "--warmup", "0", "--json", path, "--memory", "8", "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("KVM ready"))
        #expect(result.standardOutput.contains("total, in vmm"))
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(json["schema"] == .string("vmm-bench/1"))
        #expect(json["runs"] == .number("3"))
        #expect(json["argv"] == .array(["--memory", "8", "--firmware", try Fixtures.firmware("hello")].map { .string($0) }))
        guard case .array(let phases)? = json["phases"], case .array(let samples)? = json["samples"] else {
            Issue.record("no phases or samples")
            return
        }
        #expect(samples.count == 3)
        #expect(phases.compactMap { row -> String? in
            guard case .string(let id)? = row["id"] else { return nil }
            return id
        } == Array(Self.helloMainEvents.dropFirst()))
        for row in phases {
            #expect(row["count"] == .number("3"))
            let values = ["min_us", "median_us", "p90_us", "max_us"].compactMap { Self.numbers(row[$0]) }
            #expect(values.count == 4 && values == values.sorted())
        }
        let total = try #require(Self.numbers(json["total_us"]?["median"]))
        let wall = try #require(Self.numbers(json["wall_us"]?["median"]))
        #expect(total > 0 && total < wall)
        #expect(Self.numbers(json["vmm_overhead_kib"]?["median"]) != nil)
    }

    @Test func aGuestStatusIsAResultAndInlineRunOptionsPassThrough() throws {
        let path = Fixtures.scratch.appendingPathComponent("bench42-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = Command.vmm("bench", "--runs", "2", "--warmup", "0", "--json", path, "--memory=8", "--firmware", try Fixtures.firmware("exit42"))
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(json["exit_status"] == .number("42"))
        #expect(json["argv"]?.arrayCount == 3)
    }

    /// A user puts options in any order: bench's own among run's, inline
    /// values on either.
    @Test func benchOptionsMayFollowRunOptions() throws {
        let path = Fixtures.scratch.appendingPathComponent("bench-order-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let firmware = try Fixtures.firmware("hello")
        let result = Command.vmm("bench", "--memory", "8", "--runs=2", "--firmware", firmware, "--json", path, "--warmup", "0")
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(json["runs"] == .number("2"))
        #expect(json["argv"] == .array(["--memory", "8", "--firmware", firmware].map { .string($0) }))
    }

    /// Where /dev holds only what a VM needs (a minimal root, the test
    /// machine's first stage), the runs still hand their timelines back.
    @Test(.enabled(if: getuid() == 0, "needs root for a private mount namespace"))
    func benchNeedsNoDevFd() throws {
        let script = """
            dev=$(mktemp -d) && for node in null kvm; do touch "$dev/$node" && mount --bind "/dev/$node" "$dev/$node"; done \
            && mount --rbind "$dev" /dev && test ! -e /dev/fd \
            && exec "$0" bench --runs 2 --warmup 0 --firmware "$1"
            """
        let result = Command.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, Fixtures.vmmExecutable, try Fixtures.firmware("hello")])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("KVM ready"))
    }

    @Test func aCrashingGuestStopsTheBench() throws {
        let result = Command.vmm("bench", "--runs", "3", "--firmware", try Fixtures.firmware("triplefault"))
        #expect(result.status == 125)
        #expect(result.standardError.hasSuffix("vmm: bench: a run failed: guest stopped abnormally on vCPU 0: SHUTDOWN (triple fault)\n"), "\(result.standardError)")
    }

}

extension TimelineCommandTests {
    static func mainIDs(_ json: JSONValue) -> [String] {
        guard case .array(let events)? = json["events"] else { return [] }
        return events.filter { $0["lane"] == .string("main") }.compactMap { value -> String? in
            guard case .string(let id)? = value["id"] else { return nil }
            return id
        }
    }
}

/// Tier 3: our kernel under real KVM up to its first exit: the Linux boot
/// path's phases. The ELF vmlinux: on PVM the bzImage's decompressor runs
/// emulated for about 25 s before its first exit.
@Suite(
    "Boot timeline of a Linux guest",
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct LinuxTimelineTests {
    @Test func theKernelPathHasItsPhasesUpToTheFirstExit() throws {
        let kernel = try #require(Fixtures.builtKernelDirectory) + "/vmlinux"
        let result = Command.vmm("run", "--timeline=json", "--kernel", kernel, "--stop-at-first-exit")
        #expect(result.status == 0, "\(result.standardError)")
        let json = try TimelineCommandTests.parse(result.standardError)
        #expect(json["payload"] == .string("linux"))
        #expect(TimelineCommandTests.mainIDs(json) == [
            "process_start", "kvm_ready", "memory_mapped", "vcpus_created", "kernel_loaded", "vcpus_configured",
            "devices_ready", "first_vcpu_entry", "first_guest_exit", "vm_stopped", "memory_measured", "teardown_done",
        ])
    }
}

/// Tier 5: Firecracker's metric, start to guest init and to the process's
/// exec, from the markers guest init writes. Needs hardware virtualization.
@Suite(
    "vmm bench of a container (full boot)",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct ContainerBenchFullBootTests {
    @Test func initAndExecAreTimedOnEveryRun() throws {
        let path = Fixtures.scratch.appendingPathComponent("container-bench-\(getpid()).json").path
        let result = Command.vmm("bench", "--runs", "2", "--json", path, "--", "true")
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        guard case .array(let phases)? = json["phases"] else { Issue.record("no phases"); return }
        let ids = phases.compactMap { row -> String? in
            guard case .string(let id)? = row["id"], row["count"] == .number("2") else { return nil }
            return id
        }
        for id in ["initramfs_built", "kernel_loaded", "init_started", "guest_ready", "process_exec", "process_exited", "teardown_done"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(try #require(ids.firstIndex(of: "init_started")) < (try #require(ids.firstIndex(of: "process_exec"))))
    }
}

/// What needs no KVM: mistakes found before any VM exists.
@Suite("Boot timeline and vmm bench: bad input")
struct TimelineInputTests {
    @Test func anUnwritableTimelineIsOneLineBeforeAnyVM() throws {
        let result = Command.vmm("run", "--timeline", "--timeline-output", "/nonexistent/t.txt", "--firmware", "/nonexistent/fw.bin")
        #expect(result.status == 125)
        #expect(result.standardOutput == "")
        #expect(result.standardError == "vmm: cannot write the timeline to /nonexistent/t.txt: No such file or directory\n")
    }

    @Test func aFailingBenchRunStopsTheBenchWithItsMessage() {
        let result = Command.vmm("bench", "--runs", "2", "--firmware", "/nonexistent/fw.bin")
        #expect(result.status == 125)
        #expect(result.standardError.hasSuffix(
            "vmm: bench: a run failed: cannot read firmware /nonexistent/fw.bin: No such file or directory\n"))
    }
}

extension JSONValue {
    var arrayCount: Int? {
        guard case .array(let elements) = self else { return nil }
        return elements.count
    }
}
