import CKVM
import Glibc
import OS

/// The KVM system device (`/dev/kvm`): version and capability checks, and
/// the factory for virtual machines.
public final class KVMSystem: Sendable {
    public static let defaultPath = "/dev/kvm"
    public static let expectedAPIVersion: Int32 = 12

    public let path: String
    let descriptor: OwnedDescriptor

    /// Opens the device and checks the API version.
    public init(path: String = KVMSystem.defaultPath) throws(KVMError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            if err == ENOENT { throw .deviceMissing(path: path) }
            throw .deviceUnusable(path: path, errno: err)
        }
        self.path = path
        self.descriptor = OwnedDescriptor(fd)
        let version = ckvm_ioctl_val(fd, CKVM_GET_API_VERSION, 0)
        guard version >= 0 else { throw .notKVM(path: path) }
        guard version == Self.expectedAPIVersion else {
            throw .apiVersion(found: version, expected: Self.expectedAPIVersion)
        }
    }

    /// KVM_CHECK_EXTENSION: 0 when absent, otherwise a capability-specific value.
    public func check(_ capability: KVMCapability) -> Int32 {
        max(0, ckvm_ioctl_val(descriptor.rawValue, CKVM_CHECK_EXTENSION, UInt(capability.number)))
    }

    /// Throws naming the first capability in `capabilities` that KVM lacks.
    public func require(_ capabilities: [KVMCapability] = KVMCapability.required) throws(KVMError) {
        for capability in capabilities where check(capability) == 0 {
            throw .missingCapability(capability)
        }
    }

    /// Size of each vCPU's shared `kvm_run` area.
    public func vcpuMapSize() throws(KVMError) -> Int {
        let size = ckvm_ioctl_val(descriptor.rawValue, CKVM_GET_VCPU_MMAP_SIZE, 0)
        guard size > 0 else { throw .ioctlFailed(name: "KVM_GET_VCPU_MMAP_SIZE", errno: errno) }
        return Int(size)
    }

    public func createVirtualMachine() throws(KVMError) -> VirtualMachine {
        let fd = ckvm_ioctl_val(descriptor.rawValue, CKVM_CREATE_VM, 0)
        guard fd >= 0 else { throw .ioctlFailed(name: "KVM_CREATE_VM", errno: errno) }
        return VirtualMachine(descriptor: OwnedDescriptor(fd), system: self)
    }
}
