import KVM
import Machine

extension GuestCrash {
    /// The crash in one line, with why where the host explains it.
    public var summary: String {
        "guest stopped abnormally on vCPU \(vcpu): \(exit)"
    }

    /// Why this host cannot run what crashed, if it is the host's kind.
    public static var hostNote: String? {
        VirtualizationKind.detect() == .pvm
            ? "this host's KVM is PVM, which cannot run a non-PVM 64-bit kernel past its first exception" : nil
    }
}
