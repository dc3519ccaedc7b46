import Foundation

/// Debian's docker.io (dockerd 20.10, with its own containerd and the runc
/// shim underneath) with the vmm built for the tests registered as the
/// runtime `vmm`, as docs/managers.md shows: a daemon of the tests' own
/// (its own socket, data and exec roots), and a busybox image imported
/// from the default bundle's rootfs.
public enum Docker {
    public static let daemon = "/usr/sbin/dockerd"
    /// Debian's client, of the daemon's version.
    public static let client = "/usr/bin/docker"
    public static let isInstalled = FileManager.default.isExecutableFile(atPath: daemon) && FileManager.default.isExecutableFile(atPath: client)
    public static let image = "vmm-test-busybox"

    static let execRoot = "/run/vmm-test-docker"
    static let socket = "unix://\(execRoot).sock"
    /// Where the shim keeps the runtime's state (`vmm --root`): empty once
    /// every container is removed.
    public static let runtimeRoot = "\(execRoot)/runtime-runc/moby"

    private static let started: Result<Void, FixtureError> = {
        let command = [daemon, "--host", socket, "--data-root", "/var/lib/docker/vmm-test", "--exec-root", execRoot,
                       "--pidfile", "\(execRoot).pid", "--add-runtime", "vmm=\(Fixtures.vmmExecutable)",
                       // Docker's own bridge (docker0) with its NAT and published ports: what vmm's card joins.
                       "--ip6tables=false", "--log-level=warn"]
        let ready = "\(client) --host \(socket) info >/dev/null 2>&1"
        let bundle = Fixtures.scratch.appendingPathComponent("docker-image").path
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path
        return Daemon.start("dockerd", command, ready: ready).flatMap { _ in
            let result = Command.run("/bin/bash", ["-c", "bash '\(script)' '\(bundle)' >/dev/null && tar -C '\(bundle)/rootfs' -c . | \(client) --host \(socket) import - \(image)"])
            try? FileManager.default.removeItem(atPath: bundle)
            return result.status == 0 ? .success(()) : .failure(FixtureError(message: "docker import failed: \(result.standardError)"))
        }
    }()

    /// How long one docker command may take (a container takes seconds in
    /// the emulated machine, ten times that on a loaded CI host).
    public static let timeout: Double = 300

    /// `docker ARGUMENTS…` against the tests' daemon, once it runs.
    public static func run(_ arguments: [String], standardInput: Data = Data()) throws -> Command.Result {
        try started.get()
        return Command.run(client, ["--host", socket] + arguments, standardInput: standardInput, timeout: timeout)
    }

    /// The same as a shell command line, for script(1) and pipelines.
    public static func commandLine() throws -> String {
        try started.get()
        return "\(client) --host \(socket)"
    }
}
