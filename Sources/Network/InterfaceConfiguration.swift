import Glibc

/// An IPv4 or IPv6 address, as its 4 or 16 bytes in network order.
public struct IPAddress: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// nil unless `bytes` is 4 or 16 long.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Dotted quad or RFC 5952 text; nil when it is neither.
    public init?(_ text: String) {
        var storage = [UInt8](repeating: 0, count: 16)
        if text.contains(":") {
            guard parseAddress(AF_INET6, text, into: &storage) else { return nil }
            bytes = storage
        } else {
            guard parseAddress(AF_INET, text, into: &storage) else { return nil }
            bytes = Array(storage.prefix(4))
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }
    /// All zeros: "no address" (an on-link route's gateway, a default route's destination).
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }
    public var maximumPrefixLength: UInt8 { isIPv4 ? 32 : 128 }

    public var description: String { formatAddress(bytes) }
}

/// One address on an interface, with its prefix (10.88.0.5/16).
public struct InterfaceAddress: Equatable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: UInt8

    public init(address: IPAddress, prefixLength: UInt8) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// "ADDRESS/PREFIX"; nil when malformed or the prefix is too long.
    public init?(cidr: String) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), let prefix = UInt8(parts[1]),
            prefix <= address.maximumPrefixLength
        else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// One route through an interface: to `destination/prefixLength`, via
/// `gateway`, or on-link when there is none (a default route is /0).
public struct Route: Equatable, Sendable, CustomStringConvertible {
    public var destination: IPAddress
    public var prefixLength: UInt8
    public var gateway: IPAddress?

    public init(destination: IPAddress, prefixLength: UInt8, gateway: IPAddress?) {
        self.destination = destination
        self.prefixLength = prefixLength
        self.gateway = gateway
    }

    /// The default route of the gateway's family.
    public static func defaultRoute(via gateway: IPAddress) -> Route {
        Route(destination: IPAddress(bytes: [UInt8](repeating: 0, count: gateway.bytes.count))!, prefixLength: 0, gateway: gateway)
    }

    public var description: String {
        let target = prefixLength == 0 ? "default" : "\(destination)/\(prefixLength)"
        return gateway.map { "\(target) via \($0)" } ?? target
    }
}

/// What the guest's eth0 takes from the host side: the interface the
/// manager made (or the user named), its MAC, MTU, addresses and routes.
public struct InterfaceConfiguration: Equatable, Sendable {
    public var mac: [UInt8]
    public var mtu: UInt32
    public var addresses: [InterfaceAddress]
    public var routes: [Route]

    public init(mac: [UInt8], mtu: UInt32, addresses: [InterfaceAddress] = [], routes: [Route] = []) {
        self.mac = mac
        self.mtu = mtu
        self.addresses = addresses
        self.routes = routes
    }

    public var macText: String { mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":") }
}
