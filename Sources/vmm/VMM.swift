import ArgumentParser
import Glibc

@main
struct VMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmm",
        abstract: "Run containers, each in its own micro virtual machine.",
        subcommands: [Run.self, Check.self]
    )

    /// One-line errors: usage mistakes print the parser's message (no usage
    /// dump), runtime failures print what failed and exit 125.
    static func main() {
        _ = processTimeline  // globals start lazily: pin the timeline's origin now
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printError(failure.message)
            Glibc.exit(CommandFailure.exitStatus)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            printError(message(for: error) + " (see vmm --help)")
            Glibc.exit(exitCode(for: error).rawValue)
        }
    }
}

/// A failure of vmm itself (not of the guest), reported in one line.
struct CommandFailure: Error {
    /// As podman and Docker do, 125 means the runtime failed, not the container.
    static let exitStatus: Int32 = 125
    let message: String
}

func printError(_ message: String) {
    writeStandardError("vmm: \(message)\n")
}

/// stderr without stdio's shared FILE (not concurrency-safe in Swift 6).
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}
