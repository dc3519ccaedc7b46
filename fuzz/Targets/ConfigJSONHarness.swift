import GuestImage
import Glibc
import JSON
import OCI

/// config.json as a manager writes it: the JSON reader, the runtime-spec
/// reading and mapping (mounts, namespaces, resources, hooks), and the
/// process description init gets, encoded.
enum ConfigJSONHarness {
    /// A bundle directory with a rootfs, so a spec that passes every check
    /// goes all the way through.
    static let bundle: String = {
        let path = "/tmp/vmm-fuzz-bundle-\(getpid())"
        mkdir(path, 0o700)
        mkdir(path + "/rootfs", 0o700)
        return path
    }()

    static func run(_ data: [UInt8]) -> Outcome {
        guard let json = try? JSONParser.parse(data) else { return .refused }
        // What vmm writes back (state, the stored copy of config.json) reads as it was.
        let written = JSONWriter.write(json)
        precondition((try? JSONParser.parse(Array(written.utf8))) == json, "JSON does not survive writing and reading: \(written)")
        let configPath = bundle + "/config.json"
        let parsed: Bundle
        do {
            parsed = try Bundle.read(json, directory: bundle, configPath: configPath)
        } catch {
            // The promise to users: one line that names the file (and the field).
            precondition(error.message.hasPrefix(configPath + ": ") && !error.message.contains("\n"), "not one line naming the file: \(error.message)")
            return .refused
        }
        return (try? parsed.process.encoded()) != nil ? .accepted : .refused
    }
}
