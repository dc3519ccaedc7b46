import Foundation
import Testing
import TestSupport

extension ManagersFullBootTests {
    /// podman's default bridge network reaching the VM: vmm's TAP in the
    /// container's namespace, joined to podman's veth by tc redirects;
    /// eth0 in the guest takes the veth's address and routes.
    @Suite(
        "podman's networks reach containers on vmm (full boot)",
        .serialized,
        .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
        .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason),
        .enabled(if: Podman.isInstalled, "needs podman and conmon (apt-get install podman conmon)"))
    struct PodmanNetworkFullBootTests {
        func podman(_ arguments: String...) throws -> Command.Result {
            try Podman.run(arguments)
        }

        func address(of name: String) throws -> String {
            try podman("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name).standardOutput
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// A busybox httpd in a container serving `text` on port 80.
        func startWebContainer(_ name: String, _ text: String, options: [String] = []) throws {
            let serve = "mkdir -p /www && echo \(text) > /www/index.html && exec httpd -f -p 80 -h /www"
            let started = try Podman.run(["run", "-d", "--name", name] + options + [Podman.image, "sh", "-c", serve])
            #expect(started.status == 0, "\(started.standardError)")
        }

        @Test func eth0TakesTheAddressPodmanGaveTheContainer() throws {
            let name = Fixtures.uniqueName("vmm-net-addr")
            defer { _ = try? podman("rm", "-f", name) }
            #expect(try Podman.run(["run", "-d", "--name", name, Podman.image, "sleep", "1000"]).status == 0)
            let address = try address(of: name)
            try #require(!address.isEmpty, "podman gave the container no address")
            let shown = try podman("exec", name, "ip", "-4", "-o", "addr", "show", "eth0")
            #expect(shown.standardOutput.contains(" \(address)/"), "\(shown.standardOutput)\(shown.standardError)")
            let routes = try podman("exec", name, "ip", "route")
            #expect(routes.standardOutput.contains("default via "), "\(routes.standardOutput)")
        }

        @Test func theContainerFetchesAPageFromTheHostSideOfTheBridge() throws {
            try HTTPServer.ensureStarted()
            let fetch = "wget -qO- http://$(ip route | awk '/^default/ {print $3}'):\(HTTPServer.port)/"
            let result = try Podman.run(["run", "--rm", Podman.image, "sh", "-c", fetch])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == HTTPServer.page)
        }

        @Test func twoContainersReachEachOtherByAddress() throws {
            let server = Fixtures.uniqueName("vmm-net-a")
            defer { _ = try? podman("rm", "-f", server) }
            try startWebContainer(server, "from-a")
            let address = try address(of: server)
            try #require(!address.isEmpty)
            var fetched: Command.Result?
            for _ in 0..<30 where fetched?.status != 0 {  // until its httpd listens
                fetched = try Podman.run(["run", "--rm", Podman.image, "wget", "-qO-", "http://\(address)/"])
                if fetched?.status != 0 { sleep(2) }
            }
            #expect(fetched?.standardOutput == "from-a\n", "\(fetched?.standardError ?? "")")
        }

        @Test func aPublishedPortServesTheHost() throws {
            let name = Fixtures.uniqueName("vmm-net-port")
            defer { _ = try? podman("rm", "-f", name) }
            try startWebContainer(name, "published", options: ["-p", "18081:80"])
            let gateway = try podman("inspect", "--format", "{{.NetworkSettings.Gateway}}", name).standardOutput
                .trimmingCharacters(in: .whitespacesAndNewlines)
            var page: String?
            for _ in 0..<30 where page == nil {
                page = HTTPServer.fetch("http://\(gateway):18081/")
                if page == nil { sleep(2) }
            }
            #expect(page == "published\n")
        }

        @Test func networkNoneShowsOnlyLoopback() throws {
            let result = try Podman.run(["run", "--rm", "--network", "none", Podman.image, "sh", "-c", "ls /sys/class/net"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "lo\n")
        }

        @Test func rmForceLeavesNoTapOrFilterInTheNamespace() throws {
            let name = Fixtures.uniqueName("vmm-net-rm")
            #expect(try Podman.run(["run", "-d", "--name", name, Podman.image, "sleep", "1000"]).status == 0)
            let key = try podman("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", name).standardOutput
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(key.hasPrefix("/"), "no network namespace: \(key)")
            let during = Command.run("/usr/bin/nsenter", ["--net=\(key)", "tc", "filter", "show", "dev", "eth0", "ingress"])
            #expect(during.standardOutput.contains("mirred"), "\(during.standardOutput)\(during.standardError)")
            #expect(try podman("rm", "-f", name).status == 0)
            // podman removes the namespace; if it still exists it must hold no TAP.
            if FileManager.default.fileExists(atPath: key) {
                let links = Command.run("/usr/bin/nsenter", ["--net=\(key)", "ip", "-o", "link"])
                #expect(!links.standardOutput.contains("vmmtap0"))
            }
        }
    }
}
