/// A route of the namespace's main tables with the interface it leaves by.
struct DeviceRoute: Equatable, Sendable {
    var device: String
    var route: Route
}

/// The kernel's route tables as /proc/net shows them, parsed: what eth0
/// must take over from the manager's interface. Only unicast routes a
/// guest would want: no link-local, multicast, local or host entries.
enum RouteTable {
    // route(8) flags, as both files print them.
    static let up: UInt32 = 0x1
    static let gateway: UInt32 = 0x2
    static let reject: UInt32 = 0x200
    // IPv6's own (linux/ipv6_route.h): anycast, cached and local entries.
    static let anycast: UInt32 = 0x0010_0000
    static let cache: UInt32 = 0x0100_0000
    static let local: UInt32 = 0x8000_0000

    /// Both families of the calling thread's namespace.
    static func current() throws(NetworkError) -> [DeviceRoute] {
        let v4 = try NamespaceProcText.read("route").map(ipv4) ?? []
        let v6 = try NamespaceProcText.read("ipv6_route").map(ipv6) ?? []
        return v4 + v6
    }

    /// /proc/net/route: a header, then "Iface Destination Gateway Flags
    /// RefCnt Use Metric Mask ..."; addresses are a 32-bit word in hex
    /// printed in host order, so its bytes in memory are network order.
    static func ipv4(_ text: String) -> [DeviceRoute] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let via = UInt32(fields[2], radix: 16),
                let flags = UInt32(fields[3], radix: 16), let mask = UInt32(fields[7], radix: 16),
                flags & up != 0, flags & reject == 0
            else { return nil }
            let route = Route(
                destination: address(destination), prefixLength: UInt8(mask.nonzeroBitCount),
                gateway: flags & gateway != 0 ? address(via) : nil)
            return DeviceRoute(device: String(fields[0]), route: route)
        }
    }

    /// /proc/net/ipv6_route: "dest prefix source prefix nexthop metric
    /// refcnt use flags device", addresses as 32 hex digits in order.
    static func ipv6(_ text: String) -> [DeviceRoute] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 10, let destination = address(hex: fields[0]), let prefix = UInt8(fields[1], radix: 16),
                let sourcePrefix = UInt8(fields[3], radix: 16), let via = address(hex: fields[4]),
                let flags = UInt32(fields[8], radix: 16),
                flags & up != 0, flags & (reject | anycast | cache | local) == 0,
                // Host entries and source-specific routes are nothing a guest's eth0 carries.
                prefix < 128, sourcePrefix == 0, !isLinkLocalOrMulticast(destination)
            else { return nil }
            let route = Route(destination: destination, prefixLength: prefix, gateway: flags & gateway != 0 ? via : nil)
            return DeviceRoute(device: String(fields[9]), route: route)
        }
    }

    /// The routes leaving by `device`: on-link ones first, so a gateway is
    /// reachable by the time a route names it; each family in file order.
    static func routes(through device: String, in table: [DeviceRoute]) -> [Route] {
        let mine = table.filter { $0.device == device }.map(\.route)
        return mine.filter { $0.gateway == nil } + mine.filter { $0.gateway != nil }
    }

    /// fe80::/10 and ff00::/8.
    static func isLinkLocalOrMulticast(_ address: IPAddress) -> Bool {
        !address.isIPv4 && (address.bytes[0] == 0xff || (address.bytes[0] == 0xfe && address.bytes[1] & 0xc0 == 0x80))
    }

    private static func address(_ word: UInt32) -> IPAddress {
        IPAddress(bytes: withUnsafeBytes(of: word) { Array($0) })!
    }

    private static func address(hex: Substring) -> IPAddress? {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        for at in stride(from: 0, to: 32, by: 2) {
            guard let byte = UInt8(String(decoding: digits[at..<at + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return IPAddress(bytes: bytes)
    }
}
