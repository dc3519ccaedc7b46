import Foundation
import Testing
import TestSupport

/// Bad kernels, initrds and command lines: one line naming the file or
/// the value, status 125, before any guest runs.
@Suite("vmm run --kernel: bad input", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct KernelInputTests {
    func run(_ arguments: String...) -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["run"] + arguments)
    }

    func expectOneLine(_ result: Command.Result, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.exitedNormally, sourceLocation: sourceLocation)
        #expect(result.status == 125, sourceLocation: sourceLocation)
        #expect(result.standardError == "vmm: \(message)\n", sourceLocation: sourceLocation)
        #expect(result.standardOutput == "", sourceLocation: sourceLocation)
    }

    @Test func aFileThatIsNotAKernel() {
        let path = Fixtures.packageRoot.appendingPathComponent("Package.swift").path
        expectOneLine(run("--kernel", path), "kernel \(path) is not a Linux kernel (neither an ELF vmlinux nor a bzImage)")
    }

    @Test func aMissingKernel() {
        expectOneLine(run("--kernel", "/nonexistent/vmlinux"), "cannot read kernel /nonexistent/vmlinux: No such file or directory")
    }

    @Test(.enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
    func aTruncatedBzImage() throws {
        let bzImage = try Data(contentsOf: URL(fileURLWithPath: try #require(Fixtures.builtKernelDirectory) + "/bzImage"))
        let path = try Fixtures.temporaryFile("bzImage", Array(bzImage.prefix(bzImage.count / 2)))
        let result = run("--kernel", path)
        #expect(result.status == 125)
        #expect(result.standardError.hasPrefix("vmm: kernel \(path) is truncated: the header promises "))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test(.enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
    func aTooOldBootProtocol() throws {
        var bzImage = Array(try Data(contentsOf: URL(fileURLWithPath: try #require(Fixtures.builtKernelDirectory) + "/bzImage")))
        bzImage[0x206] = 0x01
        bzImage[0x207] = 0x02  // protocol 2.01
        let path = try Fixtures.temporaryFile("bzImage", bzImage)
        expectOneLine(run("--kernel", path), "kernel \(path) uses boot protocol 2.1; vmm needs 2.12 or newer (64-bit entry)")
    }

    @Test(.enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
    func aCommandLineLongerThanTheKernelAccepts() throws {
        let kernel = try #require(Fixtures.builtKernelDirectory) + "/bzImage"
        let result = run("--kernel", kernel, "--cmdline", String(repeating: "a", count: 3000))
        #expect(result.status == 125)
        // The VMM appends its device list to what the user gave.
        #expect(result.standardError.hasPrefix("vmm: the kernel command line is 30"))
        #expect(result.standardError.hasSuffix(" bytes; the kernel accepts at most 2047\n"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test(.enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
    func anInitrdLargerThanMemory() throws {
        let kernel = try #require(Fixtures.builtKernelDirectory) + "/vmlinux"
        let initrd = try Fixtures.temporaryFile("initrd", [])
        truncate(initrd, 64 << 20)  // sparse: 64 MiB of zeros
        let result = run("--kernel", kernel, "--initrd", initrd, "--memory", "48")
        expectOneLine(result, "initrd \(initrd) does not fit: it needs \(Self.neededMiB(result)) MiB of the 48 MiB of guest RAM below 3 GiB (raise --memory)")
        #expect(Self.neededMiB(result) > 64)
    }

    /// The MiB figure the message reports (kernel end + initrd).
    static func neededMiB(_ result: Command.Result) -> Int {
        guard let range = result.standardError.range(of: "it needs ") else { return -1 }
        return Int(result.standardError[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }
}
