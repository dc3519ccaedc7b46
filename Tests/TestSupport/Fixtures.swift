import Foundation

/// Paths and prerequisites shared by the test suites.
public enum Fixtures {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Builds firmware/ once per test process (make is a no-op when current).
    private static let firmwareBuild: Result<Void, FixtureError> = {
        let result = Command.run("/usr/bin/make", ["-s", "-C", packageRoot.appendingPathComponent("firmware").path])
        return result.status == 0 ? .success(()) : .failure(FixtureError(message: "make -C firmware failed: \(result.standardError)"))
    }()

    /// Path of a built firmware guest (firmware/README.md lists them).
    public static func firmware(_ name: String) throws -> String {
        try firmwareBuild.get()
        return packageRoot.appendingPathComponent("firmware/build/\(name).bin").path
    }

    /// The `vmm` executable built next to the test bundle.
    public static var vmmExecutable: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // On some platforms the test binary sits inside an .xctest bundle.
        while directory.pathExtension == "xctest" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("vmm").path
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension Fixtures {
    /// The cache directory of the kernel this checkout's kernel/ builds
    /// (vmlinux, bzImage), or nil when it has not been built.
    public static let builtKernelDirectory: String? = {
        let result = Command.run("/bin/bash", [packageRoot.appendingPathComponent("kernel/build.sh").path, "--print-path"])
        let path = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return result.status == 0 && !path.isEmpty ? path : nil
    }()

    public static let noKernelReason: Comment = "needs the guest kernel: run kernel/build.sh"

    /// A container name or ID no other test uses (any manager's).
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// One scratch directory per test process, removed when it exits.
    public static let scratch: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("vmm-tests-\(getpid())").path)
        }
        return directory
    }()

    /// Writes `bytes` to a new file in a fresh directory under `scratch`.
    public static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let directory = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name)
        try Data(bytes).write(to: path)
        return path.path
    }
}

import Testing
