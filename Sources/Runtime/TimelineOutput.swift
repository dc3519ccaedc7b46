import HostFiles
import Glibc
import JSON
import KVM
import Machine
import Timeline

/// How the timeline is written (docs/timeline.md).
public enum TimelineFormat: String, Sendable {
    case text, json
}

/// Where `--timeline` goes: opened before the VM exists, so a bad path is a
/// usage mistake with nothing started.
public struct TimelineOutput {
    public let format: TimelineFormat
    private let fileDescriptor: Int32

    public init(format: TimelineFormat, path: String?) throws(CommandFailure) {
        self.format = format
        guard let path else {
            fileDescriptor = 2
            return
        }
        // /dev/fd/N is descriptor N itself, as in a shell: vmm bench hands
        // its runs one, and minimal roots (a container's) lack /dev/fd.
        if let inherited = Self.inheritedDescriptor(path) {
            fileDescriptor = inherited
            return
        }
        fileDescriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fileDescriptor >= 0 else {
            throw CommandFailure(message: "cannot write the timeline to \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func inheritedDescriptor(_ path: String) -> Int32? {
        guard path.hasPrefix("/dev/fd/"), let number = Int32(path.dropFirst("/dev/fd/".count)), number >= 0,
              fcntl(number, F_GETFD) >= 0 else { return nil }
        return number
    }

    public func write(_ timeline: BootTimeline, payload: MachineConfiguration.Payload, exitStatus: Int32, failure: String?, memory: MemoryFootprint?) {
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
    public var kind: String {
        switch self {
        case .firmware: "firmware"
        case .linux: "linux"
        }
    }
}

extension VirtualizationKind {
    public var timelineName: String {
        switch self {
        case .hardware: "hardware"
        case .pvm: "pvm"
        case .unknown: "unknown"
        }
    }
}
