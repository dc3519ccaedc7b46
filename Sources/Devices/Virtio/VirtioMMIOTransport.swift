import GuestMemory
import Synchronization

/// The virtio-mmio transport, version 2 (virtio 1.1 §4.2.2): the register
/// file a driver uses to find, negotiate and set up a device. A guest that
/// breaks the rules gets DEVICE_NEEDS_RESET and `onFailure` hears why.
public final class VirtioMMIOTransport: BusDevice {
    public static let windowSize: UInt64 = 0x1000
    /// Where a driver writes a queue index to kick it (ioeventfds match here).
    public static let queueNotifyOffset = Register.queueNotify

    enum Register {
        static let magic: UInt64 = 0x000
        static let version: UInt64 = 0x004
        static let deviceID: UInt64 = 0x008
        static let vendorID: UInt64 = 0x00C
        static let deviceFeatures: UInt64 = 0x010
        static let deviceFeaturesSelect: UInt64 = 0x014
        static let driverFeatures: UInt64 = 0x020
        static let driverFeaturesSelect: UInt64 = 0x024
        static let queueSelect: UInt64 = 0x030
        static let queueSizeMax: UInt64 = 0x034
        static let queueSize: UInt64 = 0x038
        static let queueReady: UInt64 = 0x044
        static let queueNotify: UInt64 = 0x050
        static let interruptStatus: UInt64 = 0x060
        static let interruptAck: UInt64 = 0x064
        static let status: UInt64 = 0x070
        static let queueDescriptorLow: UInt64 = 0x080
        static let queueDescriptorHigh: UInt64 = 0x084
        static let queueDriverLow: UInt64 = 0x090
        static let queueDriverHigh: UInt64 = 0x094
        static let queueDeviceLow: UInt64 = 0x0A0
        static let queueDeviceHigh: UInt64 = 0x0A4
        static let configGeneration: UInt64 = 0x0FC
        static let config: UInt64 = 0x100
    }

    enum Status {
        static let featuresOK: UInt32 = 8
        static let driverOK: UInt32 = 4
        static let needsReset: UInt32 = 0x40
    }

    static let magicValue: UInt32 = 0x7472_6976  // "virt"
    static let indirectDescriptorsFeature: UInt64 = 1 << 28
    static let vendor: UInt32 = 0x554D_4D56  // "VMMU"
    public static let usedBufferInterrupt: UInt32 = 1
    public static let configChangeInterrupt: UInt32 = 2

    struct State {
        var status: UInt32 = 0
        var deviceFeaturesSelect: UInt32 = 0
        var driverFeaturesSelect: UInt32 = 0
        var driverFeatures: UInt64 = 0
        var queueSelect: UInt32 = 0
        var queues: [Virtqueue]
        var context: VirtioContext?
        var broken = false
    }

    public let device: any VirtioDevice
    let memory: GuestMemory
    let interrupt: any InterruptLine
    let onFailure: @Sendable (String) -> Void
    let name: String
    /// For devices whose backend signals the irqfd directly (vhost-user):
    /// the VMM never sees those interrupts, yet the guest driver ignores
    /// one unless InterruptStatus shows the used-buffer bit.
    let reportsUsedBufferAlways: Bool
    private let state: Mutex<State>
    /// Apart from the state: devices raise it while holding the state lock.
    private let interruptStatus = Atomic<UInt32>(0)

    public init(
        device: any VirtioDevice, name: String, memory: GuestMemory, interrupt: any InterruptLine,
        reportsUsedBufferAlways: Bool = false, onFailure: @escaping @Sendable (String) -> Void
    ) {
        self.device = device
        self.reportsUsedBufferAlways = reportsUsedBufferAlways
        self.name = name
        self.memory = memory
        self.interrupt = interrupt
        self.onFailure = onFailure
        self.state = Mutex(State(queues: Self.freshQueues(of: device)))
    }

    public var isBroken: Bool { state.withLock { $0.broken } }
    public var status: UInt32 { state.withLock { $0.status } }

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        if offset >= Register.config {
            state.withLock { _ in device.readConfig(offset: offset - Register.config, into: data) }
            return .none
        }
        guard data.count == 4 else {
            data.store(littleEndian: 0)
            return .none
        }
        let value: UInt32 = state.withLock { state in
            let queue = Int(state.queueSelect)
            let hasQueue = queue < state.queues.count
            switch offset {
            case Register.magic: return Self.magicValue
            case Register.version: return 2
            case Register.deviceID: return device.deviceType
            case Register.vendorID: return Self.vendor
            case Register.deviceFeatures:
                return state.deviceFeaturesSelect < 2 ? UInt32(truncatingIfNeeded: device.features >> (32 * UInt64(state.deviceFeaturesSelect))) : 0
            case Register.queueSizeMax: return hasQueue ? UInt32(device.maximumQueueSize(queue)) : 0
            case Register.queueReady: return hasQueue && state.queues[queue].ready ? 1 : 0
            case Register.interruptStatus:
                return interruptStatus.load(ordering: .acquiring) | (reportsUsedBufferAlways ? Self.usedBufferInterrupt : 0)
            case Register.status: return state.status
            case Register.configGeneration: return 0
            default: return 0
            }
        }
        data.store(littleEndian: UInt64(value))
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        guard data.count == 4, offset < Register.config else { return .none }  // config space is read-only here
        let value = UInt32(truncatingIfNeeded: data.littleEndianValue)
        if offset == Register.queueNotify {
            queueNotified(Int(value))
            return .none
        }
        let failure: String? = state.withLock { state -> String? in
            let queue = Int(state.queueSelect)
            let hasQueue = queue < state.queues.count && !state.queues[queue].ready
            switch offset {
            case Register.deviceFeaturesSelect: state.deviceFeaturesSelect = value
            case Register.driverFeaturesSelect: state.driverFeaturesSelect = value
            case Register.driverFeatures:
                guard state.driverFeaturesSelect < 2 else { break }
                let shift = 32 * UInt64(state.driverFeaturesSelect)
                state.driverFeatures = (state.driverFeatures & ~(0xFFFF_FFFF << shift)) | (UInt64(value) << shift)
            case Register.queueSelect: state.queueSelect = value
            case Register.queueSize where hasQueue: state.queues[queue].size = UInt16(truncatingIfNeeded: value)
            case Register.queueReady where queue < state.queues.count: state.queues[queue].ready = value == 1
            case Register.queueDescriptorLow where hasQueue: Self.setLow(&state.queues[queue].descriptorTable, value)
            case Register.queueDescriptorHigh where hasQueue: Self.setHigh(&state.queues[queue].descriptorTable, value)
            case Register.queueDriverLow where hasQueue: Self.setLow(&state.queues[queue].availableRing, value)
            case Register.queueDriverHigh where hasQueue: Self.setHigh(&state.queues[queue].availableRing, value)
            case Register.queueDeviceLow where hasQueue: Self.setLow(&state.queues[queue].usedRing, value)
            case Register.queueDeviceHigh where hasQueue: Self.setHigh(&state.queues[queue].usedRing, value)
            case Register.interruptAck: interruptStatus.bitwiseAnd(~value, ordering: .acquiringAndReleasing)
            case Register.status: return setStatus(value, &state)
            default: break
            }
            return nil
        }
        if let failure { onFailure("\(name): \(failure)") }
        return .none
    }

    /// QueueNotify, from an MMIO exit or from the queue's ioeventfd.
    public func queueNotified(_ queue: Int) {
        let failure: String? = state.withLock { state -> String? in
            guard !state.broken, let context = state.context, queue < context.queues.count, context.queues[queue].ready else { return nil }
            do {
                try device.queueNotified(queue, context)
            } catch {
                return breakDevice("queue \(queue): \(error)", &state)
            }
            return nil
        }
        if let failure { onFailure("\(name): \(failure)") }
    }

    /// Work the device starts itself (host input arrived), under the lock.
    public func withActiveDevice(_ body: (VirtioContext) throws(VirtioError) -> Void) {
        let failure: String? = state.withLock { state -> String? in
            guard !state.broken, let context = state.context else { return nil }
            do {
                try body(context)
            } catch {
                return breakDevice("\(error)", &state)
            }
            return nil
        }
        if let failure { onFailure("\(name): \(failure)") }
    }

    /// Each queue sized to its maximum until the driver writes QueueNum.
    private static func freshQueues(of device: any VirtioDevice) -> [Virtqueue] {
        (0..<device.queueCount).map { Virtqueue(size: device.maximumQueueSize($0)) }
    }

    private func setStatus(_ value: UInt32, _ state: inout State) -> String? {
        if value == 0 {
            device.reset()
            state = State(queues: Self.freshQueues(of: device))
            interruptStatus.store(0, ordering: .releasing)
            return nil
        }
        var accepted = value
        if value & Status.featuresOK != 0, state.driverFeatures & ~device.features != 0 || state.driverFeatures & VirtioFeature.version1 == 0 {
            accepted &= ~Status.featuresOK  // the driver reads it back and gives up
        }
        let activating = accepted & Status.driverOK != 0 && state.status & Status.driverOK == 0
        state.status = accepted | (state.status & Status.needsReset)
        guard activating else { return nil }
        guard state.status & Status.featuresOK != 0 else {
            return breakDevice("DRIVER_OK without FEATURES_OK", &state)
        }
        guard state.context == nil else { return nil }  // already active: a second DRIVER_OK needs a reset first
        do {
            for index in state.queues.indices {
                state.queues[index].indirectAllowed = state.driverFeatures & Self.indirectDescriptorsFeature != 0
            }
            for (index, queue) in state.queues.enumerated() where queue.ready {
                try queue.validate(in: memory, maximumSize: device.maximumQueueSize(index))
            }
            let context = VirtioContext(memory: memory, queues: state.queues, driverFeatures: state.driverFeatures) { [weak self] in
                self?.raise(Self.usedBufferInterrupt)
            }
            state.context = context
            try device.activate(context)
        } catch {
            return breakDevice("activation: \(error)", &state)
        }
        return nil
    }

    private func breakDevice(_ reason: String, _ state: inout State) -> String {
        state.broken = true
        state.status |= Status.needsReset
        raise(Self.configChangeInterrupt)
        return reason
    }

    private func raise(_ bits: UInt32) {
        interruptStatus.bitwiseOr(bits, ordering: .acquiringAndReleasing)
        interrupt.trigger()
    }

    static func setLow(_ address: inout UInt64, _ value: UInt32) {
        address = (address & 0xFFFF_FFFF_0000_0000) | UInt64(value)
    }

    static func setHigh(_ address: inout UInt64, _ value: UInt32) {
        address = (address & 0xFFFF_FFFF) | (UInt64(value) << 32)
    }
}
