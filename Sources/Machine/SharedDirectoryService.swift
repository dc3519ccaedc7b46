import Glibc

/// The VM's private directory for one virtiofsd (its socket, and for bind
/// mounts the staging directory), removed with the VM.
final class RuntimeDirectory: @unchecked Sendable {
    let path: String
    /// What vmm made in it besides the socket, removed deepest first.
    private var made: [String] = []

    init(parent: String) throws(MachineError) {
        var template = Array("\(parent)/vmm-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .helper("cannot create the VM's runtime directory in \(parent): \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    deinit {
        // Only what vmm put there: the socket and the staged entries, then the directory itself.
        unlink(socketPath)
        for entry in made.reversed() where unlink(entry) != 0 { rmdir(entry) }
        rmdir(path)
    }

    var socketPath: String { "\(path)/virtiofsd.sock" }

    /// An empty directory or file at `name` (a mount point), remembered for removal.
    func make(_ name: String, directory: Bool) throws(MachineError) {
        let entry = "\(path)/\(name)"
        let made = directory ? mkdir(entry, 0o755) : open(entry, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard made >= 0 else { throw .helper("cannot create \(entry): \(String(cString: strerror(errno)))") }
        if !directory { close(made) }
        self.made.append(entry)
    }
}

/// virtiofsd and its runtime directory, torn down in that order (one
/// directory per daemon: several shared directories never collide).
final class SharedDirectoryService: @unchecked Sendable {
    let directory: RuntimeDirectory
    let virtiofsd: Virtiofsd

    /// Starts virtiofsd at once, so it comes up while the VM is built.
    init(_ shared: MachineConfiguration.SharedDirectory, configuration: MachineConfiguration) throws(MachineError) {
        var info = stat()
        guard stat(shared.path, &info) == 0 else {
            throw .helper("root filesystem \(shared.path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .helper("root filesystem \(shared.path): not a directory") }
        let binary = try Self.virtiofsdBinary(configuration)
        directory = try RuntimeDirectory(parent: configuration.runtimeParent)
        virtiofsd = try Virtiofsd(
            binary: binary, directory: shared.path, socketPath: directory.socketPath, readOnly: shared.readOnly, log: configuration.helperLog)
    }

    /// Shares a staging directory whose entries `0`, `1`, … are the
    /// sources, bind-mounted in virtiofsd's own mount namespace: the host's
    /// mount table never sees them, and they vanish with virtiofsd.
    init(binding sources: [MachineConfiguration.BindSource], configuration: MachineConfiguration) throws(MachineError) {
        for source in sources {
            var info = stat()
            guard stat(source.path, &info) == 0 else { throw .helper("bind mount source \(source.path): \(String(cString: strerror(errno)))") }
        }
        let binary = try Self.virtiofsdBinary(configuration)
        directory = try RuntimeDirectory(parent: configuration.runtimeParent)
        try directory.make("binds", directory: true)
        let staging = "\(directory.path)/binds"
        var binds: [Virtiofsd.Bind] = []
        for (index, source) in sources.enumerated() {
            try directory.make("binds/\(index)", directory: source.isDirectory)
            binds.append(.init(source: source.path, target: "\(staging)/\(index)", readOnly: source.readOnly, recursive: source.recursive))
        }
        virtiofsd = try Virtiofsd(
            binary: binary, directory: staging, socketPath: directory.socketPath, readOnly: false, binds: binds, log: configuration.helperLog)
    }

    static func virtiofsdBinary(_ configuration: MachineConfiguration) throws(MachineError) -> String {
        guard let binary = configuration.virtiofsdPath ?? HostReport.findVirtiofsd() else {
            throw .helper("virtiofsd not found on PATH nor at \(HostReport.virtiofsdFallback): apt-get install qemu-system-common")
        }
        guard access(binary, X_OK) == 0 else { throw .helper("virtiofsd \(binary): \(String(cString: strerror(errno)))") }
        return binary
    }

    deinit {
        virtiofsd.stop()
    }
}
