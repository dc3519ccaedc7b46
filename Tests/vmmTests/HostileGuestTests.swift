import Foundation
import Testing
import TestSupport

/// Guests that attack the host side on purpose (firmware/virtio/virtio_hostile.c),
/// under real KVM: vmm survives each, or stops with one line, never crashes,
/// and its memory stays bounded (docs/security.md).
@Suite("Hostile firmware guests under KVM", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct HostileGuestTests {
    func run(_ guest: String) throws -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["run", "--firmware", try Fixtures.firmware(guest)], standardInput: Data())
    }

    /// Every I/O port written and read at a random width (the debug exit and
    /// the i8042 reset aside), then every offset of eight MMIO windows
    /// (null page, console, empty slots) at every width: the devices take
    /// it or refuse it, and the guest is still there to say so.
    @Test func aStormOnEveryPortAndDeviceRegisterIsSurvived() throws {
        let result = try run("virtio_hostile_registers")
        #expect(result.exitedNormally, "vmm must not crash")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasSuffix("virtio_hostile_registers: survived\n"))
        #expect(result.standardError == "")
    }

    /// 50,000 QueueNotify writes, most of them to queues the device does not
    /// have: ignored, and the console still carries the guest's last line.
    @Test func aNotificationStormIsSurvived() throws {
        let result = try run("virtio_hostile_notify_storm")
        #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "notify storm: survived\n")
        #expect(result.standardError == "")
    }

    /// 32 MiB of output while nobody reads it: vmm holds at most its 4 MiB
    /// of buffer (the guest waits for its queue), then every byte arrives.
    @Test func aConsoleFloodIntoAStalledReaderStaysBoundedAndLosesNothing() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.vmmExecutable)
        process.arguments = ["run", "--firmware", try Fixtures.firmware("virtio_hostile_console_flood")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var peak = 0
        for _ in 0..<30 {  // 3 s of a reader that does not read
            usleep(100_000)
            peak = max(peak, Self.residentKiB(process.processIdentifier) ?? 0)
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(bytes.count == 32 << 20)
        #expect(bytes.allSatisfy { $0 == UInt8(ascii: "x") })
        // Measured 14 MiB: the process, the guest RAM the firmware touches
        // and the output buffer's 4 MiB. Holding the flood would add 32.
        #expect(peak > 0 && peak < 24 << 10, "peak resident set \(peak) KiB while stalled")
    }

    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
