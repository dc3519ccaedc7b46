import CKVM
import Glibc

extension VCPU {
    /// Sets model-specific registers; throws naming the first one KVM refused.
    public func setMSRs(_ values: [(index: UInt32, value: UInt64)]) throws(KVMError) {
        guard let buffer = ckvm_msrs_alloc(UInt32(values.count)) else { throw .ioctlFailed(name: "KVM_SET_MSRS", errno: ENOMEM) }
        defer { free(buffer) }
        for (position, msr) in values.enumerated() {
            guard let entry = ckvm_msrs_entry(buffer, UInt32(position)) else { continue }
            entry.pointee.index = msr.index
            entry.pointee.data = msr.value
        }
        // KVM_SET_MSRS returns how many it set, stopping at the first refusal.
        let set = ckvm_ioctl_ptr(fd, CKVM_SET_MSRS, buffer)
        guard set >= 0 else { throw .ioctlFailed(name: "KVM_SET_MSRS", errno: errno) }
        if Int(set) < values.count {
            throw .ioctlFailed(name: "KVM_SET_MSRS (MSR \(hex(values[Int(set)].index)))", errno: EINVAL)
        }
    }

    /// x87 and SSE control words as after FNINIT and a reset.
    public func setDefaultFPU() throws(KVMError) {
        var fpu = kvm_fpu()
        fpu.fcw = 0x37F
        fpu.mxcsr = 0x1F80
        try ioctl("KVM_SET_FPU", CKVM_SET_FPU, &fpu)
    }

    /// Wires LINT0 to the PIC (ExtINT) and LINT1 to NMI, as a BIOS would:
    /// Linux expects that virtual-wire setup on the bootstrap processor.
    public func configureLocalInterrupts() throws(KVMError) {
        var state = kvm_lapic_state()
        try ioctl("KVM_GET_LAPIC", CKVM_GET_LAPIC, &state)
        withUnsafeMutableBytes(of: &state.regs) { registers in
            Self.setDeliveryMode(in: registers, offset: 0x350, mode: 7)  // LVT0: ExtINT
            Self.setDeliveryMode(in: registers, offset: 0x360, mode: 4)  // LVT1: NMI
        }
        try ioctl("KVM_SET_LAPIC", CKVM_SET_LAPIC, &state)
    }

    static func setDeliveryMode(in registers: UnsafeMutableRawBufferPointer, offset: Int, mode: UInt32) {
        let value = registers.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        registers.storeBytes(of: (value & ~0x700) | (mode << 8), toByteOffset: offset, as: UInt32.self)
    }
}
