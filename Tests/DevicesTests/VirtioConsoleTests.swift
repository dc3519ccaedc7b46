import GuestMemory
import Synchronization
import Testing
@testable import Devices

/// Drives the multiport console the way Linux's virtio_console and our
/// init do, and checks every step of guest/PROTOCOL.md's console part.
final class ConsoleHarness: @unchecked Sendable {
    let memory: GuestMemory
    let console: VirtioConsole
    let driver: MMIODriver
    let stdout = CapturingSink(), stderr = CapturingSink(), hvc = CapturingSink()
    let failures = FailureLog()
    let received = Recorder<GuestControlMessage>()
    var rings: [Int: TestRing] = [:]
    var nextBuffer: UInt64 = 0x8_0000
    var nextDescriptor: [Int: UInt16] = [:]
    var usedSeen: [Int: UInt16] = [:]

    /// `wildQueue`: a queue left unready with an available ring at the top
    /// of the address space (a hostile driver).
    init(wildQueue: Int? = nil) throws {
        memory = try GuestMemory(size: 64 << 20)
        let received = self.received
        console = VirtioConsole(sinks: [.console: hvc, .stdout: stdout, .stderr: stderr]) { message in
            received.record(message)
            if case .ready = message { return [.start] }
            return []
        }
        let failures = self.failures
        driver = MMIODriver(transport: VirtioMMIOTransport(
            device: console, name: "virtio-console", memory: memory, interrupt: CountingInterrupt(),
            onFailure: { failures.record($0) }))
        for queue in 0..<console.queueCount where queue != wildQueue {
            // The size Linux would pick: QueueNumMax, up to the harness's 32.
            rings[queue] = TestRing(memory: memory, size: min(32, console.maximumQueueSize(queue)), base: 0x1_0000 + UInt64(queue) * 0x4000)
        }
        if let wildQueue {
            driver.write(0x030, UInt32(wildQueue))
            driver.write(0x090, 0xFFFF_FFFF)
            driver.write(0x094, 0xFFFF_FFFF)
        }
        driver.bringUp(features: VirtioFeature.version1 | VirtioConsole.multiport, rings: rings)
    }

    /// Puts one buffer on `queue`: readable with `bytes`, or writable of `capacity`.
    func post(_ queue: Int, bytes: [UInt8] = [], capacity: UInt32 = 0, notify: Bool = true) throws {
        let address = nextBuffer
        nextBuffer += 0x1_0000
        let index = nextDescriptor[queue, default: 0]
        nextDescriptor[queue] = (index + 1) % rings[queue]!.queue.size
        if capacity > 0 {
            try rings[queue]!.setDescriptor(index, address: address, length: capacity, flags: Virtqueue.write)
        } else {
            try memory.write(bytes, at: address)
            try rings[queue]!.setDescriptor(index, address: address, length: UInt32(bytes.count))
        }
        try rings[queue]!.publish(index)
        if notify { driver.write(0x050, UInt32(queue)) }
    }

    /// What the device wrote into `queue`'s used buffers since last asked.
    func take(_ queue: Int) throws -> [[UInt8]] {
        let ring = rings[queue]!
        var results: [[UInt8]] = []
        while usedSeen[queue, default: 0] != (try ring.usedIndex()) {
            let entry = try ring.usedEntry(usedSeen[queue, default: 0])
            usedSeen[queue, default: 0] &+= 1
            let address = try memory.load(UInt64.self, at: ring.queue.descriptorTable + UInt64(entry.id) * 16)
            results.append(try memory.read(at: address, count: Int(entry.length)))
        }
        return results
    }

    static func control(_ id: UInt32, _ event: UInt16, _ value: UInt16) -> [UInt8] {
        withUnsafeBytes(of: id.littleEndian, Array.init) + withUnsafeBytes(of: event.littleEndian, Array.init) + withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    /// DEVICE_READY, then PORT_READY for every port, as the Linux driver
    /// does; then PORT_OPEN for each, as init opening its ports does.
    func handshake(openPorts: Bool = true) throws {
        for _ in 0..<rings[2]!.queue.size { try post(2, capacity: 64, notify: false) }  // as Linux fills it
        driver.write(0x050, 2)
        try post(3, bytes: Self.control(0, 0, 1))
        for port in ConsolePort.allCases { try post(3, bytes: Self.control(port.rawValue, 3, 1)) }
        if openPorts {
            for port in ConsolePort.allCases { try post(3, bytes: Self.control(port.rawValue, 6, 1)) }
        }
    }
}

@Suite("virtio-console")
struct VirtioConsoleTests {
    @Test func announcesNamesAndOpensEveryPort() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        let events = try harness.take(2)
        let adds = events.prefix(5)
        #expect(adds.map { $0 } == ConsolePort.allCases.map { ConsoleHarness.control($0.rawValue, 1, 0) })
        let rest = Array(events.dropFirst(5))
        #expect(rest.contains(ConsoleHarness.control(0, 4, 1)), "port 0 is the console (hvc0)")
        for port in ConsolePort.allCases {
            #expect(rest.contains(ConsoleHarness.control(port.rawValue, 6, 1)), "PORT_OPEN \(port)")
            if let name = port.name {
                #expect(rest.contains(ConsoleHarness.control(port.rawValue, 7, 1) + Array(name.utf8)), "PORT_NAME \(name)")
            }
        }
        #expect(harness.failures.recorded.isEmpty)
    }

    @Test func stdoutAndStderrArriveSeparatelyAndBinaryClean() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        let binary: [UInt8] = [0, 1, 0xFF, 0x0A, 0x0D, 0x80]
        try harness.post(ConsolePort.stdout.transmitQueue, bytes: Array("out\n".utf8) + binary)
        try harness.post(ConsolePort.stderr.transmitQueue, bytes: Array("err\n".utf8))
        try harness.post(ConsolePort.console.transmitQueue, bytes: Array("kernel says hi\n".utf8))
        #expect(harness.stdout.captured == Array("out\n".utf8) + binary)
        #expect(harness.stderr.text == "err\n")
        #expect(harness.hvc.text == "kernel says hi\n")
        #expect(try harness.take(ConsolePort.stdout.transmitQueue).count == 1, "transmit buffers are returned")
    }

    @Test func readyGetsStartAndExitedIsReported() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        let control = ConsolePort.control
        try harness.post(control.receiveQueue, capacity: 256)
        // READY split across two buffers: the decoder reassembles it.
        let ready = GuestControlMessage.ready.encoded
        try harness.post(control.transmitQueue, bytes: Array(ready.prefix(3)))
        try harness.post(control.transmitQueue, bytes: Array(ready.dropFirst(3)))
        #expect(try harness.take(control.receiveQueue) == [GuestControlMessage.start.encoded])
        try harness.post(control.transmitQueue, bytes: GuestControlMessage.exited(code: 3, signal: 0).encoded)
        #expect(harness.received.recorded == [.ready, .exited(code: 3, signal: 0)])
    }

    @Test func exitedHandsOverPendingOutputFirst() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        // Output queued but not yet notified, then EXITED: the output must not be lost.
        try harness.post(ConsolePort.stdout.transmitQueue, bytes: Array("last words".utf8), notify: false)
        try harness.post(ConsolePort.control.transmitQueue, bytes: GuestControlMessage.exited(code: 0, signal: 0).encoded)
        #expect(harness.stdout.text == "last words")
    }

    @Test func stdinFlowsAndEOFFollowsTheLastByte() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        _ = try harness.take(2)
        harness.console.enqueueInput(Array("abcdef".utf8))
        harness.console.endStdin()
        try harness.post(ConsolePort.stdin.receiveQueue, capacity: 4)
        #expect(try harness.take(ConsolePort.stdin.receiveQueue) == [Array("abcd".utf8)])
        #expect(try harness.take(2).isEmpty, "no EOF while data is pending")
        try harness.post(ConsolePort.stdin.receiveQueue, capacity: 4)
        #expect(try harness.take(ConsolePort.stdin.receiveQueue) == [Array("ef".utf8)])
        #expect(try harness.take(2) == [ConsoleHarness.control(1, 6, 0)], "PORT_OPEN 0 on stdin: EOF")
    }

    @Test func receiveQueuesAreOfferedSmallTransmitQueuesFull() throws {
        let harness = try ConsoleHarness()
        func queueNumMax(_ queue: Int) -> UInt32 {
            harness.driver.write(0x030, UInt32(queue))
            return harness.driver.read(0x034)
        }
        #expect(queueNumMax(VirtioConsole.controlReceiveQueue) == 16)
        #expect(queueNumMax(ConsolePort.stdin.receiveQueue) == 32)
        #expect(queueNumMax(ConsolePort.console.receiveQueue) == 32)
        #expect(queueNumMax(ConsolePort.stdout.receiveQueue) == 4)
        #expect(queueNumMax(ConsolePort.stdout.transmitQueue) == 256)
        #expect(queueNumMax(VirtioConsole.controlTransmitQueue) == 256)
        #expect(queueNumMax(harness.console.queueCount) == 0, "no such queue")
    }

    @Test func aQueueSizedPastItsMaximumBreaksTheDevice() throws {
        let memory = try GuestMemory(size: 1 << 20)
        let failures = FailureLog()
        let console = VirtioConsole(sinks: [:]) { _ in [] }
        let driver = MMIODriver(transport: VirtioMMIOTransport(
            device: console, name: "virtio-console", memory: memory, interrupt: CountingInterrupt(),
            onFailure: { failures.record($0) }))
        let stdout = ConsolePort.stdout.receiveQueue
        driver.bringUp(features: VirtioFeature.version1 | VirtioConsole.multiport,
                       rings: [stdout: TestRing(memory: memory, size: 8, base: 0x1_0000)])
        #expect(failures.recorded == ["virtio-console: activation: queue size 8 is not a power of two between 1 and 4"])
    }

    @Test func aReceiveBufferWithNoRoomBreaksTheDevice() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        harness.console.enqueueInput([1])
        try harness.post(ConsolePort.stdin.receiveQueue, bytes: [0])  // device-readable only
        #expect(harness.failures.recorded == ["virtio-console: queue 4: receive buffer 0 on queue 4 has no device-writable space"])
    }
}

extension VirtioConsoleTests {
    @Test func terminalInputGoesToPortZero() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        harness.console.enqueueInput(Array("ls\r".utf8), on: .console)
        try harness.post(ConsolePort.console.receiveQueue, capacity: 16)
        #expect(try harness.take(ConsolePort.console.receiveQueue) == [Array("ls\r".utf8)])
        #expect(try harness.take(ConsolePort.stdin.receiveQueue).isEmpty)
    }
}

extension VirtioConsoleTests {
    /// Host stdin can arrive before the driver resets the device at boot.
    @Test func inputFromBeforeADriverResetSurvivesIt() throws {
        let harness = try ConsoleHarness()
        harness.console.enqueueInput(Array("early".utf8))
        harness.console.endStdin()
        harness.driver.bringUp(features: VirtioFeature.version1 | VirtioConsole.multiport, rings: harness.rings)
        try harness.handshake()
        _ = try harness.take(2)
        try harness.post(ConsolePort.stdin.receiveQueue, capacity: 16)
        #expect(try harness.take(ConsolePort.stdin.receiveQueue) == [Array("early".utf8)])
        #expect(try harness.take(2) == [ConsoleHarness.control(1, 6, 0)])
    }
}

extension VirtioConsoleTests {
    /// Linux discards data for a port no guest process has opened: the
    /// host holds stdin (and its EOF) until the guest's PORT_OPEN.
    @Test func nothingIsDeliveredBeforeTheGuestOpensThePort() throws {
        let harness = try ConsoleHarness()
        try harness.handshake(openPorts: false)
        _ = try harness.take(2)
        harness.console.enqueueInput(Array("data".utf8))
        harness.console.endStdin()
        try harness.post(ConsolePort.stdin.receiveQueue, capacity: 16)
        #expect(try harness.take(ConsolePort.stdin.receiveQueue).isEmpty)
        #expect(try harness.take(2).isEmpty, "no EOF either")
        try harness.post(3, bytes: ConsoleHarness.control(ConsolePort.stdin.rawValue, 6, 1))
        #expect(try harness.take(ConsolePort.stdin.receiveQueue) == [Array("data".utf8)])
        #expect(try harness.take(2) == [ConsoleHarness.control(1, 6, 0)])
    }

    @Test func aPortReadyFloodIsAnsweredOnce() throws {
        let harness = try ConsoleHarness()
        try harness.handshake()
        let first = try harness.take(2).count
        for _ in 0..<20 { try harness.post(3, bytes: ConsoleHarness.control(1, 3, 1)) }
        #expect(try harness.take(2).isEmpty, "after \(first) events, repeats get nothing")
        #expect(harness.failures.recorded.isEmpty)
    }

    @Test func aDriverThatNeverPostsControlBuffersBreaksTheDevice() throws {
        let harness = try ConsoleHarness()
        try harness.post(3, bytes: ConsoleHarness.control(0, 0, 1))  // DEVICE_READY with no receive buffers
        for round in 0..<60 {
            for port in ConsolePort.allCases { try harness.post(3, bytes: ConsoleHarness.control(port.rawValue, 0, 1)) }
            if !harness.failures.recorded.isEmpty { break }
            _ = round
        }
        // DEVICE_READY is answered once, so the queue stays small: no failure, no growth.
        #expect(harness.failures.recorded.isEmpty)
    }

    /// The reviewer's crash: EXITED while stdout's queue was never made
    /// ready but has wild addresses. The queue is skipped, not walked.
    @Test func exitedWithAnUnreadyWildQueueDoesNotTrap() throws {
        let harness = try ConsoleHarness(wildQueue: ConsolePort.stdout.transmitQueue)
        try harness.handshake()
        try harness.post(ConsolePort.control.transmitQueue, bytes: GuestControlMessage.exited(code: 0, signal: 0).encoded)
        #expect(harness.received.recorded == [.exited(code: 0, signal: 0)])
        #expect(harness.failures.recorded.isEmpty)
    }
}
