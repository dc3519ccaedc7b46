import Synchronization

/// A 16550-compatible UART without FIFOs (Linux sees a 16450): transmit goes
/// to `output` at once, received bytes queue until the guest reads them.
/// With an interrupt line attached it raises IRQ 4 the way the chip does:
/// "transmitter empty" when that interrupt is enabled and after each byte,
/// "data available" when input arrives, each reported by IIR until it is
/// read. Without one (firmware guests with no irqchip) the guest polls LSR.
public final class SerialUART: BusDevice {
    public static let com1Base: UInt64 = 0x3F8
    public static let registerCount: UInt64 = 8
    /// The ISA interrupt of COM1 (the MP table wires ISA IRQ n to pin n).
    public static let com1IRQ: UInt32 = 4

    private struct Registers {
        var interruptEnable: UInt8 = 0
        var lineControl: UInt8 = 0x03  // 8N1
        var modemControl: UInt8 = 0x08  // OUT2
        var scratch: UInt8 = 0
        var divisorLow: UInt8 = 0x0C  // 9600 baud
        var divisorHigh: UInt8 = 0
        var input: [UInt8] = []
        /// THRE interrupt pending: set when the holding register empties
        /// with the interrupt enabled, cleared by reading IIR or writing THR.
        var transmitterEmptyPending = false
        var dlab: Bool { lineControl & 0x80 != 0 }

        /// IIR: the highest-priority pending interrupt (data, then THRE).
        mutating func identify() -> UInt8 {
            if interruptEnable & SerialUART.dataAvailableInterrupt != 0, !input.isEmpty { return 0x04 }
            if transmitterEmptyPending {
                transmitterEmptyPending = false  // reading IIR acknowledges THRE
                return 0x02
            }
            return 0x01  // none pending
        }
    }

    // Line status bits.
    static let dataReady: UInt8 = 0x01
    static let transmitterEmpty: UInt8 = 0x60  // THRE | TEMT
    // Interrupt enable bits.
    static let dataAvailableInterrupt: UInt8 = 0x01
    static let transmitterEmptyInterrupt: UInt8 = 0x02

    private let output: any OutputSink
    private let registers = Mutex(Registers())
    private let interrupt = Mutex<(any InterruptLine)?>(nil)

    public init(output: any OutputSink) {
        self.output = output
    }

    /// Connects IRQ 4 (an irqfd in the VMM): from now on the UART interrupts.
    public func attach(interrupt line: any InterruptLine) {
        interrupt.withLock { $0 = line }
    }

    private func raise() {
        interrupt.withLock { $0 }?.trigger()
    }

    /// Queues bytes for the guest to read (host stdin, tests).
    public func enqueueInput(_ bytes: [UInt8]) {
        let notify = registers.withLock { regs in
            let wasEmpty = regs.input.isEmpty
            regs.input.append(contentsOf: bytes)
            return wasEmpty && !bytes.isEmpty && regs.interruptEnable & Self.dataAvailableInterrupt != 0
        }
        if notify { raise() }
    }

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        guard !data.isEmpty else { return .none }
        let value: UInt8 = registers.withLock { regs in
            switch offset {
            case 0: return regs.dlab ? regs.divisorLow : (regs.input.isEmpty ? 0 : regs.input.removeFirst())
            case 1: return regs.dlab ? regs.divisorHigh : regs.interruptEnable
            case 2: return regs.identify()
            case 3: return regs.lineControl
            case 4: return regs.modemControl
            case 5: return Self.transmitterEmpty | (regs.input.isEmpty ? 0 : Self.dataReady)
            case 6: return 0xB0  // MSR: DCD, DSR, CTS: the line is always up
            case 7: return regs.scratch
            default: return 0xFF
            }
        }
        data.store(littleEndian: UInt64(value))
        return .none
    }

    public func write(offset: UInt64, from data: UnsafeRawBufferPointer) -> DeviceAction {
        guard let value = data.first else { return .none }
        let (transmit, notify): (Bool, Bool) = registers.withLock { regs in
            switch offset {
            case 0 where regs.dlab: regs.divisorLow = value
            case 0:
                // The byte leaves at once, so the holding register is empty again.
                regs.transmitterEmptyPending = regs.interruptEnable & Self.transmitterEmptyInterrupt != 0
                return (true, regs.transmitterEmptyPending)
            case 1 where regs.dlab: regs.divisorHigh = value
            case 1:
                let enabled = value & 0x0F & ~regs.interruptEnable
                regs.interruptEnable = value & 0x0F
                if regs.interruptEnable & Self.transmitterEmptyInterrupt == 0 { regs.transmitterEmptyPending = false }
                // Enabling THRE with the holding register empty interrupts at once, as the chip does.
                if enabled & Self.transmitterEmptyInterrupt != 0 { regs.transmitterEmptyPending = true }
                let dataWaiting = enabled & Self.dataAvailableInterrupt != 0 && !regs.input.isEmpty
                return (false, enabled & Self.transmitterEmptyInterrupt != 0 || dataWaiting)
            case 3: regs.lineControl = value
            case 4: regs.modemControl = value & 0x1F
            case 7: regs.scratch = value
            default: break  // FCR and read-only registers
            }
            return (false, false)
        }
        if transmit {
            withUnsafeBytes(of: value) { output.write($0) }
        }
        if notify { raise() }
        return .none
    }
}
