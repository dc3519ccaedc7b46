import CKVM
import Glibc

extension VCPU {
    public func registers() throws(KVMError) -> kvm_regs {
        var regs = kvm_regs()
        try ioctl("KVM_GET_REGS", CKVM_GET_REGS, &regs)
        return regs
    }

    public func setRegisters(_ regs: kvm_regs) throws(KVMError) {
        var copy = regs
        try ioctl("KVM_SET_REGS", CKVM_SET_REGS, &copy)
    }

    public func specialRegisters() throws(KVMError) -> kvm_sregs {
        var sregs = kvm_sregs()
        try ioctl("KVM_GET_SREGS", CKVM_GET_SREGS, &sregs)
        return sregs
    }

    public func setSpecialRegisters(_ sregs: kvm_sregs) throws(KVMError) {
        var copy = sregs
        try ioctl("KVM_SET_SREGS", CKVM_SET_SREGS, &copy)
    }

    func ioctl(_ name: String, _ request: UInt, _ argument: UnsafeMutableRawPointer) throws(KVMError) {
        guard ckvm_ioctl_ptr(fd, request, argument) >= 0 else { throw .ioctlFailed(name: name, errno: errno) }
    }
}
