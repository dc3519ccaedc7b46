import COS
import Glibc
import LittleEndian

/// The front end's socket to one vhost-user backend: requests with their
/// file descriptors out, replies in. One request at a time.
public final class VhostUserConnection: @unchecked Sendable {
    let fd: Int32
    public let path: String
    /// With REPLY_ACK negotiated, every request asks for an acknowledgement.
    var acknowledgeAll = false

    public init(connectingTo path: String) throws(VhostUserError) {
        let fd = cos_unix_connect(path)
        guard fd >= 0 else { throw .connectFailed(path: path, errno: errno) }
        // A backend that accepts and then never answers must not hang vmm.
        var timeout = timeval(tv_sec: Self.replyTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        self.path = path
    }

    public static let replyTimeoutSeconds = 5

    deinit {
        close(fd)
    }

    /// Sends a request; for GET requests returns the reply's payload.
    @discardableResult
    func send(_ request: VhostUserRequest, payload: [UInt8] = [], fds: [Int32] = [], expectsReply: Bool = false) throws(VhostUserError) -> [UInt8] {
        let wantsAck = acknowledgeAll && !expectsReply
        let flags = VhostUserMessage.version | (wantsAck ? VhostUserMessage.needReplyFlag : 0)
        let bytes = VhostUserMessage(request: request.rawValue, flags: flags, payload: payload).encoded
        let sent = bytes.withUnsafeBytes { raw in
            fds.withUnsafeBufferPointer { cos_send_with_fds(fd, raw.baseAddress, raw.count, $0.baseAddress, Int32(fds.count)) }
        }
        guard sent == bytes.count else { throw .sendFailed(request: request.name, errno: sent < 0 ? errno : EIO) }
        guard expectsReply || wantsAck else { return [] }
        let reply = try receiveReply(to: request)
        if wantsAck {
            guard reply.count == 8 else { throw .badReply(request: request.name, reason: "acknowledgement of \(reply.count) bytes") }
            let status = reply.little64(0)
            guard status == 0 else { throw .refused(request: request.name, status: status) }
        }
        return reply
    }

    private func receiveReply(to request: VhostUserRequest) throws(VhostUserError) -> [UInt8] {
        let header = try receiveExactly(VhostUserMessage.headerSize, for: request)
        let (code, flags, size) = VhostUserMessage.header(header)
        guard code == request.rawValue else { throw .badReply(request: request.name, reason: "reply is for request \(code)") }
        guard flags & VhostUserMessage.replyFlag != 0 else { throw .badReply(request: request.name, reason: "reply flag not set") }
        guard size <= VhostUserMessage.maximumPayload else { throw .badReply(request: request.name, reason: "payload of \(size) bytes") }
        return try receiveExactly(Int(size), for: request)
    }

    private func receiveExactly(_ count: Int, for request: VhostUserRequest) throws(VhostUserError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var fds = [Int32](repeating: -1, count: 8)
            var received: Int32 = 0
            let n = bytes.withUnsafeMutableBytes { raw in
                cos_recv_with_fds(fd, raw.baseAddress.map { $0 + filled }, count - filled, &fds, Int32(fds.count), &received)
            }
            for index in 0..<Int(received) { close(fds[index]) }  // replies we use carry none
            if n < 0 { throw .receiveFailed(request: request.name, errno: errno == EAGAIN ? ETIMEDOUT : errno) }
            if n == 0 { throw .closed(request: request.name) }
            filled += n
        }
        return bytes
    }
}
