import CKVM
import Glibc

/// One CPUID leaf/subleaf as KVM reports and accepts it.
public struct CPUIDEntry: Equatable, Sendable {
    public var function: UInt32
    public var index: UInt32
    public var flags: UInt32
    public var eax: UInt32
    public var ebx: UInt32
    public var ecx: UInt32
    public var edx: UInt32

    public init(function: UInt32, index: UInt32, flags: UInt32, eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        self.function = function
        self.index = index
        self.flags = flags
        self.eax = eax
        self.ebx = ebx
        self.ecx = ecx
        self.edx = edx
    }

    init(_ raw: kvm_cpuid_entry2) {
        self.init(function: raw.function, index: raw.index, flags: raw.flags, eax: raw.eax, ebx: raw.ebx, ecx: raw.ecx, edx: raw.edx)
    }

    var raw: kvm_cpuid_entry2 {
        var entry = kvm_cpuid_entry2()
        entry.function = function
        entry.index = index
        entry.flags = flags
        entry.eax = eax
        entry.ebx = ebx
        entry.ecx = ecx
        entry.edx = edx
        return entry
    }
}

extension KVMSystem {
    /// KVM_GET_SUPPORTED_CPUID: what the host can offer a guest, growing
    /// the buffer while KVM says it is too small.
    public func supportedCPUID() throws(KVMError) -> [CPUIDEntry] {
        var capacity: UInt32 = 128
        while true {
            guard let buffer = ckvm_cpuid2_alloc(capacity) else { throw .ioctlFailed(name: "KVM_GET_SUPPORTED_CPUID", errno: ENOMEM) }
            defer { free(buffer) }
            if ckvm_ioctl_ptr(descriptor.rawValue, CKVM_GET_SUPPORTED_CPUID, buffer) >= 0 {
                return (0..<buffer.pointee.nent).compactMap { ckvm_cpuid2_entry(buffer, $0).map { CPUIDEntry($0.pointee) } }
            }
            guard errno == E2BIG, capacity < 4096 else { throw .ioctlFailed(name: "KVM_GET_SUPPORTED_CPUID", errno: errno) }
            capacity *= 2
        }
    }
}

extension CPUIDEntry {
    /// The host CPU's own leaf `function` (subleaf 0), as the CPUID
    /// instruction returns it here.
    public static func host(_ function: UInt32) -> CPUIDEntry {
        var regs: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &regs) { ckvm_host_cpuid(function, $0.baseAddress!.assumingMemoryBound(to: UInt32.self)) }
        return CPUIDEntry(function: function, index: 0, flags: 0, eax: regs.0, ebx: regs.1, ecx: regs.2, edx: regs.3)
    }
}

extension VCPU {
    public func setCPUID(_ entries: [CPUIDEntry]) throws(KVMError) {
        guard let buffer = ckvm_cpuid2_alloc(UInt32(entries.count)) else { throw .ioctlFailed(name: "KVM_SET_CPUID2", errno: ENOMEM) }
        defer { free(buffer) }
        for (index, entry) in entries.enumerated() {
            ckvm_cpuid2_entry(buffer, UInt32(index))?.pointee = entry.raw
        }
        try ioctl("KVM_SET_CPUID2", CKVM_SET_CPUID2, buffer)
    }
}
