import Devices
import Glibc
import GuestMemory
import KVM
import VhostUser

/// The virtio-fs device wired to the VM and to virtiofsd: vhost-user
/// negotiated and the memory table sent while the guest boots (on the
/// connector's thread), the rings handed over when the driver is ready,
/// and the VM stopped if virtiofsd dies.
struct FileSystemWiring {
    static let tag = "rootfs"

    let transport: VirtioMMIOTransport
    let virtiofsd: Virtiofsd
    /// Kept alive for KVM and virtiofsd: one kick eventfd per queue, the irqfd.
    let eventFDs: [EventFD]

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
                    kick, address: VirtioLayout.fileSystemBase + VirtioLayout.queueNotifyOffset, length: 4, value: UInt64(queue))
                kicks.append(kick)
            }
            let connector = self.connector
            let device = VirtioFileSystem(
                tag: Self.tag, kickFDs: kicks.map(\.rawValue), callFD: call.rawValue,
                onActivated: { timeline.record("virtio-fs rings handed to virtiofsd") },
                frontend: { () throws(VirtioError) in try connector.frontend() })
            transport = VirtioMMIOTransport(
                device: device, name: "virtio-fs", memory: vm.memory, interrupt: IRQFDLine(eventFD: call),
                reportsUsedBufferAlways: true, onFailure: { latch.finish(.failure(.device($0))) })
            eventFDs = kicks + [call]
        } catch {
            throw .kvm(error)
        }
        self.virtiofsd = virtiofsd
        let connector = self.connector
        loop.add(fd: virtiofsd.processFD.rawValue) {
            // Before the socket appeared the connector says the same; whichever comes first wins.
            let message = connector.isConnected
                ? "virtiofsd exited during the run (\(virtiofsd.describeExit())): the VM was stopped"
                : "virtiofsd exited before creating its socket (\(virtiofsd.describeExit()))"
            latch.finish(.failure(.helper(message)))
        }
    }
}

/// The VM's private directory (virtiofsd's socket), removed with the VM.
final class RuntimeDirectory: @unchecked Sendable {
    let path: String

    init(parent: String) throws(MachineError) {
        var template = Array("\(parent)/vmm-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .helper("cannot create the VM's runtime directory in \(parent): \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    deinit {
        // Only what vmm put there: the socket, then the directory itself.
        unlink("\(path)/virtiofsd.sock")
        rmdir(path)
    }

    var socketPath: String { "\(path)/virtiofsd.sock" }
}

/// virtiofsd and its runtime directory, torn down in that order.
final class SharedDirectoryService: @unchecked Sendable {
    let directory: RuntimeDirectory
    let virtiofsd: Virtiofsd

    /// Starts virtiofsd at once, so it comes up while the VM is built.
    init(_ shared: MachineConfiguration.SharedDirectory, configuration: MachineConfiguration) throws(MachineError) {
        var info = stat()
        guard stat(shared.path, &info) == 0 else {
            throw .helper("root filesystem \(shared.path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .helper("root filesystem \(shared.path): not a directory") }
        guard let binary = configuration.virtiofsdPath ?? HostReport.findVirtiofsd() else {
            throw .helper("virtiofsd not found on PATH nor at \(HostReport.virtiofsdFallback): apt-get install qemu-system-common")
        }
        guard access(binary, X_OK) == 0 else { throw .helper("virtiofsd \(binary): \(String(cString: strerror(errno)))") }
        directory = try RuntimeDirectory(parent: configuration.runtimeParent)
        virtiofsd = try Virtiofsd(binary: binary, directory: shared.path, socketPath: directory.socketPath, log: configuration.helperLog)
    }

    deinit {
        virtiofsd.stop()
    }
}
