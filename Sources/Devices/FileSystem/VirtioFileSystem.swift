import Glibc
import GuestMemory
import Synchronization
import VhostUser
import LittleEndian
import OS

/// virtio-fs (device id 26) whose queues are served by a vhost-user
/// backend (virtiofsd): the VMM only negotiates and hands over the rings.
/// Kicks reach the backend through ioeventfds, its completions come back as
/// irqfd interrupts, neither passing through the VMM.
public final class VirtioFileSystem: VirtioDevice {
    static let tagSize = 36
    public static let requestQueues: UInt32 = 1
    /// Virtio ring features worth passing through when the backend has them.
    static let indirectDescriptors: UInt64 = 1 << 28

    public let deviceType: UInt32 = 26
    public let features: UInt64
    public let queueCount = 1 + Int(VirtioFileSystem.requestQueues)  // hiprio + requests

    let tag: String
    /// The negotiated connection to the backend. It is made while the guest
    /// boots, so this may wait for it (at DRIVER_OK, on a vCPU thread).
    let frontend: @Sendable () throws(VirtioError) -> VhostUserFrontend
    /// One eventfd per queue (the queue's ioeventfd), and the irqfd.
    let kicks: [EventFD]
    let call: EventFD
    let onActivated: @Sendable () -> Void
    /// Rings handed to the backend, to take back on a driver reset.
    private let started = Mutex<(VhostUserFrontend, [UInt32])?>(nil)

    public init(
        tag: String, kicks: [EventFD], call: EventFD, onActivated: @escaping @Sendable () -> Void = {},
        frontend: @escaping @Sendable () throws(VirtioError) -> VhostUserFrontend
    ) {
        self.tag = tag
        self.frontend = frontend
        self.kicks = kicks
        self.call = call
        self.onActivated = onActivated
        // Fixed, so the guest can probe before the backend is connected;
        // virtiofsd (libvhost-user) serves VERSION_1 and indirect descriptors.
        features = VirtioFeature.version1 | Self.indirectDescriptors
    }

    public func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
        var config = Array(tag.utf8.prefix(Self.tagSize))
        config += [UInt8](repeating: 0, count: Self.tagSize - config.count)
        config += Self.requestQueues.littleEndianBytes
        copyConfig(config, at: offset, into: data)
    }

    /// DRIVER_OK: the acked features and each ready ring go to the backend.
    public func activate(_ context: VirtioContext) throws(VirtioError) {
        let frontend = try self.frontend()
        do {
            try frontend.setFeatures(context.driverFeatures)
            var rings: [UInt32] = []
            defer { started.withLock { $0 = (frontend, rings) } }
            for (index, queue) in context.queues.enumerated() where queue.ready {
                rings.append(UInt32(index))
                try frontend.startVring(
                    index: UInt32(index), size: queue.size,
                    descriptors: try context.hostAddress(of: queue.descriptorTable), available: try context.hostAddress(of: queue.availableRing),
                    used: try context.hostAddress(of: queue.usedRing), kick: kicks[index].rawValue, call: call.rawValue)
            }
        } catch let error as VirtioError {
            throw error
        } catch {
            throw VirtioError("virtiofsd: \(error)")
        }
        onActivated()
    }

    /// Kicks go to the backend's eventfds; one that still arrives as an
    /// MMIO write (no ioeventfd match) is passed on by hand.
    public func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError) {
        guard queue < kicks.count else { return }
        kicks[queue].signal()
    }

    /// The driver reset the device: the backend must stop using the old
    /// rings before new ones are handed over.
    public func reset() {
        guard let (frontend, rings) = started.withLock({ state in defer { state = nil }; return state }) else { return }
        for ring in rings { try? frontend.stopVring(index: ring) }
    }
}

