import CKVM

/// Why `KVM_RUN` returned, decoded from the shared `kvm_run` area.
/// The I/O buffers point into that area and are valid until the next run.
public enum VCPUExit {
    case portIO(PortIO)
    case mmio(MMIOAccess)
    case halt
    /// Triple fault or similar: the guest reset itself.
    case shutdown
    /// KVM could not handle the guest (on PVM: an instruction it cannot emulate).
    case internalError(suberror: UInt32, data: [UInt64])
    /// VM entry failed: the vCPU state was invalid.
    case failEntry(reason: UInt64, cpu: UInt32)
    case systemEvent(type: UInt32)
    /// A kick (signal or `immediate_exit`) interrupted the run.
    case interrupted
    case unknown(reason: UInt32, hardwareReason: UInt64)

    public struct PortIO {
        public let port: UInt16
        public let isWrite: Bool
        /// Bytes per access; `count` accesses lie back to back in `data`.
        public let size: Int
        public let count: Int
        public let data: UnsafeMutableRawBufferPointer
    }

    public struct MMIOAccess {
        public let address: UInt64
        public let isWrite: Bool
        public let data: UnsafeMutableRawBufferPointer
    }
}

extension VCPUExit: CustomStringConvertible {
    public var description: String {
        switch self {
        case .portIO(let io): "port I/O \(io.isWrite ? "write" : "read") at \(hex(io.port))"
        case .mmio(let access): "MMIO \(access.isWrite ? "write" : "read") at \(hex(access.address))"
        case .halt: "HLT"
        case .shutdown: "SHUTDOWN (triple fault)"
        case .internalError(let suberror, let data):
            "INTERNAL_ERROR suberror \(suberror)\(InternalErrorName.of(suberror)) data [\(data.map { hex($0) }.joined(separator: " "))]"
        case .failEntry(let reason, let cpu): "FAIL_ENTRY reason \(hex(reason)) on cpu \(cpu)"
        case .systemEvent(let type): "SYSTEM_EVENT type \(type)"
        case .interrupted: "interrupted"
        case .unknown(let reason, let hardware): "exit reason \(reason) (hardware reason \(hex(hardware)))"
        }
    }
}

enum InternalErrorName {
    static func of(_ suberror: UInt32) -> String {
        switch Int32(suberror) {
        case KVM_INTERNAL_ERROR_EMULATION: " (emulation failure)"
        case KVM_INTERNAL_ERROR_SIMUL_EX: " (exception while delivering an exception)"
        case KVM_INTERNAL_ERROR_DELIVERY_EV: " (event delivery failed)"
        default: ""
        }
    }
}

/// `0x…` formatting used in exit and register dumps.
public func hex<T: BinaryInteger>(_ value: T) -> String {
    "0x" + String(value, radix: 16)
}

/// `kvm_run.system_event.type` values.
public enum KVMSystemEvent {
    public static let shutdown = UInt32(KVM_SYSTEM_EVENT_SHUTDOWN)
    public static let reset = UInt32(KVM_SYSTEM_EVENT_RESET)
}
