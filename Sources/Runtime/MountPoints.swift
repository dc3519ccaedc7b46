import Glibc
import GuestImage
import OCI

/// A read-only root cannot take the mount points its mounts need (podman's
/// /etc/hosts on an image without one): like runc, which makes them before
/// it remounts the root read-only, vmm makes the missing ones in the root
/// on the host first. Only targets that lie on the root itself (not under
/// an earlier mount), walked one component at a time without following
/// symlinks, so nothing outside the root is touched.
enum MountPoints {
    static func create(in root: String, for spec: ContainerSpec) throws(CommandFailure) {
        var covered: [String] = []
        // maskedPaths and readonlyPaths only act on what exists.
        for mount in spec.process.mounts where !mount.type.hasPrefix("vmm:") {
            defer { covered.append(mount.target) }
            guard !covered.contains(where: { mount.target == $0 || mount.target.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else { continue }
            let isFile = bindSourceIsFile(mount, spec)
            try make(mount.target, in: root, asFile: isFile)
        }
    }

    /// A bind mount of a host file needs a file to mount on.
    static func bindSourceIsFile(_ mount: ProcessDescription.Mount, _ spec: ContainerSpec) -> Bool {
        guard mount.flags & 0x1000 != 0, let entry = Int(mount.source), spec.binds.indices.contains(entry) else { return false }
        return !spec.binds[entry].isDirectory
    }

    static func make(_ target: String, in root: String, asFile: Bool) throws(CommandFailure) {
        let components = target.split(separator: "/").map(String.init)
        guard !components.isEmpty, !components.contains("..") else { return }
        var directory = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw failure(target, "cannot open the root \(root)") }
        defer { close(directory) }
        for (index, name) in components.enumerated() {
            let last = index == components.count - 1
            var info = stat()
            if fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                guard errno == ENOENT else { throw failure(target, String(cString: strerror(errno))) }
                let made = last && asFile
                    ? openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
                    : mkdirat(directory, name, 0o755)
                guard made >= 0 else { throw failure(target, String(cString: strerror(errno))) }
                if last && asFile { close(made) }
                if last { return }
            } else if last {
                return
            } else if info.st_mode & S_IFMT == S_IFLNK {
                throw failure(target, "\(name) is a symbolic link in the read-only root")
            }
            let next = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw failure(target, String(cString: strerror(errno))) }
            close(directory)
            directory = next
        }
    }

    static func failure(_ target: String, _ why: String) -> CommandFailure {
        CommandFailure(message: "cannot make the mount point \(target) in the read-only root: \(why)")
    }
}
