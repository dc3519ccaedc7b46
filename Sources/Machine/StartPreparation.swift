import Devices
import Synchronization

/// What must reach init before START, gathered from the devices that
/// need it (the network card's configuration): asked when the process is
/// about to start, since a manager may still change the host side until
/// then (Docker's prestart hook moves the veth in after create).
final class StartPreparation: Sendable {
    typealias Step = @Sendable () throws(MachineError) -> [GuestControlMessage]
    private let steps = Mutex<[Step]>([])

    func add(_ step: @escaping Step) {
        steps.withLock { $0.append(step) }
    }

    /// The messages to send, then START.
    func messages() throws(MachineError) -> [GuestControlMessage] {
        var messages: [GuestControlMessage] = []
        for step in steps.withLock({ $0 }) { messages += try step() }
        return messages + [.start]
    }
}
