import COS
import Glibc

/// Seccomp allowlists, one per thread kind (docs/security.md): installed on
/// the thread itself, after which any syscall not on its list (or, on a
/// vCPU thread, any ioctl request not on its list) ends the process with
/// one line naming it: a hole shows up as a dead VMM, not as a guest that
/// got further than it should. The lists live in C (Sources/COS/seccomp.c),
/// each entry with its reason, and go to the kernel as they are.
public enum SyscallFilter {
    public enum ThreadKind: String, CaseIterable, Sendable {
        /// Runs the guest: KVM_RUN and the exit path.
        case vcpu
        /// Writes the guest's output to a host descriptor (stdout, stderr, an exec's socket).
        case outputWriter = "output-writer"
        /// The sandboxed monitor's event loop (ProcessSandbox, from START):
        /// its descriptors, state.json, new threads; no process, no socket
        /// but netlink, no signal outside this process.
        case eventLoop = "event-loop"

        var kind: cos_thread_kind {
            switch self {
            case .vcpu: COS_THREAD_VCPU
            case .outputWriter: COS_THREAD_OUTPUT_WRITER
            case .eventLoop: COS_THREAD_EVENT_LOOP
            }
        }
    }

    public static func installOnThisThread(_ kind: ThreadKind) throws(OSError) {
        guard cos_seccomp_install(kind.kind) == 0 else { throw .seccomp(what: "\(kind.rawValue) threads", errno: errno) }
    }
}
