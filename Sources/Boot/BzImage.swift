import LittleEndian

/// A bzImage: the real-mode setup (whose header the zero page carries) and
/// the protected-mode kernel, entered at its 64-bit entry point.
public struct BzImage: Sendable {
    /// Offsets in the file (and the zero page) of setup-header fields.
    enum Offset {
        static let setupSectors = 0x1F1
        static let systemSize = 0x1F4
        static let bootFlag = 0x1FE
        static let headerEnd = 0x201  // header length, counted from 0x202
        static let magic = 0x202
        static let version = 0x206
        static let initrdAddressMax = 0x22C
        static let xloadflags = 0x236
        static let commandLineSize = 0x238
        static let initSize = 0x260
    }

    static let magic: UInt32 = 0x5372_6448  // "HdrS"
    static let minimumProtocol: UInt16 = 0x020C  // 2.12: xloadflags, 64-bit entry
    static let kernel64Flag: UInt16 = 0x1  // XLF_KERNEL_64
    /// The 64-bit entry sits this far into the protected-mode kernel.
    public static let entryOffset: UInt64 = 0x200

    public let protocolVersion: UInt16
    /// The setup header as the zero page should carry it (from 0x1F1).
    public let setupHeader: [UInt8]
    /// Where in the file the protected-mode kernel lies (loaded at 1 MiB).
    public let kernelRange: Range<Int>
    public let source: any KernelSource
    /// Memory the kernel needs from its load address while it decompresses.
    public let initSize: UInt32
    public let initrdAddressMax: UInt32
    public let commandLineLimit: Int

    public static func looksLikeBzImage(_ bytes: [UInt8]) -> Bool {
        bytes.count >= Offset.magic + 4 && bytes.little32(Offset.magic) == magic
    }

    public init(bytes: [UInt8]) throws(KernelImageError) {
        try self.init(source: bytes)
    }

    /// Reads the real-mode setup for its header; the kernel itself stays in
    /// `source` until it is loaded.
    public init(source: any KernelSource) throws(KernelImageError) {
        // The header lies within the first two sectors; setup is at most 64 sectors.
        let bytes = try source.bytes(at: 0, count: Int(min(source.size, 65 * 512)))
        guard Self.looksLikeBzImage(bytes) else { throw .notAKernel }
        let version = bytes.little16(Offset.version)
        guard version >= Self.minimumProtocol else { throw .protocolTooOld(version: version) }
        guard bytes.count > Offset.initSize + 4 else { throw .truncated(expected: Offset.initSize + 4, actual: Int(source.size)) }
        guard bytes.little16(Offset.xloadflags) & Self.kernel64Flag != 0 else { throw .not64Bit }

        let sectors = bytes[Offset.setupSectors] == 0 ? 4 : Int(bytes[Offset.setupSectors])
        let setupSize = (sectors + 1) * 512
        let kernelSize = Int(bytes.little32(Offset.systemSize)) * 16
        let headerEnd = Offset.magic + Int(bytes[Offset.headerEnd])
        guard source.size >= UInt64(setupSize + kernelSize), headerEnd <= setupSize else {
            throw .truncated(expected: setupSize + kernelSize, actual: Int(source.size))
        }
        protocolVersion = version
        setupHeader = Array(bytes[Offset.setupSectors..<headerEnd])
        kernelRange = setupSize..<(setupSize + kernelSize)
        self.source = source
        initSize = bytes.little32(Offset.initSize)
        initrdAddressMax = bytes.little32(Offset.initrdAddressMax)
        commandLineLimit = Int(bytes.little32(Offset.commandLineSize))
    }
}

