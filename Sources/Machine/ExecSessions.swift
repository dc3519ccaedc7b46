import Devices
import Glibc
import HostFiles

/// `vmm exec` clients of the monitor (docs/architecture.md): each holds a
/// connection on which it speaks the guest's exec messages with id 0; the
/// monitor gives each its own guest id and relays both ways. Output to a
/// client is written by its own thread (a slow client holds up only
/// itself); everything else runs on the event loop thread.
final class ExecSessions: @unchecked Sendable {
    private struct Session {
        let connection: Int32
        let output: BufferedFileOutput
        var decoder = GuestControlDecoder()
    }

    private let loop: EventLoop
    private var sessions: [UInt32: Session] = [:]
    private var nextID: UInt32 = 1
    /// To init, once the console is up.
    var send: ((GuestControlMessage) -> Void)?

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// The connection is the client's from here on (closed when it ends).
    func attach(_ connection: Int32) {
        guard let output = try? BufferedFileOutput(fileDescriptor: connection, onBrokenPipe: nil) else {
            close(connection)
            return
        }
        let id = nextID
        nextID &+= 1
        if nextID == 0 { nextID = 1 }
        sessions[id] = Session(connection: connection, output: output)
        loop.add(fd: connection) { [self] in readClient(id) }
    }

    /// What the client sent: its messages, under the session's id, to init.
    private func readClient(_ id: UInt32) {
        guard var session = sessions[id] else { return }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = read(session.connection, &buffer, buffer.count)
        guard count > 0 else {
            // The client is gone, and with it where the output goes: the process goes too.
            send?(.execSignal(id: id, SIGKILL))
            end(id)
            return
        }
        let messages: [GuestControlMessage]
        do {
            messages = try session.decoder.feed(buffer.prefix(count))
        } catch {
            send?(.execSignal(id: id, SIGKILL))
            end(id)
            return
        }
        sessions[id] = session
        for message in messages {
            switch message {
            case .exec(_, let process): send?(.exec(id: id, process: process))
            case .execInput(_, let bytes): send?(.execInput(id: id, bytes: bytes))
            case .execSignal(_, let signal): send?(.execSignal(id: id, signal))
            case .execWindowSize(_, let rows, let columns): send?(.execWindowSize(id: id, rows: rows, columns: columns))
            default: break
            }
        }
    }

    /// A message from init about an exec'd process: to its client, id 0;
    /// its end ends the session.
    func deliver(_ message: GuestControlMessage) {
        let routed: (id: UInt32, relayed: GuestControlMessage, last: Bool)? = switch message {
        case .execStarted(let id, let pid): (id, .execStarted(id: 0, pid: pid), false)
        case .execOutput(let id, let stream, let bytes): (id, .execOutput(id: 0, stream: stream, bytes: bytes), false)
        case .execExited(let id, let code, let signal): (id, .execExited(id: 0, code: code, signal: signal), true)
        case .execError(let id, let text): (id, .execError(id: 0, text), true)
        default: nil
        }
        guard let (id, relayed, last) = routed, let session = sessions[id] else { return }
        relayed.encoded.withUnsafeBytes { session.output.write($0) }
        if last { end(id) }
    }

    /// Every client, when the VM ends: their processes are gone with it.
    /// Shut down first, so a client that stopped reading cannot hold up
    /// the monitor's exit (what it had not read is lost with the VM).
    func endAll() {
        for (id, session) in sessions {
            shutdown(session.connection, Int32(SHUT_RDWR))
            end(id)
        }
    }

    private func end(_ id: UInt32) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        loop.remove(fd: session.connection)
        session.output.finish()
        close(session.connection)
    }
}
