import Foundation
import Glibc
import Testing
import TestSupport
import OS
@testable import KVM

@Suite("vCPU threads", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct VCPUThreadTests {
    /// An application processor waits for SIPI inside KVM_RUN; a kick must
    /// get it out even when the creating thread blocks every signal (as
    /// thread pools do), or the VMM could never stop.
    @Test func aKickEndsKVMRunEvenWhenTheCreatorBlocksSignals() throws {
        let vm = try KVMSystem().createVirtualMachine()
        try vm.setTSSAddress(0xFFFB_D000)
        try vm.createIRQChip()
        _ = try vm.createVCPU(id: 0)
        let ap = try vm.createVCPU(id: 1)

        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        let exits = ExitLog()
        let thread = try VCPUThread(vcpu: ap) {
            exits.append(String(describing: (try? ap.runOnce()) ?? .unknown(reason: 0, hardwareReason: 0)))
        }
        usleep(100_000)  // let it enter KVM_RUN and block
        let joined = DispatchSemaphore(value: 0)
        Thread {
            thread.join()
            joined.signal()
        }.start()
        thread.kick()
        #expect(joined.wait(timeout: .now() + 5) == .success, "the kicked vCPU thread did not leave KVM_RUN")
        #expect(exits.entries == ["interrupted"])
    }
}

final class ExitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ entry: String) { lock.withLock { stored.append(entry) } }
    var entries: [String] { lock.withLock { stored } }
}
