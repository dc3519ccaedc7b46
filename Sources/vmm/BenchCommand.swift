import CKVM
import Glibc
import JSON
import KVM
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
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let wall = (MonotonicClock.now() - start) / 1000
        let failedItself = status & 0x7f != 0 || [UsageError.exitStatus, CommandFailure.exitStatus].contains((status >> 8) & 0xff)
        guard !failedItself, let json = try? JSONParser.parse(contents(of: timelineFile)),
              let sample = try? TimelineSample(timeline: json, wallMicroseconds: wall) else {
            let errors = String(decoding: contents(of: stderrFile), as: UTF8.self)
            throw CommandFailure(message: "bench: a run failed (\(describe(status))): \(errors.split(separator: "\n").last ?? "no message")")
        }
        return sample
    }

    static func contents(of fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes }
            bytes += chunk[..<n]
            offset += off_t(n)
        }
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }
}
