import Glibc

/// `vmm bench [--runs N] [--warmup N] [--json FILE] [RUN OPTIONS] [-- CMD…]`:
/// bench's own options come first; from the first other argument on,
/// everything goes to each `vmm run` as it was typed.
struct BenchOptions {
    /// Enough for any benchmark, small enough that counts cannot overflow.
    static let maximumRuns = 100_000

    var runs = 10
    var warmup = 1
    var jsonPath: String?
    /// What each run gets after `vmm run --timeline=json …`.
    var runArguments: [String] = []

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments)
        scanning: while let token = try scanner.next() {
            switch token {
            case .option("--runs", _): runs = try scanner.number(of: "--runs")
            case .option("--warmup", _): warmup = try scanner.number(of: "--warmup")
            case .option("--json", _): jsonPath = try scanner.value(of: "--json")
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.bench)
                exit(0)
            default:
                runArguments = Array(arguments.suffix(scanner.remaining.count + 1))
                break scanning
            }
        }
        guard (1...Self.maximumRuns).contains(runs) else { throw UsageError("--runs must be between 1 and \(Self.maximumRuns), got \(runs)") }
        guard (0...Self.maximumRuns).contains(warmup) else {
            throw UsageError("--warmup must be between 0 and \(Self.maximumRuns), got \(warmup)")
        }
        let runOptions = runArguments.prefix { $0 != "--" }
        if let timeline = runOptions.first(where: { $0.hasPrefix("--timeline") }) {
            throw UsageError("vmm bench sets \(timeline.split(separator: "=")[0]) for its runs itself")
        }
        // Checked whole now, as `vmm run` will read them, before any run.
        _ = try RunOptions(parsing: runArguments[...])
    }
}
