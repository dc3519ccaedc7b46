import Devices
import GuestMemory
import KVM

/// Builds one VM from its configuration, runs it to the end, and tears it
/// down. Phases go on the configuration's timeline.
public final class Machine {
    public let configuration: MachineConfiguration
    var timeline: BootTimeline { configuration.timeline }

    public init(configuration: MachineConfiguration) {
        self.configuration = configuration
    }

    /// Runs the VM to completion. Throws when it cannot be built or KVM
    /// fails; a guest that crashes is an outcome, not an error.
    public func run() throws(MachineError) -> MachineOutcome {
        try configuration.validate()
        guard case .firmware(let path) = configuration.payload else {
            throw .invalidConfiguration("unsupported payload")
        }
        let image = try Self.loadFirmware(path)

        let system: KVMSystem
        let vm: VirtualMachine
        let memory: GuestMemory
        var vcpus: [VCPU] = []
        do {
            system = try KVMSystem(path: configuration.kvmDevicePath)
            try system.require(Self.requiredCapabilities(irqchip: image.wantsIRQChip))
            vm = try system.createVirtualMachine()
            try vm.setTSSAddress(X86Layout.tss)
            timeline.record("vm created")
            memory = try Self.createMemory(configuration.memoryMiB << 20, in: vm)
            if image.wantsIRQChip {
                try vm.createIRQChip()
                try vm.createPIT2()
            }
            for id in 0..<configuration.cpus {
                vcpus.append(try vm.createVCPU(id: id))
            }
            try FirmwareEntry.enter(image, on: vcpus[0])
        } catch let error as KVMError {
            throw .kvm(error)
        } catch let error as MachineError {
            throw error
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        do {
            try FirmwareEntry.load(image, into: memory)
        } catch {
            throw .memory(error)
        }
        timeline.record("firmware loaded")

        let console = TailKeepingSink(forwardingTo: configuration.console)
        let devices = try DeviceSet(console: console, timeline: timeline)
        // Without an irqchip nothing can wake an application processor, so
        // only the bootstrap vCPU runs; with one, KVM parks them until SIPI.
        let running = image.wantsIRQChip ? vcpus : [vcpus[0]]
        let outcome = try runVCPUs(running, devices: devices, console: console)
        timeline.record("vm stopped")
        _ = memory
        return outcome
    }

    static func requiredCapabilities(irqchip: Bool) -> [KVMCapability] {
        var needed: [KVMCapability] = [.userMemory, .setTSSAddress, .immediateExit]
        if irqchip { needed += [.irqchip, .pit2] }
        return needed
    }

    static func loadFirmware(_ path: String) throws(MachineError) -> FirmwareImage {
        let bytes = try HostFile.read(path, what: "firmware")
        do {
            return try FirmwareImage(bytes: bytes)
        } catch {
            throw .invalidFirmware(path: path, reason: error.reason)
        }
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

    /// Starts one thread per vCPU, waits for the first outcome, then kicks
    /// every vCPU out of the guest and joins them.
    func runVCPUs(_ vcpus: [VCPU], devices: DeviceSet, console: TailKeepingSink) throws(MachineError) -> MachineOutcome {
        let latch: StopLatch
        do {
            latch = try StopLatch()
        } catch {
            throw .kvm(error)
        }
        var threads: [VCPUThread] = []
        for vcpu in vcpus {
            let runner = VCPURunner(vcpu: vcpu, portBus: devices.portBus, mmioBus: devices.mmioBus, latch: latch, console: console)
            do {
                threads.append(try VCPUThread(vcpu: vcpu) { runner.run() })
            } catch {
                latch.finish(.failure(.kvm(error)))
                break
            }
        }
        timeline.record("vcpus started")
        let result = latch.wait()
        for thread in threads { thread.kick() }
        for thread in threads { thread.join() }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let error): throw error
        }
    }
}
