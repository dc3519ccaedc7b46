import GuestMemory
import Testing
@testable import Boot
import LittleEndian

extension Array where Element == UInt8 {
    func le16(_ at: Int) -> UInt16 { little16(at) }
    func le32(_ at: Int) -> UInt32 { little32(at) }
    func le64(_ at: Int) -> UInt64 { little64(at) }
}

@Suite("e820")
struct E820Tests {
    @Test func smallGuestHasBaseMemoryTheHoleAndRAMFrom1MiB() {
        let map = E820Map.build(for: MemoryRegion.layout(size: 128 << 20))
        #expect(map == [
            E820Entry(address: 0, size: 0x9_FC00, kind: .ram),
            E820Entry(address: 0x9_FC00, size: 0x10_0000 - 0x9_FC00, kind: .reserved),
            E820Entry(address: 0x10_0000, size: (128 << 20) - 0x10_0000, kind: .ram),
        ])
    }

    @Test func ramAbove4GiBGetsItsOwnEntry() {
        let map = E820Map.build(for: MemoryRegion.layout(size: 4 << 30))
        #expect(map.count == 4)
        #expect(map[2] == E820Entry(address: 0x10_0000, size: MemoryRegion.mmioGapStart - 0x10_0000, kind: .ram))
        #expect(map[3] == E820Entry(address: 1 << 32, size: (4 << 30) - MemoryRegion.mmioGapStart, kind: .ram))
    }

    @Test func entriesAre20PackedLittleEndianBytes() {
        let bytes = E820Entry(address: 0x1122_3344_5566_7788, size: 0x10, kind: .reserved).bytes
        #expect(bytes.count == 20)
        #expect(bytes.le64(0) == 0x1122_3344_5566_7788)
        #expect(bytes.le64(8) == 0x10)
        #expect(bytes.le32(16) == 2)
    }
}

@Suite("MP table")
struct MPTableTests {
    @Test(arguments: [1, 2, 4, 254])
    func checksumsAndCountsHold(cpus: Int) {
        let bytes = MPTable.build(cpus: cpus, at: 0x9_FC00)
        let pointer = Array(bytes[0..<16])
        #expect(Array(pointer[0..<4]) == Array("_MP_".utf8))
        #expect(pointer.reduce(0, &+) == 0, "floating pointer checksum")
        #expect(pointer.le32(4) == 0x9_FC10, "points right after itself")
        #expect(pointer[8] == 1 && pointer[9] == 4)

        let table = Array(bytes[16...])
        #expect(Array(table[0..<4]) == Array("PCMP".utf8))
        #expect(Int(table.le16(4)) == table.count, "base table length")
        #expect(table.reduce(0, &+) == 0, "configuration table checksum")
        #expect(table.le32(36) == 0xFEE0_0000)
        // processors + bus + IOAPIC + 24 I/O interrupts + 2 local interrupts
        #expect(Int(table.le16(34)) == cpus + 2 + 24 + 2)

        let processors = stride(from: 44, to: 44 + cpus * 20, by: 20).map { Array(table[$0..<($0 + 20)]) }
        #expect(processors.allSatisfy { $0[0] == 0 && $0[3] & 1 == 1 })
        #expect(processors.map { Int($0[1]) } == Array(0..<cpus))
        #expect(processors.filter { $0[3] & 2 != 0 }.count == 1, "exactly one bootstrap processor")
        #expect(processors[0][3] & 2 != 0)
        let ioapic = 44 + cpus * 20 + 8
        #expect(table[ioapic] == 2 && table[ioapic + 1] == MPTable.ioapicID(cpus: cpus))
        #expect(table.le32(ioapic + 4) == 0xFEC0_0000)
    }
}

@Suite("Page tables and GDT")
struct PageTableTests {
    @Test func identityMapCoversFourGiBWithLargePages() throws {
        let memory = try GuestMemory(size: 1 << 20)
        let cr3 = try PageTables.writeIdentityMap(into: memory)
        #expect(cr3 == 0x9000)
        #expect(try memory.load(UInt64.self, at: 0x9000) == 0xA003)
        #expect(try memory.load(UInt64.self, at: 0x9008) == 0, "only one PML4 entry")
        for directory in UInt64(0)..<4 {
            #expect(try memory.load(UInt64.self, at: 0xA000 + directory * 8) == (0xB000 + directory * 0x1000) | 3)
        }
        #expect(try memory.load(UInt64.self, at: 0xB000) == 0x83)
        #expect(try memory.load(UInt64.self, at: 0xB008) == 0x20_0083)
        // Last 2 MiB page below 4 GiB.
        #expect(try memory.load(UInt64.self, at: 0xB000 + 3 * 0x1000 + 511 * 8) == 0xFFE0_0083)
    }

    @Test func bootGDTHasTheBootProtocolSelectors() {
        let entries = BootGDT.entries
        #expect(entries[Int(BootGDT.code64Selector) / 8] == 0x00AF_9B00_0000_FFFF)
        #expect(entries[Int(BootGDT.dataSelector) / 8] == 0x00CF_9300_0000_FFFF)
        #expect(entries[Int(BootGDT.code32Selector) / 8] == 0x00CF_9B00_0000_FFFF)
        #expect(BootGDT.code64Selector == 0x10 && BootGDT.dataSelector == 0x18)
    }
}

@Suite("Zero page and PVH start info")
struct BootParameterTests {
    @Test func zeroPageFieldsSitWhereTheKernelReadsThem() {
        let header: [UInt8] = [0x01] + [UInt8](repeating: 0xAB, count: 0x10) + Array("HdrS".utf8)
        var page = ZeroPage(setupHeader: header)
        page.setCommandLine(address: 0x2_0000)
        page.setRamdisk(address: 0x1_2345_6000, size: 0x1_0000_1000)
        page.setE820([E820Entry(address: 0, size: 0x9_FC00, kind: .ram), E820Entry(address: 0x10_0000, size: 0x100_0000, kind: .ram)])
        let bytes = page.bytes
        #expect(bytes.count == 4096)
        #expect(bytes[0x1F1] == 0x01, "setup header copied from 0x1F1")
        #expect(Array(bytes[0x202..<0x206]) == Array("HdrS".utf8))
        #expect(bytes[0x210] == 0xFF, "type_of_loader")
        #expect(bytes[0x211] & 0x81 == 0x81, "LOADED_HIGH and CAN_USE_HEAP")
        #expect(bytes.le16(0x1FA) == 0xFFFF, "vid_mode")
        #expect(bytes.le32(0x228) == 0x2_0000, "cmd_line_ptr")
        #expect(bytes.le32(0x0C8) == 0, "ext_cmd_line_ptr")
        #expect(bytes.le32(0x218) == 0x2345_6000, "ramdisk_image")
        #expect(bytes.le32(0x0C0) == 0x1, "ext_ramdisk_image")
        #expect(bytes.le32(0x21C) == 0x1000, "ramdisk_size")
        #expect(bytes.le32(0x0C4) == 0x1, "ext_ramdisk_size")
        #expect(bytes[0x1E8] == 2, "e820_entries")
        #expect(bytes.le64(0x2D0 + 20) == 0x10_0000)
        #expect(bytes.le64(0x2D0 + 28) == 0x100_0000)
        #expect(bytes.le32(0x2D0 + 36) == 1)
    }

    @Test func startInfoPointsAtItsTables() {
        let map = [E820Entry(address: 0, size: 0x9_FC00, kind: .ram), E820Entry(address: 0x9_FC00, size: 0x400, kind: .reserved)]
        let bytes = PVHStartInfo.build(at: 0x6000, commandLine: 0x2_0000, memoryMap: map, initrd: (0x7F0_0000, 0x1234))
        #expect(bytes.le32(0) == 0x336E_C578)
        #expect(bytes.le32(4) == 1)
        #expect(bytes.le32(12) == 1, "nr_modules")
        #expect(bytes.le64(16) == 0x6040, "modlist_paddr")
        #expect(bytes.le64(24) == 0x2_0000, "cmdline_paddr")
        #expect(bytes.le64(40) == 0x6080, "memmap_paddr")
        #expect(bytes.le32(48) == 2, "memmap_entries")
        #expect(bytes.le64(0x40) == 0x7F0_0000 && bytes.le64(0x48) == 0x1234)
        #expect(bytes.le64(0x80 + 24) == 0x9_FC00 && bytes.le32(0x80 + 24 + 16) == 2)
        #expect(bytes.count == 0x80 + 2 * 24)

        let noInitrd = PVHStartInfo.build(at: 0x6000, commandLine: 0x2_0000, memoryMap: map, initrd: nil)
        #expect(noInitrd.le32(12) == 0 && noInitrd.le64(16) == 0)
    }
}
