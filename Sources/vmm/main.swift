import Runtime
import Timeline
import Devices
import Glibc
import OCI

/// Counts from process start: the first thing vmm does.
let processTimeline = BootTimeline()
// A closed stdout is an EPIPE to handle, not a reason to die mid-teardown.
signal(SIGPIPE, SIG_IGN)

var global = GlobalOptions()

let commands: [String: (ArraySlice<String>) throws -> Never] = [
    "run": { try RunCommand(parsing: $0).execute() },
    "bench": { try BenchCommand(parsing: $0).execute() },
    "check": { try CheckCommand(parsing: $0).execute() },
    "features": { try FeaturesCommand(parsing: $0).execute() },
    "create": { try CreateCommand(global: global, parsing: $0).execute() },
    "start": { try ContainerVerb(.start, global: global, parsing: $0).execute() },
    "state": { try ContainerVerb(.state, global: global, parsing: $0).execute() },
    "kill": { try ContainerVerb(.kill, global: global, parsing: $0).execute() },
    "pause": { try ContainerVerb(.pause, global: global, parsing: $0).execute() },
    "resume": { try ContainerVerb(.resume, global: global, parsing: $0).execute() },
    "delete": { try ContainerVerb(.delete, global: global, parsing: $0).execute() },
    "exec": { try ExecCommand(global: global, parsing: $0).execute() },
    "list": { try ListCommand(global: global, parsing: $0).execute() },
    "ps": { try PsCommand(global: global, parsing: $0).execute() },
    "monitor": { try MonitorCommand(global: global, parsing: $0).execute() },
]

do {
    let arguments = try global.parse(CommandLine.arguments.dropFirst())
    guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
        writeStandardOutput(HelpText.main)
        exit(arguments.isEmpty ? UsageError.exitStatus : 0)
    }
    if name == "--version" || name == "version" {
        // The shape runc prints; managers (podman info) show it.
        writeStandardOutput("vmm version \(HelpText.version)\nspec: \(ContainerState.ociVersion)\n")
        exit(0)
    }
    guard let command = commands[name] else { throw UsageError("unknown command '\(name)'") }
    try command(arguments.dropFirst())
} catch let error as UsageError {
    global.log?.record(error.message)
    printError("\(error.message) (see vmm --help)")
    exit(UsageError.exitStatus)
} catch let failure as CommandFailure {
    global.log?.record(failure.message)
    printError(failure.message)
    exit(CommandFailure.exitStatus)
} catch {
    printError("\(error)")
    exit(CommandFailure.exitStatus)
}
