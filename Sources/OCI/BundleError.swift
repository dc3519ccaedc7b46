/// A bundle vmm cannot run, in one line that names the file and the field.
public struct BundleError: Error, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
