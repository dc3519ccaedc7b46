import Network

extension MachineConfiguration {
    /// The VM's network card (eth0 in the guest) and what its host side is.
    public struct NetworkAttachment: Sendable {
        public enum HostSide: Sendable {
            /// A TAP made in this process's network namespace and joined by
            /// tc redirects to the interface the manager put there; eth0
            /// takes that interface's MAC, MTU, addresses and routes at start.
            case namespaceInterface
            /// A TAP the user names (made if missing); eth0 gets `guest`.
            case tap(name: String, guest: InterfaceConfiguration)
            /// passt, started with the VM (Passt.guest is eth0's configuration).
            case passt
        }

        public var hostSide: HostSide
        /// vhost-net where /dev/vhost-net opens and the host side is a TAP;
        /// false keeps every frame in the VMM (tests, comparisons).
        public var allowsVhost = true
        /// The TAP's name for `.namespaceInterface`.
        public static let namespaceTapName = "vmmtap0"

        public init(hostSide: HostSide) {
            self.hostSide = hostSide
        }
    }
}
