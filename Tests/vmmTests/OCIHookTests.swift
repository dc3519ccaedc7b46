import Foundation
import Testing
import TestSupport

/// config.json hooks run by vmm create, start and delete on the host, with
/// the state on stdin, in the runtime-spec's order; a failing one fails
/// its step and leaves no container behind. The VM is the firmware
/// stand-in of the OCI lifecycle tests (real KVM, no Linux needed).
@Suite("OCI hooks (firmware stand-in)", .serialized, .enabled(if: Host.hasKVM, Host.noKVMReason))
struct OCIHookTests {
    let scratch: URL
    let root: String
    let bundle: String
    /// Where the recording hooks write.
    let record: String

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-hooks-\(UUID().uuidString)")
        root = scratch.appendingPathComponent("state").path
        bundle = scratch.appendingPathComponent("bundle").path
        record = scratch.appendingPathComponent("record").path
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: record, withIntermediateDirectories: true)
    }

    static let stages = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]

    /// A hook that appends its stage to `order`, keeps its stdin as STAGE.json
    /// and its environment and working directory as STAGE.env.
    func recordingHook(_ stage: String) -> String {
        let script = "started=$(pwd); cd '\(record)' && echo \(stage) >> order; cat > \(stage).json; { env; echo $started; } > \(stage).env"
        return #"{"path": "/bin/sh", "args": ["sh", "-c", "\#(script)"], "env": ["HOOK_STAGE=\#(stage)"]}"#
    }

    func writeConfig(hooks: String) throws {
        let config = """
            {"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
             "annotations": {"dev.vmm.firmware": "\(try Fixtures.firmware("virtio_console"))", "org.example": "yes"},
             "hooks": {\(hooks)}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    func vmm(_ arguments: String...) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments)
    }

    func create(_ id: String) -> Command.Result {
        let pidFile = scratch.appendingPathComponent("\(id).pid").path
        let line = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' --pid-file '\(pidFile)' \(id) < /dev/null > /dev/null"
        return Command.run("/bin/sh", ["-c", line])
    }

    func recorded(_ name: String) -> String {
        (try? String(contentsOfFile: record + "/" + name, encoding: .utf8)) ?? ""
    }

    func stateSeen(by stage: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(recorded(stage + ".json").utf8))) as? [String: Any] ?? [:]
    }

    func monitors(of id: String) -> String {
        Command.run("/usr/bin/pgrep", ["-a", "-f", "monitor --bundle \(bundle)"]).standardOutput
    }

    @Test func everyStageRunsInOrderWithTheStateOnStdin() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(hooks: Self.stages.map { "\"\($0)\": [\(recordingHook($0))]" }.joined(separator: ", "))
        let created = create("h1")
        #expect(created.status == 0, "\(created.standardError)")
        #expect(recorded("order") == "prestart\ncreateRuntime\ncreateContainer\n", "create runs the three create stages, in order")
        let monitor = Int(try String(contentsOfFile: scratch.appendingPathComponent("h1.pid").path, encoding: .utf8))
        for stage in ["prestart", "createRuntime", "createContainer"] {
            let state = stateSeen(by: stage)
            #expect(state["status"] as? String == "creating", "\(stage)")
            #expect(state["id"] as? String == "h1" && state["bundle"] as? String == bundle, "\(stage)")
            #expect(state["pid"] as? Int == monitor, "\(stage) sees the monitor's pid")
            #expect((state["annotations"] as? [String: String])?["org.example"] == "yes", "\(stage)")
        }
        let environment = recorded("createRuntime.env").split(separator: "\n").map(String.init)
        #expect(environment.contains("HOOK_STAGE=createRuntime"))
        #expect(!environment.contains { $0.hasPrefix("HOME=") }, "the hook's env is exactly its own: \(environment)")
        #expect(environment.last == bundle, "hooks run in the bundle directory")

        #expect(vmm("start", "h1").status == 0)
        #expect(recorded("order").hasSuffix("createContainer\nstartContainer\npoststart\n"))
        #expect(stateSeen(by: "startContainer")["status"] as? String == "created")
        #expect(stateSeen(by: "poststart")["status"] as? String == "running")

        for _ in 0..<500 where !vmm("state", "h1").standardOutput.contains("\"stopped\"") { usleep(10_000) }
        #expect(vmm("delete", "h1").status == 0)
        #expect(recorded("order").hasSuffix("poststart\npoststop\n"))
        #expect(stateSeen(by: "poststop")["status"] as? String == "stopped")
        #expect(!FileManager.default.fileExists(atPath: root + "/h1"))
    }

    @Test func aFailingCreateHookFailsCreateAndLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(hooks: #""createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo no network for you >&2; exit 3"]}], "createContainer": [\#(recordingHook("createContainer"))]"#)
        let created = create("h2")
        #expect(created.status != 0)
        #expect(created.standardError == "vmm: \(bundle)/config.json: hooks.createRuntime[0] /bin/sh exited with status 3: no network for you\n")
        #expect(recorded("order").isEmpty, "the stage after a failed hook does not run")
        #expect(!FileManager.default.fileExists(atPath: root + "/h2"), "no state left")
        #expect(monitors(of: "h2").isEmpty, "no monitor left")
    }

    @Test func aHookPastItsTimeoutIsKilledAndFailsCreate() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(hooks: #""prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]"#)
        let started = Date()
        let created = create("h3")
        #expect(created.status != 0)
        #expect(created.standardError == "vmm: \(bundle)/config.json: hooks.prestart[0] /bin/sleep did not finish within its timeout of 1 s\n")
        #expect(Date().timeIntervalSince(started) < 20, "killed at its timeout, not waited for")
        #expect(!FileManager.default.fileExists(atPath: root + "/h3"))
    }

    @Test func aFailingStartContainerHookFailsStartAndEndsTheContainer() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(hooks: #""startContainer": [{"path": "/nonexistent/hook"}], "poststart": [\#(recordingHook("poststart"))]"#)
        #expect(create("h4").status == 0)
        let started = vmm("start", "h4")
        #expect(started.status != 0)
        #expect(started.standardError == "vmm: \(bundle)/config.json: hooks.startContainer[0] /nonexistent/hook could not run: No such file or directory\n")
        #expect(recorded("order").isEmpty, "no poststart after a failed start")
        #expect(vmm("state", "h4").standardOutput.contains("\"stopped\""), "the container ended")
        #expect(vmm("delete", "h4").status == 0)
    }

    @Test func aFailingPoststopHookIsDeletesErrorAfterTheContainerIsGone() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(hooks: #""poststop": [{"path": "/bin/false"}]"#)
        #expect(create("h5").status == 0)
        let deleted = vmm("delete", "--force", "h5")
        #expect(deleted.standardError == "vmm: \(bundle)/config.json: hooks.poststop[0] /bin/false exited with status 1\n")
        #expect(deleted.status != 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/h5"))
        #expect(monitors(of: "h5").isEmpty)
    }
}
