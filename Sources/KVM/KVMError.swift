import Glibc

/// What went wrong in the KVM layer, with the call and errno that failed.
public enum KVMError: Error, CustomStringConvertible, Equatable {
    case deviceMissing(path: String)
    case deviceUnusable(path: String, errno: Int32)
    case notKVM(path: String)
    case apiVersion(found: Int32, expected: Int32)
    case missingCapability(KVMCapability)
    case ioctlFailed(name: String, errno: Int32)
    case mmapFailed(what: String, errno: Int32)

    public var description: String {
        switch self {
        case .deviceMissing(let path):
            return "\(path) does not exist: this host has no KVM (load kvm_intel/kvm_amd, or run on a host with virtualization)"
        case .deviceUnusable(let path, let err):
            return "cannot open \(path): \(KVMError.text(err))"
        case .notKVM(let path):
            return "\(path) is not a KVM device"
        case .apiVersion(let found, let expected):
            return "KVM API version \(found), expected \(expected)"
        case .missingCapability(let capability):
            return "KVM lacks \(capability.name), which vmm needs"
        case .ioctlFailed(let name, let err):
            return "\(name) failed: \(KVMError.text(err))"
        case .mmapFailed(let what, let err):
            return "mapping \(what) failed: \(KVMError.text(err))"
        }
    }

    static func text(_ err: Int32) -> String {
        String(cString: strerror(err))
    }
}
