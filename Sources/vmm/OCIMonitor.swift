import Runtime
import Glibc

/// `vmm monitor` (internal, started by `vmm create`): parses, then runs
/// Runtime's ContainerMonitor, which exits with the container's status.
struct MonitorCommand {
    let monitor: ContainerMonitor

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
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
        monitor = ContainerMonitor(root: global.root, id: id, bundle: bundle, reportFD: reportFD, consoleSocket: consoleSocket)
    }

    func execute() -> Never {
        let outcome = monitor.run(timeline: processTimeline)
        if let failure = outcome.failure { printError(failure) }
        exit(outcome.exitStatus)
    }
}
