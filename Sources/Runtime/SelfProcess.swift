import Glibc

/// Starts this same executable (`/proc/self/exe`) again: the OCI monitor,
/// bench's runs.
public enum SelfProcess {
    /// `placing` maps descriptors of ours to the numbers the child gets;
    /// nothing else is inherited that is close-on-exec. On failure errno says
    /// why and the result is nil.
    public static func spawn(_ arguments: [String], placing descriptors: [(ours: Int32, theirs: Int32)]) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in descriptors { posix_spawn_file_actions_adddup2(&actions, descriptor.ours, descriptor.theirs) }
        var argv: [UnsafeMutablePointer<CChar>?] = (["vmm"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/proc/self/exe", &actions, nil, &argv, environ)
        guard result == 0 else {
            errno = result
            return nil
        }
        return pid
    }
}
