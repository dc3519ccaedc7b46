import Devices
import Glibc
import KVM
import Machine

/// `vmm run`: one VM, run to its end; vmm exits with the guest's status.
struct RunCommand {
    var configuration: MachineConfiguration
    var printTimeline = false

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments)
        var firmware: String?
        var kernel: String?
        var initrd: String?
        var commandLine: String?
        var memory = MachineConfiguration.defaultMemoryMiB
        var cpus: UInt32 = 1
        var kvmDevice = KVMSystem.defaultPath
        var stopAtFirstExit = false
        while let token = try scanner.next() {
            switch token {
            case .option("--firmware", _): firmware = try scanner.value(of: "--firmware")
            case .option("--kernel", _): kernel = try scanner.value(of: "--kernel")
            case .option("--initrd", _): initrd = try scanner.value(of: "--initrd")
            case .option("--cmdline", _): commandLine = try scanner.value(of: "--cmdline")
            case .option("--memory", _): memory = try scanner.number(of: "--memory")
            case .option("--cpus", _): cpus = try scanner.number(of: "--cpus")
            case .option("--kvm-device", _): kvmDevice = try scanner.value(of: "--kvm-device")
            case .option("--timeline", nil): printTimeline = true
            case .option("--stop-at-first-exit", nil): stopAtFirstExit = true
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.run)
                exit(0)
            default: throw UsageError.unknown(token, command: "run")
            }
        }
        if let firmware {
            guard kernel == nil, initrd == nil, commandLine == nil else {
                throw UsageError("--firmware runs a firmware image: it does not take --kernel, --initrd or --cmdline")
            }
            configuration = MachineConfiguration(payload: .firmware(path: firmware))
        } else {
            guard let kernelPath = kernel ?? DefaultKernel.path else {
                throw UsageError("no kernel: pass --kernel PATH, set VMM_KERNEL, or build one with kernel/build.sh")
            }
            let payload = MachineConfiguration.LinuxPayload(kernelPath: kernelPath, initrdPath: initrd, commandLine: commandLine)
            configuration = MachineConfiguration(payload: .linux(payload))
        }
        configuration.memoryMiB = memory
        configuration.cpus = cpus
        configuration.kvmDevicePath = kvmDevice
        configuration.timeline = processTimeline
        configuration.stopAtFirstExit = stopAtFirstExit
    }

    func execute() throws(CommandFailure) -> Never {
        let outcome: MachineOutcome
        do {
            outcome = try Machine(configuration: configuration).run()
        } catch {
            throw CommandFailure(message: error.description)
        }
        if printTimeline { TimelinePrinter.print(configuration.timeline) }
        if case .crashed(let crash) = outcome { CrashReport.print(crash) }
        exit(outcome.exitStatus)
    }
}

enum TimelinePrinter {
    static func print(_ timeline: BootTimeline) {
        for event in timeline.recorded {
            let micros = event.nanoseconds / 1000
            writeStandardError("timeline: \(micros / 1000).\(String(micros % 1000).leftPadded(3)) ms \(event.name)\n")
        }
    }
}

enum CrashReport {
    static func print(_ crash: GuestCrash) {
        printError("guest stopped abnormally on vCPU \(crash.vcpu): \(crash.exit)")
        for line in crash.registers { writeStandardError("  \(line)\n") }
        if !crash.consoleTail.isEmpty {
            writeStandardError("  last console output:\n")
            for line in crash.consoleTail { writeStandardError("    \(line)\n") }
        }
        if VirtualizationKind.detect() == .pvm {
            writeStandardError("  note: this host's KVM is PVM, which cannot run a non-PVM 64-bit kernel past its first exception\n")
        }
    }
}
