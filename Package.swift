// swift-tools-version:6.0
// vmm: one micro-VM per container. Small library targets, one per layer
// (see docs/architecture.md), under a thin `vmm` executable. Linux only.
import PackageDescription

let package = Package(
    name: "vmm",
    products: [
        .executable(name: "vmm", targets: ["vmm"])
    ],
    targets: [
        // Layer 0: C for what Swift cannot call (macros, variadics, fork):
        // one header per concern (sockets, processes, terminals, memory,
        // seccomp, event descriptors).
        .target(name: "COS"),
        // Layer 0: the host OS: eventfd, signalfd, threads, owned
        // descriptors, seccomp filters.
        .target(name: "OS", dependencies: ["COS"]),
        // Layer 1: C shim over <linux/kvm.h> (ioctl numbers, wrappers, accessors).
        .target(name: "CKVM"),
        // Layer 1: KVM system, VM, vCPUs, exits.
        .target(name: "KVM", dependencies: ["CKVM", "OS"]),
        // Little-endian encoding, shared by every byte format.
        .target(name: "LittleEndian"),
        // Whole-file reads and path checks without Foundation.
        .target(name: "HostFiles"),
        // JSON reading and writing without Foundation (config.json, state, timelines).
        .target(name: "JSON"),
        // The boot timeline: named moments on one clock, its report, bench statistics.
        .target(name: "Timeline", dependencies: ["JSON"]),
        // Layer 2: memfd-backed guest memory with bounds-checked access.
        .target(name: "GuestMemory", dependencies: ["COS"]),
        // Layer 3: buses and devices.
        .target(name: "Devices", dependencies: ["OS", "GuestMemory", "VhostUser", "Network", "LittleEndian", "Timeline", "HostFiles"]),
        // Layer 3: the vhost-user front end (virtio-fs queues served by virtiofsd).
        .target(name: "VhostUser", dependencies: ["COS", "LittleEndian"]),
        // Layer 3: host networking: TAP devices, vhost-net, tc redirects between a
        // TAP and the manager's interface, what a network namespace holds, passt.
        .target(name: "Network", dependencies: ["COS", "OS", "LittleEndian"]),
        // Layer 4: x86 boot state: Linux boot protocol, firmware entry.
        .target(name: "Boot", dependencies: ["KVM", "GuestMemory", "LittleEndian"]),
        // Layer 6: the guest image: initramfs (cpio newc) with init and the process,
        // written into guest memory piece by piece (an InitrdSource for Boot).
        .target(name: "GuestImage", dependencies: ["Boot", "GuestMemory", "LittleEndian", "HostFiles"]),
        // Layer 7: OCI runtime: runtime-spec config.json, bundles.
        .target(name: "OCI", dependencies: ["GuestImage", "HostFiles", "JSON"]),
        // Layer 5: the machine that builds, runs and tears down a VM.
        .target(name: "Machine", dependencies: ["KVM", "OS", "COS", "GuestMemory", "Devices", "Boot", "VhostUser", "Network", "HostFiles", "Timeline"]),
        // The container runtime: a bundle or a `vmm run` request into one
        // machine description, the guest image, the console and monitor sockets.
        .target(name: "Runtime", dependencies: ["Machine", "Network", "Devices", "KVM", "OS", "COS", "GuestImage", "OCI", "HostFiles", "Timeline"]),
        // The CLI: parses, calls the libraries.
        .executableTarget(
            name: "vmm",
            dependencies: ["Runtime", "Machine", "Devices", "KVM", "OS", "GuestImage", "OCI", "HostFiles", "JSON", "Timeline"]
        ),

        // Fuzzing (fuzz/README.md): a harness per parser of what a guest, a
        // backend or a user hands vmm; vmm-fuzz runs them under libFuzzer
        // (built by fuzz/run.sh) or replays files, FuzzTests replays the corpus.
        .target(name: "FuzzTargets", dependencies: ["Devices", "GuestMemory", "VhostUser", "OCI", "Boot", "GuestImage", "JSON", "COS"], path: "fuzz/Targets"),
        .target(name: "CFuzzDriver", path: "fuzz/CDriver"),
        .executableTarget(name: "vmm-fuzz", dependencies: ["FuzzTargets", "CFuzzDriver", "HostFiles"], path: "fuzz/Driver"),

        .target(name: "TestSupport", dependencies: ["KVM", "OS"], path: "Tests/TestSupport"),
        // Run by KVMTests: the vCPU syscall filter, applied to a process of its own.
        .executableTarget(name: "seccomp-probe", dependencies: ["KVM", "OS"], path: "Tests/SeccompProbe"),
        .testTarget(name: "KVMTests", dependencies: ["KVM", "OS", "TestSupport", "seccomp-probe"]),
        .testTarget(name: "GuestMemoryTests", dependencies: ["GuestMemory"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "GuestMemory", "Timeline"]),
        .testTarget(name: "BootTests", dependencies: ["Boot", "GuestMemory", "KVM", "LittleEndian"]),
        .testTarget(name: "VhostUserTests", dependencies: ["VhostUser", "GuestMemory", "TestSupport", "LittleEndian"]),
        .testTarget(name: "OCITests", dependencies: ["OCI", "GuestImage", "TestSupport"]),
        .testTarget(name: "GuestTests", dependencies: ["TestSupport"]),
        .testTarget(name: "GuestImageTests", dependencies: ["GuestImage", "GuestMemory", "TestSupport"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "OS", "COS", "Boot", "GuestImage", "TestSupport", "Timeline", "KVM"]),
        .testTarget(name: "NetworkTests", dependencies: ["Network", "OS", "COS", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "TimelineTests", dependencies: ["Timeline", "JSON"]),
        .testTarget(name: "vmmTests", dependencies: ["TestSupport", "JSON"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "OCI", "GuestImage", "TestSupport", "COS", "Devices"]),
    ]
)
