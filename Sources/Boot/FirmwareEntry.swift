import CKVM
import GuestMemory
import KVM

/// Puts a firmware image in memory and vCPU 0 at its entry, in the mode the
/// image declares (firmware/README.md).
public enum FirmwareEntry {
    static let realModeSegment: UInt16 = UInt16(X86Layout.firmwareLoad >> 4)
    static let codeSelector: UInt16 = 0x08
    static let dataSelector: UInt16 = 0x10

    public static func load(_ image: FirmwareImage, into memory: GuestMemory) throws(GuestMemoryError) {
        try memory.write(image.bytes, at: X86Layout.firmwareLoad)
        if image.mode == .protected32 {
            let gdt: [UInt64] = [0, SegmentDescriptor.flatCode32.encoded, SegmentDescriptor.flatData32.encoded]
            for (index, entry) in gdt.enumerated() {
                try memory.store(entry, at: X86Layout.firmwareGDT + UInt64(index * 8))
            }
        }
    }

    public static func enter(_ image: FirmwareImage, on vcpu: VCPU) throws(KVMError) {
        var sregs = try vcpu.specialRegisters()
        var regs = kvm_regs()
        regs.rflags = 0x2  // bit 1 is reserved-one; interrupts off
        switch image.mode {
        case .real:
            for keyPath in dataSegments + [\kvm_sregs.cs] {
                sregs[keyPath: keyPath].selector = realModeSegment
                sregs[keyPath: keyPath].base = X86Layout.firmwareLoad
            }
            regs.rip = UInt64(image.entryOffset)
            regs.rsp = X86Layout.realModeStackPointer
        case .protected32:
            sregs.cs = SegmentDescriptor.flatCode32.kvmSegment(selector: codeSelector)
            for keyPath in dataSegments {
                sregs[keyPath: keyPath] = SegmentDescriptor.flatData32.kvmSegment(selector: dataSelector)
            }
            sregs.gdt.base = X86Layout.firmwareGDT
            sregs.gdt.limit = 3 * 8 - 1
            sregs.cr0 |= 0x1  // PE
            regs.rip = X86Layout.firmwareLoad + UInt64(image.entryOffset)
            regs.rsp = X86Layout.protectedModeStack
        }
        try vcpu.setSpecialRegisters(sregs)
        try vcpu.setRegisters(regs)
    }

    private static var dataSegments: [WritableKeyPath<kvm_sregs, kvm_segment>] { [\.ds, \.es, \.fs, \.gs, \.ss] }
}
