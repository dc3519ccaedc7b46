import Devices
import Glibc

/// Host stdin into the UART's receive queue, for guests without a virtio
/// console (firmware on the serial port).
enum SerialInput {
    static func install(_ fd: Int32, into uart: SerialUART, on loop: EventLoop) {
        let state = ReaderState()
        loop.add(fd: fd, isActive: { !state.ended }) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
            guard count > 0 else {
                state.ended = true  // a UART has no end-of-file to pass on
                return
            }
            uart.enqueueInput(Array(buffer.prefix(count)))
        }
    }

    /// Touched by the event loop's thread only.
    private final class ReaderState: @unchecked Sendable {
        var ended = false
    }
}
