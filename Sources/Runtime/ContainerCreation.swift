import Glibc
import HostFiles
import OCI

/// `vmm create`: checks the bundle, makes the state directory, starts the
/// monitor and waits until the VM's init is ready for the process; then
/// writes the pid file (the monitor's pid). On any failure nothing is
/// left: no state directory, no monitor, no virtiofsd.
public struct ContainerCreation {
    public let root: String
    public let id: String
    public let bundle: String
    public var pidFile: String?
    public var consoleSocket: String?
    /// Global options the monitor is started with (--log and its format).
    public var monitorOptions: [String] = []
    /// What the bundle asks that the VM does not apply, one line each
    /// (the CLI writes them to --log as warnings, or to a terminal).
    public var warn: (String) -> Void = { _ in }

    public init(root: String, id: String, bundle: String) {
        self.root = root
        self.id = id
        self.bundle = absolutePath(bundle)
    }

    /// Returns once the container is created; throws the one line otherwise.
    public func create() throws(CommandFailure) {
        let directory: StateDirectory
        let loaded: Bundle
        do {
            directory = try StateDirectory(root: root, id: id)
            loaded = try Bundle.load(bundle)  // one-line errors before anything exists
            try directory.create()
        } catch {
            throw CommandFailure(message: error.description)
        }
        ContainerSpec.oci(bundle: loaded).warnings.forEach(warn)
        // Always, even with no hooks: the sandboxed monitor sees it read-only,
        // so it can neither change nor plant what `start` and `delete` run.
        do {
            try directory.writeHooks(loaded.hooks)
        } catch {
            directory.remove()
            throw CommandFailure(message: error.description)
        }
        let (monitor, reply) = startMonitor()
        guard monitor > 0 else {
            directory.remove()
            throw CommandFailure(message: "cannot start the monitor: \(String(cString: strerror(errno)))")
        }
        guard reply == "ok" else {
            var status: Int32 = 0
            waitpid(monitor, &status, 0)
            directory.remove()
            let reason = reply.hasPrefix("error: ") ? String(reply.dropFirst(7)) : "the monitor exited before the container was created (wait status \(status))"
            throw CommandFailure(message: reason)
        }
        do {
            try runCreateHooks(loaded, directory: directory, monitor: monitor)
        } catch {
            end(monitor, directory)
            throw error
        }
        guard let pidFile else { return }
        let fd = open(pidFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0, writeAll("\(monitor)", to: fd) == 0 else {
            let reason = String(cString: strerror(errno))
            end(monitor, directory)
            throw CommandFailure(message: "cannot write the pid file \(pidFile): \(reason)")
        }
        close(fd)
    }

    /// prestart, createRuntime and createContainer, in that order, once the
    /// VM is ready for the process (runtime-spec: after the environment is
    /// made, before start); the state they read says "creating".
    func runCreateHooks(_ loaded: Bundle, directory: StateDirectory, monitor: pid_t) throws(CommandFailure) {
        guard !loaded.hooks.isEmpty else { return }
        var state = ContainerState(id: id, status: .creating, pid: monitor, bundle: bundle)
        state.annotations = loaded.annotations
        let runner = HookRunner(hooks: loaded.hooks, source: loaded.configPath, directory: bundle)
        for stage in [Hooks.Stage.prestart, .createRuntime, .createContainer] {
            try runner.run(stage, state: state)
        }
    }

    /// A failed create leaves nothing: the monitor (and with it the VM and
    /// virtiofsd) and the state directory go.
    func end(_ monitor: pid_t, _ directory: StateDirectory) {
        kill(monitor, SIGKILL)
        waitpid(monitor, nil, 0)
        directory.remove()
    }

    /// The monitor's command line after the executable.
    var monitorArguments: [String] {
        var arguments = ["--root", root] + monitorOptions + ["monitor", "--bundle", bundle, "--report-fd", "\(CreatorReport.childFD)"]
        if let consoleSocket { arguments += ["--console-socket", consoleSocket] }
        return arguments + [id]
    }

    /// Starts `vmm monitor` with our stdio (the container's; with a
    /// terminal, none: the console socket carries it) and a pipe on fd 3
    /// for its one-line report; returns its pid and that line.
    func startMonitor() -> (Int32, String) {
        CreatorReport.spawnChild(monitorArguments, withoutStdio: consoleSocket != nil) ?? (-1, "")
    }
}
