import Glibc

/// inet_pton into 16 bytes of storage; false when `text` is not an address of `family`.
func parseAddress(_ family: Int32, _ text: String, into storage: inout [UInt8]) -> Bool {
    storage.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) == 1 }
}

/// inet_ntop of 4 or 16 bytes.
func formatAddress(_ bytes: [UInt8]) -> String {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let family = bytes.count == 4 ? AF_INET : AF_INET6
    _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
    return String(cString: text)
}
