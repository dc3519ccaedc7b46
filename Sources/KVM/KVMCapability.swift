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
        }
    }
}
