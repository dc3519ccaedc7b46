import Glibc
import KVM

/// The VMM's I/O thread: waits on file descriptors (queue-notify eventfds,
/// host stdin) with poll(2) and runs their handlers, until stopped.
/// Handlers run on this thread only, one at a time.
final class EventLoop: @unchecked Sendable {
    struct Source {
        let fd: Int32
        /// Asked before every wait: a source can pause itself (back-pressure).
        let isActive: () -> Bool
        let onReadable: () -> Void
    }

    private var sources: [Source] = []
    private let stopper: EventFD
    private var thread: pthread_t = 0
    private var started = false

    init() throws(KVMError) {
        stopper = try EventFD(nonBlocking: true)
    }

    /// Register before `start()`.
    func add(fd: Int32, isActive: @escaping () -> Bool = { true }, onReadable: @escaping () -> Void) {
        sources.append(Source(fd: fd, isActive: isActive, onReadable: onReadable))
    }

    func start() throws(KVMError) {
        let box = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(box).release()
            throw .threadFailed(errno: result)
        }
        started = true
    }

    func stop() {
        guard started else { return }
        stopper.signal()
        pthread_join(thread, nil)
        started = false
    }

    private func run() {
        while true {
            let active = sources.filter { $0.isActive() }
            var fds = [pollfd(fd: stopper.rawValue, events: Int16(POLLIN), revents: 0)]
            fds += active.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            // A paused source resumes when some other event (the guest
            // taking data) wakes the loop; the timeout is a backstop.
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { return }
            for (index, source) in active.enumerated() where fds[index + 1].revents != 0 {
                source.onReadable()
            }
        }
    }
}
