import Glibc

/// What went wrong talking to a vhost-user backend, naming the request.
public enum VhostUserError: Error, Equatable, CustomStringConvertible {
    case connectFailed(path: String, errno: Int32)
    case sendFailed(request: String, errno: Int32)
    case receiveFailed(request: String, errno: Int32)
    case closed(request: String)
    case badReply(request: String, reason: String)
    case refused(request: String, status: UInt64)
    case missingFeature(String)

    public var description: String {
        switch self {
        case .connectFailed(let path, let err): "cannot connect to \(path): \(String(cString: strerror(err)))"
        case .sendFailed(let request, let err): "sending \(request) failed: \(String(cString: strerror(err)))"
        case .receiveFailed(let request, let err): "reading the reply to \(request) failed: \(String(cString: strerror(err)))"
        case .closed(let request): "the backend closed the connection during \(request)"
        case .badReply(let request, let reason): "bad reply to \(request): \(reason)"
        case .refused(let request, let status): "the backend refused \(request) (status \(status))"
        case .missingFeature(let name): "the backend does not offer \(name)"
        }
    }
}
