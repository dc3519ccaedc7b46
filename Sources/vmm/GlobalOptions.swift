import JSON
import Glibc
import OCI
import HostFiles

/// Options before the command, as OCI managers pass them to any runtime
/// (`--root`, `--log`, `--log-format`, `--systemd-cgroup`).
struct GlobalOptions {
    var root = StateDirectory.defaultRoot
    var log: String?
    var logFormat = "text"

    /// Consumes the leading options; returns the command and its arguments.
    mutating func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> ArraySlice<String> {
        var scanner = ArgumentScanner(arguments)
        var rest = arguments
        while let first = rest.first, first.hasPrefix("--") {
            guard let token = try scanner.next() else { break }
            switch token {
            case .option("--root", _): root = try scanner.value(of: "--root")
            case .option("--log", _): log = try scanner.value(of: "--log")
            case .option("--log-format", _):
                logFormat = try scanner.value(of: "--log-format")
                guard logFormat == "text" || logFormat == "json" else { throw UsageError("--log-format is text or json, got '\(logFormat)'") }
            case .option("--systemd-cgroup", nil): break  // the VM is the boundary: no host cgroup to manage yet
            case .option("--help", nil): return ["--help"]
            case .option("--version", nil): return ["--version"]
            default: throw UsageError.unknown(token, command: "(global options)")
            }
            rest = scanner.remaining
        }
        return rest
    }

    /// Errors also go to --log, in the format the manager reads (conmon
    /// reads JSON lines: level, msg, time).
    func logError(_ message: String) {
        guard let log else { return }
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line: String
        if logFormat == "json" {
            line = "{\"level\":\"error\",\"msg\":\(JSONWriter.string(message)),\"time\":\(JSONWriter.string(Self.timestamp()))}\n"
        } else {
            line = "vmm: \(message)\n"
        }
        writeAll(line, to: fd)
    }

    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(cBuffer: buffer)
    }
}
