/// Guest-physical addresses vmm uses on x86, defined once. Everything
/// below 1 MiB follows the PC convention so guests find no surprises.
public enum X86Layout {
    // MARK: Firmware guests (firmware/README.md)

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

    // MARK: Linux

    /// Boot GDT: null, null, code (0x10), data (0x18): the selectors the
    /// boot protocol names __BOOT_CS and __BOOT_DS.
    public static let bootGDT: UInt64 = 0x500
    /// An empty IDT: interrupts stay off until the kernel installs its own.
    public static let bootIDT: UInt64 = 0x520
    /// PVH `hvm_start_info`, then its memory map and module list.
    public static let pvhStartInfo: UInt64 = 0x6000
    /// The zero page (`struct boot_params`) for the 64-bit entry.
    public static let zeroPage: UInt64 = 0x7000
    /// Initial stack, below the page tables.
    public static let bootStack: UInt64 = 0x8FF0
    /// Identity page tables: PML4, one PDPT, four PDs of 2 MiB pages (4 GiB).
    public static let pml4: UInt64 = 0x9000
    public static let pdpt: UInt64 = 0xA000
    public static let pageDirectories: UInt64 = 0xB000
    public static let identityMappedGiB: UInt64 = 4
    /// The kernel command line.
    public static let commandLine: UInt64 = 0x2_0000
    /// Room reserved for the command line (the kernel accepts less: 2048).
    public static let commandLineCapacity: UInt64 = 0x1_0000
    /// MP table: in the last KiB of base memory, where Linux scans for it.
    public static let mpTable: UInt64 = 0x9_FC00
    /// End of conventional memory: the VGA/BIOS hole starts here.
    public static let conventionalMemoryEnd: UInt64 = 0xA_0000
    /// Where the kernel loads: 1 MiB, as bzImage's protected-mode code expects.
    public static let kernelLoad: UInt64 = 0x10_0000

    // MARK: Interrupt controllers (fixed by the PC architecture)

    public static let ioapic: UInt64 = 0xFEC0_0000
    public static let localAPIC: UInt64 = 0xFEE0_0000

    /// Three pages KVM needs for the real-mode TSS on Intel: just under
    /// 4 GiB, inside the MMIO gap and clear of the IOAPIC and LAPIC.
    public static let tss: UInt64 = 0xFFFB_D000
}
