import LittleEndian

/// An Intel MultiProcessor Specification 1.4 table: how a kernel without
/// ACPI finds every vCPU, the IOAPIC, and how ISA interrupts are wired.
public enum MPTable {
    public static let maximumCPUs = 254
    static let localAPICVersion: UInt8 = 0x14
    static let ioapicVersion: UInt8 = 0x11
    static let ioapicPins: UInt8 = 24
    static let specRevision: UInt8 = 4
    static let floatingPointerSize = 16
    static let headerSize = 44

    /// The IOAPIC's id follows the vCPUs' APIC ids (0…cpus-1); never 255, the broadcast id.
    public static func ioapicID(cpus: Int) -> UInt8 { UInt8(cpus) }

    /// The floating pointer followed by the configuration table, for
    /// placing at `address`.
    public static func build(cpus requested: Int, at address: UInt64 = X86Layout.mpTable) -> [UInt8] {
        let cpus = min(max(requested, 1), maximumCPUs)  // the configuration already refuses others
        let ioapic = ioapicID(cpus: cpus)
        var entries: [UInt8] = []
        var count: UInt16 = 0
        for cpu in 0..<cpus {
            entries += processor(apicID: UInt8(cpu), bootstrap: cpu == 0)
            count += 1
        }
        entries += [1, 0] + Array("ISA   ".utf8)  // bus 0 is ISA
        entries += [2, ioapic, ioapicVersion, 1] + UInt32(X86Layout.ioapic).littleEndianBytes
        count += 2
        // Identity wiring: ISA/legacy IRQ n arrives on IOAPIC pin n, matching
        // KVM's default GSI routing.
        for pin in 0..<ioapicPins {
            entries += [3, 0, 0, 0, 0, pin, ioapic, pin]
            count += 1
        }
        // The PIC's output on LINT0 (ExtINT), NMI on LINT1, for every APIC.
        entries += [4, 3, 0, 0, 0, 0, 0xFF, 0]
        entries += [4, 1, 0, 0, 0, 0, 0xFF, 1]
        count += 2

        var header: [UInt8] = Array("PCMP".utf8)
        header += UInt16(headerSize + entries.count).littleEndianBytes
        header += [specRevision, 0]  // checksum patched below
        header += Array("VMM     ".utf8) + Array("MICROVM     ".utf8)
        header += UInt32(0).littleEndianBytes + UInt16(0).littleEndianBytes
        header += count.littleEndianBytes
        header += UInt32(X86Layout.localAPIC).littleEndianBytes
        header += [0, 0, 0, 0]  // no extended table
        var table = header + entries
        table[7] = checksum(table)

        var pointer: [UInt8] = Array("_MP_".utf8)
        pointer += UInt32(address + UInt64(floatingPointerSize)).littleEndianBytes
        pointer += [1, specRevision, 0, 0, 0, 0, 0, 0]  // 1 paragraph; config table present
        pointer[10] = checksum(pointer)
        return pointer + table
    }

    static func processor(apicID: UInt8, bootstrap: Bool) -> [UInt8] {
        let flags: UInt8 = 0x1 | (bootstrap ? 0x2 : 0)  // enabled, BSP
        let signature: UInt32 = 0x600  // family 6
        let features: UInt32 = 0x201  // FPU, APIC
        return [0, apicID, localAPICVersion, flags] + signature.littleEndianBytes + features.littleEndianBytes + [UInt8](repeating: 0, count: 8)
    }

    /// The byte that makes the sum of `bytes` zero.
    static func checksum(_ bytes: [UInt8]) -> UInt8 {
        0 &- bytes.reduce(0, &+)
    }
}
