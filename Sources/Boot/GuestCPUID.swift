import KVM

/// Per-vCPU CPUID: the host's supported set, with this vCPU's APIC id and
/// the hypervisor bit, so the kernel knows where it runs and who it is, and
/// the TSC-deadline timer where KVM emulates it (KVM_GET_SUPPORTED_CPUID
/// leaves that bit to the VMM), and the host's brand string and L1
/// cache/TLB leaves, which KVM reports as zeros (QEMU and Firecracker fill
/// them in too).
public enum GuestCPUID {
    static let hypervisorBit: UInt32 = 1 << 31
    static let hyperThreadingBit: UInt32 = 1 << 28
    /// Leaf 1 ECX[24]. With it Linux programs its timer by TSC deadline and
    /// skips calibrating the APIC timer against jiffies, two 100 ms waits
    /// (calibrate_APIC_clock): 217 ms of a 305 ms boot on the icount clock.
    static let tscDeadlineBit: UInt32 = 1 << 24

    /// Brand string (0x80000002-4) and AMD's L1 cache and TLB leaf (0x80000005).
    public static let hostLeaves: ClosedRange<UInt32> = 0x8000_0002...0x8000_0005

    public static func entries(from supported: [CPUIDEntry], apicID: UInt32, cpus: UInt32, tscDeadline: Bool,
                               host: (UInt32) -> CPUIDEntry = CPUIDEntry.host) -> [CPUIDEntry] {
        supported.map { original in
            var entry = original
            switch entry.function {
            case hostLeaves:
                let own = host(entry.function)
                (entry.eax, entry.ebx, entry.ecx, entry.edx) = (own.eax, own.ebx, own.ecx, own.edx)
            case 0x1:
                // EBX[31:24] initial APIC id, EBX[23:16] logical processors per package.
                entry.ebx = (entry.ebx & 0x0000_FFFF) | (apicID << 24) | (min(cpus, 255) << 16)
                entry.ecx |= hypervisorBit
                if tscDeadline { entry.ecx |= tscDeadlineBit }
                if cpus > 1 { entry.edx |= hyperThreadingBit } else { entry.edx &= ~hyperThreadingBit }
            case 0xB, 0x1F:
                entry.edx = apicID  // x2APIC id, in every topology subleaf
            default:
                break
            }
            return entry
        }
    }
}
