import Glibc
import HostFiles
import Synchronization

/// Where a device's output bytes go.
public protocol OutputSink: Sendable {
    func write(_ bytes: UnsafeRawBufferPointer)
    /// False while the sink holds as much as it will take: the device then
    /// leaves the guest's buffers queued (back-pressure). Whoever asks must
    /// look again when the sink says it has room (BufferedFileOutput's
    /// `room`); a sink may still take more than it wanted, up to a limit.
    var acceptsMore: Bool { get }
}

extension OutputSink {
    public var acceptsMore: Bool { true }
}

/// Writes straight to a file descriptor (the host's stdout, or a log).
public struct FileDescriptorSink: OutputSink {
    public let fileDescriptor: Int32
    /// The reader went away (EPIPE): for a container's stdout, what would
    /// have been SIGPIPE for the process.
    public let onBrokenPipe: (@Sendable () -> Void)?

    public init(fileDescriptor: Int32, onBrokenPipe: (@Sendable () -> Void)? = nil) {
        self.fileDescriptor = fileDescriptor
        self.onBrokenPipe = onBrokenPipe
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        if writeAll(bytes, to: fileDescriptor) == EPIPE { onBrokenPipe?() }
    }
}

/// Keeps everything written, for tests and for error reports.
public final class CapturingSink: OutputSink {
    private let bytes = Mutex<[UInt8]>([])

    public init() {}

    public func write(_ data: UnsafeRawBufferPointer) {
        bytes.withLock { $0.append(contentsOf: data) }
    }

    public var captured: [UInt8] { bytes.withLock { $0 } }
    public var text: String { String(decoding: captured, as: UTF8.self) }
}

/// Remembers the last `capacity` bytes passed through, and forwards them.
/// The VMM prints this tail when a guest dies abnormally.
public final class TailKeepingSink: OutputSink {
    private let next: (any OutputSink)?
    private let capacity: Int
    private let tail = Mutex<[UInt8]>([])

    public init(forwardingTo next: (any OutputSink)?, capacity: Int = 4096) {
        self.next = next
        self.capacity = capacity
    }

    public func write(_ data: UnsafeRawBufferPointer) {
        next?.write(data)
        tail.withLock { kept in
            kept.append(contentsOf: data)
            if kept.count > capacity { kept.removeFirst(kept.count - capacity) }
        }
    }

    /// The last `count` lines of what went through.
    public func lastLines(_ count: Int) -> [String] {
        let text = String(decoding: tail.withLock { $0 }, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0) }
            .filter { !$0.isEmpty }
            .suffix(count)
            .map { $0 }
    }
}

/// Drops everything (the serial console of a container run without --debug).
public struct DiscardingSink: OutputSink {
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) {}
}
