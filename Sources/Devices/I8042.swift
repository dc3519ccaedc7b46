/// The keyboard controller's command port (0x64), only for its reset line:
/// without ACPI, Linux with `reboot=k` reboots by writing 0xFE here, and the
/// VMM ends the VM (Firecracker's approach).
public final class I8042: BusDevice {
    public static let commandPort: UInt64 = 0x64
    static let resetCommand: UInt8 = 0xFE

    public init() {}

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: 0)  // status: no data, input buffer empty
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        data.first == Self.resetCommand ? .reset : .none
    }
}
