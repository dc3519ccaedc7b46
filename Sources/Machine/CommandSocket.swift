import Glibc
import HostFiles

/// The monitor's command socket (OCI `start`, `kill`, `pause` and
/// `resume` reach the VM through it): one connection, one line, one reply
/// line.
enum CommandSocket {
    static func install(_ listening: Int32, on loop: EventLoop, controller: MachineController) {
        loop.add(fd: listening) {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { return }
            var handedOff = false
            defer { if !handedOff { close(connection) } }
            // A client that connects and says nothing must not stall the VM.
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return }
            let line = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingSuffixNewline
            let answer = reply(to: line, controller: controller)
            writeAll(answer + "\n", to: connection)
            // An accepted exec keeps its connection: the session's messages follow the reply.
            if answer == MonitorRequest.okReply, line == MonitorRequest.exec.line, let sessions = controller.execSessions {
                timeout = timeval(tv_sec: 0, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                handedOff = true
                sessions.attach(connection)
            }
        }
    }

    /// The reply line for one request line.
    static func reply(to line: String, controller: MachineController) -> String {
        do {
            try controller.perform(try MonitorRequest(line: line))
            return MonitorRequest.okReply
        } catch let error as MonitorRequest.ParseError {
            return error.reply
        } catch {
            return MonitorRequest.errorPrefix + "\(error)"
        }
    }
}

extension String {
    var trimmingSuffixNewline: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
