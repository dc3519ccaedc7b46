import Glibc
import GuestImage
import HostFiles
import Machine
import OCI

/// What a container run resolves to: the process, and the root
/// filesystem shared with the guest (none: the initramfs is the root).
public struct ContainerSpec {
    public var process: ProcessDescription
    public var rootfs: String?
    public var readOnlyRoot = false
    /// Host paths behind the process's bind mounts, in bind-share entry order.
    public var binds: [HostBind] = []
    /// What the bundle asks of the VM's size (linux.resources, annotations).
    public var size = VMSize()
    public var annotations: [(String, String)] = []
    /// A firmware stand-in for Linux (the bundle's dev.vmm.firmware annotation).
    public var firmware: String?
    /// What the bundle holds that vmm does not apply, for the caller to show.
    public var warnings: [String] = []
    /// The VM's network card, if it gets one.
    public var network: MachineConfiguration.NetworkAttachment?

    /// A bundle as it is: the OCI monitor's case.
    public init(bundle: Bundle) {
        process = bundle.process
        rootfs = bundle.rootPath
        readOnlyRoot = bundle.readOnlyRoot
        binds = bundle.binds
        size = bundle.size
        annotations = bundle.annotations
        warnings = bundle.warnings + MachineSizing.warnings(for: bundle.size).map { "\(bundle.configPath): \($0)" }
        firmware = bundle.annotations.last { $0.0 == ContainerMachine.firmwareAnnotation }?.1
        process.rootFilesystem = .init(tag: "rootfs", readOnly: readOnlyRoot)
    }

    /// A bundle run by `vmm create`: its network namespace (the monitor
    /// lives in it) holds the host side of the VM's network card.
    public static func oci(bundle: Bundle) -> ContainerSpec {
        var spec = ContainerSpec(bundle: bundle)
        if bundle.network == .host {
            spec.warnings.append("\(bundle.configPath): linux.namespaces has no network namespace (the host's network): a VM cannot share it, so the container has lo only")
        } else {
            spec.network = .init(hostSide: .namespaceInterface)
        }
        return spec
    }

    init(process: ProcessDescription, rootfs: String?, readOnlyRoot: Bool) {
        self.process = process
        self.rootfs = rootfs
        self.readOnlyRoot = readOnlyRoot
    }

    /// `vmm run` with nothing else runs the default bundle the set-up builds.
    public static var defaultBundle: String {
        getenv("VMM_DEFAULT_BUNDLE").map { String(cString: $0) } ?? "/var/lib/vmm/bundles/busybox"
    }

    public static let defaultEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]

    /// The bundle (--bundle, else the default one when there is no
    /// --rootfs), or --rootfs, or the initramfs; command-line options win.
    /// `network` is vmm run's --network card.
    public static func resolve(_ request: RunRequest, network: MachineConfiguration.NetworkAttachment? = nil) throws(CommandFailure) -> ContainerSpec {
        var spec: ContainerSpec
        let bundlePath = request.bundle ?? (request.rootfs == nil && access(defaultBundle + "/config.json", R_OK) == 0 ? defaultBundle : nil)
        if let bundlePath {
            let bundle: Bundle
            do {
                bundle = try Bundle.load(bundlePath)
            } catch {
                throw CommandFailure(message: error.description)
            }
            spec = ContainerSpec(bundle: bundle)
            if !bundle.hooks.isEmpty {
                spec.warnings.append("\(bundle.configPath): hooks are not run by vmm run (vmm create, start and delete run them)")
            }
            // A new namespace would hold only lo, as vmm run gives without
            // --network; a joined one would carry the manager's network.
            if case .join(let path) = bundle.network, network == nil {
                spec.warnings.append("\(bundle.configPath): linux.namespaces joins the network namespace \(path), which vmm run does not enter: the container has lo only (vmm create/start wires it in; vmm run takes --network)")
            }
            if !request.command.isEmpty { spec.process.arguments = request.command }
        } else {
            guard !request.command.isEmpty else {
                throw CommandFailure(message: "nothing to run: give a command after --, or --bundle DIR (no default bundle at \(defaultBundle): run scripts/setup.sh)")
            }
            spec = ContainerSpec(process: ProcessDescription(arguments: request.command), rootfs: request.rootfs, readOnlyRoot: request.readOnlyRoot)
            spec.process.environment = defaultEnvironment
        }
        spec.network = network
        try spec.apply(request)
        if spec.rootfs != nil {
            spec.process.rootFilesystem = .init(tag: "rootfs", readOnly: spec.readOnlyRoot)
        }
        return spec
    }

    mutating func apply(_ request: RunRequest) throws(CommandFailure) {
        if request.terminal {
            process.terminal = true
            if !process.environment.contains(where: { $0.hasPrefix("TERM=") }) {
                process.environment.append("TERM=\(getenv("TERM").map { String(cString: $0) } ?? "xterm")")
            }
        }
        process.environment += request.environment
        if let workingDirectory = request.workingDirectory { process.workingDirectory = workingDirectory }
        if let hostname = request.hostname { process.hostname = hostname }
        for volume in request.volumes { try addVolume(volume) }
    }

    /// `--volume HOST:GUEST[:ro|:rw]`, as podman and docker write it: a
    /// recursive bind mount of a host path.
    mutating func addVolume(_ text: String) throws(CommandFailure) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts[0].hasPrefix("/"), parts[1].hasPrefix("/") else {
            throw CommandFailure(message: "--volume \(text): expected HOST:GUEST[:ro|:rw], both absolute paths")
        }
        let readOnly: Bool
        switch parts.count == 3 ? parts[2] : "rw" {
        case "ro": readOnly = true
        case "rw": readOnly = false
        default: throw CommandFailure(message: "--volume \(text): the mode is ro or rw, not '\(parts[2])'")
        }
        guard let kind = PathKind.of(parts[0]) else { throw CommandFailure(message: "--volume \(text): \(parts[0]) does not exist") }
        process.bindEntry(binds.count, at: parts[1], flags: (readOnly ? 1 : 0) | 0x4000 /* MS_REC */)
        binds.append(HostBind(source: parts[0], isDirectory: kind == .directory, readOnly: readOnly, recursive: true))
    }
}

/// What `vmm run` asks for, beside the machine's own options: a bundle or
/// a root, and what to change of the process. Command-line values win
/// over the bundle's.
public struct RunRequest {
    public var bundle: String?
    public var rootfs: String?
    public var readOnlyRoot = false
    public var command: [String] = []
    public var terminal = false
    public var environment: [String] = []
    public var workingDirectory: String?
    public var hostname: String?
    /// `HOST:GUEST[:ro|:rw]` bind mounts, in order.
    public var volumes: [String] = []

    public init() {}
}
