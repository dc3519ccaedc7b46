import Glibc
import KVM

/// The VMM's I/O loop: waits on file descriptors (queue-notify eventfds,
/// host stdin, signals) with poll(2) and runs their handlers, one at a
/// time. It runs on the thread that called `run(until:)` (the main thread:
/// no extra thread to start, which shows at this scale).
final class EventLoop: @unchecked Sendable {
    struct Source {
        let fd: Int32
        /// Asked before every wait: a source can pause itself (back-pressure).
        let isActive: () -> Bool
        let onReadable: () -> Void
    }

    private var sources: [Source] = []

    /// Register before `run(until:)`.
    func add(fd: Int32, isActive: @escaping () -> Bool = { true }, onReadable: @escaping () -> Void) {
        sources.append(Source(fd: fd, isActive: isActive, onReadable: onReadable))
    }

    /// Takes a source out (a handler may call it for its own fd).
    func remove(fd: Int32) {
        sources.removeAll { $0.fd == fd }
    }

    /// Runs handlers until `stop` is readable (the machine's stop latch);
    /// false when poll itself failed.
    func run(until stop: Int32) -> Bool {
        while true {
            let active = sources.filter { $0.isActive() }
            var fds = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            fds += active.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            // A paused source resumes when some other event (the guest
            // taking data) wakes the loop; the timeout is a backstop.
            let ready = poll(&fds, nfds_t(fds.count), active.count < sources.count ? 100 : -1)
            if ready < 0 && errno != EINTR { return false }
            if fds[0].revents != 0 { return true }
            for (index, source) in active.enumerated() where fds[index + 1].revents != 0 {
                // A handler before this one may have removed it (and its fd be reused).
                guard sources.contains(where: { $0.fd == source.fd }) else { continue }
                source.onReadable()
            }
        }
    }
}
