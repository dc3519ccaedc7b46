import Glibc
import Machine
import Network

/// What `vmm check` reports: the host's KVM and helpers, and what the
/// runtime itself needs (its guest init and default bundle).
public enum RuntimeCheck {
    public static func report(kvmDevicePath: String) -> HostReport {
        var report = HostReport(kvmDevicePath: kvmDevicePath)
        report.addFound("guest init", try? GuestInit.path(), missing: "not built: make -C guest (or set VMM_INIT)")
        let bundle = ContainerSpec.defaultBundle
        report.addFound("default bundle", access(bundle + "/config.json", R_OK) == 0 ? bundle : nil,
                        missing: "none at \(bundle): bash scripts/make-default-bundle.sh")
        addNetworking(to: &report)
        return report
    }

    /// What the VM's network card can use here: vhost-net (the kernel
    /// moves the packets), a TAP, and passt for `vmm run --network passt`.
    static func addNetworking(to report: inout HostReport) {
        if VhostNet.isAvailable {
            report.add(.ok, "vhost-net", VhostNet.devicePath)
        } else {
            report.add(.note, "vhost-net", "no \(VhostNet.devicePath) (modprobe vhost_net): packets go through vmm instead, slower")
        }
        report.addFound("TAP devices", access("/dev/net/tun", R_OK | W_OK) == 0 ? "/dev/net/tun" : nil, missing: "no /dev/net/tun (modprobe tun): no network card")
        report.addFound("passt", Passt.defaultPaths.first { access($0, X_OK) == 0 }, missing: "not installed (apt-get install passt): vmm run --network passt needs it")
    }
}
