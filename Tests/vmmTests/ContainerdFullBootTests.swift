import Foundation
import Testing
import TestSupport

extension ManagersFullBootTests {
    /// containerd 1.6 (Debian's) running real containers through its runc v2
    /// shim with vmm as the runtime binary: the path the Kubernetes CRI plugin
    /// takes for a RuntimeClass whose handler names vmm (docs/managers.md).
    /// Driven with ctr: run (plain and --tty), task exec, kill (--all), delete.
    /// Every test ends with no vmm or virtiofsd of its container left and
    /// nothing of it under the shim's runtime root.
    @Suite(
        "containerd runs real containers on vmm (full boot)",
        .serialized,
        .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
        .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason),
        .enabled(if: Containerd.isInstalled, "needs containerd (apt-get install containerd)"))
    struct ContainerdFullBootTests {
        func ctr(_ arguments: [String], stdin: Data = Data()) throws -> Command.Result {
            try Containerd.ctr(arguments, standardInput: stdin)
        }

        func expectGone(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(RuntimeProcesses.left(naming: id) == [], "vmm or virtiofsd outlived the container", sourceLocation: sourceLocation)
            #expect(!RuntimeProcesses.entries(under: Containerd.runtimeRoot).contains(id), "state left under \(Containerd.runtimeRoot)", sourceLocation: sourceLocation)
        }

        /// The task's status as `ctr task ls` shows it ("" once it is gone).
        func taskStatus(_ id: String) throws -> String {
            let line = try ctr(["task", "ls"]).standardOutput.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == id }
            return line.flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) } ?? ""
        }

        @Test func runCarriesOutputAndTheExitStatus() throws {
            let id = Fixtures.uniqueName("vmm-ctr-run")
            let result = try ctr(["run", "--rm"] + Containerd.runOptions + [id, "sh", "-c", "echo from-ctr; exit 6"])
            #expect(result.status == 6, "\(result.standardError)")
            #expect(result.standardOutput == "from-ctr\n")
            expectGone(id)
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
        func runWithATerminal() throws {
            let id = Fixtures.uniqueName("vmm-ctr-tty")
            let inner = "stty rows 44 cols 99; \(try Containerd.commandLine()) run --rm -t \(Containerd.runOptions.joined(separator: " ")) \(id) sh -c 'tty; stty size; exit 2'"
            let result = Command.run("/usr/bin/script", ["-qec", inner, "/dev/null"], timeout: Containerd.timeout)
            #expect(result.status == 2, "\(result.standardOutput)")
            #expect(result.standardOutput.contains("44 99"), "\(result.standardOutput)")
            expectGone(id)
        }

        /// A detached task, execs into it (plain, with a terminal), kill --all
        /// reaching the exec'd process as well as the main one, then kill,
        /// task delete and container delete.
        @Test func execKillAllAndDelete() throws {
            let id = Fixtures.uniqueName("vmm-ctr-exec")
            let main = "trap 'echo main-got-term' TERM; sleep 1000 & wait; sleep 1000"
            let started = try ctr(["run", "-d"] + Containerd.runOptions + [id, "sh", "-c", main])
            try #require(started.status == 0, "\(started.standardError)")
            defer {
                _ = try? ctr(["task", "kill", "-s", "SIGKILL", id])
                _ = try? ctr(["task", "delete", "--force", id])
                _ = try? ctr(["container", "delete", id])
                expectGone(id)
            }
            let plain = try ctr(["task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo ctr-exec; exit 9"])
            #expect(plain.status == 9 && plain.standardOutput == "ctr-exec\n", "\(plain)")
            // ctr 1.6 sends its size only after the exec started (it sets no
            // process.consoleSize), as it does with runc: the process waits
            // for it (10 s at most) rather than race it.
            let waitForSize = "n=0; until [ \"$(stty size 2>/dev/null)\" = \"12 34\" ] || [ $n -ge 100 ]; do n=$((n+1)); sleep 0.1; done"
            let inner = "stty rows 12 cols 34; \(try Containerd.commandLine()) task exec -t --exec-id e2 \(id) sh -c '\(waitForSize); stty size; exit 5'"
            let terminal = Command.run("/usr/bin/script", ["-qec", inner, "/dev/null"], timeout: Containerd.timeout)
            #expect(terminal.status == 5 && terminal.standardOutput.contains("12 34"), "\(terminal.standardOutput)")

            // kill --all: TERM reaches an exec'd process with a trap, whose exec ends with its status.
            let trapping = "trap 'echo exec-got-term; exit 3' TERM; echo up; sleep 1000 & wait"
            let exec = Command.run("/bin/sh", ["-c", "\(try Containerd.commandLine()) task exec --exec-id e3 \(id) sh -c \"\(trapping)\" & e=$!; sleep 8; \(try Containerd.commandLine()) task kill --all -s SIGTERM \(id); wait $e"], timeout: Containerd.timeout)
            #expect(exec.status == 3, "\(exec)")
            #expect(exec.standardOutput == "up\nexec-got-term\n", "\(exec)")
            #expect(try taskStatus(id) == "RUNNING", "the main process traps TERM and runs on")

            #expect(try ctr(["task", "kill", "-s", "SIGKILL", id]).status == 0)
            var status = ""
            for _ in 0..<300 {
                status = try taskStatus(id)
                if status == "STOPPED" { break }
                usleep(200_000)
            }
            #expect(status == "STOPPED")
            #expect(try ctr(["task", "delete", id]).status == 0)
            #expect(try ctr(["container", "delete", id]).status == 0)
        }
    }
}
