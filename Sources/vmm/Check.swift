import ArgumentParser
import Glibc
import KVM
import Machine

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report what this host can run: KVM, virtualization kind, virtiofsd, kernel.")

    @Option(name: .customLong("kvm-device"), help: ArgumentHelp("KVM device to check.", valueName: "path"))
    var kvmDevice: String = KVMSystem.defaultPath

    func run() throws {
        let report = HostReport(kvmDevicePath: kvmDevice)
        for line in report.lines {
            let status = line.status.rawValue.padding(8)
            Swift.print("\(status)\(line.subject.padding(16))\(line.detail)")
        }
        if !report.kvmUsable { Glibc.exit(1) }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(1, width - count))
    }
}
