import Foundation
import Testing
import TestSupport

extension ManagersFullBootTests.DockerFullBootTests {
    /// Docker's bridge network: the runtime makes the namespace (the
    /// monitor's own), Docker's prestart hook moves a veth into it, and
    /// vmm joins it to the VM's TAP at start.
    @Test func theBridgeNetworkReachesTheHostSide() throws {
        try HTTPServer.ensureStarted()
        let fetch = "ip -4 -o addr show eth0; wget -qO- http://$(ip route | awk '/^default/ {print $3}'):\(HTTPServer.port)/"
        let result = try Docker.run(["run", "--rm", "--runtime=vmm", Docker.image, "sh", "-c", fetch])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(" 172.17."), "\(result.standardOutput)")
        #expect(result.standardOutput.hasSuffix(HTTPServer.page), "\(result.standardOutput)")
    }

    @Test func aPublishedPortServesTheHost() throws {
        let name = Fixtures.uniqueName("vmm-docker-port")
        defer { _ = try? Docker.run(["rm", "-f", name]) }
        let serve = "mkdir -p /www && echo docker-published > /www/index.html && exec httpd -f -p 80 -h /www"
        let started = try Docker.run(["run", "-d", "--runtime=vmm", "--name", name, "-p", "18082:80", Docker.image, "sh", "-c", serve])
        #expect(started.status == 0, "\(started.standardError)")
        let gateway = try Docker.run(["inspect", "--format", "{{.NetworkSettings.Gateway}}", name]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var page: String?
        for _ in 0..<30 where page == nil {
            page = HTTPServer.fetch("http://\(gateway):18082/")
            if page == nil { sleep(2) }
        }
        #expect(page == "docker-published\n")
    }
}
