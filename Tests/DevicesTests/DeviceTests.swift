import Testing
import Timeline
@testable import Devices

/// One-byte accesses, as a guest's `in`/`out` would make them.
func write(_ device: any BusDevice, _ offset: UInt64, _ value: UInt8) -> DeviceAction {
    var byte = value
    return withUnsafeBytes(of: &byte) { device.write(offset: offset, from: $0) }
}

func read(_ device: any BusDevice, _ offset: UInt64) -> UInt8 {
    var byte: UInt8 = 0
    _ = withUnsafeMutableBytes(of: &byte) { device.read(offset: offset, into: $0) }
    return byte
}

@Suite("Devices")
struct DeviceTests {
    @Test func uartTransmitsToItsSink() {
        let sink = CapturingSink()
        let uart = SerialUART(output: sink)
        for byte in "hi\n".utf8 { _ = write(uart, 0, byte) }
        #expect(sink.text == "hi\n")
        #expect(read(uart, 5) & 0x60 == 0x60, "transmitter always empty")
        #expect(read(uart, 5) & 0x01 == 0, "no data ready")
    }

    @Test func uartDivisorLatchDoesNotTransmit() {
        let sink = CapturingSink()
        let uart = SerialUART(output: sink)
        _ = write(uart, 3, 0x80)  // DLAB on
        _ = write(uart, 0, 0x01)
        _ = write(uart, 1, 0x00)
        #expect(read(uart, 0) == 0x01)
        _ = write(uart, 3, 0x03)  // DLAB off, 8N1
        #expect(sink.captured.isEmpty)
        #expect(read(uart, 3) == 0x03)
    }

    @Test func uartDeliversQueuedInput() {
        let uart = SerialUART(output: CapturingSink())
        uart.enqueueInput([0x41, 0x42])
        #expect(read(uart, 5) & 0x01 == 0x01)
        #expect(read(uart, 0) == 0x41)
        #expect(read(uart, 0) == 0x42)
        #expect(read(uart, 5) & 0x01 == 0)
        #expect(read(uart, 0) == 0)
    }

    @Test func uartInterruptsForTransmitterEmptyAsLinuxsDriverExpects() {
        let sink = CapturingSink()
        let uart = SerialUART(output: sink)
        let irq = CountingInterrupt()
        uart.attach(interrupt: irq)
        #expect(read(uart, 2) == 0x01, "nothing pending before the guest enables anything")
        _ = write(uart, 1, 0x02)  // IER: THRE
        #expect(irq.triggered == 1, "enabling THRE with the register empty interrupts at once")
        #expect(read(uart, 2) == 0x02)
        #expect(read(uart, 2) == 0x01, "reading IIR acknowledged it")
        for byte in "ab".utf8 { _ = write(uart, 0, byte) }
        #expect(irq.triggered == 3, "one interrupt per byte sent")
        #expect(sink.text == "ab")
        _ = write(uart, 1, 0x00)  // IER off: what the polled kernel console does
        #expect(read(uart, 2) == 0x01, "disabling THRE withdraws it")
        _ = write(uart, 0, 0x63)
        #expect(irq.triggered == 3, "no interrupt with THRE disabled")
    }

    @Test func uartInterruptsWhenInputArrivesWithDataAvailableEnabled() {
        let uart = SerialUART(output: CapturingSink())
        let irq = CountingInterrupt()
        uart.attach(interrupt: irq)
        uart.enqueueInput([0x41])
        #expect(irq.triggered == 0, "data interrupt not enabled yet")
        _ = write(uart, 1, 0x01)  // IER: data available
        #expect(irq.triggered == 1, "enabling it with data waiting interrupts")
        #expect(read(uart, 2) == 0x04)
        #expect(read(uart, 0) == 0x41)
        #expect(read(uart, 2) == 0x01)
        uart.enqueueInput([0x42, 0x43])
        #expect(irq.triggered == 2)
        #expect(read(uart, 2) == 0x04, "data stays pending until read")
    }

    @Test func debugExitPassesTheStatusThrough() {
        #expect(write(DebugExit(), 0, 42) == .exit(status: 42))
        #expect(write(DebugExit(), 0, 0) == .exit(status: 0))
    }

    @Test func i8042ResetsOnlyOn0xFE() {
        #expect(write(I8042(), 0, 0xFE) == .reset)
        #expect(write(I8042(), 0, 0xAD) == .none)
    }

    @Test func bootTimerRecordsMarkersInOrder() {
        let timeline = BootTimeline()
        let timer = BootTimer(timeline: timeline)
        for marker: UInt32 in [7, 0x1_0002] {
            var value = marker
            _ = withUnsafeBytes(of: &value) { timer.write(offset: 0, from: $0) }
        }
        let events = timeline.recorded.dropFirst()  // process_start
        #expect(events.map(\.milestone.id) == ["guest_marker_7", "guest_marker_65538"])
        #expect(events.first!.nanoseconds <= events.last!.nanoseconds)
    }

    @Test func aMarkerFloodStopsBeingRecorded() {
        let timeline = BootTimeline()
        let timer = BootTimer(timeline: timeline)
        var value: UInt32 = 1
        for _ in 0..<10_000 { _ = withUnsafeBytes(of: &value) { timer.write(offset: 0, from: $0) } }
        #expect(timeline.recorded.count == 1 + BootTimer.maximumMarkers)
    }

    @Test func tailKeepsTheLastLines() {
        let forwarded = CapturingSink()
        let tail = TailKeepingSink(forwardingTo: forwarded, capacity: 16)
        for line in ["one\n", "two\n", "three\n", "four\n"] {
            Array(line.utf8).withUnsafeBytes { tail.write($0) }
        }
        #expect(forwarded.text == "one\ntwo\nthree\nfour\n")
        #expect(tail.lastLines(2) == ["three", "four"])
    }
}
