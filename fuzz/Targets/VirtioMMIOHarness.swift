import Devices
import GuestMemory

/// virtio-mmio register accesses against a real device (the multiport
/// console, the one with the most queues and a control protocol): the
/// fuzzer's input is a program of register reads and writes of any width
/// and offset, guest-memory writes and queue notifications, so it can set
/// a device up and then feed it hostile rings.
enum VirtioMMIOHarness {
    static let memory = try! GuestMemory(size: 64 << 10)

    /// Counts what reaches it, and keeps nothing.
    final class Discard: OutputSink, @unchecked Sendable {
        let acceptsMore: Bool
        var count = 0
        init(acceptsMore: Bool) { self.acceptsMore = acceptsMore }
        func write(_ bytes: UnsafeRawBufferPointer) { count += bytes.count }
    }

    final class NoInterrupt: InterruptLine {
        func trigger() {}
    }

    static func run(_ data: [UInt8]) -> Outcome {
        var input = FuzzInput(data)
        memory.reset(to: [])
        let output = Discard(acceptsMore: input.byte() & 1 == 0)
        let console = VirtioConsole(sinks: [.console: output, .stdout: output, .stderr: output]) { message in
            if case .ready = message { return [.start] }
            return []
        }
        let transport = VirtioMMIOTransport(device: console, name: "virtio-console", memory: memory, interrupt: NoInterrupt(), onFailure: { _ in })
        var scratch = [UInt8](repeating: 0, count: 8)
        for _ in 0..<512 where !input.isEmpty {
            switch input.byte() % 5 {
            case 0:  // a 32-bit write, the width drivers use
                let offset = UInt64(input.integer(UInt16.self) & 0x1FFF)
                var value = input.integer(UInt32.self)
                _ = withUnsafeBytes(of: &value) { transport.write(offset: offset, from: $0) }
            case 1:  // a read of any width, 0 to 8 bytes
                let offset = UInt64(input.integer(UInt16.self) & 0x1FFF)
                let width = Int(input.byte() % 9)
                _ = scratch.withUnsafeMutableBytes { transport.read(offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<width])) }
            case 2:  // a write of any width
                let offset = UInt64(input.integer(UInt16.self) & 0x1FFF)
                let bytes = Array(input.take(Int(input.byte() % 9)))
                _ = bytes.withUnsafeBytes { transport.write(offset: offset, from: $0) }
            case 3:  // the driver writes guest memory (rings, descriptors, buffers)
                let address = Int(input.integer(UInt16.self))
                let bytes = Array(input.take(Int(input.byte())))
                try? memory.write(Array(bytes.prefix(max(0, Int(memory.size) - address))), at: UInt64(address))
            default:
                transport.queueNotified(Int(input.byte() % 8))
            }
        }
        let driverOK: UInt32 = 4
        return !transport.isBroken && transport.status & driverOK != 0 && output.count > 0 ? .accepted : .refused
    }
}
