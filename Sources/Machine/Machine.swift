import Timeline
import Boot
import Glibc
import Devices
import GuestMemory
import KVM
import OS

/// Builds one VM from its configuration, runs it to the end, and tears it
/// down. Phases go on the configuration's timeline.
public final class Machine {
    public let configuration: MachineConfiguration
    var timeline: BootTimeline { configuration.timeline }
    /// The command line the kernel was given, once a Linux guest is built.
    public internal(set) var kernelCommandLine: String?
    /// The e820 map the kernel was given.
    public internal(set) var memoryMap: [E820Entry] = []
    /// Where the initrd was put (ELF/PVH and bzImage alike).
    public internal(set) var initrdRange: Range<UInt64>?
    /// Peak RSS and guest-resident memory, when the configuration asks.
    public internal(set) var memoryFootprint: MemoryFootprint?

    public init(configuration: MachineConfiguration) {
        self.configuration = configuration
    }

    /// Runs the VM to completion. Throws when it cannot be built or KVM
    /// fails; a guest that crashes is an outcome, not an error.
    public func run() throws(MachineError) -> MachineOutcome {
        try configuration.validate()
        // virtiofsd first: it starts while the VM is being built.
        let sharedDirectory = try configuration.sharedDirectory.map { shared throws(MachineError) in
            try SharedDirectoryService(shared, configuration: configuration)
        }
        if sharedDirectory != nil { timeline.record(.virtiofsdSpawned) }
        let prepared: PreparedGuest
        switch configuration.payload {
        case .firmware(let path): prepared = try prepareFirmware(path)
        case .linux(let payload): prepared = try prepareLinux(payload)
        }
        let latch: StopLatch
        do {
            latch = try StopLatch()
        } catch {
            throw .os(error)
        }
        let loop = EventLoop()
        let console = TailKeepingSink(forwardingTo: configuration.console)
        var devices = try DeviceSet(console: console, timeline: timeline)
        var wiring: ConsoleWiring?
        // Last out: what the guest wrote reaches the host before vmm exits.
        defer { wiring?.outputs.finish() }
        if prepared.hasIRQChip {
            // virtio devices need the irqchip for their irqfds.
            let consoleWiring = try ConsoleWiring(
                vm: VirtioMachineParts(vm: prepared.vm, memory: prepared.memory), stdio: configuration.stdio,
                lifecycle: configuration.lifecycle, serialConsole: console, latch: latch, timeline: timeline, loop: loop)
            wiring = consoleWiring
            try devices.registerMMIO(consoleWiring.transport, base: VirtioLayout.consoleBase, length: VirtioMMIOTransport.windowSize)
        }
        var fileSystem: FileSystemWiring?
        // On every way out, errors included: virtiofsd stops, which lets
        // the connector thread finish, which is then joined.
        defer {
            sharedDirectory?.virtiofsd.stop()
            fileSystem?.connector.join()
        }
        if let sharedDirectory {
            guard prepared.hasIRQChip else { throw .invalidConfiguration("a shared directory needs a guest with an irqchip") }
            let fileSystemWiring = try FileSystemWiring(
                virtiofsd: sharedDirectory.virtiofsd, vm: VirtioMachineParts(vm: prepared.vm, memory: prepared.memory),
                latch: latch, timeline: timeline, loop: loop)
            try devices.registerMMIO(fileSystemWiring.transport, base: VirtioLayout.fileSystemBase, length: VirtioMMIOTransport.windowSize)
            fileSystem = fileSystemWiring
        }
        if wiring == nil, let input = configuration.stdio.input {
            // No virtio console: the serial port is the guest's only input.
            SerialInput.install(input, into: devices.uart, on: loop)
        }
        let pauseGate: PauseGate?
        if let socket = configuration.lifecycle.commandSocket {
            do {
                pauseGate = try PauseGate(vm: prepared.vm)
            } catch {
                throw .os(error)
            }
            CommandSocket.install(socket, on: loop, console: wiring, pauseGate: pauseGate, latch: latch, lifecycle: configuration.lifecycle)
        } else {
            pauseGate = nil
        }
        let signals = try SignalForwarding.install(
            configuration.forwardedSignals, on: loop, console: wiring,
            terminalFD: configuration.stdio.terminal ? configuration.stdio.terminalFD : nil, latch: latch)
        timeline.record(.devicesReady)
        let outcome = Result { () throws(MachineError) in
            // virtiofsd stops before the vCPUs are joined: one may wait on the
            // connector at DRIVER_OK, and the connector on virtiofsd.
            try runVCPUs(prepared.runnable, devices: devices, console: console, latch: latch, loop: loop, pauseGate: pauseGate) {
                sharedDirectory?.virtiofsd.stop()
            }
        }
        timeline.record(.vmStopped)
        if configuration.measuresMemory {
            memoryFootprint = MemoryMeasurement.measure()
            timeline.record(.memoryMeasured)
        }
        withExtendedLifetime((prepared, wiring, signals, fileSystem, sharedDirectory)) {}
        let result = try outcome.get()
        // --stop-at-first-exit ends the VM on purpose, long before any report.
        if configuration.expectsExitReport, !configuration.stopAtFirstExit, result == .reset || result == .halted {
            throw .guest("the VM stopped before init reported the process's exit: the kernel panicked or init died (--debug shows the console)")
        }
        return result
    }

    /// What the payload-specific set-up hands to the run loop; it also
    /// keeps the VM and its memory alive until the vCPUs have stopped.
    struct PreparedGuest {
        let vm: VirtualMachine
        let memory: GuestMemory
        let runnable: [VCPU]
        let hasIRQChip: Bool
    }

    /// KVM, the VM, its memory and vCPUs: the steps every payload shares.
    func createVM(irqchip: Bool) throws(MachineError) -> (KVMSystem, VirtualMachine, GuestMemory, [VCPU]) {
        do {
            let system = try KVMSystem(path: configuration.kvmDevicePath)
            try system.require(Self.requiredCapabilities(irqchip: irqchip))
            let vm = try system.createVirtualMachine()
            try vm.setTSSAddress(X86Layout.tss)
            timeline.record(.kvmReady)
            let memory = try Self.createMemory(configuration.memoryMiB << 20, in: vm)
            timeline.record(.memoryMapped)
            if irqchip {
                try vm.createIRQChip()
                try vm.createPIT2()
            }
            var vcpus: [VCPU] = []
            for id in 0..<configuration.cpus {
                vcpus.append(try vm.createVCPU(id: id))
            }
            timeline.record(.vcpusCreated)
            return (system, vm, memory, vcpus)
        } catch let error as KVMError {
            throw .kvm(error)
        } catch let error as GuestMemoryError {
            throw .memory(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    static func requiredCapabilities(irqchip: Bool) -> [KVMCapability] {
        var needed: [KVMCapability] = [.userMemory, .setTSSAddress, .immediateExit]
        if irqchip { needed += [.irqchip, .pit2] }
        return needed
    }

    static func createMemory(_ size: UInt64, in vm: VirtualMachine) throws -> GuestMemory {
        let memory = try GuestMemory(size: size)
        for (slot, region) in memory.regions.enumerated() {
            try vm.setMemoryRegion(
                slot: UInt32(slot), guestAddress: region.guestAddress, size: region.size,
                hostAddress: memory.hostBase + Int(region.fileOffset))
        }
        return memory
    }

    /// Starts one thread per vCPU, serves I/O on this thread until the first
    /// outcome, then kicks every vCPU out of the guest and joins them.
    func runVCPUs(
        _ vcpus: [VCPU], devices: DeviceSet, console: TailKeepingSink, latch: StopLatch, loop: EventLoop, pauseGate: PauseGate?,
        beforeJoin: () -> Void
    ) throws(MachineError) -> MachineOutcome {
        var threads: [VCPUThread] = []
        for vcpu in vcpus {
            let runner = VCPURunner(
                vcpu: vcpu, portBus: devices.portBus, mmioBus: devices.mmioBus, latch: latch, console: console,
                timeline: vcpu.id == 0 ? timeline : nil, stopAtFirstExit: configuration.stopAtFirstExit, pauseGate: pauseGate)
            do {
                threads.append(try VCPUThread(vcpu: vcpu) { runner.run() })
            } catch {
                latch.finish(.failure(.os(error)))
                break
            }
        }
        timeline.record(.vcpuThreadsStarted)
        pauseGate?.watch(threads)
        if !loop.run(until: latch.doorbellFD) {
            latch.finish(.failure(.os(.poll(errno: errno))))
        }
        let result = latch.wait()
        pauseGate?.release()
        for thread in threads { thread.kick() }
        beforeJoin()
        for thread in threads { thread.join() }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let error): throw error
        }
    }
}
