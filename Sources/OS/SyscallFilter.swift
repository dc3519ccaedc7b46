import COS
import Glibc

/// Seccomp allowlists for one thread (docs/security.md): installed on the
/// thread itself, after which any syscall not on the list kills the
/// process with SIGSYS; a hole shows up as a dead VMM, not as a guest
/// that got further than it should. The lists live in C
/// (Sources/COS/seccomp.c), each entry with its reason, and are handed
/// to the kernel as they are: nothing on the start path builds them.
public enum SyscallFilter {
    /// What a vCPU thread may ask of the kernel once it runs the guest.
    public static func installVCPUFilterOnThisThread() throws(OSError) {
        var count: Int32 = 0
        let list = cos_vcpu_syscall_list(&count)
        guard cos_seccomp_allow_only(list, count) == 0 else { throw .seccomp(what: "vCPU threads", errno: errno) }
    }
}
