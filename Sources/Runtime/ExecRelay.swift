import Devices
import Glibc
import HostFiles
import Machine
import OS

/// Carries an exec'd process's stdio and this process's signals to the
/// monitor until the process exits; returns its exit status (the code,
/// or 128 + signal), as `runc exec` exits.
struct ExecRelay {
    let connection: ExecConnection
    /// Read for the process's stdin (nil: none).
    var input: Int32?
    var output: Int32 = STDOUT_FILENO
    var error: Int32 = STDERR_FILENO
    /// With a terminal: whose size the process's terminal takes.
    var terminal: Int32?

    func run(signals: SignalFD) throws(CommandFailure) -> Int32 {
        if let terminal, let size = HostTerminal.windowSize(terminal) {
            try connection.send(.execWindowSize(id: 0, rows: size.rows, columns: size.columns))
        }
        var input = self.input
        var buffer = [UInt8](repeating: 0, count: GuestControlMessage.maximumExecInput)
        while true {
            if !connection.hasPending {
                var fds = [pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: signals.rawValue, events: Int16(POLLIN), revents: 0)]
                if let input { fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
                guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else {
                    throw CommandFailure(message: "poll: \(String(cString: strerror(errno)))")
                }
                if fds[1].revents != 0 {
                    while let signal = signals.next() { try forward(signal) }
                }
                if let fd = input, fds.count > 2, fds[2].revents != 0 {
                    let count = read(fd, &buffer, buffer.count)
                    // The monitor may have closed the session already (the process
                    // exited first): its last messages still wait to be read.
                    if count > 0 {
                        if !connection.sendUnlessClosed(.execInput(id: 0, bytes: Array(buffer.prefix(count)))) { input = nil }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        // End of our stdin (for a terminal: it hung up) is the end of the process's.
                        _ = connection.sendUnlessClosed(.execInput(id: 0, bytes: []))
                        input = nil
                    }
                }
                guard fds[0].revents != 0 else { continue }
            }
            switch try connection.next() {
            case nil:
                // The VM ended under it (the container was killed or its
                // process exited): it died with everything in the VM, as
                // runc's exec'd processes die of SIGKILL with their container.
                return 128 + SIGKILL
            case .execOutput(_, let stream, let bytes) where !bytes.isEmpty:
                // A reader that went away loses the rest, as the process's own write would.
                _ = bytes.withUnsafeBytes { writeAll($0, to: stream == GuestControlMessage.stderrStream ? error : output) }
            case .execExited(_, let code, let signal):
                return signal > 0 ? 128 + signal : code
            case .execError(_, let text):
                throw CommandFailure(message: "exec failed: \(text)")
            default:
                break
            }
        }
    }

    private func forward(_ signal: Int32) throws(CommandFailure) {
        if signal == SIGWINCH {
            if let terminal, let size = HostTerminal.windowSize(terminal) {
                try connection.send(.execWindowSize(id: 0, rows: size.rows, columns: size.columns))
            }
            return
        }
        try connection.send(.execSignal(id: 0, signal))
    }
}

extension ContainerExec {
    /// Starts the process and relays it until it exits; returns its exit
    /// status. `onStarted` runs once init said it runs (the pid file, a
    /// detaching parent's report).
    public func run(onStarted: () -> Void = {}) throws(CommandFailure) -> Int32 {
        SignalFD.block(Self.forwarded)
        let signals: SignalFD
        do {
            signals = try SignalFD(signals: Self.forwarded)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        // With a terminal: the manager's (the console socket), else ours;
        // raw on this side, since the guest's terminal does the line discipline.
        var terminal: Int32?
        var saved: termios?
        if process.terminal {
            let fd = try consoleSocket.map { path throws(CommandFailure) in try ConsoleSocket.handOver(to: path, size: process.consoleSize) } ?? STDIN_FILENO
            saved = HostTerminal.makeRaw(fd)
            terminal = fd
        }
        defer { if let terminal, let saved { HostTerminal.restore(terminal, saved) } }
        var relay = ExecRelay(connection: try start(), input: terminal ?? STDIN_FILENO, terminal: terminal)
        if let terminal, consoleSocket != nil {
            relay.output = terminal
            relay.error = terminal
        }
        onStarted()
        return try relay.run(signals: signals)
    }
}
