import JSON
import GuestImage

/// The bundle's mounts as MOUNT records for init: filesystems the guest
/// kernel can make itself. Init already provides /proc, /sys, /dev,
/// /dev/pts and /dev/shm; host bind mounts cannot be reached from the VM
/// without another shared directory, so they are reported, not faked.
enum MountTranslation {
    static let providedByInit: Set<String> = ["/proc", "/sys", "/dev", "/dev/pts", "/dev/shm"]
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
    /// Every option honoured on the mounts vmm makes, sorted (for `vmm
    /// features`): bind mounts are not made, so their options are left out.
    static var supportedOptions: [String] {
        Set(flagOptions.keys).union(clearingOptions).subtracting(["bind", "rbind", "remount"]).sorted()
    }

    static func mounts(_ value: JSONValue?, file: String, warnings: inout [String]) throws(BundleError) -> [ProcessDescription.Mount] {
        guard let value, value != .null else { return [] }
        guard case .array(let entries) = value else { throw BundleError("\(file): mounts is not an array") }
        var mounts: [ProcessDescription.Mount] = []
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard case .string(let destination) = entry["destination"] ?? .null else {
                throw BundleError("\(file): mounts[\(index)].destination is missing or not a string")
            }
            guard destination.hasPrefix("/") else { throw BundleError("\(file): mounts[\(index)].destination '\(destination)' is not absolute") }
            var type = ""
            if case .string(let text) = entry["type"] ?? .null { type = text }
            var source = ""
            if case .string(let text) = entry["source"] ?? .null { source = text }
            var options: [String] = []
            if case .array(let values) = entry["options"] ?? .null {
                options = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            if providedByInit.contains(destination) { continue }
            let isBind = type == "bind" || options.contains("bind") || options.contains("rbind")
            guard !isBind, guestFilesystems.contains(type) else {
                skipped.append("\(destination) (\(isBind ? "bind from the host" : "type \(type.isEmpty ? "none" : type)"))")
                continue
            }
            var flags: UInt32 = 0
            var data: [String] = []
            for option in options {
                if let flag = flagOptions[option] { flags |= flag } else if !clearingOptions.contains(option) { data.append(option) }
            }
            mounts.append(.init(type: type, source: source.isEmpty ? type : source, target: destination, flags: flags, data: data.joined(separator: ",")))
        }
        if !skipped.isEmpty { warnings.append("\(file): mounts not made in the VM: \(skipped.joined(separator: ", "))") }
        return mounts
    }
}
