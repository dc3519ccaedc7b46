import Glibc
import Network

/// Frames to and from a TAP opened without the virtio-net header, non-blocking.
public final class TapFramePort: FramePort {
    let tap: TapDevice

    public init(tap: TapDevice) {
        self.tap = tap
    }

    public var descriptor: Int32 { tap.fd }

    public func send(_ frame: UnsafeRawBufferPointer) {
        _ = write(tap.fd, frame.baseAddress, frame.count)  // EAGAIN: the TAP's queue is full; dropped
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        while true {
            let count = read(tap.fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            // EAGAIN: nothing now; EIO: the link is down (no carrier yet).
            return errno == EAGAIN || errno == EIO ? 0 : nil
        }
    }
}
