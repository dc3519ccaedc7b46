import Foundation
import Testing
import TestSupport

extension ManagersFullBootTests {
    /// Docker 20.10 (Debian's docker.io: dockerd, its containerd, the runc v2
    /// shim) with vmm registered as the runtime `vmm`, running real containers:
    /// the seed's pipeline, exit codes, logs, a terminal with resize, exec,
    /// stop/kill/rm -f, attach. Every test ends with no vmm or virtiofsd of
    /// its container left and nothing of it under the shim's runtime root.
    /// Full boot: natively with VT-x/AMD-V, else in the emulated AMD-V machine.
    @Suite(
        "Docker runs real containers on vmm (full boot)",
        .serialized,
        .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
        .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason),
        .enabled(if: Docker.isInstalled, "needs Docker (apt-get install docker.io)"))
    struct DockerFullBootTests {
        func docker(_ arguments: String..., stdin: Data = Data()) throws -> Command.Result {
            try Docker.run(arguments, standardInput: stdin)
        }

        /// `docker run --runtime=vmm OPTIONS IMAGE COMMAND…`.
        func run(_ options: [String], _ command: [String], stdin: Data = Data()) throws -> Command.Result {
            try Docker.run(["run", "--runtime=vmm"] + options + [Docker.image] + command, standardInput: stdin)
        }

        /// A script(1) session (a terminal on our side) running `inner`, with
        /// `$DOCKER` the client's command line; the status is the inner one's.
        func inTerminal(_ inner: String) throws -> Command.Result {
            let script = "DOCKER='\(try Docker.commandLine())'; " + inner
            return Command.run("/usr/bin/script", ["-qec", script, "/dev/null"], timeout: Docker.timeout)
        }

        /// The container's full ID (what vmm and virtiofsd are named by).
        func fullID(_ name: String) throws -> String {
            try docker("inspect", "--format", "{{.Id}}", name).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// A detached container running `sleep 1000`; its name.
        func runSleeping(_ prefix: String) throws -> String {
            let name = Fixtures.uniqueName(prefix)
            let started = try run(["-d", "--name", name], ["sleep", "1000"])
            try #require(started.status == 0, "\(started.standardError)")
            return name
        }

        /// rm -f, then nothing of it may be left.
        func removeAndExpectGone(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let id = (try? fullID(name)) ?? ""
            _ = try? docker("rm", "-f", name)
            expectGone(id, sourceLocation: sourceLocation)
        }

        /// Nothing of the container left: no runtime process, no state.
        func expectGone(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!id.isEmpty, sourceLocation: sourceLocation)
            #expect(RuntimeProcesses.left(naming: id) == [], "vmm or virtiofsd outlived the container", sourceLocation: sourceLocation)
            #expect(!RuntimeProcesses.entries(under: Docker.runtimeRoot).contains(id), "state left under \(Docker.runtimeRoot)", sourceLocation: sourceLocation)
        }

        /// The seed's own example: `echo … | docker run --runtime=… -i IMG head -n 1`.
        @Test func theSeedsPipelineReadsStdin() throws {
            let result = try run(["-i", "--rm"], ["head", "-n", "1"], stdin: Data("hello\nsecond\n".utf8))
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "hello\n")
        }

        @Test func exitCodeLogsAndInspectNameTheRuntime() throws {
            let name = Fixtures.uniqueName("vmm-docker-exit")
            let result = try run(["--name", name], ["sh", "-c", "echo out; echo err >&2; exit 7"])
            #expect(result.status == 7, "\(result.standardError)")
            let id = try fullID(name)
            #expect(try docker("ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}").standardOutput.hasPrefix("Exited (7)"))
            let logs = try docker("logs", name)
            #expect(logs.standardOutput == "out\n" && logs.standardError == "err\n", "\(logs)")
            #expect(try docker("inspect", "--format", "{{.HostConfig.Runtime}}", name).standardOutput == "vmm\n")
            #expect(try docker("rm", name).status == 0)
            expectGone(id)
        }

        /// `-it` (what the seed could not do): the terminal's size at start,
        /// a resize while it runs (the container waits for it), the exit status.
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
        func aTerminalWithItsSizeAResizeAndTheExitStatus() throws {
            let marker = Fixtures.scratch.appendingPathComponent("docker-resize-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: marker, withIntermediateDirectories: true)
            let inside = "stty size; touch /m/ready; for i in $(seq 600); do [ \"$(stty size)\" = \"40 120\" ] && { echo resized; exit 4; }; sleep 0.1; done; exit 1"
            let inner = """
                stty rows 33 cols 101
                ( for i in $(seq 3000); do [ -e '\(marker)/ready' ] && break; sleep 0.1; done; stty -F /dev/tty rows 40 cols 120 ) &
                $DOCKER run --runtime=vmm -it --rm -v '\(marker)':/m \(Docker.image) sh -c '\(inside)'
                """
            let result = try inTerminal(inner)
            #expect(result.status == 4, "\(result.standardOutput)")
            #expect(result.standardOutput.contains("33 101"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("resized"), "\(result.standardOutput)")
        }

        @Test func execPlainWithStdinOptionsAndAMissingProgram() throws {
            let name = try runSleeping("vmm-docker-exec")
            defer { removeAndExpectGone(name) }
            let plain = try docker("exec", name, "sh", "-c", "echo in-exec; echo to-err >&2; exit 3")
            #expect(plain.status == 3 && plain.standardOutput == "in-exec\n" && plain.standardError == "to-err\n", "\(plain)")
            let piped = try docker("exec", "-i", name, "cat", stdin: Data("piped\n".utf8))
            #expect(piped.status == 0 && piped.standardOutput == "piped\n", "\(piped)")
            let options = try docker("exec", "-u", "1000:1000", "-w", "/tmp", "-e", "FOO=bar", name, "sh", "-c", "id -u; pwd; echo $FOO")
            #expect(options.standardOutput == "1000\n/tmp\nbar\n", "\(options)")
            let missing = try docker("exec", name, "/nope")
            #expect(missing.status == 126, "\(missing)")
            // docker 20.10's client prints the runtime's line on stdout.
            #expect((missing.standardOutput + missing.standardError).contains("/nope"), "\(missing)")
            // The main process ran on throughout.
            #expect(try docker("inspect", "--format", "{{.State.Status}}", name).standardOutput == "running\n")
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
        func execWithATerminal() throws {
            let name = try runSleeping("vmm-docker-exec-tty")
            defer { removeAndExpectGone(name) }
            let result = try inTerminal("stty rows 21 cols 77; $DOCKER exec -it \(name) sh -c 'tty; stty size; exit 5'")
            #expect(result.status == 5, "\(result.standardOutput)")
            #expect(result.standardOutput.contains("/dev/pts/"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("21 77"), "\(result.standardOutput)")
        }

        /// sleep as PID 1 has no handler for TERM, so stop's TERM does nothing
        /// and the KILL after -t ends it, as under runc.
        @Test func stopWaitsTheGraceTimeThenKills() throws {
            let name = Fixtures.uniqueName("vmm-docker-stop")
            try #require(try run(["-d", "--name", name], ["sleep", "1000"]).status == 0)
            let id = try fullID(name)
            #expect(try docker("stop", "-t", "2", name).status == 0)
            #expect(try docker("inspect", "--format", "{{.State.ExitCode}}", name).standardOutput == "137\n")
            #expect(try docker("rm", name).status == 0)
            expectGone(id)
        }

        @Test func killDeliversTheSignalToATrap() throws {
            let name = Fixtures.uniqueName("vmm-docker-kill")
            let script = "trap 'echo got-usr1; exit 9' USR1; echo ready; sleep 1000 & wait"
            try #require(try run(["-d", "--name", name], ["sh", "-c", script]).status == 0)
            let id = try fullID(name)
            defer {
                _ = try? docker("rm", "-f", name)
                expectGone(id)
            }
            try waitFor(name, log: "ready")
            #expect(try docker("kill", "-s", "USR1", name).status == 0)
            #expect(try docker("wait", name).standardOutput == "9\n")
            #expect(try docker("logs", name).standardOutput == "ready\ngot-usr1\n")
        }

        @Test func rmForceOfARunningContainerWithAnExecLeavesNothing() throws {
            let name = Fixtures.uniqueName("vmm-docker-rmf")
            try #require(try run(["-d", "--name", name], ["sleep", "1000"]).status == 0)
            let id = try fullID(name)
            // An exec still running when the container goes ends with it.
            let exec = try docker("exec", "-d", name, "sleep", "500")
            #expect(exec.status == 0, "\(exec.standardError)")
            #expect(try docker("rm", "-f", name).status == 0)
            expectGone(id)
        }

        /// attach joins a detached container's output and returns its exit status.
        @Test func runDetachedThenAttach() throws {
            let name = Fixtures.uniqueName("vmm-docker-attach")
            let gate = Fixtures.scratch.appendingPathComponent("docker-attach-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: gate, withIntermediateDirectories: true)
            let script = "echo early; while [ ! -e /g/go ]; do sleep 0.1; done; echo late; exit 3"
            try #require(try run(["-d", "--name", name, "-v", "\(gate):/g"], ["sh", "-c", script]).status == 0)
            let id = try fullID(name)
            try waitFor(name, log: "early")
            // The gate opens once attach is up (8 s: the emulated machine under
            // load was seen to take more than 3), so "late" can only reach it live.
            let attach = Command.run("/bin/sh", ["-c", "\(try Docker.commandLine()) attach \(name) & a=$!; sleep 8; touch '\(gate)/go'; wait $a"], timeout: Docker.timeout)
            #expect(attach.status == 3, "\(attach)")
            #expect(attach.standardOutput.contains("late"), "\(attach)")
            #expect(try docker("rm", name).status == 0)
            expectGone(id)
        }

        /// Polls `docker logs` until it holds `text`.
        func waitFor(_ name: String, log text: String, seconds: Int = 180) throws {
            let deadline = Date().addingTimeInterval(TimeInterval(seconds))
            while Date() < deadline {
                if try docker("logs", name).standardOutput.contains(text) { return }
                usleep(200_000)
            }
            Issue.record("\(name) never logged \(text)")
        }
    }
}
