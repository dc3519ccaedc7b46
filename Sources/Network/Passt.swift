import COS
import Glibc
import OS

/// passt (Debian's `passt`): user-mode networking for `vmm run` with no
/// host set-up. It gets one end of a socket pair as its --fd and speaks
/// length-prefixed Ethernet frames on it; it exits when that closes, and
/// is tethered to vmm (SIGKILL if vmm dies).
public final class Passt: Sendable {
    /// What the guest is told, and passt told to assume: QEMU's user-net
    /// plan, where the gateway address reaches the host's loopback.
    public static let guest = InterfaceConfiguration(
        mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], mtu: 65_520,
        addresses: [InterfaceAddress(cidr: "10.0.2.15/24")!],
        routes: [Route.defaultRoute(via: IPAddress("10.0.2.2")!)])
    public static let defaultPaths = ["/usr/bin/passt", "/usr/local/bin/passt"]

    public let pid: Int32
    /// The VMM's end of the socket pair.
    public let socket: OwnedDescriptor
    let processFD: OwnedDescriptor

    /// Starts passt; `log` gets its messages (-1: none).
    public init(binary: String? = nil, log: Int32 = -1) throws(NetworkError) {
        guard let path = binary ?? Self.defaultPaths.first(where: { access($0, X_OK) == 0 }) else {
            throw NetworkError("passt is not installed (apt-get install passt), which --network passt needs")
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else { throw .system("socketpair for passt") }
        defer { close(pair[1]) }
        let guest = Self.guest
        let arguments = [
            path, "--foreground", "--one-off", log >= 0 ? "--stderr" : "--quiet", "--fd", "3", "--ipv4-only",
            "--address", "\(guest.addresses[0].address)", "--netmask", "\(guest.addresses[0].prefixLength)",
            "--gateway", "\(guest.routes[0].gateway!)", "--mtu", "\(guest.mtu)", "--mac-addr", guest.macText,
            "--no-dhcp", "--no-ndp", "--no-dhcpv6", "--no-ra",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { for pointer in argv + envp { free(pointer) } }
        let pid = cos_spawn_tethered(path, &argv, &envp, log, pair[1], nil, nil, 0)
        guard pid > 0 else {
            close(pair[0])
            throw .system("cannot start \(path)")
        }
        let pidFD = cos_pidfd_open(pid)
        guard pidFD >= 0 else {
            close(pair[0])
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
            throw .system("cannot watch passt (pidfd_open)")
        }
        self.pid = pid
        socket = OwnedDescriptor(pair[0])
        processFD = OwnedDescriptor(pidFD)
    }

    /// Readable once passt has exited.
    public var exitDescriptor: Int32 { processFD.rawValue }

    /// SIGTERM, then SIGKILL after half a second; reaped.
    public func stop() {
        cos_pidfd_send_signal(processFD.rawValue, SIGTERM)
        var fd = pollfd(fd: processFD.rawValue, events: Int16(POLLIN), revents: 0)
        if poll(&fd, 1, 500) <= 0 { cos_pidfd_send_signal(processFD.rawValue, SIGKILL) }
        waitpid(pid, nil, 0)
    }
}
