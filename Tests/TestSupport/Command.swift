import Foundation
import OS

/// Runs a program to completion and captures what it printed.
public enum Command {
    public struct Result: Sendable {
        public let status: Int32
        /// False when the program died from a signal (a crash).
        public let exitedNormally: Bool
        public let standardOutput: String
        public let standardError: String
    }

    /// Output goes to unlinked temporary files, not pipes: a program that
    /// leaves a daemon behind (`podman run -d`) is done when it exits, not
    /// when every descendant has let go of its output, and a child that
    /// never reads its input cannot block the test on a full pipe. The
    /// child is spawned and reaped here with posix_spawn and waitpid:
    /// Foundation's Process was seen to leave `podman run -d` a zombie that
    /// waitUntilExit never noticed.
    ///
    /// Past `timeout` seconds the program is killed and the result says so,
    /// with the host's process table: a hang fails its own test, with what
    /// was stuck, instead of the whole run's time limit.
    public static func run(_ executable: String, _ arguments: [String], standardInput: Data = Data(), timeout: Double = 600, diagnosing: Bool = true) -> Result {
        guard let input = ScratchFile(holding: standardInput), let output = ScratchFile(), let error = ScratchFile() else {
            return Result(status: -1, exitedNormally: false, standardOutput: "", standardError: "cannot create a scratch file: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (file, target) in [(input, STDIN_FILENO), (output, STDOUT_FILENO), (error, STDERR_FILENO)] {
            posix_spawn_file_actions_adddup2(&actions, file.handle.fileDescriptor, target)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = withCleanSpawnSignals { posix_spawn(&pid, executable, &actions, $0, argv, environ) }
        guard spawned == 0 else {
            return Result(status: -1, exitedNormally: false, standardOutput: "", standardError: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var hang: String?
        let deadline = Date().addingTimeInterval(timeout)
        var reaped: pid_t = 0
        while reaped == 0 || (reaped < 0 && errno == EINTR) {
            reaped = waitpid(pid, &status, WNOHANG)
            guard reaped == 0 else { continue }
            guard Date() < deadline else {
                hang = "\(executable) \(arguments.joined(separator: " ")): timed out after \(Int(timeout)) s" + (diagnosing ? "; processes then:\n\(processTable())" : "")
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(20_000)
        }
        let exitedNormally = status & 0x7f == 0 && hang == nil
        return Result(
            status: hang != nil ? -1 : exitedNormally ? (status >> 8) & 0xff : status & 0x7f,
            exitedNormally: exitedNormally,
            standardOutput: String(decoding: output.contents(), as: UTF8.self),
            standardError: String(decoding: error.contents(), as: UTF8.self) + (hang.map { "\n" + $0 } ?? ""))
    }

    /// Every process with its state and where it sleeps, and the threads
    /// of vmm processes: what a hung test was waiting on.
    static func processTable() -> String {
        let script = """
            ps -eo pid,ppid,stat,wchan:28,args | grep -v ' \\[.*\\]$'
            for p in $(pgrep -x vmm); do
              for t in /proc/$p/task/*; do echo "vmm $p thread ${t##*/} $(cat $t/comm) $(cat $t/wchan)"; done
            done
            """
        return run("/bin/sh", ["-c", script], timeout: 30, diagnosing: false).standardOutput
    }

    /// Runs the `vmm` built with the tests.
    public static func vmm(_ arguments: String...) -> Result {
        run(Fixtures.vmmExecutable, arguments)
    }
}

/// An unlinked temporary file: nothing to clean up, gone with its last
/// descriptor; close-on-exec, so only the child it is handed to gets it.
private struct ScratchFile {
    let handle: FileHandle

    init?(holding data: Data = Data()) {
        var template = Array((NSTemporaryDirectory() + "/vmm-test-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard !data.isEmpty else { return }
        handle.write(data)
        lseek(descriptor, 0, SEEK_SET)
    }

    /// Everything written so far, read from the start.
    func contents() -> Data {
        lseek(handle.fileDescriptor, 0, SEEK_SET)
        return handle.readDataToEndOfFile()
    }
}

