import Glibc
import HostFiles
import Synchronization

/// The pipe from the monitor back to `vmm create`: one line, "ok" or
/// "error: …", then closed.
final class CreatorReport: Sendable {
    private let fd: Mutex<Int32>

    init(fd: Int32) {
        // Helpers the monitor starts (virtiofsd) must not hold the pipe
        // open: the creator reads until the line arrives or the pipe closes.
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        self.fd = Mutex(fd)
    }

    func send(_ line: String) {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            writeAll(line + "\n", to: fd)
            close(fd)
            fd = -1
        }
    }

    /// Reads the one line from the creator's end of the pipe: until a
    /// newline or until every writer has closed it.
    static func receive(from fd: Int32) -> String {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            reply += buffer.prefix(count)
            if reply.contains(UInt8(ascii: "\n")) { break }
        }
        return String(decoding: reply, as: UTF8.self).trimmingCharacters(in: "\n")
    }
}
