import Glibc

/// `vmm bench [--runs N] [--warmup N] [--json FILE] [RUN OPTIONS] [-- CMD…]`:
/// its own options; every other one goes to each `vmm run`.
struct BenchOptions {
    var runs = 10
    var warmup = 1
    var jsonPath: String?
    /// What each run gets after `vmm run --timeline=json …`.
    var runArguments: [String] = []

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments)
        while let token = try scanner.next() {
            switch token {
            case .option("--runs", _): runs = try scanner.number(of: "--runs")
            case .option("--warmup", _): warmup = try scanner.number(of: "--warmup")
            case .option("--json", _): jsonPath = try scanner.value(of: "--json")
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.bench)
                exit(0)
            case .option(let name, _) where name.hasPrefix("--timeline"):
                throw UsageError("vmm bench sets \(name) for its runs itself")
            case .terminator:
                runArguments += ["--"] + scanner.rest()
            case .positional(let first):
                runArguments += [first] + scanner.rest()
            default:
                // Run options and their values pass through unread here and
                // are checked whole below, as `vmm run` will read them.
                runArguments.append(contentsOf: Self.spelling(of: token, scanner: &scanner))
            }
        }
        guard runs >= 1 else { throw UsageError("--runs must be at least 1, got \(runs)") }
        guard warmup >= 0 else { throw UsageError("--warmup must be 0 or more, got \(warmup)") }
        _ = try RunOptions(parsing: runArguments[...])
    }

    /// The token as it was typed, with the value that follows a run option
    /// that takes one.
    private static func spelling(of token: ArgumentScanner.Token, scanner: inout ArgumentScanner) -> [String] {
        switch token {
        case .option(let name, let inline?):
            _ = try? scanner.value(of: name)
            return ["\(name)=\(inline)"]
        case .option(let name, nil):
            guard RunOptions.valueOptions.contains(name), let value = scanner.remaining.first else { return [name] }
            _ = try? scanner.value(of: name)
            return [name, value]
        case .positional, .terminator: return []  // handled by the caller
        }
    }
}
