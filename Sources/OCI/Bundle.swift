import JSON
import GuestImage
import HostFiles

/// An OCI bundle (runtime-spec): `config.json` and the root filesystem it
/// names, read and checked, turned into what the VM needs.
public struct Bundle: Sendable {
    public let directory: String
    public let configPath: String
    /// Absolute path of the root filesystem on the host.
    public let rootPath: String
    public let readOnlyRoot: Bool
    /// The process, with the bundle's mounts that make sense in a VM.
    public let process: ProcessDescription
    /// The host paths its bind mounts share with the guest, in entry order.
    public let binds: [HostBind]
    /// What linux.resources asks of the VM's memory and vCPUs.
    public let size: VMSize
    /// Fields vmm does not apply, one line each, for the user to see once.
    public let warnings: [String]
    public let annotations: [(String, String)]
    /// Run by `vmm create`, `start` and `delete` on the host.
    public let hooks: Hooks
    /// The network namespace linux.namespaces asks for: the VM's network card is wired into it.
    public let network: NetworkNamespaceRequest

    public static func load(_ directory: String) throws(BundleError) -> Bundle {
        let configPath = directory.hasSuffix("/") ? directory + "config.json" : directory + "/config.json"
        guard PathKind.of(directory) == .directory else {
            throw BundleError("bundle \(directory): \(PathKind.of(directory) == nil ? "no such directory" : "not a directory")")
        }
        return try read(JSONFile.read(configPath), directory: directory, configPath: configPath)
    }

    /// A bundle from config.json's parsed text (what `load` read, or a fuzzer's).
    public static func read(_ json: JSONValue, directory: String, configPath: String) throws(BundleError) -> Bundle {
        var reader = SpecReader(json: json, file: configPath)
        reader.bundle = directory
        let spec = try reader.read()
        let root = spec.rootPath.hasPrefix("/") ? spec.rootPath : directory + "/" + spec.rootPath
        guard PathKind.of(root) == .directory else {
            throw BundleError("\(configPath): root.path \(root) \(PathKind.of(root) == nil ? "does not exist" : "is not a directory")")
        }
        return Bundle(
            directory: directory, configPath: configPath, rootPath: root, readOnlyRoot: spec.readOnlyRoot,
            process: spec.process, binds: spec.binds, size: spec.size, warnings: reader.warnings, annotations: spec.annotations,
            hooks: spec.hooks, network: spec.network)
    }
}
