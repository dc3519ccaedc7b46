/// The initramfs a container VM boots: our init as `/init`, the process
/// description at `/vmm/process`, and any extra files (until virtio-fs
/// carries the container's root, the programs it runs).
public enum GuestInitramfs {
    public static func build(init initBinary: [UInt8], process: ProcessDescription, extra: [CPIOArchive.Entry] = []) throws(ProcessDescription.ValidationError) -> [UInt8] {
        var archive = CPIOArchive([
            .file(path: "init", mode: 0o755, contents: initBinary),
            .directory(path: "vmm"),
            .file(path: "vmm/process", mode: 0o600, contents: try process.encoded()),
        ])
        for entry in extra { archive.append(entry) }
        return archive.bytes
    }

    /// busybox as `/bin/busybox` plus a link per applet: the programs the
    /// initramfs-rooted container can run.
    public static func busybox(_ binary: [UInt8], applets: [String]) -> [CPIOArchive.Entry] {
        [.directory(path: "bin"), .file(path: "bin/busybox", mode: 0o755, contents: binary)]
            + applets.map { .symlink(path: "bin/\($0)", target: "busybox") }
    }
}
