import Runtime
import Glibc

/// `vmm run`'s command line, parsed into Runtime's RunPlan and checked.
struct RunOptions {
    var plan = RunPlan()

    /// `claim` sees every option first, with the scanner to take its value,
    /// and says whether it took it: how `vmm bench` mixes its own options
    /// with run's in any order.
    init(
        parsing arguments: ArraySlice<String>, help: String = HelpText.run,
        claim: (String, inout ArgumentScanner) throws(UsageError) -> Bool = { _, _ in false }
    ) throws(UsageError) {
        var scanner = ArgumentScanner(arguments, help: help)
        while let token = try scanner.next() {
            if case .option(let name, _) = token, try claim(name, &scanner) { continue }
            switch token {
            case .option("--firmware", _): plan.firmware = try scanner.value(of: "--firmware")
            case .option("--kernel", _): plan.kernel = try scanner.value(of: "--kernel")
            case .option("--initrd", _): plan.initrd = try scanner.value(of: "--initrd")
            case .option("--cmdline", _): plan.commandLine = try scanner.value(of: "--cmdline")
            case .option("--memory", _): plan.memory = try scanner.number(of: "--memory")
            case .option("--cpus", _): plan.cpus = try scanner.number(of: "--cpus")
            case .option("--kvm-device", _): plan.kvmDevice = try scanner.value(of: "--kvm-device")
            case .option("--timeline", let inline):
                // Only `--timeline=json`: a bare --timeline takes no value.
                let format = inline == nil ? "text" : try scanner.value(of: "--timeline")
                guard let chosen = TimelineFormat(rawValue: format) else {
                    throw UsageError("--timeline takes =text or =json, got '\(format)'")
                }
                plan.timeline = chosen
            case .option("--timeline-output", _): plan.timelineOutput = try scanner.value(of: "--timeline-output")
            case .option("--stop-at-first-exit", nil): plan.stopAtFirstExit = true
            case .option("--debug", nil): plan.debug = true
            case .option("--tty", nil), .option("-t", nil): plan.request.terminal = true
            case .option("--env", _), .option("-e", _):
                let variable = try scanner.value(of: "--env")
                guard let equals = variable.firstIndex(of: "="), equals != variable.startIndex else {
                    throw UsageError("--env expects KEY=VALUE, got '\(variable)'")
                }
                plan.request.environment.append(variable)
            case .option("--workdir", _), .option("-w", _): plan.request.workingDirectory = try scanner.value(of: "--workdir")
            case .option("--user", _), .option("-u", _): plan.user = try scanner.value(of: "--user")
            case .option("--hostname", _): plan.request.hostname = try scanner.value(of: "--hostname")
            case .option("--network", _):
                let mode = try scanner.value(of: "--network")
                do {
                    plan.network = try NetworkOption.parse(mode)
                } catch {
                    throw UsageError(error.message)
                }
            case .option("--volume", _), .option("-v", _): plan.request.volumes.append(try scanner.value(of: "--volume"))
            case .option("--rootfs", _): plan.request.rootfs = try scanner.value(of: "--rootfs")
            case .option("--bundle", _), .option("-b", _): plan.request.bundle = try scanner.value(of: "--bundle")
            case .option("--read-only", nil): plan.request.readOnlyRoot = true
            case .option("--virtiofsd", _): plan.virtiofsd = try scanner.value(of: "--virtiofsd")
            case .option("--runtime-dir", _): plan.runtimeDirectory = try scanner.value(of: "--runtime-dir")
            case .terminator: plan.request.command = scanner.rest()
            case .positional(let first): plan.request.command = [first] + scanner.rest()
            default: throw UsageError.unknown(token, command: "run")
            }
        }
        if let problem = plan.inconsistency { throw UsageError(problem) }
    }
}
