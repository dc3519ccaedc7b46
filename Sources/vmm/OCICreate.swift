import Runtime
import Glibc
import OCI
import HostFiles

/// `vmm create`: checks the bundle, makes the state directory, starts the
/// monitor and waits until the VM's init is ready for the process; then
/// writes the pid file (the monitor's pid) and returns. On any failure
/// nothing is left: no state directory, no monitor, no virtiofsd.
struct CreateCommand {
    let global: GlobalOptions
    var bundle = "."
    var pidFile: String?
    var consoleSocket: String?
    var id: String

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.global = global
        var scanner = ArgumentScanner(arguments)
        var id: String?
        while let token = try scanner.next() {
            switch token {
            case .option("--bundle", _), .option("-b", _): bundle = try scanner.value(of: "--bundle")
            case .option("--pid-file", _): pidFile = try scanner.value(of: "--pid-file")
            case .option("--console-socket", _): consoleSocket = try scanner.value(of: "--console-socket")
            case .option("--no-pivot", nil), .option("--no-new-keyring", nil): break  // no host mount namespace or keyring in play
            case .option("--preserve-fds", _): _ = try scanner.value(of: "--preserve-fds")
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.create)
                exit(0)
            case .positional(let value) where id == nil: id = value
            default: throw UsageError.unknown(token, command: "create")
            }
        }
        guard let id else { throw UsageError("vmm create needs a container ID") }
        self.id = id
    }

    func execute() throws(CommandFailure) -> Never {
        let directory: StateDirectory
        let bundlePath = Self.absolute(bundle)
        do {
            directory = try StateDirectory(root: global.root, id: id)
            _ = try Bundle.load(bundlePath)  // one-line errors before anything exists
            try directory.create()
        } catch {
            throw CommandFailure(message: error.description)
        }
        let (monitor, reply) = Self.startMonitor(global: global, bundle: bundlePath, id: id, consoleSocket: consoleSocket)
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
        if let pidFile {
            let fd = open(pidFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0, writeAll("\(monitor)", to: fd) == 0 else {
                kill(monitor, SIGKILL)
                waitpid(monitor, nil, 0)
                directory.remove()
                throw CommandFailure(message: "cannot write the pid file \(pidFile): \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        exit(0)
    }

    /// Starts `vmm monitor` with our stdio (the container's) and a pipe on
    /// fd 3 for its one-line report; returns its pid and that line.
    static func startMonitor(global: GlobalOptions, bundle: String, id: String, consoleSocket: String?) -> (Int32, String) {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return (-1, "") }
        // Close-on-exec, so only the dup2 to fd 3 reaches the monitor.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var arguments = ["--root", global.root]
        if let log = global.log { arguments += ["--log", log, "--log-format", global.logFormat] }
        arguments += ["monitor", "--bundle", bundle, "--report-fd", "3"]
        if let consoleSocket { arguments += ["--console-socket", consoleSocket] }
        arguments.append(id)
        let pid = SelfProcess.spawn(arguments, placing: [(pipeFDs[1], 3)])
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard let pid else { return (-1, "") }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipeFDs[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            reply += buffer.prefix(count)
            if reply.contains(UInt8(ascii: "\n")) { break }  // the one line is all there is
        }
        return (pid, String(decoding: reply, as: UTF8.self).trimmingCharacters(in: "\n"))
    }

    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(cBuffer: buffer)
        return path == "." ? cwd : cwd + "/" + path
    }
}
