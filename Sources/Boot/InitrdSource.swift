import GuestMemory

/// What an initrd is made of, as the loader places it: its size, and a way
/// to copy it to a guest-physical address.
public protocol InitrdSource {
    var size: UInt64 { get }
    func write(into memory: GuestMemory, at address: UInt64) throws
}

extension Array: InitrdSource where Element == UInt8 {
    public func write(into memory: GuestMemory, at address: UInt64) throws {
        try memory.fill(self, at: address)
    }
}
