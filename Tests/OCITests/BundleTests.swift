import Foundation
import GuestImage
import Testing
@testable import OCI

/// A bundle directory with a rootfs and the given config.json text.
func makeBundle(_ config: String, rootfs: Bool = true) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    if rootfs { try FileManager.default.createDirectory(at: directory.appendingPathComponent("rootfs"), withIntermediateDirectories: true) }
    try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
    return directory.path
}

let fullConfig = """
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": true,
    "consoleSize": { "height": 12, "width": 34 },
    "user": { "uid": 1000, "gid": 100, "additionalGids": [10, 20], "umask": 18 },
    "args": ["sh", "-c", "echo \\"hi\\""],
    "env": ["PATH=/bin", "A=b=c"],
    "cwd": "/home",
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024 }],
    "capabilities": { "bounding": ["CAP_CHOWN"] },
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "box",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777", "size=64m"] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/etc/resolv.conf", "type": "bind", "source": "/etc/resolv.conf", "options": ["rbind", "ro"] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup" }
  ],
  "linux": { "namespaces": [{ "type": "pid" }, { "type": "network", "path": "/run/netns/x" }, { "type": "time" }], "seccomp": {}, "resources": { "pids": { "limit": 2048 } } }
}
"""

@Suite("OCI bundle")
struct BundleTests {
    @Test func readsTheProcessRootAndMounts() throws {
        let directory = try makeBundle(fullConfig)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        #expect(bundle.rootPath == directory + "/rootfs")
        #expect(bundle.readOnlyRoot)
        let process = bundle.process
        #expect(process.arguments == ["sh", "-c", "echo \"hi\""])
        #expect(process.environment == ["PATH=/bin", "A=b=c"])
        #expect(process.workingDirectory == "/home")
        #expect(process.terminal)
        #expect(process.consoleSize == .init(rows: 12, columns: 34))
        #expect(process.uid == 1000)
        #expect(process.gid == 100)
        #expect(process.additionalGroups == [10, 20])
        #expect(process.umask == 18)
        #expect(process.resourceLimits == [.init(resource: 7, soft: 1024, hard: 4096)])
        #expect(process.hostname == "box")
        let expected: [ProcessDescription.Mount] = [
            .init(type: "tmpfs", source: "tmpfs", target: "/tmp", flags: 6, data: "mode=1777,size=64m"),
            .init(type: "mqueue", source: "mqueue", target: "/dev/mqueue", flags: 14),
            // The bind share's entry 0, MS_BIND | MS_REC | MS_RDONLY.
            .init(type: "", source: "0", target: "/etc/resolv.conf", flags: 0x1000 | 0x4000 | 0x1),
            .init(type: "cgroup2", source: "cgroup2", target: "/sys/fs/cgroup"),
        ]
        #expect(process.mounts == expected, "/proc comes from init; a cgroup mount is the container's cgroup2 view")
        #expect(process.bindShare == HostBind.shareTag)
        #expect(process.cgroupFiles == [.init(key: "pids.max", value: "2048")], "the pids limit goes to the container's cgroup")
        #expect(bundle.binds == [HostBind(source: "/etc/resolv.conf", isDirectory: false, readOnly: true, recursive: true)])
    }

    @Test func aRelativeBindSourceIsTheBundlesAndEachBindIsOneEntry() throws {
        let directory = try makeBundle(#"""
        {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [
          {"destination": "/data", "type": "bind", "source": "rootfs", "options": ["bind", "nosuid"]},
          {"destination": "/etc/hosts", "source": "/etc/hosts", "options": ["rbind", "rw"]}]}
        """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        #expect(bundle.binds == [
            HostBind(source: directory + "/rootfs", isDirectory: true, readOnly: false, recursive: false),
            HostBind(source: "/etc/hosts", isDirectory: false, readOnly: false, recursive: true),
        ])
        #expect(bundle.process.mounts == [
            .init(type: "", source: "0", target: "/data", flags: 0x1000 | 0x2),
            .init(type: "", source: "1", target: "/etc/hosts", flags: 0x1000 | 0x4000),
        ])
    }

    @Test func maskedAndReadOnlyPathsComeAfterEveryMount() throws {
        let directory = try makeBundle(#"""
        {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
         "mounts": [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}],
         "linux": {"maskedPaths": ["/proc/kcore", "/sys/firmware"], "readonlyPaths": ["/proc/sys"]}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        #expect(bundle.process.mounts.map(\.type) == ["tmpfs", "vmm:mask", "vmm:mask", "vmm:readonly"])
        #expect(bundle.process.mounts.map(\.target) == ["/tmp", "/proc/kcore", "/sys/firmware", "/proc/sys"])
        #expect(!bundle.warnings.contains { $0.contains("maskedPaths") || $0.contains("readonlyPaths") })
    }

    @Test func capabilitiesNoNewPrivilegesOOMAndSysctlsReachTheProcess() throws {
        let directory = try makeBundle(#"""
        {"process": {"args": ["sh"], "cwd": "/", "noNewPrivileges": true, "oomScoreAdj": -17,
          "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_BOGUS"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL", "CAP_CHOWN", "CAP_CHECKPOINT_RESTORE"],
                           "inheritable": ["CAP_CHECKPOINT_RESTORE"], "ambient": ["CAP_CHECKPOINT_RESTORE", "CAP_NEWER", "CAP_KILL", "CAP_CHOWN"]}},
         "root": {"path": "rootfs"}, "linux": {"sysctl": {"kernel.msgmax": "8192", "net.ipv4.ip_forward": "1"}}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        let chown: UInt64 = 1 << 0, kill: UInt64 = 1 << 5, checkpointRestore: UInt64 = 1 << 40
        #expect(bundle.process.capabilities == .init(
            bounding: chown | kill, effective: kill, permitted: kill | chown | checkpointRestore, inheritable: checkpointRestore, ambient: checkpointRestore))
        #expect(bundle.process.noNewPrivileges)
        #expect(bundle.process.oomScoreAdjustment == -17)
        #expect(bundle.process.cgroupFiles.isEmpty)
        #expect(bundle.process.sysctls == [.init(key: "kernel.msgmax", value: "8192"), .init(key: "net.ipv4.ip_forward", value: "1")])
        #expect(bundle.warnings == [
            "\(directory)/config.json: process.capabilities: unknown CAP_BOGUS, CAP_NEWER left out",
            "\(directory)/config.json: process.capabilities.ambient: CAP_CHOWN, CAP_KILL not raised: an ambient capability must also be permitted and inheritable",
        ])
    }

    @Test func hooksAreReadPerStageInOrderAndSurviveTheStoredCopy() throws {
        let directory = try makeBundle(#"""
        {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {
          "createRuntime": [{"path": "/bin/a", "args": ["a", "1"], "env": ["X=y"], "timeout": 5}, {"path": "/bin/b"}],
          "poststop": [{"path": "/bin/c"}]}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hooks = try Bundle.load(directory).hooks
        #expect(hooks[.createRuntime] == [.init(path: "/bin/a", arguments: ["a", "1"], environment: ["X=y"], timeout: 5), .init(path: "/bin/b")])
        #expect(hooks[.poststop] == [.init(path: "/bin/c")])
        #expect(hooks[.prestart].isEmpty)
        #expect(try Hooks.read(hooks.json, file: "hooks.json") == hooks)
    }

    @Test func devicesAndPodmansDevMountsReachInit() throws {
        let directory = try makeBundle(#"""
        {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
         "mounts": [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                    {"destination": "/dev/shm", "type": "bind", "source": "/tmp", "options": ["bind", "private", "nosuid", "noexec", "nodev", "rw"]},
                    {"destination": "/dev", "type": "bind", "source": "/tmp", "options": ["rbind"]}],
         "linux": {"devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 8630, "uid": 0, "gid": 0},
                               {"path": "/dev/fifo", "type": "p"}]}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        #expect(bundle.process.devices == [.init(path: "/dev/fuse", type: "c", major: 10, minor: 229, mode: 0o666), .init(path: "/dev/fifo", type: "p")])
        let nosuid: UInt32 = 0x2, nodev: UInt32 = 0x4, noexec: UInt32 = 0x8, strictatime: UInt32 = 0x100_0000
        let expected: [ProcessDescription.Mount] = [
            .init(type: "tmpfs", source: "tmpfs", target: "/dev", flags: nosuid | strictatime, data: "mode=755,size=65536k"),
            .init(type: "devpts", source: "devpts", target: "/dev/pts", flags: nosuid | noexec, data: "newinstance,ptmxmode=0666,mode=0620,gid=5"),
            .init(type: "tmpfs", source: "shm", target: "/dev/shm", flags: nosuid | nodev | noexec, data: "mode=1777"),
        ]
        #expect(bundle.process.mounts == expected)
        #expect(bundle.binds.isEmpty, "no host directory over the VM's devices")
        #expect(bundle.warnings == ["\(directory)/config.json: mounts not made in the VM: /dev/shm (a bind of /tmp: a tmpfs of the VM's instead), /dev (a bind over what init provides)"])
    }

    @Test func withoutCapabilitiesTheProcessKeepsRootsSets() throws {
        let directory = try makeBundle(#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}}"#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Bundle.load(directory).process
        #expect(process.capabilities == nil && !process.noNewPrivileges && process.oomScoreAdjustment == nil && process.sysctls.isEmpty)
    }

    @Test func theNetworkNamespaceIsNewJoinedOrTheHosts() throws {
        for (namespaces, expected) in [
            (#"[{"type": "network"}]"#, NetworkNamespaceRequest.new), (#"[{"type": "network", "path": "/run/netns/a"}]"#, .join("/run/netns/a")),
            (#"[{"type": "pid"}]"#, .host),
        ] {
            let directory = try makeBundle(#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"namespaces": \#(namespaces)}}"#)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(try Bundle.load(directory).network == expected)
        }
    }

    @Test func whatIsNotAppliedIsReportedOnce() throws {
        let directory = try makeBundle(fullConfig)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = try Bundle.load(directory)
        let warnings = bundle.warnings
        let config = directory + "/config.json"
        #expect(bundle.network == .join("/run/netns/x"), "the network namespace is where the VM's card is wired")
        #expect(!warnings.contains { $0.contains("/sys/fs/cgroup") })
        #expect(warnings.contains("\(config): linux.seccomp not applied (the VM is the isolation boundary)"))
        #expect(warnings.contains("\(config): linux.namespaces not applied in the VM: time (the process gets its own pid, mount, uts, ipc and cgroup namespaces)"))
        #expect(!warnings.contains { $0.contains("capabilities") || $0.contains("noNewPrivileges") })
        #expect(Set(warnings).count == warnings.count, "each once")
    }

    @Test(arguments: [
        (#"{"root": {"path": "rootfs"}}"#, "process is missing (nothing to run)"),
        (#"{"process": {"args": [], "cwd": "/"}, "root": {"path": "rootfs"}}"#, "process.args is empty (nothing to run)"),
        (#"{"process": {"args": ["sh"], "cwd": "home"}, "root": {"path": "rootfs"}}"#, "process.cwd 'home' is not an absolute path"),
        (#"{"process": {"args": ["sh"], "cwd": "home\n\u001b[2J"}, "root": {"path": "rootfs"}}"#, #"process.cwd 'home\n\u{1B}[2J' is not an absolute path"#),
        (#"{"process": {"args": ["sh", 1], "cwd": "/"}, "root": {"path": "rootfs"}}"#, "process.args[1] is not a string"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}}"#, "root is missing"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "user": {"uid": -1, "gid": 0}}, "root": {"path": "rootfs"}}"#, "process.user.uid is not a non-negative integer"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "rlimits": [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]}, "root": {"path": "rootfs"}}"#, "process.rlimits[0].type 'RLIMIT_BOGUS' is not a known RLIMIT_*"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [{"type": "tmpfs"}]}"#, "mounts[0].destination is missing or not a string"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [{"destination": "/d", "type": "bind"}]}"#, "mounts[0].source is missing for a bind mount to /d"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [{"destination": "/d", "type": "bind", "source": "/nonexistent/x", "options": ["rbind"]}]}"#, "mounts[0].source /nonexistent/x does not exist (bind mount to /d)"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [{"destination": "/d", "type": "bind", "source": "/tmp", "options": ["rbind", "size=1m"]}]}"#, "mounts[0] (bind to /d): option size=1m is not a bind mount option"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"maskedPaths": ["proc/kcore"]}}"#, "linux.maskedPaths[0] 'proc/kcore' is not an absolute path"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"readonlyPaths": [1]}}"#, "linux.readonlyPaths[0] is not a string"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "capabilities": ["CAP_KILL"]}, "root": {"path": "rootfs"}}"#, "process.capabilities is not an object"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"namespaces": [{"type": "pid"}, {"type": "user"}]}}"#, "linux.namespaces[1]: a user namespace is not supported yet (its uid/gid mappings could not apply)"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}}"#, "linux.uidMappings: user namespaces are not supported yet (the mapping could not apply)"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "capabilities": {"bounding": "CAP_KILL"}}, "root": {"path": "rootfs"}}"#, "process.capabilities.bounding is not an array"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "terminal": true, "consoleSize": {"height": 70000, "width": 80}}, "root": {"path": "rootfs"}}"#, "process.consoleSize.height 70000 is larger than 16 bits"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "consoleSize": {"height": 24}}, "root": {"path": "rootfs"}}"#, "process.consoleSize.width is missing"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "noNewPrivileges": 1}, "root": {"path": "rootfs"}}"#, "process.noNewPrivileges is not true or false"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "oomScoreAdj": 1001}, "root": {"path": "rootfs"}}"#, "process.oomScoreAdj is not an integer from -1000 to 1000"),
        (#"{"process": {"args": ["sh"], "cwd": "/", "oomScoreAdj": "5"}, "root": {"path": "rootfs"}}"#, "process.oomScoreAdj is not an integer from -1000 to 1000"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"sysctl": {"kernel.msgmax": 8192}}}"#, "linux.sysctl.kernel.msgmax is not a string"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"sysctl": {"../../etc/x": "1"}}}"#, "linux.sysctl key '../../etc/x' is not dot-separated names (no '/', none empty)"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"sysctl": ["a"]}}"#, "linux.sysctl is not an object"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {"prestart": [{"path": "hook"}]}}"#, "hooks.prestart[0].path 'hook' is not an absolute path"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "mounts": [{"destination": "/../../etc", "type": "tmpfs", "source": "tmpfs"}]}"#, "mounts[0].destination '/../../etc' climbs out of the root ('..')"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {"prestart": [{"args": ["x"]}]}}"#, "hooks.prestart[0].path is missing or not a string"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {"poststart": [{"path": "/x", "timeout": 0}]}}"#, "hooks.poststart[0].timeout is not a positive number of seconds"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {"poststop": [{"path": "/x", "env": "A=b"}]}}"#, "hooks.poststop[0].env is not an array"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "hooks": {"prestop": []}}"#, "hooks.prestop is not a hook stage"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"devices": [{"path": "/dev/x", "type": "d", "major": 1, "minor": 3}]}}"#, "linux.devices[0].type 'd' is not c, b, u or p"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"devices": [{"path": "/dev/x", "type": "c", "minor": 3}]}}"#, "linux.devices[0].major is missing"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"devices": [{"path": "x", "type": "c", "major": 1, "minor": 3}]}}"#, "linux.devices[0].path 'x' is not an absolute path"),
        (#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"devices": [{"path": "/dev/x", "type": "c", "major": 1, "minor": 3, "fileMode": 131072}]}}"#, "linux.devices[0].fileMode 131072 is not a file mode"),
    ])
    func badConfigsNameTheFileAndTheField(config: String, message: String) throws {
        let directory = try makeBundle(config)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: BundleError("\(directory)/config.json: \(message)")) { try Bundle.load(directory) }
    }

    @Test func aMissingRootfsOrConfigIsNamed() throws {
        let directory = try makeBundle(#"{"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}}"#, rootfs: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: BundleError("\(directory)/config.json: root.path \(directory)/rootfs does not exist")) { try Bundle.load(directory) }
        try FileManager.default.removeItem(atPath: directory + "/config.json")
        #expect(throws: BundleError("cannot read \(directory)/config.json: No such file or directory")) { try Bundle.load(directory) }
        #expect(throws: BundleError("bundle /nonexistent/bundle: no such directory")) { try Bundle.load("/nonexistent/bundle") }
    }

    @Test func invalidJSONSaysWhere() throws {
        let directory = try makeBundle("{\n  \"process\": {\n    \"args\": [\"sh\",]\n}")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect { try Bundle.load(directory) } throws: { error in
            "\(error)" == "\(directory)/config.json is not valid JSON: line 3, column 19: unexpected character ']'"
        }
    }

    @Test func theDefaultBundleScriptMakesALoadableBundle() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("default-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/make-default-bundle.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let bundle = try Bundle.load(directory)
        #expect(bundle.process.arguments == ["sh"])
        #expect(FileManager.default.isExecutableFile(atPath: bundle.rootPath + "/bin/sh"))
        #expect(bundle.warnings.isEmpty)
    }
}
