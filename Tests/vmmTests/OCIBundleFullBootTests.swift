import Foundation
import Testing
import TestSupport

/// `vmm create`, `start` and `delete` of a bundle that uses every field
/// issue 11 applies, booted for real: the manager-free path a runtime test
/// suite takes. Full boot: natively with VT-x/AMD-V, else in the emulated
/// AMD-V test machine.
@Suite(
    "vmm create/start of a full bundle (full boot)",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct OCIBundleFullBootTests {
    static let script = """
        hostname; echo $$
        grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status | tr -d '\\t'
        cat /proc/self/oom_score_adj /proc/sys/kernel/msgmax
        stat -c '%t:%T %a %g' /dev/fuse
        cat /data/in; echo from-bundle > /data/out; cat /etc/motd
        touch /probe 2>/dev/null || echo root-read-only
        echo x > /tmp/x && echo tmp-writable
        wc -c < /proc/version
        cat /proc/self/cgroup /sys/fs/cgroup/pids.max
        """

    static let expected = [
        "bundlebox", "1", "CapEff:0000000000000021", "CapBnd:0000000000000021", "NoNewPrivs:1", "200", "12345", "a:e5 640 5",
        "from the host", "message of the day", "root-read-only", "tmp-writable", "0", "0::/", "50",
    ]

    /// The default bundle, changed to ask for each field.
    func makeBundle(in scratch: String) throws -> String {
        let bundle = scratch + "/bundle"
        try DefaultBundle.make(at: bundle) { json in
            var process = json["process"] as? [String: Any] ?? [:]
            process["args"] = ["sh", "-c", Self.script]
            process["capabilities"] = Dictionary(uniqueKeysWithValues: ["bounding", "effective", "permitted"].map { ($0, ["CAP_CHOWN", "CAP_KILL"]) })
            process["noNewPrivileges"] = true
            process["oomScoreAdj"] = 200
            json["process"] = process
            json["hostname"] = "bundlebox"
            json["root"] = ["path": "rootfs", "readonly": true]
            json["mounts"] = [
                ["destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]],
                ["destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]],
                ["destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=8m", "mode=1777"]],
                ["destination": "/data", "type": "bind", "source": scratch + "/data", "options": ["rbind", "rw"]],
                ["destination": "/etc/motd", "type": "bind", "source": scratch + "/motd", "options": ["bind", "ro"]],
                ["destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]],
            ]
            json["linux"] = [
                "devices": [["path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o640, "uid": 0, "gid": 5]],
                "maskedPaths": ["/proc/version"], "readonlyPaths": ["/proc/sys"],
                "sysctl": ["kernel.msgmax": "12345"],
                "resources": ["pids": ["limit": 50]],
                "namespaces": [["type": "pid"], ["type": "mount"], ["type": "ipc"], ["type": "uts"], ["type": "cgroup"]],
            ]
            json["hooks"] = [
                "prestart": [["path": "/bin/sh", "args": ["sh", "-c", "cat > \(scratch)/prestart.json"]]],
                "poststop": [["path": "/bin/sh", "args": ["sh", "-c", "cat > \(scratch)/poststop.json"]]],
            ]
        }
        return bundle
    }

    /// Creates, starts and deletes the bundle as container `id` (state under
    /// scratch/state); returns its stdout and vmm create's stderr.
    func createStartDelete(_ bundle: String, id: String, scratch: String, afterCreate: () -> Void = {}) throws -> (output: String, errors: String) {
        let root = scratch + "/state"
        func vmm(_ arguments: String...) -> Command.Result { Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments) }
        let create = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' \(id) < /dev/null > '\(scratch)/\(id).out' 2> '\(scratch)/\(id).err'"
        let created = Command.run("/bin/sh", ["-c", create])
        let errors = (try? String(contentsOfFile: scratch + "/\(id).err", encoding: .utf8)) ?? ""
        try #require(created.status == 0, "\(errors)")
        afterCreate()
        #expect(vmm("start", id).status == 0)
        // Each vmm state is a process start in the emulated machine: polled gently.
        for _ in 0..<400 where !vmm("state", id).standardOutput.contains("\"stopped\"") { usleep(500_000) }
        let output = (try? String(contentsOfFile: scratch + "/\(id).out", encoding: .utf8)) ?? ""
        #expect(vmm("delete", id).status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/" + id))
        return (output, errors)
    }

    func scratchDirectory() throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-full-bundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch + "/data", withIntermediateDirectories: true)
        return scratch
    }

    @Test func everyFieldOfTheBundleReachesTheContainer() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try "from the host\n".write(toFile: scratch + "/data/in", atomically: false, encoding: .utf8)
        try "message of the day\n".write(toFile: scratch + "/motd", atomically: false, encoding: .utf8)
        let bundle = try makeBundle(in: scratch)
        let (output, errors) = try createStartDelete(bundle, id: "full", scratch: scratch) {
            #expect((try? String(contentsOfFile: scratch + "/prestart.json", encoding: .utf8))?.contains(#""status":"creating""#) == true)
        }
        #expect(!errors.contains("not applied") && !errors.contains("not run"), "nothing of the bundle is left out: \(errors)")
        #expect(output.split(separator: "\n").map(String.init) == Self.expected, "stderr: \(errors)")
        #expect((try? String(contentsOfFile: scratch + "/data/out", encoding: .utf8)) == "from-bundle\n")
        #expect((try? String(contentsOfFile: scratch + "/poststop.json", encoding: .utf8))?.contains(#""status":"stopped""#) == true)
    }

    /// The mounts Docker 20.10 (its defaults, then the shm, resolv.conf,
    /// hostname and hosts binds its daemon adds) and containerd 1.6 (ctr
    /// run's defaults) write into config.json.
    static func managerMounts(_ manager: String, host: String) -> [[String: Any]] {
        let common: [[String: Any]] = [
            ["destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]],
            ["destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]],
            ["destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]],
            ["destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]],
            ["destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]],
        ]
        if manager == "docker" {
            return common + [
                ["destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro", "nosuid", "noexec", "nodev"]],
                ["destination": "/dev/shm", "type": "bind", "source": host + "/shm", "options": ["rbind", "rprivate"]],
                ["destination": "/etc/resolv.conf", "type": "bind", "source": host + "/resolv.conf", "options": ["rbind", "rprivate"]],
                ["destination": "/etc/hostname", "type": "bind", "source": host + "/hostname", "options": ["rbind", "rprivate"]],
                ["destination": "/etc/hosts", "type": "bind", "source": host + "/hosts", "options": ["rbind", "rprivate"]],
            ]
        }
        return common + [
            ["destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]],
            ["destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]],
        ]
    }

    @Test(arguments: ["docker", "containerd"])
    func theMountsDockerAndContainerdWriteAreMade(_ manager: String) throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let host = scratch + "/data"
        try FileManager.default.createDirectory(atPath: host + "/shm", withIntermediateDirectories: true)
        for (file, text) in [("resolv.conf", "nameserver 192.0.2.1\n"), ("hostname", "from-docker\n"), ("hosts", "127.0.0.1 localhost\n")] {
            try text.write(toFile: host + "/" + file, atomically: false, encoding: .utf8)
        }
        let bundle = scratch + "/bundle"
        let script = "for d in /dev /dev/pts /dev/mqueue /dev/shm /sys /sys/fs/cgroup /run; do grep \" $d \" /proc/mounts | cut -d' ' -f2,3; done; "
            + "cat /etc/hostname /etc/resolv.conf 2>/dev/null; ls /dev | grep -c vport"
        try DefaultBundle.make(at: bundle) { json in
            json["mounts"] = Self.managerMounts(manager, host: host)
            DefaultBundle.setArguments(["sh", "-c", script], in: &json)
        }

        let (output, errors) = try createStartDelete(bundle, id: manager, scratch: scratch)
        let mounts = ["/dev tmpfs", "/dev/pts devpts", "/dev/mqueue mqueue", "/dev/shm tmpfs", "/sys sysfs"]
        // Without Docker's binds the image's own /etc/hostname shows.
        let imageHostname = ((try? String(contentsOfFile: bundle + "/rootfs/etc/hostname", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
        let expected = manager == "docker"
            ? mounts + ["/sys/fs/cgroup cgroup2", "from-docker", "nameserver 192.0.2.1", "0"]
            : mounts + ["/run tmpfs"] + imageHostname + ["0"]
        #expect(output.split(separator: "\n").map(String.init) == expected, "stderr: \(errors)")
        let warnings = errors.split(separator: "\n").filter { $0.contains("not made") || $0.contains("not applied") }
        #expect(warnings.allSatisfy { $0.hasSuffix("mounts not made in the VM: /dev/shm (a bind of \(host)/shm: a tmpfs of the VM's instead)") }, "\(warnings)")
    }
}

/// `vmm exec` into a container started with `vmm create/start`: its own
/// stdio and exit status, the container's namespaces, a detached exec, and
/// a one-line error for a program that is not there.
@Suite(
    "vmm exec (full boot)",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct ExecFullBootTests {
    @Test func execRunsInTheContainerWithItsOwnStdioAndStatus() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-exec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bundle = scratch + "/bundle"
        try DefaultBundle.make(at: bundle) { json in
            DefaultBundle.setArguments(["sh", "-c", "echo main > /tmp/main; exec sleep 300"], in: &json)
            json["hostname"] = "execbox"
        }
        let root = scratch + "/state"
        func vmm(_ arguments: [String], stdin: Data = Data()) -> Command.Result {
            Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments, standardInput: stdin)
        }
        let create = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' ex < /dev/null > /dev/null 2> '\(scratch)/err'"
        try #require(Command.run("/bin/sh", ["-c", create]).status == 0, "\((try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? "")")
        defer { _ = vmm(["delete", "--force", "ex"]) }
        #expect(vmm(["start", "ex"]).status == 0)

        let plain = vmm(["exec", "ex", "sh", "-c", "echo out; echo err >&2; cat; hostname; cat /tmp/main; tr '\\0' ' ' < /proc/1/cmdline; exit 3"],
                        stdin: Data("from stdin\n".utf8))
        #expect(plain.status == 3, "\(plain.standardError)")
        #expect(plain.standardOutput == "out\nfrom stdin\nexecbox\nmain\nsleep 300 ")
        #expect(plain.standardError == "err\n")

        let options = vmm(["exec", "--user", "1000:1001", "--cwd", "/tmp", "--env", "EXTRA=yes", "ex", "sh", "-c", "id -u; id -g; pwd; echo $EXTRA"])
        #expect(options.standardOutput == "1000\n1001\n/tmp\nyes\n", "\(options.standardError)")

        let pidFile = scratch + "/exec.pid"
        let detached = vmm(["exec", "--detach", "--pid-file", pidFile, "ex", "sh", "-c", "sleep 2"])
        #expect(detached.status == 0, "\(detached.standardError)")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? 0
        #expect(pid > 0 && kill(pid, 0) == 0, "the detached relay runs while its process does")

        let missing = vmm(["exec", "ex", "/no/such/program"])
        #expect(missing.status != 0)
        #expect(missing.standardError.hasPrefix("vmm: exec failed: ") && missing.standardError.contains("/no/such/program"),
                "\(missing.standardError)")
        #expect(vmm(["state", "ex"]).standardOutput.contains("\"running\""), "a failed exec leaves the container running")
    }

    /// SIGKILL to an exec'd process is its status (137); five execs at once
    /// each keep their own output and status; the main process ending ends
    /// an exec still running the way runc does (it dies of SIGKILL) and the
    /// container stops with the main process's status.
    @Test func execsAreKilledRunInParallelAndEndWithTheContainer() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-execs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bundle = scratch + "/bundle"
        try DefaultBundle.make(at: bundle) { json in
            DefaultBundle.setArguments(["sh", "-c", "while [ ! -e /tmp/stop ]; do sleep 0.2; done; exit 2"], in: &json)
        }
        let vmm = "'\(Fixtures.vmmExecutable)' --root '\(scratch)/state'"
        func shell(_ script: String) -> Command.Result { Command.run("/bin/sh", ["-c", script]) }
        try #require(shell("\(vmm) create --bundle '\(bundle)' ex </dev/null >/dev/null && \(vmm) start ex").status == 0)
        defer { _ = shell("\(vmm) delete --force ex") }

        let killed = shell("""
            \(vmm) exec ex sh -c 'echo $$ > /tmp/pid; exec sleep 500' & e=$!
            \(vmm) exec ex sh -c 'until [ -s /tmp/pid ]; do sleep 0.1; done; kill -9 $(cat /tmp/pid)'
            wait $e; echo "status $?"
            """)
        #expect(killed.standardOutput == "status 137\n", "\(killed)")

        let parallel = shell("""
            for i in 1 2 3 4 5; do ( out=$(\(vmm) exec ex sh -c "echo par-$i; exit $i"); echo "$out:$?" ) & done; wait
            """)
        let lines = Set(parallel.standardOutput.split(separator: "\n").map(String.init))
        #expect(lines == Set((1...5).map { "par-\($0):\($0)" }), "\(parallel)")

        let ended = shell("""
            \(vmm) exec ex sh -c 'touch /tmp/long-running; sleep 500' & e=$!
            \(vmm) exec ex sh -c 'until [ -e /tmp/long-running ]; do sleep 0.1; done; touch /tmp/stop'
            wait $e; echo "status $?"
            """)
        #expect(ended.standardOutput == "status 137\n", "\(ended)")
        var state = ""
        for _ in 0..<150 {
            state = shell("\(vmm) state ex").standardOutput
            if state.contains("\"stopped\"") { break }
            usleep(200_000)
        }
        #expect(state.contains("\"stopped\""), "\(state)")
    }
}
