import Glibc

/// Spawn attributes that start a child with no signal blocked and every
/// handler at its default, whatever the spawning thread had: vmm blocks the
/// signals it forwards, and Dispatch's threads block nearly all (a shell
/// that inherits a blocked SIGCHLD never returns from `wait`).
public func withCleanSpawnSignals<T>(_ body: (UnsafePointer<posix_spawnattr_t>) -> T) -> T {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return body(&attributes)
}
