import HostFiles

/// Reads an input file, naming it in the error.
enum HostFile {
    static func read(_ path: String, what: String) throws(MachineError) -> [UInt8] {
        do {
            return try readWholeFile(path)
        } catch {
            switch error {
            case .notARegularFile: throw .notARegularFile(what: what, path: path)
            case .system(let err): throw .fileUnreadable(what: what, path: path, errno: err)
            }
        }
    }
}
