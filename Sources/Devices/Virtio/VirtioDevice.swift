import GuestMemory
import Synchronization

/// Raises a device's interrupt line (an irqfd in the VMM, a counter in tests).
public protocol InterruptLine: Sendable {
    func trigger()
}

/// What a virtio device tells the transport about itself, and the work it
/// does once the driver has set it up. Calls come with the transport's lock
/// held, so a device needs no locking of its own for them.
public protocol VirtioDevice: AnyObject, Sendable {
    /// Virtio device id (3 console, 26 fs).
    var deviceType: UInt32 { get }
    /// Feature bits offered, VERSION_1 (bit 32) included.
    var features: UInt64 { get }
    var queueCount: Int { get }
    func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer)

    /// DRIVER_OK: the queues are validated and ready.
    func activate(_ context: VirtioContext) throws(VirtioError)
    /// The driver made buffers available on `queue`.
    func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError)
    /// The driver reset the device (status 0).
    func reset()
    /// QueueNumMax of `queue`: what the driver may size it to. Linux fills
    /// some receive queues with a page per entry at probe, so a queue that
    /// carries little is offered small (guest memory and boot time).
    func maximumQueueSize(_ queue: Int) -> UInt16
}

extension VirtioDevice {
    public func maximumQueueSize(_ queue: Int) -> UInt16 { Virtqueue.maximumSize }
}

/// The device's view of its queues and guest, valid while active.
public final class VirtioContext: @unchecked Sendable {
    public let memory: GuestMemory
    public var queues: [Virtqueue]
    /// What the driver accepted (FEATURES_OK).
    public let driverFeatures: UInt64
    let raiseUsedBuffer: () -> Void

    init(memory: GuestMemory, queues: [Virtqueue], driverFeatures: UInt64, raiseUsedBuffer: @escaping () -> Void) {
        self.memory = memory
        self.queues = queues
        self.driverFeatures = driverFeatures
        self.raiseUsedBuffer = raiseUsedBuffer
    }

    /// Where a ring lies in this process, for a backend that serves it
    /// directly (vhost-user, vhost-net).
    public func hostAddress(of guestAddress: UInt64) throws(VirtioError) -> UInt64 {
        do {
            return UInt64(UInt(bitPattern: try memory.pointer(at: guestAddress, length: 1)))
        } catch {
            throw VirtioError("ring at 0x\(String(guestAddress, radix: 16)) is outside guest memory")
        }
    }

    /// Tells the driver about used buffers on `queue` (unless it opted out).
    public func interrupt(_ queue: Int) {
        // The used index store must be visible before the flags are read (x86 reorders store-load).
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if queues[queue].wantsInterrupt(memory) { raiseUsedBuffer() }
    }
}

public enum VirtioFeature {
    public static let version1: UInt64 = 1 << 32
}

/// A device's configuration space read at `offset`: bytes past its end read as 0.
func copyConfig(_ config: [UInt8], at offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
    for index in 0..<data.count {
        let at = Int(offset) + index
        data[index] = at < config.count ? config[at] : 0
    }
}
