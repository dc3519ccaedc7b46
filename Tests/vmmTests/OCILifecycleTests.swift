import Foundation
import Testing
import TestSupport

/// The OCI verbs end to end under real KVM. The bundle names a firmware
/// stand-in (annotation dev.vmm.firmware) that speaks guest/PROTOCOL.md as
/// init does: READY, then on START it echoes stdin and exits 7, and a
/// SIGNAL ends it with EXITED(-1, signal). So create/start/state/kill/delete,
/// the monitor and its socket run for real on hosts that cannot boot Linux.
@Suite("OCI lifecycle (firmware stand-in)", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct OCILifecycleTests {
    let scratch: URL
    let root: String
    let bundle: String

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-oci-\(UUID().uuidString)")
        root = scratch.appendingPathComponent("state").path
        bundle = scratch.appendingPathComponent("bundle").path
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        let config = """
            {"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
             "annotations": {"dev.vmm.firmware": "\(try Fixtures.firmware("virtio_console"))"}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    func vmm(_ arguments: String...) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments)
    }

    /// create with the container's stdio on files (the monitor keeps them).
    func create(_ id: String, stdin: String = "", extra: String = "") throws -> Command.Result {
        let input = scratch.appendingPathComponent("\(id).in").path
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: input))
        let out = scratch.appendingPathComponent("\(id).out").path
        let err = scratch.appendingPathComponent("\(id).err").path
        let pidFile = scratch.appendingPathComponent("\(id).pid").path
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' --pid-file '\(pidFile)' \(extra) \(id) < '\(input)' > '\(out)' 2> '\(err)'"
        return Command.run("/bin/sh", ["-c", line])
    }

    /// A FIFO for the container's stdin, held open for writing: the
    /// stand-in echoes it and runs until its end.
    func heldStdin(_ id: String) throws -> (path: String, writer: Int32) {
        let fifo = scratch.appendingPathComponent("\(id).fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let writer = open(fifo, O_RDWR | O_CLOEXEC)
        try #require(writer >= 0)
        return (fifo, writer)
    }

    func output(_ id: String, _ stream: String) -> String {
        (try? String(contentsOfFile: scratch.appendingPathComponent("\(id).\(stream)").path, encoding: .utf8)) ?? ""
    }

    func state(_ id: String) -> [String: Any] {
        let result = vmm("state", id)
        return (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
    }

    func waitUntilStopped(_ id: String) {
        for _ in 0..<500 where state(id)["status"] as? String != "stopped" { usleep(10_000) }
    }

    @Test func createStartStateDelete() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let created = try create("c1", stdin: "to the container\n")
        #expect(created.status == 0, "\(output("c1", "err"))")
        let pid = Int32(try String(contentsOfFile: scratch.appendingPathComponent("c1.pid").path, encoding: .utf8)) ?? -1
        var current = state("c1")
        #expect(current["status"] as? String == "created")
        #expect((current["pid"] as? Int).map(Int32.init) == pid, "the pid file names the monitor, which state reports")
        #expect(current["id"] as? String == "c1")
        #expect(current["bundle"] as? String == bundle)
        #expect(output("c1", "out").isEmpty, "nothing runs before start")

        #expect(vmm("start", "c1").status == 0)
        waitUntilStopped("c1")
        current = state("c1")
        #expect(current["status"] as? String == "stopped")
        #expect(current["pid"] == nil)
        #expect(output("c1", "out") == "to the container\n")
        #expect(output("c1", "err") == "stderr: 17 bytes\n")
        let stored = try String(contentsOfFile: root + "/c1/state.json", encoding: .utf8)
        #expect(stored.contains("\"exitStatus\":7"), "the monitor's exit status is the container's: \(stored)")

        #expect(vmm("start", "c1").standardError == "vmm: container c1 is stopped, not created\n")
        #expect(vmm("delete", "c1").status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/c1"))
        #expect(vmm("state", "c1").standardError == "vmm: container c1 does not exist\n")
    }

    /// pause holds every vCPU out of the guest: stdin sent meanwhile waits,
    /// and comes out after resume. The stand-in echoes a FIFO the test holds.
    @Test func pauseFreezesTheVMAndResumeThawsIt() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (fifo, writer) = try heldStdin("p")  // keeps the container's stdin open
        defer { close(writer) }
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' p < '\(fifo)' "
            + "> '\(scratch.appendingPathComponent("p.out").path)' 2> '\(scratch.appendingPathComponent("p.err").path)'"
        try #require(Command.run("/bin/sh", ["-c", line]).status == 0)
        #expect(vmm("start", "p").status == 0)
        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } }
        func outputBecomes(_ expected: String) -> Bool {
            for _ in 0..<1000 where output("p", "out") != expected { usleep(10_000) }
            return output("p", "out") == expected
        }
        send("one\n")
        #expect(outputBecomes("one\n"))

        #expect(vmm("pause", "p").status == 0)
        #expect(state("p")["status"] as? String == "paused")
        send("two\n")
        usleep(500_000)
        #expect(output("p", "out") == "one\n", "a paused guest runs nothing")
        #expect(vmm("pause", "p").standardError == "vmm: container p is paused, not running\n")

        #expect(vmm("resume", "p").status == 0)
        #expect(state("p")["status"] as? String == "running")
        #expect(outputBecomes("one\ntwo\n"))
        #expect(vmm("resume", "p").standardError == "vmm: container p is running, not paused\n")

        // Back to back, then a SIGKILL while paused: the VM ends at once
        // (nothing in a frozen guest could act on it), with 137.
        #expect(vmm("pause", "p").status == 0)
        #expect(vmm("resume", "p").status == 0)
        #expect(vmm("pause", "p").status == 0)
        send("three\n")
        usleep(300_000)
        #expect(output("p", "out") == "one\ntwo\n")
        #expect(vmm("kill", "p", "KILL").status == 0)
        waitUntilStopped("p")
        #expect(state("p")["status"] as? String == "stopped")
        let stored = try String(contentsOfFile: root + "/p/state.json", encoding: .utf8)
        #expect(stored.contains("\"exitStatus\":137"), "\(stored)")
        #expect(vmm("delete", "p").status == 0)
    }

    /// From START on (the container's own code), the monitor and every
    /// thread of it hold no capability and no new privileges, and see a
    /// read-only empty root holding only the container's state directory;
    /// it still serves the container and writes its state there.
    @Test func theStartedMonitorIsSandboxed() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (fifo, writer) = try heldStdin("s")
        defer { close(writer) }
        let pidFile = scratch.appendingPathComponent("s.pid").path
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' --pid-file '\(pidFile)' s < '\(fifo)' "
            + "> '\(scratch.appendingPathComponent("s.out").path)' 2> '\(scratch.appendingPathComponent("s.err").path)'"
        try #require(Command.run("/bin/sh", ["-c", line]).status == 0)
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        func status(_ task: String) -> [String: String] {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
            return Dictionary(text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }, uniquingKeysWith: { first, _ in first })
        }
        #expect(status("\(pid)")["CapEff"] != "0000000000000000", "created: the monitor still holds what set-up needed")

        let modes = try [root + "/s", root + "/s/monitor.sock"].map { try FileManager.default.attributesOfItem(atPath: $0)[.posixPermissions] as? Int }
        #expect(modes == [0o700, 0o600], "the state directory and the monitor's socket are the owner's alone")
        #expect(vmm("start", "s").status == 0)
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        #expect(tasks.count >= 2, "the monitor and its vCPU thread: \(tasks)")
        for task in tasks {
            let fields = status(task)
            #expect(fields["CapEff"] == "0000000000000000" && fields["CapPrm"] == "0000000000000000", "thread \(task): \(fields)")
            #expect(fields["CapBnd"] == "0000000000000000", "thread \(task): no capability comes back on exec: \(fields)")
            #expect(fields["NoNewPrivs"] == "1", "thread \(task)")
        }
        let stateDirectory = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/s"
        let mounts = try String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let hooks = stateDirectory + "/hooks.json"
        #expect(mounts.map { String($0[4]) }.sorted() == ["/", stateDirectory, hooks], "only an empty root and the state directory: \(mounts)")
        #expect(mounts.first { $0[4] == "/" }.map { $0[5].hasPrefix("ro,") && $0[8] == "vmm-sandbox" } == true, "the root is an empty read-only tmpfs: \(mounts)")
        #expect(mounts.first { $0[4] == hooks }.map { $0[5].hasPrefix("ro,") } == true, "the hooks delete runs are read-only to it: \(mounts)")
        let top = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/root/")
        #expect(top == [String(stateDirectory.split(separator: "/")[0])], "\(top)")

        _ = Array("still served\n".utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        for _ in 0..<1000 where output("s", "out") != "still served\n" { usleep(10_000) }
        #expect(output("s", "out") == "still served\n")
        #expect(vmm("kill", "s", "TERM").status == 0)
        waitUntilStopped("s")
        let stored = try String(contentsOfFile: root + "/s/state.json", encoding: .utf8)
        #expect(stored.contains("\"exitStatus\":143"), "the sandboxed monitor still writes its state: \(stored)")
        #expect(vmm("delete", "s").status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/s"))
    }

    /// state.json is the monitor's to write, so its pid is not believed: a
    /// pid that is not this container's monitor reads as stopped, and
    /// `delete --force` signals nothing.
    @Test func aForgedPidInStateIsNeverSignalled() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(try create("f").status == 0)
        #expect(vmm("kill", "f", "KILL").status == 0)
        waitUntilStopped("f")
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate() }
        let path = root + "/f/state.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        record["status"] = "running"
        record["pid"] = Int(bystander.processIdentifier)
        let forged = try JSONSerialization.data(withJSONObject: record)
        try forged.write(to: URL(fileURLWithPath: path))
        #expect(state("f")["status"] as? String == "stopped", "\(record)")
        #expect(vmm("delete", "--force", "f").status == 0)
        usleep(100_000)
        #expect(bystander.isRunning, "a pid that is not the monitor's is never signalled")
    }

    /// The VM ending from the host side while paused (here virtiofsd, which
    /// the monitor started for the bundle's root, dies) must not leave the
    /// parked vCPUs, or the monitor, behind.
    @Test func aPausedVMStillEndsWhenItsHelperDies() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (fifo, writer) = try heldStdin("h")
        defer { close(writer) }
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' h < '\(fifo)' > /dev/null 2> /dev/null"
        try #require(Command.run("/bin/sh", ["-c", line]).status == 0)
        #expect(vmm("start", "h").status == 0)
        #expect(vmm("pause", "h").status == 0)
        let helper = Command.run("/usr/bin/pgrep", ["-f", "source=\(bundle)/rootfs"]).standardOutput
        let pid = try #require(Int32(helper.split(separator: "\n").first ?? ""))
        kill(pid, SIGKILL)
        waitUntilStopped("h")
        #expect(state("h")["status"] as? String == "stopped")
        #expect(vmm("delete", "h").status == 0)
    }

    @Test func killBeforeStartEndsTheContainer() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try #require(try create("c2").status == 0)
        #expect(vmm("kill", "c2", "TERM").status == 0)
        waitUntilStopped("c2")
        let stored = try String(contentsOfFile: root + "/c2/state.json", encoding: .utf8)
        #expect(stored.contains("\"exitStatus\":143"), "\(stored)")
        #expect(vmm("kill", "c2").standardError == "vmm: container c2 is not running\n")
        #expect(vmm("delete", "c2").status == 0)
    }

    /// runc's list: the table, the JSON state documents with "created", the IDs.
    @Test func listShowsEveryContainerAsRuncDoes() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(vmm("list").standardOutput == "ID   PID   STATUS   BUNDLE   CREATED   OWNER\n", "an empty root")
        #expect(try create("l2").status == 0)
        #expect(try create("l1").status == 0)
        defer { _ = vmm("delete", "--force", "l1"); _ = vmm("delete", "--force", "l2") }
        #expect(vmm("list", "-q").standardOutput == "l1\nl2\n")
        let table = vmm("list").standardOutput.split(separator: "\n")
        #expect(table.count == 3 && table[1].hasPrefix("l1 ") && table[1].contains(" created ") && table[1].contains(bundle) && table[1].hasSuffix(" root"),
                "\(table)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(vmm("list", "--format", "json").standardOutput.utf8)) as? [[String: Any]])
        #expect(json.map { $0["id"] as? String } == ["l1", "l2"])
        #expect(json.allSatisfy { $0["status"] as? String == "created" && ($0["created"] as? String)?.hasSuffix("Z") == true && $0["pid"] is Int })
    }

    /// A state root is made with its parents, as runc makes it, and a
    /// manager's deep root with a 64-hex ID (past sun_path's 108 bytes for
    /// the monitor's and virtiofsd's sockets) still runs a container.
    @Test func aDeepStateRootAndALongIDWork() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let deep = scratch.appendingPathComponent("run/containerd/io.containerd.runtime.v2.task/k8s.io").path
        let id = String(repeating: "0123456789abcdef", count: 4)
        let line = "'\(Fixtures.vmmExecutable)' --root '\(deep)' create --bundle '\(bundle)' \(id) < /dev/null > /dev/null"
        let created = Command.run("/bin/sh", ["-c", line])
        #expect(created.status == 0, "\(created.standardError)")
        func vmm(_ arguments: String...) -> Command.Result { Command.run(Fixtures.vmmExecutable, ["--root", deep] + arguments) }
        #expect(vmm("start", id).status == 0)
        for _ in 0..<500 where !vmm("state", id).standardOutput.contains("\"stopped\"") { usleep(10_000) }
        #expect(vmm("state", id).standardOutput.contains("\"stopped\""))
        #expect(vmm("delete", id).status == 0)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: deep)) == [], "nothing left under the root")
    }

    /// runc's ps: on the host a container is its monitor (and its helpers).
    @Test func psShowsTheMonitor() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(try create("p1").status == 0)
        defer { _ = vmm("delete", "--force", "p1") }
        let monitor = Int(try String(contentsOfFile: scratch.appendingPathComponent("p1.pid").path, encoding: .utf8)) ?? -1
        let pids = try #require(try JSONSerialization.jsonObject(with: Data(vmm("ps", "--format", "json", "p1").standardOutput.utf8)) as? [Int])
        #expect(pids.first == monitor, "\(pids)")
        let table = vmm("ps", "p1").standardOutput.split(separator: "\n")
        #expect(table.first?.contains("PID") == true && table.dropFirst().contains { $0.split(separator: " ").dropFirst().first == Substring(String(monitor)) },
                "\(table)")
        #expect(vmm("ps", "p1", "-e", "-o", "pid,comm").standardOutput.hasSuffix(" virtiofsd\n"), "ps's own options pass through; the helper is there")
    }

    /// The stand-in answers EXEC as init would for a process that prints
    /// one line and exits 5: `vmm exec`'s whole path (client, monitor,
    /// control port, firmware, back) under real KVM, several at once.
    @Test func execReachesTheGuestAndBringsItsStatusBack() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (fifo, writer) = try heldStdin("e")  // keeps the stand-in's stdin open: it runs until EOF
        defer { close(writer) }
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' e < '\(fifo)' >/dev/null 2>&1"
        try #require(Command.run("/bin/sh", ["-c", line]).status == 0)
        defer { _ = vmm("delete", "--force", "e") }
        let early = vmm("exec", "e", "true")
        #expect(early.standardError == "vmm: container e is created: exec needs a running container\n")
        #expect(vmm("start", "e").status == 0)
        let exec = vmm("exec", "e", "true")
        #expect(exec.status == 5, "\(exec.standardError)")
        #expect(exec.standardOutput.hasPrefix("stand-in exec: ") && exec.standardOutput.hasSuffix(" bytes\n"), "\(exec.standardOutput)")
        let parallel = Command.run("/bin/sh", ["-c", "for i in 1 2 3 4 5; do ('\(Fixtures.vmmExecutable)' --root '\(root)' exec e true; echo \"status $?\") & done; wait"])
        #expect(parallel.standardOutput.components(separatedBy: "status 5\n").count == 6, "\(parallel.standardOutput)")
        #expect(state("e")["status"] as? String == "running")
    }

    @Test func deleteRefusesARunningContainerUnlessForced() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try #require(try create("c3").status == 0)
        let pid = Int32(try String(contentsOfFile: scratch.appendingPathComponent("c3.pid").path, encoding: .utf8)) ?? -1
        let refused = vmm("delete", "c3")
        #expect(refused.status == 125)
        #expect(refused.standardError == "vmm: container c3 is created: stop it first, or delete --force\n")
        #expect(vmm("delete", "--force", "c3").status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/c3"), "state, socket and virtiofsd's directory all gone")
        // Gone, or a zombie its new parent has yet to reap: not running.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        #expect(kill(pid, 0) != 0 || stat.contains(") Z "), "the monitor is gone: \(stat)")
        #expect(Command.run("/usr/bin/pgrep", ["-f", "source=\(bundle)/rootfs"]).standardOutput.isEmpty, "and its virtiofsd with it")
    }

    @Test func badInputIsOneLineAndLeavesNoState() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try #require(try create("dup").status == 0)
        let again = try create("dup")
        #expect(again.status == 125)
        #expect(output("dup", "err") == "vmm: container dup already exists\n")
        _ = vmm("delete", "--force", "dup")

        let missing = vmm("create", "--bundle", scratch.appendingPathComponent("nope").path, "c4")
        #expect(missing.status == 125)
        #expect(missing.standardError == "vmm: bundle \(scratch.appendingPathComponent("nope").path): no such directory\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/c4"))
        #expect(vmm("create", "--bundle", bundle, "a/b").standardError == "vmm: invalid container ID 'a/b' (letters, digits, '_', '+', '-' and '.' only)\n")
        #expect(vmm("kill", "nothere").standardError == "vmm: container nothere does not exist\n")
        #expect(vmm("delete", "nothere").standardError == "vmm: container nothere does not exist\n")
    }

    /// What the bundle asks that the VM leaves out is a warning in --log
    /// (level warning, as runc's), never a line in create's stderr: that
    /// is the container's stderr, which the manager keeps.
    @Test func warningsGoToTheLogNotTheContainersStderr() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = """
            {"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/", "capabilities": {"permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]}},
             "root": {"path": "rootfs"}, "annotations": {"dev.vmm.firmware": "\(try Fixtures.firmware("virtio_console"))"}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        let log = scratch.appendingPathComponent("log.json").path
        let created = try create("w", extra: "")
        #expect(created.status == 0)
        #expect(output("w", "err").isEmpty, "no warning in the container's stderr without --log either: \(output("w", "err"))")
        _ = vmm("delete", "--force", "w")
        let logged = Command.run(Fixtures.vmmExecutable, ["--root", root, "--log", log, "--log-format", "json", "create", "--bundle", bundle, "w2"])
        #expect(logged.status == 0 && logged.standardError.isEmpty, "\(logged)")
        let line = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(line.hasPrefix("{\"level\":\"warning\",\"msg\":\"\(bundle)/config.json: process.capabilities.ambient: CAP_KILL not raised"), "\(line)")
        _ = vmm("delete", "--force", "w2")
    }

    /// runc's delete --force of a container that is gone succeeds (containerd's
    /// shim deletes once more after every delete), and clears a directory
    /// whose create never wrote state.json.
    @Test func forcedDeleteOfAGoneContainerSucceeds() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(vmm("delete", "--force", "gone").status == 0)
        try FileManager.default.createDirectory(atPath: root + "/half", withIntermediateDirectories: true)
        #expect(vmm("delete", "half").status == 125)
        #expect(vmm("delete", "--force", "half").status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/half"))
    }

    @Test func errorsGoToTheJSONLogConmonReads() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let log = scratch.appendingPathComponent("log.json").path
        let result = Command.run(Fixtures.vmmExecutable, ["--root", root, "--log", log, "--log-format", "json", "start", "ghost"])
        #expect(result.status == 125)
        let line = try String(contentsOfFile: log, encoding: .utf8)
        let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(entry?["level"] as? String == "error")
        #expect(entry?["msg"] as? String == "container ghost does not exist")
        #expect(entry?["time"] is String)
    }
}

extension OCILifecycleTests {
    /// --console-socket: the monitor sends a pseudo-terminal's master over
    /// the socket (what conmon receives for `podman run -t`), sized as
    /// process.consoleSize asks before the manager gets it.
    @Test func aTerminalContainerHandsItsPTYToTheConsoleSocket() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        var config = try String(contentsOfFile: bundle + "/config.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"args\"", with: "\"terminal\": true, \"consoleSize\": {\"height\": 12, \"width\": 34}, \"args\"")
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        let socketPath = scratch.appendingPathComponent("console.sock").path
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        receiver.arguments = ["-c", """
            import fcntl, os, socket, struct, sys, termios
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(1)
            c, _ = s.accept()
            message, fds, _, _ = socket.recv_fds(c, 1024, 1)
            rows, columns = struct.unpack("HHHH", fcntl.ioctl(fds[0], termios.TIOCGWINSZ, bytes(8)))[:2]
            print(message.decode(), os.isatty(fds[0]), rows, columns, flush=True)
            sys.stdin.read()  # hold the master, as conmon does, until told
            """, socketPath]
        let fromReceiver = Pipe(), hold = Pipe()
        receiver.standardOutput = fromReceiver
        receiver.standardInput = hold
        try receiver.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socketPath) { usleep(10_000) }

        let created = try create("t1", extra: "--console-socket '\(socketPath)'")
        #expect(created.status == 0, "\(output("t1", "err"))")
        let received = String(decoding: fromReceiver.fileHandleForReading.availableData, as: UTF8.self)
        #expect(received.hasPrefix("/dev/pts/"), "the slave's name travels with the fd: \(received)")
        #expect(received.hasSuffix(" True 12 34\n"), "the fd is a terminal of process.consoleSize's size: \(received)")
        #expect(state("t1")["status"] as? String == "created")
        #expect(vmm("kill", "t1", "KILL").status == 0)
        waitUntilStopped("t1")
        #expect(vmm("delete", "t1").status == 0)
        try hold.fileHandleForWriting.close()
        receiver.waitUntilExit()
    }

    @Test func terminalAndConsoleSocketMustAgree() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = vmm("create", "--bundle", bundle, "--console-socket", scratch.appendingPathComponent("x.sock").path, "t2")
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: --console-socket was given, but process.terminal is false in \(bundle)/config.json\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/t2"))
    }
}

extension OCILifecycleTests {
    /// The state root on a full filesystem (a 64 KiB tmpfs, filled): create
    /// fails in one line naming the file, and leaves no container
    /// directory, half-written state or monitor behind.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func aFullStateFilesystemIsOneLineAndLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let full = scratch.appendingPathComponent("full").path
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        try #require(Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full]).status == 0)
        defer { _ = Command.run("/bin/umount", ["-l", full]) }
        try FileManager.default.createDirectory(atPath: full + "/state", withIntermediateDirectories: true)
        _ = Command.run("/bin/dd", ["if=/dev/zero", "of=\(full)/filler", "bs=4k", "count=64"])

        let result = Command.run(Fixtures.vmmExecutable, ["--root", full + "/state", "create", "--bundle", bundle, "f1"], standardInput: Data())
        #expect(result.status == 125)
        // hooks.json is the first file create writes (always, for the sandbox).
        #expect(result.standardError == "vmm: cannot write \(full)/state/f1/hooks.json: No space left on device\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: full + "/state").isEmpty, "no container directory left")
        let monitors = Command.run("/usr/bin/pgrep", ["-f", full + "/state"])
        #expect(monitors.standardOutput.isEmpty, "no monitor left: \(monitors.standardOutput)")
    }
}

extension OCILifecycleTests {
    /// The monitor SIGKILLed mid-run (nothing of it runs after): the state
    /// says stopped, its virtiofsd is gone with it (tethered), and delete
    /// removes everything, as a manager's `rm` after a crash needs.
    @Test func aMonitorKilledMidRunReadsStoppedAndDeleteCleansUp() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (fifo, writer) = try heldStdin("k")  // held open: the stand-in runs until stdin ends
        defer { close(writer) }
        let pidFile = scratch.appendingPathComponent("k.pid").path
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' --pid-file '\(pidFile)' k < '\(fifo)' > /dev/null 2> /dev/null"
        try #require(Command.run("/bin/sh", ["-c", line]).status == 0)
        #expect(vmm("start", "k").status == 0)
        #expect(state("k")["status"] as? String == "running")
        let monitor = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))

        kill(monitor, SIGKILL)
        waitUntilStopped("k")
        #expect(state("k")["status"] as? String == "stopped")
        var helper = "?"
        for _ in 0..<100 {
            helper = Command.run("/usr/bin/pgrep", ["-f", "source=\(bundle)/rootfs"]).standardOutput
            if helper.isEmpty { break }
            usleep(50_000)
        }
        #expect(helper.isEmpty, "virtiofsd died with its monitor")
        #expect(vmm("delete", "k").status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/k"), "state, sockets and virtiofsd's directory gone")
    }
}
