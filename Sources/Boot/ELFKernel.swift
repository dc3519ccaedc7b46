/// An uncompressed ELF `vmlinux`: its loadable segments, and the PVH entry
/// from the Xen ELF note when there is one (entered in 32-bit protected
/// mode, no decompression: the fastest way in).
public struct ELFKernel: Sendable {
    public struct Segment: Sendable, Equatable {
        public let physicalAddress: UInt64
        public let fileRange: Range<Int>
        public let memorySize: UInt64
    }

    static let elfMagic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
    static let x86_64: UInt16 = 62
    static let loadType: UInt32 = 1
    static let noteType: UInt32 = 4
    /// XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical PVH entry point.
    static let pvhEntryNote: UInt32 = 18
    /// Linux's COMMAND_LINE_SIZE on x86 (an ELF carries no setup header).
    public static let commandLineLimit = 2047

    public let segments: [Segment]
    /// The ELF entry: physical address of startup_64.
    public let entry: UInt64
    public let pvhEntry: UInt32?
    public let bytes: [UInt8]

    public static func looksLikeELF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && Array(bytes[0..<4]) == elfMagic
    }

    public init(bytes: [UInt8]) throws(KernelImageError) {
        guard Self.looksLikeELF(bytes) else { throw .notAKernel }
        guard bytes.count >= 64 else { throw .badELF("shorter than an ELF header") }
        guard bytes[4] == 2, bytes[5] == 1 else { throw .badELF("not 64-bit little-endian") }
        guard bytes.little16(18) == Self.x86_64 else { throw .badELF("not built for x86-64") }
        let headerOffset = bytes.little64(32)
        let headerSize = Int(bytes.little16(54))
        let headerCount = Int(bytes.little16(56))
        guard headerSize >= 56, headerOffset <= UInt64(bytes.count),
              UInt64(headerSize * headerCount) <= UInt64(bytes.count) - headerOffset else {
            throw .badELF("program headers lie outside the file")
        }
        var segments: [Segment] = []
        var pvhEntry: UInt32?
        for index in 0..<headerCount {
            let header = Int(headerOffset) + index * headerSize
            let type = bytes.little32(header)
            guard type == Self.loadType || type == Self.noteType else { continue }
            let offset = bytes.little64(header + 8)
            let fileSize = bytes.little64(header + 32)
            guard offset <= UInt64(bytes.count), fileSize <= UInt64(bytes.count) - offset else {
                throw .badELF("segment \(index) runs past the end of the file")
            }
            let range = Int(offset)..<Int(offset + fileSize)
            if type == Self.loadType {
                let memorySize = bytes.little64(header + 40)
                guard memorySize >= fileSize else { throw .badELF("segment \(index) is larger in the file than in memory") }
                segments.append(Segment(physicalAddress: bytes.little64(header + 24), fileRange: range, memorySize: memorySize))
            } else if pvhEntry == nil {
                pvhEntry = Self.pvhEntry(inNotes: bytes[range])
            }
        }
        guard !segments.isEmpty else { throw .badELF("no loadable segments") }
        self.segments = segments
        self.entry = bytes.little64(24)
        self.pvhEntry = pvhEntry
        self.bytes = bytes
    }

    /// Walks a PT_NOTE segment for the Xen PHYS32_ENTRY note.
    static func pvhEntry(inNotes notes: ArraySlice<UInt8>) -> UInt32? {
        let bytes = Array(notes)
        var offset = 0
        while offset + 12 <= bytes.count {
            let nameSize = Int(bytes.little32(offset))
            let descriptionSize = Int(bytes.little32(offset + 4))
            let type = bytes.little32(offset + 8)
            let nameStart = offset + 12
            let descriptionStart = nameStart + align4(nameSize)
            let next = descriptionStart + align4(descriptionSize)
            guard nameSize < 1 << 16, descriptionSize < 1 << 16, next <= bytes.count else { return nil }
            let name = bytes[nameStart..<(nameStart + nameSize)].prefix { $0 != 0 }
            if Array(name) == Array("Xen".utf8), type == pvhEntryNote, descriptionSize >= 4 {
                return bytes.little32(descriptionStart)
            }
            offset = next
        }
        return nil
    }

    static func align4(_ value: Int) -> Int { (value + 3) & ~3 }
}
