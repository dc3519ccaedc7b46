import Foundation
import JSON
import Testing
import TestSupport

/// The whole host side of the container channel under real KVM, driven by
/// firmware/virtio: virtio-mmio, split queues, ioeventfd kicks, irqfd
/// interrupts, the multiport console and guest/PROTOCOL.md's control port.
@Suite("virtio-console firmware under KVM", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct VirtioConsoleFirmwareTests {
    func run(_ guest: String, stdin: Data) throws -> Command.Result {
        Command.run(Fixtures.vmmExecutable, ["run", "--firmware", try Fixtures.firmware(guest)], standardInput: stdin)
    }

    @Test func stdinEchoesToStdoutWithSeparateStderrAndTheExitCode() throws {
        let input = Data("hello\0world\n\u{FF}".utf8)
        let result = try run("virtio_console", stdin: input)
        #expect(result.exitedNormally)
        #expect(result.status == 7, "EXITED code 7 on the control port is vmm's status")
        #expect(Data(result.standardOutput.utf8) == input)
        #expect(result.standardError == "stderr: \(input.count) bytes\n")
    }

    @Test func emptyStdinIsAnImmediateEOF() throws {
        let result = try run("virtio_console", stdin: Data())
        #expect(result.status == 7)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "stderr: 0 bytes\n")
    }

    @Test func aMebibyteOfBinaryStdinComesBackByteExact() throws {
        var generator = SystemRandomNumberGenerator()
        let input = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let path = try Fixtures.temporaryFile("stdin", Array(input))
        let output = path + ".out"
        let shell = "'\(Fixtures.vmmExecutable)' run --firmware '\(try Fixtures.firmware("virtio_console"))' < '\(path)' > '\(output)'"
        let result = Command.run("/bin/sh", ["-c", shell])
        #expect(result.status == 7)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == input)
        #expect(result.standardError == "stderr: 1048576 bytes\n")
    }

    @Test(arguments: [
        ("virtio_bad_address", "descriptor 0: buffer at 0xf0000000 of 16 bytes is outside guest memory"),
        ("virtio_bad_length", "descriptor 0: buffer at 0xfff000 of 4294967295 bytes is outside guest memory"),
        ("virtio_bad_wrap", "descriptor 0: buffer at 0xfffffffffffff000 of 4294967295 bytes is outside guest memory"),
        ("virtio_desc_loop", "descriptor chain from 0 loops"),
        ("virtio_avail_jump", "available index jumped from 0 to 21, more than the queue size 16"),
    ])
    func malformedQueuesBreakTheDeviceNotTheVMM(guest: String, reason: String) throws {
        let result = try run(guest, stdin: Data())
        #expect(result.exitedNormally, "vmm must not crash")
        #expect(result.status == 125)
        #expect(result.standardError == "vmm: virtio-console: queue 7: \(reason)\n")
    }
}

extension VirtioConsoleFirmwareTests {
    /// SIGTERM to vmm travels as a SIGNAL control message; the guest ends
    /// with EXITED(-1, 15) and vmm with 128 + 15, like a killed process.
    @Test func aSignalToVMMReachesTheGuest() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.vmmExecutable)
        process.arguments = ["run", "--firmware", try Fixtures.firmware("virtio_console")]
        let input = Pipe()  // held open: the guest waits for stdin's end
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close() }
        input.fileHandleForWriting.write(Data("some input\n".utf8))
        usleep(300_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "vmm handles SIGTERM; it is not killed by it")
        #expect(process.terminationStatus == 143)
    }
}

extension VirtioConsoleFirmwareTests {
    /// `vmm … | head`: the reader leaving ends the VM as SIGPIPE ends a
    /// process (141), with the usual teardown (nothing left behind).
    @Test func aReaderThatGoesAwayEndsTheVMAsSIGPIPEWould() throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runtime) }
        let pipeline = "yes | '\(Fixtures.vmmExecutable)' run --runtime-dir '\(runtime.path)' --rootfs '\(runtime.path)' "
            + "--firmware '\(try Fixtures.firmware("virtio_console"))' | head -c 20 >/dev/null; echo ${PIPESTATUS[1]}"
        let result = Command.run("/bin/bash", ["-c", pipeline])
        #expect(result.standardOutput == "141\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime.path).isEmpty)
    }
}

extension VirtioConsoleFirmwareTests {
    /// A reader that stalls holds up only stdout's own writer: the guest
    /// finishes and vmm handles its exit while nobody reads, and every byte
    /// still arrives, in order, once the reader wakes.
    @Test func aStalledReaderDoesNotStallTheVMM() throws {
        var generator = SystemRandomNumberGenerator()
        let input = Data((0..<(1 << 19)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let path = try Fixtures.temporaryFile("stalled-stdin", Array(input))
        let timeline = path + ".timeline.json"
        let output = path + ".out"
        let shell = "'\(Fixtures.vmmExecutable)' run --timeline=json --timeline-output '\(timeline)' "
            + "--firmware '\(try Fixtures.firmware("virtio_console"))' < '\(path)' | (sleep 4; cat > '\(output)')"
        let result = Command.run("/bin/bash", ["-o", "pipefail", "-c", shell])
        #expect(result.status == 7)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == input)
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: timeline))))
        guard case .array(let events)? = json["events"] else { Issue.record("no events"); return }
        let exited = events.first { $0["id"] == .string("process_exited") }
        guard case .number(let at)? = exited?["at_us"], let microseconds = Int(at) else { Issue.record("no process_exited"); return }
        // The reader sleeps 4 s; blocking writes would put the exit after it.
        #expect(microseconds < 3_000_000)
    }

    /// Past the 1 MiB high-water mark the guest is held back (its buffers
    /// stay queued) and let go again as the reader catches up.
    @Test func backPressureDelaysTheGuestAndLosesNothing() throws {
        var generator = SystemRandomNumberGenerator()
        let input = Data((0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let path = try Fixtures.temporaryFile("pressed-stdin", Array(input))
        let output = path + ".out"
        let shell = "'\(Fixtures.vmmExecutable)' run --firmware '\(try Fixtures.firmware("virtio_console"))' < '\(path)' "
            + "| (sleep 2; cat > '\(output)')"
        let result = Command.run("/bin/bash", ["-o", "pipefail", "-c", shell])
        #expect(result.status == 7)
        #expect(result.standardError == "stderr: 4194304 bytes\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == input)
    }
}
