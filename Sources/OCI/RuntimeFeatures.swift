import JSON

/// What `vmm features` tells a manager (runtime-spec features.md): only what
/// vmm really does. Isolation is the VM, so no namespaces, cgroups, seccomp
/// or LSM are applied inside the guest (yet), and no hooks run.
public enum RuntimeFeatures {
    public static let ociVersionMin = "1.0.0"

    public static func json(version: String) -> JSONValue {
        let disabled: JSONValue = .object([("enabled", .bool(false))])
        return .object([
            ("ociVersionMin", .string(ociVersionMin)),
            ("ociVersionMax", .string(ContainerState.ociVersion)),
            ("hooks", .array([])),
            // The options MountTranslation turns into mount(2) flags in the
            // guest (tmpfs, proc, sysfs, devpts, mqueue and bind mounts).
            ("mountOptions", .array(MountTranslation.supportedOptions.map { .string($0) })),
            ("linux", .object([
                ("namespaces", .array([])),
                ("capabilities", .array([])),
                ("cgroup", .object(["v1", "v2", "systemd", "systemdUser", "rdma"].map { ($0, .bool(false)) })),
                ("seccomp", disabled),
                ("apparmor", disabled),
                ("selinux", disabled),
                ("intelRdt", disabled),
                ("mountExtensions", .object([("idmap", disabled)])),
            ])),
            ("annotations", .object([
                ("dev.vmm.version", .string(version)),
                ("dev.vmm.isolation", .string("one KVM virtual machine per container")),
            ])),
        ])
    }
}
