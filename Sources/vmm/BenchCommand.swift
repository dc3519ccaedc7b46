import Runtime
import Glibc
import HostFiles

/// `vmm bench`: parses, runs Runtime's Bench, prints its summary.
struct BenchCommand {
    let options: BenchOptions

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        options = try BenchOptions(parsing: arguments)
    }

    func execute() throws(CommandFailure) -> Never {
        // Opened before the first run, so a bad path costs no runs.
        let jsonOutput = try options.jsonPath.map { path throws(CommandFailure) in
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CommandFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
            return fd
        }
        let bench = Bench(runArguments: options.runArguments, runs: options.runs, warmup: options.warmup)
        writeStandardError("vmm bench: \(bench.warmup) warm-up and \(bench.runs) measured runs of vmm run \(bench.runArguments.joined(separator: " "))\n")
        let summary = try bench.run()
        writeStandardOutput(summary.text)
        if let jsonOutput {
            writeAll(bench.json(summary), to: jsonOutput)
            close(jsonOutput)
        }
        exit(0)
    }
}
