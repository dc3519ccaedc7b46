import Glibc
import OS

/// A native thread for one vCPU: `KVM_RUN` blocks, so vCPUs never run on
/// Swift concurrency's cooperative pool.
public final class VCPUThread: @unchecked Sendable {
    private let thread: NativeThread
    private let vcpu: VCPU

    /// Starts `body` on a new thread at once.
    public init(vcpu: VCPU, body: @escaping @Sendable () -> Void) throws(OSError) {
        self.vcpu = vcpu
        KickSignal.installOnce()
        thread = try NativeThread(name: "vmm-vcpu\(vcpu.id)") {
            // The creator's mask is inherited, and thread pools block most
            // signals: a blocked kick would leave the vCPU in KVM_RUN forever.
            KickSignal.unblockOnThisThread()
            body()
        }
    }

    /// Forces the vCPU out of the guest: sets `immediate_exit` first, so a
    /// thread about to enter `KVM_RUN` returns at once, then signals it out
    /// of a run already in progress.
    public func kick() {
        vcpu.requestExit()
        pthread_kill(thread.thread, KickSignal.number)
    }

    public func join() {
        thread.join()
    }
}

/// The real-time signal that kicks vCPU threads; its handler does nothing,
/// it only makes `KVM_RUN` return `EINTR` (no SA_RESTART).
enum KickSignal {
    static let number: Int32 = __libc_current_sigrtmin()

    private static let installed: Bool = {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(number, &action, nil)
        return true
    }()

    static func installOnce() {
        _ = installed
    }

    static func unblockOnThisThread() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
