import Devices
import KVM
import OS

/// Where the n-th virtio-mmio device of a VM lives: a 4 KiB window from
/// 0xD000_1000 and a GSI from 5, in the order the configuration lists
/// them (the default console is slot 0: firmware/README.md's address).
/// The kernel learns them from `virtio_mmio.device=` words.
struct VirtioSlot: Equatable {
    static let firstBase: UInt64 = 0xD000_1000
    static let firstGSI: UInt32 = 5
    /// The IOAPIC's 24 pins, less the legacy ones below the first GSI.
    static let capacity = 24 - Int(firstGSI)

    let index: Int

    var base: UInt64 { Self.firstBase + UInt64(index) * VirtioMMIOTransport.windowSize }
    var gsi: UInt32 { Self.firstGSI + UInt32(index) }
    var kernelArgument: String { "virtio_mmio.device=4K@0x\(String(base, radix: 16)):\(gsi)" }

    static func kernelArguments(count: Int) -> String {
        (0..<count).map { VirtioSlot(index: $0).kernelArgument }.joined(separator: " ")
    }

    /// The interrupt (an irqfd raising this slot's GSI) and one
    /// notification eventfd per queue (an ioeventfd on the notify
    /// register): what every virtio device of the VM needs from KVM.
    func wire(queues: Int, in vm: VirtualMachine, nonBlockingKicks: Bool) throws -> (interrupt: EventFD, kicks: [EventFD]) {
        let interrupt = try EventFD()
        try vm.registerIRQFD(interrupt, gsi: gsi)
        var kicks: [EventFD] = []
        for queue in 0..<queues {
            let kick = try EventFD(nonBlocking: nonBlockingKicks)
            try vm.registerIOEventFD(kick, address: base + VirtioMMIOTransport.queueNotifyOffset, length: 4, value: UInt64(queue))
            kicks.append(kick)
        }
        return (interrupt, kicks)
    }
}

/// An irqfd: writing the eventfd raises the GSI inside KVM.
struct IRQFDLine: InterruptLine {
    let eventFD: EventFD

    func trigger() {
        eventFD.signal()
    }
}
