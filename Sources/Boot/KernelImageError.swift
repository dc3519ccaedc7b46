/// Why a kernel or initrd cannot be booted. One line each.
public enum KernelImageError: Error, Equatable, CustomStringConvertible {
    case notAKernel
    case truncated(expected: Int, actual: Int)
    case protocolTooOld(version: UInt16)
    case not64Bit
    case badELF(String)
    case kernelDoesNotFit(bytes: UInt64, memoryBytes: UInt64)
    case initrdDoesNotFit(bytes: UInt64, memoryBytes: UInt64)
    case commandLineTooLong(length: Int, limit: Int)

    /// Rounded up: "needs 0 MiB" would be no help.
    static func mebibytes(_ bytes: UInt64) -> UInt64 { (bytes + (1 << 20) - 1) >> 20 }

    public var description: String {
        switch self {
        case .notAKernel:
            "is not a Linux kernel (neither an ELF vmlinux nor a bzImage)"
        case .truncated(let expected, let actual):
            "is truncated: the header promises \(expected) bytes, the file has \(actual)"
        case .protocolTooOld(let version):
            "uses boot protocol \(version >> 8).\(version & 0xFF); vmm needs 2.12 or newer (64-bit entry)"
        case .not64Bit:
            "has no 64-bit entry point (XLF_KERNEL_64 is not set)"
        case .badELF(let reason):
            "is not a usable ELF vmlinux: \(reason)"
        case .kernelDoesNotFit(let bytes, let memory), .initrdDoesNotFit(let bytes, let memory):
            "does not fit: it needs \(Self.mebibytes(bytes)) MiB of the \(Self.mebibytes(memory)) MiB of guest RAM below 3 GiB (raise --memory)"
        case .commandLineTooLong(let length, let limit):
            "the kernel command line is \(length) bytes; the kernel accepts at most \(limit)"
        }
    }
}
