import LittleEndian

/// `struct boot_params`, the zero page the 64-bit entry reads through RSI.
public struct ZeroPage {
    public static let size = 4096
    /// Field offsets (arch/x86/include/uapi/asm/bootparam.h).
    enum Offset {
        static let extRamdiskImage = 0x0C0
        static let extRamdiskSize = 0x0C4
        static let extCommandLine = 0x0C8
        static let e820Count = 0x1E8
        static let setupHeader = 0x1F1
        static let videoMode = 0x1FA
        static let typeOfLoader = 0x210
        static let loadFlags = 0x211
        static let ramdiskImage = 0x218
        static let ramdiskSize = 0x21C
        static let heapEnd = 0x224
        static let commandLine = 0x228
        static let e820Table = 0x2D0
    }

    static let maximumE820Entries = 128
    /// "Undefined" boot loader id: we have none registered.
    static let undefinedLoader: UInt8 = 0xFF
    static let loadedHigh: UInt8 = 0x01
    static let canUseHeap: UInt8 = 0x80

    public private(set) var bytes = [UInt8](repeating: 0, count: size)

    /// Starts from the bzImage's setup header, or none for an ELF kernel.
    public init(setupHeader: [UInt8]? = nil) {
        if let setupHeader {
            bytes.replaceSubrange(Offset.setupHeader..<(Offset.setupHeader + setupHeader.count), with: setupHeader)
        }
        bytes[Offset.typeOfLoader] = Self.undefinedLoader
        bytes[Offset.loadFlags] |= Self.loadedHigh | Self.canUseHeap
        put(UInt16(0xFFFF), at: Offset.videoMode)  // "normal": no video mode switch
        put(UInt16(0xFE00), at: Offset.heapEnd)
    }

    public mutating func setCommandLine(address: UInt64) {
        put(UInt32(truncatingIfNeeded: address), at: Offset.commandLine)
        put(UInt32(truncatingIfNeeded: address >> 32), at: Offset.extCommandLine)
    }

    public mutating func setRamdisk(address: UInt64, size: UInt64) {
        put(UInt32(truncatingIfNeeded: address), at: Offset.ramdiskImage)
        put(UInt32(truncatingIfNeeded: size), at: Offset.ramdiskSize)
        put(UInt32(truncatingIfNeeded: address >> 32), at: Offset.extRamdiskImage)
        put(UInt32(truncatingIfNeeded: size >> 32), at: Offset.extRamdiskSize)
    }

    public mutating func setE820(_ entries: [E820Entry]) {
        let kept = entries.prefix(Self.maximumE820Entries)
        bytes[Offset.e820Count] = UInt8(kept.count)
        for (index, entry) in kept.enumerated() {
            let start = Offset.e820Table + index * 20
            bytes.replaceSubrange(start..<(start + 20), with: entry.bytes)
        }
    }

    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: value.littleEndianBytes)
    }
}
