import Glibc
import KVM
import Synchronization
import Timeline

/// Holds every vCPU out of the guest while the container is paused (OCI
/// `pause`): no guest instruction runs, memory and devices stay as they are
/// (the guest's kvmclock keeps counting), and `resume` lets the vCPUs back
/// in where they left off.
final class PauseGate: Sendable {
    private struct State {
        var paused = false
        var parked = 0
        var threads: [VCPUThread] = []
    }

    private let state = Mutex(State())
    /// Readable while not paused: parked vCPU threads wait on it.
    private let running: EventFD

    init() throws(KVMError) {
        running = try EventFD(nonBlocking: true)
        running.signal()
    }

    /// The threads to kick out of the guest on `pause`.
    func watch(_ threads: [VCPUThread]) {
        state.withLock { $0.threads = threads }
    }

    /// vCPU side, between two runs: waits here while paused, until resumed
    /// or the VM ends (`release`). The caller looks at both again after.
    func park(latch: StopLatch) {
        state.withLock { $0.parked += 1 }
        while state.withLock({ $0.paused }), !latch.isSet {
            var descriptor = pollfd(fd: running.rawValue, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, -1)
        }
        state.withLock { $0.parked -= 1 }
    }

    /// The VM is ending: parked vCPUs wake (to find the latch set) even if
    /// the kick reached them just before they started waiting.
    func release() {
        running.signal()
    }

    /// Stops every vCPU; true once all of them are out of the guest (within
    /// `timeout` seconds).
    func pause(latch: StopLatch, timeout: Double = 2) -> Bool {
        let threads = state.withLock { state in
            state.paused = true
            return state.threads
        }
        _ = running.wait()  // empties it: no longer readable
        for thread in threads { thread.kick() }
        let deadline = Double(MonotonicClock.now()) / 1e9 + timeout
        while state.withLock({ $0.parked }) < threads.count {
            if latch.isSet || Double(MonotonicClock.now()) / 1e9 > deadline { return false }
            usleep(200)
        }
        return true
    }

    func resume() {
        state.withLock { $0.paused = false }
        running.signal()
    }

    var isPaused: Bool { state.withLock { $0.paused } }
}
