import OS

/// Enters ProcessSandbox once, at the first START (MachineController),
/// then the event loop's seccomp filter: by then the network card took the
/// manager's interface, and what runs next in the guest is the
/// container's code.
final class MonitorSandbox {
    private let request: MachineConfiguration.Sandbox
    private let keptCapabilities: UInt64
    private var entered = false

    init?(_ configuration: MachineConfiguration) {
        guard let request = configuration.sandbox else { return nil }
        self.request = request
        let joinsNamespace = configuration.devices.contains { device in
            if case .network(let attachment) = device, case .namespaceInterface = attachment.hostSide { return true }
            return false
        }
        keptCapabilities = joinsNamespace ? ProcessSandbox.networkAdministration : 0
    }

    func enterOnce() throws(OSError) {
        guard !entered else { return }
        _ = try ProcessSandbox.enter(keeping: request.keep, readOnly: request.readOnly, keptCapabilities: keptCapabilities)
        try SyscallFilter.installOnThisThread(.eventLoop)
        entered = true
    }
}
