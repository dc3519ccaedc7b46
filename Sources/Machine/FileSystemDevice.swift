import Timeline
import Devices
import Glibc
import KVM
import VhostUser
import OS

/// The virtio-fs device for one shared directory, with its virtiofsd:
/// the daemon started when the device is made (it comes up while the VM
/// is built), vhost-user negotiated and the memory table sent while the
/// guest boots (on the connector's thread), the rings handed over when the
/// driver is ready, and the VM stopped if virtiofsd dies.
final class FileSystemDevice: MachineDevice {
    let kind: String
    let tag: String
    private let service: SharedDirectoryService
    private var connector: BackendConnector?

    init(_ shared: MachineConfiguration.SharedDirectory, configuration: MachineConfiguration) throws(MachineError) {
        kind = "a shared directory"
        tag = shared.tag
        service = try SharedDirectoryService(shared, configuration: configuration)
        configuration.timeline.record(.virtiofsdSpawned)
    }

    init(binding sources: [MachineConfiguration.BindSource], tag: String, configuration: MachineConfiguration) throws(MachineError) {
        kind = "a bind mount"
        self.tag = tag
        service = try SharedDirectoryService(binding: sources, configuration: configuration)
    }

    func attach(_ context: DeviceContext, at slot: VirtioSlot) throws(MachineError) -> VirtioMMIOTransport {
        let virtiofsd = service.virtiofsd
        let latch = context.latch
        let timeline = context.timeline
        let connector = try BackendConnector(virtiofsd: virtiofsd, memory: context.memory, timeline: timeline) { latch.finish(.failure($0)) }
        self.connector = connector
        let transport: VirtioMMIOTransport
        do {
            // The kicks go to virtiofsd, which waits on them itself.
            let (call, kicks) = try slot.wire(queues: 1 + Int(VirtioFileSystem.requestQueues), in: context.vm, nonBlockingKicks: false)
            let device = VirtioFileSystem(
                tag: tag, kicks: kicks, call: call,
                onActivated: { timeline.record(.virtiofsRingsStarted) },
                frontend: { () throws(VirtioError) in try connector.frontend() })
            transport = VirtioMMIOTransport(
                device: device, name: "virtio-fs", memory: context.memory, interrupt: IRQFDLine(eventFD: call),
                reportsUsedBufferAlways: true, onFailure: { latch.finish(.failure(.device($0))) })
        } catch {
            throw MachineError(settingUp: error)
        }
        context.loop.add(fd: virtiofsd.processFD.rawValue) {
            latch.finish(.failure(.helper(virtiofsd.deathMessage())))
        }
        return transport
    }

    /// A vCPU may wait on the connector at DRIVER_OK, and the connector on
    /// virtiofsd: stopping virtiofsd lets both go.
    func vcpusStopping() {
        service.virtiofsd.stop()
    }

    /// virtiofsd stops (errors included), which lets the connector thread
    /// finish, which is then joined.
    func finish() {
        service.virtiofsd.stop()
        connector?.join()
        connector = nil
    }
}
