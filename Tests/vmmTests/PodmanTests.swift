import Foundation
import Testing
import TestSupport

/// podman (with conmon) as the client of vmm's OCI verbs, on the firmware
/// stand-in so it runs on hosts that cannot boot Linux: the real manager
/// drives create/start/state/kill/delete and reads our exit status.
@Suite(
    "podman with vmm as its runtime",
    .serialized,
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: Podman.isInstalled, "needs podman and conmon (apt-get install podman conmon)"))
struct PodmanTests {
    func podman(_ arguments: [String], stdin: Data = Data()) throws -> Command.Result {
        try Podman.run(arguments, standardInput: stdin)
    }

    var standIn: String { "dev.vmm.firmware=\((try? Fixtures.firmware("virtio_console")) ?? "")" }

    @Test func runPassesStdioAndTheExitStatusThrough() throws {
        let result = try podman(["run", "-i", "--rm", "--network", "none", "--annotation", standIn, Podman.image, "sh"],
                                stdin: Data("hello podman\n".utf8))
        #expect(result.status == 7, "\(result.standardError)")
        #expect(result.standardOutput == "hello podman\n")
        #expect(result.standardError.contains("stderr: 13 bytes"))
    }

    @Test func pauseUnpauseStopAndRm() throws {
        let name = "vmm-stop-\(UUID().uuidString.prefix(8))"
        // The stand-in runs until stdin ends: keep it open with a sleeping writer.
        let background = Process()
        background.executableURL = URL(fileURLWithPath: "/bin/sh")
        background.arguments = ["-c", "sleep 30 | podman --runtime '\(Fixtures.vmmExecutable)' run -i --name \(name) --network none --annotation '\(standIn)' \(Podman.image) sh"]
        background.standardOutput = FileHandle.nullDevice
        background.standardError = FileHandle.nullDevice
        _ = try podman(["image", "exists", Podman.image])
        try background.run()
        var status = ""
        for _ in 0..<300 where !status.hasPrefix("Up") {
            usleep(50_000)
            status = try podman(["ps", "--filter", "name=\(name)", "--format", "{{.Status}}"]).standardOutput
        }
        #expect(status.hasPrefix("Up"), "podman ps: \(status)")
        // podman pause/unpause call vmm pause/resume.
        let paused = try podman(["pause", name])
        #expect(paused.status == 0, "\(paused.standardError)")
        #expect(try podman(["inspect", "--format", "{{.State.Status}}", name]).standardOutput == "paused\n")
        #expect(try podman(["unpause", name]).status == 0)
        #expect(try podman(["inspect", "--format", "{{.State.Status}}", name]).standardOutput == "running\n")
        #expect(try podman(["stop", "-t", "5", name]).status == 0)
        let exited = try podman(["ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}"]).standardOutput
        #expect(exited.hasPrefix("Exited (143)"), "SIGTERM reached the guest: \(exited)")
        #expect(try podman(["rm", name]).status == 0)
        background.terminate()
        #expect(Command.run("/usr/bin/pgrep", ["-f", "vmm --root .* monitor .*\(name)"]).standardOutput.isEmpty)
    }
}
