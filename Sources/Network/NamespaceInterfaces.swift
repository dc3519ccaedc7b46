import COS
import Glibc

/// What the monitor's network namespace holds: the interface a container
/// manager put there (a veth), and what the guest's eth0 takes from it.
/// Everything is read in the calling thread's namespace.
public enum NamespaceInterfaces {
    /// The manager's interface: not loopback, not in `excluded` (the
    /// monitor's own TAP), up or not. Of several, the one the default
    /// route leaves by, else the lowest index; nil when there is none
    /// (`--network none`).
    public static func candidate(excluding excluded: Set<String>) throws(NetworkError)
        -> (name: String, index: Int32, configuration: InterfaceConfiguration)?
    {
        let snapshot = try NamespaceLinks.current()
        let table = try RouteTable.current()
        let eligible = snapshot.links.filter { !$0.isLoopback && !excluded.contains($0.name) }
        let routedByDefault = Set(table.filter { $0.route.prefixLength == 0 }.map(\.device))
        guard let chosen = eligible.first(where: { routedByDefault.contains($0.name) }) ?? eligible.first else { return nil }
        return (chosen.name, chosen.index, try configuration(of: chosen.name, snapshot: snapshot, table: table))
    }

    /// MAC, MTU, addresses (no IPv6 link-local: the guest makes its own)
    /// and routes (on-link first) of the interface `name`.
    public static func configuration(of name: String) throws(NetworkError) -> InterfaceConfiguration {
        try configuration(of: name, snapshot: NamespaceLinks.current(), table: RouteTable.current())
    }

    static func configuration(of name: String, snapshot: NamespaceLinks, table: [DeviceRoute]) throws(NetworkError)
        -> InterfaceConfiguration
    {
        var mac = [UInt8](repeating: 0, count: 6)
        guard cos_interface_mac(name, &mac) == 0 else { throw .system("cannot read the MAC of \(name)") }
        let mtu = cos_interface_mtu(name)
        guard mtu > 0 else { throw .system("cannot read the MTU of \(name)") }
        let addresses = (snapshot.addresses[name] ?? []).filter { !RouteTable.isLinkLocalOrMulticast($0.address) }
        return InterfaceConfiguration(
            mac: mac, mtu: UInt32(mtu), addresses: addresses, routes: RouteTable.routes(through: name, in: table))
    }
}
