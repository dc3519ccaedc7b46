import Boot
import Devices
import GuestMemory
import Glibc
import KVM
import Network
import OS

/// Why a machine could not be built or run. One line each, naming the file
/// or value at fault.
public enum MachineError: Error, CustomStringConvertible {
    case kvm(KVMError)
    /// The host would not give an eventfd, a signalfd or a thread.
    case os(OSError)
    case memory(GuestMemoryError)
    case bus(Bus.Error)
    case fileUnreadable(what: String, path: String, errno: Int32)
    case notARegularFile(what: String, path: String)
    case invalidFirmware(path: String, reason: String)
    case invalidConfiguration(String)
    /// A device found the guest breaking its rules (already named).
    case device(String)
    /// A helper process (virtiofsd) failed; the message names it.
    case helper(String)
    /// Guest init could not start the process.
    case guest(String)
    /// The VM's network card could not be connected on the host side.
    case network(NetworkError)
    /// `file` is "kernel PATH" or "initrd PATH" when the problem is the file's.
    case boot(KernelImageError, file: String?)

    public var description: String {
        switch self {
        case .kvm(let error): error.description
        case .os(let error): error.description
        case .memory(let error): error.description
        case .bus(let error): error.description
        case .fileUnreadable(let what, let path, let err):
            "cannot read \(what) \(path): \(String(cString: strerror(err)))"
        case .notARegularFile(let what, let path): "cannot read \(what) \(path): not a regular file"
        case .invalidFirmware(let path, let reason): "\(path) is not a vmm firmware image: \(reason)"
        case .invalidConfiguration(let reason): reason
        case .device(let reason): reason
        case .helper(let reason): reason
        case .guest(let reason): reason
        case .network(let error): "network: \(error)"
        case .boot(let error, let file): file.map { "\($0) \(error)" } ?? error.description
        }
    }
}

extension MachineError {
    /// A device's set-up failed: the host refused an eventfd or a thread,
    /// or KVM an interrupt or notification registration.
    init(settingUp error: any Error) {
        switch error {
        case let error as OSError: self = .os(error)
        case let error as KVMError: self = .kvm(error)
        case let error as MachineError: self = error
        case let error as NetworkError: self = .network(error)
        default: self = .device("\(error)")
        }
    }
}
