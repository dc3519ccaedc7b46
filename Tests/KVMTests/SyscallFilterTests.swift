import Foundation
import Testing
import TestSupport

/// The vCPU threads' seccomp filter (docs/security.md), applied by
/// seccomp-probe to itself: allowed syscalls work, anything else ends the
/// process before it returns, with one line naming the syscall.
@Suite("vCPU syscall filter")
struct SyscallFilterTests {
    static var probe: String {
        URL(fileURLWithPath: Fixtures.vmmExecutable).deletingLastPathComponent().appendingPathComponent("seccomp-probe").path
    }

    @Test(arguments: [("socket", 41), ("execve", 59), ("getppid", 110)])
    func aSyscallOffTheListEndsTheProcessNamingIt(syscall: String, number: Int) {
        let result = Command.run(Self.probe, [syscall])
        #expect(result.standardOutput == "allowed\n", "the allowed write went through, nothing after the forbidden call")
        #expect(result.exitedNormally && result.status == 125)
        #expect(result.standardError == "vmm: syscall \(number) is outside this thread's seccomp filter: a bug in vmm, please report it\n")
    }

    @Test func openingAFileIsRefusedNotFatal() {
        let result = Command.run(Self.probe, ["open"])
        #expect(result.exitedNormally && result.status == 0)
        #expect(result.standardOutput == "allowed\nopen refused\n")
    }
}
