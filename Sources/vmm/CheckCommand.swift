import Runtime
import Glibc
import KVM
import Machine

/// `vmm check`: what this host can run, one line per requirement.
struct CheckCommand {
    var kvmDevice = KVMSystem.defaultPath

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments, help: HelpText.check)
        while let token = try scanner.next() {
            switch token {
            case .option("--kvm-device", _): kvmDevice = try scanner.value(of: "--kvm-device")
            default: throw UsageError.unknown(token, command: "check")
            }
        }
    }

    func execute() -> Never {
        let report = RuntimeCheck.report(kvmDevicePath: kvmDevice)
        for line in report.lines {
            writeStandardOutput("\(line.status.rawValue.padded(to: 8))\(line.subject.padded(to: 16))\(line.detail)\n")
        }
        exit(report.kvmUsable ? 0 : 1)
    }
}
