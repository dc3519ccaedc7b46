import Foundation
import Testing
import TestSupport

/// The host side of a container's network card under real KVM, with the
/// firmware stand-in as the guest: the monitor lives in the namespace
/// config.json names (or a new one), makes its TAP there at create, joins
/// it to the namespace's interface with tc redirects at start, and leaves
/// neither behind.
@Suite("OCI network namespaces (firmware stand-in)", .serialized, .enabled(if: Host.hasKVM, Host.noKVMReason))
struct OCINetworkTests {
    let scratch: URL
    let root: String
    let bundle: String
    let namespace = "vmmoci\(getpid() % 100000)"

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-ocinet-\(UUID().uuidString)")
        root = scratch.appendingPathComponent("state").path
        bundle = scratch.appendingPathComponent("bundle").path
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
    }

    static func sh(_ script: String) -> Command.Result {
        Command.run("/bin/sh", ["-c", script])
    }

    func writeConfig(namespaces: String, prestart: Bool = false) throws {
        let hooks = prestart ? #", "hooks": {"prestart": [{"path": "/bin/true"}]}"# : ""
        let config = """
            {"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
             "linux": {"namespaces": \(namespaces)}\(hooks),
             "annotations": {"dev.vmm.firmware": "\(try Fixtures.firmware("virtio_console"))"}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    func vmm(_ arguments: String...) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments)
    }

    /// create with stdin on a FIFO held open, so the stand-in runs until killed.
    func create(_ id: String) throws -> (Command.Result, pid: Int32) {
        let fifo = scratch.appendingPathComponent("\(id).in").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let pidFile = scratch.appendingPathComponent("\(id).pid").path
        let line = """
            (sleep 60 > '\(fifo)' &) ; '\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' --pid-file '\(pidFile)' \(id) \
            < '\(fifo)' > /dev/null 2> '\(scratch.path)/\(id).err'
            """
        let result = Self.sh(line)
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? -1
        return (result, pid)
    }

    func stop(_ id: String) {
        _ = vmm("kill", id, "KILL")
        for _ in 0..<500 where !vmm("state", id).standardOutput.contains("\"stopped\"") { usleep(10_000) }
        _ = vmm("delete", id)
    }

    @Test func aJoinedNamespaceGetsTheTapAtCreateTheRedirectsAtStartAndNothingAfterDelete() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let setUp = """
            ip netns add \(namespace) && ip -n \(namespace) link add eth0 type veth peer name peer0 &&
            ip -n \(namespace) addr add 10.77.0.5/24 dev eth0 && ip -n \(namespace) link set eth0 up && ip -n \(namespace) link set peer0 up &&
            ip -n \(namespace) route add default via 10.77.0.1
            """
        try #require(Self.sh(setUp).status == 0)
        defer { _ = Self.sh("ip netns del \(namespace)") }
        try writeConfig(namespaces: #"[{"type": "pid"}, {"type": "network", "path": "/run/netns/\#(namespace)"}]"#)
        let (created, pid) = try create("n1")
        try #require(created.status == 0, "\((try? String(contentsOfFile: scratch.path + "/n1.err", encoding: .utf8)) ?? "")")
        let ours = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        let wanted = Self.sh("ip netns exec \(namespace) readlink /proc/self/ns/net").standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ours == wanted, "the monitor lives in the container's network namespace")
        #expect(Self.sh("ip -n \(namespace) -o link show vmmtap0").status == 0, "the TAP is made at create")
        #expect(!Self.sh("tc -n \(namespace) filter show dev eth0 ingress").standardOutput.contains("mirred"), "nothing is joined before start")

        #expect(vmm("start", "n1").status == 0)
        let filters = Self.sh("tc -n \(namespace) filter show dev eth0 ingress").standardOutput
        #expect(filters.contains("mirred") && filters.contains("vmmtap0"), "\(filters)")
        let back = Self.sh("tc -n \(namespace) filter show dev vmmtap0 ingress").standardOutput
        #expect(back.contains("mirred") && back.contains("eth0"), "\(back)")
        #expect(Self.sh("ip -n \(namespace) -o link show vmmtap0").standardOutput.contains(",UP"), "the TAP is up")

        stop("n1")
        #expect(!Self.sh("ip -n \(namespace) -o link").standardOutput.contains("vmmtap0"))
        #expect(!Self.sh("tc -n \(namespace) qdisc show dev eth0").standardOutput.contains("ingress"))
    }

    /// Docker's case: a prestart hook may move a veth in after create.
    @Test func aNewNamespaceIsTheMonitorsOwnWithItsTap() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(namespaces: #"[{"type": "pid"}, {"type": "network"}]"#, prestart: true)
        let (created, pid) = try create("n2")
        try #require(created.status == 0, "\((try? String(contentsOfFile: scratch.path + "/n2.err", encoding: .utf8)) ?? "")")
        defer { stop("n2") }
        let theirs = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        let mine = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        #expect(theirs != mine, "a namespace of the container's own, where a prestart hook finds it")
        let links = Self.sh("nsenter --net=/proc/\(pid)/ns/net ip -o link").standardOutput
        #expect(links.contains("vmmtap0"), "\(links)")
        // Nothing to join (no hook moved a veth in): start still works, eth0 stays down.
        #expect(vmm("start", "n2").status == 0)
    }

    /// podman's `--network none`: a new namespace no hook will fill.
    @Test func aNewNamespaceWithoutHooksGetsNoCard() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(namespaces: #"[{"type": "network"}]"#)
        let (created, pid) = try create("n5")
        try #require(created.status == 0, "\((try? String(contentsOfFile: scratch.path + "/n5.err", encoding: .utf8)) ?? "")")
        defer { stop("n5") }
        let links = Self.sh("nsenter --net=/proc/\(pid)/ns/net ip -o link").standardOutput
        #expect(!links.contains("vmmtap0") && links.contains("lo"), "\(links)")
    }

    @Test func anEmptyJoinedNamespaceGetsNoCard() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try #require(Self.sh("ip netns add \(namespace)e").status == 0)
        defer { _ = Self.sh("ip netns del \(namespace)e") }
        try writeConfig(namespaces: #"[{"type": "network", "path": "/run/netns/\#(namespace)e"}]"#)
        let (created, _) = try create("n3")
        try #require(created.status == 0, "\((try? String(contentsOfFile: scratch.path + "/n3.err", encoding: .utf8)) ?? "")")
        defer { stop("n3") }
        #expect(!Self.sh("ip -n \(namespace)e -o link").standardOutput.contains("vmmtap0"), "--network none: lo only")
    }

    @Test func aMissingNamespaceIsOneLineAndLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try writeConfig(namespaces: #"[{"type": "network", "path": "/run/netns/vmm-no-such-namespace"}]"#)
        let (created, _) = try create("n4")
        #expect(created.status != 0)
        let errors = (try? String(contentsOfFile: scratch.path + "/n4.err", encoding: .utf8)) ?? ""
        #expect(errors.contains("/run/netns/vmm-no-such-namespace") && errors.split(separator: "\n").count == 1, "\(errors)")
        #expect(!FileManager.default.fileExists(atPath: root + "/n4"))
    }
}
