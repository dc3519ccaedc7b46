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
        // Made first: a backend (virtiofsd) starts while the VM is built.
        let attached = try MachineDevices(configuration)
        defer { attached.finish() }
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
        if prepared.hasIRQChip {
            try Self.wireSerialInterrupt(devices.uart, in: prepared.vm)
        }
        // virtio devices need the irqchip for their irqfds.
        let startPreparation = StartPreparation()
        let context = prepared.hasIRQChip
            ? DeviceContext(
                vm: prepared.vm, memory: prepared.memory, latch: latch, timeline: timeline, loop: loop, serialConsole: console,
                startPreparation: startPreparation)
            : nil
        try attached.attach(context, to: &devices)
        let channel = attached.guestChannel
        if channel == nil, let input = configuration.stdio.input {
            // No virtio console: the serial port is the guest's only input.
            SerialInput.install(input, into: devices.uart, on: loop)
        }
        let pauseGate: PauseGate?
        do {
            pauseGate = configuration.lifecycle.commandSocket == nil ? nil : try PauseGate(vm: prepared.vm)
        } catch {
            throw .os(error)
        }
        let controller = MachineController(
            channel: channel, pauseGate: pauseGate, latch: latch, lifecycle: configuration.lifecycle, startPreparation: startPreparation,
            sandbox: MonitorSandbox(configuration))
        if let socket = configuration.lifecycle.commandSocket {
            CommandSocket.install(socket, on: loop, controller: controller)
        }
        let signals = try SignalForwarding.install(
            configuration.forwardedSignals, on: loop, controller: controller,
            terminalFD: configuration.stdio.terminal ? configuration.stdio.terminalFD : nil)
        timeline.record(.devicesReady)
        let outcome = Result { () throws(MachineError) in
            // Devices let go of what a vCPU may wait on before the join.
            try runVCPUs(prepared.runnable, devices: devices, console: console, latch: latch, loop: loop, pauseGate: pauseGate) {
                attached.vcpusStopping()
            }
        }
        timeline.record(.vmStopped)
        if configuration.measuresMemory {
            memoryFootprint = MemoryMeasurement.measure()
            timeline.record(.memoryMeasured)
        }
        withExtendedLifetime((prepared, signals, controller)) {}
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
    /// `hugePages`: guest RAM asks for transparent huge pages (Linux payloads).
    func createVM(irqchip: Bool, hugePages: Bool = false) throws(MachineError) -> (KVMSystem, VirtualMachine, GuestMemory, [VCPU]) {
        do {
            let system = try KVMSystem(path: configuration.kvmDevicePath)
            try system.require(Self.requiredCapabilities(irqchip: irqchip))
            let vm = try system.createVirtualMachine()
            try vm.setTSSAddress(X86Layout.tss)
            timeline.record(.kvmReady)
            let memory = try Self.createMemory(configuration.memoryMiB << 20, hugePages: hugePages, in: vm)
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

    /// COM1's IRQ 4 as an irqfd: without it a guest process writing to
    /// ttyS0 through the tty layer waits forever for "transmitter empty".
    static func wireSerialInterrupt(_ uart: SerialUART, in vm: VirtualMachine) throws(MachineError) {
        let line: EventFD
        do {
            line = try EventFD()
        } catch {
            throw .os(error)
        }
        do {
            try vm.registerIRQFD(line, gsi: SerialUART.com1IRQ)
        } catch {
            throw .kvm(error)
        }
        uart.attach(interrupt: IRQFDLine(eventFD: line))
    }

    static func requiredCapabilities(irqchip: Bool) -> [KVMCapability] {
        var needed: [KVMCapability] = [.userMemory, .setTSSAddress, .immediateExit]
        if irqchip { needed += [.irqchip, .pit2] }
        return needed
    }

    static func createMemory(_ size: UInt64, hugePages: Bool, in vm: VirtualMachine) throws -> GuestMemory {
        let memory = try GuestMemory(size: size, hugePages: hugePages)
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
