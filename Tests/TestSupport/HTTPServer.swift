import Foundation

/// A web server on the host (python3's http.server, as a Daemon) serving
/// one page, for containers to fetch through their network.
public enum HTTPServer {
    /// Every address of the host, so a bridge's or a TAP's side reaches it.
    public static let port = 18_080
    /// What the page holds: a test compares what the container printed.
    public static let page = "served-by-the-host-\(getpid())\n"

    private static let started: Result<Daemon, FixtureError> = {
        let root = Fixtures.scratch.appendingPathComponent("www").path
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try page.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        } catch {
            return .failure(FixtureError(message: "cannot write the page: \(error)"))
        }
        return Daemon.start(
            "http-server", ["/usr/bin/python3", "-m", "http.server", "--bind", "0.0.0.0", "--directory", root, "\(port)"],
            ready: "python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:\(port)/\")'")
    }()

    /// Starts it once per test process.
    public static func ensureStarted() throws {
        _ = try started.get()
    }

    /// GET http://ADDRESS:PORT/ from the host; nil when it fails.
    public static func fetch(_ url: String) -> String? {
        let result = Command.run("/usr/bin/python3", ["-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())", url], timeout: 60, diagnosing: false)
        return result.status == 0 ? result.standardOutput : nil
    }
}
