import Foundation
import Testing
import TestSupport

/// The threads' seccomp filters (docs/security.md), applied by seccomp-probe
/// to itself: allowed syscalls work, anything else ends the process before
/// it returns, with one line naming the syscall (or the ioctl request).
@Suite("Thread syscall filters")
struct SyscallFilterTests {
    static var probe: String {
        URL(fileURLWithPath: Fixtures.vmmExecutable).deletingLastPathComponent().appendingPathComponent("seccomp-probe").path
    }

    static func expectEnded(_ result: Command.Result, naming what: String) {
        #expect(result.standardOutput == "allowed\n", "the allowed write went through, nothing after the forbidden call")
        #expect(result.exitedNormally && result.status == 125)
        #expect(result.standardError == "vmm: \(what) is outside this thread's seccomp filter: a bug in vmm, please report it\n")
    }

    @Test(arguments: [("vcpu", "socket", 41), ("vcpu", "execve", 59), ("vcpu", "getppid", 110),
                      ("output-writer", "socket", 41), ("output-writer", "execve", 59), ("output-writer", "getppid", 110),
                      ("event-loop", "socket", 41), ("event-loop", "execve", 59), ("event-loop", "fork", 56),
                      ("event-loop", "signal-another", 62), ("event-loop", "getppid", 110)])
    func aSyscallOffTheListEndsTheProcessNamingIt(kind: String, syscall: String, number: Int) {
        Self.expectEnded(Command.run(Self.probe, [kind, syscall]), naming: "syscall \(number)")
    }

    /// vCPU threads may ioctl, but only KVM_RUN and the register reads:
    /// TIOCSTI (typing into the user's terminal) and VM-wide requests end it.
    @Test(arguments: [("vcpu", "tiocsti", "ioctl 0x5412"), ("vcpu", "kvm-set-user-memory-region", "ioctl 0x4020ae46"),
                      ("output-writer", "tiocsti", "ioctl 0x5412"), ("event-loop", "tiocsti", "ioctl 0x5412"),
                      ("event-loop", "kvm-set-user-memory-region", "ioctl 0x4020ae46")])
    func anIoctlRequestOffTheListEndsTheProcessNamingIt(kind: String, call: String, named: String) {
        Self.expectEnded(Command.run(Self.probe, [kind, call]), naming: named)
    }

    @Test func kvmRunIsOnTheVCPUList() {
        let result = Command.run(Self.probe, ["vcpu", "kvm-run"])
        #expect(result.exitedNormally && result.status == 0)
        #expect(result.standardOutput == "allowed\nKVM_RUN reached the kernel\n")
    }

    /// What the sandboxed event loop still does: start a thread (an exec's
    /// writer), make a netlink socket.
    @Test(arguments: [("thread", "thread ran"), ("netlink", "netlink socket made"), ("signal-itself", "signalled itself")])
    func theEventLoopKeepsWhatItNeeds(call: String, outcome: String) {
        let result = Command.run(Self.probe, ["event-loop", call])
        #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "allowed\n\(outcome)\n")
    }

    @Test(arguments: ["vcpu", "output-writer"])
    func openingAFileIsRefusedNotFatal(kind: String) {
        let result = Command.run(Self.probe, [kind, "open"])
        #expect(result.exitedNormally && result.status == 0)
        #expect(result.standardOutput == "allowed\nopen refused\n")
    }
}
