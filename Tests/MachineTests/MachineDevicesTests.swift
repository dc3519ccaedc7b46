import Foundation
import Testing
import TestSupport
@testable import Machine

/// The device list: slots, the kernel's view of them, the refusals.
@Suite("Machine devices")
struct MachineDevicesTests {
    @Test func slotsFollowTheListFromTheConsolesAddress() {
        // firmware/README.md puts the console at 0xD0001000, GSI 5.
        #expect(VirtioSlot(index: 0).base == 0xD000_1000)
        #expect(VirtioSlot(index: 0).gsi == 5)
        #expect(VirtioSlot(index: 1).base == 0xD000_2000)
        #expect(VirtioSlot(index: 18).gsi == 23)
        #expect(VirtioSlot.capacity == 19)
        #expect(VirtioSlot.kernelArguments(count: 2) == "virtio_mmio.device=4K@0xd0001000:5 virtio_mmio.device=4K@0xd0002000:6")
        #expect(VirtioSlot.kernelArguments(count: 0) == "")
    }

    @Test func theDefaultListIsTheConsoleAndSharingAddsAFileSystem() {
        var configuration = MachineConfiguration(payload: .firmware(path: "/nonexistent"))
        #expect(configuration.devices.count == 1)
        configuration.share(.init(path: "/srv", readOnly: true))
        guard case .fileSystem(let shared) = configuration.devices.last else {
            Issue.record("no file system after share: \(configuration.devices)")
            return
        }
        #expect(shared.tag == MachineConfiguration.SharedDirectory.rootTag)
        #expect(shared.readOnly)
    }

    @Test func moreDevicesThanInterruptLinesAreRefusedBeforeAnythingStarts() {
        var configuration = MachineConfiguration(payload: .firmware(path: "/nonexistent"))
        configuration.devices = Array(repeating: .console, count: VirtioSlot.capacity + 1)
        #expect(throws: MachineError.self) { try Machine(configuration: configuration).run() }
        do {
            _ = try Machine(configuration: configuration).run()
        } catch {
            #expect(error.description == "20 virtio devices: at most 19 fit the interrupt lines")
        }
    }

    @Test(.enabled(if: Host.hasKVM, Host.noKVMReason), .enabled(if: Host.virtiofsd != nil, "virtiofsd is not installed"))
    func aSharedDirectoryWithoutAnIRQChipIsRefusedAndItsVirtiofsdStopped() throws {
        var configuration = MachineConfiguration(payload: .firmware(path: try Fixtures.firmware("hlt")))
        configuration.stdio.input = nil
        configuration.memoryMiB = 16
        configuration.virtiofsdPath = Host.virtiofsd
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("devices-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        configuration.runtimeParent = parent
        configuration.share(.init(path: "/usr/share"))
        do {
            _ = try Machine(configuration: configuration).run()
            Issue.record("a firmware guest without an irqchip took a shared directory")
        } catch {
            #expect(error.description == "a shared directory needs a guest with an irqchip")
        }
        // virtiofsd gone, its socket and private directory with it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }
}

/// The controller without a console or pause gate: what it refuses, and
/// what it still does (SIGKILL and terminating signals end the VM).
@Suite("Machine controller")
struct MachineControllerTests {
    func controller() throws -> (MachineController, StopLatch) {
        let latch = try StopLatch()
        return (MachineController(channel: nil, pauseGate: nil, latch: latch, lifecycle: .init(), startPreparation: StartPreparation()), latch)
    }

    @Test func requestsItCannotCarryAreRefusedWithTheirReason() throws {
        let (controller, latch) = try controller()
        #expect(throws: MachineController.Refusal.noConsole) { try controller.perform(.start) }
        #expect(throws: MachineController.Refusal.noConsole) { try controller.perform(.kill(signal: SIGTERM)) }
        #expect(throws: MachineController.Refusal.cannotPause) { try controller.perform(.pause) }
        #expect(throws: MachineController.Refusal.notPaused) { try controller.perform(.resume) }
        #expect(!latch.isSet)
        #expect(CommandSocket.reply(to: "pause", controller: controller) == "error: the VM cannot be paused now")
        #expect(CommandSocket.reply(to: "kill x", controller: controller) == "error: bad signal x")
    }

    @Test func sigkillEndsTheVMAsAKilledProcess() throws {
        let (controller, latch) = try controller()
        #expect(CommandSocket.reply(to: "kill 9", controller: controller) == "ok")
        #expect(try latch.wait().get() == .exited(status: 137))
    }

    @Test func aTerminatingSignalBeforeInitIsReadyEndsTheVM() throws {
        let (controller, latch) = try controller()
        controller.forward(signal: SIGTERM)
        #expect(try latch.wait().get() == .exited(status: 143))
    }
}
