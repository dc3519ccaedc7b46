import Devices
import Glibc

/// Counts from process start: the first thing vmm does.
let processTimeline = BootTimeline()

let commands: [String: (ArraySlice<String>) throws -> Never] = [
    "run": { try RunCommand(parsing: $0).execute() },
    "check": { try CheckCommand(parsing: $0).execute() },
]

let arguments = CommandLine.arguments.dropFirst()
do {
    guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
        writeStandardOutput(HelpText.main)
        exit(arguments.isEmpty ? UsageError.exitStatus : 0)
    }
    guard let command = commands[name] else { throw UsageError("unknown command '\(name)'") }
    try command(arguments.dropFirst())
} catch let error as UsageError {
    printError("\(error.message) (see vmm --help)")
    exit(UsageError.exitStatus)
} catch let failure as CommandFailure {
    printError(failure.message)
    exit(CommandFailure.exitStatus)
} catch {
    printError("\(error)")
    exit(CommandFailure.exitStatus)
}
