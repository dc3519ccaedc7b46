import COS
import Glibc
import KVM
import Synchronization
import VhostUser
import OS

/// The virtiofsd helper serving one VM's shared directory: started with a
/// parent-death signal, watched through a pidfd, stopped with the VM.
final class Virtiofsd: @unchecked Sendable {
    /// How long virtiofsd gets to create its socket.
    static let startTimeoutMilliseconds: Int32 = 5000

    let pid: Int32
    let socketPath: String
    let processFD: OwnedDescriptor
    /// The wait status once reaped; several threads may ask.
    private let reapedStatus = Mutex<Int32?>(nil)

    /// Starts `binary` sharing `directory` on a socket at `socketPath`.
    /// `log` receives its output (nil: discarded).
    /// `readOnly`: virtiofsd (which has no read-only mode) sees the
    /// directory through a read-only mount of its own.
    /// A host path bind-mounted into the shared directory in virtiofsd's
    /// own mount namespace (gone with it: nothing to undo on the host).
    struct Bind {
        let source: String
        let target: String
        let readOnly: Bool
        let recursive: Bool
    }

    init(binary: String, directory: String, socketPath: String, readOnly: Bool, binds: [Bind] = [], log: Int32?) throws(MachineError) {
        // A path longer than sun_path holds (a manager's deep state root):
        // vmm listens itself and hands virtiofsd the socket (its --fd).
        let listening = socketPath.utf8.count >= Self.socketPathLimit ? cos_unix_listen(socketPath, 1) : -1
        if socketPath.utf8.count >= Self.socketPathLimit && listening < 0 {
            throw .helper("cannot listen on \(socketPath) for virtiofsd: \(String(cString: strerror(errno)))")
        }
        defer { if listening >= 0 { close(listening) } }
        let arguments = [
            binary, listening >= 0 ? "--fd=3" : "--socket-path=\(socketPath)", "-o", "source=\(directory)",
            // chroot works inside containers (no new namespaces needed); auto caching
            // gives close-to-open consistency with the host at low cost.
            "-o", "sandbox=chroot", "-o", "cache=auto", "-o", "log_level=\(log == nil ? "err" : "info")",
            // The stance, explicit (docs/security.md): no extended attributes or
            // ACLs cross (their defaults too); KILLPRIV_V2 stays on where the
            // guest has it, so a write drops setuid bits as on a local disk.
            "-o", "no_xattr", "-o", "no_posix_acl",
        ]
        let pid = Self.spawn(binary, arguments, log: log ?? -1, passing: listening, readOnlyDirectory: readOnly ? directory : nil, binds: binds)
        guard pid > 0 else { throw .helper("cannot start virtiofsd \(binary): \(String(cString: strerror(errno)))") }
        let pidFD = cos_pidfd_open(pid)
        guard pidFD >= 0 else {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
            throw .helper("cannot watch virtiofsd (pidfd_open): \(String(cString: strerror(errno)))")
        }
        self.pid = pid
        self.socketPath = socketPath
        self.processFD = OwnedDescriptor(pidFD)
    }

    deinit {
        stop()
    }

    /// sun_path's size: a socket path this long cannot be bound by name.
    static let socketPathLimit = 108

    private static func spawn(_ path: String, _ arguments: [String], log: Int32, passing: Int32, readOnlyDirectory: String?, binds: [Bind]) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        let bindStrings = binds.map { (strdup($0.source), strdup($0.target)) }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
            for (source, target) in bindStrings {
                free(source)
                free(target)
            }
        }
        let cBinds = zip(binds, bindStrings).map { bind, strings in
            cos_bind(source: strings.0, target: strings.1, readonly: bind.readOnly ? 1 : 0, recursive: bind.recursive ? 1 : 0)
        }
        return cBinds.withUnsafeBufferPointer { buffer in
            guard let readOnlyDirectory else { return cos_spawn_tethered(path, &argv, &envp, log, passing, nil, buffer.baseAddress, buffer.count) }
            return cos_spawn_tethered(path, &argv, &envp, log, passing, readOnlyDirectory, buffer.baseAddress, buffer.count)
        }
    }

    /// Waits until the socket exists (inotify on its directory, no blind
    /// sleeps), or fails if virtiofsd exits first or takes too long.
    func waitForSocket() throws(MachineError) {
        let directory = String(socketPath[..<(socketPath.lastIndex(of: "/") ?? socketPath.startIndex)])
        let watch = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard watch >= 0 else { throw .helper("inotify_init1 failed: \(String(cString: strerror(errno)))") }
        defer { close(watch) }
        guard inotify_add_watch(watch, directory.isEmpty ? "/" : directory, UInt32(IN_CREATE)) >= 0 else {
            throw .helper("cannot watch \(directory) for virtiofsd's socket: \(String(cString: strerror(errno)))")
        }
        let deadline = MonotonicMilliseconds.now() + Int64(Self.startTimeoutMilliseconds)
        while access(socketPath, F_OK) != 0 {
            let remaining = deadline - MonotonicMilliseconds.now()
            guard remaining > 0 else { throw .helper("virtiofsd did not create \(socketPath) within \(Self.startTimeoutMilliseconds) ms") }
            var fds = [pollfd(fd: watch, events: Int16(POLLIN), revents: 0), pollfd(fd: processFD.rawValue, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, Int32(remaining))
            if fds[1].revents != 0 {
                throw .helper("virtiofsd exited before creating its socket (\(exitDescriptionWhenGone()))")
            }
            var events = [UInt8](repeating: 0, count: 4096)
            _ = read(watch, &events, events.count)  // drained; the loop re-checks the path
        }
    }

    /// Connects once virtiofsd listens. Its socket appears at bind(), a
    /// moment before listen(): a connection refused in that window is
    /// retried (watching the pidfd) until the start timeout.
    func connect() throws(MachineError) -> VhostUserConnection {
        let deadline = MonotonicMilliseconds.now() + Int64(Self.startTimeoutMilliseconds)
        while true {
            do {
                return try VhostUserConnection(connectingTo: socketPath)
            } catch {
                guard case .connectFailed(_, ECONNREFUSED) = error, MonotonicMilliseconds.now() < deadline else {
                    throw .helper("virtiofsd: \(error)")
                }
            }
            var fd = pollfd(fd: processFD.rawValue, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, 2) > 0 {
                throw .helper("virtiofsd exited before listening on its socket (\(exitDescriptionWhenGone()))")
            }
        }
    }

    /// Whether it exits within the time given (its pidfd turns readable):
    /// a killed virtiofsd closes its socket a moment before that, so a lost
    /// connection waits a little before it is told as an error of its own.
    func exits(withinMilliseconds timeout: Int32) -> Bool {
        var fd = pollfd(fd: processFD.rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&fd, 1, timeout)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// How its death is reported: whether it got as far as its socket
    /// (which outlives a killed virtiofsd) tells the two cases apart.
    func deathMessage() -> String {
        let how = exitDescriptionWhenGone()
        guard access(socketPath, F_OK) == 0 else {
            // cos_spawn_tethered's status for a mount of its own namespace that failed.
            if how == "exit status 126" { return "virtiofsd could not be started: a bind mount or the read-only view of its directory failed (\(how))" }
            return "virtiofsd exited before creating its socket (\(how))"
        }
        return "virtiofsd exited during the run (\(how)): the VM was stopped"
    }

    /// For a pidfd that says it is gone: waits for the status to be reapable.
    func exitDescriptionWhenGone() -> String {
        reap(blocking: true)
        return describeExit()
    }

    /// Reaps it if it has exited; describes how.
    func describeExit() -> String {
        guard let status = reap(blocking: false) else { return "still running" }
        if status & 0x7F == 0 { return "exit status \((status >> 8) & 0xFF)" }
        return "killed by signal \(status & 0x7F)"
    }

    @discardableResult
    private func reap(blocking: Bool) -> Int32? {
        reapedStatus.withLock { reaped in
            if reaped == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, blocking ? 0 : WNOHANG) == pid { reaped = status }
            }
            return reaped
        }
    }

    /// SIGTERM, a short grace period watched on the pidfd, then SIGKILL.
    func stop() {
        guard reapedStatus.withLock({ $0 }) == nil else { return }
        cos_pidfd_send_signal(processFD.rawValue, SIGTERM)
        var fd = pollfd(fd: processFD.rawValue, events: Int16(POLLIN), revents: 0)
        if poll(&fd, 1, 500) <= 0 { cos_pidfd_send_signal(processFD.rawValue, SIGKILL) }
        reap(blocking: true)
        unlink(socketPath)
    }
}

enum MonotonicMilliseconds {
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
