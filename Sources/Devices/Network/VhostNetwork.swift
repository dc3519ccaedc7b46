import COS
import GuestMemory
import Network
import OS
import Synchronization

/// virtio-net (device id 1) whose rings the host kernel serves through
/// vhost-net: packets move between guest memory and the TAP without
/// passing through the VMM. Kicks reach vhost through ioeventfds and its
/// completions come back as irqfd interrupts.
public final class VhostNetwork: VirtioDevice {
    /// What vmm offers when vhost-net and the TAP can serve it.
    static let wanted = VirtioFeature.version1 | NetworkDeviceConfig.Feature.mac | NetworkDeviceConfig.Feature.mtu
        | NetworkDeviceConfig.Feature.offloads | NetworkDeviceConfig.Feature.mergeableReceiveBuffers
        | NetworkDeviceConfig.Feature.indirectDescriptors | NetworkDeviceConfig.Feature.eventIndex
    /// Device-level bits vhost-net does not know (it serves the rings only).
    static let deviceOnly = NetworkDeviceConfig.Feature.mac | NetworkDeviceConfig.Feature.mtu

    public let deviceType = NetworkDeviceConfig.deviceType
    public let features: UInt64
    public let queueCount = VhostNet.ringCount

    let config: NetworkDeviceConfig
    let vhost: VhostNet
    let tap: Int32
    let kicks: [EventFD]
    let call: EventFD
    private let started = Mutex(false)

    /// `tap` was opened with IFF_VNET_HDR; it stays the caller's.
    public init(config: NetworkDeviceConfig, vhost: VhostNet, tap: Int32, kicks: [EventFD], call: EventFD) {
        self.config = config
        self.vhost = vhost
        self.tap = tap
        self.kicks = kicks
        self.call = call
        // Offloads only where vhost-net also handles the ring features.
        features = Self.wanted & (vhost.features | Self.deviceOnly | NetworkDeviceConfig.Feature.offloads)
    }

    public func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
        copyConfig(config.bytes, at: offset, into: data)
    }

    /// DRIVER_OK: the TAP takes the header and offloads the driver
    /// accepted, vhost gets the memory table and both rings, then the TAP.
    public func activate(_ context: VirtioContext) throws(VirtioError) {
        do {
            guard cos_tap_set_header_size(tap, Int32(NetworkDeviceConfig.headerSize)) == 0 else { throw NetworkError.system("TUNSETVNETHDRSZ") }
            guard cos_tap_set_offload(tap, Self.tapOffloads(context.driverFeatures)) == 0 else { throw NetworkError.system("TUNSETOFFLOAD") }
            try vhost.setFeatures(context.driverFeatures & ~Self.deviceOnly & ~NetworkDeviceConfig.Feature.offloads)
            try vhost.setMemory(context.memory.regions.map { region in
                (region.guestAddress, region.size, UInt64(UInt(bitPattern: context.memory.hostBase)) + region.fileOffset)
            })
            started.withLock { $0 = true }
            for (index, queue) in context.queues.enumerated() where queue.ready {
                try vhost.startRing(
                    index, size: queue.size,
                    descriptors: try context.hostAddress(of: queue.descriptorTable), available: try context.hostAddress(of: queue.availableRing),
                    used: try context.hostAddress(of: queue.usedRing), kick: kicks[index].rawValue, call: call.rawValue)
                try vhost.setBackend(index, tap: tap)
            }
        } catch let error as VirtioError {
            throw error
        } catch {
            throw VirtioError("\(error)")
        }
    }

    /// What the TAP may hand the guest: large and unchecksummed frames only
    /// when the driver said it takes them.
    static func tapOffloads(_ acked: UInt64) -> UInt32 {
        var offloads: UInt32 = 0
        if acked & NetworkDeviceConfig.Feature.guestChecksum != 0 {
            offloads |= UInt32(COS_TAP_CSUM)
            if acked & NetworkDeviceConfig.Feature.guestTSO4 != 0 { offloads |= UInt32(COS_TAP_TSO4) }
            if acked & NetworkDeviceConfig.Feature.guestTSO6 != 0 { offloads |= UInt32(COS_TAP_TSO6) }
        }
        return offloads
    }

    /// A kick that still arrives as an MMIO write is passed on by hand.
    public func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError) {
        guard queue < kicks.count else { return }
        kicks[queue].signal()
    }

    /// The kernel lets go of the rings before the driver makes new ones.
    public func reset() {
        guard started.withLock({ state in defer { state = false }; return state }) else { return }
        for ring in 0..<VhostNet.ringCount { vhost.stopRing(ring) }
    }
}
