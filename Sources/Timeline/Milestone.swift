/// A kind of moment on the boot timeline. `id` is the stable name the JSON
/// schema uses (docs/timeline.md); `name` is for people.
public struct Milestone: Hashable, Sendable {
    /// Main milestones follow one another, so the gaps between them are the
    /// phases of a boot; background ones happen beside them.
    public enum Lane: String, Sendable {
        case main, background
    }

    public let id: String
    public let name: String
    public let lane: Lane

    public init(id: String, name: String, lane: Lane = .main) {
        self.id = id
        self.name = name
        self.lane = lane
    }
}

extension Milestone {
    public static let processStart = Milestone(id: "process_start", name: "process start")
    public static let initramfsBuilt = Milestone(id: "initramfs_built", name: "initramfs built")
    public static let virtiofsdSpawned = Milestone(id: "virtiofsd_spawned", name: "virtiofsd spawned")
    public static let kvmReady = Milestone(id: "kvm_ready", name: "KVM ready")
    public static let memoryMapped = Milestone(id: "memory_mapped", name: "guest memory mapped")
    public static let vcpusCreated = Milestone(id: "vcpus_created", name: "vCPUs created")
    public static let firmwareLoaded = Milestone(id: "firmware_loaded", name: "firmware loaded")
    public static let kernelLoaded = Milestone(id: "kernel_loaded", name: "kernel loaded")
    public static let vcpusConfigured = Milestone(id: "vcpus_configured", name: "vCPUs configured")
    public static let devicesReady = Milestone(id: "devices_ready", name: "devices ready")
    public static let firstVCPUEntry = Milestone(id: "first_vcpu_entry", name: "first vCPU entry")
    public static let firstGuestExit = Milestone(id: "first_guest_exit", name: "first guest exit")
    public static let guestReady = Milestone(id: "guest_ready", name: "init ready (host)")
    public static let processStarted = Milestone(id: "process_started", name: "process started (host)")
    public static let processExited = Milestone(id: "process_exited", name: "process exited (host)")
    public static let vmStopped = Milestone(id: "vm_stopped", name: "VM stopped")
    public static let memoryMeasured = Milestone(id: "memory_measured", name: "memory measured")
    public static let teardownDone = Milestone(id: "teardown_done", name: "teardown done")

    public static let vcpuThreadsStarted = Milestone(id: "vcpu_threads_started", name: "vCPU threads started", lane: .background)
    public static let virtiofsdListening = Milestone(id: "virtiofsd_listening", name: "virtiofsd listening", lane: .background)
    public static let virtiofsdConnected = Milestone(id: "virtiofsd_connected", name: "virtiofsd connected", lane: .background)
    public static let virtiofsRingsStarted = Milestone(
        id: "virtiofs_rings_started", name: "virtio-fs rings handed to virtiofsd", lane: .background)

    /// A marker the guest wrote to the boot-timer port: guest init's by
    /// name (guest/PROTOCOL.md §4), others (firmware's 1–9) by number.
    public static func guestMarker(_ value: UInt64) -> Milestone {
        switch value {
        case 0x100: Milestone(id: "init_started", name: "init started (guest)")
        case 0x101: Milestone(id: "init_rootfs_ready", name: "init: root filesystem ready (guest)")
        case 0x102: Milestone(id: "init_ready_sent", name: "init: ready sent (guest)")
        case 0x103: Milestone(id: "process_exec", name: "process exec (guest)")
        default: Milestone(id: "guest_marker_\(value)", name: "guest marker \(value)")
        }
    }
}
