/// Port 0x501: the guest writes a status byte and the VM ends with it.
/// Unlike QEMU's isa-debug-exit the status is passed through unchanged.
public final class DebugExit: BusDevice {
    public static let port: UInt64 = 0x501

    public init() {}

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: 0)
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        guard let status = data.first else { return .none }
        return .exit(status: status)
    }
}
