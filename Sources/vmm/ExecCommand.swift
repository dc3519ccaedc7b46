import Glibc
import Runtime

/// `vmm exec [options] ID [COMMAND...]`, in runc's shape: parses, then
/// runs Runtime's ContainerExec; exits with the exec'd process's status.
struct ExecCommand {
    let global: GlobalOptions
    let original: ArraySlice<String>
    var id = ""
    var request = ExecRequest()

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.global = global
        original = arguments
        var scanner = ArgumentScanner(arguments, help: HelpText.exec)
        var positionals: [String] = []
        // Everything after the ID is the command, options included.
        while positionals.isEmpty, let token = try scanner.next() {
            switch token {
            case .option("--process", _), .option("-p", _): request.processFile = try scanner.value(of: "--process")
            case .option("--env", _), .option("-e", _): request.environment.append(try scanner.value(of: "--env"))
            case .option("--cwd", _): request.workingDirectory = try scanner.value(of: "--cwd")
            case .option("--user", _), .option("-u", _): request.user = try scanner.value(of: "--user")
            case .option("--cap", _), .option("-c", _): request.capabilities.append(try scanner.value(of: "--cap"))
            case .option("--tty", nil), .option("-t", nil): request.terminal = true
            case .option("--no-new-privs", nil): request.noNewPrivileges = true
            case .option("--console-socket", _): request.consoleSocket = try scanner.value(of: "--console-socket")
            case .option("--detach", nil), .option("-d", nil): request.detach = true
            case .option("--pid-file", _): request.pidFile = try scanner.value(of: "--pid-file")
            case .option("--report-fd", _): request.reportFD = try scanner.number(of: "--report-fd")
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
        request.command = scanner.rest()
        if request.command.first == "--" { request.command.removeFirst() }
        guard request.processFile != nil || !request.command.isEmpty else {
            throw UsageError("vmm exec needs a command after the ID, or --process FILE")
        }
    }

    func execute() throws(CommandFailure) -> Never {
        let relaunch = ["--root", global.root] + global.logArguments
            + ["exec", "--report-fd", String(ExecRequest.relayReportFD)] + Array(original)
        exit(try request.run(root: global.root, id: id, relaunch: relaunch))
    }
}
