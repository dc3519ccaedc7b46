/// A contiguous range of guest-physical RAM and where it lives in the memfd.
public struct MemoryRegion: Equatable, Sendable {
    public let guestAddress: UInt64
    public let size: UInt64
    /// Offset of this region's first byte in the memfd and the host mapping.
    public let fileOffset: UInt64

    public var end: UInt64 { guestAddress + size }

    /// True when `[address, address + length)` lies inside this region.
    /// Written so that no sum can overflow, whatever the guest passes.
    public func contains(_ address: UInt64, length: UInt64) -> Bool {
        address >= guestAddress && length <= size && address - guestAddress <= size - length
    }
}

extension MemoryRegion {
    /// Where guest RAM stops below 4 GiB: the hole above is for MMIO devices
    /// and the LAPIC/IOAPIC, as on real PCs.
    public static let mmioGapStart: UInt64 = 0xC000_0000
    public static let mmioGapEnd: UInt64 = 0x1_0000_0000

    /// Splits `size` bytes of RAM around the MMIO gap.
    public static func layout(size: UInt64) -> [MemoryRegion] {
        let low = min(size, mmioGapStart)
        var regions = [MemoryRegion(guestAddress: 0, size: low, fileOffset: 0)]
        if size > low {
            regions.append(MemoryRegion(guestAddress: mmioGapEnd, size: size - low, fileOffset: low))
        }
        return regions
    }
}
