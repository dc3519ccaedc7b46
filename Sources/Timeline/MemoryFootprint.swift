/// What one VM cost in host memory, in KiB: the process's peak resident set
/// and the part of it that is the guest's own memory.
public struct MemoryFootprint: Equatable, Sendable {
    public let peakRSSKiB: UInt64
    public let guestResidentKiB: UInt64

    public init(peakRSSKiB: UInt64, guestResidentKiB: UInt64) {
        self.peakRSSKiB = peakRSSKiB
        self.guestResidentKiB = guestResidentKiB
    }

    /// vmm's own peak footprint: Firecracker bounds its overhead the same
    /// way, without the guest's memory.
    public var vmmOverheadKiB: UInt64 { peakRSSKiB >= guestResidentKiB ? peakRSSKiB - guestResidentKiB : 0 }
}
