import Glibc
import GuestImage
import OCI

/// What a container run resolves to: the process, and the root
/// filesystem shared with the guest (none: the initramfs is the root).
struct ContainerSpec {
    var process: ProcessDescription
    var rootfs: String?
    var readOnlyRoot = false
    /// A firmware stand-in for Linux (the bundle's dev.vmm.firmware annotation).
    var firmware: String?

    /// A bundle as it is: the OCI monitor's case.
    init(bundle: Bundle) {
        process = bundle.process
        rootfs = bundle.rootPath
        readOnlyRoot = bundle.readOnlyRoot
        firmware = bundle.annotations.last { $0.0 == ContainerMachine.firmwareAnnotation }?.1
        process.rootFilesystem = .init(tag: "rootfs", readOnly: readOnlyRoot)
    }

    init(process: ProcessDescription, rootfs: String?, readOnlyRoot: Bool) {
        self.process = process
        self.rootfs = rootfs
        self.readOnlyRoot = readOnlyRoot
    }

    /// `vmm run` with nothing else runs the default bundle the set-up builds.
    static var defaultBundle: String {
        getenv("VMM_DEFAULT_BUNDLE").map { String(cString: $0) } ?? "/var/lib/vmm/bundles/busybox"
    }

    static let defaultEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]

    /// The bundle (--bundle, else the default one when there is no
    /// --rootfs), or --rootfs, or the initramfs; command-line options win.
    static func resolve(_ options: RunOptions) throws(CommandFailure) -> ContainerSpec {
        var spec: ContainerSpec
        let bundlePath = options.bundle ?? (options.rootfs == nil && access(defaultBundle + "/config.json", R_OK) == 0 ? defaultBundle : nil)
        if let bundlePath {
            let bundle: Bundle
            do {
                bundle = try Bundle.load(bundlePath)
            } catch {
                throw CommandFailure(message: error.description)
            }
            for warning in bundle.warnings { writeStandardError("vmm: warning: \(warning)\n") }
            spec = ContainerSpec(bundle: bundle)
            if !options.command.isEmpty { spec.process.arguments = options.command }
        } else {
            guard !options.command.isEmpty else {
                throw CommandFailure(message: "nothing to run: give a command after --, or --bundle DIR (no default bundle at \(defaultBundle): run scripts/setup.sh)")
            }
            spec = ContainerSpec(process: ProcessDescription(arguments: options.command), rootfs: options.rootfs, readOnlyRoot: options.readOnlyRoot)
            spec.process.environment = defaultEnvironment
        }
        spec.apply(options)
        if spec.rootfs != nil {
            spec.process.rootFilesystem = .init(tag: "rootfs", readOnly: spec.readOnlyRoot)
        }
        return spec
    }

    mutating func apply(_ options: RunOptions) {
        if options.terminal {
            process.terminal = true
            if !process.environment.contains(where: { $0.hasPrefix("TERM=") }) {
                process.environment.append("TERM=\(getenv("TERM").map { String(cString: $0) } ?? "xterm")")
            }
        }
        process.environment += options.environment
        if let workingDirectory = options.workingDirectory { process.workingDirectory = workingDirectory }
        if let hostname = options.hostname { process.hostname = hostname }
    }
}
