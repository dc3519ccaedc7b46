import Machine
import OCI

extension ContainerState.Status {
    /// The OCI status a machine event puts the container in (runc's
    /// state rules: created once init waits for start, running after it,
    /// paused while the vCPUs are held).
    public init(after event: MachineConfiguration.Event) {
        switch event {
        case .ready: self = .created
        case .started, .resumed: self = .running
        case .paused: self = .paused
        }
    }
}
