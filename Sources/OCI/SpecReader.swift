import JSON
import GuestImage

/// Reads the runtime-spec fields vmm applies from config.json, checking
/// types as it goes, and notes the ones it leaves alone.
struct SpecReader {
    let json: JSONValue
    let file: String
    /// Where relative bind-mount sources are.
    var bundle = "."
    var warnings: [String] = []

    struct Spec {
        var rootPath: String
        var readOnlyRoot: Bool
        var process: ProcessDescription
        var binds: [HostBind]
        var size: VMSize
        var annotations: [(String, String)]
        var hooks: Hooks
        var network: NetworkNamespaceRequest
    }

    init(json: JSONValue, file: String) {
        self.json = json
        self.file = file
    }

    mutating func read() throws(BundleError) -> Spec {
        guard case .object = json else { throw fail("the top level is not an object") }
        guard let processJSON = json["process"] else { throw fail("process is missing (nothing to run)") }
        var process = try readProcess(processJSON)
        guard let root = json["root"] else { throw fail("root is missing") }
        let rootPath = try string(root["path"], "root.path")
        let readOnly = try bool(root["readonly"], "root.readonly") ?? false
        process.hostname = try optionalString(json["hostname"], "hostname")
        let mounts = try MountTranslation.mounts(json["mounts"], into: process, file: file, bundle: bundle, warnings: &warnings)
        process = mounts.process
        let hooks = try Hooks.read(json["hooks"], file: file)
        var size = VMSize()
        var network = NetworkNamespaceRequest.host
        if let linux = json["linux"] {
            size = try readResources(linux["resources"])
            process.cgroupFiles = try readCgroupFiles(linux["resources"])
            process.mounts += try pathRules(linux)
            network = try readNamespaces(linux["namespaces"])
            process.sysctls = try readSysctls(linux["sysctl"])
            process.devices = try readDevices(linux["devices"])
            for field in ["uidMappings", "gidMappings"] where linux[field] != nil && linux[field] != .null && linux[field] != .array([]) {
                throw fail("linux.\(field): user namespaces are not supported yet (the mapping could not apply)")
            }
            let applied: Set<String> = ["cgroupsPath", "seccomp", "rootfsPropagation"]
            let ignored = linux.keys.filter { applied.contains($0) }
            if !ignored.isEmpty {
                warnings.append("\(file): linux.\(ignored.joined(separator: ", linux.")) not applied (the VM is the isolation boundary)")
            }
        }
        var annotations: [(String, String)] = []
        if case .object(let members) = json["annotations"] ?? .null {
            annotations = members.compactMap { if case .string(let text) = $0.1 { ($0.0, text) } else { nil } }
        }
        return Spec(rootPath: rootPath, readOnlyRoot: readOnly, process: process, binds: mounts.binds, size: size, annotations: annotations, hooks: hooks, network: network)
    }

    mutating func readProcess(_ json: JSONValue) throws(BundleError) -> ProcessDescription {
        let arguments = try stringArray(json["args"], "process.args")
        guard !arguments.isEmpty else { throw fail("process.args is empty (nothing to run)") }
        var process = ProcessDescription(arguments: arguments)
        process.environment = try json["env"].map { value throws(BundleError) in try stringArray(value, "process.env") } ?? []
        let cwd = try string(json["cwd"], "process.cwd")
        guard cwd.hasPrefix("/") else { throw fail("process.cwd '\(cwd)' is not an absolute path") }
        process.workingDirectory = cwd
        process.terminal = try bool(json["terminal"], "process.terminal") ?? false
        if let size = json["consoleSize"], size != .null {
            process.consoleSize = .init(rows: try uint16(size["height"], "process.consoleSize.height"), columns: try uint16(size["width"], "process.consoleSize.width"))
        }
        if let user = json["user"] {
            process.uid = try uint32(user["uid"], "process.user.uid")
            process.gid = try uint32(user["gid"], "process.user.gid")
            if let groups = user["additionalGids"] {
                guard case .array(let values) = groups else { throw fail("process.user.additionalGids is not an array") }
                var gids: [UInt32] = []
                for (index, value) in values.enumerated() { gids.append(try uint32(value, "process.user.additionalGids[\(index)]")) }
                process.additionalGroups = gids
            }
            if user["umask"] != nil { process.umask = try uint32(user["umask"], "process.user.umask") }
            if user["username"] != nil { warnings.append("\(file): process.user.username is not looked up (uid/gid are used)") }
        }
        if let limits = json["rlimits"] {
            guard case .array(let entries) = limits else { throw fail("process.rlimits is not an array") }
            for (index, entry) in entries.enumerated() {
                let name = try string(entry["type"], "process.rlimits[\(index)].type")
                guard let resource = ResourceNames.number(of: name) else { throw fail("process.rlimits[\(index)].type '\(name)' is not a known RLIMIT_*") }
                process.resourceLimits.append(.init(
                    resource: resource, soft: try uint64(entry["soft"], "process.rlimits[\(index)].soft"),
                    hard: try uint64(entry["hard"], "process.rlimits[\(index)].hard")))
            }
        }
        process.capabilities = try readCapabilities(json["capabilities"])
        process.noNewPrivileges = try bool(json["noNewPrivileges"], "process.noNewPrivileges") ?? false
        if let value = json["oomScoreAdj"], value != .null {
            guard case .number(let text) = value, let adjustment = Int32(text), ProcessDescription.oomScoreAdjustmentRange.contains(adjustment) else {
                throw fail("process.oomScoreAdj is not an integer from -1000 to 1000")
            }
            process.oomScoreAdjustment = adjustment
        }
        for ignored in ["apparmorProfile", "selinuxLabel", "ioPriority", "scheduler"] where json[ignored] != nil {
            warnings.append("\(file): process.\(ignored) is not applied inside the VM yet")
        }
        return process
    }

    /// process.capabilities: each set a list of CAP_* names. A name the
    /// guest kernel does not know is left out with a warning, as runc does.
    mutating func readCapabilities(_ value: JSONValue?) throws(BundleError) -> ProcessDescription.Capabilities? {
        guard let value, value != .null else { return nil }
        guard case .object = value else { throw fail("process.capabilities is not an object") }
        var capabilities = ProcessDescription.Capabilities()
        var unknown: [String] = []
        let sets: [(String, WritableKeyPath<ProcessDescription.Capabilities, UInt64>)] = [
            ("bounding", \.bounding), ("effective", \.effective), ("permitted", \.permitted), ("inheritable", \.inheritable), ("ambient", \.ambient),
        ]
        for (name, set) in sets {
            guard let list = value[name], list != .null else { continue }
            for capability in try stringArray(list, "process.capabilities.\(name)") {
                guard let number = CapabilityNames.number(of: capability) else {
                    if !unknown.contains(capability) { unknown.append(capability) }
                    continue
                }
                capabilities[keyPath: set] |= 1 << UInt64(number)
            }
        }
        if !unknown.isEmpty {
            warnings.append("\(file): process.capabilities: unknown \(unknown.joined(separator: ", ")) left out")
        }
        // The kernel raises an ambient capability only if it is permitted
        // and inheritable; runc and crun leave the others out (runc's and
        // crun's own default specs list ambient ones without inheritable).
        let unraisable = capabilities.ambient & ~(capabilities.permitted & capabilities.inheritable)
        if unraisable != 0 {
            capabilities.ambient &= ~unraisable
            let names = CapabilityNames.all.indices.filter { unraisable & (1 << UInt64($0)) != 0 }.map { CapabilityNames.all[$0] }
            warnings.append("\(file): process.capabilities.ambient: \(names.joined(separator: ", ")) not raised: an ambient capability must also be permitted and inheritable")
        }
        return capabilities
    }

    /// linux.sysctl: every key is set in the guest, whose kernel is the
    /// container's alone (so, as with Kata, not only the namespaced ones).
    func readSysctls(_ value: JSONValue?) throws(BundleError) -> [ProcessDescription.Setting] {
        guard let value, value != .null else { return [] }
        guard case .object(let members) = value else { throw fail("linux.sysctl is not an object") }
        var sysctls: [ProcessDescription.Setting] = []
        for (key, entry) in members {
            guard case .string(let text) = entry else { throw fail("linux.sysctl.\(key) is not a string") }
            guard ProcessDescription.Setting.isSysctlKey(key) else {
                throw fail("linux.sysctl key '\(key)' is not dot-separated names (no '/', none empty)")
            }
            sysctls.append(.init(key: key, value: text))
        }
        return sysctls
    }

    /// linux.devices: nodes init makes in the container's /dev. The numbers
    /// are the guest kernel's (the fixed ones, such as 1:3 or 10:229, name
    /// the same driver there as on the host).
    func readDevices(_ value: JSONValue?) throws(BundleError) -> [ProcessDescription.Device] {
        guard let value, value != .null else { return [] }
        guard case .array(let entries) = value else { throw fail("linux.devices is not an array") }
        var devices: [ProcessDescription.Device] = []
        for (index, entry) in entries.enumerated() {
            let field = "linux.devices[\(index)]"
            let path = try string(entry["path"], "\(field).path")
            guard path.hasPrefix("/") else { throw fail("\(field).path '\(path)' is not an absolute path") }
            let type = try string(entry["type"], "\(field).type")
            guard ProcessDescription.Device.types.contains(type) else { throw fail("\(field).type '\(type)' is not c, b, u or p") }
            var device = ProcessDescription.Device(path: path, type: type)
            if type != "p" {
                device.major = try uint32(entry["major"], "\(field).major")
                device.minor = try uint32(entry["minor"], "\(field).minor")
            }
            if let mode = entry["fileMode"], mode != .null {
                // podman writes the file type bits too (0o20666): only the permissions count.
                let bits = try uint32(mode, "\(field).fileMode")
                guard bits <= 0o177777 else { throw fail("\(field).fileMode \(bits) is not a file mode") }
                device.mode = bits & 0o7777
            }
            if let uid = entry["uid"], uid != .null { device.uid = try uint32(uid, "\(field).uid") }
            if let gid = entry["gid"], gid != .null { device.gid = try uint32(gid, "\(field).gid") }
            devices.append(device)
        }
        return devices
    }

    /// The process always gets its own PID, mount, UTS and IPC namespaces
    /// in the guest (init makes them); a user namespace is refused; the
    /// network one is where the VM's network card is wired (its path, or a
    /// new one); the other kinds, and joining one by path (a host path, out
    /// of a VM's reach), are named.
    mutating func readNamespaces(_ value: JSONValue?) throws(BundleError) -> NetworkNamespaceRequest {
        var network = NetworkNamespaceRequest.host
        guard let value, value != .null else { return network }
        guard case .array(let entries) = value else { throw fail("linux.namespaces is not an array") }
        var unapplied: [String] = []
        for (index, entry) in entries.enumerated() {
            let type = try string(entry["type"], "linux.namespaces[\(index)].type")
            let path = try optionalString(entry["path"], "linux.namespaces[\(index)].path")
            // Running without the mapping would give the process (and its
            // writes to bind mounts) other ids than the manager asked for.
            guard type != "user" else {
                throw fail("linux.namespaces[\(index)]: a user namespace is not supported yet (its uid/gid mappings could not apply)")
            }
            if type == "network" {
                network = path.flatMap { $0.isEmpty ? nil : NetworkNamespaceRequest.join($0) } ?? .new
            } else if let path, !path.isEmpty {
                unapplied.append("\(type) (joining \(path))")
            } else if !["pid", "mount", "uts", "ipc", "cgroup"].contains(type) {
                unapplied.append(type)
            }
        }
        if !unapplied.isEmpty {
            warnings.append("\(file): linux.namespaces not applied in the VM: \(unapplied.joined(separator: ", ")) (the process gets its own pid, mount, uts, ipc and cgroup namespaces)")
        }
        return network
    }

    /// linux.maskedPaths and linux.readonlyPaths as init's own MOUNT types
    /// (guest/PROTOCOL.md), after every other mount, as runc applies them.
    func pathRules(_ linux: JSONValue) throws(BundleError) -> [ProcessDescription.Mount] {
        var rules: [ProcessDescription.Mount] = []
        for (field, type) in [("maskedPaths", "vmm:mask"), ("readonlyPaths", "vmm:readonly")] {
            guard let value = linux[field], value != .null else { continue }
            for (index, path) in try stringArray(value, "linux.\(field)").enumerated() {
                guard path.hasPrefix("/") else { throw fail("linux.\(field)[\(index)] '\(path)' is not an absolute path") }
                rules.append(.init(type: type, source: "", target: path))
            }
        }
        return rules
    }

    // MARK: Typed field access

    func fail(_ message: String) -> BundleError { BundleError("\(file): \(message)") }

    func string(_ value: JSONValue?, _ field: String) throws(BundleError) -> String {
        guard let value else { throw fail("\(field) is missing") }
        guard case .string(let text) = value else { throw fail("\(field) is not a string") }
        return text
    }

    func optionalString(_ value: JSONValue?, _ field: String) throws(BundleError) -> String? {
        guard let value, value != .null else { return nil }
        return try string(value, field)
    }

    func bool(_ value: JSONValue?, _ field: String) throws(BundleError) -> Bool? {
        guard let value, value != .null else { return nil }
        guard case .bool(let flag) = value else { throw fail("\(field) is not true or false") }
        return flag
    }

    func stringArray(_ value: JSONValue?, _ field: String) throws(BundleError) -> [String] {
        guard let value else { throw fail("\(field) is missing") }
        guard case .array(let elements) = value else { throw fail("\(field) is not an array") }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else { throw fail("\(field)[\(index)] is not a string") }
            strings.append(text)
        }
        return strings
    }

    func uint64(_ value: JSONValue?, _ field: String) throws(BundleError) -> UInt64 {
        guard let value else { throw fail("\(field) is missing") }
        guard case .number(let text) = value, let number = UInt64(text) else { throw fail("\(field) is not a non-negative integer") }
        return number
    }

    func uint32(_ value: JSONValue?, _ field: String) throws(BundleError) -> UInt32 {
        let number = try uint64(value, field)
        guard number <= UInt64(UInt32.max) else { throw fail("\(field) \(number) is larger than 32 bits") }
        return UInt32(number)
    }

    func uint16(_ value: JSONValue?, _ field: String) throws(BundleError) -> UInt16 {
        let number = try uint64(value, field)
        guard number <= UInt64(UInt16.max) else { throw fail("\(field) \(number) is larger than 16 bits") }
        return UInt16(number)
    }
}

/// RLIMIT_* names to Linux resource numbers.
enum ResourceNames {
    static let all = ["RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
                      "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
                      "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"]

    static func number(of name: String) -> UInt32? {
        all.firstIndex(of: name).map { UInt32($0) }
    }
}
