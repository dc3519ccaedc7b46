import LittleEndian

/// What init runs and how: the `/vmm/process` file of guest/PROTOCOL.md §1.
/// Binary records, so arguments and environment keep every byte.
public struct ProcessDescription: Equatable, Sendable {
    public struct ResourceLimit: Equatable, Sendable {
        public static let infinity = UInt64.max
        public var resource: UInt32
        public var soft: UInt64
        public var hard: UInt64

        public init(resource: UInt32, soft: UInt64, hard: UInt64) {
            self.resource = resource
            self.soft = soft
            self.hard = hard
        }
    }

    public struct Mount: Equatable, Sendable {
        public var type: String
        public var source: String
        public var target: String
        public var flags: UInt32
        public var data: String

        public init(type: String, source: String, target: String, flags: UInt32 = 0, data: String = "") {
            self.type = type
            self.source = source
            self.target = target
            self.flags = flags
            self.data = data
        }
    }

    public struct RootFilesystem: Equatable, Sendable {
        public var tag: String
        public var readOnly: Bool

        public init(tag: String, readOnly: Bool) {
            self.tag = tag
            self.readOnly = readOnly
        }
    }

    /// The capability sets, a bit per CAP_* number.
    public struct Capabilities: Equatable, Sendable {
        public var bounding: UInt64 = 0
        public var effective: UInt64 = 0
        public var permitted: UInt64 = 0
        public var inheritable: UInt64 = 0
        public var ambient: UInt64 = 0

        public init(bounding: UInt64 = 0, effective: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0, ambient: UInt64 = 0) {
            self.bounding = bounding
            self.effective = effective
            self.permitted = permitted
            self.inheritable = inheritable
            self.ambient = ambient
        }
    }

    /// A sysctl (`kernel.msgmax`), or a file of the container's cgroup (`pids.max`), and its value.
    public struct Setting: Equatable, Sendable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }

        /// Dot-separated names, none empty, no '/': init writes
        /// /proc/sys/<key with '/' for '.'>, which must stay under /proc/sys.
        public static func isSysctlKey(_ key: String) -> Bool {
            !key.contains("/") && !key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        }

        /// One file name of the container's cgroup directory.
        public static func isCgroupFile(_ key: String) -> Bool {
            !key.isEmpty && !key.contains("/") && key != "." && key != ".."
        }
    }

    /// A node of linux.devices, made in the container's /dev.
    public struct Device: Equatable, Sendable {
        /// "c", "b", "u" (a character device, unbuffered) or "p" (a FIFO).
        public static let types: Set<String> = ["c", "b", "u", "p"]
        public var path: String
        public var type: String
        public var major: UInt32 = 0
        public var minor: UInt32 = 0
        public var mode: UInt32 = 0o666
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0

        public init(path: String, type: String, major: UInt32 = 0, minor: UInt32 = 0, mode: UInt32 = 0o666, uid: UInt32 = 0, gid: UInt32 = 0) {
            self.path = path
            self.type = type
            self.major = major
            self.minor = minor
            self.mode = mode
            self.uid = uid
            self.gid = gid
        }
    }

    public struct ConsoleSize: Equatable, Sendable {
        public var rows: UInt16
        public var columns: UInt16

        public init(rows: UInt16, columns: UInt16) {
            self.rows = rows
            self.columns = columns
        }
    }

    public static let oomScoreAdjustmentRange: ClosedRange<Int32> = -1000...1000

    public var arguments: [String]
    public var environment: [String] = []
    public var workingDirectory: String?
    public var uid: UInt32?
    public var gid: UInt32?
    public var additionalGroups: [UInt32]?
    public var hostname: String?
    public var resourceLimits: [ResourceLimit] = []
    public var terminal = false
    /// process.consoleSize: the size the host terminal starts with, set
    /// before the manager gets it (as runc does), so a process that asks at
    /// once sees it rather than 0x0. Host-side only: the guest's terminal
    /// takes the host's size as it takes every resize.
    public var consoleSize: ConsoleSize?
    public var rootFilesystem: RootFilesystem?
    public var mounts: [Mount] = []
    public var umask: UInt32?
    /// The virtio-fs tag of the share holding host bind-mount sources; a
    /// bind MOUNT with a relative source names one of its entries.
    public var bindShare: String?
    /// nil: the process keeps root's capabilities (runc, without process.capabilities).
    public var capabilities: Capabilities?
    public var noNewPrivileges = false
    public var oomScoreAdjustment: Int32?
    public var sysctls: [Setting] = []
    /// Files of the container's cgroup init writes (linux.resources.pids: `pids.max`).
    public var cgroupFiles: [Setting] = []
    public var devices: [Device] = []

    public init(arguments: [String]) {
        self.arguments = arguments
    }

    enum Tag: UInt16 {
        case argument = 1, environment, workingDirectory, uid, gid, groups, hostname, resourceLimit
        case terminal, rootFilesystem, mount, umask, bindShare
        case capabilities, noNewPrivileges, oomScoreAdjustment, sysctl, device, cgroup
    }

    static let magic = Array("VMMPROC1".utf8)
    /// MS_BIND.
    static let bindFlag: UInt32 = 0x1000

    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case noArguments
        case containsNUL(field: String)
        case notAbsolute(field: String, path: String)
        case umaskTooWide(UInt32)
        case fieldTooLong(field: String)
        case bindEntry(String)
        case oomScoreAdjustment(Int32)
        case sysctlKey(String)
        case cgroupFile(String)
        case device(path: String, why: String)

        public var description: String {
            switch self {
            case .noArguments: "the process has no arguments (nothing to run)"
            case .containsNUL(let field): "\(field) contains a NUL byte"
            case .notAbsolute(let field, let path): "\(field) '\(path)' is not an absolute path"
            case .umaskTooWide(let value): "umask 0\(String(value, radix: 8)) is wider than 0777"
            case .fieldTooLong(let field): "\(field) is longer than 65535 bytes"
            case .bindEntry(let name): "bind mount source '\(name)' is neither an absolute path nor an entry of the bind share"
            case .oomScoreAdjustment(let value): "oomScoreAdj \(value) is outside -1000...1000"
            case .sysctlKey(let key): "sysctl key '\(key)' is not dot-separated names (no '/', none empty)"
            case .cgroupFile(let key): "cgroup file '\(key)' is not one file name"
            case .device(let path, let why): "device \(path): \(why)"
            }
        }
    }

    /// The rules init enforces, checked on the host so the user hears
    /// about a mistake before a VM starts.
    public func validate() throws(ValidationError) {
        guard !arguments.isEmpty else { throw .noArguments }
        func clean(_ value: String, _ field: String) throws(ValidationError) {
            if value.utf8.contains(0) { throw .containsNUL(field: field) }
        }
        for argument in arguments { try clean(argument, "an argument") }
        for variable in environment { try clean(variable, "an environment variable") }
        if let workingDirectory {
            try clean(workingDirectory, "the working directory")
            guard workingDirectory.hasPrefix("/") else { throw .notAbsolute(field: "the working directory", path: workingDirectory) }
        }
        if let hostname { try clean(hostname, "the hostname") }
        if let umask, umask > 0o777 { throw .umaskTooWide(umask) }
        if let oomScoreAdjustment, !Self.oomScoreAdjustmentRange.contains(oomScoreAdjustment) {
            throw .oomScoreAdjustment(oomScoreAdjustment)
        }
        for sysctl in sysctls {
            guard Setting.isSysctlKey(sysctl.key) else { throw .sysctlKey(sysctl.key) }
        }
        for file in cgroupFiles {
            guard Setting.isCgroupFile(file.key) else { throw .cgroupFile(file.key) }
        }
        for (kind, setting) in sysctls.map({ ("sysctl", $0) }) + cgroupFiles.map({ ("cgroup", $0) }) {
            for (field, value) in [("\(kind) key", setting.key), ("\(kind) value", setting.value)] {
                try clean(value, field)
                guard value.utf8.count <= Int(UInt16.max) else { throw .fieldTooLong(field: field) }
            }
        }
        for device in devices {
            try clean(device.path, "a device path")
            guard device.path.hasPrefix("/") else { throw .notAbsolute(field: "device path", path: device.path) }
            guard device.path.utf8.count <= Int(UInt16.max) else { throw .fieldTooLong(field: "device path") }
            guard Device.types.contains(device.type) else { throw .device(path: device.path, why: "type '\(device.type)' is not c, b, u or p") }
            guard device.mode <= 0o7777 else { throw .device(path: device.path, why: "mode 0\(String(device.mode, radix: 8)) is wider than 07777") }
        }
        for mount in mounts {
            for (field, value) in [("mount type", mount.type), ("mount source", mount.source), ("mount target", mount.target), ("mount options", mount.data)] {
                try clean(value, field)
                guard value.utf8.count <= Int(UInt16.max) else { throw .fieldTooLong(field: field) }
            }
            guard mount.target.hasPrefix("/") else { throw .notAbsolute(field: "mount target", path: mount.target) }
            if mount.flags & Self.bindFlag != 0, !mount.source.isEmpty, !mount.source.hasPrefix("/") {
                guard bindShare != nil, !mount.source.contains("/"), mount.source != ".", mount.source != ".." else {
                    throw .bindEntry(mount.source)
                }
            }
        }
    }

    public func encoded() throws(ValidationError) -> [UInt8] {
        try validate()
        var bytes = Self.magic
        func record(_ tag: Tag, _ value: [UInt8]) {
            bytes += tag.rawValue.littleEndianBytes + UInt32(value.count).littleEndianBytes + value
        }
        for argument in arguments { record(.argument, Array(argument.utf8)) }
        for variable in environment { record(.environment, Array(variable.utf8)) }
        if let workingDirectory { record(.workingDirectory, Array(workingDirectory.utf8)) }
        if let uid { record(.uid, uid.littleEndianBytes) }
        if let gid { record(.gid, gid.littleEndianBytes) }
        if let additionalGroups { record(.groups, additionalGroups.flatMap(\.littleEndianBytes)) }
        if let hostname { record(.hostname, Array(hostname.utf8)) }
        for limit in resourceLimits {
            record(.resourceLimit, limit.resource.littleEndianBytes + limit.soft.littleEndianBytes + limit.hard.littleEndianBytes)
        }
        if terminal { record(.terminal, [1]) }
        if let rootFilesystem { record(.rootFilesystem, [rootFilesystem.readOnly ? 1 : 0] + Array(rootFilesystem.tag.utf8)) }
        /// A u16-length-prefixed string inside a record (validate() bounded its length).
        func field(_ text: String) -> [UInt8] { UInt16(text.utf8.count).littleEndianBytes + Array(text.utf8) }
        for mount in mounts {
            record(.mount, field(mount.type) + field(mount.source) + field(mount.target) + mount.flags.littleEndianBytes + field(mount.data))
        }
        if let umask { record(.umask, umask.littleEndianBytes) }
        if let bindShare { record(.bindShare, Array(bindShare.utf8)) }
        if let capabilities {
            let sets = [capabilities.bounding, capabilities.effective, capabilities.permitted, capabilities.inheritable, capabilities.ambient]
            record(.capabilities, sets.flatMap(\.littleEndianBytes))
        }
        if noNewPrivileges { record(.noNewPrivileges, [1]) }
        if let oomScoreAdjustment { record(.oomScoreAdjustment, UInt32(bitPattern: oomScoreAdjustment).littleEndianBytes) }
        for sysctl in sysctls { record(.sysctl, field(sysctl.key) + field(sysctl.value)) }
        for file in cgroupFiles { record(.cgroup, field(file.key) + field(file.value)) }
        for device in devices {
            let numbers = [device.major, device.minor, device.mode, device.uid, device.gid].flatMap(\.littleEndianBytes)
            record(.device, field(device.path) + Array(device.type.utf8) + numbers)
        }
        return bytes
    }
}
