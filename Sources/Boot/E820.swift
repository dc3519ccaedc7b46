import GuestMemory
import LittleEndian

/// One BIOS memory-map entry, as the kernel reads it (20 bytes packed).
public struct E820Entry: Equatable, Sendable {
    public enum Kind: UInt32, Sendable {
        case ram = 1
        case reserved = 2
    }

    public let address: UInt64
    public let size: UInt64
    public let kind: Kind

    public init(address: UInt64, size: UInt64, kind: Kind) {
        self.address = address
        self.size = size
        self.kind = kind
    }

    public var bytes: [UInt8] {
        address.littleEndianBytes + size.littleEndianBytes + kind.rawValue.littleEndianBytes
    }
}

public enum E820Map {
    /// The guest's RAM as the kernel should see it: base memory up to the
    /// MP table; the MP table and the VGA/BIOS hole reserved (the kernel
    /// reserves the hole itself on the PVH path, so both paths print the
    /// same map); RAM from 1 MiB; any RAM above 4 GiB.
    public static func build(for regions: [MemoryRegion]) -> [E820Entry] {
        var entries = [
            E820Entry(address: 0, size: X86Layout.mpTable, kind: .ram),
            E820Entry(address: X86Layout.mpTable, size: X86Layout.kernelLoad - X86Layout.mpTable, kind: .reserved),
        ]
        for region in regions where region.end > X86Layout.kernelLoad {
            let start = max(region.guestAddress, X86Layout.kernelLoad)
            entries.append(E820Entry(address: start, size: region.end - start, kind: .ram))
        }
        return entries
    }
}

