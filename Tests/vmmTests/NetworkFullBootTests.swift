import Foundation
import Testing
import TestSupport

/// The VM's network card end to end: `vmm run --network` (passt, a TAP)
/// and an OCI bundle joining a namespace the test made, as a manager would.
@Suite(
    "vmm networks (full boot)",
    .serialized,
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct NetworkFullBootTests {
    static func sh(_ script: String) -> Command.Result {
        Command.run("/bin/sh", ["-c", script])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/passt"), "needs passt (apt-get install passt)"))
    func passtReachesAServerOnTheHost() throws {
        try HTTPServer.ensureStarted()
        // passt needs a host interface with a default route; the emulated machine has none, so it gets a dummy one.
        let routeless = Self.sh("ip route show default").standardOutput.isEmpty
        if routeless {
            try #require(Self.sh("ip link add vmmdummy0 type dummy && ip addr add 198.18.0.2/24 dev vmmdummy0 && ip link set vmmdummy0 up && ip route add default via 198.18.0.1").status == 0)
        }
        defer { if routeless { _ = Self.sh("ip link del vmmdummy0") } }
        let result = Command.vmm("run", "--network", "passt", "--", "sh", "-c", "ip -4 -o addr show eth0; wget -qO- http://10.0.2.2:\(HTTPServer.port)/")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(" 10.0.2.15/24 "), "\(result.standardOutput)")
        #expect(result.standardOutput.hasSuffix(HTTPServer.page), "\(result.standardOutput)")
    }

    @Test func aTapTheUserNamesCarriesTraffic() throws {
        try HTTPServer.ensureStarted()
        let tap = "vmmt\(getpid() % 10000)"
        try #require(Self.sh("ip tuntap add \(tap) mode tap && ip addr add 192.168.77.1/24 dev \(tap) && ip link set \(tap) up").status == 0)
        defer { _ = Self.sh("ip link del \(tap)") }
        let result = Command.vmm(
            "run", "--network", "tap:\(tap),ip=192.168.77.2/24,gateway=192.168.77.1", "--", "wget", "-qO-", "http://192.168.77.1:\(HTTPServer.port)/")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == HTTPServer.page)
    }

    @Test func networkNoneIsLoopbackOnly() {
        let result = Command.vmm("run", "--", "ls", "/sys/class/net")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "lo\n")
    }

    /// A namespace with a veth, made as podman's CNI/netavark would: the
    /// container takes its address and route, reaches the host side, and
    /// after delete the namespace holds neither the TAP nor a filter.
    @Test func anOCIBundleJoinsItsNamespaceAndLeavesNothingBehind() throws {
        try HTTPServer.ensureStarted()
        let namespace = "vmmtest\(getpid() % 10000)"
        let setUp = """
            ip netns add \(namespace) && ip link add vmmh\(getpid() % 10000) type veth peer name eth0 netns \(namespace) &&
            ip addr add 10.99.0.1/24 dev vmmh\(getpid() % 10000) && ip link set vmmh\(getpid() % 10000) up &&
            ip -n \(namespace) addr add 10.99.0.2/24 dev eth0 && ip -n \(namespace) link set eth0 up &&
            ip -n \(namespace) route add default via 10.99.0.1
            """
        try #require(Self.sh(setUp).status == 0)
        defer { _ = Self.sh("ip netns del \(namespace); ip link del vmmh\(getpid() % 10000)") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-net-bundle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bundle = scratch + "/bundle"
        try DefaultBundle.make(at: bundle) { json in
            var process = json["process"] as? [String: Any] ?? [:]
            process["args"] = ["sh", "-c", "ip -4 -o addr show eth0; ip route; wget -qO- http://10.99.0.1:\(HTTPServer.port)/"]
            json["process"] = process
            json["linux"] = ["namespaces": [["type": "pid"], ["type": "mount"], ["type": "network", "path": "/run/netns/\(namespace)"]]]
        }
        let root = scratch + "/state"
        func vmm(_ arguments: String...) -> Command.Result { Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments) }
        let created = Self.sh("'\(Fixtures.vmmExecutable)' --root '\(root)' create --bundle '\(bundle)' net1 </dev/null >'\(scratch)/out' 2>'\(scratch)/err'")
        try #require(created.status == 0, "\((try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? "")")
        #expect(Self.sh("ip -n \(namespace) -o link").standardOutput.contains("vmmtap0"), "the TAP is made at create")
        #expect(vmm("start", "net1").status == 0)
        for _ in 0..<400 where !vmm("state", "net1").standardOutput.contains("\"stopped\"") { usleep(500_000) }
        let output = (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? ""
        #expect(output.contains(" 10.99.0.2/24 "), "\(output)")
        #expect(output.contains("default via 10.99.0.1 dev eth0"), "\(output)")
        #expect(output.hasSuffix(HTTPServer.page), "\(output)")
        #expect(vmm("delete", "net1").status == 0)
        #expect(!Self.sh("ip -n \(namespace) -o link").standardOutput.contains("vmmtap0"))
        #expect(!Self.sh("tc -n \(namespace) qdisc show dev eth0").standardOutput.contains("ingress"))
    }
}
