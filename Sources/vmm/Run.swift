import ArgumentParser
import Devices
import Glibc
import KVM
import Machine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a guest in a new VM and exit with its status.")

    @Option(name: .long, help: ArgumentHelp("Flat firmware image to run (see firmware/README.md).", valueName: "path"))
    var firmware: String

    @Option(name: .long, help: ArgumentHelp("Guest memory in MiB.", valueName: "MiB"))
    var memory: UInt64 = MachineConfiguration.defaultMemoryMiB

    @Option(name: .long, help: "Number of vCPUs.")
    var cpus: UInt32 = 1

    @Option(name: .customLong("kvm-device"), help: ArgumentHelp("KVM device to use.", valueName: "path"))
    var kvmDevice: String = KVMSystem.defaultPath

    @Flag(name: .long, help: "Print the boot timeline to stderr when the VM ends.")
    var timeline = false

    func run() throws {
        var configuration = MachineConfiguration(payload: .firmware(path: firmware))
        configuration.memoryMiB = memory
        configuration.cpus = cpus
        configuration.kvmDevicePath = kvmDevice
        configuration.timeline = processTimeline

        let outcome: MachineOutcome
        do {
            outcome = try Machine(configuration: configuration).run()
        } catch {
            throw CommandFailure(message: error.description)
        }
        if timeline { TimelinePrinter.print(configuration.timeline) }
        if case .crashed(let crash) = outcome { CrashReport.print(crash) }
        Glibc.exit(outcome.exitStatus)
    }
}

/// Started as early as possible so the timeline counts from process start.
let processTimeline = BootTimeline()

enum TimelinePrinter {
    static func print(_ timeline: BootTimeline) {
        for event in timeline.recorded {
            let micros = event.nanoseconds / 1000
            writeStandardError("timeline: \(micros / 1000).\(String(micros % 1000).leftPadded(3)) ms \(event.name)\n")
        }
    }
}

enum CrashReport {
    static func print(_ crash: GuestCrash) {
        printError("guest stopped abnormally on vCPU \(crash.vcpu): \(crash.exit)")
        for line in crash.registers { writeStandardError("  \(line)\n") }
        if !crash.consoleTail.isEmpty {
            writeStandardError("  last console output:\n")
            for line in crash.consoleTail { writeStandardError("    \(line)\n") }
        }
        if VirtualizationKind.detect() == .pvm {
            writeStandardError("  note: this host's KVM is PVM, which cannot run a non-PVM 64-bit kernel past its first exception\n")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
