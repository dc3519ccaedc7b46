import Timeline
import Devices
import Synchronization

/// The host half of guest/PROTOCOL.md's control channel: start the
/// process when init is ready (or on a command, for OCI), end the VM when
/// it exits; each step goes out as a MachineEvent.
struct ContainerControl: Sendable {
    let latch: StopLatch
    let timeline: BootTimeline
    /// The host terminal whose size the process's terminal takes.
    let terminalFD: Int32?
    let lifecycle: MachineConfiguration.Lifecycle
    /// Where init's messages about exec'd processes go.
    let exec: ExecSessions
    /// What goes to init before START (the network card's configuration).
    let startPreparation: StartPreparation
    /// READY counts once: a guest repeating it gets no second START.
    let readiness = GuestReadiness()

    func handle(_ message: GuestControlMessage) -> [GuestControlMessage] {
        switch message {
        case .ready:
            guard readiness.markReady() else { return [] }
            timeline.record(.guestReady)
            let size = terminalFD.flatMap(HostTerminal.windowSize)
            let resize: [GuestControlMessage] = size.map { [.windowSize(rows: $0.rows, columns: $0.columns)] } ?? []
            lifecycle.onEvent(.ready)
            guard lifecycle.startWhenReady else { return resize }
            do {
                let starting = try startPreparation.messages()
                lifecycle.onEvent(.started)
                return resize + starting
            } catch {
                latch.finish(.failure(error))
                return resize
            }
        case .started:
            timeline.record(.processStarted)
        case .exited(let code, let signal):
            timeline.record(.processExited)
            let status = signal > 0 ? 128 + Int(signal) : Int(code)
            latch.finish(.success(.exited(status: UInt8(truncatingIfNeeded: status))))
        case .error(let reason):
            latch.finish(.failure(.guest("the guest could not start the process: \(GuestText.oneLine(reason))")))
        case .execStarted, .execOutput, .execExited, .execError:
            exec.deliver(message)
        default:
            break
        }
        return []
    }
}

/// The host's way to speak to init once the console is up: a message
/// queued and delivered at once when the driver is ready.
struct GuestChannel {
    let console: VirtioConsole
    let transport: VirtioMMIOTransport
    let readiness: GuestReadiness
    /// The monitor's `vmm exec` clients, relayed over this channel.
    let exec: ExecSessions

    func send(_ message: GuestControlMessage) {
        console.send(message)
        transport.withActiveDevice { context throws(VirtioError) in try console.deliverPending(context) }
    }
}

/// Whether init has said READY; read by signal handling too.
final class GuestReadiness: Sendable {
    private let ready = Atomic<Bool>(false)

    /// True the first time only.
    func markReady() -> Bool {
        !ready.exchange(true, ordering: .acquiringAndReleasing)
    }

    var isReady: Bool { ready.load(ordering: .acquiring) }
}

/// Guest-supplied text on the host's terminal: one line, printable, short.
enum GuestText {
    static let limit = 240

    static func oneLine(_ text: String) -> String {
        var out = String(text.unicodeScalars.prefix(limit).map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if text.unicodeScalars.count > limit { out += "…" }
        return out
    }
}
