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

import KVM

extension Host {
    /// VT-x or AMD-V: a stock Linux guest boots all the way here. On PVM
    /// (kvm_pvm) it stops at its first exception.
    public static let hasHardwareVirtualization: Bool = {
        if case .hardware = VirtualizationKind.detect() { return hasKVM }
        return false
    }()

    public static let noHardwareVirtualizationReason: Comment =
        "full boot needs hardware virtualization (VT-x/AMD-V); this host's KVM is PVM or absent, where Linux stops at its first exception: scripts/test.sh runs the *FullBootTests suites in the emulated AMD-V test machine (testmachine/run.sh)"
}

extension Host {
    /// virtiofsd as vmm finds it: PATH, then Debian's location.
    public static let virtiofsd: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/virtiofsd"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return access("/usr/lib/qemu/virtiofsd", X_OK) == 0 ? "/usr/lib/qemu/virtiofsd" : nil
    }()
}

import Foundation
