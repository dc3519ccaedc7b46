import Foundation

/// Debian's containerd 1.6 and its `ctr`, running containers through the
/// runc v2 shim with the vmm built for the tests as the runtime binary
/// (`--runc-binary`; the CRI plugin's runtime handler sets the same
/// BinaryName, docs/managers.md). A daemon of the tests' own: its own
/// socket, root, state and namespace; the CRI plugin off (no crictl here
/// to drive it).
public enum Containerd {
    public static let daemon = "/usr/bin/containerd"
    public static let client = "/usr/bin/ctr"
    public static let isInstalled = FileManager.default.isExecutableFile(atPath: daemon) && FileManager.default.isExecutableFile(atPath: client)
    public static let namespace = "vmm-test"

    static let state = "/run/vmm-test-containerd"
    static let socket = "\(state)/containerd.sock"
    /// The shim's runtime root (`vmm --root`) for our namespace.
    public static let runtimeRoot = "/run/containerd/runc/\(namespace)"

    /// The rootfs every container here uses (ctr run --rootfs).
    public static let rootfs = Fixtures.scratch.appendingPathComponent("containerd-bundle/rootfs").path

    private static let started: Result<Void, FixtureError> = {
        let config = Fixtures.scratch.appendingPathComponent("containerd.toml").path
        let written = FileManager.default.createFile(
            atPath: config, contents: Data("version = 2\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n".utf8))
        guard written else { return .failure(FixtureError(message: "cannot write \(config)")) }
        let command = [daemon, "--config", config, "--address", socket, "--root", "/var/lib/containerd/vmm-test", "--state", state]
        let ready = "\(client) --address \(socket) version >/dev/null 2>&1"
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path
        return Daemon.start("containerd", command, ready: ready).flatMap { _ in
            let bundle = (rootfs as NSString).deletingLastPathComponent
            let result = Command.run("/bin/bash", [script, bundle])
            return result.status == 0 ? .success(()) : .failure(FixtureError(message: "make-default-bundle.sh failed: \(result.standardError)"))
        }
    }()

    public static let timeout: Double = 300

    /// `ctr --address … --namespace vmm-test ARGUMENTS…`, once it runs.
    public static func ctr(_ arguments: [String], standardInput: Data = Data()) throws -> Command.Result {
        try started.get()
        return Command.run(client, ["--address", socket, "--namespace", namespace] + arguments, standardInput: standardInput, timeout: timeout)
    }

    /// The same as a shell command line, for script(1).
    public static func commandLine() throws -> String {
        try started.get()
        return "\(client) --address \(socket) --namespace \(namespace)"
    }

    /// `ctr run` options that make vmm the runtime and use the test rootfs.
    public static var runOptions: [String] { ["--runc-binary", Fixtures.vmmExecutable, "--rootfs", rootfs] }
}
