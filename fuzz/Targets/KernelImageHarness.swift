import Boot
import GuestMemory

/// The kernel loaders: a file the user names as the kernel, read as an ELF
/// (PVH note, program headers) or a bzImage (setup header), then loaded
/// with an initrd and a command line into guest memory.
enum KernelImageHarness {
    static let memory = try! GuestMemory(size: 32 << 20)

    static func run(_ data: [UInt8]) -> Outcome {
        let loader = LinuxLoader(memory: memory, cpus: 1)
        return (try? loader.load(kernel: data, initrd: [0x30, 0x37, 0x30, 0x37], commandLine: "console=ttyS0")) != nil ? .accepted : .refused
    }
}
