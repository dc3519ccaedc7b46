import CKVM
import Glibc
import OS

/// A KVM virtual machine: memory slots, vCPUs, and the in-kernel devices.
public final class VirtualMachine: Sendable {
    let descriptor: OwnedDescriptor
    public let system: KVMSystem

    init(descriptor: OwnedDescriptor, system: KVMSystem) {
        self.descriptor = descriptor
        self.system = system
    }

    var fd: Int32 { descriptor.rawValue }

    /// Maps `size` bytes of host memory at `hostAddress` into the guest at
    /// `guestAddress` as memory slot `slot`.
    public func setMemoryRegion(slot: UInt32, guestAddress: UInt64, size: UInt64, hostAddress: UnsafeMutableRawPointer) throws(KVMError) {
        var region = kvm_userspace_memory_region(
            slot: slot, flags: 0, guest_phys_addr: guestAddress,
            memory_size: size, userspace_addr: UInt64(UInt(bitPattern: hostAddress)))
        try ioctl("KVM_SET_USER_MEMORY_REGION", CKVM_SET_USER_MEMORY_REGION, &region)
    }

    /// Intel needs three pages for the real-mode TSS below 4 GiB, out of
    /// the guest's RAM and MMIO ranges.
    public func setTSSAddress(_ address: UInt64) throws(KVMError) {
        try ioctl("KVM_SET_TSS_ADDR", CKVM_SET_TSS_ADDR, UInt(address))
    }

    /// In-kernel PIC, IOAPIC and per-vCPU LAPICs. Must come before vCPUs.
    public func createIRQChip() throws(KVMError) {
        try ioctl("KVM_CREATE_IRQCHIP", CKVM_CREATE_IRQCHIP, 0)
    }

    /// In-kernel PIT (i8254), with the speaker port left to userspace.
    public func createPIT2() throws(KVMError) {
        var config = kvm_pit_config()
        config.flags = UInt32(KVM_PIT_SPEAKER_DUMMY)
        try ioctl("KVM_CREATE_PIT2", CKVM_CREATE_PIT2, &config)
    }

    public func createVCPU(id: UInt32) throws(KVMError) -> VCPU {
        let vcpuFD = ckvm_ioctl_val(fd, CKVM_CREATE_VCPU, UInt(id))
        guard vcpuFD >= 0 else { throw .ioctlFailed(name: "KVM_CREATE_VCPU", errno: errno) }
        return try VCPU(id: id, descriptor: OwnedDescriptor(vcpuFD), mapSize: system.vcpuMapSize())
    }

    func ioctl(_ name: String, _ request: UInt, _ argument: UnsafeMutableRawPointer) throws(KVMError) {
        guard ckvm_ioctl_ptr(fd, request, argument) >= 0 else { throw .ioctlFailed(name: name, errno: errno) }
    }

    func ioctl(_ name: String, _ request: UInt, _ argument: UInt) throws(KVMError) {
        guard ckvm_ioctl_val(fd, request, argument) >= 0 else { throw .ioctlFailed(name: name, errno: errno) }
    }
}
