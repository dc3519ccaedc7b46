import GuestMemory

/// The GDT the kernel is entered with: null, 32-bit code (0x08, PVH),
/// 64-bit code (0x10 = __BOOT_CS), data (0x18 = __BOOT_DS).
public enum BootGDT {
    public static let code32Selector: UInt16 = 0x08
    public static let code64Selector: UInt16 = 0x10
    public static let dataSelector: UInt16 = 0x18

    public static var code64: SegmentDescriptor {
        var descriptor = SegmentDescriptor.flatCode32
        descriptor.longMode = true
        descriptor.defaultSize32 = false  // L and D must not both be set
        return descriptor
    }

    public static var entries: [UInt64] {
        [0, SegmentDescriptor.flatCode32.encoded, code64.encoded, SegmentDescriptor.flatData32.encoded]
    }

    static func write(into memory: GuestMemory) throws(GuestMemoryError) {
        for (index, entry) in entries.enumerated() {
            try memory.store(entry, at: X86Layout.bootGDT + UInt64(index * 8))
        }
        try memory.store(UInt64(0), at: X86Layout.bootIDT)
    }
}
