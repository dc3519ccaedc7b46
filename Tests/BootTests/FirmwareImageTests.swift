import Testing
@testable import Boot

@Suite("Firmware image header")
struct FirmwareImageTests {
    /// A header for `mode` with `entry`, padded to `size` bytes.
    func image(mode: UInt16 = 16, entry: UInt32 = 16, flags: UInt32 = 0, version: UInt16 = 1, size: Int = 32) -> [UInt8] {
        var bytes = Array("VMFW".utf8)
        bytes += [UInt8(version & 0xFF), UInt8(version >> 8), UInt8(mode & 0xFF), UInt8(mode >> 8)]
        bytes += withUnsafeBytes(of: entry.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: flags.littleEndian, Array.init)
        return bytes + [UInt8](repeating: 0xF4, count: max(0, size - bytes.count))
    }

    @Test func parsesAValidHeader() throws {
        let parsed = try FirmwareImage(bytes: image(mode: 32, entry: 20, flags: 1))
        #expect(parsed.mode == .protected32)
        #expect(parsed.entryOffset == 20)
        #expect(parsed.wantsIRQChip)
        #expect(try !FirmwareImage(bytes: image()).wantsIRQChip)
    }

    @Test(arguments: [
        (Array("VMFW".utf8), "shorter than its 16-byte header"),
        (Array("ELF!".utf8) + [UInt8](repeating: 0, count: 28), "missing the VMFW magic"),
    ])
    func rejectsWhatIsNotAnImage(bytes: [UInt8], reason: String) {
        #expect(throws: FirmwareImageError(reason)) { try FirmwareImage(bytes: bytes) }
    }

    @Test func rejectsBadFields() {
        #expect(throws: FirmwareImageError("header version 2, expected 1")) { try FirmwareImage(bytes: image(version: 2)) }
        #expect(throws: FirmwareImageError("mode 64, expected 16 or 32")) { try FirmwareImage(bytes: image(mode: 64)) }
        #expect(throws: FirmwareImageError("entry offset 32 is outside the image")) { try FirmwareImage(bytes: image(entry: 32)) }
        #expect(throws: FirmwareImageError("entry offset 4 is outside the image")) { try FirmwareImage(bytes: image(entry: 4)) }
        #expect(throws: FirmwareImageError("57345 bytes, more than the 57344 a mode-16 image may have")) {
            try FirmwareImage(bytes: image(size: 0xE001))
        }
        #expect(throws: FirmwareImageError.self) { try FirmwareImage(bytes: image(mode: 32, size: 0x90001)) }
    }
}

@Suite("Segment descriptors")
struct SegmentDescriptorTests {
    @Test func flatSegmentsEncodeAsTheCPUExpects() {
        // The classic flat 4 GiB ring-0 descriptors (present, DPL 0, 4 KiB granularity, 32-bit).
        #expect(SegmentDescriptor.flatCode32.encoded == 0x00CF_9B00_0000_FFFF)
        #expect(SegmentDescriptor.flatData32.encoded == 0x00CF_9300_0000_FFFF)
        var code64 = SegmentDescriptor.flatCode32
        code64.longMode = true
        code64.defaultSize32 = false
        #expect(code64.encoded == 0x00AF_9B00_0000_FFFF)
    }

    @Test func baseAndLimitLandInTheirSplitFields() {
        let descriptor = SegmentDescriptor(base: 0x1234_5678, limit: 0xA_BCDE, type: 0x3, granularity4K: false)
        #expect(descriptor.encoded == 0x124A_9334_5678_BCDE)
        let segment = descriptor.kvmSegment(selector: 0x18)
        #expect(segment.base == 0x1234_5678)
        #expect(segment.limit == 0xA_BCDE)
        #expect(segment.g == 0)
        #expect(SegmentDescriptor.flatCode32.kvmSegment(selector: 8).limit == 0xFFFF_FFFF)
    }
}
