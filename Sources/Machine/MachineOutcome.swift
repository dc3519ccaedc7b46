/// How a VM ended.
public enum MachineOutcome: Equatable, Sendable {
    /// The guest asked to exit with a status (debug-exit device, later init).
    case exited(status: UInt8)
    /// The guest halted with nothing left to wake it.
    case halted
    /// The guest reset the machine (Linux's `reboot=k` path).
    case reset
    /// The guest stopped in a way no guest should.
    case crashed(GuestCrash)

    /// The status `vmm` exits with.
    public var exitStatus: Int32 {
        switch self {
        case .exited(let status): Int32(status)
        case .halted, .reset: 0
        case .crashed: GuestCrash.exitStatus
        }
    }
}

/// What the VMM saw when a guest died: enough to debug it from a log.
public struct GuestCrash: Equatable, Sendable {
    /// Distinct from any status a guest can pass through debug-exit's
    /// usual small values, and the one podman uses for runtime failures.
    public static let exitStatus: Int32 = 125

    public let vcpu: UInt32
    public let exit: String
    public let registers: [String]
    public var consoleTail: [String] = []
}
