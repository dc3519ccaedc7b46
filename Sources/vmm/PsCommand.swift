import Glibc
import JSON
import Runtime

/// `vmm ps [-f|--format table|json] ID [PS_ARGS...]`, as runc's: the JSON
/// pid list, or ps(1)'s lines (default `-ef`) for those pids.
struct PsCommand {
    let root: String
    var format = "table"
    var id = ""
    var psArguments = ["-ef"]

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        root = global.root
        var scanner = ArgumentScanner(arguments, help: HelpText.ps)
        var found: String?
        while found == nil, let token = try scanner.next() {
            switch token {
            case .option("--format", _), .option("-f", _):
                format = try scanner.value(of: "--format")
                guard ["table", "json"].contains(format) else { throw UsageError("--format is table or json, got '\(format)'") }
            case .positional(let value): found = value
            default: throw UsageError.unknown(token, command: "ps")
            }
        }
        guard let found else { throw UsageError("vmm ps needs a container ID") }
        id = found
        let rest = scanner.rest()
        if !rest.isEmpty { psArguments = rest.first == "--" ? Array(rest.dropFirst()) : rest }
    }

    func execute() throws(CommandFailure) -> Never {
        let pids = try ContainerProcesses.pids(of: try Container(root: root, id: id))
        guard format == "table" else {
            writeStandardOutput(JSONWriter.write(.array(pids.map { .number(String($0)) })) + "\n")
            exit(0)
        }
        writeStandardOutput(try ContainerProcesses.psTable(pids, arguments: psArguments))
        exit(0)
    }
}
