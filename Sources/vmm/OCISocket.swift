import Glibc

/// The Unix socket between the OCI verbs and a container's monitor.
enum OCISocket {
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    /// The monitor's listening socket at `path`.
    static func listen(at path: String) throws(CommandFailure) -> Int32 {
        guard var address = address(path) else { throw CommandFailure(message: "socket path too long: \(path)") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(message: "socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            let err = errno
            close(fd)
            throw CommandFailure(message: "cannot listen on \(path): \(String(cString: strerror(err)))")
        }
        return fd
    }

    /// Sends one command line; returns the monitor's one-line reply.
    static func send(_ command: String, to path: String) throws(CommandFailure) -> String {
        guard var address = address(path) else { throw CommandFailure(message: "socket path too long: \(path)") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(message: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw CommandFailure(message: "cannot reach the container's monitor: \(String(cString: strerror(errno)))") }
        _ = Array((command + "\n").utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { throw CommandFailure(message: "the container's monitor did not answer") }
        return String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: "\n")
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.last == set { text.removeLast() }
        return text
    }
}
