import Glibc

/// A host facility (an eventfd, a signalfd, a thread, a seccomp filter)
/// that the kernel would not give, with its errno.
public enum OSError: Error, CustomStringConvertible, Equatable {
    case eventFD(errno: Int32)
    case signalFD(errno: Int32)
    case thread(errno: Int32)
    case seccomp(what: String, errno: Int32)
    /// The event loop's poll(2).
    case poll(errno: Int32)
    /// The monitor's sandbox: the step that failed, with its reason.
    case sandbox(String)

    public var description: String {
        switch self {
        case .eventFD(let err): "eventfd failed: \(Self.text(err))"
        case .signalFD(let err): "signalfd failed: \(Self.text(err))"
        case .thread(let err): "starting a thread failed: \(Self.text(err))"
        case .seccomp(let what, let err): "installing the seccomp filter for \(what) failed: \(Self.text(err))"
        case .poll(let err): "the event loop's poll failed: \(Self.text(err))"
        case .sandbox(let reason): "entering the monitor's sandbox failed: \(reason)"
        }
    }

    static func text(_ err: Int32) -> String {
        String(cString: strerror(err))
    }
}
