import Timeline
import Devices
import Machine
import OCI

/// The machine for a container, from `vmm run` and the OCI monitor alike:
/// our kernel, an initramfs with init and the process, the root filesystem
/// over virtio-fs, quiet consoles unless debugging.
public enum ContainerMachine {
    /// Bundles may name a firmware guest in place of Linux: a stand-in that
    /// speaks guest/PROTOCOL.md, so the OCI lifecycle can be exercised on
    /// hosts that cannot boot Linux (tier 2 of docs/architecture.md's tests).
    public static let firmwareAnnotation = "dev.vmm.firmware"

    /// `timeline` gets the moment the initramfs is built.
    public static func configuration(
        spec: ContainerSpec, kernel: String?, commandLine: String?, user: String?, debug: Bool, timeline: BootTimeline
    ) throws(CommandFailure) -> MachineConfiguration {
        var configuration: MachineConfiguration
        if let firmware = spec.firmware {
            configuration = MachineConfiguration(payload: .firmware(path: firmware))
        } else {
            var payload = MachineConfiguration.LinuxPayload(kernelPath: try DefaultKernel.path(or: kernel), commandLine: commandLine ?? MachineConfiguration.containerCommandLine)
            payload.initrdImage = try ContainerImage.initramfs(for: spec, user: user)
            timeline.record(.initramfsBuilt)
            configuration = MachineConfiguration(payload: .linux(payload))
            configuration.expectsExitReport = true
            // Kernel and init messages stay off the container's output.
            configuration.console = debug ? FileDescriptorSink(fileDescriptor: 2) : DiscardingSink()
        }
        if let rootfs = spec.rootfs {
            if spec.readOnlyRoot { try MountPoints.create(in: rootfs, for: spec) }
            configuration.share(.init(path: rootfs, readOnly: spec.readOnlyRoot))
        }
        if !spec.binds.isEmpty {
            configuration.devices.append(.bindMounts(tag: HostBind.shareTag, spec.binds.map {
                .init(path: $0.source, isDirectory: $0.isDirectory, readOnly: $0.readOnly, recursive: $0.recursive)
            }))
        }
        if let network = spec.network { configuration.devices.append(.network(network)) }
        try MachineSizing.apply(spec, to: &configuration)
        configuration.stdio.terminal = spec.process.terminal
        configuration.helperLog = debug ? 2 : nil
        return configuration
    }
}
