import Foundation
import Testing
import TestSupport

/// Every option that takes a value, in every command: given none, or (for
/// numbers and choices) one of the wrong kind, vmm says so in one line
/// naming the option, exits 64 before doing anything, and leaves nothing
/// under its --root.
@Suite("vmm command line: every option's bad values")
struct CommandLineSweepTests {
    /// The commands' options that take a value (`vmm COMMAND --help`),
    /// with what must follow for the command line to be complete.
    typealias Case = (command: [String], option: String, rest: [String])

    static func options(_ command: String, _ names: [String]) -> [Case] {
        names.map { ([command], $0, []) }
    }

    static let runOptions = ["-e", "--env", "-w", "--workdir", "-u", "--user", "--hostname", "-v", "--volume", "-b", "--bundle",
                             "--rootfs", "--network", "--kernel", "--initrd", "--cmdline", "--firmware", "--memory", "--cpus",
                             "--kvm-device", "--virtiofsd", "--runtime-dir", "--timeline-output"]
    static let execOptions = ["-p", "--process", "--console-socket", "--pid-file", "-e", "--env", "--cwd", "-u", "--user",
                              "-c", "--cap", "--preserve-fds", "--report-fd"]

    /// The commands' options that take a value (`vmm COMMAND --help`),
    /// with what must follow for the command line to be complete.
    static let valued: [Case] = {
        var cases: [Case] = [([], "--root", []), ([], "--log", []), ([], "--log-format", [])]
        cases += options("run", runOptions)
        cases += options("bench", runOptions + ["--runs", "--warmup", "--json"])
        cases += options("create", ["-b", "--bundle", "--pid-file", "--console-socket", "--preserve-fds"])
        cases += options("exec", execOptions)
        cases += options("list", ["--format"]) + options("ps", ["--format"])
        return cases
    }()

    /// Options that read a whole number or one of a few words, with what
    /// completes the command line.
    static let typed: [Case] = [
        (["run"], "--memory", ["--firmware", "f"]), (["run"], "--cpus", ["--firmware", "f"]),
        (["bench"], "--runs", ["--firmware", "f"]), (["bench"], "--warmup", ["--firmware", "f"]),
        (["create"], "--preserve-fds", ["c"]), (["exec"], "--preserve-fds", ["c", "true"]), (["exec"], "--report-fd", ["c", "true"]),
        (["list"], "--format", []), (["ps"], "--format", ["c"]), ([], "--log-format", ["list"]),
    ]
    static let wrongKinds = ["x", "1.5", "99999999999999999999", "", "0x10", "\u{1b}[31m\nred"]

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-sweep-\(UUID().uuidString)").path

    func expectOneLine(_ arguments: [String], naming option: String) {
        let result = Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments, standardInput: Data())
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(result.exitedNormally && result.status == 64, "\(arguments): \(result.status) \(result.standardError)")
        #expect(lines.count == 2 && lines[1].isEmpty, "one line: \(arguments): \(result.standardError)")
        #expect(result.standardError.contains(option), "it names \(option): \(result.standardError)")
        #expect(result.standardOutput.isEmpty, "\(arguments)")
        #expect(!FileManager.default.fileExists(atPath: root), "nothing made under --root: \(arguments)")
    }

    @Test(arguments: valued.indices)
    func anOptionWithoutItsValue(index: Int) {
        let (command, option, rest) = Self.valued[index]
        // At the end of the line, where nothing can be taken for its value
        // (a global option: before any command, as it must stand).
        expectOneLine(command.isEmpty ? [option] : command + rest + [option], naming: option)
    }

    @Test(arguments: typed.indices)
    func anOptionWithAValueOfTheWrongKind(index: Int) {
        let (command, option, rest) = Self.typed[index]
        for value in Self.wrongKinds {
            expectOneLine(command + ["\(option)=\(value)"] + rest, naming: option)
        }
    }
}
