import Glibc
import KVM
import OS
import Synchronization

/// Holds every vCPU out of the guest while the container is paused (OCI
/// `pause`): no guest instruction runs, memory and devices stay as they are,
/// the guest's kvmclock is held (a paused guest sees no time pass, as with
/// QEMU's stop), and `resume` lets the vCPUs back in where they left off.
final class PauseGate: Sendable {
    private struct State {
        var paused = false
        var parked = 0
        var threads: [VCPUThread] = []
        /// kvmclock when the last vCPU parked; written back on resume.
        var heldClock: UInt64?
    }

    private let state = Mutex(State())
    private let vm: VirtualMachine
    /// Readable while not paused: parked vCPU threads wait on it.
    private let running: EventFD
    /// Signalled by the vCPU that parks last: `pause` waits on it.
    private let allParked: EventFD

    init(vm: VirtualMachine) throws(OSError) {
        self.vm = vm
        running = try EventFD(nonBlocking: true)
        allParked = try EventFD(nonBlocking: true)
        running.signal()
    }

    /// The threads to kick out of the guest on `pause`.
    func watch(_ threads: [VCPUThread]) {
        state.withLock { $0.threads = threads }
    }

    /// vCPU side, between two runs: waits here while paused, until resumed
    /// or the VM ends (`release`). The caller looks at both again after.
    func park(latch: StopLatch) {
        let last = state.withLock { state in
            state.parked += 1
            return state.paused && state.parked == state.threads.count
        }
        if last { allParked.signal() }
        while state.withLock({ $0.paused }), !latch.isSet {
            Self.waitReadable(running, milliseconds: -1)
        }
        state.withLock { $0.parked -= 1 }
    }

    /// The VM is ending: parked vCPUs wake (to find the latch set) even if
    /// the kick reached them just before they started waiting.
    func release() {
        running.signal()
        allParked.signal()
    }

    /// Stops every vCPU and holds the clock; true once all of them are out
    /// of the guest (within `timeout` milliseconds).
    func pause(latch: StopLatch, timeoutMilliseconds: Int32 = 2000) -> Bool {
        _ = allParked.wait()  // a stale signal from an earlier pause
        let (threads, alreadyParked) = state.withLock { state in
            state.paused = true
            return (state.threads, state.parked == state.threads.count)
        }
        _ = running.wait()  // empties it: no longer readable
        for thread in threads { thread.kick() }
        if !alreadyParked { Self.waitReadable(allParked, milliseconds: timeoutMilliseconds) }
        guard state.withLock({ $0.parked == $0.threads.count }), !latch.isSet else { return false }
        let clock = try? vm.clock()
        state.withLock { $0.heldClock = clock }
        return true
    }

    func resume() {
        let clock = state.withLock { state in
            state.paused = false
            defer { state.heldClock = nil }
            return state.heldClock
        }
        if let clock { try? vm.setClock(clock) }
        running.signal()
    }

    var isPaused: Bool { state.withLock { $0.paused } }

    private static func waitReadable(_ eventFD: EventFD, milliseconds: Int32) {
        var descriptor = pollfd(fd: eventFD.rawValue, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, milliseconds) < 0 && errno == EINTR {}
    }
}
