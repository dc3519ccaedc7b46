import COS
import Devices
import Glibc
import GuestImage
import HostFiles
import KVM
import Machine
import Network
import OCI
import Timeline
import OS

/// The process `vmm create` leaves behind for a container (`vmm monitor`):
/// it runs the VM, reports "created" to its creator once init is ready,
/// takes start/kill/pause over its socket, and exits with the container's
/// status — so to conmon and friends it *is* the container process.
public struct ContainerMonitor {
    public let root: String
    public let id: String
    /// Absolute: `vmm create` resolved it.
    public let bundle: String
    /// The creator's pipe, or -1.
    public let reportFD: Int32
    public let consoleSocket: String?

    public init(root: String, id: String, bundle: String, reportFD: Int32, consoleSocket: String?) {
        self.root = root
        self.id = id
        self.bundle = bundle
        self.reportFD = reportFD
        self.consoleSocket = consoleSocket
    }

    /// What the monitor exits with, and the line to print when the VM
    /// failed after the creator had its answer.
    public struct Outcome {
        public let exitStatus: Int32
        public let failure: String?
    }

    /// Runs the container to its end. Call first thing in the process: it
    /// closes what the starters left open and blocks the forwarded signals
    /// before any thread exists.
    public func run(timeline: BootTimeline) -> Outcome {
        // The monitor outlives `vmm create`: it keeps stdio and the report
        // pipe, nothing else its starters had open.
        cos_close_from(max(reportFD, 2) + 1)
        // Before a terminal can hang up on us: signals are the container's,
        // forwarded by the VM's event loop.
        SignalFD.block(ForwardedSignals.all)
        let report = CreatorReport(fd: reportFD)
        // Read now: the sandboxed monitor no longer sees /sys or /proc.
        let hostNote = GuestCrash.hostNote
        do throws(CommandFailure) {
            let (configuration, record) = try prepare(report: report, timeline: timeline)
            let result = Result { () throws(MachineError) in try Machine(configuration: configuration).run() }
            let outcome: Outcome
            switch result {
            case .success(let machine):
                // Ended before init was ready: the creator's one line says
                // why (a no-op after "ok"; with a console socket nobody
                // else would see it without --log).
                if case .crashed(let crash) = machine {
                    report.send("error: " + crash.summary + (hostNote.map { " (\($0))" } ?? ""))
                } else {
                    report.send("error: the VM ended before its init was ready (exit status \(machine.exitStatus))")
                }
                outcome = Outcome(exitStatus: machine.exitStatus, failure: nil)
            case .failure(let error):
                report.send("error: \(error)")
                outcome = Outcome(exitStatus: CommandFailure.exitStatus, failure: error.description)
            }
            try? record.update {
                $0.status = .stopped
                $0.exitStatus = outcome.exitStatus
            }
            unlink(record.directory.socketPath)
            return outcome
        } catch {
            report.send("error: \(error.message)")
            return Outcome(exitStatus: CommandFailure.exitStatus, failure: nil)
        }
    }

    /// The machine for the bundle, wired to state.json and the socket.
    func prepare(report: CreatorReport, timeline: BootTimeline) throws(CommandFailure) -> (MachineConfiguration, StateRecord) {
        let directory: StateDirectory
        let loaded: Bundle
        do {
            // Canonical: the sandbox keeps this directory at this very path.
            directory = try StateDirectory(root: canonicalPath(root) ?? root, id: id)
            loaded = try Bundle.load(bundle)
        } catch {
            throw CommandFailure(message: error.description)
        }
        try Self.enterNetworkNamespace(loaded)
        var spec = ContainerSpec.oci(bundle: loaded)
        if Self.staysEmpty(loaded) { spec.network = nil }
        var configuration = try ContainerMachine.configuration(
            spec: spec, kernel: nil, commandLine: nil, user: nil, debug: false, timeline: timeline)
        configuration.stdio = try stdio(of: loaded.process, configPath: loaded.configPath)
        configuration.forwardedSignals = ForwardedSignals.all
        // virtiofsd's directory lives with the container's state, so
        // `delete` clears it even after a monitor killed by --force.
        configuration.runtimeParent = directory.path
        configuration.sandbox = .init(keep: directory.path, readOnly: StateDirectory.hooksName)
        var initial = ContainerState(id: id, status: .creating, pid: getpid(), bundle: loaded.directory)
        initial.annotations = loaded.annotations
        let record = StateRecord(directory: directory, state: initial)
        do {
            try record.update { _ in }
        } catch {
            throw CommandFailure(message: error.description)
        }
        configuration.lifecycle.startWhenReady = false
        configuration.lifecycle.commandSocket = try OCISocket.listen(at: directory.socketPath)
        configuration.lifecycle.onEvent = { event in
            try? record.update { $0.status = ContainerState.Status(after: event) }
            // The creator's `vmm create` returns once the container is created.
            if event == .ready { report.send("ok") }
        }
        return (configuration, record)
    }

    /// The monitor lives in the container's network namespace, before any
    /// helper starts: the VM's TAP is made there, and a hook reading
    /// /proc/PID/ns/net of the container's pid (ours) finds it.
    static func enterNetworkNamespace(_ bundle: Bundle) throws(CommandFailure) {
        do {
            switch bundle.network {
            case .host: return
            case .new: try NetworkNamespace.create()
            case .join(let path): try NetworkNamespace.join(path)
            }
        } catch {
            throw CommandFailure(message: "\(bundle.configPath): linux.namespaces: \(error)")
        }
    }

    /// A namespace nothing will put an interface in (`--network none`):
    /// lo only, no card. One the manager made holds its interface before
    /// create; a new one can only get one from a create-time hook (Docker's).
    static func staysEmpty(_ bundle: Bundle) -> Bool {
        switch bundle.network {
        case .host: return true
        case .join:
            return (try? NamespaceInterfaces.candidate(excluding: [])).flatMap { $0 } == nil
        case .new:
            return [Hooks.Stage.prestart, .createRuntime, .createContainer].allSatisfy { bundle.hooks.stages[$0, default: []].isEmpty }
        }
    }

    /// The process's stdio: ours (the manager's pipes), or a terminal
    /// whose master goes to the console socket.
    func stdio(of process: ProcessDescription, configPath: String) throws(CommandFailure) -> MachineConfiguration.Stdio {
        switch (process.terminal, consoleSocket) {
        case (true, let socket?):
            let terminal = try ConsoleSocket.handOver(to: socket, size: process.consoleSize)
            var stdio = MachineConfiguration.Stdio(
                input: terminal, output: FileDescriptorSink(fileDescriptor: terminal), error: FileDescriptorSink(fileDescriptor: terminal))
            stdio.terminal = true
            stdio.terminalFD = terminal
            return stdio
        case (true, nil): throw CommandFailure(message: "\(configPath): process.terminal is true, but no --console-socket was given")
        case (false, _?): throw CommandFailure(message: "--console-socket was given, but process.terminal is false in \(configPath)")
        case (false, nil): return MachineConfiguration.Stdio()
        }
    }
}
