import LittleEndian
import Network

/// NETWORK's payload (guest/PROTOCOL.md §3): `tag u16 | length u32 | value`
/// records: LINK (MAC, MTU), then ADDRESS and ROUTE ones, in order.
extension GuestControlMessage {
    enum NetworkRecord {
        static let link: UInt16 = 1
        static let address: UInt16 = 2
        static let route: UInt16 = 3
    }

    static func networkRecords(_ configuration: InterfaceConfiguration) -> [UInt8] {
        func record(_ tag: UInt16, _ value: [UInt8]) -> [UInt8] { tag.littleEndianBytes + UInt32(value.count).littleEndianBytes + value }
        func family(_ address: IPAddress) -> UInt8 { address.isIPv4 ? 4 : 6 }
        // No MAC: eth0 keeps the one it has (LINK is optional).
        var bytes = configuration.mac.count == 6 ? record(NetworkRecord.link, configuration.mac + configuration.mtu.littleEndianBytes) : []
        for address in configuration.addresses {
            bytes += record(NetworkRecord.address, [family(address.address), address.prefixLength] + address.address.bytes)
        }
        for route in configuration.routes {
            let gateway = route.gateway?.bytes ?? [UInt8](repeating: 0, count: route.destination.bytes.count)
            bytes += record(NetworkRecord.route, [family(route.destination), route.prefixLength] + route.destination.bytes + gateway)
        }
        return bytes
    }

    /// The records back (the firmware stand-in and the vector tests read
    /// them); nil when one is malformed, as init would refuse it.
    static func interfaceConfiguration(fromRecords payload: [UInt8]) -> InterfaceConfiguration? {
        var configuration = InterfaceConfiguration(mac: [], mtu: 0)
        var at = 0
        while at < payload.count {
            guard payload.count - at >= 6 else { return nil }
            let tag = payload.little16(at)
            let length = Int(payload.little32(at + 2))
            guard payload.count - at - 6 >= length else { return nil }
            let value = Array(payload[(at + 6)..<(at + 6 + length)])
            at += 6 + length
            switch tag {
            case NetworkRecord.link:
                guard length == 10 else { return nil }
                configuration.mac = Array(value.prefix(6))
                configuration.mtu = value.little32(6)
            case NetworkRecord.address:
                guard let (address, prefix) = addressField(value, extra: 0) else { return nil }
                configuration.addresses.append(InterfaceAddress(address: address, prefixLength: prefix))
            case NetworkRecord.route:
                guard let (destination, prefix) = addressField(value, extra: value.first == 4 ? 4 : 16),
                    let gateway = IPAddress(bytes: Array(value.suffix(destination.bytes.count)))
                else { return nil }
                configuration.routes.append(Route(destination: destination, prefixLength: prefix, gateway: gateway.isUnspecified ? nil : gateway))
            default:
                continue  // unknown: skipped, as init does
            }
        }
        return configuration
    }

    /// family u8, prefix u8, an address of that family, and `extra` more bytes.
    private static func addressField(_ value: [UInt8], extra: Int) -> (IPAddress, UInt8)? {
        guard value.count >= 2, value[0] == 4 || value[0] == 6 else { return nil }
        let size = value[0] == 4 ? 4 : 16
        guard value.count == 2 + size + extra, value[1] <= UInt8(size * 8), let address = IPAddress(bytes: Array(value[2..<(2 + size)])) else { return nil }
        return (address, value[1])
    }
}
