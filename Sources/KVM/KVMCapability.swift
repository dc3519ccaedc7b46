import CKVM

/// The KVM capabilities vmm relies on, with the names the kernel uses.
public enum KVMCapability: CaseIterable, Sendable {
    case userMemory
    case setTSSAddress
    case irqchip
    case pit2
    case ioeventfd
    case irqfd
    case immediateExit
    case supportedCPUID
    /// The in-kernel LAPIC's TSC-deadline mode: offered to Linux guests, so
    /// the kernel skips its ~200 ms calibration of the APIC timer.
    case tscDeadlineTimer

    /// What vmm cannot run without; the rest only make guests faster.
    public static let required = allCases.filter { $0 != .tscDeadlineTimer }

    public var name: String {
        switch self {
        case .userMemory: "KVM_CAP_USER_MEMORY"
        case .setTSSAddress: "KVM_CAP_SET_TSS_ADDR"
        case .irqchip: "KVM_CAP_IRQCHIP"
        case .pit2: "KVM_CAP_PIT2"
        case .ioeventfd: "KVM_CAP_IOEVENTFD"
        case .irqfd: "KVM_CAP_IRQFD"
        case .immediateExit: "KVM_CAP_IMMEDIATE_EXIT"
        case .supportedCPUID: "KVM_CAP_EXT_CPUID"
        case .tscDeadlineTimer: "KVM_CAP_TSC_DEADLINE_TIMER"
        }
    }

    var number: Int32 {
        switch self {
        case .userMemory: KVM_CAP_USER_MEMORY
        case .setTSSAddress: KVM_CAP_SET_TSS_ADDR
        case .irqchip: KVM_CAP_IRQCHIP
        case .pit2: KVM_CAP_PIT2
        case .ioeventfd: KVM_CAP_IOEVENTFD
        case .irqfd: KVM_CAP_IRQFD
        case .immediateExit: KVM_CAP_IMMEDIATE_EXIT
        case .supportedCPUID: KVM_CAP_EXT_CPUID
        case .tscDeadlineTimer: KVM_CAP_TSC_DEADLINE_TIMER
        }
    }
}
