import Glibc
import JSON
import OCI

/// `vmm features`: the runtime-spec features document, for managers that
/// ask a runtime what it supports before using it.
struct FeaturesCommand {
    init(parsing arguments: ArraySlice<String>) throws(UsageError) {
        var scanner = ArgumentScanner(arguments, help: HelpText.features)
        if let token = try scanner.next() { throw UsageError.unknown(token, command: "features") }
    }

    func execute() -> Never {
        writeStandardOutput(JSONWriter.write(RuntimeFeatures.json(version: HelpText.version), indent: "    ") + "\n")
        exit(0)
    }
}
