import COS
import Foundation
import Glibc
import Testing

/// Managers put state roots deep (containerd: /run/containerd/runc/k8s.io/
/// <64 hex>): a socket path longer than sun_path's 108 bytes still
/// listens and connects, through its directory held open.
@Suite("Unix sockets on long paths")
struct UnixSocketPathTests {
    @Test func aPathPastSunPathListensAndConnects() throws {
        var directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-sockets-\(UUID().uuidString)").path
        let top = directory
        defer { try? FileManager.default.removeItem(atPath: top) }
        directory += "/" + String(repeating: "d", count: 64) + "/" + String(repeating: "e", count: 40)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/monitor.sock"
        #expect(path.utf8.count > 108)
        let listening = cos_unix_listen(path, 1)
        try #require(listening >= 0, "listen: \(String(cString: strerror(errno)))")
        defer { close(listening) }
        #expect(access(path, F_OK) == 0, "the socket is where the path says")
        let client = cos_unix_connect(path)
        #expect(client >= 0, "connect: \(String(cString: strerror(errno)))")
        let accepted = accept(listening, nil, nil)
        #expect(accepted >= 0)
        close(client)
        close(accepted)
    }

    @Test func aMissingDirectoryIsTheError() {
        let path = "/nonexistent/" + String(repeating: "x", count: 120) + "/monitor.sock"
        #expect(cos_unix_listen(path, 1) < 0 && errno == ENOENT)
    }
}
