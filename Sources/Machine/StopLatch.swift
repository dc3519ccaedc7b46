import KVM
import Synchronization
import OS

/// The first outcome wins; it wakes the thread waiting in `wait()`.
final class StopLatch: Sendable {
    private let outcome = Mutex<Result<MachineOutcome, MachineError>?>(nil)
    private let doorbell: EventFD

    init() throws(OSError) {
        doorbell = try EventFD()
    }

    var isSet: Bool { outcome.withLock { $0 != nil } }

    /// Readable once an outcome is in: the event loop's stop condition.
    var doorbellFD: Int32 { doorbell.rawValue }

    func finish(_ result: Result<MachineOutcome, MachineError>) {
        let first = outcome.withLock { current in
            guard current == nil else { return false }
            current = result
            return true
        }
        if first { doorbell.signal() }
    }

    func wait() -> Result<MachineOutcome, MachineError> {
        while true {
            if let result = outcome.withLock({ $0 }) { return result }
            doorbell.wait()
        }
    }
}
