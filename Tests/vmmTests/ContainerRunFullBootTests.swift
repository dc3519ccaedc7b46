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
struct ContainerRunFullBootTests {
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

    /// The process is PID 1 of its own PID namespace and sees only its
    /// own processes; a child's signal death is 128 + the signal there.
    /// (PID 1 itself, as under runc, ignores signals it has no handler for.)
    @Test func theProcessIsPID1AndSeesOnlyItsOwnProcesses() {
        let result = Command.vmm("run", "--", "sh", "-c", "echo $$; echo /proc/[0-9]*; sh -c 'kill -TERM $$'; echo $?")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "1\n/proc/1\n143\n")
    }

    @Test func processOptionsReachTheProcess() {
        let result = Command.vmm("run", "--env", "GREETING=hi there", "--workdir", "/tmp", "--user", "1000:1000", "--hostname", "box",
                                 "--", "sh", "-c", "echo \"$GREETING\"; pwd; id -u; id -g; hostname")
        #expect(result.status == 0)
        #expect(result.standardOutput == "hi there\n/tmp\n1000\n1000\nbox\n")
    }
}

extension ContainerRunFullBootTests {
    /// A busybox bundle over virtio-fs: the process runs from the bundle's
    /// rootfs, and what it writes there shows up on the host.
    @Test func aBundleRunsFromItsRootOverVirtioFS() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-bundle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let make = Command.run("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path, bundle])
        try #require(make.status == 0, "\(make.standardError)")
        let result = Command.vmm("run", "--bundle", bundle, "--", "sh", "-c", "cat /etc/hostname; echo made-in-vm > /root/proof")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "vmm\n")
        #expect((try? String(contentsOfFile: bundle + "/rootfs/root/proof", encoding: .utf8)) == "made-in-vm\n")
    }

    @Test func aReadOnlyRootRefusesWrites() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-bundle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        try #require(Command.run("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path, bundle]).status == 0)
        let result = Command.vmm("run", "--rootfs", bundle + "/rootfs", "--read-only", "--", "sh", "-c", "touch /root/x")
        #expect(result.status != 0)
        #expect(result.standardError.contains("Read-only file system"))
    }
}

extension ContainerRunFullBootTests {
    /// --tty under a real pseudo-terminal (util-linux `script`): the process
    /// gets hvc0 as its controlling terminal with the host window's size.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
    func aTerminalCarriesTheWindowSizeAndTheExitStatus() {
        let inner = "stty rows 33 cols 101; '\(Fixtures.vmmExecutable)' run --tty -- sh -c 'tty; stty size; exit 5'"
        let result = Command.run("/usr/bin/script", ["-qec", inner, "/dev/null"])
        #expect(result.status == 5)
        #expect(result.standardOutput.contains("/dev/hvc0"))
        #expect(result.standardOutput.contains("33 101"))
    }
}
