import JSON

/// config.json's hooks (runtime-spec config.md, "POSIX-platform Hooks"):
/// host programs run at fixed points of the lifecycle with the container's
/// state on stdin.
public struct Hooks: Equatable, Sendable {
    public struct Hook: Equatable, Sendable {
        public var path: String
        /// argv, argv[0] included; empty: the path alone.
        public var arguments: [String] = []
        /// The whole environment; nothing of vmm's is passed on.
        public var environment: [String] = []
        /// Seconds before the hook is killed and counted as failed.
        public var timeout: Int?

        public init(path: String, arguments: [String] = [], environment: [String] = [], timeout: Int? = nil) {
            self.path = path
            self.arguments = arguments
            self.environment = environment
            self.timeout = timeout
        }
    }

    /// In the order the lifecycle reaches them.
    public enum Stage: String, CaseIterable, Sendable {
        case prestart, createRuntime, createContainer, startContainer, poststart, poststop
    }

    public private(set) var stages: [Stage: [Hook]] = [:]

    public init() {}

    public subscript(stage: Stage) -> [Hook] {
        get { stages[stage] ?? [] }
        set { stages[stage] = newValue.isEmpty ? nil : newValue }
    }

    public var isEmpty: Bool { stages.isEmpty }

    /// Reads and checks `hooks`; `file` names config.json (or the stored
    /// copy) in errors.
    public static func read(_ value: JSONValue?, file: String) throws(BundleError) -> Hooks {
        var hooks = Hooks()
        guard let value, value != .null else { return hooks }
        guard case .object(let members) = value else { throw BundleError("\(file): hooks is not an object") }
        for (name, list) in members {
            guard let stage = Stage(rawValue: name) else { throw BundleError("\(file): hooks.\(name) is not a hook stage") }
            guard case .array(let entries) = list else { throw BundleError("\(file): hooks.\(name) is not an array") }
            for (index, entry) in entries.enumerated() {
                hooks[stage].append(try hook(entry, field: "hooks.\(name)[\(index)]", file: file))
            }
        }
        return hooks
    }

    static func hook(_ entry: JSONValue, field: String, file: String) throws(BundleError) -> Hook {
        func strings(_ key: String) throws(BundleError) -> [String] {
            guard let value = entry[key], value != .null else { return [] }
            guard case .array(let items) = value else { throw BundleError("\(file): \(field).\(key) is not an array") }
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item, !text.utf8.contains(0) else {
                    throw BundleError("\(file): \(field).\(key)[\(index)] is not a string")
                }
                texts.append(text)
            }
            return texts
        }
        guard case .string(let path) = entry["path"] ?? .null else { throw BundleError("\(file): \(field).path is missing or not a string") }
        guard path.hasPrefix("/"), !path.utf8.contains(0) else { throw BundleError("\(file): \(field).path '\(path)' is not an absolute path") }
        var hook = Hook(path: path, arguments: try strings("args"), environment: try strings("env"))
        if let timeout = entry["timeout"], timeout != .null {
            guard case .number(let text) = timeout, let seconds = Int(text), seconds > 0 else {
                throw BundleError("\(file): \(field).timeout is not a positive number of seconds")
            }
            hook.timeout = seconds
        }
        return hook
    }

    /// The same shape as config.json's, for the state directory's copy.
    public var json: JSONValue {
        .object(Stage.allCases.compactMap { stage in
            guard let list = stages[stage] else { return nil }
            return (stage.rawValue, .array(list.map { hook in
                var members: [(String, JSONValue)] = [("path", .string(hook.path))]
                if !hook.arguments.isEmpty { members.append(("args", .array(hook.arguments.map { .string($0) }))) }
                if !hook.environment.isEmpty { members.append(("env", .array(hook.environment.map { .string($0) }))) }
                if let timeout = hook.timeout { members.append(("timeout", .number(String(timeout)))) }
                return .object(members)
            }))
        })
    }
}
