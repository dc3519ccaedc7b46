import CKVM
import Glibc

/// The OCI console socket: the runtime makes a pseudo-terminal and sends
/// its master to the manager (conmon), which relays the user's terminal.
/// The monitor keeps the slave as its controlling terminal, so a resize
/// on the master reaches it as SIGWINCH and travels on as WINSIZE.
enum ConsoleSocket {
    /// Returns the slave side, now the monitor's controlling terminal.
    static func handOver(to socketPath: String) throws(CommandFailure) -> Int32 {
        setsid()  // a session of our own, to own a controlling terminal
        var name = [CChar](repeating: 0, count: 64)
        let master = ckvm_open_pty(&name, name.count)
        guard master >= 0 else { throw CommandFailure(message: "cannot make a terminal: \(String(cString: strerror(errno)))") }
        defer { close(master) }
        let slavePath = String(cBuffer: name)
        let slave = open(slavePath, O_RDWR | O_CLOEXEC)
        guard slave >= 0 else { throw CommandFailure(message: "cannot open \(slavePath): \(String(cString: strerror(errno)))") }
        _ = ckvm_set_controlling_terminal(slave)
        guard var address = OCISocket.address(socketPath) else { throw CommandFailure(message: "console socket path too long: \(socketPath)") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, connected == 0 else {
            throw CommandFailure(message: "cannot connect to the console socket \(socketPath): \(String(cString: strerror(errno)))")
        }
        let payload = Array(slavePath.utf8)
        var fds = [master]
        let sent = payload.withUnsafeBytes { ckvm_send_with_fds(fd, $0.baseAddress, $0.count, &fds, 1) }
        guard sent == payload.count else {
            throw CommandFailure(message: "cannot send the terminal to \(socketPath): \(String(cString: strerror(errno)))")
        }
        return slave
    }
}
