import Glibc
import HostFiles
import JSON

/// The runtime's --log: errors appended in the format the manager reads
/// (conmon and containerd-shim read JSON lines: level, msg, time).
public struct ErrorLog {
    public enum Format: String {
        case text, json
    }

    public let path: String
    public let format: Format

    public init(path: String, format: Format) {
        self.path = path
        self.format = format
    }

    public enum Level: String {
        case error, warning
    }

    public func record(_ message: String, level: Level = .error) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        writeAll(line(message, level: level, at: time(nil)), to: fd)
    }

    func line(_ message: String, level: Level = .error, at now: time_t) -> String {
        switch format {
        case .json: "{\"level\":\"\(level.rawValue)\",\"msg\":\(JSONWriter.string(message)),\"time\":\(JSONWriter.string(Self.timestamp(now)))}\n"
        case .text: level == .error ? "vmm: \(message)\n" : "vmm: warning: \(message)\n"
        }
    }

    /// RFC 3339 in UTC, as runc writes times (the log, `vmm list`).
    static func timestamp(_ now: time_t) -> String {
        var now = now
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(cBuffer: buffer)
    }
}
