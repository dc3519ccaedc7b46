import COS
import Glibc
import OS

/// One /dev/vhost-net instance: the host kernel serves a virtio-net
/// device's two rings (receive 0, transmit 1) from and to a TAP. The VMM
/// only hands over guest memory, the rings and their eventfds.
public final class VhostNet: Sendable {
    public static let devicePath = "/dev/vhost-net"
    /// vhost-net's rings: receive, transmit.
    public static let ringCount = 2

    private let descriptor: OwnedDescriptor
    /// What this kernel's vhost-net can serve (virtio feature bits).
    public let features: UInt64

    /// Opens and owns a vhost-net instance (its worker runs in this
    /// process's memory), or says why none is usable.
    public init(path: String = devicePath) throws(NetworkError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open \(path)") }
        descriptor = OwnedDescriptor(fd)
        guard cos_vhost_set_owner(fd) == 0 else { throw .system("vhost-net: VHOST_SET_OWNER") }
        var offered: UInt64 = 0
        guard cos_vhost_get_features(fd, &offered) == 0 else { throw .system("vhost-net: VHOST_GET_FEATURES") }
        features = offered
    }

    /// Whether this host can use vhost-net at all (the device exists and opens).
    public static var isAvailable: Bool {
        let fd = open(devicePath, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    public func setFeatures(_ acked: UInt64) throws(NetworkError) {
        guard cos_vhost_set_features(descriptor.rawValue, acked & features) == 0 else {
            throw .system("vhost-net: VHOST_SET_FEATURES 0x\(String(acked & features, radix: 16))")
        }
    }

    /// Guest RAM ranges: guest physical address, size, and where this process maps it.
    public func setMemory(_ regions: [(guestAddress: UInt64, size: UInt64, hostAddress: UInt64)]) throws(NetworkError) {
        let table = regions.map { cos_vhost_region(guest_address: $0.guestAddress, size: $0.size, host_address: $0.hostAddress) }
        guard cos_vhost_set_memory(descriptor.rawValue, table, Int32(table.count)) == 0 else {
            throw .system("vhost-net: VHOST_SET_MEM_TABLE")
        }
    }

    /// One ring, by host addresses, with the eventfd the guest kicks and the one the kernel signals.
    public func startRing(
        _ index: Int, size: UInt16, descriptors: UInt64, available: UInt64, used: UInt64, kick: Int32, call: Int32
    ) throws(NetworkError) {
        guard cos_vhost_start_ring(descriptor.rawValue, UInt32(index), UInt32(size), descriptors, available, used, kick, call) == 0 else {
            throw .system("vhost-net: setting up ring \(index)")
        }
    }

    /// The TAP whose packets ring `index` carries; -1 lets go of it.
    public func setBackend(_ index: Int, tap: Int32) throws(NetworkError) {
        guard cos_vhost_net_set_backend(descriptor.rawValue, UInt32(index), tap) == 0 else {
            throw .system("vhost-net: VHOST_NET_SET_BACKEND on ring \(index)")
        }
    }

    /// The kernel stops touching ring `index` (a driver reset, teardown).
    public func stopRing(_ index: Int) {
        _ = cos_vhost_net_set_backend(descriptor.rawValue, UInt32(index), -1)
        var last: UInt32 = 0
        _ = cos_vhost_stop_ring(descriptor.rawValue, UInt32(index), &last)
    }
}
