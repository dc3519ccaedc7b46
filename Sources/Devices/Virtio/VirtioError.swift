/// A guest broke the virtio rules. The device that sees one stops, sets
/// DEVICE_NEEDS_RESET, and the VMM reports it; it never traps the VMM.
public struct VirtioError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
