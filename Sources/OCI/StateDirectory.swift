import JSON
import Glibc
import HostFiles

/// Where a container's state lives: `<root>/<id>/` with state.json and the
/// monitor's command socket. The directory exists exactly while the
/// container does.
public struct StateDirectory: Sendable {
    public static let defaultRoot = "/run/vmm"

    public let root: String
    public let id: String

    public var path: String { "\(root)/\(id)" }
    public var statePath: String { "\(path)/state.json" }
    public var socketPath: String { "\(path)/monitor.sock" }
    /// The bundle's hooks, kept for `start` and `delete` (the bundle may change meanwhile).
    public var hooksPath: String { "\(path)/\(Self.hooksName)" }
    public static let hooksName = "hooks.json"

    /// An ID names a directory: at most NAME_MAX bytes.
    public static let maximumIDLength = 255

    /// IDs become path names and log fields: runc's rule (letters, digits,
    /// `_ + - .`; no dot-names), a sane length.
    public init(root: String, id: String) throws(BundleError) {
        guard id.utf8.count <= Self.maximumIDLength else {
            throw BundleError("invalid container ID: \(id.utf8.count) bytes, at most \(Self.maximumIDLength) (it names a directory)")
        }
        guard !id.isEmpty, id != ".", id != "..", id.utf8.allSatisfy(Self.allowedInID) else {
            // BundleError escapes a newline or terminal escape in it.
            throw BundleError("invalid container ID '\(id)' (letters, digits, '_', '+', '-' and '.' only)")
        }
        self.root = root
        self.id = id
    }

    static func allowedInID(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    /// Creates the directory; fails if the container already exists.
    public func create() throws(BundleError) {
        // With its parents, as runc makes it (managers pass deep roots).
        var made = root.hasPrefix("/") ? "" : "."
        for part in root.split(separator: "/", omittingEmptySubsequences: true) {
            made += "/" + part
            if mkdir(made, 0o711) != 0 && errno != EEXIST {
                throw BundleError("cannot create the state root \(root): \(String(cString: strerror(errno)))")
            }
        }
        guard mkdir(path, 0o700) == 0 else {
            if errno == EEXIST { throw BundleError("container \(id) already exists") }
            throw BundleError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    public var exists: Bool { PathKind.of(path) == .directory }

    /// A symlink where the container's directory should be was not made by
    /// vmm (create makes a directory): reading or removing through it would
    /// act on files outside the state root.
    var isSymlink: Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    public func read() throws(BundleError) -> ContainerState {
        guard !isSymlink else { throw BundleError("\(path) is a symlink, not a state directory vmm made: refusing to use it") }
        guard exists else { throw BundleError("container \(id) does not exist") }
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(statePath)
        } catch {
            throw BundleError("container \(id) is still being created or its state is lost (\(statePath): \(error))")
        }
        let state: ContainerState
        do {
            state = try ContainerState(stored: try JSONParser.parse(bytes))
        } catch let error as BundleError {
            throw error
        } catch {
            throw BundleError("\(statePath) is damaged: \(error)")
        }
        guard state.id == id else { throw BundleError("\(statePath) is damaged: it names container '\(state.id)'") }
        return state
    }

    /// Writes state.json atomically (a reader never sees half a file).
    public func write(_ state: ContainerState) throws(BundleError) {
        let temporary = statePath + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BundleError("cannot write \(statePath): \(String(cString: strerror(errno)))") }
        let failure = writeAll(JSONWriter.write(state.stored), to: fd)
        close(fd)
        guard failure == 0 else { throw BundleError("cannot write \(statePath): \(String(cString: strerror(failure)))") }
        guard rename(temporary, statePath) == 0 else {
            throw BundleError("cannot write \(statePath): \(String(cString: strerror(errno)))")
        }
    }

    public func writeHooks(_ hooks: Hooks) throws(BundleError) {
        let fd = open(hooksPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BundleError("cannot write \(hooksPath): \(String(cString: strerror(errno)))") }
        let failure = writeAll(JSONWriter.write(hooks.json), to: fd)
        close(fd)
        guard failure == 0 else { throw BundleError("cannot write \(hooksPath): \(String(cString: strerror(failure)))") }
    }

    /// The hooks `create` kept; none when it kept none.
    public func readHooks() throws(BundleError) -> Hooks {
        guard PathKind.of(hooksPath) != nil else { return Hooks() }
        return try Hooks.read(try JSONFile.read(hooksPath), file: hooksPath)
    }

    /// Removes what vmm put there (state, socket, virtiofsd's runtime
    /// directories), then the directory itself.
    public func remove() {
        guard !isSymlink else { return }
        if let listing = opendir(path) {
            while let entry = readdir(listing) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.hasPrefix("vmm-") else { continue }
                unlink("\(path)/\(name)/virtiofsd.sock")
                rmdir("\(path)/\(name)")
            }
            closedir(listing)
        }
        unlink(statePath)
        unlink(statePath + ".new")
        unlink(socketPath)
        unlink(hooksPath)
        rmdir(path)
    }
}
