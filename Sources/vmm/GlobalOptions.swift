import Runtime
import OCI

/// Options before the command, as OCI managers pass them to any runtime
/// (`--root`, `--log`, `--log-format`, `--systemd-cgroup`).
struct GlobalOptions {
    var root = StateDirectory.defaultRoot
    var log: ErrorLog?

    /// Consumes the leading options; returns the command and its arguments.
    mutating func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> ArraySlice<String> {
        var scanner = ArgumentScanner(arguments)
        var rest = arguments
        var logPath: String?
        var logFormat = ErrorLog.Format.text
        while let first = rest.first, first.hasPrefix("--") {
            guard let token = try scanner.next() else { break }
            switch token {
            case .option("--root", _): root = try scanner.value(of: "--root")
            case .option("--log", _): logPath = try scanner.value(of: "--log")
            case .option("--log-format", _):
                let format = try scanner.value(of: "--log-format")
                guard let known = ErrorLog.Format(rawValue: format) else { throw UsageError("--log-format is text or json, got '\(format)'") }
                logFormat = known
            case .option("--systemd-cgroup", nil): break  // the VM is the boundary: no host cgroup to manage yet
            case .option("--help", nil): return ["--help"]
            case .option("--version", nil): return ["--version"]
            default: throw UsageError.unknown(token, command: "(global options)")
            }
            rest = scanner.remaining
        }
        log = logPath.map { ErrorLog(path: $0, format: logFormat) }
        return rest
    }

    /// The same options for the monitor `vmm create` starts.
    var logArguments: [String] {
        log.map { ["--log", $0.path, "--log-format", $0.format.rawValue] } ?? []
    }
}
