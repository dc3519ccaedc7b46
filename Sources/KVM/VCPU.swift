import CKVM
import Glibc
import OS

/// One virtual CPU: its fd and its shared `kvm_run` mapping. Run it from a
/// single thread; `kick()` may come from any thread.
public final class VCPU: @unchecked Sendable {
    public let id: UInt32
    let descriptor: OwnedDescriptor
    let run: UnsafeMutablePointer<kvm_run>
    let mapSize: Int

    init(id: UInt32, descriptor: OwnedDescriptor, mapSize: Int) throws(KVMError) {
        let mapping = mmap(nil, mapSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, 0)
        guard let mapping, mapping != MAP_FAILED else { throw .mmapFailed(what: "kvm_run of vCPU \(id)", errno: errno) }
        self.id = id
        self.descriptor = descriptor
        self.mapSize = mapSize
        self.run = mapping.bindMemory(to: kvm_run.self, capacity: 1)
    }

    deinit {
        munmap(run, mapSize)
    }

    var fd: Int32 { descriptor.rawValue }

    /// Enters the guest until the next exit that needs the VMM.
    public func runOnce() throws(KVMError) -> VCPUExit {
        if ckvm_ioctl_val(fd, CKVM_RUN, 0) < 0 {
            let err = errno
            if err == EINTR || err == EAGAIN { return .interrupted }
            throw .ioctlFailed(name: "KVM_RUN", errno: err)
        }
        return decodeExit()
    }

    /// Makes the vCPU leave `KVM_RUN` as soon as possible and stay out:
    /// `immediate_exit` covers the window before entry, the signal the
    /// time inside it.
    public func requestExit() {
        ckvm_run_set_immediate_exit(run, 1)
    }

    /// Lets the vCPU enter the guest again after `requestExit` (a resumed
    /// pause). Call it from the vCPU's own thread.
    public func clearExitRequest() {
        ckvm_run_set_immediate_exit(run, 0)
    }

    func decodeExit() -> VCPUExit {
        let base = UnsafeMutableRawPointer(run)
        let reason = ckvm_run_exit_reason(run)
        switch Int32(reason) {
        case KVM_EXIT_IO:
            let io = ckvm_run_io(run)
            let length = Int(io.size) * Int(io.count)
            // The offset comes from the kernel, but check it against the mapping anyway.
            guard Int(io.data_offset) + length <= mapSize else { return .unknown(reason: reason, hardwareReason: 0) }
            let data = UnsafeMutableRawBufferPointer(start: base + Int(io.data_offset), count: length)
            return .portIO(.init(port: io.port, isWrite: io.direction == KVM_EXIT_IO_OUT, size: Int(io.size), count: Int(io.count), data: data))
        case KVM_EXIT_MMIO:
            let mmio = ckvm_run_mmio(run)
            let data = UnsafeMutableRawBufferPointer(start: ckvm_run_mmio_data(run), count: Int(min(mmio.len, 8)))
            return .mmio(.init(address: mmio.phys_addr, isWrite: mmio.is_write != 0, data: data))
        case KVM_EXIT_HLT:
            return .halt
        case KVM_EXIT_SHUTDOWN:
            return .shutdown
        case KVM_EXIT_INTERNAL_ERROR:
            var words = [UInt64](repeating: 0, count: 16)
            let count = ckvm_run_internal_data(run, &words, UInt32(words.count))
            return .internalError(suberror: ckvm_run_internal_suberror(run), data: Array(words.prefix(Int(count))))
        case KVM_EXIT_FAIL_ENTRY:
            return .failEntry(reason: ckvm_run_fail_entry_reason(run), cpu: ckvm_run_fail_entry_cpu(run))
        case KVM_EXIT_SYSTEM_EVENT:
            return .systemEvent(type: ckvm_run_system_event_type(run))
        case KVM_EXIT_INTR:
            return .interrupted
        default:
            return .unknown(reason: reason, hardwareReason: ckvm_run_hardware_exit_reason(run))
        }
    }
}
