import COS
import Glibc

/// Signals as a readable fd, for the event loop. The signals must already
/// be blocked in every thread (the process blocks them before it starts
/// any), or the default action would run instead.
public final class SignalFD: Sendable {
    let descriptor: OwnedDescriptor
    public var rawValue: Int32 { descriptor.rawValue }

    public init(signals: [Int32]) throws(OSError) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let fd = signalfd(-1, &set, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard fd >= 0 else { throw .signalFD(errno: errno) }
        descriptor = OwnedDescriptor(fd)
    }

    /// The next pending signal's number, or nil when none is pending.
    public func next() -> Int32? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        guard read(rawValue, &info, size) == size else { return nil }
        return Int32(info.ssi_signo)
    }

    /// Blocks `signals` in the calling thread; threads it starts inherit that.
    public static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
