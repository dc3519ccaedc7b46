import Glibc

public enum GuestMemoryError: Error, CustomStringConvertible, Equatable {
    /// An access that is not entirely inside guest RAM. Guests supply these
    /// addresses, so this is an ordinary, recoverable error.
    case outOfRange(address: UInt64, length: UInt64)
    case invalidSize(UInt64)
    case createFailed(errno: Int32)
    case mapFailed(errno: Int32)
    /// Filling guest RAM from a host file failed (errno), or the file ended
    /// `missing` bytes early.
    case fillFailed(path: String, errno: Int32, missing: Int)

    public var description: String {
        switch self {
        case .outOfRange(let address, let length):
            "guest memory access of \(length) bytes at 0x\(String(address, radix: 16)) is outside guest RAM"
        case .invalidSize(let size):
            "guest memory size \(size) bytes is invalid (must be a positive multiple of 4 KiB, at most \(GuestMemory.maximumSize >> 30) GiB)"
        case .createFailed(let err):
            "creating guest memory (memfd) failed: \(String(cString: strerror(err)))"
        case .mapFailed(let err):
            "mapping guest memory failed: \(String(cString: strerror(err)))"
        case .fillFailed(let path, let err, let missing):
            err != 0 ? "copying \(path) into guest memory failed: \(String(cString: strerror(err)))"
                : "copying \(path) into guest memory failed: it ended \(missing) bytes early (did it change?)"
        }
    }
}
