import COS
import Glibc
import OS

/// Starts this same executable (`/proc/self/exe`) again: the OCI monitor,
/// bench's runs.
public enum SelfProcess {
    /// `placing` maps descriptors of ours to the numbers the child gets;
    /// nothing else is inherited that is close-on-exec. On failure errno says
    /// why and the result is nil.
    public static func spawn(_ arguments: [String], placing descriptors: [(ours: Int32, theirs: Int32)]) -> pid_t? {
        HostProcess.spawn("/proc/self/exe", ["vmm"] + arguments, placing: descriptors)
    }
}

/// posix_spawn of a host program, with our environment unless one is given.
enum HostProcess {
    static func spawn(
        _ path: String, _ argv: [String], environment: [String]? = nil, directory: String? = nil,
        placing descriptors: [(ours: Int32, theirs: Int32)]
    ) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in descriptors { posix_spawn_file_actions_adddup2(&actions, descriptor.ours, descriptor.theirs) }
        if let directory { _ = cos_spawn_actions_chdir(&actions, directory) }
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = (environment ?? []).map { strdup($0) } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = withCleanSpawnSignals { attributes in
            environment == nil
                ? posix_spawn(&pid, path, &actions, attributes, &cArguments, environ)
                : posix_spawn(&pid, path, &actions, attributes, &cArguments, &cEnvironment)
        }
        guard result == 0 else {
            errno = result
            return nil
        }
        return pid
    }
}
