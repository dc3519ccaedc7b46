/// The initramfs a container VM boots: our init as `/init`, the process
/// description at `/vmm/process`, and any extra files (until virtio-fs
/// carries the container's root, the programs it runs). Host files stay
/// in their files until they are copied into guest memory.
public enum GuestInitramfs {
    /// A host file to put in the image, sized now: `stat` is all that is
    /// read of it before the VM exists.
    public struct HostFile: Sendable, Equatable {
        public let path: String
        public let size: UInt64

        public init(path: String, size: UInt64) {
            self.path = path
            self.size = size
        }
    }

    public static func build(init initBinary: HostFile, process: ProcessDescription, extra: [CPIOArchive.Entry] = []) throws(ProcessDescription.ValidationError) -> PiecewiseImage {
        var archive = CPIOArchive([
            .hostFile(path: "init", mode: 0o755, source: initBinary.path, size: initBinary.size),
            .directory(path: "vmm"),
            .file(path: "vmm/process", mode: 0o600, contents: try process.encoded()),
        ])
        for entry in extra { archive.append(entry) }
        return archive.image
    }

    /// busybox as `/bin/busybox` plus a link per applet: the programs the
    /// initramfs-rooted container can run.
    public static func busybox(_ binary: HostFile, applets: [String]) -> [CPIOArchive.Entry] {
        [.directory(path: "bin"), .hostFile(path: "bin/busybox", mode: 0o755, source: binary.path, size: binary.size)]
            + applets.map { .symlink(path: "bin/\($0)", target: "busybox") }
    }
}
