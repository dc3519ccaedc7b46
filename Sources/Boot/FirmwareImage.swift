import LittleEndian

/// A flat firmware image and the 16-byte header that declares how to enter
/// it (see firmware/README.md for the format).
public struct FirmwareImage: Equatable, Sendable {
    public enum Mode: UInt16, Sendable {
        case real = 16
        case protected32 = 32
    }

    public static let magic: [UInt8] = Array("VMFW".utf8)
    public static let headerSize = 16
    static let irqchipFlag: UInt32 = 1

    public let bytes: [UInt8]
    public let mode: Mode
    public let entryOffset: UInt32
    public let wantsIRQChip: Bool

    /// Parses and checks the header; `reason` in the error says what is wrong.
    public init(bytes: [UInt8]) throws(FirmwareImageError) {
        guard bytes.count >= Self.headerSize else { throw .init("shorter than its \(Self.headerSize)-byte header") }
        guard Array(bytes[0..<4]) == Self.magic else { throw .init("missing the VMFW magic") }
        let version = bytes.little16(4)
        guard version == 1 else { throw .init("header version \(version), expected 1") }
        guard let mode = Mode(rawValue: bytes.little16(6)) else {
            throw .init("mode \(bytes.little16(6)), expected 16 or 32")
        }
        let entry = bytes.little32(8)
        guard entry >= Self.headerSize, entry < bytes.count else { throw .init("entry offset \(entry) is outside the image") }
        let limit = mode == .real
            ? X86Layout.realModeImageLimit
            : Int(X86Layout.conventionalMemoryEnd - X86Layout.firmwareLoad)
        guard bytes.count <= limit else { throw .init("\(bytes.count) bytes, more than the \(limit) a mode-\(mode.rawValue) image may have") }
        self.bytes = bytes
        self.mode = mode
        self.entryOffset = entry
        self.wantsIRQChip = bytes.little32(12) & Self.irqchipFlag != 0
    }
}

public struct FirmwareImageError: Error, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
