import COS
import Devices
import Glibc
import GuestImage
import HostFiles
import Machine
import OCI
import OS
import Timeline

/// `vmm exec`: another process in a running container. The container's
/// monitor relays it to init (ExecSessions, guest/PROTOCOL.md exec
/// messages); this process carries its stdio and signals and exits with
/// its status, as `runc exec` does.
public struct ContainerExec {
    public let container: Container
    public var process: ProcessDescription
    public var consoleSocket: String?
    /// How long init gets to say the process runs (a wedged guest, or one
    /// that does not speak exec, must not hang the caller). Generous: the
    /// emulated test machine takes about a second.
    public var startTimeoutMilliseconds: Int32 = 60_000

    /// The signals passed on to the exec'd process, as `runc exec` passes them.
    static let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT]

    public init(container: Container, process: ProcessDescription) {
        self.container = container
        self.process = process
    }

    /// The container's own process (config.json's), as the base `vmm exec
    /// ARGS` changes, as runc takes it; only what an exec'd process uses.
    public static func baseProcess(of container: Container) throws(CommandFailure) -> ProcessDescription {
        let state = try container.state()
        do {
            var process = try Bundle.load(state.bundle).process
            process.mounts = []
            process.rootFilesystem = nil
            process.bindShare = nil
            process.hostname = nil
            process.sysctls = []
            process.cgroupFiles = []
            process.devices = []
            process.oomScoreAdjustment = nil
            return process
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    /// The encoded description, which must fit one control message.
    func description() throws(CommandFailure) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try process.encoded()
        } catch {
            throw CommandFailure(message: "the exec'd process: \(error)")
        }
        let room = GuestControlMessage.maximumExecProcess
        guard bytes.count <= room else {
            throw CommandFailure(message: "the exec'd process's description is \(bytes.count) bytes (arguments and environment): at most \(room) fit")
        }
        return bytes
    }

    /// Connects and starts the process; returns the session's connection
    /// once init said it runs.
    public func start() throws(CommandFailure) -> ExecConnection {
        let state = try container.state()
        guard state.status == .running else {
            throw CommandFailure(message: "container \(container.directory.id) is \(state.status.rawValue): exec needs a running container")
        }
        let bytes = try description()
        let connection = try ExecConnection.open(container.directory.socketPath)
        try connection.send(.exec(id: 0, process: bytes))
        let deadline = MonotonicClock.now() + UInt64(startTimeoutMilliseconds) * 1_000_000
        while true {
            let now = MonotonicClock.now()
            guard connection.hasPending || (now < deadline && connection.waitReadable(milliseconds: Int32((deadline - now) / 1_000_000))) else {
                throw CommandFailure(message: "the container's init did not start the exec'd process within \(startTimeoutMilliseconds) ms")
            }
            switch try connection.next() {
            case nil: throw CommandFailure(message: "the container stopped before the exec'd process started")
            case .execStarted: return connection
            case .execError(_, let text): throw CommandFailure(message: "exec failed: \(text)")
            case .execExited(_, let code, let signal):
                throw CommandFailure(message: "the exec'd process ended before it started (\(code), signal \(signal))")
            default: continue
            }
        }
    }
}

/// One exec session's connection to the monitor: framed messages both ways.
public final class ExecConnection {
    let fd: Int32
    private var decoder = GuestControlDecoder()
    private var pending: [GuestControlMessage] = []

    init(fd: Int32) {
        self.fd = fd
    }

    deinit { close(fd) }

    static func open(_ socketPath: String) throws(CommandFailure) -> ExecConnection {
        let fd = cos_unix_connect(socketPath)
        guard fd >= 0 else { throw CommandFailure(message: "cannot reach the container's monitor: \(String(cString: strerror(errno)))") }
        let connection = ExecConnection(fd: fd)
        guard writeAll(MonitorRequest.exec.line + "\n", to: fd) == 0 else {
            throw CommandFailure(message: "cannot send exec to the container's monitor: \(String(cString: strerror(errno)))")
        }
        // The reply line, byte by byte: the session's messages follow it.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        let reply = String(decoding: line, as: UTF8.self)
        guard reply == MonitorRequest.okReply else {
            let prefix = MonitorRequest.errorPrefix
            throw CommandFailure(message: reply.hasPrefix(prefix) ? String(reply.dropFirst(prefix.count)) : "the container's monitor did not answer")
        }
        return connection
    }

    /// Sends it; false when the monitor has closed the session (what it
    /// sent before, the process's exit among it, is still to be read).
    func sendUnlessClosed(_ message: GuestControlMessage) -> Bool {
        message.encoded.withUnsafeBytes({ writeAll($0, to: fd) }) == 0
    }

    func send(_ message: GuestControlMessage) throws(CommandFailure) {
        guard message.encoded.withUnsafeBytes({ writeAll($0, to: fd) }) == 0 else {
            throw CommandFailure(message: "lost the container's monitor: \(String(cString: strerror(errno)))")
        }
    }

    /// The next message from the monitor (blocking); nil once the monitor
    /// closed the session (the VM ended, and every process in it).
    func next() throws(CommandFailure) -> GuestControlMessage? {
        while pending.isEmpty {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            do {
                pending = try decoder.feed(buffer.prefix(count))
            } catch {
                throw CommandFailure(message: "the container's monitor sent a corrupt exec stream")
            }
        }
        return pending.removeFirst()
    }

    /// Messages that arrived with others already (after `next`).
    var hasPending: Bool { !pending.isEmpty }

    /// Whether the monitor has sent something within `milliseconds`.
    func waitReadable(milliseconds: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}
