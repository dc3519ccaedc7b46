/// Which network namespace config.json gives the container (runtime-spec
/// linux.namespaces type "network"). The VM's network card is wired into
/// it on the host; inside the guest eth0 takes the interface found there.
public enum NetworkNamespaceRequest: Equatable, Sendable {
    /// No entry: the host's own network, which a VM cannot share (lo only).
    case host
    /// A new, empty one (Docker's: its prestart hook moves a veth in).
    case new
    /// One the manager made (podman, CRI): its path, e.g. /run/netns/NAME.
    case join(String)
}
