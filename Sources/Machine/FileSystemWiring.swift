import Timeline
import Devices
import Glibc
import GuestMemory
import KVM
import VhostUser
import OS

/// The virtio-fs device wired to the VM and to virtiofsd: vhost-user
/// negotiated and the memory table sent while the guest boots (on the
/// connector's thread), the rings handed over when the driver is ready,
/// and the VM stopped if virtiofsd dies.
struct FileSystemWiring {
    static let tag = "rootfs"

    let transport: VirtioMMIOTransport
    let virtiofsd: Virtiofsd
    let connector: BackendConnector

    init(virtiofsd: Virtiofsd, vm: VirtioMachineParts, latch: StopLatch, timeline: BootTimeline, loop: EventLoop) throws(MachineError) {
        connector = try BackendConnector(virtiofsd: virtiofsd, memory: vm.memory, timeline: timeline) { latch.finish(.failure($0)) }
        do {
            let call = try EventFD()
            try vm.vm.registerIRQFD(call, gsi: VirtioLayout.fileSystemGSI)
            var kicks: [EventFD] = []
            for queue in 0..<(1 + Int(VirtioFileSystem.requestQueues)) {
                let kick = try EventFD()
                try vm.vm.registerIOEventFD(
                    kick, address: VirtioLayout.fileSystemBase + VirtioMMIOTransport.queueNotifyOffset, length: 4, value: UInt64(queue))
                kicks.append(kick)
            }
            let connector = self.connector
            let device = VirtioFileSystem(
                tag: Self.tag, kicks: kicks, call: call,
                onActivated: { timeline.record(.virtiofsRingsStarted) },
                frontend: { () throws(VirtioError) in try connector.frontend() })
            transport = VirtioMMIOTransport(
                device: device, name: "virtio-fs", memory: vm.memory, interrupt: IRQFDLine(eventFD: call),
                reportsUsedBufferAlways: true, onFailure: { latch.finish(.failure(.device($0))) })
        } catch {
            throw MachineError(settingUp: error)
        }
        self.virtiofsd = virtiofsd
        loop.add(fd: virtiofsd.processFD.rawValue) {
            latch.finish(.failure(.helper(virtiofsd.deathMessage())))
        }
    }
}
