import Devices
import Glibc
import KVM
import Machine
import Timeline
import OS

/// Everything `vmm run` was asked for, parsed: a firmware guest, a bare
/// kernel, or a container; the machine's size; where the timeline goes.
public struct RunPlan {
    public var firmware: String?
    public var kernel: String?
    public var initrd: String?
    public var commandLine: String?
    /// --memory and --cpus; nil: the bundle's resources, else the defaults.
    public var memory: UInt64?
    public var cpus: UInt32?
    public var kvmDevice = KVMSystem.defaultPath
    /// Print the boot timeline at the end, and how (docs/timeline.md).
    public var timeline: TimelineFormat?
    /// Where the timeline goes instead of stderr.
    public var timelineOutput: String?
    public var stopAtFirstExit = false
    public var debug = false
    /// The container: its root and what to change of its process.
    public var request = RunRequest()
    public var user: String?
    public var virtiofsd: String?
    public var runtimeDirectory = "/tmp"
    /// --network: the VM's network card (nil: lo only).
    public var network: MachineConfiguration.NetworkAttachment?

    public init() {}

    /// Boots a kernel (and initrd) with no container: an initrd, or a
    /// kernel or command line given with nothing to run.
    public var isKernelOnly: Bool {
        firmware == nil && (initrd != nil || (request.command.isEmpty && request.bundle == nil && request.rootfs == nil && (kernel != nil || commandLine != nil)))
    }

    /// What makes this plan impossible, in one line; nil when it holds.
    public var inconsistency: String? {
        if firmware != nil {
            guard kernel == nil, initrd == nil, commandLine == nil, request.command.isEmpty else {
                return "--firmware runs a firmware image: it takes no --kernel, --initrd, --cmdline or command"
            }
        }
        if timelineOutput != nil && timeline == nil {
            return "--timeline-output says where the timeline goes: give --timeline too"
        }
        if !request.volumes.isEmpty && firmware != nil {
            return "--volume bind-mounts into a Linux container: a firmware guest takes none"
        }
        if request.readOnlyRoot && request.rootfs == nil {
            return "--read-only applies to --rootfs: give one"
        }
        if request.rootfs != nil && firmware == nil && request.command.isEmpty {
            return "--rootfs shares a root filesystem with a command: give one after --"
        }
        if request.bundle != nil && (request.rootfs != nil || firmware != nil || initrd != nil) {
            return "--bundle brings its own root filesystem and process: it takes no --rootfs, --firmware or --initrd"
        }
        if network != nil && isKernelOnly {
            return "--network gives a container (or a firmware guest) its network card: give a command after --"
        }
        if !request.command.isEmpty, initrd != nil {
            return "a command runs from vmm's own initramfs: it takes no --initrd"
        }
        let processOptions = request.terminal || !request.environment.isEmpty || request.workingDirectory != nil || user != nil
            || request.hostname != nil || !request.volumes.isEmpty
        if processOptions && isKernelOnly {
            return "--tty, --env, --workdir, --user, --hostname and --volume describe a command: give one after --"
        }
        return nil
    }

    /// Runs the VM to its end, the timeline written if asked for.
    /// `warn` gets what the bundle holds that vmm does not apply.
    public func run(timeline recorder: BootTimeline, warn: (String) -> Void) throws(CommandFailure) -> MachineOutcome {
        let output = try timeline.map { format throws(CommandFailure) in
            try TimelineOutput(format: format, path: timelineOutput)
        }
        var configuration = try payloadConfiguration(timeline: recorder, warn: warn)
        if let memory { configuration.memoryMiB = memory }
        if let cpus { configuration.cpus = cpus }
        configuration.kvmDevicePath = kvmDevice
        configuration.timeline = recorder
        configuration.measuresMemory = output != nil
        configuration.stopAtFirstExit = stopAtFirstExit
        configuration.forwardedSignals = ForwardedSignals.all
        configuration.virtiofsdPath = virtiofsd
        configuration.runtimeParent = runtimeDirectory
        if debug { configuration.helperLog = 2 }
        // Before any thread exists, so every thread inherits the mask and
        // the event loop alone receives them.
        SignalFD.block(ForwardedSignals.all)
        let savedTerminal = configuration.stdio.terminal ? HostTerminal.makeRaw(0) : nil

        let machine = Machine(configuration: configuration)
        let result = Result { () throws(MachineError) -> MachineOutcome in try machine.run() }
        if let savedTerminal { HostTerminal.restore(0, savedTerminal) }
        recorder.record(.teardownDone)
        if let output {
            let (status, failure): (Int32, String?) = switch result {
            case .failure(let error): (CommandFailure.exitStatus, error.description)
            case .success(.crashed(let crash)): (GuestCrash.exitStatus, crash.summary)
            case .success(let outcome): (outcome.exitStatus, nil)
            }
            output.write(recorder, payload: configuration.payload, exitStatus: status, failure: failure, memory: machine.memoryFootprint)
        }
        do {
            return try result.get()
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    /// What boots: the firmware, the bare kernel, or the container's
    /// kernel, initramfs and root.
    func payloadConfiguration(timeline: BootTimeline, warn: (String) -> Void) throws(CommandFailure) -> MachineConfiguration {
        if let firmware {
            var configuration = MachineConfiguration(payload: .firmware(path: firmware))
            if let rootfs = request.rootfs { configuration.share(.init(path: rootfs, readOnly: request.readOnlyRoot)) }
            // After the console and the share: the firmware finds the card at the next slot.
            if let network { configuration.devices.append(.network(network)) }
            return configuration
        }
        guard !isKernelOnly else {
            return MachineConfiguration(payload: .linux(.init(kernelPath: try DefaultKernel.path(or: kernel), initrdPath: initrd, commandLine: commandLine)))
        }
        let spec = try ContainerSpec.resolve(request, network: network)
        spec.warnings.forEach(warn)
        return try ContainerMachine.configuration(
            spec: spec, kernel: kernel, commandLine: commandLine, user: user, debug: debug, timeline: timeline)
    }
}
