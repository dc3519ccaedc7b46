import Boot
import GuestMemory
import KVM

extension Machine {
    /// A Linux kernel booted directly: files checked before KVM is touched,
    /// then memory laid out per the boot protocol and every vCPU configured.
    func prepareLinux(_ payload: MachineConfiguration.LinuxPayload) throws(MachineError) -> PreparedGuest {
        let kernelFile = "kernel \(payload.kernelPath)"
        let kernel: KernelFile
        do {
            kernel = try KernelFile(path: payload.kernelPath)
        } catch {
            switch error {
            case .open(let err): throw .fileUnreadable(what: "kernel", path: payload.kernelPath, errno: err)
            case .notARegularFile: throw .notARegularFile(what: "kernel", path: payload.kernelPath)
            }
        }
        let header = (try? kernel.bytes(at: 0, count: Int(min(kernel.size, 0x210)))) ?? []
        guard ELFKernel.looksLikeELF(header) || BzImage.looksLikeBzImage(header) else {
            throw .boot(.notAKernel, file: kernelFile)
        }
        var initrd: (any InitrdSource)? = payload.initrdImage
        if initrd == nil, let path = payload.initrdPath {
            initrd = try HostFile.read(path, what: "initrd")
        }
        let commandLine = (payload.commandLine ?? MachineConfiguration.defaultCommandLine) + " " + VirtioSlot.kernelArguments(count: configuration.devices.count)

        let (system, vm, memory, vcpus) = try createVM(irqchip: true, hugePages: true)
        let loader = LinuxLoader(memory: memory, cpus: Int(configuration.cpus))
        let loaded: LoadedKernel
        do {
            loaded = try loader.load(kernel: kernel, initrd: initrd, commandLine: commandLine)
        } catch let error as KernelImageError {
            switch error {
            case .commandLineTooLong: throw .boot(error, file: nil)
            case .initrdDoesNotFit: throw .boot(error, file: payload.initrdPath.map { "initrd \($0)" } ?? "the container's initramfs")
            default: throw .boot(error, file: kernelFile)
            }
        } catch let error as GuestMemoryError {
            throw .memory(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        kernelCommandLine = commandLine
        memoryMap = loader.memoryMap
        initrdRange = loaded.initrd
        timeline.record(.kernelLoaded)
        do {
            let cpuid = try system.supportedCPUID()
            let tscDeadline = system.check(.tscDeadlineTimer) != 0
            for vcpu in vcpus {
                try LinuxVCPUState.configure(vcpu, supportedCPUID: cpuid, cpus: configuration.cpus, tscDeadline: tscDeadline)
            }
            try LinuxVCPUState.enter(loaded.entry, on: vcpus[0])
        } catch {
            throw .kvm(error)
        }
        timeline.record(.vcpusConfigured)
        return PreparedGuest(vm: vm, memory: memory, runnable: vcpus, hasIRQChip: true)
    }
}
