import Devices
import Testing
import Timeline
import TestSupport
@testable import Machine

/// Each firmware guest under real KVM, in-process, with the console captured.
@Suite("Firmware guests under KVM", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct FirmwareGuestTests {
    func run(_ name: String, cpus: UInt32 = 1) throws -> (MachineOutcome, CapturingSink, BootTimeline) {
        var configuration = MachineConfiguration(payload: .firmware(path: try Fixtures.firmware(name)))
        let console = CapturingSink()
        configuration.console = console
        configuration.stdio.input = nil  // in-process: never the test runner's stdin
        configuration.cpus = cpus
        configuration.memoryMiB = 16
        let outcome = try Machine(configuration: configuration).run()
        return (outcome, console, configuration.timeline)
    }

    @Test func helloPrintsAndExitsZero() throws {
        let (outcome, console, timeline) = try run("hello")
        #expect(outcome == .exited(status: 0))
        #expect(console.text == "Hello from vmm firmware\n")
        let markers = timeline.recorded.map(\.milestone.id).filter { $0.hasPrefix("guest_marker_") }
        #expect(markers == ["guest_marker_1", "guest_marker_2"])
    }

    @Test func hello32RunsInProtectedMode() throws {
        let (outcome, console, _) = try run("hello32")
        #expect(outcome == .exited(status: 0))
        #expect(console.text == "Hello from 32-bit firmware\n")
    }

    @Test func exit42ExitsWith42() throws {
        let (outcome, console, _) = try run("exit42")
        #expect(outcome == .exited(status: 42))
        #expect(outcome.exitStatus == 42)
        #expect(console.captured.isEmpty)
    }

    @Test func hltHaltsCleanly() throws {
        let (outcome, _, _) = try run("hlt")
        #expect(outcome == .halted)
        #expect(outcome.exitStatus == 0)
    }

    @Test func roundtripReachesAllMarkersInOrder() throws {
        let (outcome, _, timeline) = try run("roundtrip")
        #expect(outcome == .exited(status: 0))
        let markers = timeline.recorded.filter { $0.milestone.id.hasPrefix("guest_marker_") }
        #expect(markers.map(\.milestone.id) == ["guest_marker_1", "guest_marker_2", "guest_marker_3"])
        #expect(markers[0].nanoseconds < markers[1].nanoseconds)
        #expect(markers[1].nanoseconds < markers[2].nanoseconds)
    }

    @Test func aTripleFaultIsReportedWithRegisters() throws {
        let (outcome, _, _) = try run("triplefault")
        guard case .crashed(let crash) = outcome else {
            Issue.record("expected a crash, got \(outcome)")
            return
        }
        #expect(crash.exit.contains("SHUTDOWN"))
        #expect(crash.vcpu == 0)
        #expect(crash.registers.contains { $0.hasPrefix("rip=0x1") })
        #expect(crash.registers.contains { $0.contains("cr0=") && $0.contains("cr0=0x0") == false })
        #expect(outcome.exitStatus == GuestCrash.exitStatus)
    }

    @Test func extraVCPUsWithoutAnIRQChipStayParked() throws {
        let (outcome, console, _) = try run("hello", cpus: 4)
        #expect(outcome == .exited(status: 0))
        #expect(console.text == "Hello from vmm firmware\n")
    }
}

@Suite("Machine input checks")
struct MachineInputTests {
    func machine(_ payload: String, memory: UInt64 = 16, cpus: UInt32 = 1, kvm: String = "/dev/kvm") -> Machine {
        var configuration = MachineConfiguration(payload: .firmware(path: payload))
        configuration.memoryMiB = memory
        configuration.cpus = cpus
        configuration.kvmDevicePath = kvm
        return Machine(configuration: configuration)
    }

    @Test func missingFirmwareNamesThePath() {
        #expect { try machine("/nonexistent/fw.bin").run() } throws: { error in
            "\(error)" == "cannot read firmware /nonexistent/fw.bin: No such file or directory"
        }
    }

    @Test func aDirectoryIsNotFirmware() {
        #expect { try machine("/tmp").run() } throws: { error in
            "\(error)".hasPrefix("cannot read firmware /tmp:")
        }
    }

    @Test func zeroMemoryIsRefused() throws {
        let path = try Fixtures.firmware("hello")
        #expect { try machine(path, memory: 0).run() } throws: { error in
            "\(error)".contains("--memory must be at least 1 MiB")
        }
    }

    @Test(arguments: [UInt32(0), 255, 10_000])
    func outOfRangeCPUCountsAreRefused(cpus: UInt32) throws {
        let path = try Fixtures.firmware("hello")
        #expect { try machine(path, cpus: cpus).run() } throws: { error in
            "\(error)".contains("--cpus must be between 1 and 254")
        }
    }

    @Test func aMissingKVMDeviceIsNamed() throws {
        let path = try Fixtures.firmware("hello")
        #expect { try machine(path, kvm: "/nonexistent/kvm").run() } throws: { error in
            "\(error)".hasPrefix("/nonexistent/kvm does not exist")
        }
    }
}
