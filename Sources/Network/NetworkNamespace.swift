import COS
import Glibc

/// Moving the calling thread into a network namespace. The monitor does
/// this on its main thread before anything else: the TAP it makes lands
/// there, and /proc/PID/ns/net (what a manager's hook reads) names it.
public enum NetworkNamespace {
    /// Joins the namespace at `path` (/run/netns/NAME, /proc/PID/ns/net).
    public static func join(_ path: String) throws(NetworkError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("cannot open the network namespace \(path)") }
        defer { close(fd) }
        guard cos_join_network_namespace(fd) == 0 else { throw .system("cannot join the network namespace \(path)") }
    }

    /// A new, empty namespace of the thread's own.
    public static func create() throws(NetworkError) {
        guard cos_new_network_namespace() == 0 else { throw .system("cannot make a network namespace") }
    }
}
