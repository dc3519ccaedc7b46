import HostFiles
import Glibc

/// Walks a command line option by option. Hand-written rather than
/// swift-argument-parser: that package and the Foundation it pulls in
/// doubled vmm's start-up memory and time (see benchmarks/README.md).
struct ArgumentScanner {
    enum Token: Equatable {
        /// `--name` or `-n`; `inlineValue` holds what followed `=`.
        case option(String, inlineValue: String?)
        case positional(String)
        /// `--`: everything after it is positional.
        case terminator
    }

    private var unread: ArraySlice<String>
    private var pendingInlineValue: (option: String, value: String)?
    /// Printed for --help or -h, which then exits 0.
    private let help: String?

    init(_ arguments: ArraySlice<String>, help: String? = nil) {
        unread = arguments
        self.help = help
    }

    mutating func next() throws(UsageError) -> Token? {
        if let pending = pendingInlineValue {
            throw UsageError("\(pending.option) takes no value, got '\(pending.value)'")
        }
        guard let argument = unread.popFirst() else { return nil }
        if argument == "--" { return .terminator }
        if let help, argument == "--help" || argument == "-h" {
            writeStandardOutput(help)
            exit(0)
        }
        guard argument.hasPrefix("-"), argument.count > 1 else { return .positional(argument) }
        if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
            let name = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            pendingInlineValue = (name, value)
            return .option(name, inlineValue: value)
        }
        return .option(argument, inlineValue: nil)
    }

    /// The value of `option`: after `=`, or the next argument.
    mutating func value(of option: String) throws(UsageError) -> String {
        if let pending = pendingInlineValue {
            pendingInlineValue = nil
            return pending.value
        }
        guard let value = unread.popFirst() else { throw UsageError("\(option) needs a value") }
        return value
    }

    mutating func number<T: FixedWidthInteger>(of option: String, as _: T.Type = T.self) throws(UsageError) -> T {
        let text = try value(of: option)
        guard let number = T(text) else { throw UsageError("\(option) expects a whole number, got '\(text)'") }
        return number
    }

    /// What is left, without consuming it.
    var remaining: ArraySlice<String> { unread }

    /// Everything not yet consumed (after `--`).
    mutating func rest() -> [String] {
        defer { unread = [] }
        return Array(unread)
    }
}

/// A mistake in how vmm was called: one line, exit status 64 (EX_USAGE).
struct UsageError: Error {
    static let exitStatus: Int32 = 64
    let message: String

    /// One line, whatever the command line put in it.
    init(_ message: String) {
        self.message = message.escapingControlCharacters
    }

    static func unknown(_ token: ArgumentScanner.Token, command: String) -> UsageError {
        switch token {
        case .option(let name, _): UsageError("unknown option \(name) for vmm \(command)")
        case .positional(let value): UsageError("unexpected argument '\(value)' for vmm \(command)")
        case .terminator: UsageError("unexpected -- for vmm \(command)")
        }
    }
}
