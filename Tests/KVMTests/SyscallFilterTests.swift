import Foundation
import Testing
import TestSupport

/// The vCPU threads' seccomp filter (docs/security.md), applied by
/// seccomp-probe to itself: allowed syscalls work, anything else kills the
/// process with SIGSYS before it returns.
@Suite("vCPU syscall filter")
struct SyscallFilterTests {
    static var probe: String {
        URL(fileURLWithPath: Fixtures.vmmExecutable).deletingLastPathComponent().appendingPathComponent("seccomp-probe").path
    }

    @Test(arguments: ["socket", "execve", "getppid"])
    func aSyscallOffTheListKillsTheProcess(syscall: String) {
        let result = Command.run(Self.probe, [syscall])
        #expect(result.standardOutput == "allowed\n", "the allowed write went through, nothing after the forbidden call")
        #expect(!result.exitedNormally)
        #expect(result.status == SIGSYS, "killed by SIGSYS, not \(result.status)")
    }

    @Test func openingAFileIsRefusedNotFatal() {
        let result = Command.run(Self.probe, ["open"])
        #expect(result.exitedNormally && result.status == 0)
        #expect(result.standardOutput == "allowed\nopen refused\n")
    }
}
