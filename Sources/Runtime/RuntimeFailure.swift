/// The runtime failed (not the container): one line for the user, and
/// the exit status podman and Docker read as "the runtime failed".
public struct CommandFailure: Error {
    public static let exitStatus: Int32 = 125
    public let message: String

    public init(message: String) {
        self.message = message
    }
}
