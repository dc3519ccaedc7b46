/// The harnesses: one per parser that reads what a guest, a backend or a
/// user hands vmm. Each takes arbitrary bytes and must end normally: a
/// refusal is a thrown error, a crash is a bug (a trap, or ASan's report
/// when built for libFuzzer). `vmm-fuzz` runs them; FuzzTests replays the
/// committed corpus and every crash found (fuzz/README.md).
public enum FuzzTarget: String, CaseIterable, Sendable {
    case virtqueue
    case virtioMMIO = "virtio-mmio"
    case consoleControl = "console-control"
    case vhostUserReplies = "vhost-user-replies"
    case configJSON = "config-json"
    case kernelImage = "kernel-image"

    /// Runs one input; says whether the parser took it all the way
    /// (the seeds must, or the fuzzer starts from shallow ground).
    @discardableResult
    public func run(_ data: [UInt8]) -> Outcome {
        switch self {
        case .virtqueue: VirtqueueHarness.run(data)
        case .virtioMMIO: VirtioMMIOHarness.run(data)
        case .consoleControl: ConsoleControlHarness.run(data)
        case .vhostUserReplies: VhostUserReplyHarness.run(data)
        case .configJSON: ConfigJSONHarness.run(data)
        case .kernelImage: KernelImageHarness.run(data)
        }
    }
}

public enum Outcome: Equatable, Sendable {
    /// The input went all the way through (a chain served, a device up, a spec read, a kernel loaded).
    case accepted
    /// Refused somewhere, as a bad input must be: an error, not a crash.
    case refused
}

/// Reads a fuzzer's bytes front to back; past the end every read is zero,
/// so any input is a valid program for a harness.
struct FuzzInput {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isEmpty: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) { value |= T(truncatingIfNeeded: byte()) << (8 * index) }
        return value
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        let end = min(bytes.count, position + max(0, count))
        defer { position = max(position, end) }
        return position < end ? bytes[position..<end] : []
    }

    mutating func rest() -> ArraySlice<UInt8> { take(bytes.count - position) }
}
