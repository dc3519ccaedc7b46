import Foundation
import Testing
import TestSupport

/// Every option a parser accepts is in its command's help, and every
/// option a help names is accepted: the help is written apart from the
/// parsers, and this is what ties them. The parsers' options are read from
/// their sources (`.option("--x"` and bench's `case "--x"`), the help from
/// the built vmm.
@Suite("vmm help and parsers agree")
struct HelpTextTests {
    /// A parser's source file, the help that documents it, and the parsers
    /// whose options that help may also name (bench runs run's options,
    /// the main help sketches create's and delete's).
    struct Parser: Sendable, CustomTestStringConvertible {
        let source: String
        let help: [String]
        let alsoAccepted: [String]
        /// False where only --help is taken (the scanner's own).
        var takesOptions = true
        var testDescription: String { source }
    }

    static let parsers: [Parser] = [
        Parser(source: "RunOptions.swift", help: ["run", "--help"], alsoAccepted: []),
        Parser(source: "BenchOptions.swift", help: ["bench", "--help"], alsoAccepted: ["RunOptions.swift"]),
        Parser(source: "CheckCommand.swift", help: ["check", "--help"], alsoAccepted: []),
        Parser(source: "FeaturesCommand.swift", help: ["features", "--help"], alsoAccepted: [], takesOptions: false),
        Parser(source: "OCICreate.swift", help: ["create", "--help"], alsoAccepted: ["GlobalOptions.swift"]),
        Parser(source: "OCIVerbs.swift", help: ["delete", "--help"], alsoAccepted: ["GlobalOptions.swift", "ListCommand.swift"]),
        Parser(source: "ExecCommand.swift", help: ["exec", "--help"], alsoAccepted: ["GlobalOptions.swift"]),
        Parser(source: "ListCommand.swift", help: ["list", "--help"], alsoAccepted: ["GlobalOptions.swift"]),
        Parser(source: "PsCommand.swift", help: ["ps", "--help"], alsoAccepted: ["GlobalOptions.swift"]),
        Parser(source: "GlobalOptions.swift", help: ["--help"], alsoAccepted: ["OCICreate.swift", "OCIVerbs.swift", "ExecCommand.swift", "ListCommand.swift", "PsCommand.swift"]),
    ]

    /// Every command takes these; no help needs to say so.
    static let universal: Set<String> = ["--help", "-h"]

    static func accepted(by source: String) throws -> Set<String> {
        let path = Fixtures.packageRoot.appendingPathComponent("Sources/vmm/\(source)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"(?:\.option\(|case |case "--help", )"(--?[a-z][a-z-]*)""#)
        let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return Set(matches.compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    static func named(in help: String) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: #"(?:^|[\s,|\[])(--?[a-z][a-z-]*)"#, options: .anchorsMatchLines)
        let matches = pattern.matches(in: help, range: NSRange(help.startIndex..., in: help))
        return Set(matches.compactMap { Range($0.range(at: 1), in: help).map { String(help[$0]) } })
    }

    @Test(arguments: parsers)
    func everyAcceptedOptionIsInTheHelp(parser: Parser) throws {
        let help = Command.run(Fixtures.vmmExecutable, parser.help)
        try #require(help.status == 0, "vmm \(parser.help.joined(separator: " ")): \(help.standardError)")
        let accepted = try Self.accepted(by: parser.source)
        try #require(accepted.isEmpty != parser.takesOptions, "found \(accepted.sorted()) in \(parser.source)")
        let missing = accepted.subtracting(try Self.named(in: help.standardOutput)).subtracting(Self.universal)
        #expect(missing.isEmpty, "vmm \(parser.help.joined(separator: " ")) does not mention \(missing.sorted())")
    }

    @Test(arguments: parsers)
    func everyOptionTheHelpNamesIsAccepted(parser: Parser) throws {
        let help = Command.run(Fixtures.vmmExecutable, parser.help)
        try #require(help.status == 0, "vmm \(parser.help.joined(separator: " ")): \(help.standardError)")
        var accepted = try Self.accepted(by: parser.source)
        for other in parser.alsoAccepted { accepted.formUnion(try Self.accepted(by: other)) }
        let unknown = try Self.named(in: help.standardOutput).subtracting(accepted)
        #expect(unknown.isEmpty, "vmm \(parser.help.joined(separator: " ")) names \(unknown.sorted()), which no parser takes")
    }
}
