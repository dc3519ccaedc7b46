import Glibc
import KVM
import OS

// seccomp-probe: installs the vCPU threads' syscall filter on itself, shows
// that an allowed syscall still works, then makes one a vCPU thread never
// needs. The filter must kill it there (SIGSYS); "escaped" means it did not.
do {
    try SyscallFilter.installVCPUFilterOnThisThread()
} catch {
    print("install failed: \(error)")
    exit(2)
}
let allowed = Array("allowed\n".utf8)
_ = allowed.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
let forbidden = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "socket"
switch forbidden {
case "open":
    // Refused with EACCES rather than fatal (glibc's lazy overcommit check).
    let refused = open("/etc/hostname", O_RDONLY) < 0 && errno == EACCES
    let line = Array((refused ? "open refused\n" : "open allowed\n").utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    exit(0)
case "socket": _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
case "execve":
    var argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
    _ = execv("/bin/true", &argv)
default: _ = getppid()
}
let escaped = Array("escaped\n".utf8)
_ = escaped.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
exit(0)
