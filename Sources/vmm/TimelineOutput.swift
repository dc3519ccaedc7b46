import Glibc
import JSON
import KVM
import Machine
import Timeline

/// Where `--timeline` goes: opened before the VM exists, so a bad path is a
/// usage mistake with nothing started.
struct TimelineOutput {
    let format: TimelineFormat
    private let fileDescriptor: Int32

    init(format: TimelineFormat, path: String?) throws(CommandFailure) {
        self.format = format
        guard let path else {
            fileDescriptor = 2
            return
        }
        fileDescriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fileDescriptor >= 0 else {
            throw CommandFailure(message: "cannot write the timeline to \(path): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ timeline: BootTimeline, payload: MachineConfiguration.Payload, exitStatus: Int32, failure: String?, memory: MemoryFootprint?) {
        var report = TimelineReport(
            entries: timeline.recorded, payload: payload.kind, host: VirtualizationKind.detect().timelineName,
            exitStatus: exitStatus, memory: memory)
        report.failure = failure
        switch format {
        case .text: writeAll(report.text, to: fileDescriptor)
        case .json: writeAll(JSONWriter.write(report.json) + "\n", to: fileDescriptor)
        }
    }
}

extension MachineConfiguration.Payload {
    var kind: String {
        switch self {
        case .firmware: "firmware"
        case .linux: "linux"
        }
    }
}

extension VirtualizationKind {
    var timelineName: String {
        switch self {
        case .hardware: "hardware"
        case .pvm: "pvm"
        case .unknown: "unknown"
        }
    }
}
