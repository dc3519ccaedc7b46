/// Dispatches guest accesses to devices by address range. Built before the
/// vCPUs start and never changed afterwards, so lookups need no lock.
public struct Bus: Sendable {
    public struct Entry: Sendable {
        public let base: UInt64
        public let length: UInt64
        public let device: any BusDevice
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case overlap(base: UInt64, length: UInt64)
        case emptyRange(base: UInt64)

        public var description: String {
            switch self {
            case .overlap(let base, let length):
                "device range 0x\(String(base, radix: 16))+0x\(String(length, radix: 16)) overlaps another device"
            case .emptyRange(let base):
                "device at 0x\(String(base, radix: 16)) has an empty range"
            }
        }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func register(_ device: any BusDevice, base: UInt64, length: UInt64) throws(Bus.Error) {
        guard length > 0, base <= UInt64.max - (length - 1) else { throw .emptyRange(base: base) }
        let last = base + (length - 1)
        for entry in entries where base <= entry.base + (entry.length - 1) && entry.base <= last {
            throw .overlap(base: base, length: length)
        }
        entries.append(Entry(base: base, length: length, device: device))
        entries.sort { $0.base < $1.base }
    }

    /// The device covering `address`, and the offset of `address` within it.
    public func lookup(_ address: UInt64) -> (device: any BusDevice, offset: UInt64)? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let entry = entries[middle]
            if address < entry.base {
                high = middle
            } else if address - entry.base >= entry.length {
                low = middle + 1
            } else {
                return (entry.device, address - entry.base)
            }
        }
        return nil
    }

    /// Performs one access. Unclaimed reads float high (all ones), as on a
    /// PC's bus; unclaimed writes are dropped.
    public func access(_ address: UInt64, isWrite: Bool, data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        guard let (device, offset) = lookup(address) else {
            if !isWrite { data.store(littleEndian: .max) }
            return .none
        }
        return isWrite ? device.write(offset: offset, from: UnsafeRawBufferPointer(data)) : device.read(offset: offset, into: data)
    }
}
