import HostFiles
import JSON

/// A JSON file vmm reads (config.json, a process file, the stored hooks),
/// its failures one line naming the file.
enum JSONFile {
    static func read(_ path: String) throws(BundleError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path)
        } catch {
            throw BundleError("cannot read \(path): \(error)")
        }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw BundleError("\(path) is not valid JSON: \(error)")
        }
    }
}
