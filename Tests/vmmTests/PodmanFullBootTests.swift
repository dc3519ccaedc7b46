import Foundation
import Testing
import TestSupport

extension ManagersFullBootTests {
    /// podman (with conmon) running real containers with vmm as the runtime:
    /// our kernel boots, init runs the image's process over virtio-fs. Full
    /// boot: natively with VT-x/AMD-V, else in the emulated AMD-V test machine.
    /// No network yet (vmm has no network device): every run is --network none.
    @Suite(
        "podman runs real containers on vmm (full boot)",
        .serialized,
        .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
        .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason),
        .enabled(if: Podman.isInstalled, "needs podman and conmon (apt-get install podman conmon)"))
    struct PodmanFullBootTests {
        func podman(_ arguments: String..., stdin: Data = Data()) throws -> Command.Result {
            try Podman.run(arguments, standardInput: stdin)
        }

        /// `podman run` of IMAGE with the common options before `rest`.
        func run(_ options: [String], _ command: [String], stdin: Data = Data()) throws -> Command.Result {
            try Podman.run(["run", "--network", "none"] + options + [Podman.image] + command, standardInput: stdin)
        }

        /// Polls `podman inspect` until the container's state is `wanted`.
        func waitForState(_ name: String, _ wanted: String, seconds: Int = 180) throws -> String {
            var state = ""
            let deadline = Date().addingTimeInterval(TimeInterval(seconds))
            while Date() < deadline {
                state = try podman("inspect", "--format", "{{.State.Status}}", name).standardOutput
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if state == wanted { break }
                usleep(200_000)
            }
            return state
        }

        /// Polls `podman logs` until it holds `text`.
        func waitForLog(_ name: String, _ text: String, seconds: Int = 180) throws -> String {
            var logs = ""
            let deadline = Date().addingTimeInterval(TimeInterval(seconds))
            while Date() < deadline {
                logs = try podman("logs", name).standardOutput
                if logs.contains(text) { break }
                usleep(200_000)
            }
            return logs
        }

        @Test func stdinReachesTheProcessAndEOFEndsIt() throws {
            let result = try run(["-i", "--rm"], ["head", "-n", "1"], stdin: Data("x\ny\n".utf8))
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "x\n")
        }

        @Test func theExitStatusIsPodmansAndShowsInPsAndInspect() throws {
            let name = Fixtures.uniqueName("vmm-exit")
            let result = try run(["--name", name], ["sh", "-c", "exit 7"])
            #expect(result.status == 7, "\(result.standardError)")
            #expect(try podman("ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}").standardOutput.hasPrefix("Exited (7)"))
            #expect(try podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name).standardOutput == "exited 7\n")
            #expect(try podman("rm", name).status == 0)
        }

        @Test func stdoutAndStderrArriveApart() throws {
            let result = try run(["--rm"], ["sh", "-c", "echo out; echo err >&2; echo out2"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "out\nout2\n")
            #expect(result.standardError == "err\n")
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
        func aTerminalCarriesTheWindowSizeAndTheExitStatus() throws {
            try Podman.ensureImported()
            let inner = "stty rows 33 cols 101; \(Podman.commandLine) run -it --rm --network none \(Podman.image) sh -c 'tty; stty size; exit 5'"
            let result = Command.run("/usr/bin/script", ["-qec", inner, "/dev/null"], timeout: Podman.timeout)
            #expect(result.status == 5, "\(result.standardOutput)")
            #expect(result.standardOutput.contains("/dev/console"), "podman's own /dev has the terminal at /dev/console, as under runc")
            #expect(result.standardOutput.contains("33 101"))
        }

        /// A name like DOTTED.NAME reaches the process; ash would not pass it
        /// on to a child, so it is read from the shell's exec environment.
        @Test func hostnameUserWorkdirAndEnvironmentReachTheProcess() throws {
            let result = try run(
                ["--rm", "--hostname", "box", "-u", "1000:1000", "-w", "/tmp",
                 "-e", "GREETING=hi there", "-e", "EQUATION=a=b=c", "-e", "DOTTED.NAME=v.1"],
                ["sh", "-c", "echo \"$GREETING\"; echo \"$EQUATION\"; tr '\\0' '\\n' </proc/$$/environ | grep '^DOTTED'; hostname; id -u; id -g; pwd"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "hi there\na=b=c\nDOTTED.NAME=v.1\nbox\n1000\n1000\n/tmp\n")
        }

        @Test func argumentsArriveByteExact() throws {
            let arguments = ["a b", "c=d.e", "\"q\" 'r'", "new\nline", "", "ünï", "$HOME", "*"]
            let result = try run(["--rm"], ["printf", "%s|"] + arguments)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == arguments.map { $0 + "|" }.joined())
        }
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `podman stop`: SIGTERM reaches a process that handles it.
    @Test func stopEndsTheProcessWithSIGTERM() throws {
        let name = Fixtures.uniqueName("vmm-stop")
        #expect(try run(["-d", "--name", name], ["sh", "-c", "trap 'exit 143' TERM; echo ready; sleep 1000 & wait"]).status == 0)
        #expect(try waitForLog(name, "ready").contains("ready"))
        let stop = try podman("stop", "-t", "60", name)
        #expect(stop.status == 0, "\(stop.standardError)")
        #expect(try podman("ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}").standardOutput.hasPrefix("Exited (143)"))
        #expect(try podman("rm", name).status == 0)
    }

    /// As under runc: the process is PID 1 of its namespace, so without a
    /// handler it ignores SIGTERM, and podman's SIGKILL after the timeout
    /// ends it (137).
    @Test func stopOfAPID1WithoutAHandlerEndsWithSIGKILL() throws {
        let name = Fixtures.uniqueName("vmm-stop-pid1")
        #expect(try run(["-d", "--name", name], ["sleep", "1000"]).status == 0)
        #expect(try waitForState(name, "running") == "running")
        let stop = try podman("stop", "-t", "2", name)
        #expect(stop.status == 0, "\(stop.standardError)")
        #expect(try podman("ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}").standardOutput.hasPrefix("Exited (137)"))
        #expect(try podman("rm", name).status == 0)
    }

    /// PID 1 in its own PID namespace: `$$` is 1 and /proc holds only it.
    @Test func theProcessIsPID1() throws {
        let result = try run(["--rm"], ["sh", "-c", "echo $$; echo /proc/[0-9]*"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "1\n/proc/1\n")
    }

    /// kill -s USR1 reaches the shell's trap; logs and wait see the rest.
    @Test func killDeliversTheSignalToATrapAndLogsShowIt() throws {
        let name = Fixtures.uniqueName("vmm-kill")
        let script = "trap 'echo got USR1; exit 9' USR1; echo ready; sleep 1000 & wait"
        #expect(try run(["-d", "--name", name], ["sh", "-c", script]).status == 0)
        #expect(try waitForLog(name, "ready") == "ready\n")
        #expect(try podman("kill", "-s", "USR1", name).status == 0)
        let waited = try podman("wait", name)
        #expect(waited.standardOutput == "9\n", "\(waited.standardError)")
        #expect(try podman("logs", name).standardOutput == "ready\ngot USR1\n")
        #expect(try podman("inspect", "--format", "{{.State.ExitCode}}", name).standardOutput == "9\n")
        #expect(try podman("rm", name).status == 0)
    }

    @Test func rmForceOfARunningContainerLeavesNoProcessBehind() throws {
        let name = Fixtures.uniqueName("vmm-rmf")
        #expect(try run(["-d", "--name", name], ["sleep", "1000"]).status == 0)
        #expect(try waitForState(name, "running") == "running")
        let id = try podman("inspect", "--format", "{{.Id}}", name).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(id.count == 64, "container id: \(id)")
        #expect(!RuntimeProcesses.left(naming: id, seconds: 0).isEmpty, "the monitor and virtiofsd name their container")
        let removed = try podman("rm", "-f", name)
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(RuntimeProcesses.left(naming: id) == [], "vmm or virtiofsd outlived the container")
        #expect(try podman("ps", "-a", "--filter", "name=\(name)", "-q").standardOutput == "")
    }

    /// The process ticks into its log: paused, the log stands still.
    @Test func pauseHoldsTheContainerAndUnpauseLetsItGoOn() throws {
        let name = Fixtures.uniqueName("vmm-pause")
        #expect(try run(["-d", "--name", name], ["sh", "-c", "while true; do echo tick; sleep 0.3; done"]).status == 0)
        #expect(try waitForLog(name, "tick\ntick\n").hasPrefix("tick\ntick\n"))
        #expect(try podman("pause", name).status == 0)
        #expect(try podman("inspect", "--format", "{{.State.Status}}", name).standardOutput == "paused\n")
        let whilePaused = try podman("logs", name).standardOutput
        sleep(3)
        #expect(try podman("logs", name).standardOutput == whilePaused)
        #expect(try podman("unpause", name).status == 0)
        #expect(try podman("inspect", "--format", "{{.State.Status}}", name).standardOutput == "running\n")
        #expect(try waitForLog(name, whilePaused + "tick\n").count > whilePaused.count)
        #expect(try podman("rm", "-f", name).status == 0)
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `-v` of a directory (rw) and a file (ro), and the file mounts podman
    /// adds itself (/etc/hosts, /etc/hostname, /run/.containerenv).
    @Test func volumesAndPodmansOwnFileMountsReachTheContainer() throws {
        let host = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-podman-v-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: host + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: host) }
        try "in\n".write(toFile: host + "/data/in", atomically: false, encoding: .utf8)
        try "file\n".write(toFile: host + "/f", atomically: false, encoding: .utf8)
        let script = """
            cat /data/in; echo from-container > /data/g; cat /f
            if echo y > /f 2>/dev/null; then echo f-writable; else echo f-read-only; fi
            test -f /run/.containerenv && echo containerenv
            grep -q localhost /etc/hosts && echo hosts
            echo "$(cat /etc/hostname)"
            """
        let result = try run(["--rm", "--hostname", "box", "-v", "\(host)/data:/data", "-v", "\(host)/f:/f:ro"], ["sh", "-c", script])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "in\nfile\nf-read-only\ncontainerenv\nhosts\nbox\n")
        #expect((try? String(contentsOfFile: host + "/data/g", encoding: .utf8)) == "from-container\n")
        #expect((try? String(contentsOfFile: host + "/f", encoding: .utf8)) == "file\n")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `--tmpfs` with podman's options (tmpcopyup among them: the image's
    /// files at that path are copied up, as runc does), and size and mode
    /// as the kernel applies them.
    @Test func tmpfsMountsTakeTheirOptionsAndCopyUp() throws {
        let script = """
            stat -c %a /scratch; df -k /scratch | tail -n 1 | awk '{print $2}'
            echo hi > /scratch/f && cat /scratch/f
            ls /etc/copied | head -n 3
            """
        let result = try run(["--rm", "--tmpfs", "/scratch:size=8m,mode=1777", "--tmpfs", "/etc"], ["sh", "-c", script.replacingOccurrences(of: "/etc/copied", with: "/etc")])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["1777", "8192", "hi"])
        #expect(lines.count == 6, "the image's /etc is copied up into the tmpfs: \(result.standardOutput)")
    }

    /// `--read-only`: the root refuses writes, the tmpfs mounts podman puts
    /// over it (/tmp, /run, /var/tmp) take them.
    @Test func aReadOnlyRootKeepsItsTmpfsMountsWritable() throws {
        let script = """
            if touch /probe 2>/dev/null; then echo root-writable; else echo root-read-only; fi
            for d in /tmp /run /var/tmp; do touch $d/probe && echo $d-writable; done
            """
        let result = try run(["--rm", "--read-only"], ["sh", "-c", script])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "root-read-only\n/tmp-writable\n/run-writable\n/var/tmp-writable\n")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `--memory` and `--cpus` size the VM: MemTotal near the limit, that
    /// many vCPUs online.
    @Test func memoryAndCPUsSizeTheVM() throws {
        let result = try run(["--rm", "--memory", "256m", "--cpus", "2"], ["sh", "-c", "grep MemTotal /proc/meminfo | awk '{print $2}'; nproc"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let memTotalKiB = lines.first.flatMap { Int($0) } ?? 0
        #expect((240 * 1024...272 * 1024).contains(memTotalKiB), "MemTotal \(memTotalKiB) KiB for a 256 MiB limit")
        #expect(lines.last == "2")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// podman's default masked and read-only paths, and `--security-opt
    /// mask=` of a file and a directory.
    @Test func maskedAndReadOnlyPathsHold() throws {
        let script = """
            if echo x > /proc/sys/kernel/domainname 2>/dev/null; then echo sys-writable; else echo sys-read-only; fi
            wc -c < /etc/hostname; ls -A /var | wc -l
            if touch /var/x 2>/dev/null; then echo var-writable; else echo var-read-only; fi
            """
        let result = try run(["--rm", "--security-opt", "mask=/etc/hostname:/var"], ["sh", "-c", script])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["sys-read-only", "0", "0", "var-read-only"])
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `--cap-drop ALL --cap-add CAP_KILL` leaves CAP_KILL alone (and chown
    /// is refused), `--security-opt no-new-privileges`, `--oom-score-adj`
    /// and an IPC sysctl, set before podman's read-only /proc/sys.
    @Test func capabilitiesNoNewPrivilegesOOMScoreAndSysctlsApply() throws {
        let script = """
            grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status | tr -d '\\t'
            cat /proc/self/oom_score_adj /proc/sys/kernel/msgmax
            touch /tmp/f; chown 1 /tmp/f 2>/dev/null || echo chown-refused
            echo 1 > /proc/sys/kernel/msgmax 2>/dev/null || echo sysctl-write-refused
            """
        let result = try run(["--rm", "--cap-drop", "ALL", "--cap-add", "CAP_KILL", "--security-opt", "no-new-privileges",
                              "--oom-score-adj", "300", "--sysctl", "kernel.msgmax=12345"], ["sh", "-c", script])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n") == [
            "CapEff:0000000000000020", "CapBnd:0000000000000020", "NoNewPrivs:1", "300", "12345", "chown-refused", "sysctl-write-refused",
        ])
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// An OCI hook from `--hooks-dir` (podman puts it in config.json): its
    /// prestart and poststop stages run on the host with the state.
    @Test func hooksFromAHooksDirRunOnTheHost() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-podman-hooks-\(UUID().uuidString)")
        let hooks = scratch.appendingPathComponent("hooks"), directory = scratch.appendingPathComponent("seen")
        for made in [hooks, directory] { try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: scratch) }
        for stage in ["prestart", "poststop"] {
            let hook = """
                {"version": "1.0.0", "hook": {"path": "/bin/sh", "args": ["sh", "-c", "cat > \(directory.path)/\(stage).json"]},
                 "when": {"always": true}, "stages": ["\(stage)"]}
                """
            try Data(hook.utf8).write(to: hooks.appendingPathComponent("\(stage).json"))
        }
        let name = Fixtures.uniqueName("vmm-hooks")
        let result = try run(["--rm", "--name", name, "--hooks-dir", hooks.path], ["echo", "ran"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "ran\n")
        let prestart = (try? String(contentsOf: directory.appendingPathComponent("prestart.json"), encoding: .utf8)) ?? ""
        #expect(prestart.contains(#""status":"creating""#), "prestart saw the state: \(prestart)")
        let poststop = (try? String(contentsOf: directory.appendingPathComponent("poststop.json"), encoding: .utf8)) ?? ""
        #expect(poststop.contains(#""status":"stopped""#), "poststop ran at delete: \(poststop)")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// podman's /dev tmpfs is the container's own /dev: runc's nodes, a
    /// `--device` added, shm and pts mounted, and none of the guest's devices.
    @Test func theContainerHasItsOwnDevWithTheDevicesAsked() throws {
        let script = """
            ls /dev | tr '\\n' ' '; echo
            stat -c '%F %t:%T' /dev/mynull; echo x > /dev/mynull && echo mynull-ok
            grep -E ' /dev/(shm|pts|mqueue) ' /proc/mounts | cut -d' ' -f2,3 | sort | tr '\\n' ' '; echo
            test -e /dev/hvc0 || echo no-hvc0
            """
        let result = try run(["--rm", "--device", "/dev/null:/dev/mynull"], ["sh", "-c", script])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let names = Set((lines.first ?? "").split(separator: " ").map(String.init))
        #expect(names.isSuperset(of: ["null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "mqueue", "fd", "mynull"]), "\(lines)")
        #expect(names.isDisjoint(with: ["hvc0", "console", "vport1p1", "mem", "kmsg"]), "no guest device leaks in: \(lines)")
        #expect(Array(lines.dropFirst()) == ["character special file 1:3", "mynull-ok", "/dev/mqueue mqueue /dev/pts devpts /dev/shm tmpfs ", "no-hvc0"])
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// podman's cgroup mount is the container's own cgroup2 view, and
    /// `--pids-limit` is its pids.max.
    @Test func theContainerHasItsOwnCgroupWithThePidsLimit() throws {
        let result = try run(["--rm", "--pids-limit", "42"], ["sh", "-c", "cat /proc/self/cgroup /sys/fs/cgroup/pids.max"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "0::/\n42\n")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `podman exec` (conmon runs `vmm exec --detach --process …`): output,
    /// exit status, stdin, -u, -w and -e, while the container runs on.
    @Test func podmanExecRunsInTheRunningContainer() throws {
        let name = Fixtures.uniqueName("vmm-exec")
        let started = try run(["-d", "--name", name], ["sleep", "300"])
        try #require(started.status == 0, "\(started.standardError)")
        defer { _ = try? podman("rm", "-f", name) }
        let plain = try podman("exec", name, "sh", "-c", "echo hi; echo err >&2; exit 4")
        #expect(plain.status == 4, "\(plain.standardError)")
        #expect(plain.standardOutput == "hi\n")
        #expect(plain.standardError.contains("err"))
        let input = try podman("exec", "-i", name, "cat", stdin: Data("through stdin\n".utf8))
        #expect(input.standardOutput == "through stdin\n", "\(input.standardError)")
        let options = try podman("exec", "-u", "1000", "-w", "/tmp", "-e", "EXTRA=yes", name, "sh", "-c", "id -u; pwd; echo $EXTRA")
        #expect(options.standardOutput == "1000\n/tmp\nyes\n", "\(options.standardError)")
        let missing = try podman("exec", name, "nosuchcommand")
        #expect(missing.status == 127, "podman reads runc's words for a missing program: \(missing.standardError)")
        #expect(try waitForState(name, "running", seconds: 5) == "running", "the container runs on")
    }
}

extension ManagersFullBootTests.PodmanFullBootTests {
    /// `podman exec -it`: conmon's console socket gets the exec's terminal,
    /// which has the outer terminal's size, and the status comes back.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
    func podmanExecWithATerminal() throws {
        let name = Fixtures.uniqueName("vmm-exec-tty")
        let started = try run(["-d", "--name", name], ["sleep", "300"])
        try #require(started.status == 0, "\(started.standardError)")
        defer { _ = try? podman("rm", "-f", name) }
        let inner = "stty rows 33 cols 101; \(Podman.commandLine) exec -it \(name) sh -c 'tty; stty size; exit 5'"
        let result = Command.run("/usr/bin/script", ["-qec", inner, "/dev/null"], timeout: Podman.timeout)
        #expect(result.status == 5, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("/dev/pts/"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("33 101"), "\(result.standardOutput)")
    }

    /// `podman attach` joins a detached container's output live; the
    /// container's exit status is podman's to show.
    @Test func attachJoinsADetachedContainer() throws {
        let name = Fixtures.uniqueName("vmm-attach")
        let script = "echo early; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo late; exit 3"
        try #require(try run(["-d", "--name", name], ["sh", "-c", script]).status == 0)
        defer { _ = try? podman("rm", "-f", name) }
        #expect(try waitForLog(name, "early").contains("early"))
        // The exec opens the gate once attach is up, so "late" reaches it live.
        let attach = Command.run("/bin/sh", ["-c", "\(Podman.commandLine) attach \(name) & a=$!; sleep 3; \(Podman.commandLine) exec \(name) touch /tmp/go; wait $a"],
                                 timeout: Podman.timeout)
        #expect(attach.status == 0, "podman 4.3's attach returns 0 when the container ends: \(attach)")
        #expect(attach.standardOutput.contains("late"), "\(attach)")
        #expect(try waitForState(name, "exited") == "exited")
        #expect(try podman("inspect", "--format", "{{.State.ExitCode}}", name).standardOutput == "3\n")
    }
}
