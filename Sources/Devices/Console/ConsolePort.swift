import LittleEndian

/// The ports of vmm's multiport console (guest/PROTOCOL.md §2).
public enum ConsolePort: UInt32, CaseIterable, Sendable {
    /// hvc0: the terminal with --tty, kernel messages with --debug.
    case console = 0
    case stdin = 1
    case stdout = 2
    case stderr = 3
    case control = 4

    public var name: String? {
        switch self {
        case .console: nil
        case .stdin: "vmm.stdin"
        case .stdout: "vmm.stdout"
        case .stderr: "vmm.stderr"
        case .control: "vmm.control"
        }
    }

    /// Queue indices: port 0 uses 0/1, the control queues are 2/3, port
    /// n > 0 uses 2 + 2n (receive) and 3 + 2n (transmit).
    public var receiveQueue: Int { self == .console ? 0 : 2 + 2 * Int(rawValue) }
    public var transmitQueue: Int { receiveQueue + 1 }

    public static func transmitting(on queue: Int) -> ConsolePort? {
        allCases.first { $0.transmitQueue == queue }
    }

    public static func receiving(on queue: Int) -> ConsolePort? {
        allCases.first { $0.receiveQueue == queue }
    }
}

/// `struct virtio_console_control` events (virtio 1.1 §5.3.6.2).
enum ConsoleControlEvent: UInt16 {
    case deviceReady = 0
    case deviceAdd = 1
    case deviceRemove = 2
    case portReady = 3
    case consolePort = 4
    case resize = 5
    case portOpen = 6
    case portName = 7

    static let size = 8

    func message(port: UInt32, value: UInt16, extra: [UInt8] = []) -> [UInt8] {
        port.littleEndianBytes + rawValue.littleEndianBytes + value.littleEndianBytes + extra
    }
}
