import Glibc
import HostFiles
import Machine
import OCI

/// A created container, by its ID under a state root: the OCI verbs after
/// create, with runc's state rules (start only a created container, delete
/// a live one only with force).
public struct Container {
    public let directory: StateDirectory

    public init(root: String, id: String) throws(CommandFailure) {
        do {
            directory = try StateDirectory(root: root, id: id)
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    var id: String { directory.id }

    /// state.json, with a monitor that died unseen (SIGKILL, a crash) read
    /// as stopped. The monitor can write state.json, so its pid is checked,
    /// not believed: `delete --force` and the manager signal only a pid
    /// that is this container's monitor.
    public func state() throws(CommandFailure) -> ContainerState {
        var state: ContainerState
        do {
            state = try directory.read()
        } catch {
            throw CommandFailure(message: error.description)
        }
        if state.status != .stopped && !ProcessLiveness.isMonitor(state.pid, of: id) {
            state.status = .stopped
        }
        return state
    }

    /// startContainer hooks, the process, poststart hooks; a failing hook
    /// ends the container, as under runc.
    public func start() throws(CommandFailure) {
        let state = try state()
        guard state.status == .created else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue), not created") }
        let runner = try hookRunner(state)
        do {
            try runner.run(.startContainer, state: state)
            try send(.start, when: [.created], otherwise: "not created")
            var started = state
            started.status = .running  // the process may already have ended: poststart still sees it started
            try runner.run(.poststart, state: started)
        } catch {
            end(state.pid)
            throw error
        }
    }

    public func pause() throws(CommandFailure) {
        try send(.pause, when: [.running], otherwise: "not running")
    }

    public func resume() throws(CommandFailure) {
        try send(.resume, when: [.paused], otherwise: "not paused")
    }

    /// A paused container takes the signal when it runs again; SIGKILL
    /// ends its VM at once.
    /// all: every process in it, exec'd ones included (runc's --all).
    public func kill(_ signal: Int32, all: Bool = false) throws(CommandFailure) {
        guard [.created, .running, .paused].contains(try state().status) else {
            throw CommandFailure(message: "container \(id) is not running")
        }
        try expectOK(OCISocket.send(.kill(signal: signal, all: all), to: directory.socketPath))
    }

    /// poststop hooks run once the container is gone; their failure is
    /// delete's error, as under runc.
    /// With force, a container that is gone (or never got its state.json)
    /// is no error: containerd's shim deletes again after a delete, as it
    /// may with runc.
    public func delete(force: Bool) throws(CommandFailure) {
        if force && !directory.exists { return }
        var state: ContainerState
        do {
            state = try self.state()
        } catch where force && PathKind.of(directory.statePath) == nil {
            directory.remove()
            return
        }
        if state.status != .stopped {
            guard force else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue): stop it first, or delete --force") }
            end(state.pid)
        }
        let runner = Result { () throws(CommandFailure) in try hookRunner(state) }
        directory.remove()
        state.status = .stopped
        try runner.get().run(.poststop, state: state)
    }

    /// The monitor owns the VM and virtiofsd (tethered to it): both go with it.
    func end(_ monitor: Int32) {
        Glibc.kill(monitor, SIGKILL)
        ProcessLiveness.waitForExit(monitor)
    }

    /// The hooks `create` kept, run from the bundle directory.
    func hookRunner(_ state: ContainerState) throws(CommandFailure) -> HookRunner {
        do {
            return HookRunner(hooks: try directory.readHooks(), source: state.bundle + "/config.json", directory: state.bundle)
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    func send(_ request: MonitorRequest, when allowed: [ContainerState.Status], otherwise: String) throws(CommandFailure) {
        let status = try state().status
        guard allowed.contains(status) else { throw CommandFailure(message: "container \(id) is \(status.rawValue), \(otherwise)") }
        try expectOK(OCISocket.send(request, to: directory.socketPath))
    }

    func expectOK(_ reply: String) throws(CommandFailure) {
        guard reply == MonitorRequest.okReply else {
            let prefix = MonitorRequest.errorPrefix
            throw CommandFailure(message: reply.hasPrefix(prefix) ? String(reply.dropFirst(prefix.count)) : reply)
        }
    }
}

/// Whether a monitor still runs, without being its parent.
enum ProcessLiveness {
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        // A zombie (its parent has not reaped it yet) has finished.
        let stat = String(decoding: (try? readUntilEnd("/proc/\(pid)/stat")) ?? [], as: UTF8.self)
        // "pid (comm) S …": the state follows the last ")" and a space.
        guard let close = stat.lastIndex(of: ")"), stat.distance(from: close, to: stat.endIndex) > 2 else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Whether `pid` is a live `vmm monitor … ID` for container `id`: a pid
    /// reused since, or one a compromised monitor wrote, is not.
    static func isMonitor(_ pid: Int32, of id: String) -> Bool {
        guard isAlive(pid) else { return false }
        // Unreadable (hidepid, another user's): as good as we can tell.
        guard let bytes = try? readUntilEnd("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return true }
        let arguments = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.last == id && arguments.dropLast().contains("monitor")
    }

    static func waitForExit(_ pid: Int32) {
        for _ in 0..<500 where isAlive(pid) { usleep(10_000) }
    }
}
