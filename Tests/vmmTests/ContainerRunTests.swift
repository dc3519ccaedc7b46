import Foundation
import Testing
import TestSupport

/// Tier 5: `vmm run -- CMD` all the way to the process in the VM. Needs
/// hardware virtualization; on PVM the kernel stops at its first exception,
/// so these skip here with the reason.
@Suite(
    "vmm run -- COMMAND (full boot)",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct ContainerRunTests {
    @Test func stdoutStderrAndTheExitStatusArriveSeparately() {
        let result = Command.vmm("run", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
        #expect(result.status == 3)
    }

    @Test func argumentsArriveByteExact() {
        let arguments = ["a b", "c=d.e", "\"q\" 'r'", "new\nline", "", "ünï"]
        let result = Command.run(Fixtures.vmmExecutable, ["run", "--", "printf", "%s|"] + arguments)
        #expect(result.status == 0)
        #expect(result.standardOutput == arguments.map { $0 + "|" }.joined())
    }

    @Test func stdinReachesTheProcessAndEOFEndsIt() {
        let input = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let result = Command.run(Fixtures.vmmExecutable, ["run", "--", "wc", "-c"], standardInput: input)
        #expect(result.status == 0)
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "100000")
    }

    @Test func aSignalDeathIs128PlusTheSignal() {
        let result = Command.vmm("run", "--", "sh", "-c", "kill -TERM $$")
        #expect(result.status == 143)
    }

    @Test func processOptionsReachTheProcess() {
        let result = Command.vmm("run", "--env", "GREETING=hi there", "--workdir", "/tmp", "--user", "1000:1000", "--hostname", "box",
                                 "--", "sh", "-c", "echo \"$GREETING\"; pwd; id -u; id -g; hostname")
        #expect(result.status == 0)
        #expect(result.standardOutput == "hi there\n/tmp\n1000\n1000\nbox\n")
    }
}
