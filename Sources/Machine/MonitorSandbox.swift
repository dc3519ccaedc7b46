import OS

/// Enters ProcessSandbox once, at the first START (MachineController):
/// by then the network card took the manager's interface, and what runs
/// next in the guest is the container's code.
final class MonitorSandbox {
    private let keep: String
    private let keptCapabilities: UInt64
    private var entered = false

    init?(_ configuration: MachineConfiguration) {
        guard let keep = configuration.sandboxKeeping else { return nil }
        self.keep = keep
        let joinsNamespace = configuration.devices.contains { device in
            if case .network(let attachment) = device, case .namespaceInterface = attachment.hostSide { return true }
            return false
        }
        keptCapabilities = joinsNamespace ? ProcessSandbox.networkAdministration : 0
    }

    func enterOnce() throws(OSError) {
        guard !entered else { return }
        _ = try ProcessSandbox.enter(keeping: keep, keptCapabilities: keptCapabilities)
        entered = true
    }
}
