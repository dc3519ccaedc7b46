import Foundation
import JSON
import Testing
import TestSupport

/// `vmm` as a user runs it: a real process, its exit status and its output.
@Suite("vmm run")
struct RunCommandTests {
    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason))
    func helloPrintsToStdoutAndExitsZero() throws {
        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 0)
        #expect(result.standardOutput == "Hello from vmm firmware\n")
        #expect(result.standardError == "")
    }

    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason))
    func theGuestStatusIsTheExitStatus() throws {
        #expect(Command.vmm("run", "--firmware", try Fixtures.firmware("exit42")).status == 42)
        #expect(Command.vmm("run", "--firmware", try Fixtures.firmware("hlt")).status == 0)
    }

    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason))
    func aCrashedGuestIsReportedAndExits125() throws {
        let result = Command.vmm("run", "--firmware", try Fixtures.firmware("triplefault"))
        #expect(result.exitedNormally)
        #expect(result.status == 125)
        #expect(result.standardError.hasPrefix("vmm: guest stopped abnormally on vCPU 0: SHUTDOWN"))
        #expect(result.standardError.contains("rip=0x"))
    }

    @Test(arguments: [
        (["run", "--firmware", "/nonexistent/fw.bin"], "vmm: cannot read firmware /nonexistent/fw.bin: No such file or directory"),
        (["run", "--firmware", "/tmp"], "vmm: cannot read firmware /tmp: not a regular file"),
        (["run", "--firmware", "/dev/null"], "vmm: cannot read firmware /dev/null: not a regular file"),
    ])
    func unreadableFirmwareIsOneLine(arguments: [String], message: String) {
        let result = Command.run(Fixtures.vmmExecutable, arguments)
        #expect(result.exitedNormally)
        #expect(result.status == 125)
        #expect(result.standardError == message + "\n")
    }

    /// Refused before any VM or helper exists (tier 1: no boot needed).
    @Test(arguments: [
        (["run", "--volume", "/nonexistent/vmm-source:/data", "--", "true"], "vmm: --volume /nonexistent/vmm-source:/data: /nonexistent/vmm-source does not exist"),
        (["run", "--volume", "/tmp:data", "--", "true"], "vmm: --volume /tmp:data: expected HOST:GUEST[:ro|:rw], both absolute paths"),
        (["run", "--volume", "/tmp:/data:rx", "--", "true"], "vmm: --volume /tmp:/data:rx: the mode is ro or rw, not 'rx'"),
    ])
    func aBadVolumeIsOneLine(arguments: [String], message: String) {
        let result = Command.run(Fixtures.vmmExecutable, arguments)
        #expect(result.status == 125)
        #expect(result.standardError == message + "\n")
    }

    @Test func aFileThatIsNotFirmwareIsNamed() {
        let path = Fixtures.packageRoot.appendingPathComponent("Package.swift").path
        let result = Command.vmm("run", "--firmware", path)
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: \(path) is not a vmm firmware image: missing the VMFW magic\n")
    }

    @Test func zeroMemoryIsOneLine() throws {
        let result = Command.vmm("run", "--memory", "0", "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: --memory must be at least 1 MiB, got 0\n")
    }

    @Test func aMissingKVMDeviceIsOneLine() throws {
        let result = Command.vmm("run", "--kvm-device", "/nonexistent/kvm", "--firmware", try Fixtures.firmware("hello"))
        #expect(result.status == 125)
        #expect(result.standardError.hasPrefix("vmm: /nonexistent/kvm does not exist"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }
}

@Suite("vmm check")
struct CheckCommandTests {
    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason))
    func reportsKVMAndTheVirtualizationKind() {
        let result = Command.vmm("check")
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("ok      kvm ") })
        #expect(lines.contains { $0.hasPrefix("ok      capabilities") })
        #expect(lines.contains { $0.contains("virtualization") })
        #expect(lines.contains { $0.contains("virtiofsd") })
        #expect(lines.contains { $0.contains("kernel") })
    }

    @Test func aMissingKVMFailsTheCheck() {
        let result = Command.vmm("check", "--kvm-device", "/nonexistent/kvm")
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("missing kvm"))
    }
}

@Suite("vmm command line")
struct CommandLineTests {
    @Test func helpGoesToStdoutAndExitsZero() {
        for arguments in [["--help"], ["run", "--help"], ["check", "-h"]] {
            let result = Command.run(Fixtures.vmmExecutable, arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(result.standardOutput.hasPrefix("usage: vmm") || result.standardOutput.hasPrefix("vmm: run containers"), "\(arguments)")
        }
    }

    @Test func noCommandPrintsHelpAndFails() {
        let result = Command.run(Fixtures.vmmExecutable, [])
        #expect(result.status == 64)
        #expect(result.standardOutput.contains("usage: vmm <command>"))
    }

    @Test(arguments: [
        (["frobnicate"], "vmm: unknown command 'frobnicate' (see vmm --help)"),
        (["create", "--preserve-fds", "2", "c"], "vmm: --preserve-fds: passing descriptors into the VM is not supported (see vmm --help)"),
        (["run", "--hostname=a\u{1b}[2Jb", "--bogus"], "vmm: unknown option --bogus for vmm run (see vmm --help)"),
        (["run", "--\u{1b}[2J"], "vmm: unknown option --\\u{1B}[2J for vmm run (see vmm --help)"),
        (["run", "--firmware", "f", "--kernel", "k"], "vmm: --firmware runs a firmware image: it takes no --kernel, --initrd, --cmdline or command (see vmm --help)"),
        (["run", "--firmware", "f", "--", "sh"], "vmm: --firmware runs a firmware image: it takes no --kernel, --initrd, --cmdline or command (see vmm --help)"),
        (["run", "--env", "NOEQUALS", "sh"], "vmm: --env expects KEY=VALUE, got 'NOEQUALS' (see vmm --help)"),
        (["run", "--kernel", "k", "--tty"], "vmm: --tty, --env, --workdir, --user, --hostname and --volume describe a command: give one after -- (see vmm --help)"),
        (["run", "--initrd", "i", "--", "sh"], "vmm: a command runs from vmm's own initramfs: it takes no --initrd (see vmm --help)"),
        (["run", "--firmware"], "vmm: --firmware needs a value (see vmm --help)"),
        (["run", "--memory", "lots", "--firmware", "x"], "vmm: --memory expects a whole number, got 'lots' (see vmm --help)"),
        (["run", "--cpus=-1", "--firmware", "x"], "vmm: --cpus expects a whole number, got '-1' (see vmm --help)"),
        (["run", "--bogus"], "vmm: unknown option --bogus for vmm run (see vmm --help)"),
        (["run", "--network", "bridge", "--", "true"],
         "vmm: --network bridge: expected none, passt or tap:NAME[,ip=CIDR][,gateway=ADDR][,mac=MAC][,mtu=N] (see vmm --help)"),
        (["run", "--network", "tap:t0,mtu=9", "--", "true"], "vmm: --network tap:t0,mtu=9: mtu=9 is not an MTU from 68 to 65535 (see vmm --help)"),
        (["run", "--network", "tap:,ip=10.0.0.2/24", "--", "true"], "vmm: --network tap:,ip=10.0.0.2/24: the TAP's name is missing (see vmm --help)"),
        (["check", "--timeline"], "vmm: unknown option --timeline for vmm check (see vmm --help)"),
        (["run", "--timeline=xml", "--firmware", "x"], "vmm: --timeline takes =text or =json, got 'xml' (see vmm --help)"),
        (["run", "--timeline-output", "/tmp/t", "--firmware", "x"],
         "vmm: --timeline-output says where the timeline goes: give --timeline too (see vmm --help)"),
        (["bench", "--runs", "0", "--firmware", "x"], "vmm: --runs must be between 1 and 100000, got 0 (see vmm --help)"),
        (["bench", "--firmware", "x", "--runs", "0"], "vmm: --runs must be between 1 and 100000, got 0 (see vmm --help)"),
        (["bench", "--firmware", "x", "--timeline-output", "t"], "vmm: vmm bench sets --timeline-output for its runs itself (see vmm --help)"),
        (["bench", "--firmware", "x", "--timeline=json"], "vmm: vmm bench sets --timeline for its runs itself (see vmm --help)"),
        (["bench", "--timeline", "--firmware", "x"], "vmm: vmm bench sets --timeline for its runs itself (see vmm --help)"),
        (["bench", "--firmware", "x", "--kernel", "k"],
         "vmm: --firmware runs a firmware image: it takes no --kernel, --initrd, --cmdline or command (see vmm --help)"),
    ])
    func usageMistakesAreOneLineWithStatus64(arguments: [String], message: String) {
        let result = Command.run(Fixtures.vmmExecutable, arguments)
        #expect(result.status == 64)
        #expect(result.standardError == message + "\n")
        #expect(result.standardOutput == "")
    }
}

@Suite("vmm run: signals without a console", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct SignalWithoutConsoleTests {
    /// A guest with no console to forward to, that never halts (`cli;
    /// jmp .`): the signal ends the VM at once (the hostile-guest case asks
    /// within a second; the bound allows a loaded host) and vmm exits as a
    /// killed process would, 128 + the signal.
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalEndsTheVM(signal: Int32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.vmmExecutable)
        process.arguments = ["run", "--firmware", try Fixtures.firmware("spin")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(200_000)
        let sent = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let took = Date().timeIntervalSince(sent)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signal)
        #expect(took < 2, "took \(took) s")
    }
}

extension CommandLineTests {
    /// runtime-spec features.md: the shape managers parse, and only what
    /// vmm does (no seccomp, no cgroups; bind mounts are made).
    @Test func featuresSayWhatVmmSupports() throws {
        let result = Command.vmm("features")
        #expect(result.status == 0)
        let json = try JSONParser.parse(Array(result.standardOutput.utf8))
        #expect(json["ociVersionMin"] == .string("1.0.0"))
        #expect(json["ociVersionMax"] == .string("1.0.2"))
        guard case .array(let options)? = json["mountOptions"] else { Issue.record("no mountOptions"); return }
        #expect(options.contains(.string("ro")) && options.contains(.string("nosuid")))
        #expect(options.contains(.string("bind")) && options.contains(.string("rbind")))
        #expect(!options.contains(.string("remount")))
        #expect(json["linux"]?["seccomp"]?["enabled"] == .bool(false))
        #expect(json["linux"]?["cgroup"]?["v2"] == .bool(false))
        #expect(json["hooks"] == .array(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"].map { .string($0) }))
        #expect(json["linux"]?["namespaces"] == .array(["pid", "mount", "uts", "ipc", "cgroup", "network"].map { .string($0) }))
        guard case .array(let capabilities)? = json["linux"]?["capabilities"] else { Issue.record("no linux.capabilities"); return }
        #expect(capabilities.count == 41 && capabilities.first == .string("CAP_CHOWN") && capabilities.last == .string("CAP_CHECKPOINT_RESTORE"))
        #expect(Command.vmm("features", "--all").status == 64)
    }

    @Test func versionIsPrintedAsRuncDoes() {
        let result = Command.vmm("--version")
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("vmm version "))
        #expect(result.standardOutput.hasSuffix("spec: 1.0.2\n"))
    }
}

extension RunCommandTests {
    /// With no virtio console, host stdin feeds the serial port.
    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason))
    func stdinReachesAFirmwareGuestOverTheUART() throws {
        let result = Command.run(Fixtures.vmmExecutable, ["run", "--firmware", try Fixtures.firmware("uart_echo")],
                                 standardInput: Data("hello uart\n".utf8))
        #expect(result.status == 0)
        #expect(result.standardOutput == "HELLO UART\n")
    }
}
