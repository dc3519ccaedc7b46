import GuestMemory
import LittleEndian
import Synchronization

/// virtio-net (device id 1) with its frames moved by the VMM: the path
/// for passt, and for a TAP where /dev/vhost-net is missing. No offloads
/// are offered, so each frame fits one MTU-sized receive buffer.
public final class VirtioNetwork: VirtioDevice {
    public static let receiveQueue = 0
    public static let transmitQueue = 1

    public let deviceType = NetworkDeviceConfig.deviceType
    public let features: UInt64
    public let queueCount = 2

    let config: NetworkDeviceConfig
    let port: any FramePort
    let onPortEnded: @Sendable () -> Void

    struct State {
        /// One frame read from the port that waits for a receive buffer.
        var pending: [UInt8]?
        var scratch = [UInt8](repeating: 0, count: NetworkDeviceConfig.headerSize + NetworkDeviceConfig.maximumFrame)
    }

    private let state = Mutex(State())
    private let waiting = Atomic<Bool>(false)

    public init(config: NetworkDeviceConfig, port: any FramePort, onPortEnded: @escaping @Sendable () -> Void = {}) {
        self.config = config
        self.port = port
        self.onPortEnded = onPortEnded
        features = VirtioFeature.version1 | NetworkDeviceConfig.Feature.mac | NetworkDeviceConfig.Feature.mtu
    }

    /// False while a frame waits for the guest to post receive buffers:
    /// the port is not read until it does (back-pressure to the host side).
    public var wantsFrames: Bool { !waiting.load(ordering: .acquiring) }

    public func readConfig(offset: UInt64, into data: UnsafeMutableRawBufferPointer) {
        copyConfig(config.bytes, at: offset, into: data)
    }

    public func activate(_ context: VirtioContext) throws(VirtioError) {}

    public func queueNotified(_ queue: Int, _ context: VirtioContext) throws(VirtioError) {
        switch queue {
        case Self.transmitQueue: try transmit(context)
        case Self.receiveQueue: try receivePending(context)
        default: break
        }
    }

    public func reset() {
        state.withLock { $0.pending = nil }
        waiting.store(false, ordering: .releasing)
    }

    /// Every frame the guest queued goes to the port, header stripped.
    func transmit(_ context: VirtioContext) throws(VirtioError) {
        var sent = false
        while let chain = try context.queues[Self.transmitQueue].popAvailable(from: context.memory) {
            try state.withLock { state throws(VirtioError) in
                let length = try Self.gather(chain, from: context.memory, into: &state.scratch)
                if length > NetworkDeviceConfig.headerSize {
                    state.scratch.withUnsafeBytes { port.send(UnsafeRawBufferPointer(rebasing: $0[NetworkDeviceConfig.headerSize..<length])) }
                }
            }
            try context.queues[Self.transmitQueue].pushUsed(head: chain.head, written: 0, to: context.memory)
            sent = true
        }
        if sent { context.interrupt(Self.transmitQueue) }
    }

    /// Frames from the port into the guest's receive buffers, while both
    /// last (the event loop calls this when the port is readable).
    public func receivePending(_ context: VirtioContext) throws(VirtioError) {
        var delivered = false
        defer { if delivered { context.interrupt(Self.receiveQueue) } }
        while true {
            guard let frame = nextFrame() else { return }
            guard let chain = try context.queues[Self.receiveQueue].popAvailable(from: context.memory) else {
                state.withLock { $0.pending = frame }
                waiting.store(true, ordering: .releasing)
                return
            }
            waiting.store(false, ordering: .releasing)
            var header = [UInt8](repeating: 0, count: NetworkDeviceConfig.headerSize)
            header.replaceSubrange(10..<12, with: UInt16(1).littleEndianBytes)  // num_buffers
            let written = chain.write((header + frame)[...], to: context.memory)
            try context.queues[Self.receiveQueue].pushUsed(head: chain.head, written: UInt32(written), to: context.memory)
            delivered = true
        }
    }

    /// The frame waiting for a buffer, else one read from the port.
    private func nextFrame() -> [UInt8]? {
        state.withLock { state -> [UInt8]? in
            if let pending = state.pending {
                state.pending = nil
                return pending
            }
            let count = state.scratch.withUnsafeMutableBytes { port.receive(into: $0) }
            guard let count else {
                onPortEnded()
                return nil
            }
            return count > 0 ? Array(state.scratch.prefix(count)) : nil
        }
    }

    /// The chain's readable bytes into `buffer`; a frame longer than a
    /// frame can be is a broken driver.
    static func gather(_ chain: DescriptorChain, from memory: GuestMemory, into buffer: inout [UInt8]) throws(VirtioError) -> Int {
        let total = chain.readable.reduce(0) { $0 + Int($1.length) }
        guard total <= NetworkDeviceConfig.headerSize + NetworkDeviceConfig.maximumFrame else {
            throw VirtioError("transmit chain \(chain.head) holds \(total) bytes, more than a frame")
        }
        var length = 0
        let copied = buffer.withUnsafeMutableBytes { out in
            Result { () throws(VirtioError) in
                try chain.forEachReadable(in: memory) { piece throws(VirtioError) in
                    let room = min(piece.count, out.count - length)
                    out.baseAddress!.advanced(by: length).copyMemory(from: piece.baseAddress!, byteCount: room)
                    length += room
                }
            }
        }
        try copied.get()
        return length
    }
}
