/// Reads zero, ignores writes: the target of exit round-trip benchmarks
/// (PIO 0x520, MMIO 0xD000_0000).
public final class NullDevice: BusDevice {
    public static let port: UInt64 = 0x520
    public static let mmioBase: UInt64 = 0xD000_0000
    public static let mmioLength: UInt64 = 0x1000

    public init() {}

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        data.store(littleEndian: 0)
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        .none
    }
}
