import Devices
import Glibc
import Network
import OS
import Synchronization

/// The VM's network card: virtio-net served by vhost-net where the host
/// side is a TAP and /dev/vhost-net opens, by the VMM's event loop
/// otherwise (passt always). Before START, eth0's configuration goes to
/// init; for a manager's namespace that is when the TAP is joined to the
/// manager's interface.
final class NetworkDevice: MachineDevice, Sendable {
    let kind = "the network card"
    private let attachment: MachineConfiguration.NetworkAttachment
    private let tap: TapDevice?
    private let passt: Passt?
    private let vhost: VhostNet?
    /// The manager's interface the TAP was joined to (undone at the end)
    /// and what eth0 took from it: a second start asks again.
    private let joined = Mutex<(index: Int32, configuration: InterfaceConfiguration)?>(nil)

    init(_ attachment: MachineConfiguration.NetworkAttachment, configuration: MachineConfiguration) throws(MachineError) {
        self.attachment = attachment
        do {
            switch attachment.hostSide {
            case .namespaceInterface, .tap:
                // vhost-net needs the header on the TAP; without it the VMM moves plain frames.
                let vhost = attachment.allowsVhost ? try? VhostNet() : nil
                self.vhost = vhost
                tap = try TapDevice(name: Self.tapName(attachment.hostSide), virtioHeader: vhost != nil)
                passt = nil
            case .passt:
                vhost = nil
                tap = nil
                passt = try Passt(log: configuration.helperLog ?? -1)
            }
        } catch {
            throw .network(error)
        }
    }

    static func tapName(_ side: MachineConfiguration.NetworkAttachment.HostSide) -> String {
        if case .tap(let name, _) = side { return name }
        return MachineConfiguration.NetworkAttachment.namespaceTapName
    }

    /// The MAC the card shows at probe; init sets eth0's own before START.
    var probeConfig: NetworkDeviceConfig {
        switch attachment.hostSide {
        case .namespaceInterface: NetworkDeviceConfig(mac: [0x02, 0x00, 0x00, 0x00, 0x00, 0x01], mtu: 1500)
        case .tap(_, let guest): NetworkDeviceConfig(mac: guest.mac, mtu: UInt16(clamping: guest.mtu))
        case .passt: NetworkDeviceConfig(mac: Passt.guest.mac, mtu: UInt16(clamping: Passt.guest.mtu))
        }
    }

    func attach(_ context: DeviceContext, at slot: VirtioSlot) throws(MachineError) -> VirtioMMIOTransport {
        let latch = context.latch
        let transport: VirtioMMIOTransport
        do {
            if let vhost, let tap {
                // The kicks go to the kernel's vhost worker, which waits on them itself.
                let (call, kicks) = try slot.wire(queues: VhostNet.ringCount, in: context.vm, nonBlockingKicks: false)
                let device = VhostNetwork(config: probeConfig, vhost: vhost, tap: tap.fd, kicks: kicks, call: call)
                transport = VirtioMMIOTransport(
                    device: device, name: "virtio-net", memory: context.memory, interrupt: IRQFDLine(eventFD: call),
                    reportsUsedBufferAlways: true, onFailure: { latch.finish(.failure(.device($0))) })
            } else {
                transport = try attachUserspace(context, at: slot)
            }
        } catch {
            throw MachineError(settingUp: error)
        }
        if let passt {
            context.loop.add(fd: passt.exitDescriptor) {
                latch.finish(.failure(.helper("passt exited during the run: the VM was stopped")))
            }
        }
        context.startPreparation.add { [self] () throws(MachineError) in
            do throws(NetworkError) {
                guard let configuration = try guestConfiguration() else { return [] }
                return [.network(configuration)]
            } catch {
                throw .network(error)
            }
        }
        return transport
    }

    /// Frames through the event loop: the port's descriptor and both kicks.
    private func attachUserspace(_ context: DeviceContext, at slot: VirtioSlot) throws -> VirtioMMIOTransport {
        let latch = context.latch
        let port: any FramePort = if let tap { TapFramePort(tap: tap) } else { StreamFramePort(socket: passt!.socket.rawValue) }
        let device = VirtioNetwork(config: probeConfig, port: port) {
            latch.finish(.failure(.helper("the network card's host side closed: the VM was stopped")))
        }
        let (interrupt, kicks) = try slot.wire(queues: device.queueCount, in: context.vm, nonBlockingKicks: true)
        let transport = VirtioMMIOTransport(
            device: device, name: "virtio-net", memory: context.memory, interrupt: IRQFDLine(eventFD: interrupt),
            onFailure: { latch.finish(.failure(.device($0))) })
        for (queue, kick) in kicks.enumerated() {
            context.loop.add(fd: kick.rawValue) {
                kick.wait()
                transport.queueNotified(queue)
            }
        }
        context.loop.add(fd: port.descriptor, isActive: { device.wantsFrames }) {
            transport.withActiveDevice { context throws(VirtioError) in try device.receivePending(context) }
        }
        return transport
    }

    /// eth0's configuration, read when the process is about to start; nil
    /// when the manager's namespace holds no interface (`--network none`).
    func guestConfiguration() throws(NetworkError) -> InterfaceConfiguration? {
        switch attachment.hostSide {
        case .passt:
            return Passt.guest
        case .tap(_, let guest):
            try tap?.setUp()
            return guest
        case .namespaceInterface:
            if let earlier = joined.withLock({ $0 }) { return earlier.configuration }
            guard let tap, let found = try NamespaceInterfaces.candidate(excluding: [tap.name]) else { return nil }
            try TrafficRedirect.connect(tap.index, found.index)
            joined.withLock { $0 = (found.index, found.configuration) }
            try tap.setUp()
            return found.configuration
        }
    }

    func finish() {
        if let earlier = joined.withLock({ state in defer { state = nil }; return state }) { TrafficRedirect.disconnect(earlier.index) }
        passt?.stop()
    }
}
