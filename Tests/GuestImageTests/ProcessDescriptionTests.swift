import Foundation
import Testing
import TestSupport
@testable import GuestImage

@Suite("Process description")
struct ProcessDescriptionTests {
    static let awkward = ["printf", "%s\\n", "a b", "c=d.e", "\"q\" 'r'", "new\nline", "", "tab\there", "ünï", "$HOME *"]

    static var full: ProcessDescription {
        var description = ProcessDescription(arguments: awkward)
        description.environment = ["PATH=/bin:/usr/bin", "A=b=c", "EMPTY="]
        description.workingDirectory = "/work dir"
        description.uid = 1000
        description.gid = 100
        description.additionalGroups = [10, 20]
        description.hostname = "box"
        description.resourceLimits = [.init(resource: 7, soft: 1024, hard: ProcessDescription.ResourceLimit.infinity)]
        description.terminal = true
        description.rootFilesystem = .init(tag: "rootfs", readOnly: true)
        description.mounts = [
            .init(type: "tmpfs", source: "tmpfs", target: "/tmp", flags: 6, data: "size=64m"),
            .init(type: "", source: "0", target: "/data", flags: 0x1001),
        ]
        description.umask = 0o022
        description.bindShare = "vmm-binds"
        description.capabilities = .init(bounding: 1 << 40 | 1, effective: 1 << 21, permitted: 0xFF, inheritable: 0, ambient: 1 << 10)
        description.noNewPrivileges = true
        description.oomScoreAdjustment = -999
        description.sysctls = [.init(key: "kernel.msgmax", value: "8192"), .init(key: "net.ipv4.ip_forward", value: "1")]
        description.cgroupFiles = [.init(key: "pids.max", value: "64")]
        description.devices = [.init(path: "/dev/fuse", type: "c", major: 10, minor: 229, mode: 0o640, uid: 0, gid: 5), .init(path: "/dev/fifo", type: "p")]
        return description
    }

    @Test func recordsAreTagLengthValue() throws {
        let bytes = try ProcessDescription(arguments: ["sh"]).encoded()
        #expect(bytes == Array("VMMPROC1".utf8) + [1, 0, 2, 0, 0, 0] + Array("sh".utf8))
    }

    @Test func aRelativeBindSourceMustBeOneEntryOfTheBindShare() {
        var description = ProcessDescription(arguments: ["sh"])
        description.mounts = [.init(type: "", source: "0", target: "/data", flags: 0x1000)]
        #expect(throws: ProcessDescription.ValidationError.bindEntry("0")) { try description.encoded() }
        description.bindShare = "vmm-binds"
        #expect(throws: Never.self) { try description.encoded() }
        for escaping in ["..", ".", "0/../x"] {
            description.mounts[0].source = escaping
            #expect(throws: ProcessDescription.ValidationError.bindEntry(escaping)) { try description.encoded() }
        }
        description.mounts[0].source = "/guest/path"
        #expect(throws: Never.self) { try description.encoded() }
    }

    @Test func hostMistakesAreCaughtBeforeBoot() {
        #expect(throws: ProcessDescription.ValidationError.noArguments) { try ProcessDescription(arguments: []).encoded() }
        #expect(throws: ProcessDescription.ValidationError.containsNUL(field: "an argument")) {
            try ProcessDescription(arguments: ["a\0b"]).encoded()
        }
        var relative = ProcessDescription(arguments: ["sh"])
        relative.workingDirectory = "tmp"
        #expect(throws: ProcessDescription.ValidationError.notAbsolute(field: "the working directory", path: "tmp")) { try relative.encoded() }
        var umask = ProcessDescription(arguments: ["sh"])
        umask.umask = 0o1777
        #expect(throws: ProcessDescription.ValidationError.umaskTooWide(0o1777)) { try umask.encoded() }
        var oom = ProcessDescription(arguments: ["sh"])
        oom.oomScoreAdjustment = 1001
        #expect(throws: ProcessDescription.ValidationError.oomScoreAdjustment(1001)) { try oom.encoded() }
        for key in ["", "kernel/msgmax", "..", ".a", "a.", "a..b"] {
            var sysctl = ProcessDescription(arguments: ["sh"])
            sysctl.sysctls = [.init(key: key, value: "1")]
            #expect(throws: ProcessDescription.ValidationError.sysctlKey(key)) { try sysctl.encoded() }
        }
        var device = ProcessDescription(arguments: ["sh"])
        device.devices = [.init(path: "/dev/x", type: "d")]
        #expect(throws: ProcessDescription.ValidationError.device(path: "/dev/x", why: "type 'd' is not c, b, u or p")) { try device.encoded() }
        device.devices = [.init(path: "/dev/x", type: "c", mode: 0o10000)]
        #expect(throws: ProcessDescription.ValidationError.device(path: "/dev/x", why: "mode 010000 is wider than 07777")) { try device.encoded() }
        device.devices = [.init(path: "dev/x", type: "c")]
        #expect(throws: ProcessDescription.ValidationError.notAbsolute(field: "device path", path: "dev/x")) { try device.encoded() }
    }

    /// init's own parser (guest/src/process_description.c, via
    /// guest/build/dump-process) reads back exactly what the host meant.
    @Test func initsParserReadsBackEveryField() throws {
        let build = Command.run("/usr/bin/make", ["-s", "-C", Fixtures.packageRoot.appendingPathComponent("guest").path, "build/dump-process"])
        try #require(build.status == 0, "\(build.standardError)")
        let file = try Fixtures.temporaryFile("process", try Self.full.encoded())
        let dump = Command.run(Fixtures.packageRoot.appendingPathComponent("guest/build/dump-process").path, [file])
        #expect(dump.status == 0, "\(dump.standardOutput)\(dump.standardError)")
        #expect(dump.standardOutput == Self.expectedDump(Self.full))
    }

    static func escaped(_ text: String) -> String {
        text.utf8.map { byte in
            byte >= 0x20 && byte < 0x7F && byte != 0x5C ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16).leftPadded(2)
        }.joined()
    }

    static func expectedDump(_ d: ProcessDescription) -> String {
        var lines = d.arguments.map { "arg \(escaped($0))" } + d.environment.map { "env \(escaped($0))" }
        lines.append("cwd \(escaped(d.workingDirectory ?? "/"))")
        lines.append("uid \(d.uid ?? 0)")
        lines.append("gid \(d.gid ?? 0)")
        lines.append("groups" + (d.additionalGroups ?? []).map { " \($0)" }.joined())
        lines.append("hostname \(d.hostname.map(escaped) ?? "(null)")")
        lines += d.resourceLimits.map { "rlimit \($0.resource) \($0.soft) \($0.hard)" }
        lines.append("terminal \(d.terminal ? 1 : 0)")
        lines.append("rootfs \(d.rootFilesystem.map { escaped($0.tag) } ?? "(null)")")
        lines.append("rootfs_readonly \(d.rootFilesystem?.readOnly == true ? 1 : 0)")
        for mount in d.mounts {
            // An empty field is "not given": NULL to init.
            func field(_ text: String) -> String { text.isEmpty ? "(null)" : text }
            lines += ["mount.type \(field(mount.type))", "mount.source \(field(mount.source))", "mount.target \(mount.target)",
                      "mount.flags \(mount.flags)", "mount.data \(field(mount.data))"]
        }
        if let umask = d.umask { lines.append("umask \(String(umask, radix: 8))") }
        lines.append("binds \(d.bindShare.map(escaped) ?? "(null)")")
        if let c = d.capabilities {
            lines.append("caps " + [c.bounding, c.effective, c.permitted, c.inheritable, c.ambient].map { String($0, radix: 16) }.joined(separator: " "))
        }
        lines.append("no_new_privs \(d.noNewPrivileges ? 1 : 0)")
        if let adjustment = d.oomScoreAdjustment { lines.append("oom_score_adj \(adjustment)") }
        for sysctl in d.sysctls { lines += ["sysctl.key \(escaped(sysctl.key))", "sysctl.value \(escaped(sysctl.value))"] }
        for file in d.cgroupFiles { lines += ["cgroup.key \(escaped(file.key))", "cgroup.value \(escaped(file.value))"] }
        for device in d.devices {
            lines += ["device.path \(escaped(device.path))",
                      "device \(device.type) \(device.major) \(device.minor) \(String(device.mode, radix: 8)) \(device.uid) \(device.gid)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
