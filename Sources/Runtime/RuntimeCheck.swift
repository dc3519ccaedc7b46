import Glibc
import Machine

/// What `vmm check` reports: the host's KVM and helpers, and what the
/// runtime itself needs (its guest init and default bundle).
public enum RuntimeCheck {
    public static func report(kvmDevicePath: String) -> HostReport {
        var report = HostReport(kvmDevicePath: kvmDevicePath)
        report.addFound("guest init", try? GuestInit.path(), missing: "not built: make -C guest (or set VMM_INIT)")
        let bundle = ContainerSpec.defaultBundle
        report.addFound("default bundle", access(bundle + "/config.json", R_OK) == 0 ? bundle : nil,
                        missing: "none at \(bundle): bash scripts/make-default-bundle.sh")
        return report
    }
}
