import GuestImage
import JSON

/// `vmm exec --process FILE`: a runtime-spec Process object (what podman
/// and containerd's shim write), read with config.json's rules.
public enum ProcessFile {
    /// The process, and what of it vmm does not apply (one line each).
    public static func read(_ path: String) throws(BundleError) -> (ProcessDescription, [String]) {
        let json = try JSONFile.read(path)
        guard case .object = json else { throw BundleError("\(path): the top level is not an object") }
        var reader = SpecReader(json: json, file: path)
        let process = try reader.readProcess(json)
        return (process, reader.warnings)
    }
}
