import Glibc
import KVM

/// What `vmm check` reports: each thing vmm needs from the host, whether it
/// is there, and what to do when it is not.
public struct HostReport: Sendable {
    public enum Status: String, Sendable {
        case ok, missing, note
    }

    public struct Line: Sendable {
        public let status: Status
        public let subject: String
        public let detail: String
    }

    public private(set) var lines: [Line] = []

    /// True when a firmware guest can run at all.
    public var kvmUsable = false

    public init(kvmDevicePath: String = KVMSystem.defaultPath, kernelCache: String = HostReport.defaultKernelCache) {
        checkKVM(kvmDevicePath)
        checkVirtualization()
        checkVirtiofsd()
        checkKernel(kernelCache)
    }

    /// Lines for what the vmm executable finds next to itself.
    public mutating func addFound(_ subject: String, _ path: String?, missing advice: String) {
        if let path { add(.ok, subject, path) } else { add(.missing, subject, advice) }
    }

    public static var defaultKernelCache: String {
        if let value = getenv("VMM_KERNEL_CACHE") { return String(cString: value) }
        return "/var/cache/vmm/kernel"
    }

    /// Debian ships virtiofsd outside PATH, with QEMU.
    public static let virtiofsdFallback = "/usr/lib/qemu/virtiofsd"

    /// PATH first, then where Debian puts it.
    public static func findVirtiofsd() -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/virtiofsd"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return access(virtiofsdFallback, X_OK) == 0 ? virtiofsdFallback : nil
    }

    public mutating func add(_ status: Status, _ subject: String, _ detail: String) {
        lines.append(Line(status: status, subject: subject, detail: detail))
    }

    mutating func checkKVM(_ path: String) {
        do {
            let system = try KVMSystem(path: path)
            add(.ok, "kvm", "\(path) opened, API version \(KVMSystem.expectedAPIVersion)")
            kvmUsable = true
            let absent = KVMCapability.required.filter { system.check($0) == 0 }
            if absent.isEmpty {
                add(.ok, "capabilities", KVMCapability.allCases.filter { system.check($0) != 0 }.map(\.name).joined(separator: " "))
            } else {
                add(.missing, "capabilities", "KVM lacks \(absent.map(\.name).joined(separator: " ")): upgrade the host kernel")
            }
        } catch {
            add(.missing, "kvm", "\(error)")
        }
    }

    mutating func checkVirtualization() {
        switch VirtualizationKind.detect() {
        case .hardware(let name):
            add(.ok, "virtualization", "\(name): Linux guests boot to the container process")
        case .pvm:
            add(.note, "virtualization", "PVM (kvm_pvm): firmware guests run; a stock Linux kernel stops at its first exception, so containers need a host with VT-x/AMD-V")
        case .unknown:
            add(.note, "virtualization", "could not tell hardware virtualization from PVM")
        }
    }

    mutating func checkVirtiofsd() {
        if let found = Self.findVirtiofsd() {
            add(.ok, "virtiofsd", found)
        } else {
            add(.missing, "virtiofsd", "not on PATH nor at \(Self.virtiofsdFallback): apt-get install qemu-system-common")
        }
    }

    mutating func checkKernel(_ cache: String) {
        if let kernel = Self.findBuiltKernel(in: cache) {
            add(.ok, "kernel", kernel)
        } else {
            add(.missing, "kernel", "no built kernel under \(cache): run kernel/build.sh")
        }
    }

    /// Any `<cache>/<hash>/vmlinux`.
    public static func findBuiltKernel(in cache: String) -> String? {
        guard let directory = opendir(cache) else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            let candidate = "\(cache)/\(name)/vmlinux"
            if access(candidate, R_OK) == 0 { return candidate }
        }
        return nil
    }
}
