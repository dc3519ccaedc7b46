import Foundation
import OS

/// A manager's daemon (dockerd, containerd) started once per test process.
/// A shell watches this process and ends the daemon (TERM, which also stops
/// what it runs) when this process is gone (or a zombie), however it ends,
/// so no daemon outlives the tests.
public struct Daemon: Sendable {
    public let name: String
    /// Where its output goes, for a test's failure message.
    public let log: String

    /// Starts `command` (an argument vector) and waits until `ready` (a
    /// shell command) succeeds, for up to `seconds`.
    public static func start(_ name: String, _ command: [String], ready: String, seconds: Int = 180) -> Result<Daemon, FixtureError> {
        let log = Fixtures.scratch.appendingPathComponent("\(name).log").path
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // A zombie counts as gone: the test process's parent may wait for
        // its output to close before it reaps it.
        let watcher = """
            \(quoted) >'\(log)' 2>&1 & daemon=$!
            alive() { [ -e /proc/$1 ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status 2>/dev/null; }
            while alive \(getpid()) && alive $daemon; do sleep 1; done
            kill $daemon 2>/dev/null; wait $daemon
            """
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", watcher]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // None of our stdio: whoever reads our output must not wait for the watcher.
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        guard withCleanSpawnSignals({ posix_spawn(&pid, "/bin/sh", &actions, $0, argv, environ) }) == 0 else {
            return .failure(FixtureError(message: "cannot start \(name)"))
        }
        for _ in 0..<(seconds * 2) {
            if Command.run("/bin/sh", ["-c", ready], timeout: 30, diagnosing: false).status == 0 {
                return .success(Daemon(name: name, log: log))
            }
            usleep(500_000)
        }
        let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(10).joined(separator: "\n") ?? ""
        return .failure(FixtureError(message: "\(name) did not come up in \(seconds) s; its log ends:\n\(tail)"))
    }
}
