import Runtime
import JSON
import Glibc
import OCI

/// `vmm start|state|kill|delete ID`: the OCI verbs after create.
struct ContainerVerb {
    enum Verb: String {
        case start, state, kill, delete, pause, resume
    }

    let verb: Verb
    let global: GlobalOptions
    var id: String
    var signal = SIGTERM
    var force = false

    init(_ verb: Verb, global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.verb = verb
        self.global = global
        var scanner = ArgumentScanner(arguments)
        var positionals: [String] = []
        while let token = try scanner.next() {
            switch token {
            case .option("--force", nil) where verb == .delete, .option("-f", nil) where verb == .delete: force = true
            case .option("--all", nil) where verb == .kill, .option("-a", nil) where verb == .kill:
                break  // one process per VM: all is the one
            case .option("--help", nil), .option("-h", nil):
                writeStandardOutput(HelpText.verbs)
                exit(0)
            case .positional(let value): positionals.append(value)
            default: throw UsageError.unknown(token, command: verb.rawValue)
            }
        }
        let maximum = verb == .kill ? 2 : 1
        guard (1...maximum).contains(positionals.count) else {
            throw UsageError("vmm \(verb.rawValue) takes a container ID\(verb == .kill ? " and an optional signal" : "")")
        }
        id = positionals[0]
        if positionals.count == 2 {
            guard let number = SignalNames.number(positionals[1]) else { throw UsageError("unknown signal '\(positionals[1])'") }
            signal = number
        }
    }

    func execute() throws(CommandFailure) -> Never {
        do {
            let directory = try StateDirectory(root: global.root, id: id)
            var state = try directory.read()
            if state.status != .stopped && !Self.isAlive(state.pid) {
                state.status = .stopped
            }
            switch verb {
            case .state:
                writeStandardOutput(JSONWriter.write(state.json, indent: "  ") + "\n")
            case .start:
                guard state.status == .created else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue), not created") }
                try expectOK(OCISocket.send("start", to: directory.socketPath))
            case .pause:
                guard state.status == .running else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue), not running") }
                try expectOK(OCISocket.send("pause", to: directory.socketPath))
            case .resume:
                guard state.status == .paused else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue), not paused") }
                try expectOK(OCISocket.send("resume", to: directory.socketPath))
            case .kill:
                // A paused container takes the signal when it runs again;
                // SIGKILL ends its VM at once.
                guard [.created, .running, .paused].contains(state.status) else {
                    throw CommandFailure(message: "container \(id) is not running")
                }
                try expectOK(OCISocket.send("kill \(signal)", to: directory.socketPath))
            case .delete:
                if state.status != .stopped {
                    guard force else { throw CommandFailure(message: "container \(id) is \(state.status.rawValue): stop it first, or delete --force") }
                    // The monitor owns the VM and virtiofsd (tethered to it): both go with it.
                    kill(state.pid, SIGKILL)
                    Self.waitForExit(state.pid)
                }
                directory.remove()
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        exit(0)
    }

    func expectOK(_ reply: String) throws(CommandFailure) {
        guard reply == "ok" else { throw CommandFailure(message: reply.hasPrefix("error: ") ? String(reply.dropFirst(7)) : reply) }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        // A zombie (its parent has not reaped it yet) has finished.
        let stat = String(decoding: (try? readUntilEnd("/proc/\(pid)/stat")) ?? [], as: UTF8.self)
        // "pid (comm) S …": the state follows the last ")" and a space.
        guard let close = stat.lastIndex(of: ")"), stat.distance(from: close, to: stat.endIndex) > 2 else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    static func waitForExit(_ pid: Int32) {
        for _ in 0..<500 where isAlive(pid) { usleep(10_000) }
    }
}

import HostFiles

/// Signal names as `kill` and runc take them: TERM, SIGTERM, 15.
enum SignalNames {
    static let names: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "TERM": SIGTERM, "CONT": SIGCONT, "STOP": SIGSTOP, "WINCH": SIGWINCH, "ALRM": SIGALRM, "PIPE": SIGPIPE,
    ]

    static func number(_ text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let name = text.hasPrefix("SIG") ? String(text.dropFirst(3)) : text
        return names[name.uppercased()]
    }
}
