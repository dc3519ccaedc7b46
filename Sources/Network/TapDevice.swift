import COS
import Glibc
import OS

/// A TAP device in the calling thread's network namespace, held open:
/// one made here vanishes (with its tc filters) when the last descriptor
/// closes; a persistent one the user made stays theirs.
public final class TapDevice: Sendable {
    public let name: String
    public let index: Int32
    private let descriptor: OwnedDescriptor

    public var fd: Int32 { descriptor.rawValue }

    /// Opens `name` (made if it does not exist). `virtioHeader`: frames
    /// carry the virtio-net header (vhost-net's path); otherwise plain
    /// Ethernet frames, read and written non-blocking by the VMM.
    public init(name: String, virtioHeader: Bool) throws(NetworkError) {
        guard !name.isEmpty, name.utf8.count < Int(IFNAMSIZ), !name.contains("/") else {
            throw NetworkError("TAP name '\(name)' is not a valid interface name (1 to \(IFNAMSIZ - 1) bytes, no '/')")
        }
        var actual = [CChar](repeating: 0, count: Int(IFNAMSIZ))
        let fd = cos_tap_open(name, virtioHeader ? Int32(COS_TAP_VIRTIO_HEADER) : 0, &actual)
        guard fd >= 0 else { throw .system("cannot open the TAP \(name)") }
        descriptor = OwnedDescriptor(fd)
        self.name = String(cString: actual)
        index = Int32(if_nametoindex(self.name))
        if !virtioHeader { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    /// Brings the link up, so frames flow once the guest's side is up too.
    public func setUp() throws(NetworkError) {
        var err = [CChar](repeating: 0, count: 256)
        guard cos_link_set_up(index, &err, err.count) == 0 else {
            throw NetworkError("bringing up \(name): \(String(cString: err))")
        }
    }
}
