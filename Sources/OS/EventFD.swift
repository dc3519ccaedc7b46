import COS
import Glibc

/// A Linux eventfd: the doorbell between KVM, vCPU threads and helpers.
public final class EventFD: Sendable {
    let descriptor: OwnedDescriptor
    public var rawValue: Int32 { descriptor.rawValue }

    public init(nonBlocking: Bool = false) throws(OSError) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC) | (nonBlocking ? Int32(EFD_NONBLOCK) : 0))
        guard fd >= 0 else { throw .eventFD(errno: errno) }
        descriptor = OwnedDescriptor(fd)
    }

    public func signal(_ count: UInt64 = 1) {
        var value = count
        _ = write(rawValue, &value, 8)
    }

    /// Blocks (unless non-blocking) until signalled; returns the count, or 0.
    @discardableResult
    public func wait() -> UInt64 {
        var value: UInt64 = 0
        while read(rawValue, &value, 8) < 0 {
            if errno != EINTR { return 0 }
        }
        return value
    }
}
