import Timeline
import Devices

/// The devices every vmm guest sees, on their buses (firmware/README.md
/// lists the addresses).
struct DeviceSet {
    var portBus = Bus()
    var mmioBus = Bus()
    let uart: SerialUART

    init(console: any OutputSink, timeline: BootTimeline) throws(MachineError) {
        uart = SerialUART(output: console)
        do {
            try portBus.register(uart, base: SerialUART.com1Base, length: SerialUART.registerCount)
            try portBus.register(DebugExit(), base: DebugExit.port, length: 1)
            try portBus.register(BootTimer(timeline: timeline), base: BootTimer.port, length: BootTimer.length)
            try portBus.register(NullDevice(), base: NullDevice.port, length: 1)
            try portBus.register(I8042(), base: I8042.commandPort, length: 1)
            try mmioBus.register(NullDevice(), base: NullDevice.mmioBase, length: NullDevice.mmioLength)
        } catch {
            throw .bus(error)
        }
    }

    mutating func registerMMIO(_ device: any BusDevice, base: UInt64, length: UInt64) throws(MachineError) {
        do {
            try mmioBus.register(device, base: base, length: length)
        } catch {
            throw .bus(error)
        }
    }
}
