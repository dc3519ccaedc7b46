import COS
import Glibc
import HostFiles
import Machine

/// The Unix socket between the OCI verbs and a container's monitor.
public enum OCISocket {
    /// The monitor's listening socket at `path`.
    public static func listen(at path: String) throws(CommandFailure) -> Int32 {
        let fd = cos_unix_listen(path, 8)
        guard fd >= 0 else { throw CommandFailure(message: "cannot listen on \(path): \(String(cString: strerror(errno)))") }
        // Whatever the umask: only its owner may drive the container (the directory is 0700 too).
        chmod(path, 0o600)
        return fd
    }

    /// Sends one request; returns the monitor's one-line reply.
    public static func send(_ request: MonitorRequest, to path: String) throws(CommandFailure) -> String {
        let command = request.line
        let fd = cos_unix_connect(path)
        guard fd >= 0 else { throw CommandFailure(message: "cannot reach the container's monitor: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let failure = writeAll(command + "\n", to: fd)
        guard failure == 0 else {
            throw CommandFailure(message: "cannot send '\(command)' to the container's monitor: \(String(cString: strerror(failure)))")
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { throw CommandFailure(message: "the container's monitor did not answer") }
        return String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: "\n")
    }
}
