import COS
import Glibc
import VhostUser

/// vhost-user replies from a backend (virtiofsd, or one that lies): the
/// fuzzer's bytes are everything the backend ever sends, and the front end
/// brings a device up against them as it does against virtiofsd.
enum VhostUserReplyHarness {
    /// One listening socket for the process; each run connects anew.
    static let socketPath = "/tmp/vmm-fuzz-vhost-user-\(getpid()).sock"
    static let listener: Int32 = {
        unlink(socketPath)
        signal(SIGPIPE, SIG_IGN)  // a backend that hangs up must be an error, not a death
        return cos_unix_listen(socketPath, 4)
    }()
    /// Stands in for guest memory and eventfds: the backend never uses them here.
    static let placeholder = open("/dev/null", O_RDWR | O_CLOEXEC)

    static func run(_ data: [UInt8]) -> Outcome {
        guard listener >= 0, let connection = try? VhostUserConnection(connectingTo: socketPath) else { return .refused }
        let backend = accept(listener, nil, nil)
        guard backend >= 0 else { return .refused }
        defer { close(backend) }
        let replies = data.prefix(64 << 10)  // within the socket's buffer: written before the front end reads
        _ = replies.withUnsafeBytes { send(backend, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(backend, Int32(SHUT_WR))
        let frontend = VhostUserFrontend(connection: connection)
        do {
            try frontend.negotiate()
            try frontend.setFeatures(1 << 32)
            try frontend.setMemoryTable([VhostUserMemoryRegion(guestAddress: 0, size: 1 << 20, hostAddress: 0x7000_0000, fileOffset: 0, fileDescriptor: placeholder)])
            for index: UInt32 in 0..<2 {
                try frontend.startVring(index: index, size: 128, descriptors: 0x1000, available: 0x2000, used: 0x3000, kick: placeholder, call: placeholder)
            }
            try frontend.stopVring(index: 0)
            return .accepted
        } catch {
            _ = error.description
            return .refused
        }
    }
}
