import Glibc
import Machine

/// The kernel `vmm run` boots when none is named: $VMM_KERNEL, else the
/// newest build in kernel/build.sh's cache (its `current` link).
public enum DefaultKernel {
    public static var path: String? {
        if let explicit = getenv("VMM_KERNEL") { return String(cString: explicit) }
        let current = "\(HostReport.defaultKernelCache)/current/vmlinux"
        return access(current, R_OK) == 0 ? current : HostReport.findBuiltKernel(in: HostReport.defaultKernelCache)
    }
}

extension DefaultKernel {
    /// `named`, else the default one, else the one-line error saying how
    /// to get a kernel.
    static func path(or named: String?) throws(CommandFailure) -> String {
        guard let path = named ?? path else {
            throw CommandFailure(message: "no kernel: pass --kernel PATH, set VMM_KERNEL, or build one with kernel/build.sh")
        }
        return path
    }
}
