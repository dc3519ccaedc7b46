import Runtime
import CKVM
import Devices
import Glibc
import KVM
import Machine
import OCI
import Synchronization
import HostFiles

/// `vmm monitor` (internal): the process `vmm create` leaves behind for a
/// container. It runs the VM, reports "created" to its creator once init is
/// ready, takes start/kill over its socket, and exits with the container's
/// status — so to conmon and friends it *is* the container process.
struct MonitorCommand {
    let global: GlobalOptions
    let bundle: String
    let reportFD: Int32
    let consoleSocket: String?
    let id: String

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.global = global
        var scanner = ArgumentScanner(arguments)
        var bundle: String?
        var reportFD: Int32 = -1
        var consoleSocket: String?
        var id: String?
        while let token = try scanner.next() {
            switch token {
            case .option("--bundle", _): bundle = try scanner.value(of: "--bundle")
            case .option("--report-fd", _): reportFD = try scanner.number(of: "--report-fd")
            case .option("--console-socket", _): consoleSocket = try scanner.value(of: "--console-socket")
            case .positional(let value) where id == nil: id = value
            default: throw UsageError.unknown(token, command: "monitor")
            }
        }
        guard let bundle, let id else { throw UsageError("vmm monitor is internal: vmm create starts it") }
        self.bundle = bundle
        self.reportFD = reportFD
        self.consoleSocket = consoleSocket
        self.id = id
    }

    func execute() -> Never {
        // The monitor outlives `vmm create`: it keeps stdio and the report
        // pipe, nothing else its starters had open.
        ckvm_close_from(max(reportFD, 2) + 1)
        // First, before a terminal can hang up on us: signals are the
        // container's, forwarded by the VM's event loop.
        SignalFD.block(RunCommand.forwardedSignals)
        let report = CreatorReport(fd: reportFD)
        do {
            let directory = try StateDirectory(root: global.root, id: id)
            let loaded = try Bundle.load(bundle)
            var configuration = try ContainerMachine.configuration(spec: ContainerSpec(bundle: loaded), kernel: nil, commandLine: nil, user: nil, debug: false, timeline: processTimeline)
            switch (loaded.process.terminal, consoleSocket) {
            case (true, let socket?):
                let terminal = try ConsoleSocket.handOver(to: socket)
                configuration.stdio = .init(input: terminal, output: FileDescriptorSink(fileDescriptor: terminal), error: FileDescriptorSink(fileDescriptor: terminal))
                configuration.stdio.terminal = true
                configuration.stdio.terminalFD = terminal
            case (true, nil): throw CommandFailure(message: "\(loaded.configPath): process.terminal is true, but no --console-socket was given")
            case (false, _?): throw CommandFailure(message: "--console-socket was given, but process.terminal is false in \(loaded.configPath)")
            case (false, nil): break
            }
            configuration.forwardedSignals = RunCommand.forwardedSignals
            // virtiofsd's directory lives with the container's state, so
            // `delete` clears it even after a monitor killed by --force.
            configuration.runtimeParent = directory.path
            let record = StateRecord(directory: directory, state: {
                var state = ContainerState(id: id, status: .creating, pid: getpid(), bundle: loaded.directory)
                state.annotations = loaded.annotations
                return state
            }())
            try record.update { _ in }
            configuration.lifecycle.startWhenReady = false
            configuration.lifecycle.commandSocket = try OCISocket.listen(at: directory.socketPath)
            configuration.lifecycle.onReady = {
                try? record.update { $0.status = .created }
                report.send("ok")
            }
            configuration.lifecycle.onStart = { try? record.update { $0.status = .running } }
            configuration.lifecycle.onPause = { try? record.update { $0.status = .paused } }
            configuration.lifecycle.onResume = { try? record.update { $0.status = .running } }

            let result = Result { () throws(MachineError) in try Machine(configuration: configuration).run() }
            let status: Int32
            switch result {
            case .success(let outcome): status = outcome.exitStatus
            case .failure(let error):
                report.send("error: \(error)")
                printError(error.description)
                status = CommandFailure.exitStatus
            }
            try? record.update {
                $0.status = .stopped
                $0.exitStatus = status
            }
            unlink(directory.socketPath)
            exit(status)
        } catch let failure as CommandFailure {
            report.send("error: \(failure.message)")
            exit(CommandFailure.exitStatus)
        } catch {
            report.send("error: \(error)")
            exit(CommandFailure.exitStatus)
        }
    }
}

/// The pipe back to `vmm create`: one line, "ok" or "error: …", then closed.
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
}

/// state.json, updated from whichever thread sees the change.
final class StateRecord: Sendable {
    let directory: StateDirectory
    private let state: Mutex<ContainerState>

    init(directory: StateDirectory, state: ContainerState) {
        self.directory = directory
        self.state = Mutex(state)
    }

    /// Writes under the lock, so the file never goes back to an older state.
    func update(_ change: (inout ContainerState) -> Void) throws(BundleError) {
        let written: Result<Void, BundleError> = state.withLock { state in
            change(&state)
            return Result { () throws(BundleError) in try directory.write(state) }
        }
        try written.get()
    }
}
