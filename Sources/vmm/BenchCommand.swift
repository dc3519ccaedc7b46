import Runtime
import CKVM
import Glibc
import HostFiles
import JSON
import KVM
import Synchronization
import Timeline

/// `vmm bench`: runs `vmm run --timeline=json …` again and again as child
/// processes and reports each phase's spread, the wall time and memory.
struct BenchCommand {
    let options: BenchOptions

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        options = try BenchOptions(parsing: arguments)
    }

    func execute() throws(CommandFailure) -> Never {
        let jsonOutput = try options.jsonPath.map { path throws(CommandFailure) in try Self.create(path) }
        let arguments = ["run", "--timeline=json", "--timeline-output", "/dev/fd/3"] + options.runArguments
        writeStandardError("vmm bench: \(options.warmup) warm-up and \(options.runs) measured runs of vmm run \(options.runArguments.joined(separator: " "))\n")
        BenchSignals.install()
        var samples: [TimelineSample] = []
        var firstStatus: Int32?
        for index in 0..<(options.warmup + options.runs) {
            let sample = try BenchRun.run(arguments)
            // Every run must end alike, or the numbers compare different things.
            if let firstStatus, firstStatus != sample.exitStatus {
                throw CommandFailure(message: "bench: run \(index + 1) exited \(sample.exitStatus), the first exited \(firstStatus)")
            }
            firstStatus = sample.exitStatus
            if index >= options.warmup { samples.append(sample) }
        }
        guard let summary = BenchSummary(samples: samples) else { throw CommandFailure(message: "no runs to report") }
        writeStandardOutput(summary.text)
        if let jsonOutput {
            let host = VirtualizationKind.detect().timelineName
            let document = summary.json(arguments: options.runArguments, runs: options.runs, warmup: options.warmup, host: host)
            writeAll(JSONWriter.write(document) + "\n", to: jsonOutput)
            close(jsonOutput)
        }
        exit(0)
    }

    /// Opened before the first run, so a bad path costs no runs.
    static func create(_ path: String) throws(CommandFailure) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        return fd
    }
}

/// One measured child: `vmm run` with stdin and stdout on /dev/null, stderr
/// and the timeline each in a memfd read back after it exits.
enum BenchRun {
    static func run(_ arguments: [String]) throws(CommandFailure) -> TimelineSample {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        let stderrFile = ckvm_memfd_create("vmm-bench-stderr", CKVM_MFD_CLOEXEC)
        let timelineFile = ckvm_memfd_create("vmm-bench-timeline", CKVM_MFD_CLOEXEC)
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
