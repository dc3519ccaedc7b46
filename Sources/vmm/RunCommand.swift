import Runtime
import Timeline
import Devices
import Glibc
import KVM
import Machine

/// `vmm run`: one VM, run to its end; vmm exits with the guest's status.
struct RunCommand {
    /// What a terminal user can send: forwarded to the container's process.
    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    let options: RunOptions

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        options = try RunOptions(parsing: arguments)
    }

    func execute() throws(CommandFailure) -> Never {
        let timelineOutput = try options.timeline.map { format throws(CommandFailure) in
            try TimelineOutput(format: format, path: options.timelineOutput)
        }
        var configuration = try makeConfiguration()
        configuration.memoryMiB = options.memory
        configuration.cpus = options.cpus
        configuration.kvmDevicePath = options.kvmDevice
        configuration.timeline = processTimeline
        configuration.measuresMemory = timelineOutput != nil
        configuration.stopAtFirstExit = options.stopAtFirstExit
        configuration.forwardedSignals = Self.forwardedSignals
        configuration.virtiofsdPath = options.virtiofsd
        configuration.runtimeParent = options.runtimeDirectory
        if options.debug { configuration.helperLog = 2 }
        // Before any thread exists, so every thread inherits the mask and
        // the event loop alone receives them.
        SignalFD.block(Self.forwardedSignals)
        let savedTerminal = configuration.stdio.terminal ? HostTerminal.makeRaw(0) : nil

        let machine = Machine(configuration: configuration)
        let result = Result { () throws(MachineError) -> MachineOutcome in try machine.run() }
        if let savedTerminal { HostTerminal.restore(0, savedTerminal) }
        processTimeline.record(.teardownDone)
        if let timelineOutput {
            let (status, failure): (Int32, String?) = switch result {
            case .failure(let error): (CommandFailure.exitStatus, error.description)
            case .success(.crashed(let crash)): (GuestCrash.exitStatus, "guest stopped abnormally on vCPU \(crash.vcpu): \(crash.exit)")
            case .success(let outcome): (outcome.exitStatus, nil)
            }
            timelineOutput.write(
                processTimeline, payload: configuration.payload, exitStatus: status, failure: failure, memory: machine.memoryFootprint)
        }
        switch result {
        case .failure(let error):
            throw CommandFailure(message: error.description)
        case .success(let outcome):
            if case .crashed(let crash) = outcome { CrashReport.print(crash) }
            exit(outcome.exitStatus)
        }
    }

    func makeConfiguration() throws(CommandFailure) -> MachineConfiguration {
        if let firmware = options.firmware {
            var configuration = MachineConfiguration(payload: .firmware(path: firmware))
            configuration.sharedDirectory = options.request.rootfs.map { .init(path: $0, readOnly: options.request.readOnlyRoot) }
            return configuration
        }
        guard !options.isKernelOnly else {
            guard let kernelPath = options.kernel ?? DefaultKernel.path else {
                throw CommandFailure(message: "no kernel: pass --kernel PATH, set VMM_KERNEL, or build one with kernel/build.sh")
            }
            return MachineConfiguration(payload: .linux(.init(kernelPath: kernelPath, initrdPath: options.initrd, commandLine: options.commandLine)))
        }
        let spec = try ContainerSpec.resolve(options.request)
        for warning in spec.warnings { writeStandardError("vmm: warning: \(warning)\n") }
        return try ContainerMachine.configuration(
            spec: spec, kernel: options.kernel, commandLine: options.commandLine,
            user: options.user, debug: options.debug, timeline: processTimeline)
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
