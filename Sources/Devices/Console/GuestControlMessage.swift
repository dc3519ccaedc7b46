import LittleEndian
import Network

/// The framed messages of guest/PROTOCOL.md §3 on the `vmm.control` port:
/// `length u32 | type u16 | payload`, little-endian.
public enum GuestControlMessage: Equatable, Sendable {
    // Guest → host.
    case ready
    case started(pid: UInt32)
    case exited(code: Int32, signal: Int32)
    case error(String)
    // Guest → host, of an exec'd process (the host's id first).
    case execStarted(id: UInt32, pid: UInt32)
    case execOutput(id: UInt32, stream: UInt8, bytes: [UInt8])
    case execExited(id: UInt32, code: Int32, signal: Int32)
    case execError(id: UInt32, String)
    // Host → guest.
    case start
    case signal(Int32)
    /// To every process in the container (OCI `kill --all`).
    case signalAll(Int32)
    case windowSize(rows: UInt16, columns: UInt16)
    /// Another process in the container: a process description (guest/PROTOCOL.md §1).
    case exec(id: UInt32, process: [UInt8])
    /// Bytes for its stdin; none: end of input.
    case execInput(id: UInt32, bytes: [UInt8])
    case execSignal(id: UInt32, Int32)
    case execWindowSize(id: UInt32, rows: UInt16, columns: UInt16)
    /// How init configures eth0, before START (GuestControlMessage+Network).
    case network(InterfaceConfiguration)

    /// EXEC_OUTPUT's stream byte.
    public static let stdoutStream: UInt8 = 1, stderrStream: UInt8 = 2

    static let maximumPayload = 4096
    /// The longest process description an EXEC carries (after its id).
    public static let maximumExecProcess = maximumPayload - 4
    /// The most bytes one EXEC_INPUT carries.
    public static let maximumExecInput = maximumPayload - 4

    public var encoded: [UInt8] {
        let (type, payload): (UInt16, [UInt8]) = switch self {
        case .ready: (1, [])
        case .started(let pid): (2, pid.littleEndianBytes)
        case .exited(let code, let signal): (3, code.littleEndianBytes + signal.littleEndianBytes)
        case .error(let text): (4, Array(text.utf8.prefix(Self.maximumPayload)))
        case .start: (0x81, [])
        case .signal(let number): (0x82, number.littleEndianBytes)
        case .signalAll(let number): (0x88, number.littleEndianBytes)
        case .windowSize(let rows, let columns): (0x83, rows.littleEndianBytes + columns.littleEndianBytes)
        case .execStarted(let id, let pid): (5, id.littleEndianBytes + pid.littleEndianBytes)
        case .execOutput(let id, let stream, let bytes): (6, id.littleEndianBytes + [stream] + bytes.prefix(Self.maximumPayload - 5))
        case .execExited(let id, let code, let signal): (7, id.littleEndianBytes + code.littleEndianBytes + signal.littleEndianBytes)
        case .execError(let id, let text): (8, id.littleEndianBytes + Array(text.utf8.prefix(Self.maximumPayload - 4)))
        case .exec(let id, let process): (0x84, id.littleEndianBytes + process.prefix(Self.maximumPayload - 4))
        case .execInput(let id, let bytes): (0x85, id.littleEndianBytes + bytes.prefix(Self.maximumPayload - 4))
        case .execSignal(let id, let number): (0x86, id.littleEndianBytes + number.littleEndianBytes)
        case .execWindowSize(let id, let rows, let columns): (0x87, id.littleEndianBytes + rows.littleEndianBytes + columns.littleEndianBytes)
        case .network(let configuration): (0x89, Self.networkRecords(configuration))
        }
        return UInt32(2 + payload.count).littleEndianBytes + type.littleEndianBytes + payload
    }

    /// nil for types this side does not know or wrong-size payloads, which
    /// the protocol says to ignore.
    init?(type: UInt16, payload: [UInt8]) {
        func int32(_ at: Int) -> Int32 { Int32(bitPattern: UInt32(payload[at]) | UInt32(payload[at + 1]) << 8 | UInt32(payload[at + 2]) << 16 | UInt32(payload[at + 3]) << 24) }
        func uint16(_ at: Int) -> UInt16 { UInt16(payload[at]) | UInt16(payload[at + 1]) << 8 }
        let id = payload.count >= 4 ? UInt32(bitPattern: int32(0)) : 0
        switch (type, payload.count) {
        case (5, 8): self = .execStarted(id: id, pid: UInt32(bitPattern: int32(4)))
        case (6, 5...): self = .execOutput(id: id, stream: payload[4], bytes: Array(payload[5...]))
        case (7, 12): self = .execExited(id: id, code: int32(4), signal: int32(8))
        case (8, 4...): self = .execError(id: id, String(decoding: payload[4...], as: UTF8.self))
        case (0x84, 4...): self = .exec(id: id, process: Array(payload[4...]))
        case (0x85, 4...): self = .execInput(id: id, bytes: Array(payload[4...]))
        case (0x86, 8): self = .execSignal(id: id, int32(4))
        case (0x87, 8): self = .execWindowSize(id: id, rows: uint16(4), columns: uint16(6))
        case (1, 0): self = .ready
        case (2, 4): self = .started(pid: UInt32(bitPattern: int32(0)))
        case (3, 8): self = .exited(code: int32(0), signal: int32(4))
        case (4, _): self = .error(String(decoding: payload, as: UTF8.self))
        case (0x81, 0): self = .start
        case (0x82, 4): self = .signal(int32(0))
        case (0x88, 4): self = .signalAll(int32(0))
        case (0x83, 4): self = .windowSize(rows: uint16(0), columns: uint16(2))
        case (0x89, _):
            guard let configuration = Self.interfaceConfiguration(fromRecords: payload) else { return nil }
            self = .network(configuration)
        default: return nil
        }
    }
}

/// Reassembles framed messages from a byte stream cut anywhere. Linear in
/// what it is fed: a read position, compacted once per feed.
public struct GuestControlDecoder: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    /// Appends bytes; returns the whole messages now available. A length
    /// outside the protocol's bounds means the stream is corrupt.
    public mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(VirtioError) -> [GuestControlMessage] {
        buffer += bytes
        var messages: [GuestControlMessage] = []
        var start = 0
        defer { buffer.removeFirst(start) }
        while buffer.count - start >= 6 {
            let length = Int(UInt32(buffer[start]) | UInt32(buffer[start + 1]) << 8 | UInt32(buffer[start + 2]) << 16 | UInt32(buffer[start + 3]) << 24)
            guard length >= 2, length <= 2 + GuestControlMessage.maximumPayload else {
                throw VirtioError("control message length \(length) is outside the protocol's bounds")
            }
            guard buffer.count - start >= 4 + length else { break }
            let type = UInt16(buffer[start + 4]) | UInt16(buffer[start + 5]) << 8
            if let message = GuestControlMessage(type: type, payload: Array(buffer[(start + 6)..<(start + 4 + length)])) {
                messages.append(message)
            }
            start += 4 + length
        }
        return messages
    }
}
