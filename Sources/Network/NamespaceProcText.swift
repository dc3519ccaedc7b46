import Glibc

/// A /proc file of the calling thread's network namespace, read whole:
/// /proc/thread-self/net, not /proc/self/net, which follows the main
/// thread's namespace. Such files report size 0, so read until the end.
enum NamespaceProcText {
    /// The text of /proc/thread-self/net/`name`; nil when there is no such
    /// file (ipv6_route with IPv6 off).
    static func read(_ name: String) throws(NetworkError) -> String? {
        let path = "/proc/thread-self/net/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .system("cannot open \(path)")
        }
        defer { close(fd) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .system("cannot read \(path)") }
            if count == 0 { return String(decoding: text, as: UTF8.self) }
            text += chunk[0..<count]
        }
    }
}
