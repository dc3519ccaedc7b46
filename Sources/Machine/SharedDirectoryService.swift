import Glibc

/// The VM's private directory (virtiofsd's socket), removed with the VM.
final class RuntimeDirectory: @unchecked Sendable {
    let path: String

    init(parent: String) throws(MachineError) {
        var template = Array("\(parent)/vmm-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .helper("cannot create the VM's runtime directory in \(parent): \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    deinit {
        // Only what vmm put there: the socket, then the directory itself.
        unlink("\(path)/virtiofsd.sock")
        rmdir(path)
    }

    var socketPath: String { "\(path)/virtiofsd.sock" }
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
        guard let binary = configuration.virtiofsdPath ?? HostReport.findVirtiofsd() else {
            throw .helper("virtiofsd not found on PATH nor at \(HostReport.virtiofsdFallback): apt-get install qemu-system-common")
        }
        guard access(binary, X_OK) == 0 else { throw .helper("virtiofsd \(binary): \(String(cString: strerror(errno)))") }
        directory = try RuntimeDirectory(parent: configuration.runtimeParent)
        virtiofsd = try Virtiofsd(
            binary: binary, directory: shared.path, socketPath: directory.socketPath, readOnly: shared.readOnly, log: configuration.helperLog)
    }

    deinit {
        virtiofsd.stop()
    }
}
