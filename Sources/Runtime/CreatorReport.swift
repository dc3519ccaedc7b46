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

    /// The descriptor a reporting child writes its line to.
    static let childFD: Int32 = 3

    /// Starts this executable with `arguments` and a pipe on fd 3, and
    /// waits for its one line; nil (errno set) if it cannot start.
    /// `withoutStdio`: the child gets /dev/null for 0, 1 and 2 — a child
    /// that outlives the caller must not hold the caller's output pipes,
    /// whose reader (containerd's shim, Go's exec) waits for them to close.
    static func spawnChild(_ arguments: [String], withoutStdio: Bool) -> (pid: pid_t, reply: String)? {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return nil }
        // Close-on-exec, so only the dup2 to fd 3 reaches the child.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(pipeFDs[0]) }
        var placing = [(ours: pipeFDs[1], theirs: childFD)]
        let null = withoutStdio ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1
        if null >= 0 { placing += [(null, 0), (null, 1), (null, 2)] }
        let pid = SelfProcess.spawn(arguments, placing: placing)
        let spawnError = errno
        close(pipeFDs[1])
        if null >= 0 { close(null) }
        guard let pid else {
            errno = spawnError
            return nil
        }
        return (pid, receive(from: pipeFDs[0]))
    }
}
