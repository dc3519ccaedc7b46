import Boot
import Devices
import Foundation
import GuestImage
import Testing
import Timeline
import TestSupport
@testable import Machine

/// Tier 3: our kernel on this host's KVM, checked against what the VMM
/// built. On PVM the kernel stops at its first exception, after printing
/// all of this on its early console; on hardware it goes on booting.
@Suite(
    "Linux boot protocol under KVM",
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct LinuxBootTests {
    static let commandLine = "noxsave earlyprintk=serial,ttyS0 console=ttyS0 vmm.test=\"a b\""

    struct Boot {
        let machine: Machine
        let outcome: MachineOutcome
        let lines: [String]
        let initrdSize: Int
    }

    func boot(_ kernelFile: String, cpus: UInt32, initrdSize: Int = 12_345) throws -> Boot {
        let kernel = try #require(Fixtures.builtKernelDirectory) + "/" + kernelFile
        let initrd = try Fixtures.temporaryFile("initrd", try CPIOArchive([.file(path: "padding", contents: [UInt8](repeating: 7, count: initrdSize))]).bytes)
        var configuration = MachineConfiguration(payload: .linux(.init(kernelPath: kernel, initrdPath: initrd, commandLine: Self.commandLine)))
        configuration.cpus = cpus
        configuration.memoryMiB = 256
        let console = CapturingSink()
        configuration.console = console
        configuration.stdio.input = nil
        let machine = Machine(configuration: configuration)
        let outcome = try machine.run()
        let size = try FileManager.default.attributesOfItem(atPath: initrd)[.size] as? Int ?? 0
        return Boot(machine: machine, outcome: outcome, lines: console.text.split(whereSeparator: \.isNewline).map(String.init), initrdSize: size)
    }

    /// "BIOS-e820: [mem 0x…-0x…] usable" → (first, last, kind)
    static func e820Lines(_ lines: [String]) -> [String] {
        lines.compactMap { line in line.range(of: "BIOS-e820: ").map { String(line[$0.upperBound...]) } }
    }

    static func expectedE820(_ map: [E820Entry]) -> [String] {
        map.map { entry in
            let first = String(entry.address, radix: 16).leftPadded(16)
            let last = String(entry.address + entry.size - 1, radix: 16).leftPadded(16)
            return "[mem 0x\(first)-0x\(last)] \(entry.kind == .ram ? "usable" : "reserved")"
        }
    }

    @Test func vmlinuxThroughPVHShowsOurBootState() throws {
        let boot = try boot("vmlinux", cpus: 3)
        let lines = boot.lines
        #expect(lines.contains { $0.contains("Linux version 6.1.") && $0.contains("-vmm") }, "banner with our version string")
        #expect(boot.machine.kernelCommandLine?.hasPrefix(Self.commandLine + " virtio_mmio.device=") == true)
        #expect(lines.contains { $0.hasSuffix("] Command line: \(boot.machine.kernelCommandLine ?? "?")") }, "our exact command line")
        #expect(Self.e820Lines(lines) == Self.expectedE820(boot.machine.memoryMap))
        #expect(lines.contains { $0.hasSuffix("] Processors: 3") })
        #expect(lines.contains { $0.contains("smpboot: Allowing 3 CPUs") })
        let initrd = try #require(boot.machine.initrdRange)
        let last = initrd.lowerBound + ((UInt64(boot.initrdSize) + 4095) & ~4095) - 1
        let ramdisk = "RAMDISK: [mem 0x\(String(initrd.lowerBound, radix: 16).leftPadded(8))-0x\(String(last, radix: 16).leftPadded(8))]"
        #expect(lines.contains { $0.hasSuffix(ramdisk) }, "expected \(ramdisk)")
        if !Host.hasHardwareVirtualization, case .crashed(let crash) = boot.outcome {
            #expect(crash.exit.contains("INTERNAL_ERROR"), "PVM stops the kernel at its first exception")
        }
    }

    @Test func bzImageThroughThe64BitEntryShowsOurBootState() throws {
        let boot = try boot("bzImage", cpus: 1)
        #expect(boot.lines.contains { $0.contains("Linux version 6.1.") && $0.contains("-vmm") })
        #expect(boot.lines.contains { $0.hasSuffix("] Command line: \(boot.machine.kernelCommandLine ?? "?")") })
        #expect(Self.e820Lines(boot.lines) == Self.expectedE820(boot.machine.memoryMap))
    }
}

/// Tier 5: all the way to a program in the initramfs. Needs hardware
/// virtualization; on PVM it skips with the reason.
@Suite(
    "Full boot to an initramfs program",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct InitramfsFullBootTests {
    @Test func initRunsPrintsItsMarkerAndRebootEndsTheVM() throws {
        let run = try Self.boot("boot_marker.c")
        #expect(run.console.contains("vmm-boot-marker: init ran"))
        #expect(run.outcome == .reset)
        #expect(run.timeline.contains { $0.milestone == .guestMarker(0x100) })
    }

    @Test func aProcessWritingToTheSerialConsoleThroughTheTTYLayerIsNotStuck() throws {
        let run = try Self.boot("tty_writer.c")
        #expect(run.console.contains("vmm-tty: one line through the tty layer"),
                "the 8250 driver waits for the UART's interrupt after each byte")
        #expect(run.outcome == .reset)
    }

    /// Boots the built kernel with Tests/Guests/SOURCE as /init, to its end.
    static func boot(_ source: String) throws -> (console: String, outcome: MachineOutcome, timeline: [BootTimeline.Entry]) {
        let initrd = try initramfs(from: source)
        let kernel = try #require(Fixtures.builtKernelDirectory) + "/vmlinux"
        var configuration = MachineConfiguration(payload: .linux(.init(kernelPath: kernel, initrdPath: initrd, commandLine: "console=ttyS0 reboot=k panic=-1 quiet")))
        let console = CapturingSink()
        configuration.console = console
        let outcome = try Machine(configuration: configuration).run()
        return (console.text, outcome, configuration.timeline.recorded)
    }

    /// An initramfs whose /init is Tests/Guests/SOURCE, compiled static.
    static func initramfs(from source: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-guest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("init").path
        let path = Fixtures.packageRoot.appendingPathComponent("Tests/Guests/" + source).path
        let compile = Command.run("/usr/bin/gcc", ["-static", "-Os", "-o", binary, path])
        try #require(compile.status == 0, "\(compile.standardError)")
        let archive = CPIOArchive([.file(path: "init", mode: 0o755, contents: Array(try Data(contentsOf: URL(fileURLWithPath: binary))))])
        return try Fixtures.temporaryFile("initrd.cpio", try archive.bytes)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
