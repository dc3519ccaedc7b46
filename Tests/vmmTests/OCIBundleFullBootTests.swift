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
        wc -c < /proc/kcore
        cat /proc/self/cgroup /sys/fs/cgroup/pids.max
        """

    static let expected = [
        "bundlebox", "1", "CapEff:0000000000000021", "CapBnd:0000000000000021", "NoNewPrivs:1", "200", "12345", "a:e5 640 5",
        "from the host", "message of the day", "root-read-only", "tmp-writable", "0", "0::/", "50",
    ]

    /// The default bundle, changed to ask for each field.
    func makeBundle(in scratch: String) throws -> String {
        let bundle = scratch + "/bundle"
        let make = Command.run("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path, bundle])
        try #require(make.status == 0, "\(make.standardError)")
        let config = bundle + "/config.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
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
            "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"],
            "sysctl": ["kernel.msgmax": "12345"],
            "resources": ["pids": ["limit": 50]],
            "namespaces": [["type": "pid"], ["type": "mount"], ["type": "ipc"], ["type": "uts"], ["type": "cgroup"]],
        ]
        json["hooks"] = [
            "prestart": [["path": "/bin/sh", "args": ["sh", "-c", "cat > \(scratch)/prestart.json"]]],
            "poststop": [["path": "/bin/sh", "args": ["sh", "-c", "cat > \(scratch)/poststop.json"]]],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: config))
        return bundle
    }

    @Test func everyFieldOfTheBundleReachesTheContainer() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-full-bundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try "from the host\n".write(toFile: scratch + "/data/in", atomically: false, encoding: .utf8)
        try "message of the day\n".write(toFile: scratch + "/motd", atomically: false, encoding: .utf8)
        let bundle = try makeBundle(in: scratch)
        let root = scratch + "/state"
        func vmm(_ arguments: String...) -> Command.Result { Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments) }

        let create = "'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' full < /dev/null > '\(scratch)/out' 2> '\(scratch)/err'"
        let created = Command.run("/bin/sh", ["-c", create])
        let errors = (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? ""
        try #require(created.status == 0, "\(errors)")
        #expect(!errors.contains("not applied") && !errors.contains("not run"), "nothing of the bundle is left out: \(errors)")
        #expect((try? String(contentsOfFile: scratch + "/prestart.json", encoding: .utf8))?.contains(#""status":"creating""#) == true)
        #expect(vmm("start", "full").status == 0)
        for _ in 0..<1200 where !vmm("state", "full").standardOutput.contains("\"stopped\"") { usleep(100_000) }
        let output = (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? ""
        #expect(output.split(separator: "\n").map(String.init) == Self.expected, "stderr: \(errors)")
        #expect((try? String(contentsOfFile: scratch + "/data/out", encoding: .utf8)) == "from-bundle\n")
        #expect(vmm("delete", "full").status == 0)
        #expect((try? String(contentsOfFile: scratch + "/poststop.json", encoding: .utf8))?.contains(#""status":"stopped""#) == true)
        #expect(!FileManager.default.fileExists(atPath: root + "/full"))
    }
}
