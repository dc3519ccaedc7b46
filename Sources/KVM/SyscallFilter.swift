import CKVM
import Glibc

/// A seccomp allowlist for one thread (docs/security.md): installed on the
/// thread itself, after which any syscall not on the list kills the
/// process with SIGSYS; a hole shows up as a dead VMM, not as a guest
/// that got further than it should.
public struct SyscallFilter: Sendable {
    public let name: String
    public let syscalls: [Int32]

    public init(name: String, syscalls: [Int32]) {
        self.name = name
        self.syscalls = Array(Set(syscalls)).sorted()
    }

    /// Applies to the calling thread only, for the rest of its life.
    public func installOnThisThread() throws(KVMError) {
        let result = syscalls.map { Int32($0) }.withUnsafeBufferPointer { ckvm_seccomp_allow_only($0.baseAddress, Int32($0.count)) }
        guard result == 0 else { throw .ioctlFailed(name: "seccomp (\(name) filter)", errno: errno) }
    }
}

extension SyscallFilter {
    /// What a vCPU thread may ask of the kernel once it runs the guest
    /// (the list and its reasons: Sources/CKVM/seccomp.c).
    public static let vcpu: SyscallFilter = {
        var count: Int32 = 0
        let list = ckvm_vcpu_syscall_list(&count)
        return SyscallFilter(name: "vCPU", syscalls: Array(UnsafeBufferPointer(start: list, count: Int(count))))
    }()
}
