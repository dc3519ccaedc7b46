import Synchronization

/// A 16550-compatible UART, enough for a polled console: transmit goes to
/// `output`, received bytes queue until the guest reads them. No FIFO
/// timing and no interrupt line yet (guests poll LSR).
public final class SerialUART: BusDevice {
    public static let com1Base: UInt64 = 0x3F8
    public static let registerCount: UInt64 = 8

    private struct Registers {
        var interruptEnable: UInt8 = 0
        var lineControl: UInt8 = 0x03  // 8N1
        var modemControl: UInt8 = 0x08  // OUT2
        var scratch: UInt8 = 0
        var divisorLow: UInt8 = 0x0C  // 9600 baud
        var divisorHigh: UInt8 = 0
        var input: [UInt8] = []
        var dlab: Bool { lineControl & 0x80 != 0 }
    }

    // Line status bits.
    static let dataReady: UInt8 = 0x01
    static let transmitterEmpty: UInt8 = 0x60  // THRE | TEMT

    private let output: any OutputSink
    private let registers = Mutex(Registers())

    public init(output: any OutputSink) {
        self.output = output
    }

    /// Queues bytes for the guest to read (host stdin, tests).
    public func enqueueInput(_ bytes: [UInt8]) {
        registers.withLock { $0.input.append(contentsOf: bytes) }
    }

    public func read(offset: UInt64, into data: UnsafeMutableRawBufferPointer) -> DeviceAction {
        guard !data.isEmpty else { return .none }
        let value: UInt8 = registers.withLock { regs in
            switch offset {
            case 0: return regs.dlab ? regs.divisorLow : (regs.input.isEmpty ? 0 : regs.input.removeFirst())
            case 1: return regs.dlab ? regs.divisorHigh : regs.interruptEnable
            case 2: return 0x01  // IIR: no interrupt pending
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
        let transmit: Bool = registers.withLock { regs in
            switch offset {
            case 0:
                if regs.dlab { regs.divisorLow = value } else { return true }
            case 1:
                if regs.dlab { regs.divisorHigh = value } else { regs.interruptEnable = value & 0x0F }
            case 3: regs.lineControl = value
            case 4: regs.modemControl = value & 0x1F
            case 7: regs.scratch = value
            default: break  // FCR and read-only registers
            }
            return false
        }
        if transmit {
            withUnsafeBytes(of: value) { output.write($0) }
        }
        return .none
    }
}
