import HostFiles

/// The runtime failed (not the container): one line for the user, and
/// the exit status podman and Docker read as "the runtime failed".
public struct CommandFailure: Error {
    public static let exitStatus: Int32 = 125
    public let message: String

    /// One line, whatever the user's input or a file put in it.
    public init(message: String) {
        self.message = message.escapingControlCharacters
    }
}
