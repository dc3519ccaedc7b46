import Glibc

/// One getifaddrs snapshot of the calling thread's network namespace:
/// every interface (its AF_PACKET entry, there even when it is down or has
/// no address) and the IP addresses on each.
struct NamespaceLinks {
    struct Link: Equatable {
        var name: String
        var index: Int32
        var isLoopback: Bool
    }

    var links: [Link] = []
    var addresses: [String: [InterfaceAddress]] = [:]

    static func current() throws(NetworkError) -> NamespaceLinks {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw .system("cannot list the namespace's interfaces (getifaddrs)") }
        defer { freeifaddrs(list) }
        var snapshot = NamespaceLinks()
        var entry = list
        while let current = entry?.pointee {
            entry = current.ifa_next
            guard let address = current.ifa_addr else { continue }
            let name = String(cString: current.ifa_name)
            switch Int32(address.pointee.sa_family) {
            case AF_PACKET:
                let index = Int32(bitPattern: if_nametoindex(name))
                guard index > 0 else { continue }
                snapshot.links.append(Link(name: name, index: index, isLoopback: current.ifa_flags & UInt32(IFF_LOOPBACK) != 0))
            case AF_INET, AF_INET6:
                guard let ip = ipAddress(address), let mask = current.ifa_netmask.flatMap(ipAddress) else { continue }
                let prefix = UInt8(mask.bytes.reduce(0) { $0 + $1.nonzeroBitCount })
                snapshot.addresses[name, default: []].append(InterfaceAddress(address: ip, prefixLength: prefix))
            default:
                continue
            }
        }
        snapshot.links.sort { $0.index < $1.index }
        return snapshot
    }

    /// The address of a sockaddr_in or sockaddr_in6, in network order.
    private static func ipAddress(_ address: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            return IPAddress(bytes: withUnsafeBytes(of: raw) { Array($0) })
        case AF_INET6:
            let raw = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            return IPAddress(bytes: withUnsafeBytes(of: raw) { Array($0) })
        default:
            return nil
        }
    }
}
