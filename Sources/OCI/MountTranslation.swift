import JSON
import GuestImage
import HostFiles

/// A host file or directory the container sees at a mount's destination:
/// shared with the guest as one entry of the bind share (its index names
/// it), `ro` enforced on the host side.
public struct HostBind: Equatable, Sendable {
    public var source: String
    public var isDirectory: Bool
    public var readOnly: Bool
    /// rbind: the mounts below the source come along.
    public var recursive: Bool

    /// The virtio-fs tag of the bind share (guest/PROTOCOL.md, BINDS).
    public static let shareTag = "vmm-binds"

    public init(source: String, isDirectory: Bool, readOnly: Bool, recursive: Bool) {
        self.source = source
        self.isDirectory = isDirectory
        self.readOnly = readOnly
        self.recursive = recursive
    }
}

extension ProcessDescription {
    /// Adds a bind mount of the bind share's entry `entry` (its index) at
    /// `destination`, with the mount(2) flags its options asked for
    /// (MS_RDONLY: 1).
    public mutating func bindEntry(_ entry: Int, at destination: String, flags: UInt32) {
        mounts.append(.init(type: "", source: String(entry), target: destination, flags: flags | MountTranslation.flagOptions["bind"]!))
        bindShare = HostBind.shareTag
    }
}

/// The bundle's mounts as MOUNT records for init, in config.json order:
/// filesystems the guest kernel makes itself, and bind mounts of host
/// paths, whose sources reach the guest through the bind share. Init
/// already provides /proc and /sys; a tmpfs on /dev makes the container's
/// own /dev (guest/src/devices.c), with the devpts and tmpfs mounts under
/// it as config.json has them.
enum MountTranslation {
    static let providedByInit: Set<String> = ["/proc", "/sys"]
    /// The VM's devices: a host directory bound there would hide them.
    static let deviceDirectories: Set<String> = ["/dev", "/dev/pts"]
    /// Where podman and Docker bind a host tmpfs for shared memory: in the
    /// VM a tmpfs of the guest's serves (a host shm cannot be shared anyway).
    static let sharedMemory = "/dev/shm"
    static let guestFilesystems: Set<String> = ["tmpfs", "proc", "sysfs", "devpts", "mqueue"]
    /// mount(2) flags for the options that are flags; the rest is data.
    static let flagOptions: [String: UInt32] = [
        "ro": 0x1, "nosuid": 0x2, "nodev": 0x4, "noexec": 0x8, "sync": 0x10, "remount": 0x20, "mand": 0x40,
        "dirsync": 0x80, "noatime": 0x400, "nodiratime": 0x800, "bind": 0x1000, "rbind": 0x1000 | 0x4000,
        "silent": 0x8000, "relatime": 0x20_0000, "strictatime": 0x100_0000,
        "private": 0x4_0000, "rprivate": 0x4_0000 | 0x4000, "slave": 0x8_0000, "rslave": 0x8_0000 | 0x4000,
        "shared": 0x10_0000, "rshared": 0x10_0000 | 0x4000, "unbindable": 0x2_0000, "runbindable": 0x2_0000 | 0x4000,
    ]
    /// Options that only clear a flag (the default already).
    static let clearingOptions: Set<String> = ["rw", "suid", "dev", "exec", "async", "atime", "diratime", "nomand", "norelatime"]
    /// Every option honoured on the mounts vmm makes, sorted (for `vmm features`).
    static var supportedOptions: [String] {
        Set(flagOptions.keys).union(clearingOptions).subtracting(["remount"]).sorted()
    }

    /// The mount(2) flags of those `options` that are in `kept`.
    static func flags(of options: [String], keeping kept: Set<String>) -> UInt32 {
        options.compactMap { kept.contains($0) ? flagOptions[$0] : nil }.reduce(0, |)
    }

    struct Translated {
        var process: ProcessDescription
        var binds: [HostBind] = []
    }

    /// `bundle`: where a relative bind source is (runtime-spec: relative to the bundle).
    /// Adds the mounts to `process`; returns it with the host paths to share.
    static func mounts(
        _ value: JSONValue?, into process: ProcessDescription, file: String, bundle: String, warnings: inout [String]
    ) throws(BundleError) -> Translated {
        var translated = Translated(process: process)
        guard let value, value != .null else { return translated }
        guard case .array(let entries) = value else { throw BundleError("\(file): mounts is not an array") }
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard case .string(let destination) = entry["destination"] ?? .null else {
                throw BundleError("\(file): mounts[\(index)].destination is missing or not a string")
            }
            guard destination.hasPrefix("/") else { throw BundleError("\(file): mounts[\(index)].destination '\(destination)' is not absolute") }
            // Inside the VM a ".." would climb out of the container's root into init's.
            guard !destination.split(separator: "/").contains("..") else {
                throw BundleError("\(file): mounts[\(index)].destination '\(destination)' climbs out of the root ('..')")
            }
            var type = ""
            if case .string(let text) = entry["type"] ?? .null { type = text }
            var source = ""
            if case .string(let text) = entry["source"] ?? .null { source = text }
            var options: [String] = []
            if case .array(let values) = entry["options"] ?? .null {
                options = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            let isBind = type == "bind" || options.contains("bind") || options.contains("rbind")
            if providedByInit.contains(destination) || (isBind && deviceDirectories.contains(destination)) {
                if isBind { skipped.append("\(destination) (a bind over what init provides)") }
                continue
            }
            if isBind && destination == sharedMemory {
                let kept = flags(of: options, keeping: ["nosuid", "nodev", "noexec", "ro"])
                translated.process.mounts.append(.init(type: "tmpfs", source: "shm", target: destination, flags: kept, data: "mode=1777"))
                skipped.append("\(destination) (a bind of \(source): a tmpfs of the VM's instead)")
                continue
            }
            // A cgroup view, v1 or v2 on the host: in the guest the container's own cgroup2 (its subsystem options have no meaning there).
            if !isBind && (type == "cgroup" || type == "cgroup2") {
                let flags = flags(of: options, keeping: ["nosuid", "nodev", "noexec", "ro", "relatime", "noatime"])
                translated.process.mounts.append(.init(type: "cgroup2", source: "cgroup2", target: destination, flags: flags))
                continue
            }
            guard isBind || guestFilesystems.contains(type) else {
                skipped.append("\(destination) (type \(type.isEmpty ? "none" : type))")
                continue
            }
            var flags: UInt32 = 0
            var data: [String] = []
            for option in options {
                if let flag = flagOptions[option] { flags |= flag } else if !clearingOptions.contains(option) { data.append(option) }
            }
            guard isBind else {
                translated.process.mounts.append(.init(type: type, source: source.isEmpty ? type : source, target: destination, flags: flags, data: data.joined(separator: ",")))
                continue
            }
            guard !source.isEmpty else { throw BundleError("\(file): mounts[\(index)].source is missing for a bind mount to \(destination)") }
            let path = source.hasPrefix("/") ? source : bundle + "/" + source
            guard let kind = PathKind.of(path) else {
                throw BundleError("\(file): mounts[\(index)].source \(path) does not exist (bind mount to \(destination))")
            }
            guard data.isEmpty else {
                throw BundleError("\(file): mounts[\(index)] (bind to \(destination)): option \(data[0]) is not a bind mount option")
            }
            translated.process.bindEntry(translated.binds.count, at: destination, flags: flags)
            translated.binds.append(HostBind(
                source: path, isDirectory: kind == .directory, readOnly: flags & flagOptions["ro"]! != 0, recursive: options.contains("rbind")))
        }
        if !skipped.isEmpty { warnings.append("\(file): mounts not made in the VM: \(skipped.joined(separator: ", "))") }
        return translated
    }
}
