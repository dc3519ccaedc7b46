import JSON

/// What `vmm features` tells a manager (runtime-spec features.md): only what
/// vmm really does. Isolation is the VM; inside it the process gets its own
/// pid, mount, uts, ipc and cgroup namespaces, a cgroup of the guest's and
/// its network card wired into the network namespace the manager names,
/// its capability sets; host cgroups (cgroupsPath), seccomp and LSM are not
/// applied (yet); hooks run on the host.
public enum RuntimeFeatures {
    public static let ociVersionMin = "1.0.0"

    public static func json(version: String) -> JSONValue {
        let disabled: JSONValue = .object([("enabled", .bool(false))])
        return .object([
            ("ociVersionMin", .string(ociVersionMin)),
            ("ociVersionMax", .string(ContainerState.ociVersion)),
            ("hooks", .array(Hooks.Stage.allCases.map { .string($0.rawValue) })),
            // The options MountTranslation turns into mount(2) flags in the
            // guest (tmpfs, proc, sysfs, devpts, mqueue and bind mounts).
            ("mountOptions", .array(MountTranslation.supportedOptions.map { .string($0) })),
            ("linux", .object([
                // What init makes for every container in the guest.
                // network: the VM's card is joined to the namespace's interface on the host.
                ("namespaces", .array(["pid", "mount", "uts", "ipc", "cgroup", "network"].map { .string($0) })),
                ("capabilities", .array(CapabilityNames.all.map { .string($0) })),
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
                ("dev.vmm.network", .string("virtio-net; vhost-net where /dev/vhost-net opens; tc redirect to the namespace's interface")),
            ])),
        ])
    }
}
