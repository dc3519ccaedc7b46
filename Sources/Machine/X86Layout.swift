/// Guest-physical addresses vmm uses on x86, defined once. Everything
/// below 1 MiB follows the PC convention so guests find no surprises.
public enum X86Layout {
    /// GDT for 32-bit firmware entry (null, code 0x08, data 0x10).
    public static let firmwareGDT: UInt64 = 0x500
    /// Flat firmware images load here (segment 0x1000 in real mode).
    public static let firmwareLoad: UInt64 = 0x1_0000
    /// Real-mode firmware: SP within segment 0x1000; the image must end below.
    public static let realModeStackPointer: UInt64 = 0xFFF0
    /// Largest real-mode image: code, data and stack share one 64 KiB segment.
    public static let realModeImageLimit: Int = 0xE000
    /// 32-bit firmware: the stack grows down from the image's start.
    public static let protectedModeStack: UInt64 = 0x1_0000
    /// End of conventional memory: 32-bit images must fit below it.
    public static let conventionalMemoryEnd: UInt64 = 0xA_0000
    /// Three pages KVM needs for the real-mode TSS on Intel: just under
    /// 4 GiB, inside the MMIO gap and clear of the IOAPIC and LAPIC.
    public static let tss: UInt64 = 0xFFFB_D000
}
