import COS
import Glibc
import GuestImage
import HostFiles
import Machine

/// The OCI console socket: the runtime makes a pseudo-terminal and sends
/// its master to the manager (conmon), which relays the user's terminal.
/// The monitor keeps the slave as its controlling terminal, so a resize
/// on the master reaches it as SIGWINCH and travels on as WINSIZE.
public enum ConsoleSocket {
    /// Returns the slave side, now the monitor's controlling terminal.
    public static func handOver(to socketPath: String, size: ProcessDescription.ConsoleSize?) throws(CommandFailure) -> Int32 {
        setsid()  // a session of our own, to own a controlling terminal
        var name = [CChar](repeating: 0, count: 64)
        let master = cos_open_pty(&name, name.count)
        guard master >= 0 else { throw CommandFailure(message: "cannot make a terminal: \(String(cString: strerror(errno)))") }
        defer { close(master) }
        let slavePath = String(cBuffer: name)
        let slave = open(slavePath, O_RDWR | O_CLOEXEC)
        guard slave >= 0 else { throw CommandFailure(message: "cannot open \(slavePath): \(String(cString: strerror(errno)))") }
        _ = cos_set_controlling_terminal(slave)
        if let size { HostTerminal.setWindowSize(master, rows: size.rows, columns: size.columns) }
        let fd = cos_unix_connect(socketPath)
        guard fd >= 0 else {
            throw CommandFailure(message: "cannot connect to the console socket \(socketPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let payload = Array(slavePath.utf8)
        var fds = [master]
        let sent = payload.withUnsafeBytes { cos_send_with_fds(fd, $0.baseAddress, $0.count, &fds, 1) }
        guard sent == payload.count else {
            throw CommandFailure(message: "cannot send the terminal to \(socketPath): \(String(cString: strerror(errno)))")
        }
        return slave
    }
}
