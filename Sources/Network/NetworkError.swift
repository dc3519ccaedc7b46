import Glibc

/// A host networking step that failed, as one line naming the step.
public struct NetworkError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// "<what>: <strerror(errno)>", read at the call.
    public static func system(_ what: String) -> NetworkError {
        NetworkError("\(what): \(String(cString: strerror(errno)))")
    }
}
