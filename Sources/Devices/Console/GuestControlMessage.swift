import LittleEndian

/// The framed messages of guest/PROTOCOL.md §3 on the `vmm.control` port:
/// `length u32 | type u16 | payload`, little-endian.
public enum GuestControlMessage: Equatable, Sendable {
    // Guest → host.
    case ready
    case started(pid: UInt32)
    case exited(code: Int32, signal: Int32)
    case error(String)
    // Host → guest.
    case start
    case signal(Int32)
    case windowSize(rows: UInt16, columns: UInt16)

    static let maximumPayload = 4096

    public var encoded: [UInt8] {
        let (type, payload): (UInt16, [UInt8]) = switch self {
        case .ready: (1, [])
        case .started(let pid): (2, pid.littleEndianBytes)
        case .exited(let code, let signal): (3, code.littleEndianBytes + signal.littleEndianBytes)
        case .error(let text): (4, Array(text.utf8.prefix(Self.maximumPayload)))
        case .start: (0x81, [])
        case .signal(let number): (0x82, number.littleEndianBytes)
        case .windowSize(let rows, let columns): (0x83, rows.littleEndianBytes + columns.littleEndianBytes)
        }
        return UInt32(2 + payload.count).littleEndianBytes + type.littleEndianBytes + payload
    }

    /// nil for types this side does not know or wrong-size payloads, which
    /// the protocol says to ignore.
    init?(type: UInt16, payload: [UInt8]) {
        func int32(_ at: Int) -> Int32 { Int32(bitPattern: UInt32(payload[at]) | UInt32(payload[at + 1]) << 8 | UInt32(payload[at + 2]) << 16 | UInt32(payload[at + 3]) << 24) }
        switch (type, payload.count) {
        case (1, 0): self = .ready
        case (2, 4): self = .started(pid: UInt32(bitPattern: int32(0)))
        case (3, 8): self = .exited(code: int32(0), signal: int32(4))
        case (4, _): self = .error(String(decoding: payload, as: UTF8.self))
        case (0x81, 0): self = .start
        case (0x82, 4): self = .signal(int32(0))
        case (0x83, 4): self = .windowSize(rows: UInt16(payload[0]) | UInt16(payload[1]) << 8, columns: UInt16(payload[2]) | UInt16(payload[3]) << 8)
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
