import Glibc
import GuestImage
import OCI

/// What a container run resolves to: the process, and the root
/// filesystem shared with the guest (none: the initramfs is the root).
public struct ContainerSpec {
    public var process: ProcessDescription
    public var rootfs: String?
    public var readOnlyRoot = false
    /// A firmware stand-in for Linux (the bundle's dev.vmm.firmware annotation).
    public var firmware: String?
    /// What the bundle holds that vmm does not apply, for the caller to show.
    public var warnings: [String] = []

    /// A bundle as it is: the OCI monitor's case.
    public init(bundle: Bundle) {
        process = bundle.process
        rootfs = bundle.rootPath
        readOnlyRoot = bundle.readOnlyRoot
        warnings = bundle.warnings
        firmware = bundle.annotations.last { $0.0 == ContainerMachine.firmwareAnnotation }?.1
        process.rootFilesystem = .init(tag: "rootfs", readOnly: readOnlyRoot)
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
    public static func resolve(_ request: RunRequest) throws(CommandFailure) -> ContainerSpec {
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
            if !request.command.isEmpty { spec.process.arguments = request.command }
        } else {
            guard !request.command.isEmpty else {
                throw CommandFailure(message: "nothing to run: give a command after --, or --bundle DIR (no default bundle at \(defaultBundle): run scripts/setup.sh)")
            }
            spec = ContainerSpec(process: ProcessDescription(arguments: request.command), rootfs: request.rootfs, readOnlyRoot: request.readOnlyRoot)
            spec.process.environment = defaultEnvironment
        }
        spec.apply(request)
        if spec.rootfs != nil {
            spec.process.rootFilesystem = .init(tag: "rootfs", readOnly: spec.readOnlyRoot)
        }
        return spec
    }

    mutating func apply(_ request: RunRequest) {
        if request.terminal {
            process.terminal = true
            if !process.environment.contains(where: { $0.hasPrefix("TERM=") }) {
                process.environment.append("TERM=\(getenv("TERM").map { String(cString: $0) } ?? "xterm")")
            }
        }
        process.environment += request.environment
        if let workingDirectory = request.workingDirectory { process.workingDirectory = workingDirectory }
        if let hostname = request.hostname { process.hostname = hostname }
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

    public init() {}
}
