import COS
import Glibc

/// The jailer's idea without a separate binary: once a VM is built, the
/// thread that serves it gives up what it no longer needs, so a guest
/// that gets code running in the VMM reaches little (docs/security.md).
/// Linux keeps capabilities and the mount namespace per thread: it acts
/// on the calling thread (the monitor's event loop, at START) and the
/// threads it starts later; threads started earlier (vCPUs, output
/// writers) drop their capabilities themselves (SyscallFilter).
public enum ProcessSandbox {
    public enum Confinement: Equatable, Sendable {
        /// Only `keep` is visible, under a read-only empty root.
        case mountsConfined
        /// No CAP_SYS_ADMIN to make a mount namespace (a rootless
        /// monitor): the host's files stay as its user sees them.
        case mountsShared
    }

    /// CAP_NET_ADMIN: the tc redirect joining the VM's TAP to a
    /// manager's interface is undone when the VM ends.
    public static let networkAdministration: UInt64 = 1 << 12

    /// Confines the mounts to the directory `keep` (absolute, canonical),
    /// its file `readOnly` read-only, then drops every capability but
    /// `keptCapabilities` (a mask of 1 << CAP_*) and sets no_new_privs.
    public static func enter(keeping keep: String, readOnly: String? = nil, keptCapabilities: UInt64 = 0) throws(OSError) -> Confinement {
        var err = [CChar](repeating: 0, count: 256)
        let confined = cos_confine_mounts(keep, readOnly, &err, err.count)
        guard confined >= 0 else { throw .sandbox(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        guard cos_drop_capabilities(keptCapabilities) == 0 else { throw .sandbox("dropping capabilities: \(OSError.text(errno))") }
        return confined == 0 ? .mountsConfined : .mountsShared
    }
}
