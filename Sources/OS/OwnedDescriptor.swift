import Glibc

/// A file descriptor that closes itself when its owner goes away.
public final class OwnedDescriptor: Sendable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        close(rawValue)
    }
}
