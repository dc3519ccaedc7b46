import LittleEndian

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
    /// Where the segments' bytes are read from.
    public let source: any KernelSource

    /// The largest program-header table or note segment read in whole.
    static let maximumTableSize = 1 << 20

    public static func looksLikeELF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && Array(bytes[0..<4]) == elfMagic
    }

    public init(bytes: [UInt8]) throws(KernelImageError) {
        try self.init(source: bytes)
    }

    /// Reads the ELF and program headers and the notes; segment contents
    /// stay in `source` until the loader copies them into guest memory.
    public init(source: any KernelSource) throws(KernelImageError) {
        guard source.size >= 4, Self.looksLikeELF(try source.bytes(at: 0, count: 4)) else { throw .notAKernel }
        guard source.size >= 64 else { throw .badELF("shorter than an ELF header") }
        let header = try source.bytes(at: 0, count: 64)
        guard header[4] == 2, header[5] == 1 else { throw .badELF("not 64-bit little-endian") }
        guard header.little16(18) == Self.x86_64 else { throw .badELF("not built for x86-64") }
        let headerOffset = header.little64(32)
        let headerSize = Int(header.little16(54))
        let headerCount = Int(header.little16(56))
        guard headerSize >= 56, headerSize * headerCount <= Self.maximumTableSize, headerOffset <= source.size,
              UInt64(headerSize * headerCount) <= source.size - headerOffset else {
            throw .badELF("program headers lie outside the file")
        }
        let table = try source.bytes(at: headerOffset, count: headerSize * headerCount)
        var segments: [Segment] = []
        var pvhEntry: UInt32?
        for index in 0..<headerCount {
            let entry = index * headerSize
            let type = table.little32(entry)
            guard type == Self.loadType || type == Self.noteType else { continue }
            let offset = table.little64(entry + 8)
            let fileSize = table.little64(entry + 32)
            guard offset <= source.size, fileSize <= source.size - offset else {
                throw .badELF("segment \(index) runs past the end of the file")
            }
            let range = Int(offset)..<Int(offset + fileSize)
            if type == Self.loadType {
                let memorySize = table.little64(entry + 40)
                guard memorySize >= fileSize else { throw .badELF("segment \(index) is larger in the file than in memory") }
                segments.append(Segment(physicalAddress: table.little64(entry + 24), fileRange: range, memorySize: memorySize))
            } else if pvhEntry == nil, range.count <= Self.maximumTableSize {
                pvhEntry = Self.pvhEntry(inNotes: try source.bytes(at: offset, count: range.count)[...])
            }
        }
        guard !segments.isEmpty else { throw .badELF("no loadable segments") }
        self.segments = segments
        self.entry = header.little64(24)
        self.pvhEntry = pvhEntry
        self.source = source
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
