import Devices
import Glibc
import HostFiles

/// The monitor's command socket (OCI `start`, `kill`, `pause` and
/// `resume` reach the VM through it): one connection, one line, one reply
/// line.
enum CommandSocket {
    static func install(
        _ listening: Int32, on loop: EventLoop, console wiring: ConsoleWiring?, pauseGate: PauseGate?, latch: StopLatch,
        lifecycle: MachineConfiguration.Lifecycle
    ) {
        loop.add(fd: listening) {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            // A client that connects and says nothing must not stall the VM.
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return }
            let line = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingSuffixNewline
            let reply = handle(line, wiring: wiring, pauseGate: pauseGate, latch: latch, lifecycle: lifecycle)
            writeAll(reply + "\n", to: connection)
        }
    }

    static func handle(
        _ line: String, wiring: ConsoleWiring?, pauseGate: PauseGate?, latch: StopLatch, lifecycle: MachineConfiguration.Lifecycle
    ) -> String {
        let request: MonitorRequest
        do {
            request = try MonitorRequest(line: line)
        } catch {
            return error.reply
        }
        switch request {
        case .kill(signal: SIGKILL):
            // Nothing in the guest can refuse or delay it (a paused or wedged
            // guest included): the VM ends as the killed process would.
            latch.finish(.success(.exited(status: UInt8(128 + SIGKILL))))
            return MonitorRequest.okReply
        case .pause:
            guard let pauseGate, !pauseGate.isPaused else { return "error: the VM cannot be paused now" }
            guard pauseGate.pause(latch: latch) else {
                pauseGate.resume()
                return "error: the vCPUs did not stop"
            }
            lifecycle.onPause()
            return MonitorRequest.okReply
        case .resume:
            guard let pauseGate, pauseGate.isPaused else { return "error: the VM is not paused" }
            pauseGate.resume()
            lifecycle.onResume()
            return MonitorRequest.okReply
        case .start, .kill:
            break
        }
        guard let wiring else { return "error: this guest has no console to carry the command" }
        switch request {
        case .start:
            lifecycle.onStart()
            wiring.console.send(.start)
        case .kill(let signal):
            wiring.console.send(.signal(signal))
        case .pause, .resume:
            break
        }
        wiring.transport.withActiveDevice { context throws(VirtioError) in try wiring.console.deliverPending(context) }
        return MonitorRequest.okReply
    }
}

extension String {
    var trimmingSuffixNewline: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
