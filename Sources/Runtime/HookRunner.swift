import Glibc
import JSON
import OCI
import Timeline

/// Runs a stage's hooks on the host, one after another, each with the
/// container's state on stdin (runtime-spec); the first failure stops the
/// stage and is its one-line error.
struct HookRunner {
    let hooks: Hooks
    /// Names where the hooks came from in errors (the bundle's config.json).
    let source: String
    /// The hooks' working directory: the bundle, as under runc.
    let directory: String

    /// The longest hook output kept for an error line.
    static let outputLimit = 4096

    func run(_ stage: Hooks.Stage, state: ContainerState) throws(CommandFailure) {
        let document = Array(JSONWriter.write(state.json).utf8)
        for (index, hook) in hooks[stage].enumerated() {
            if let failure = Self.run(hook, stdin: document, directory: directory) {
                throw CommandFailure(message: "\(source): hooks.\(stage.rawValue)[\(index)] \(hook.path) \(failure)")
            }
        }
    }

    /// nil when the hook exited 0; otherwise what went wrong.
    static func run(_ hook: Hooks.Hook, stdin document: [UInt8], directory: String) -> String? {
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else { return "could not run: \(String(cString: strerror(errno)))" }
        guard pipe(&output) == 0 else {
            input.forEach { close($0) }
            return "could not run: \(String(cString: strerror(errno)))"
        }
        // Close-on-exec: only the dup2s reach the hook.
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The state goes into the pipe before the hook starts, so a hook
        // that exits without reading it cannot make the write fail.
        _ = document.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        let argv = hook.arguments.isEmpty ? [hook.path] : hook.arguments
        let pid = HostProcess.spawn(
            hook.path, argv, environment: hook.environment, directory: directory,
            placing: [(input[0], 0), (output[1], 1), (output[1], 2)])
        let spawnError = errno
        close(input[0])
        close(output[1])
        defer { close(output[0]) }
        guard let pid else { return "could not run: \(String(cString: strerror(spawnError)))" }
        let (status, captured, timedOut) = wait(pid, output: output[0], timeout: hook.timeout)
        let text = String(decoding: captured, as: UTF8.self).split(whereSeparator: \.isNewline).last.map { ": \($0)" } ?? ""
        if timedOut { return "did not finish within its timeout of \(hook.timeout ?? 0) s\(text)" }
        if status & 0x7F != 0 { return "was killed by signal \(status & 0x7F)\(text)" }
        let code = (status >> 8) & 0xFF
        return code == 0 ? nil : "exited with status \(code)\(text)"
    }

    /// Waits for the hook while draining its output (a hook's background
    /// child may keep the pipe open: the hook's own exit ends the wait).
    static func wait(_ pid: pid_t, output fd: Int32, timeout: Int?) -> (Int32, [UInt8], Bool) {
        let deadline = timeout.map { MonotonicClock.now() + UInt64($0) * 1_000_000_000 }
        var captured: [UInt8] = []
        var status: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        func drain() {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                captured += buffer[0..<n]
                if captured.count > outputLimit { captured.removeFirst(captured.count - outputLimit) }
            }
        }
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) {
                drain()
                return (status, captured, false)
            }
            if let deadline, MonotonicClock.now() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                drain()
                return (status, captured, true)
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, 20)
            drain()
        }
    }
}
