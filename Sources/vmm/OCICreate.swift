import Runtime
import Glibc

/// `vmm create [--bundle DIR] [--pid-file F] [--console-socket S] ID`.
struct CreateCommand {
    var creation: ContainerCreation

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments, help: HelpText.create)
        var bundle = "."
        var pidFile: String?
        var consoleSocket: String?
        var id: String?
        while let token = try scanner.next() {
            switch token {
            case .option("--bundle", _), .option("-b", _): bundle = try scanner.value(of: "--bundle")
            case .option("--pid-file", _): pidFile = try scanner.value(of: "--pid-file")
            case .option("--console-socket", _): consoleSocket = try scanner.value(of: "--console-socket")
            case .option("--no-pivot", nil), .option("--no-new-keyring", nil): break  // no host mount namespace or keyring in play
            case .option("--preserve-fds", _):
                // As exec: 0 is what managers pass by default; more cannot reach a guest.
                guard try scanner.number(of: "--preserve-fds", as: Int.self) == 0 else {
                    throw UsageError("--preserve-fds: passing descriptors into the VM is not supported")
                }
            case .positional(let value) where id == nil: id = value
            default: throw UsageError.unknown(token, command: "create")
            }
        }
        guard let id else { throw UsageError("vmm create needs a container ID") }
        creation = ContainerCreation(root: global.root, id: id, bundle: bundle)
        creation.pidFile = pidFile
        creation.consoleSocket = consoleSocket
        creation.monitorOptions = global.logArguments
        // Where runc's warnings go: the log the manager reads, else a person's
        // terminal. Never into a pipe: create's stderr is the container's.
        let log = global.log
        creation.warn = { warning in
            if let log {
                log.record(warning, level: .warning)
            } else if isatty(STDERR_FILENO) == 1 {
                writeStandardError("vmm: warning: \(warning)\n")
            }
        }
    }

    func execute() throws(CommandFailure) -> Never {
        try creation.create()
        exit(0)
    }
}
