import LittleEndian

/// `struct hvm_start_info` (version 1) and the tables it points at: what
/// the PVH entry reads through EBX instead of a zero page.
public enum PVHStartInfo {
    static let magic: UInt32 = 0x336E_C578
    static let version: UInt32 = 1
    static let size = 56
    static let moduleEntrySize = 32
    static let memoryMapEntrySize = 24
    /// The module list and the memory map follow the start info.
    static let moduleListOffset: UInt64 = 0x40
    static let memoryMapOffset: UInt64 = 0x80

    /// The bytes to place at `address`: start info, module list (the
    /// initrd, if any), memory map.
    public static func build(
        at address: UInt64, commandLine: UInt64, memoryMap: [E820Entry], initrd: (address: UInt64, size: UInt64)?
    ) -> [UInt8] {
        var info = magic.littleEndianBytes + version.littleEndianBytes
        info += UInt32(0).littleEndianBytes  // flags
        info += UInt32(initrd == nil ? 0 : 1).littleEndianBytes
        info += (initrd == nil ? 0 : address + moduleListOffset).littleEndianBytes
        info += commandLine.littleEndianBytes
        info += UInt64(0).littleEndianBytes  // no ACPI RSDP
        info += (address + memoryMapOffset).littleEndianBytes
        info += UInt32(memoryMap.count).littleEndianBytes
        info += UInt32(0).littleEndianBytes
        var bytes = info + [UInt8](repeating: 0, count: Int(moduleListOffset) - info.count)
        if let initrd {
            bytes += initrd.address.littleEndianBytes + initrd.size.littleEndianBytes
            bytes += UInt64(0).littleEndianBytes + UInt64(0).littleEndianBytes
        }
        bytes += [UInt8](repeating: 0, count: Int(memoryMapOffset) - bytes.count)
        for entry in memoryMap {
            bytes += entry.address.littleEndianBytes + entry.size.littleEndianBytes
            bytes += entry.kind.rawValue.littleEndianBytes + UInt32(0).littleEndianBytes
        }
        return bytes
    }
}
