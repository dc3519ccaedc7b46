import GuestMemory
import Synchronization
import Testing
@testable import Devices

final class CountingInterrupt: InterruptLine {
    private let count = Mutex(0)
    func trigger() { count.withLock { $0 += 1 } }
    var triggered: Int { count.withLock { $0 } }
}

/// Collects what callbacks report, from any thread.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func record(_ item: Element) { items.withLock { $0.append(item) } }
    var recorded: [Element] { items.withLock { $0 } }
}

typealias FailureLog = Recorder<String>

/// Plays a virtio driver against a transport through its registers.
struct MMIODriver {
    let transport: VirtioMMIOTransport

    func read(_ offset: UInt64) -> UInt32 {
        var value: UInt32 = 0
        _ = withUnsafeMutableBytes(of: &value) { transport.read(offset: offset, into: $0) }
        return value
    }

    func write(_ offset: UInt64, _ value: UInt32) {
        var copy = value
        _ = withUnsafeBytes(of: &copy) { transport.write(offset: offset, from: $0) }
    }

    /// Negotiates `features` and sets up `rings` (queue index → ring).
    func bringUp(features: UInt64, rings: [Int: TestRing]) {
        write(0x070, 0)
        write(0x070, 1 | 2)  // ACKNOWLEDGE | DRIVER
        for select: UInt32 in 0...1 {
            write(0x024, select)
            write(0x020, UInt32(truncatingIfNeeded: features >> (32 * UInt64(select))))
        }
        write(0x070, 1 | 2 | 8)
        for (index, ring) in rings {
            write(0x030, UInt32(index))
            write(0x038, UInt32(ring.queue.size))
            write(0x080, UInt32(truncatingIfNeeded: ring.queue.descriptorTable))
            write(0x084, UInt32(ring.queue.descriptorTable >> 32))
            write(0x090, UInt32(truncatingIfNeeded: ring.queue.availableRing))
            write(0x094, 0)
            write(0x0A0, UInt32(truncatingIfNeeded: ring.queue.usedRing))
            write(0x0A4, 0)
            write(0x044, 1)
        }
        write(0x070, 1 | 2 | 8 | 4)  // DRIVER_OK
    }
}

/// A device that records notifications and fails on demand.
final class ProbeDevice: VirtioDevice, @unchecked Sendable {
    let deviceType: UInt32 = 42
    let features: UInt64 = VirtioFeature.version1 | 0b101
    let queueCount = 2
    var notified: [Int] = []
    var activated = false

    func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
        for index in 0..<data.count { data[index] = UInt8(truncatingIfNeeded: Int(offset) + index) }
    }

    func activate(_ context: VirtioContext) throws(VirtioError) { activated = true }

    func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError) {
        notified.append(queue)
        _ = try context.queues[queue].popAvailable(from: context.memory)
    }

    func reset() { activated = false }
}

@Suite("virtio-mmio transport")
struct VirtioTransportTests {
    let memory: GuestMemory
    let device = ProbeDevice()
    let interrupt = CountingInterrupt()
    let failures = FailureLog()
    let driver: MMIODriver

    init() throws {
        memory = try GuestMemory(size: 1 << 20)
        let failures = self.failures
        driver = MMIODriver(transport: VirtioMMIOTransport(
            device: device, name: "probe", memory: memory, interrupt: interrupt, onFailure: { failures.record($0) }))
    }

    @Test func identifiesItselfAsVersion2() {
        #expect(driver.read(0x000) == 0x7472_6976)
        #expect(driver.read(0x004) == 2)
        #expect(driver.read(0x008) == 42)
        driver.write(0x014, 0)
        #expect(driver.read(0x010) == 0b101)
        driver.write(0x014, 1)
        #expect(driver.read(0x010) == 1, "VERSION_1 is bit 32")
        driver.write(0x030, 0)
        #expect(driver.read(0x034) == 256)
        driver.write(0x030, 7)
        #expect(driver.read(0x034) == 0, "no such queue")
        var config: UInt16 = 0
        _ = withUnsafeMutableBytes(of: &config) { driver.transport.read(offset: 0x102, into: $0) }
        #expect(config == 0x0302)
    }

    @Test func featuresOKIsWithheldForUnofferedFeaturesOrWithoutVersion1() {
        driver.write(0x070, 3)
        driver.write(0x024, 0)
        driver.write(0x020, 0b010)  // bit 1 is not offered
        driver.write(0x024, 1)
        driver.write(0x020, 1)
        driver.write(0x070, 3 | 8)
        #expect(driver.read(0x070) & 8 == 0)
        driver.write(0x024, 0)
        driver.write(0x020, 0b100)
        driver.write(0x024, 1)
        driver.write(0x020, 0)  // no VERSION_1: legacy drivers are not served
        driver.write(0x070, 3 | 8)
        #expect(driver.read(0x070) & 8 == 0)
    }

    @Test func driverOKActivatesAndNotifyReachesTheDevice() throws {
        var ring = TestRing(memory: memory, size: 8)
        driver.bringUp(features: VirtioFeature.version1 | 1, rings: [1: ring])
        #expect(driver.read(0x070) == 15)
        #expect(device.activated)
        try ring.setDescriptor(0, address: 0x2_0000, length: 4)
        try ring.publish(0)
        driver.write(0x050, 1)
        #expect(device.notified == [1])
        driver.write(0x050, 0)  // not ready: ignored
        driver.write(0x050, 99)  // no such queue: ignored
        #expect(device.notified == [1])
        #expect(failures.recorded.isEmpty)
    }

    @Test func aMalformedChainBreaksTheDeviceNotTheVMM() throws {
        var ring = TestRing(memory: memory, size: 8)
        driver.bringUp(features: VirtioFeature.version1, rings: [0: ring])
        try ring.setDescriptor(0, address: 0xF000_0000, length: 4)
        try ring.publish(0)
        driver.write(0x050, 0)
        #expect(driver.read(0x070) & 0x40 != 0, "DEVICE_NEEDS_RESET")
        #expect(driver.read(0x060) & 2 != 0, "configuration change interrupt")
        #expect(interrupt.triggered == 1)
        #expect(failures.recorded == ["probe: queue 0: descriptor 0: buffer at 0xf0000000 of 4 bytes is outside guest memory"])
        driver.write(0x050, 0)
        #expect(device.notified == [0], "a broken device does no more work")
        driver.write(0x070, 0)
        #expect(driver.read(0x070) == 0, "reset clears it")
    }

    @Test func ringsOutsideMemoryFailActivation() {
        var ring = TestRing(memory: memory, size: 8)
        ring.queue.usedRing = 0xFFFF_0000
        driver.bringUp(features: VirtioFeature.version1, rings: [0: ring])
        #expect(driver.read(0x070) & 0x40 != 0)
        #expect(failures.recorded == ["probe: activation: used ring at 0xffff0000 (70 bytes) is outside guest memory"])
    }

    @Test func interruptsAreAcknowledged() {
        driver.bringUp(features: VirtioFeature.version1, rings: [:])
        driver.transport.withActiveDevice { context in context.raiseUsedBuffer() }
        #expect(driver.read(0x060) == 1)
        driver.write(0x064, 1)
        #expect(driver.read(0x060) == 0)
    }
}
