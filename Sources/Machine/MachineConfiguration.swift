import Timeline
import Devices
import Boot
import GuestMemory
import KVM

/// Everything that describes one VM before it exists.
public struct MachineConfiguration: Sendable {
    public enum Payload: Sendable {
        /// A flat firmware image (firmware/README.md).
        case firmware(path: String)
        /// A Linux kernel (ELF vmlinux or bzImage), booted directly.
        case linux(LinuxPayload)
    }

    public struct LinuxPayload: Sendable {
        public var kernelPath: String
        public var initrdPath: String?
        /// An initramfs vmm made (the container's), instead of a file; its
        /// host files are copied straight into guest memory.
        public var initrdImage: (any InitrdSource & Sendable)?
        /// Replaces the default command line when set.
        public var commandLine: String?

        public init(kernelPath: String, initrdPath: String? = nil, commandLine: String? = nil) {
            self.kernelPath = kernelPath
            self.initrdPath = initrdPath
            self.commandLine = commandLine
        }
    }

    /// The serial console for kernel messages, a reset instead of a halt at
    /// reboot so the VM ends, no waiting on panic; per-CPU areas in 4 KiB
    /// pages (percpu_alloc=page), so the kernel does not zero a 2 MiB
    /// block per CPU it mostly hands back: each first touch of guest RAM is
    /// a nested-paging fault, and this saved 5.4 of 63.1 ms of an icount
    /// boot to init (benchmarks/boot_time.py). The VMM appends its virtio
    /// device list to whatever command line is used.
    public static let defaultCommandLine = "console=ttyS0 reboot=k panic=-1 percpu_alloc=page"
    /// For containers: the same, quiet (kernel chatter only with --debug).
    public static let containerCommandLine = "console=ttyS0 quiet reboot=k panic=-1 percpu_alloc=page"

    public static let defaultMemoryMiB: UInt64 = 128
    public static let maximumCPUs: UInt32 = 254  // APIC ids fit in 8 bits; 0xFF is broadcast

    public var payload: Payload
    public var memoryMiB: UInt64 = defaultMemoryMiB
    public var cpus: UInt32 = 1
    public var kvmDevicePath: String = KVMSystem.defaultPath
    /// The container's stdio: what the guest's stdin/stdout/stderr ports
    /// connect to on the host.
    public struct Stdio: Sendable {
        /// Read until EOF; nil means an empty stdin.
        public var input: Int32?
        public var output: any OutputSink
        public var error: any OutputSink
        /// The process has a terminal: port 0 (hvc0) carries its input and
        /// output, and `terminalFD`'s window size follows it.
        public var terminal = false
        public var terminalFD: Int32 = 0

        public init(input: Int32? = 0, output: any OutputSink = FileDescriptorSink(fileDescriptor: 1), error: any OutputSink = FileDescriptorSink(fileDescriptor: 2)) {
            self.input = input
            self.output = output
            self.error = error
        }
    }

    public var stdio = Stdio()

    /// A host directory shared with the guest over virtio-fs (the
    /// container's root filesystem), served by virtiofsd.
    public struct SharedDirectory: Sendable {
        /// The container's root: the tag init mounts as /.
        public static let rootTag = "rootfs"

        public var path: String
        public var readOnly: Bool
        /// The virtio-fs tag the guest mounts it by.
        public var tag: String

        public init(path: String, readOnly: Bool = false, tag: String = rootTag) {
            self.path = path
            self.readOnly = readOnly
            self.tag = tag
        }
    }

    /// The VM's virtio devices in slot order (VirtioSlot): the console
    /// first (firmware/README.md's address), then what the guest needs.
    /// Without an irqchip the console is left out (the serial port serves).
    public var devices: [Device] = [.console]

    /// Adds the device that shares `directory` with the guest.
    public mutating func share(_ directory: SharedDirectory) {
        devices.append(.fileSystem(directory))
    }

    /// What happens to a machine that the runtime's state follows.
    public enum Event: Sendable, Equatable {
        /// Init is ready and waits for START (OCI: the container is created).
        case ready
        /// START went to init (OCI: the container is running).
        case started
        /// Every vCPU is out of the guest, its clock held (OCI: paused).
        case paused
        /// The vCPUs run again (OCI: running).
        case resumed
    }

    /// How the process is started: at once (`vmm run`), or on a command
    /// (OCI `create` then `start`, through the monitor's socket).
    public struct Lifecycle: Sendable {
        public var startWhenReady = true
        /// Every event, in order, on the thread that saw it.
        public var onEvent: @Sendable (Event) -> Void = { _ in }
        /// A listening Unix socket taking MonitorRequest lines.
        public var commandSocket: Int32?

        public init() {}
    }

    public var lifecycle = Lifecycle()
    /// A container's init reports the process's exit; a reset or halt
    /// before that report means the kernel panicked or init died.
    public var expectsExitReport = false
    /// virtiofsd to run (default: PATH, then Debian's /usr/lib/qemu/virtiofsd).
    public var virtiofsdPath: String?
    /// Where the VM's private directory (virtiofsd's socket) is made.
    public var runtimeParent: String = "/tmp"
    /// The monitor's: when START's preparation has run, and before the
    /// container's own code does, the event loop's thread enters
    /// ProcessSandbox. nil: no sandbox.
    public var sandbox: Sandbox?

    public struct Sandbox: Sendable {
        /// The only directory left visible (absolute, canonical: the
        /// container's state, where runtimeParent is).
        public var keep: String
        /// A file in it the monitor must not change (the hooks `delete` runs).
        public var readOnly: String?

        public init(keep: String, readOnly: String?) {
            self.keep = keep
            self.readOnly = readOnly
        }
    }
    /// virtiofsd's log (nil: discarded); vmm's stderr with --debug.
    public var helperLog: Int32?
    /// Signals the caller has blocked in every thread for the VM to handle:
    /// forwarded to the process (SIGWINCH: a window-size update), or, with
    /// no process to forward to, ending the VM with 128 + the signal.
    public var forwardedSignals: [Int32] = []
    /// Where the guest's serial console goes.
    public var console: any OutputSink = FileDescriptorSink(fileDescriptor: 1)
    public var timeline = BootTimeline()
    /// Read peak RSS and the guest's resident memory from /proc when the
    /// vCPUs stop (its cost shows as its own timeline phase).
    public var measuresMemory = false
    /// Benchmarking aid: end the VM (status 0) at the guest's first exit,
    /// to time everything up to the kernel's first instructions.
    public var stopAtFirstExit = false

    public init(payload: Payload) {
        self.payload = payload
    }

    /// Checks the values a user typed, before anything is created.
    public func validate() throws(MachineError) {
        guard memoryMiB >= 1 else { throw .invalidConfiguration("--memory must be at least 1 MiB, got \(memoryMiB)") }
        guard memoryMiB <= GuestMemory.maximumSize >> 20 else {
            throw .invalidConfiguration("--memory \(memoryMiB) MiB is more than the \(GuestMemory.maximumSize >> 20) MiB vmm supports")
        }
        guard (1...Self.maximumCPUs).contains(cpus) else {
            throw .invalidConfiguration("--cpus must be between 1 and \(Self.maximumCPUs), got \(cpus)")
        }
    }
}


extension MachineConfiguration.Stdio {
    /// The same, with file-descriptor sinks reporting a vanished reader.
    func withBrokenPipeHandler(_ handler: @escaping @Sendable () -> Void) -> Self {
        var copy = self
        if let sink = output as? FileDescriptorSink { copy.output = FileDescriptorSink(fileDescriptor: sink.fileDescriptor, onBrokenPipe: handler) }
        if let sink = error as? FileDescriptorSink { copy.error = FileDescriptorSink(fileDescriptor: sink.fileDescriptor, onBrokenPipe: handler) }
        return copy
    }
}
