import Glibc

/// `vmm bench [--runs N] [--warmup N] [--json FILE] [RUN OPTIONS] [-- CMD…]`:
/// bench's own options may stand anywhere among run's, before the command;
/// everything else goes to each `vmm run` as it was typed.
struct BenchOptions {
    /// Enough for any benchmark, small enough that counts cannot overflow.
    static let maximumRuns = 100_000

    var runs = 10
    var warmup = 1
    var jsonPath: String?
    /// What each run gets after `vmm run --timeline=json …`.
    var runArguments: [String] = []

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        // Where bench's own options lie in `arguments`, to leave them out.
        var claimed: [Range<Int>] = []
        var runs = runs, warmup = warmup, jsonPath = jsonPath
        // Checked whole now, as `vmm run` will read them, before any run.
        _ = try RunOptions(parsing: arguments, help: HelpText.bench) { name, scanner throws(UsageError) in
            let start = arguments.endIndex - scanner.remaining.count - 1
            switch name {
            case "--runs": runs = try scanner.number(of: "--runs")
            case "--warmup": warmup = try scanner.number(of: "--warmup")
            case "--json": jsonPath = try scanner.value(of: "--json")
            case let timeline where timeline.hasPrefix("--timeline"):
                throw UsageError("vmm bench sets \(timeline) for its runs itself")
            default: return false
            }
            claimed.append(start..<(arguments.endIndex - scanner.remaining.count))
            return true
        }
        self.runs = runs
        self.warmup = warmup
        self.jsonPath = jsonPath
        runArguments = arguments.indices.filter { index in !claimed.contains { $0.contains(index) } }.map { arguments[$0] }
        guard (1...Self.maximumRuns).contains(runs) else { throw UsageError("--runs must be between 1 and \(Self.maximumRuns), got \(runs)") }
        guard (0...Self.maximumRuns).contains(warmup) else {
            throw UsageError("--warmup must be between 0 and \(Self.maximumRuns), got \(warmup)")
        }
    }
}
