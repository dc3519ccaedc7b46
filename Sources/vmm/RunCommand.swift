import Runtime
import Glibc
import KVM
import Machine

/// `vmm run`: one VM, run to its end; vmm exits with the guest's status.
struct RunCommand {
    let options: RunOptions

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        options = try RunOptions(parsing: arguments)
    }

    func execute() throws(CommandFailure) -> Never {
        let outcome = try options.plan.run(timeline: processTimeline) { writeStandardError("vmm: warning: \($0)\n") }
        if case .crashed(let crash) = outcome { CrashReport.print(crash) }
        exit(outcome.exitStatus)
    }
}

enum CrashReport {
    static func print(_ crash: GuestCrash) {
        printError(crash.summary)
        for line in crash.registers { writeStandardError("  \(line)\n") }
        if !crash.consoleTail.isEmpty {
            writeStandardError("  last console output:\n")
            for line in crash.consoleTail { writeStandardError("    \(line)\n") }
        }
        if let note = GuestCrash.hostNote { writeStandardError("  note: \(note)\n") }
    }
}
