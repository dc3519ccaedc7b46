import Devices
import Glibc

/// The one typed way a running machine is driven: the monitor's requests
/// (CommandSocket) and the host's forwarded signals (SignalForwarding)
/// both come here; what follows goes out as lifecycle events.
final class MachineController {
    /// Why a request was refused: the reply's reason.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case cannotPause
        case vcpusDidNotStop
        case notPaused
        case noConsole
        /// What had to reach init before START could not be made.
        case cannotStart(String)

        var description: String {
            switch self {
            case .cannotPause: "the VM cannot be paused now"
            case .vcpusDidNotStop: "the vCPUs did not stop"
            case .notPaused: "the VM is not paused"
            case .noConsole: "this guest has no console to carry the command"
            case .cannotStart(let reason): reason
            }
        }
    }

    private let channel: GuestChannel?
    private let pauseGate: PauseGate?
    private let latch: StopLatch
    private let lifecycle: MachineConfiguration.Lifecycle
    private let startPreparation: StartPreparation
    private let sandbox: MonitorSandbox?

    init(
        channel: GuestChannel?, pauseGate: PauseGate?, latch: StopLatch, lifecycle: MachineConfiguration.Lifecycle,
        startPreparation: StartPreparation, sandbox: MonitorSandbox? = nil
    ) {
        self.startPreparation = startPreparation
        self.sandbox = sandbox
        self.channel = channel
        self.pauseGate = pauseGate
        self.latch = latch
        self.lifecycle = lifecycle
    }

    func perform(_ request: MonitorRequest) throws(Refusal) {
        switch request {
        case .kill(signal: SIGKILL, _):
            // Nothing in the guest can refuse or delay it (a paused or wedged
            // guest included): the VM ends as the killed process would.
            end(bySignal: SIGKILL)
        case .kill(let signal, let all):
            try send(all ? .signalAll(signal) : .signal(signal))
        case .start:
            guard channel != nil else { throw .noConsole }
            let messages: [GuestControlMessage]
            do {
                messages = try startPreparation.messages()
            } catch {
                throw .cannotStart(error.description)
            }
            // Fails closed: a monitor that could not confine itself does not start the process.
            do {
                try sandbox?.enterOnce()
            } catch {
                throw .cannotStart(error.description)
            }
            lifecycle.onEvent(.started)
            for message in messages { try send(message) }
        case .pause:
            guard let pauseGate, !pauseGate.isPaused else { throw .cannotPause }
            guard pauseGate.pause(latch: latch) else {
                pauseGate.resume()
                throw .vcpusDidNotStop
            }
            lifecycle.onEvent(.paused)
        case .resume:
            guard let pauseGate, pauseGate.isPaused else { throw .notPaused }
            pauseGate.resume()
            lifecycle.onEvent(.resumed)
        case .exec:
            guard channel != nil else { throw .noConsole }
        }
    }

    /// Where an exec request's connection goes once accepted.
    var execSessions: ExecSessions? { channel?.exec }

    /// A signal the host sent vmm: to the process once init can take it;
    /// before that (or with no console: a guest that hangs in boot) a
    /// terminating one ends the VM as it would have ended a process.
    func forward(signal: Int32) {
        let terminating = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].contains(signal)
        guard let channel, channel.readiness.isReady || !terminating else {
            end(bySignal: signal)
            return
        }
        channel.send(.signal(signal))
    }

    /// The host terminal changed size: the process's terminal follows.
    func resize(rows: UInt16, columns: UInt16) {
        channel?.send(.windowSize(rows: rows, columns: columns))
    }

    private func send(_ message: GuestControlMessage) throws(Refusal) {
        guard let channel else { throw .noConsole }
        channel.send(message)
    }

    private func end(bySignal signal: Int32) {
        latch.finish(.success(.exited(status: UInt8(truncatingIfNeeded: 128 + signal))))
    }
}
