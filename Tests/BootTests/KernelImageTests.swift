import GuestMemory
import KVM
import Testing
@testable import Boot
import LittleEndian

/// A minimal bzImage: `setupSectors` + 1 sectors of setup, then the kernel.
func makeBzImage(version: UInt16 = 0x020F, xloadflags: UInt16 = 1, setupSectors: UInt8 = 1, kernelParagraphs: UInt32 = 4, truncateBy: Int = 0) -> [UInt8] {
    let setupSize = (setupSectors == 0 ? 5 : Int(setupSectors) + 1) * 512
    var bytes = [UInt8](repeating: 0, count: setupSize + Int(kernelParagraphs) * 16)
    func put<T: FixedWidthInteger>(_ value: T, _ at: Int) {
        bytes.replaceSubrange(at..<(at + MemoryLayout<T>.size), with: value.littleEndianBytes)
    }
    bytes[0x1F1] = setupSectors
    put(kernelParagraphs, 0x1F4)
    put(UInt16(0xAA55), 0x1FE)
    bytes[0x201] = 0x6A  // header runs to 0x26C
    put(UInt32(0x5372_6448), 0x202)
    put(version, 0x206)
    put(UInt32(0x37FF_FFFF), 0x22C)
    put(xloadflags, 0x236)
    put(UInt32(2047), 0x238)
    put(UInt32(0x40_0000), 0x260)
    for index in setupSize..<bytes.count { bytes[index] = 0xC3 }
    return Array(bytes.dropLast(truncateBy))
}

@Suite("bzImage")
struct BzImageTests {
    @Test func parsesTheHeaderAndFindsTheKernel() throws {
        let image = try BzImage(bytes: makeBzImage())
        #expect(image.protocolVersion == 0x020F)
        #expect(image.kernelRange == 1024..<(1024 + 64))
        #expect(try image.source.bytes(at: 1024, count: 64).allSatisfy { $0 == 0xC3 })
        #expect(image.setupHeader.count == 0x202 + 0x6A - 0x1F1)
        #expect(image.commandLineLimit == 2047)
        #expect(image.initSize == 0x40_0000)
        #expect(image.initrdAddressMax == 0x37FF_FFFF)
    }

    @Test func zeroSetupSectorsMeansFour() throws {
        #expect(try BzImage(bytes: makeBzImage(setupSectors: 0)).kernelRange == 2560..<(2560 + 64))
    }

    @Test func rejectsBadImages() {
        #expect(throws: KernelImageError.notAKernel) { try BzImage(bytes: [UInt8](repeating: 0, count: 4096)) }
        #expect(throws: KernelImageError.protocolTooOld(version: 0x020B)) { try BzImage(bytes: makeBzImage(version: 0x020B)) }
        #expect(throws: KernelImageError.not64Bit) { try BzImage(bytes: makeBzImage(xloadflags: 0)) }
        #expect(throws: KernelImageError.truncated(expected: 1024 + 64, actual: 1024 + 63)) {
            try BzImage(bytes: makeBzImage(truncateBy: 1))
        }
        #expect(throws: KernelImageError.truncated(expected: 1024 + 0xFFFF_FFF0, actual: 1024 + 64)) {
            var bytes = makeBzImage()
            bytes.replaceSubrange(0x1F4..<0x1F8, with: UInt32(0x0FFF_FFFF).littleEndianBytes)
            return try BzImage(bytes: bytes)
        }
    }

    @Test func messagesAreOneLine() {
        #expect(KernelImageError.protocolTooOld(version: 0x020B).description == "uses boot protocol 2.11; vmm needs 2.12 or newer (64-bit entry)")
        #expect(KernelImageError.commandLineTooLong(length: 3000, limit: 2047).description
            == "the kernel command line is 3000 bytes; the kernel accepts at most 2047")
    }
}

/// A minimal ELF64 x86-64 image: one PT_LOAD and, optionally, a PT_NOTE
/// with the Xen PVH entry note.
func makeELF(pvhEntry: UInt32? = 0x100_0123, loadAddress: UInt64 = 0x100_0000, payload: [UInt8] = [0x90, 0x90, 0xF4]) -> [UInt8] {
    var note: [UInt8] = []
    if let pvhEntry {
        note += UInt32(4).littleEndianBytes + UInt32(8).littleEndianBytes + UInt32(18).littleEndianBytes
        note += Array("Xen\0".utf8) + UInt64(pvhEntry).littleEndianBytes
    }
    let headerCount = note.isEmpty ? 1 : 2
    let dataStart = 64 + 56 * headerCount
    var bytes = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: 9)
    bytes += UInt16(2).littleEndianBytes + UInt16(62).littleEndianBytes + UInt32(1).littleEndianBytes
    bytes += UInt64(0x100_0000).littleEndianBytes  // e_entry
    bytes += UInt64(64).littleEndianBytes + UInt64(0).littleEndianBytes  // phoff, shoff
    bytes += UInt32(0).littleEndianBytes + UInt16(64).littleEndianBytes
    bytes += UInt16(56).littleEndianBytes + UInt16(headerCount).littleEndianBytes
    bytes += UInt16(64).littleEndianBytes + UInt16(0).littleEndianBytes + UInt16(0).littleEndianBytes
    func programHeader(type: UInt32, offset: Int, address: UInt64, size: Int, memorySize: Int) -> [UInt8] {
        type.littleEndianBytes + UInt32(5).littleEndianBytes + UInt64(offset).littleEndianBytes
            + address.littleEndianBytes + address.littleEndianBytes
            + UInt64(size).littleEndianBytes + UInt64(memorySize).littleEndianBytes + UInt64(16).littleEndianBytes
    }
    bytes += programHeader(type: 1, offset: dataStart, address: loadAddress, size: payload.count, memorySize: 0x1000)
    if !note.isEmpty {
        bytes += programHeader(type: 4, offset: dataStart + payload.count, address: 0, size: note.count, memorySize: note.count)
    }
    return bytes + payload + note
}

@Suite("ELF vmlinux")
struct ELFKernelTests {
    @Test func findsSegmentsAndThePVHEntry() throws {
        let kernel = try ELFKernel(bytes: makeELF())
        #expect(kernel.entry == 0x100_0000)
        #expect(kernel.pvhEntry == 0x100_0123)
        #expect(kernel.segments.count == 1)
        #expect(kernel.segments[0].physicalAddress == 0x100_0000)
        #expect(kernel.segments[0].memorySize == 0x1000)
        #expect(try kernel.source.bytes(at: UInt64(kernel.segments[0].fileRange.lowerBound), count: 3) == [0x90, 0x90, 0xF4])
        #expect(try ELFKernel(bytes: makeELF(pvhEntry: nil)).pvhEntry == nil)
    }

    @Test func rejectsMalformedFiles() {
        var wrongMachine = makeELF()
        wrongMachine[18] = 3  // i386
        #expect(throws: KernelImageError.badELF("not built for x86-64")) { try ELFKernel(bytes: wrongMachine) }
        var headersOutside = makeELF()
        headersOutside.replaceSubrange(32..<40, with: UInt64(1 << 40).littleEndianBytes)
        #expect(throws: KernelImageError.badELF("program headers lie outside the file")) { try ELFKernel(bytes: headersOutside) }
        var segmentOutside = makeELF()
        segmentOutside.replaceSubrange((64 + 32)..<(64 + 40), with: UInt64.max.littleEndianBytes)  // p_filesz
        #expect(throws: KernelImageError.badELF("segment 0 runs past the end of the file")) { try ELFKernel(bytes: segmentOutside) }
        #expect(throws: KernelImageError.badELF("shorter than an ELF header")) { try ELFKernel(bytes: Array(makeELF().prefix(40))) }
    }
}

@Suite("Linux loader")
struct LinuxLoaderTests {
    @Test func elfWithPVHGetsStartInfoAndAnAlignedInitrd() throws {
        let memory = try GuestMemory(size: 64 << 20)
        let loader = LinuxLoader(memory: memory, cpus: 2)
        let initrd = [UInt8](repeating: 0x5A, count: 5000)
        let loaded = try loader.load(kernel: makeELF(), initrd: initrd, commandLine: "console=ttyS0 a=\"b c\"")
        #expect(loaded.entry == .pvh(eip: 0x100_0123))
        let range = try #require(loaded.initrd)
        #expect(range.lowerBound % 4096 == 0)
        #expect(range.upperBound <= 64 << 20)
        #expect(range.count == 5000)
        #expect(try memory.read(at: range.lowerBound, count: 5000) == initrd)
        #expect(try memory.read(at: 0x100_0000, count: 3) == [0x90, 0x90, 0xF4])
        #expect(try memory.load(UInt32.self, at: X86Layout.pvhStartInfo) == 0x336E_C578)
        let expected = Array("console=ttyS0 a=\"b c\"\0".utf8)
        #expect(try memory.read(at: X86Layout.commandLine, count: expected.count) == expected)
        #expect(try memory.read(at: X86Layout.mpTable, count: 4) == Array("_MP_".utf8))
    }

    @Test func bzImageGetsAZeroPageAndThe64BitEntry() throws {
        let memory = try GuestMemory(size: 64 << 20)
        let loaded = try LinuxLoader(memory: memory, cpus: 1).load(kernel: makeBzImage(), initrd: [1, 2, 3], commandLine: "quiet")
        #expect(loaded.entry == .long64(rip: 0x10_0200))
        let page = try memory.read(at: X86Layout.zeroPage, count: 4096)
        #expect(page.le32(0x228) == UInt32(X86Layout.commandLine))
        #expect(UInt64(page.le32(0x218)) == loaded.initrd?.lowerBound)
        #expect(page.le32(0x21C) == 3)
        #expect(page[0x1E8] == 3)
        #expect(try memory.read(at: 0x10_0000, count: 2) == [0xC3, 0xC3])
    }

    @Test func tooLongACommandLineIsRefused() throws {
        let memory = try GuestMemory(size: 64 << 20)
        let loader = LinuxLoader(memory: memory, cpus: 1)
        #expect(throws: KernelImageError.commandLineTooLong(length: 2048, limit: 2047)) {
            try loader.load(kernel: makeELF(), initrd: nil, commandLine: String(repeating: "x", count: 2048))
        }
    }

    @Test func anInitrdLargerThanMemoryIsRefused() throws {
        let memory = try GuestMemory(size: 32 << 20)
        let loader = LinuxLoader(memory: memory, cpus: 1)
        #expect(throws: KernelImageError.initrdDoesNotFit(bytes: 0x100_1000 + (24 << 20), memoryBytes: 32 << 20)) {
            try loader.load(kernel: makeELF(), initrd: [UInt8](repeating: 0, count: 24 << 20), commandLine: "")
        }
    }

    @Test func aKernelBeyondMemoryIsRefused() throws {
        let memory = try GuestMemory(size: 8 << 20)
        #expect(throws: KernelImageError.kernelDoesNotFit(bytes: 0x1000_1000, memoryBytes: 8 << 20)) {
            try LinuxLoader(memory: memory, cpus: 1).load(kernel: makeELF(loadAddress: 0x1000_0000), initrd: nil, commandLine: "")
        }
    }
}

@Suite("CPUID")
struct GuestCPUIDTests {
    @Test func eachVCPUGetsItsAPICIDAndTheHypervisorBit() {
        let supported = [
            CPUIDEntry(function: 1, index: 0, flags: 0, eax: 0x806F8, ebx: 0xFF00_1234, ecx: 0x1, edx: 0),
            CPUIDEntry(function: 0xB, index: 1, flags: 1, eax: 0, ebx: 0, ecx: 0x201, edx: 99),
            CPUIDEntry(function: 7, index: 0, flags: 1, eax: 0, ebx: 0xAAAA, ecx: 0, edx: 0),
        ]
        let entries = GuestCPUID.entries(from: supported, apicID: 3, cpus: 4, tscDeadline: false)
        #expect(entries[0].ebx == 0x0304_1234, "APIC id 3, 4 logical processors, low bits kept")
        #expect(entries[0].ecx == 0x8000_0001)
        #expect(entries[0].edx & (1 << 28) != 0)
        #expect(entries[0].eax == 0x806F8)
        #expect(entries[1].edx == 3)
        #expect(entries[2] == supported[2])
        #expect(GuestCPUID.entries(from: supported, apicID: 0, cpus: 1, tscDeadline: false)[0].edx & (1 << 28) == 0)
    }

    @Test func theTSCDeadlineTimerIsOfferedOnlyWhenKVMHasIt() {
        let supported = [CPUIDEntry(function: 1, index: 0, flags: 0, eax: 0x806F8, ebx: 0, ecx: 0x1, edx: 0)]
        #expect(GuestCPUID.entries(from: supported, apicID: 0, cpus: 1, tscDeadline: true)[0].ecx == 0x8100_0001)
        #expect(GuestCPUID.entries(from: supported, apicID: 0, cpus: 1, tscDeadline: false)[0].ecx & (1 << 24) == 0)
    }

    @Test func theBrandStringAndL1CacheLeavesComeFromTheHostCPU() {
        // KVM_GET_SUPPORTED_CPUID reports these leaves as zeros.
        let supported = (0x8000_0001...0x8000_0006).map { CPUIDEntry(function: $0, index: 0, flags: 0, eax: 0, ebx: 0, ecx: 0, edx: 7) }
        let host = { (function: UInt32) in CPUIDEntry(function: function, index: 0, flags: 0, eax: function, ebx: 1, ecx: 2, edx: 3) }
        let entries = GuestCPUID.entries(from: supported, apicID: 0, cpus: 1, tscDeadline: false, host: host)
        for entry in entries {
            if GuestCPUID.hostLeaves.contains(entry.function) {
                #expect([entry.eax, entry.ebx, entry.ecx, entry.edx] == [entry.function, 1, 2, 3])
            } else {
                #expect([entry.eax, entry.ebx, entry.ecx, entry.edx] == [0, 0, 0, 7], "leaf \(entry.function) stays KVM's")
            }
        }
        let brand = CPUIDEntry.host(0x8000_0000)
        #expect(brand.eax >= 0x8000_0004, "this host's CPU has a brand string")
    }
}
