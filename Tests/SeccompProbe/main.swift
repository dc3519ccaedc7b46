import Glibc
import KVM
import OS

// seccomp-probe KIND CALL: installs the filter of one thread kind on itself,
// shows that an allowed syscall still works, then makes CALL. A call the
// kind never needs must end the process there (the filter's one line);
// "escaped" means it did not. An allowed one reports how it came back.
guard CommandLine.arguments.count == 3, let kind = SyscallFilter.ThreadKind(rawValue: CommandLine.arguments[1]) else {
    print("usage: seccomp-probe vcpu|output-writer|event-loop CALL")
    exit(2)
}
do {
    try SyscallFilter.installOnThisThread(kind)
} catch {
    print("install failed: \(error)")
    exit(2)
}
@Sendable func say(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
say("allowed")
switch CommandLine.arguments[2] {
case "open":
    // Refused with EACCES rather than fatal (glibc's lazy overcommit check).
    say(open("/etc/hostname", O_RDONLY) < 0 && errno == EACCES ? "open refused" : "open allowed")
    exit(0)
case "kvm-run":
    // On the list: reaches the kernel, which refuses the bad descriptor.
    say(ioctl(-1, 0xAE80, 0) < 0 && errno == EBADF ? "KVM_RUN reached the kernel" : "KVM_RUN did not")
    exit(0)
case "tiocsti":
    var byte: CChar = 0x61
    _ = ioctl(0, UInt(TIOCSTI), &byte)
case "kvm-set-user-memory-region":
    _ = ioctl(-1, 0x4020_AE46, 0)
case "socket": _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
case "netlink":
    // The event loop's one kind of socket (the tc redirect undone at the end).
    let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 0)
    say(fd >= 0 ? "netlink socket made" : "netlink socket refused")
    exit(0)
case "thread":
    // A thread (clone3 answers ENOSYS, glibc falls back to clone with CLONE_THREAD).
    let thread = try? NativeThread { say("thread ran") }
    thread?.join()
    if thread == nil { say("thread refused") }
    exit(0)
case "fork": _ = fork()
case "signal-another": _ = kill(1, 0)
case "signal-itself":
    // pthread_kill is tgkill with this process's own pid: the kicks' way.
    say(pthread_kill(pthread_self(), 0) == 0 ? "signalled itself" : "could not signal itself")
    exit(0)
case "execve":
    var argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
    _ = execv("/bin/true", &argv)
default: _ = getppid()
}
say("escaped")
exit(0)
