import Runtime
import Glibc
import KVM
import Machine

/// `vmm check`: what this host can run, one line per requirement.
struct CheckCommand {
    var kvmDevice = KVMSystem.defaultPath

    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments)
        while let token = try scanner.next() {
            switch token {
            case .option("--kvm-device", _): kvmDevice = try scanner.value(of: "--kvm-device")
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.check)
                exit(0)
            default: throw UsageError.unknown(token, command: "check")
            }
        }
    }

    func execute() -> Never {
        var report = HostReport(kvmDevicePath: kvmDevice)
        report.addFound("guest init", try? GuestInit.path(), missing: "not built: make -C guest (or set VMM_INIT)")
        let bundle = ContainerSpec.defaultBundle
        report.addFound("default bundle", access(bundle + "/config.json", R_OK) == 0 ? bundle : nil,
                        missing: "none at \(bundle): bash scripts/make-default-bundle.sh")
        for line in report.lines {
            writeStandardOutput("\(line.status.rawValue.rightPadded(8))\(line.subject.rightPadded(16))\(line.detail)\n")
        }
        exit(report.kvmUsable ? 0 : 1)
    }
}
