/// The initramfs a container VM boots: our init as `/init`, the process
/// description at `/vmm/process`, and any extra files (busybox, when no
/// root is shared over virtio-fs and the initramfs is the root). Host files
/// stay in their files until they are copied into guest memory.
public enum GuestInitramfs {
    public static func build(init initBinary: CPIOArchive.HostFile, process: ProcessDescription, extra: [CPIOArchive.Entry] = []) throws(ProcessDescription.ValidationError) -> PiecewiseImage {
        var archive = CPIOArchive([
            .hostFile(path: "init", mode: 0o755, source: initBinary),
            .directory(path: "vmm"),
            .file(path: "vmm/process", mode: 0o600, contents: try process.encoded()),
        ])
        for entry in extra { archive.append(entry) }
        return archive.image
    }

    /// busybox as `/bin/busybox` plus a link per applet: the programs the
    /// initramfs-rooted container can run.
    public static func busybox(_ binary: CPIOArchive.HostFile, applets: [String]) -> [CPIOArchive.Entry] {
        [.directory(path: "bin"), .hostFile(path: "bin/busybox", mode: 0o755, source: binary)]
            + applets.map { .symlink(path: "bin/\($0)", target: "busybox") }
    }
}
