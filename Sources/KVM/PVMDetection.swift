import Glibc

/// How this host's KVM virtualizes: hardware extensions, or PVM
/// (pagetable-based, `kvm_pvm`), which runs real/protected-mode guests but
/// not a stock 64-bit Linux kernel past its first exception.
public enum VirtualizationKind: Equatable, Sendable {
    case hardware(String)
    case pvm
    case unknown

    /// Looks at /sys/module (built-in modules with parameters show there
    /// too), /proc/modules and /proc/cpuinfo; never fails.
    public static func detect(
        sysModulePath: String = "/sys/module", modulesPath: String = "/proc/modules", cpuinfoPath: String = "/proc/cpuinfo"
    ) -> VirtualizationKind {
        if access("\(sysModulePath)/kvm_pvm", F_OK) == 0 { return .pvm }
        if access("\(sysModulePath)/kvm_intel", F_OK) == 0 { return .hardware("Intel VT-x") }
        if access("\(sysModulePath)/kvm_amd", F_OK) == 0 { return .hardware("AMD-V") }
        let modules = readText(modulesPath)
        if modules.split(separator: "\n").contains(where: { $0.hasPrefix("kvm_pvm ") }) { return .pvm }
        if modules.contains("kvm_intel ") { return .hardware("Intel VT-x") }
        if modules.contains("kvm_amd ") { return .hardware("AMD-V") }
        // Built-in modules do not show in /proc/modules: fall back to CPU flags.
        guard let flags = readText(cpuinfoPath).split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            return .unknown
        }
        let words = flags.split(separator: " ")
        if words.contains("vmx") { return .hardware("Intel VT-x") }
        if words.contains("svm") { return .hardware("AMD-V") }
        return .unknown
    }
}

/// Reads a small text file whole; empty on any error.
func readText(_ path: String) -> String {
    guard let file = fopen(path, "r") else { return "" }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
