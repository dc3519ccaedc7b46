import Machine
import OCI

/// A container's VM size from what its manager asked: the memory limit
/// becomes guest RAM, plus what the guest kernel keeps for itself (so that
/// MemTotal inside comes close to the limit); the CPU quota or cpuset
/// becomes the vCPU count. Annotations (VMSize's keys) set either outright.
enum MachineSizing {
    /// The smallest VM our kernel and init boot in.
    static let minimumMiB: UInt64 = 64

    /// The kernel's own share of guest RAM: a fixed part (kernel image,
    /// early allocations) and its page structures (64 bytes a 4 KiB page).
    static func guestMiB(forLimit limitMiB: UInt64) -> UInt64 {
        limitMiB + 8 + limitMiB / 64
    }

    /// What the bundle's size leaves unapplied, for its warnings.
    static func warnings(for size: VMSize) -> [String] {
        guard let limit = size.memoryLimit, guestMiB(forLimit: (limit + (1 << 20) - 1) >> 20) < minimumMiB else { return [] }
        return ["linux.resources.memory.limit \((limit + (1 << 20) - 1) >> 20) MiB is below what a VM boots in: the guest gets \(minimumMiB) MiB"]
    }

    static func apply(_ spec: ContainerSpec, to configuration: inout MachineConfiguration) throws(CommandFailure) {
        if let text = annotation(VMSize.memoryAnnotation, spec) {
            guard let mib = UInt64(text), mib > 0 else { throw CommandFailure(message: "annotation \(VMSize.memoryAnnotation) '\(text)' is not a number of MiB") }
            configuration.memoryMiB = mib
        } else if let limit = spec.size.memoryLimit {
            let limitMiB = (limit + (1 << 20) - 1) >> 20
            configuration.memoryMiB = max(guestMiB(forLimit: limitMiB), minimumMiB)
        }
        if let text = annotation(VMSize.cpusAnnotation, spec) {
            guard let cpus = UInt32(text), cpus > 0 else { throw CommandFailure(message: "annotation \(VMSize.cpusAnnotation) '\(text)' is not a vCPU count") }
            configuration.cpus = cpus
        } else if let cpus = spec.size.cpus {
            configuration.cpus = max(cpus, 1)
        }
        do {
            try configuration.validate()
        } catch {
            throw CommandFailure(message: "the container's size: \(error)")
        }
    }

    private static func annotation(_ key: String, _ spec: ContainerSpec) -> String? {
        spec.annotations.last { $0.0 == key }?.1
    }
}
