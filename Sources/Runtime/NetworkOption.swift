import Machine
import Network

/// `vmm run --network`: none (lo only, the default), passt (outbound
/// networking with no host set-up), or a TAP the user names with what
/// eth0 gets: `tap:NAME[,ip=CIDR][,gateway=ADDR][,mac=MAC][,mtu=N]`.
public enum NetworkOption {
    /// A locally administered MAC for a TAP given none.
    static let defaultMAC: [UInt8] = [0x02, 0x76, 0x6D, 0x6D, 0x00, 0x01]

    public static func parse(_ text: String) throws(CommandFailure) -> MachineConfiguration.NetworkAttachment? {
        switch text {
        case "none": return nil
        case "passt": return .init(hostSide: .passt)
        default: break
        }
        guard text.hasPrefix("tap:") else {
            throw CommandFailure(message: "--network \(text): expected none, passt or tap:NAME[,ip=CIDR][,gateway=ADDR][,mac=MAC][,mtu=N]")
        }
        let parts = text.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw CommandFailure(message: "--network \(text): the TAP's name is missing") }
        var guest = InterfaceConfiguration(mac: defaultMAC, mtu: 1500)
        for part in parts.dropFirst() {
            let (key, value) = part.firstIndex(of: "=").map { (String(part[..<$0]), String(part[part.index(after: $0)...])) } ?? (part, "")
            func bad(_ expected: String) -> CommandFailure { CommandFailure(message: "--network \(text): \(key)=\(value) is not \(expected)") }
            switch key {
            case "ip":
                guard let address = InterfaceAddress(cidr: value) else { throw bad("an ADDRESS/PREFIX") }
                guest.addresses.append(address)
            case "gateway":
                guard let gateway = IPAddress(value) else { throw bad("an IP address") }
                guest.routes.append(.defaultRoute(via: gateway))
            case "mac":
                guard let mac = parseMAC(value) else { throw bad("a MAC address (six hex bytes, colon-separated)") }
                guest.mac = mac
            case "mtu":
                guard let mtu = UInt32(value), (68...65_535).contains(mtu) else { throw bad("an MTU from 68 to 65535") }
                guest.mtu = mtu
            default:
                throw CommandFailure(message: "--network \(text): unknown setting '\(key)' (ip, gateway, mac, mtu)")
            }
        }
        return .init(hostSide: .tap(name: name, guest: guest))
    }

    static func parseMAC(_ text: String) -> [UInt8]? {
        let bytes = text.split(separator: ":", omittingEmptySubsequences: false).compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        guard bytes.count == 6, bytes[0] & 1 == 0 else { return nil }  // not multicast
        return bytes
    }
}
