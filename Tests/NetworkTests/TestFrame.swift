import Glibc

/// Broadcast Ethernet frames of the local experimental EtherType 0x88b5,
/// which nothing else in a test namespace sends.
enum TestFrame {
    static let etherType: UInt16 = 0x88b5

    /// Padded to Ethernet's 60-byte minimum.
    static func make(payload: String) -> [UInt8] {
        let header: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x88, 0xb5]
        let frame = header + Array(payload.utf8)
        return frame + [UInt8](repeating: 0, count: max(0, 60 - frame.count))
    }

    /// Reads frames from the non-blocking `fd` until `frame` comes (the
    /// kernel's own IPv6 chatter may come first) or `milliseconds` pass.
    static func await(_ frame: [UInt8], on fd: Int32, within milliseconds: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var left = milliseconds
        while left > 0 {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) >= 0 else { return false }
            left -= 100
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                if Array(buffer[0..<count]) == frame { return true }
            }
        }
        return false
    }
}

/// An AF_PACKET socket on one interface for one EtherType: the far end of
/// the veth, seen from the link layer.
final class PacketSocket {
    let fd: Int32

    init(interface: Int32, etherType: UInt16) throws {
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), Int32(etherType.bigEndian))
        guard fd >= 0 else { throw NamespaceTestError("AF_PACKET socket: \(String(cString: strerror(errno)))") }
        // struct sockaddr_ll (Glibc's module does not show it): family,
        // protocol (network order), ifindex, then hatype, pkttype, halen, addr[8].
        var address = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: etherType.bigEndian) { address.replaceSubrange(2..<4, with: $0) }
        withUnsafeBytes(of: interface) { address.replaceSubrange(4..<8, with: $0) }
        let bound = address.withUnsafeBytes { bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) }
        guard bound == 0 else {
            close(fd)
            throw NamespaceTestError("binding the AF_PACKET socket: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// The whole frame, header included, out of the bound interface.
    func send(_ frame: [UInt8]) {
        _ = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    func receive(matching frame: [UInt8], within milliseconds: Int32) -> Bool {
        TestFrame.await(frame, on: fd, within: milliseconds)
    }
}
