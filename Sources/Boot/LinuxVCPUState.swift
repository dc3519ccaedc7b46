import CKVM
import KVM

/// The vCPU side of booting Linux: what every vCPU needs (CPUID, MSRs,
/// FPU, local interrupts), and the registers of the bootstrap processor at
/// the kernel's entry. Application processors are started by the kernel
/// through the in-kernel irqchip (INIT/SIPI), not by us.
public enum LinuxVCPUState {
    public static func configure(_ vcpu: VCPU, supportedCPUID: [CPUIDEntry], cpus: UInt32, tscDeadline: Bool) throws(KVMError) {
        try vcpu.setCPUID(GuestCPUID.entries(from: supportedCPUID, apicID: vcpu.id, cpus: cpus, tscDeadline: tscDeadline))
        try vcpu.setMSRs(BootMSRs.values)
        try vcpu.setDefaultFPU()
        try vcpu.configureLocalInterrupts()
    }

    static let protectionEnable: UInt64 = 0x1
    static let paging: UInt64 = 0x8000_0000
    static let physicalAddressExtension: UInt64 = 0x20
    static let longModeEnable: UInt64 = 0x100
    static let longModeActive: UInt64 = 0x400

    public static func enter(_ entry: LinuxEntryPoint, on vcpu: VCPU) throws(KVMError) {
        var sregs = try vcpu.specialRegisters()
        var regs = kvm_regs()
        regs.rflags = 0x2
        sregs.gdt.base = X86Layout.bootGDT
        sregs.gdt.limit = UInt16(BootGDT.entries.count * 8 - 1)
        sregs.idt.base = X86Layout.bootIDT
        sregs.idt.limit = 7
        let data = SegmentDescriptor.flatData32.kvmSegment(selector: BootGDT.dataSelector)
        sregs.ds = data
        sregs.es = data
        sregs.fs = data
        sregs.gs = data
        sregs.ss = data
        switch entry {
        case .long64(let rip):
            sregs.cs = BootGDT.code64.kvmSegment(selector: BootGDT.code64Selector)
            sregs.cr3 = X86Layout.pml4
            sregs.cr4 |= physicalAddressExtension
            sregs.cr0 |= protectionEnable | paging
            sregs.efer |= longModeEnable | longModeActive
            regs.rip = rip
            regs.rsp = X86Layout.bootStack
            regs.rbp = X86Layout.bootStack
            regs.rsi = X86Layout.zeroPage
        case .pvh(let eip):
            sregs.cs = SegmentDescriptor.flatCode32.kvmSegment(selector: BootGDT.code32Selector)
            sregs.cr0 = (sregs.cr0 | protectionEnable) & ~paging
            sregs.cr4 = 0
            sregs.efer = 0
            regs.rip = UInt64(eip)
            regs.rbx = X86Layout.pvhStartInfo
        }
        try vcpu.setSpecialRegisters(sregs)
        try vcpu.setRegisters(regs)
    }
}
