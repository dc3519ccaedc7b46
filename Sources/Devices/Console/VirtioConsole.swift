import GuestMemory
import Synchronization
import LittleEndian

/// A multiport virtio-console (device id 3) carrying a container's stdio
/// and control channel. Guest → host bytes go to sinks; host → guest bytes
/// wait in per-port buffers until the guest posts receive buffers.
public final class VirtioConsole: VirtioDevice {
    public static let multiport: UInt64 = 1 << 1
    public static let controlReceiveQueue = 2
    public static let controlTransmitQueue = 3
    /// Control events waiting for receive buffers; more means a driver
    /// that never posts them.
    static let maximumPendingControl = 256

    public let deviceType: UInt32 = 3
    public let features: UInt64 = VirtioFeature.version1 | VirtioConsole.multiport
    public let queueCount = 2 + 2 * ConsolePort.allCases.count

    /// Decides what to answer a control message with (READY → START, …),
    /// and learns the outcome (EXITED). Never calls back into the console.
    public typealias ControlHandler = @Sendable (GuestControlMessage) -> [GuestControlMessage]

    struct State {
        /// Host → guest bytes per port, and whole messages for the control queue.
        var pending: [ConsolePort: [UInt8]] = [:]
        var pendingControl: [[UInt8]] = []
        var portsAnnounced = false
        /// PORT_READY answered (once per port: a flood must not grow anything).
        var portsReady: Set<ConsolePort> = []
        var openedByHost: Set<ConsolePort> = []
        /// Linux drops data for a port no guest process has open, so
        /// nothing is delivered until the guest's PORT_OPEN.
        var openedByGuest: Set<ConsolePort> = []
        var stdinEnded = false
        var stdinClosed = false
        var decoder = GuestControlDecoder()
    }

    private let sinks: [ConsolePort: any OutputSink]
    private let handler: ControlHandler
    private let state = Mutex(State())

    /// `sinks` receive what the guest writes to each port (console, stdout,
    /// stderr); `handler` gets the control port's messages.
    public init(sinks: [ConsolePort: any OutputSink], handler: @escaping ControlHandler) {
        self.sinks = sinks
        self.handler = handler
    }

    public func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
        // cols u16, rows u16, max_nr_ports u32, emerg_wr u32
        var config = [UInt8](repeating: 0, count: 12)
        config.replaceSubrange(4..<8, with: UInt32(ConsolePort.allCases.count).littleEndianBytes)
        copyConfig(config, at: offset, into: data)
    }

    public func activate(_ context: VirtioContext) throws(VirtioError) {}

    /// Linux posts a page per receive entry at probe: at 256 entries on each
    /// of the six receive queues that was 6 MiB of guest memory and ~25 ms of
    /// an icount boot. Input (stdin, the terminal, init's control channel)
    /// keeps 128 KiB in flight; control events wait on the host side; the
    /// output ports never receive. Transmit queues keep the full size.
    public func maximumQueueSize(_ queue: Int) -> UInt16 {
        if queue == Self.controlReceiveQueue { return 16 }
        guard let port = ConsolePort.receiving(on: queue) else { return Virtqueue.maximumSize }
        switch port {
        case .console, .stdin, .control: return 32
        case .stdout, .stderr: return 4
        }
    }

    /// A driver reset forgets the guest side; host input that already
    /// arrived (stdin and its EOF) stays for the next driver.
    public func reset() {
        state.withLock { state in
            var fresh = State()
            fresh.pending[.stdin] = state.pending[.stdin]
            fresh.pending[.console] = state.pending[.console]
            fresh.stdinEnded = state.stdinEnded
            state = fresh
        }
    }

    // MARK: Host side

    /// Bytes for the process: its stdin port, or the terminal (port 0) with --tty.
    public func enqueueInput(_ bytes: [UInt8], on port: ConsolePort = .stdin) {
        state.withLock { $0.pending[port, default: []] += bytes }
    }

    /// The host's stdin ended: after the last byte the guest sees EOF.
    public func endStdin() {
        state.withLock { $0.stdinEnded = true }
    }

    public func pendingInputBytes(on port: ConsolePort = .stdin) -> Int {
        state.withLock { $0.pending[port]?.count ?? 0 }
    }

    /// A control message for the guest (SIGNAL, WINSIZE, …).
    public func send(_ message: GuestControlMessage) {
        state.withLock { $0.pending[.control, default: []] += message.encoded }
    }

    /// Moves whatever is pending into the guest's receive buffers.
    public func deliverPending(_ context: VirtioContext) throws(VirtioError) {
        try state.withLock { state throws(VirtioError) in try deliver(&state, context) }
    }

    // MARK: Guest side

    public func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError) {
        try state.withLock { state throws(VirtioError) in
            if queue == Self.controlTransmitQueue {
                try drainControlQueue(&state, context)
            } else if let port = ConsolePort.transmitting(on: queue) {
                try drain(port, &state, context)
            }
            try deliver(&state, context)
        }
    }

    /// Hands each chain the guest queued on transmit `queue` to `body`, one
    /// at a time, and returns it used. A queue the driver never made ready
    /// (so never validated) is left alone.
    private func forEachTransmitted(
        _ queue: Int, _ context: VirtioContext, while hasRoom: () -> Bool = { true }, _ body: (DescriptorChain) throws(VirtioError) -> Void
    ) throws(VirtioError) {
        guard context.queues[queue].ready else { return }
        var used = false
        while hasRoom(), let chain = try context.queues[queue].popAvailable(from: context.memory) {
            try body(chain)
            try context.queues[queue].pushUsed(head: chain.head, written: 0, to: context.memory)
            used = true
        }
        if used { context.interrupt(queue) }
    }

    /// A full sink leaves the rest queued until `drain` is called again;
    /// `everything` ignores that (the process has exited: its last output
    /// must not stay behind in the ring).
    private func drain(_ port: ConsolePort, _ state: inout State, _ context: VirtioContext, everything: Bool = false) throws(VirtioError) {
        let sink = sinks[port]
        try forEachTransmitted(port.transmitQueue, context, while: { everything || sink?.acceptsMore ?? true }) { chain throws(VirtioError) in
            guard port == .control else {
                // Straight from guest memory to the sink, which bounds what it keeps.
                try chain.forEachReadable(in: context.memory) { chunk throws(VirtioError) in sink?.write(chunk) }
                return
            }
            try chain.forEachReadable(in: context.memory) { chunk throws(VirtioError) in
                for message in try state.decoder.feed(chunk) {
                    if case .exited = message {
                        // Everything the process wrote is queued by now: hand it over first.
                        try drain(.console, &state, context, everything: true)
                        try drain(.stdout, &state, context, everything: true)
                        try drain(.stderr, &state, context, everything: true)
                    }
                    for reply in handler(message) { state.pending[.control, default: []] += reply.encoded }
                }
            }
        }
    }

    private func drainControlQueue(_ state: inout State, _ context: VirtioContext) throws(VirtioError) {
        try forEachTransmitted(Self.controlTransmitQueue, context) { chain throws(VirtioError) in
            let bytes = chain.readAll(from: context.memory, limit: ConsoleControlEvent.size)
            guard bytes.count == ConsoleControlEvent.size else { return }
            let id = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
            let event = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
            let value = UInt16(bytes[6]) | UInt16(bytes[7]) << 8
            try handleControlEvent(ConsoleControlEvent(rawValue: event), id: id, value: value, &state)
        }
    }

    private func handleControlEvent(_ event: ConsoleControlEvent?, id: UInt32, value: UInt16, _ state: inout State) throws(VirtioError) {
        guard state.pendingControl.count < Self.maximumPendingControl else {
            throw VirtioError("\(Self.maximumPendingControl) control events wait for receive buffers the driver never posts")
        }
        switch event {
        case .deviceReady where value == 1 && !state.portsAnnounced:
            state.portsAnnounced = true
            for port in ConsolePort.allCases {
                state.pendingControl.append(ConsoleControlEvent.deviceAdd.message(port: port.rawValue, value: 0))
            }
        case .portReady where value == 1:
            guard let port = ConsolePort(rawValue: id), state.portsReady.insert(port).inserted else { return }
            if port == .console {
                state.pendingControl.append(ConsoleControlEvent.consolePort.message(port: id, value: 1))
            }
            if let name = port.name {
                state.pendingControl.append(ConsoleControlEvent.portName.message(port: id, value: 1, extra: Array(name.utf8)))
            }
            state.pendingControl.append(ConsoleControlEvent.portOpen.message(port: id, value: 1))
            state.openedByHost.insert(port)
        case .portOpen:
            guard let port = ConsolePort(rawValue: id) else { return }
            if value == 1 { state.openedByGuest.insert(port) } else { state.openedByGuest.remove(port) }
        default:
            break  // the rest need no answer
        }
    }

    /// Fills receive buffers: control events one per buffer, port data as
    /// a stream; then, once stdin's last byte is in, closes the port (EOF).
    private func deliver(_ state: inout State, _ context: VirtioContext) throws(VirtioError) {
        while !state.pendingControl.isEmpty, let chain = try takeReceiveChain(Self.controlReceiveQueue, &state, context) {
            let message = state.pendingControl.removeFirst()
            let written = chain.write(message[...], to: context.memory)
            try context.queues[Self.controlReceiveQueue].pushUsed(head: chain.head, written: UInt32(written), to: context.memory)
            context.interrupt(Self.controlReceiveQueue)
        }
        for port in [ConsolePort.console, .stdin, .control] where state.openedByHost.contains(port)
            && (port == .console || state.openedByGuest.contains(port)) {
            while let bytes = state.pending[port], !bytes.isEmpty, let chain = try takeReceiveChain(port.receiveQueue, &state, context) {
                let written = chain.write(bytes[...], to: context.memory)
                state.pending[port] = Array(bytes.dropFirst(written))
                try context.queues[port.receiveQueue].pushUsed(head: chain.head, written: UInt32(written), to: context.memory)
                context.interrupt(port.receiveQueue)
            }
        }
        if state.stdinEnded, !state.stdinClosed, state.openedByHost.contains(.stdin), state.openedByGuest.contains(.stdin),
           state.pending[.stdin, default: []].isEmpty {
            state.stdinClosed = true
            state.pendingControl.append(ConsoleControlEvent.portOpen.message(port: ConsolePort.stdin.rawValue, value: 0))
            try deliver(&state, context)
        }
    }

    /// Only called with data in hand, so a chain taken is always filled.
    private func takeReceiveChain(_ queue: Int, _ state: inout State, _ context: VirtioContext) throws(VirtioError) -> DescriptorChain? {
        guard context.queues[queue].ready, let chain = try context.queues[queue].popAvailable(from: context.memory) else { return nil }
        guard chain.writableCapacity > 0 else {
            throw VirtioError("receive buffer \(chain.head) on queue \(queue) has no device-writable space")
        }
        return chain
    }
}
