import Foundation

/// podman with the vmm built for the tests as its runtime, and a busybox
/// image imported once per test process from the default bundle's rootfs.
public enum Podman {
    public static let executable = "/usr/bin/podman"
    public static let image = "localhost/vmm-test-busybox"
    public static let isInstalled = FileManager.default.isExecutableFile(atPath: executable)

    private static let imported: Result<Void, FixtureError> = {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-podman-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path
        let result = Command.run("/bin/bash", ["-c", "bash '\(script)' '\(bundle)' >/dev/null && tar -C '\(bundle)/rootfs' -c . | podman import - \(image)"])
        return result.status == 0 ? .success(()) : .failure(FixtureError(message: "podman import failed: \(result.standardError)"))
    }()

    /// The test image, imported once: for a test that runs podman itself.
    public static func ensureImported() throws {
        try imported.get()
    }

    /// How long one podman command may take: a container takes seconds in
    /// the emulated machine, and ten times that on a loaded CI host.
    public static let timeout: Double = 300

    /// `podman --runtime VMM ARGUMENTS…`, after the image is imported.
    public static func run(_ arguments: [String], standardInput: Data = Data()) throws -> Command.Result {
        try ensureImported()
        return Command.run(executable, ["--runtime", Fixtures.vmmExecutable] + arguments, standardInput: standardInput, timeout: timeout)
    }

    /// The same as a shell command line, for script(1) and pipelines.
    public static var commandLine: String { "\(executable) --runtime '\(Fixtures.vmmExecutable)'" }
}
