import CKVM

extension VirtualMachine {
    /// The guest's kvmclock (ns): read when the VM is paused, written back
    /// on resume, so a paused guest sees no time pass (as QEMU does on stop).
    public func clock() throws(KVMError) -> UInt64 {
        var data = kvm_clock_data()
        try ioctl("KVM_GET_CLOCK", CKVM_GET_CLOCK, &data)
        return data.clock
    }

    public func setClock(_ nanoseconds: UInt64) throws(KVMError) {
        var data = kvm_clock_data()
        data.clock = nanoseconds
        try ioctl("KVM_SET_CLOCK", CKVM_SET_CLOCK, &data)
    }
}
