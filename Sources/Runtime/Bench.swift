import COS
import Glibc
import HostFiles
import JSON
import KVM
import Synchronization
import Timeline

/// `vmm bench`: runs `vmm run --timeline=json …` again and again as child
/// processes and sums up each phase's spread, the wall time and memory.
public struct Bench {
    /// What each run gets after `vmm run --timeline=json …`.
    public let runArguments: [String]
    public let runs: Int
    public let warmup: Int

    public init(runArguments: [String], runs: Int, warmup: Int) {
        self.runArguments = runArguments
        self.runs = runs
        self.warmup = warmup
    }

    /// Every run, warm-up first; the measured ones summed up.
    public func run() throws(CommandFailure) -> BenchSummary {
        let arguments = ["run", "--timeline=json", "--timeline-output", "/dev/fd/3"] + runArguments
        BenchSignals.install()
        var samples: [TimelineSample] = []
        var firstStatus: Int32?
        for index in 0..<(warmup + runs) {
            let sample = try BenchRun.run(arguments)
            // Every run must end alike, or the numbers compare different things.
            if let firstStatus, firstStatus != sample.exitStatus {
                throw CommandFailure(message: "bench: run \(index + 1) exited \(sample.exitStatus), the first exited \(firstStatus)")
            }
            firstStatus = sample.exitStatus
            if index >= warmup { samples.append(sample) }
        }
        guard let summary = BenchSummary(samples: samples) else { throw CommandFailure(message: "no runs to report") }
        return summary
    }

    /// The --json document: the summary with what was run, and where.
    public func json(_ summary: BenchSummary) -> String {
        let host = VirtualizationKind.detect().timelineName
        return JSONWriter.write(summary.json(arguments: runArguments, runs: runs, warmup: warmup, host: host)) + "\n"
    }
}

/// One measured child: `vmm run` with stdin and stdout on /dev/null, stderr
/// and the timeline each in a memfd read back after it exits.
enum BenchRun {
    static func run(_ arguments: [String]) throws(CommandFailure) -> TimelineSample {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        let stderrFile = cos_memfd_create("vmm-bench-stderr", COS_MFD_CLOEXEC)
        let timelineFile = cos_memfd_create("vmm-bench-timeline", COS_MFD_CLOEXEC)
        defer { [null, stderrFile, timelineFile].filter { $0 >= 0 }.forEach { close($0) } }
        guard null >= 0, stderrFile >= 0, timelineFile >= 0 else {
            throw CommandFailure(message: "bench: cannot open /dev/null or create a memfd: \(String(cString: strerror(errno)))")
        }
        let start = MonotonicClock.now()
        guard let pid = SelfProcess.spawn(arguments, placing: [(null, 0), (null, 1), (stderrFile, 2), (timelineFile, 3)]) else {
            throw CommandFailure(message: "bench: cannot start vmm: \(String(cString: strerror(errno)))")
        }
        let status = BenchSignals.wait(for: pid)
        let wall = (MonotonicClock.now() - start) / 1000
        guard let status else { throw CommandFailure(message: "bench: waiting for run \(pid) failed: \(String(cString: strerror(errno)))") }
        func lastLine() -> String {
            let errors = String(decoding: (try? readUntilEnd(fileDescriptor: stderrFile, from: 0)) ?? [], as: UTF8.self)
            return errors.split(separator: "\n").last.map(String.init) ?? "no message"
        }
        guard status & 0x7f == 0 else { throw CommandFailure(message: "bench: a run was killed by signal \(status & 0x7f): \(lastLine())") }
        guard let text = try? readUntilEnd(fileDescriptor: timelineFile, from: 0), let json = try? JSONParser.parse(text),
              let sample = try? TimelineSample(timeline: json, wallMicroseconds: wall) else {
            throw CommandFailure(message: "bench: a run failed (exit status \((status >> 8) & 0xff)): \(lastLine())")
        }
        if let failure = sample.failure { throw CommandFailure(message: "bench: a run failed: \(failure)") }
        return sample
    }
}

/// A signal that would end bench ends the run in progress first: no
/// `vmm run` (or its virtiofsd) outlives the bench that started it.
enum BenchSignals {
    static let endingSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let child = Atomic<Int32>(0)
    static let received = Atomic<Int32>(0)

    static func install() {
        for signal in endingSignals {
            Glibc.signal(signal) { number in
                BenchSignals.received.store(number, ordering: .relaxed)
                let pid = BenchSignals.child.load(ordering: .relaxed)
                if pid > 0 { kill(pid, number) }
            }
        }
    }

    /// The child's wait status, or nil (errno set) when waitpid fails. After
    /// a signal, bench exits as that signal's 128 + N once the child is gone.
    static func wait(for pid: pid_t) -> Int32? {
        child.store(pid, ordering: .relaxed)
        defer { child.store(0, ordering: .relaxed) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        let signal = received.load(ordering: .relaxed)
        if signal != 0 { exit(128 + signal) }
        return status
    }
}
