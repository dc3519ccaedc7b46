import CKVM

/// One GDT entry, and the matching `kvm_segment` the vCPU gets, so the
/// descriptor in memory and the cached segment state always agree.
public struct SegmentDescriptor: Equatable, Sendable {
    public var base: UInt32
    /// In units of 4 KiB when `granularity4K`.
    public var limit: UInt32
    /// Type nibble: 0xB = code execute/read accessed, 0x3 = data read/write accessed.
    public var type: UInt8
    public var granularity4K = true
    public var defaultSize32 = true
    public var longMode = false

    public static let flatCode32 = SegmentDescriptor(base: 0, limit: 0xFFFFF, type: 0xB)
    public static let flatData32 = SegmentDescriptor(base: 0, limit: 0xFFFFF, type: 0x3)

    /// The 8-byte descriptor as the CPU reads it from the GDT.
    public var encoded: UInt64 {
        let base = UInt64(self.base)
        let limit = UInt64(self.limit)
        let access: UInt64 = 0x80 | 0x10 | UInt64(type & 0xF)  // present, code/data, DPL 0
        let flags: UInt64 = (granularity4K ? 0x8 : 0) | (defaultSize32 ? 0x4 : 0) | (longMode ? 0x2 : 0)
        return (limit & 0xFFFF)
            | (base & 0xFF_FFFF) << 16
            | access << 40
            | ((limit >> 16) & 0xF) << 48
            | flags << 52
            | ((base >> 24) & 0xFF) << 56
    }

    /// The hidden segment state for a selector that points at this entry.
    public func kvmSegment(selector: UInt16) -> kvm_segment {
        var segment = kvm_segment()
        segment.base = UInt64(base)
        segment.limit = granularity4K ? (limit << 12) | 0xFFF : limit
        segment.selector = selector
        segment.type = type
        segment.present = 1
        segment.dpl = 0
        segment.db = defaultSize32 ? 1 : 0
        segment.s = 1
        segment.l = longMode ? 1 : 0
        segment.g = granularity4K ? 1 : 0
        return segment
    }
}
