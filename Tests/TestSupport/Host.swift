import Glibc
import Testing

/// What the host offers; tests that need something absent skip with why.
public enum Host {
    /// /dev/kvm opens read-write.
    public static let hasKVM: Bool = {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()

    public static let noKVMReason: Comment = "needs /dev/kvm (read-write)"
}
