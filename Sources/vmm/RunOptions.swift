import Runtime
import Glibc
import KVM
import Machine

enum TimelineFormat: String {
    case text, json
}

/// Everything `vmm run` was told, before it is turned into a machine.
struct RunOptions {
    var firmware: String?
    var kernel: String?
    var initrd: String?
    var commandLine: String?
    var memory = MachineConfiguration.defaultMemoryMiB
    var cpus: UInt32 = 1
    var kvmDevice = KVMSystem.defaultPath
    /// Print the boot timeline at the end, and how (docs/timeline.md).
    var timeline: TimelineFormat?
    /// Where the timeline goes instead of stderr.
    var timelineOutput: String?
    var stopAtFirstExit = false
    var debug = false
    /// The container: its root and what to change of its process.
    var request = RunRequest()
    var user: String?
    var virtiofsd: String?
    var runtimeDirectory = "/tmp"

    /// `claim` sees every option first, with the scanner to take its value,
    /// and says whether it took it: how `vmm bench` mixes its own options
    /// with run's in any order.
    init(
        parsing arguments: ArraySlice<String>,
        claim: (String, inout ArgumentScanner) throws(UsageError) -> Bool = { _, _ in false }
    ) throws(UsageError) {
        var scanner = ArgumentScanner(arguments)
        while let token = try scanner.next() {
            if case .option(let name, _) = token, try claim(name, &scanner) { continue }
            switch token {
            case .option("--firmware", _): firmware = try scanner.value(of: "--firmware")
            case .option("--kernel", _): kernel = try scanner.value(of: "--kernel")
            case .option("--initrd", _): initrd = try scanner.value(of: "--initrd")
            case .option("--cmdline", _): commandLine = try scanner.value(of: "--cmdline")
            case .option("--memory", _): memory = try scanner.number(of: "--memory")
            case .option("--cpus", _): cpus = try scanner.number(of: "--cpus")
            case .option("--kvm-device", _): kvmDevice = try scanner.value(of: "--kvm-device")
            case .option("--timeline", let inline):
                // Only `--timeline=json`: a bare --timeline takes no value.
                let format = inline == nil ? "text" : try scanner.value(of: "--timeline")
                guard let chosen = TimelineFormat(rawValue: format) else {
                    throw UsageError("--timeline takes =text or =json, got '\(format)'")
                }
                timeline = chosen
            case .option("--timeline-output", _): timelineOutput = try scanner.value(of: "--timeline-output")
            case .option("--stop-at-first-exit", nil): stopAtFirstExit = true
            case .option("--debug", nil): debug = true
            case .option("--tty", nil), .option("-t", nil): request.terminal = true
            case .option("--env", _), .option("-e", _):
                let variable = try scanner.value(of: "--env")
                guard let equals = variable.firstIndex(of: "="), equals != variable.startIndex else {
                    throw UsageError("--env expects KEY=VALUE, got '\(variable)'")
                }
                request.environment.append(variable)
            case .option("--workdir", _), .option("-w", _): request.workingDirectory = try scanner.value(of: "--workdir")
            case .option("--user", _), .option("-u", _): user = try scanner.value(of: "--user")
            case .option("--hostname", _): request.hostname = try scanner.value(of: "--hostname")
            case .option("--rootfs", _): request.rootfs = try scanner.value(of: "--rootfs")
            case .option("--bundle", _), .option("-b", _): request.bundle = try scanner.value(of: "--bundle")
            case .option("--read-only", nil): request.readOnlyRoot = true
            case .option("--virtiofsd", _): virtiofsd = try scanner.value(of: "--virtiofsd")
            case .option("--runtime-dir", _): runtimeDirectory = try scanner.value(of: "--runtime-dir")
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.run)
                exit(0)
            case .terminator: request.command = scanner.rest()
            case .positional(let first): request.command = [first] + scanner.rest()
            default: throw UsageError.unknown(token, command: "run")
            }
        }
        try check()
    }

    /// Boots a kernel (and initrd) with no container: an initrd, or a
    /// kernel or command line given with nothing to run.
    var isKernelOnly: Bool {
        firmware == nil && (initrd != nil || (request.command.isEmpty && request.bundle == nil && request.rootfs == nil && (kernel != nil || commandLine != nil)))
    }

    private func check() throws(UsageError) {
        if firmware != nil {
            guard kernel == nil, initrd == nil, commandLine == nil, request.command.isEmpty else {
                throw UsageError("--firmware runs a firmware image: it takes no --kernel, --initrd, --cmdline or command")
            }
        }
        if timelineOutput != nil && timeline == nil {
            throw UsageError("--timeline-output says where the timeline goes: give --timeline too")
        }
        if request.readOnlyRoot && request.rootfs == nil {
            throw UsageError("--read-only applies to --rootfs: give one")
        }
        if request.rootfs != nil && firmware == nil && request.command.isEmpty {
            throw UsageError("--rootfs shares a root filesystem with a command: give one after --")
        }
        if request.bundle != nil && (request.rootfs != nil || firmware != nil || initrd != nil) {
            throw UsageError("--bundle brings its own root filesystem and process: it takes no --rootfs, --firmware or --initrd")
        }
        if !request.command.isEmpty, initrd != nil {
            throw UsageError("a command runs from vmm's own initramfs: it takes no --initrd")
        }
        let processOptions = request.terminal || !request.environment.isEmpty || request.workingDirectory != nil || user != nil || request.hostname != nil
        if processOptions && isKernelOnly {
            throw UsageError("--tty, --env, --workdir, --user and --hostname describe a command: give one after --")
        }
    }
}
