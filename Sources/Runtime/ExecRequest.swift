import Glibc
import GuestImage
import HostFiles
import OCI

/// What `vmm exec` was asked for, as runc's options say it; turned into
/// the process and run (attached, or detached through a relay child).
public struct ExecRequest {
    public var processFile: String?
    public var command: [String] = []
    public var environment: [String] = []
    public var workingDirectory: String?
    public var user: String?
    public var capabilities: [String] = []
    public var terminal = false
    public var noNewPrivileges = false
    public var consoleSocket: String?
    public var detach = false
    public var pidFile: String?
    /// The detached relay's pipe to its parent: "ok" or "error: …".
    public var reportFD: Int32?

    public init() {}

    /// The --process file, else the container's own process with the
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

    /// The relay child's report descriptor (`vmm exec --report-fd 3`).
    public static var relayReportFD: Int32 { CreatorReport.childFD }

    /// Runs it; returns the status to exit with. `relaunch` is the relay
    /// child's command line (this one with `--report-fd 3`), for --detach.
    public func run(root: String, id: String, relaunch: [String]) throws(CommandFailure) -> Int32 {
        let container = try Container(root: root, id: id)
        if detach && reportFD == nil { return try detachedParent(relaunch) }
        var started = false
        do {
            var exec = ContainerExec(container: container, process: try process(of: container))
            exec.consoleSocket = consoleSocket
            return try exec.run {
                started = true
                if let reportFD {
                    _ = writeAll("ok\n", to: reportFD)
                    close(reportFD)
                } else if let pidFile {
                    try? Self.writePidFile(pidFile, getpid())
                }
            }
        } catch {
            // A relay that failed before the process ran tells its parent,
            // which prints the one line.
            guard let reportFD, !started else { throw error }
            _ = writeAll("error: \(error.message)\n", to: reportFD)
            return CommandFailure.exitStatus
        }
    }

    /// -d: this same command runs on as a child (the relay, whose exit
    /// status is the process's; a subreaper such as conmon reaps it), and
    /// this one returns once the process runs, as `runc exec -d` does.
    func detachedParent(_ relaunch: [String]) throws(CommandFailure) -> Int32 {
        // With a console socket the relay's stdio is the terminal, so it
        // must not keep the caller's (the shim waits for those to close).
        guard let (child, reply) = CreatorReport.spawnChild(relaunch, withoutStdio: consoleSocket != nil) else {
            throw CommandFailure(message: "cannot start the exec relay: \(String(cString: strerror(errno)))")
        }
        guard reply == "ok" else {
            waitpid(child, nil, 0)
            throw CommandFailure(message: reply.hasPrefix("error: ") ? String(reply.dropFirst(7)) : "the exec relay exited before the process started")
        }
        if let pidFile { try Self.writePidFile(pidFile, child) }
        return 0
    }

    static func writePidFile(_ path: String, _ pid: pid_t) throws(CommandFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0, writeAll("\(pid)", to: fd) == 0 else {
            throw CommandFailure(message: "cannot write the pid file \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
    }
}
