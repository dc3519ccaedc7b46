import Glibc
import GuestImage
import HostFiles
import OCI
import Runtime

/// `vmm exec [options] ID [COMMAND...]`, in runc's shape: parses, then
/// runs Runtime's ContainerExec; exits with the exec'd process's status.
struct ExecCommand {
    let global: GlobalOptions
    let original: ArraySlice<String>
    var id = ""
    var processFile: String?
    var command: [String] = []
    var environment: [String] = []
    var workingDirectory: String?
    var user: String?
    var capabilities: [String] = []
    var terminal = false
    var noNewPrivileges = false
    var consoleSocket: String?
    var detach = false
    var pidFile: String?
    /// Internal: the detached relay reports "ok" or the error here (its parent waits).
    var reportFD: Int32?

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.global = global
        original = arguments
        var scanner = ArgumentScanner(arguments, help: HelpText.exec)
        var positionals: [String] = []
        // Everything after the ID is the command, options included.
        while positionals.isEmpty, let token = try scanner.next() {
            switch token {
            case .option("--process", _), .option("-p", _): processFile = try scanner.value(of: "--process")
            case .option("--env", _), .option("-e", _): environment.append(try scanner.value(of: "--env"))
            case .option("--cwd", _): workingDirectory = try scanner.value(of: "--cwd")
            case .option("--user", _), .option("-u", _): user = try scanner.value(of: "--user")
            case .option("--cap", _), .option("-c", _): capabilities.append(try scanner.value(of: "--cap"))
            case .option("--tty", nil), .option("-t", nil): terminal = true
            case .option("--no-new-privs", nil): noNewPrivileges = true
            case .option("--console-socket", _): consoleSocket = try scanner.value(of: "--console-socket")
            case .option("--detach", nil), .option("-d", nil): detach = true
            case .option("--pid-file", _): pidFile = try scanner.value(of: "--pid-file")
            case .option("--report-fd", _): reportFD = try scanner.number(of: "--report-fd")
            case .option("--preserve-fds", _):
                guard try scanner.number(of: "--preserve-fds", as: Int.self) == 0 else {
                    throw UsageError("--preserve-fds: passing descriptors into the VM is not supported")
                }
            // No host cgroup or LSM for a process inside the VM.
            case .option("--cgroup", _), .option("--apparmor", _), .option("--process-label", _): _ = try scanner.value(of: "option")
            case .positional(let value): positionals.append(value)
            case .terminator: break
            default: throw UsageError.unknown(token, command: "exec")
            }
        }
        guard let first = positionals.first else { throw UsageError("vmm exec needs a container ID") }
        id = first
        command = scanner.rest()
        if command.first == "--" { command.removeFirst() }
        guard processFile != nil || !command.isEmpty else { throw UsageError("vmm exec needs a command after the ID, or --process FILE") }
    }

    /// The process: the --process file, else the container's own with the
    /// command; then the options on top, as runc applies them.
    func process(of container: Container) throws(CommandFailure) -> ProcessDescription {
        var process: ProcessDescription
        if let processFile {
            do {
                // What it holds that vmm does not apply (LSM labels) is in docs/oci.md, not
                // printed: this command's stderr is the process's.
                process = try ProcessFile.read(processFile).0
            } catch {
                throw CommandFailure(message: error.description)
            }
        } else {
            process = try ContainerExec.baseProcess(of: container)
            process.arguments = command
            process.terminal = false
        }
        if terminal { process.terminal = true }
        process.environment += environment
        if let workingDirectory {
            guard workingDirectory.hasPrefix("/") else { throw CommandFailure(message: "--cwd \(workingDirectory) is not an absolute path") }
            process.workingDirectory = workingDirectory
        }
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw CommandFailure(message: "--user \(user): expected UID[:GID], numbers")
            }
            process.uid = uid
            process.gid = parts.count == 2 ? UInt32(parts[1]) : 0
        }
        if noNewPrivileges { process.noNewPrivileges = true }
        for name in capabilities {
            let full = name.hasPrefix("CAP_") ? name : "CAP_" + name
            guard let number = CapabilityNames.number(of: full) else { throw CommandFailure(message: "--cap \(name): not a known capability") }
            let bit: UInt64 = 1 << UInt64(number)
            var sets = process.capabilities ?? .init()
            sets.bounding |= bit
            sets.effective |= bit
            sets.permitted |= bit
            process.capabilities = sets
        }
        return process
    }

    func execute() throws(CommandFailure) -> Never {
        let container = try Container(root: global.root, id: id)
        if detach && reportFD == nil { detachAndExit() }
        var exec = ContainerExec(container: container, process: try process(of: container))
        exec.consoleSocket = consoleSocket
        let status: Int32
        do {
            status = try exec.run {
                if let reportFD {
                    _ = writeAll("ok\n", to: reportFD)
                    close(reportFD)
                } else if let pidFile {
                    writePidFile(pidFile, getpid())
                }
            }
        } catch {
            if let reportFD { _ = writeAll("error: \(error.message)\n", to: reportFD) }
            throw error
        }
        exit(status)
    }

    /// -d: this same command runs on as a child (the relay, whose exit
    /// status is the process's; a subreaper such as conmon reaps it), and
    /// this process returns once it has started, as `runc exec -d` does.
    func detachAndExit() -> Never {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { fail("pipe: \(String(cString: strerror(errno)))") }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let arguments = ["--root", global.root] + global.logArguments + ["exec", "--report-fd", "3"] + Array(original)
        let child = SelfProcess.spawn(arguments, placing: [(pipeFDs[1], 3)])
        close(pipeFDs[1])
        guard let child else { fail("cannot start the exec relay: \(String(cString: strerror(errno)))") }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while read(pipeFDs[0], &byte, 1) == 1, byte != UInt8(ascii: "\n") { reply.append(byte) }
        let line = String(decoding: reply, as: UTF8.self)
        guard line == "ok" else {
            var status: Int32 = 0
            waitpid(child, &status, 0)
            // The relay printed its own error line.
            exit(255)
        }
        if let pidFile { writePidFile(pidFile, child) }
        exit(0)
    }

    func writePidFile(_ path: String, _ pid: pid_t) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0, writeAll("\(pid)", to: fd) == 0 else { fail("cannot write the pid file \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    func fail(_ message: String) -> Never {
        printError(message)
        exit(255)
    }
}
