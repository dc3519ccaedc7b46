import JSON
/// What `vmm state` reports (runtime-spec "state"), plus what vmm keeps
/// for itself: the exit status once the monitor has finished.
public struct ContainerState: Equatable, Sendable {
    public enum Status: String, Sendable {
        case creating, created, running, paused, stopped
    }

    public static let ociVersion = "1.0.2"

    public var id: String
    public var status: Status
    /// The monitor process: the VMM, whose exit status is the container's.
    public var pid: Int32
    public var bundle: String
    public var annotations: [(String, String)] = []
    public var exitStatus: Int32?

    public init(id: String, status: Status, pid: Int32, bundle: String) {
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
    }

    public static func == (lhs: ContainerState, rhs: ContainerState) -> Bool {
        lhs.id == rhs.id && lhs.status == rhs.status && lhs.pid == rhs.pid && lhs.bundle == rhs.bundle
            && lhs.annotations.map(\.0) == rhs.annotations.map(\.0) && lhs.annotations.map(\.1) == rhs.annotations.map(\.1)
            && lhs.exitStatus == rhs.exitStatus
    }

    /// The runtime-spec state document (what `vmm state` prints).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("ociVersion", .string(Self.ociVersion)), ("id", .string(id)), ("status", .string(status.rawValue)),
        ]
        if status != .stopped { members.append(("pid", .number(String(pid)))) }
        members.append(("bundle", .string(bundle)))
        members.append(("annotations", .object(annotations.map { ($0.0, JSONValue.string($0.1)) })))
        return .object(members)
    }

    /// What vmm stores: the state document plus the monitor pid and exit status.
    public var stored: JSONValue {
        guard case .object(var members) = json else { return json }
        members.removeAll { $0.0 == "pid" }
        members.append(("pid", .number(String(pid))))
        if let exitStatus { members.append(("exitStatus", .number(String(exitStatus)))) }
        return .object(members)
    }

    public init(stored value: JSONValue) throws(BundleError) {
        guard case .string(let id) = value["id"] ?? .null,
              case .string(let statusText) = value["status"] ?? .null, let status = Status(rawValue: statusText),
              case .number(let pidText) = value["pid"] ?? .null, let pid = Int32(pidText),
              case .string(let bundle) = value["bundle"] ?? .null else {
            throw BundleError("the container's state.json is damaged")
        }
        self.init(id: id, status: status, pid: pid, bundle: bundle)
        if case .object(let members) = value["annotations"] ?? .null {
            annotations = members.compactMap { if case .string(let text) = $0.1 { ($0.0, text) } else { nil } }
        }
        if case .number(let text) = value["exitStatus"] ?? .null { exitStatus = Int32(text) }
    }
}
