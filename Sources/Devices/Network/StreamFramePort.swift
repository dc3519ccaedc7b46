import Glibc

/// Frames over a stream socket, each after its length as a big-endian
/// u32: QEMU's stream netdev framing, which passt speaks.
public final class StreamFramePort: FramePort, @unchecked Sendable {
    let socket: Int32
    /// Bytes read but not yet delivered: at most one frame and a part.
    private var buffered: [UInt8] = []

    /// `socket` stays the caller's; it is made non-blocking for reads.
    public init(socket: Int32) {
        self.socket = socket
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    public var descriptor: Int32 { socket }

    public func send(_ frame: UnsafeRawBufferPointer) {
        let length = UInt32(frame.count)
        var message = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        message += frame
        var offset = 0
        while offset < message.count {
            let count = message.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
                continue
            }
            guard count < 0, errno == EINTR || errno == EAGAIN else { return }
            if errno == EAGAIN {
                // A frame must go whole or the stream is corrupt: wait for room.
                var fd = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                guard poll(&fd, 1, 1000) > 0 else { return }
            }
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        if let length = takeFrame(into: buffer) { return length }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? 0 : nil }
        buffered += chunk.prefix(count)
        return takeFrame(into: buffer) ?? 0
    }

    /// A whole frame from the buffer, when one is there; a frame longer
    /// than `buffer` is cut to fit.
    private func takeFrame(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard buffered.count >= 4 else { return nil }
        let length = Int(buffered[0]) << 24 | Int(buffered[1]) << 16 | Int(buffered[2]) << 8 | Int(buffered[3])
        guard buffered.count >= 4 + length else { return nil }
        let kept = min(length, buffer.count)
        buffered.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + 4, byteCount: kept) }
        buffered.removeFirst(4 + length)
        return kept
    }
}
