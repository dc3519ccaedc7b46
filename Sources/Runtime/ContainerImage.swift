import Glibc
import GuestImage
import HostFiles
import Machine

/// The initramfs of a container: our init and the process description;
/// when no root filesystem is shared (`vmm run` without a bundle or
/// --rootfs), busybox too, so the initramfs itself can be the root.
public enum ContainerImage {
    static let busyboxPath = "/bin/busybox"
    static let applets = [
        "sh", "ash", "echo", "cat", "ls", "printf", "sleep", "env", "id", "true", "false", "uname", "hostname",
        "pwd", "stty", "tty", "mount", "ps", "kill", "grep", "head", "tail", "wc", "test", "[", "mkdir", "rm",
    ]

    static func initramfs(for spec: ContainerSpec, user: String?) throws(CommandFailure) -> PiecewiseImage {
        let initBinary = try sized(try GuestInit.path(), what: "guest init")
        var process = spec.process
        if let user {
            let (uid, gid) = try parseUser(user)
            process.uid = uid
            process.gid = gid ?? process.gid
        }
        // Without a root filesystem the initramfs is the root: give it busybox.
        let extra = spec.rootfs == nil && access(busyboxPath, R_OK) == 0
            ? GuestInitramfs.busybox(try sized(busyboxPath, what: "busybox"), applets: applets) : []
        do {
            return try GuestInitramfs.build(init: initBinary, process: process, extra: extra)
        } catch {
            throw CommandFailure(message: "cannot run that command: \(error)")
        }
    }

    /// Numeric `uid[:gid]`: the initramfs has no user database to look names up in.
    public static func parseUser(_ text: String) throws(CommandFailure) -> (UInt32, UInt32?) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let uid = UInt32(parts[0]) else {
            throw CommandFailure(message: "--user '\(text)' must be numeric uid[:gid] (no user database in the initramfs yet)")
        }
        guard parts.count == 2 else { return (uid, nil) }
        guard let gid = UInt32(parts[1]) else {
            throw CommandFailure(message: "--user '\(text)' must be numeric uid[:gid] (no user database in the initramfs yet)")
        }
        return (uid, gid)
    }

    /// A readable regular file of a size a cpio header can carry; its bytes
    /// are read only when they are copied into guest memory.
    static func sized(_ path: String, what: String) throws(CommandFailure) -> CPIOArchive.HostFile {
        guard access(path, R_OK) == 0 else {
            throw CommandFailure(message: "cannot read \(what) \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
              let file = CPIOArchive.HostFile(path: path, size: UInt64(info.st_size)) else {
            throw CommandFailure(message: "cannot read \(what) \(path): not a regular file under 4 GiB")
        }
        return file
    }
}

/// Finds guest/init: $VMM_INIT, `vmm-init` next to the executable (an
/// installed layout), or guest/build/init in the source tree above it.
public enum GuestInit {
    public static func path() throws(CommandFailure) -> String {
        if let explicit = getenv("VMM_INIT") { return String(cString: explicit) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            var directory = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let sibling = directory.dropLastComponent() + "/vmm-init"
            if access(sibling, X_OK) == 0 { return sibling }
            while directory.count > 1 {
                directory = directory.dropLastComponent()
                let candidate = directory + "/guest/build/init"
                if access(candidate, X_OK) == 0 { return candidate }
            }
        }
        throw CommandFailure(message: "no guest init: build it with `make -C guest`, or set VMM_INIT")
    }
}

extension String {
    func dropLastComponent() -> String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}
