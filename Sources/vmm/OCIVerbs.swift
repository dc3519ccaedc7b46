import Runtime
import JSON
import Glibc

/// `vmm start|state|kill|pause|resume|delete ID`: parses, then calls
/// Runtime's Container.
struct ContainerVerb {
    enum Verb: String {
        case start, state, kill, delete, pause, resume
    }

    let verb: Verb
    let root: String
    var id: String
    var signal = SIGTERM
    var force = false
    var all = false

    init(_ verb: Verb, global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        self.verb = verb
        root = global.root
        var scanner = ArgumentScanner(arguments, help: HelpText.verbs)
        var positionals: [String] = []
        while let token = try scanner.next() {
            switch token {
            case .option("--force", nil) where verb == .delete, .option("-f", nil) where verb == .delete: force = true
            case .option("--all", nil) where verb == .kill, .option("-a", nil) where verb == .kill:
                all = true
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
        let container = try Container(root: root, id: id)
        switch verb {
        case .state: writeStandardOutput(JSONWriter.write(try container.state().json, indent: "  ") + "\n")
        case .start: try container.start()
        case .pause: try container.pause()
        case .resume: try container.resume()
        case .kill: try container.kill(signal, all: all)
        case .delete: try container.delete(force: force)
        }
        exit(0)
    }
}
