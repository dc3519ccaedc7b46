import HostFiles

/// A bundle vmm cannot run, in one line that names the file and the field.
public struct BundleError: Error, Equatable, CustomStringConvertible {
    public let message: String

    /// Control characters a config carried into the text (a newline in a
    /// path, a terminal escape) are shown escaped: still one line.
    init(_ message: String) {
        self.message = message.escapingControlCharacters
    }

    public var description: String { message }
}
