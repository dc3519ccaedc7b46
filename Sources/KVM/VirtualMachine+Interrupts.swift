import CKVM
import Glibc
import OS

extension VirtualMachine {
    /// Raises (`true`) or lowers an interrupt line of the in-kernel irqchip.
    public func setIRQLine(_ gsi: UInt32, high: Bool) throws(KVMError) {
        var level = kvm_irq_level()
        level.irq = gsi
        level.level = high ? 1 : 0
        try ioctl("KVM_IRQ_LINE", CKVM_IRQ_LINE, &level)
    }

    /// Writing to `eventFD` injects an edge on `gsi` without a VMM round trip.
    public func registerIRQFD(_ eventFD: EventFD, gsi: UInt32) throws(KVMError) {
        var request = kvm_irqfd()
        request.fd = UInt32(bitPattern: eventFD.rawValue)
        request.gsi = gsi
        try ioctl("KVM_IRQFD", CKVM_IRQFD, &request)
    }

    /// A guest write of `value` (`length` bytes) to `address` signals
    /// `eventFD` inside KVM, without an exit to the VMM.
    public func registerIOEventFD(_ eventFD: EventFD, address: UInt64, length: UInt32, value: UInt64?, pio: Bool = false) throws(KVMError) {
        var request = kvm_ioeventfd()
        request.addr = address
        request.len = length
        request.fd = eventFD.rawValue
        if let value {
            request.datamatch = value
            request.flags |= CKVM_IOEVENTFD_FLAG_DATAMATCH
        }
        if pio { request.flags |= CKVM_IOEVENTFD_FLAG_PIO }
        try ioctl("KVM_IOEVENTFD", CKVM_IOEVENTFD, &request)
    }
}
