import Glibc
import JSON
import Runtime

/// `vmm list [-f|--format table|json] [-q|--quiet]`, as runc lists.
struct ListCommand {
    let root: String
    var format = "table"
    var quiet = false

    init(global: GlobalOptions, parsing arguments: ArraySlice<String>) throws(UsageError) {
        root = global.root
        var scanner = ArgumentScanner(arguments, help: HelpText.list)
        while let token = try scanner.next() {
            switch token {
            case .option("--format", _), .option("-f", _):
                format = try scanner.value(of: "--format")
                guard ["table", "json"].contains(format) else { throw UsageError("--format is table or json, got '\(format)'") }
            case .option("--quiet", nil), .option("-q", nil): quiet = true
            default: throw UsageError.unknown(token, command: "list")
            }
        }
    }

    func execute() -> Never {
        let entries = ContainerList.entries(root: root)
        if quiet {
            writeStandardOutput(entries.map { $0.state.id + "\n" }.joined())
        } else if format == "json" {
            writeStandardOutput(JSONWriter.write(ContainerList.json(entries)) + "\n")
        } else {
            writeStandardOutput(ContainerList.table(entries))
        }
        exit(0)
    }
}
