import Timeline
import Devices
import GuestMemory
import KVM

extension MachineConfiguration {
    /// One virtio device of the VM. The configuration lists them in slot
    /// order (VirtioSlot); `Device.make` is where each kind gets built.
    public enum Device: Sendable {
        /// The container's stdio and guest/PROTOCOL.md's control channel.
        case console
        /// A host directory over virtio-fs, served by its own virtiofsd.
        case fileSystem(SharedDirectory)
        /// Host files and directories as the entries `0`, `1`, … of one
        /// virtio-fs share (the container's bind mounts), made by bind
        /// mounts in its virtiofsd's own mount namespace.
        case bindMounts(tag: String, [BindSource])
        /// The network card (eth0), and what it connects to on the host.
        case network(NetworkAttachment)
    }

    /// One host path behind a bind mount.
    public struct BindSource: Sendable, Equatable {
        public var path: String
        public var isDirectory: Bool
        /// Enforced on the host, in virtiofsd's view.
        public var readOnly: Bool
        /// With the mounts below it (rbind).
        public var recursive: Bool

        public init(path: String, isDirectory: Bool, readOnly: Bool, recursive: Bool) {
            self.path = path
            self.isDirectory = isDirectory
            self.readOnly = readOnly
            self.recursive = recursive
        }
    }
}

extension MachineConfiguration.Device {
    /// Made before the VM exists, so a backend starts while it is built.
    func make(for configuration: MachineConfiguration) throws(MachineError) -> any MachineDevice {
        switch self {
        case .console: ConsoleDevice(stdio: configuration.stdio, lifecycle: configuration.lifecycle)
        case .fileSystem(let shared): try FileSystemDevice(shared, configuration: configuration)
        case .bindMounts(let tag, let sources): try FileSystemDevice(binding: sources, tag: tag, configuration: configuration)
        case .network(let attachment): try NetworkDevice(attachment, configuration: configuration)
        }
    }
}

/// What a device needs of the VM being built.
struct DeviceContext {
    let vm: VirtualMachine
    let memory: GuestMemory
    let latch: StopLatch
    let timeline: BootTimeline
    let loop: EventLoop
    /// The kernel's serial console (hvc0 goes there too without a terminal).
    let serialConsole: any OutputSink
    /// Where a device puts what init must get before START.
    let startPreparation: StartPreparation
}

/// One virtio device from its making to the VM's end; each kind owns its
/// wiring (eventfds, backend, event-loop sources).
protocol MachineDevice: AnyObject {
    /// Wires the device into the VM at its slot; the transport goes on
    /// the MMIO bus at the slot's base.
    func attach(_ context: DeviceContext, at slot: VirtioSlot) throws(MachineError) -> VirtioMMIOTransport
    /// The vCPUs are about to be joined: release what one may wait on.
    func vcpusStopping()
    /// The VM is over (on every way out, errors included).
    func finish()
    /// What the device is, for messages ("a shared directory").
    var kind: String { get }
    /// Init's control channel, when this device carries it.
    var guestChannel: GuestChannel? { get }
    /// Without an irqchip no virtio device works; this one's absence is
    /// harmless (the serial port takes over), others refuse the guest.
    var isOptionalWithoutIRQChip: Bool { get }
}

extension MachineDevice {
    func vcpusStopping() {}
    func finish() {}
    var guestChannel: GuestChannel? { nil }
    var isOptionalWithoutIRQChip: Bool { false }
}

/// The configuration's devices, built, attached and torn down the same way.
final class MachineDevices {
    private var devices: [any MachineDevice] = []

    init(_ configuration: MachineConfiguration) throws(MachineError) {
        guard configuration.devices.count <= VirtioSlot.capacity else {
            throw .invalidConfiguration("\(configuration.devices.count) virtio devices: at most \(VirtioSlot.capacity) fit the interrupt lines")
        }
        for request in configuration.devices {
            do {
                devices.append(try request.make(for: configuration))
            } catch {
                finish()
                throw error
            }
        }
    }

    /// Every device at its slot on the MMIO bus; without an irqchip only
    /// the optional ones, which are then left out.
    func attach(_ context: DeviceContext?, to set: inout DeviceSet) throws(MachineError) {
        guard let context else {
            if let needed = devices.first(where: { !$0.isOptionalWithoutIRQChip }) {
                throw .invalidConfiguration("\(needed.kind) needs a guest with an irqchip")
            }
            devices.removeAll()
            return
        }
        for (index, device) in devices.enumerated() {
            let slot = VirtioSlot(index: index)
            let transport = try device.attach(context, at: slot)
            try set.registerMMIO(transport, base: slot.base, length: VirtioMMIOTransport.windowSize)
        }
    }

    var guestChannel: GuestChannel? { devices.lazy.compactMap(\.guestChannel).first }

    func vcpusStopping() {
        for device in devices { device.vcpusStopping() }
    }

    /// Last made, first finished: the console's output goes out last.
    func finish() {
        for device in devices.reversed() { device.finish() }
    }
}
