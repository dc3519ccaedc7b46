/// What a device asks of the machine after handling an access.
public enum DeviceAction: Equatable, Sendable {
    case none
    /// The guest asked to end the VM with this status (debug-exit device).
    case exit(status: UInt8)
    /// The guest reset the machine (i8042 0xFE, as Linux does with `reboot=k`).
    case reset
}

/// A device on the port-I/O or MMIO bus. Called on vCPU threads, so any
/// state lives behind a lock. `offset` is relative to the device's base.
public protocol BusDevice: AnyObject, Sendable {
    func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction
    func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction
}

extension UnsafeRawBufferPointer {
    /// The access as a little-endian integer (1, 2, 4 or 8 bytes).
    public var littleEndianValue: UInt64 {
        var value: UInt64 = 0
        for (index, byte) in prefix(8).enumerated() { value |= UInt64(byte) << (8 * index) }
        return value
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Fills the access with the low bytes of `value`, little-endian.
    public func store(littleEndian value: UInt64) {
        for index in 0..<count { self[index] = index < 8 ? UInt8(truncatingIfNeeded: value >> (8 * index)) : 0 }
    }
}
