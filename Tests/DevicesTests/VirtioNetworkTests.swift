import Glibc
import GuestMemory
import Testing
@testable import Devices

/// Plays Linux's virtio-net driver against the userspace device, with a
/// real socket pair speaking passt's framing as the host side.
final class NetworkHarness: @unchecked Sendable {
    let memory: GuestMemory
    let device: VirtioNetwork
    let transport: VirtioMMIOTransport
    let driver: MMIODriver
    let failures = FailureLog()
    let host: Int32
    var rings: [Int: TestRing] = [:]
    var nextDescriptor: [Int: UInt16] = [:]
    var nextBuffer: UInt64 = 0x10_0000
    var usedSeen: [Int: UInt16] = [:]

    init() throws {
        memory = try GuestMemory(size: 32 << 20)
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        host = pair[1]
        device = VirtioNetwork(config: NetworkDeviceConfig(mac: [2, 0, 0, 0, 0, 9], mtu: 1500), port: StreamFramePort(socket: pair[0]))
        let failures = self.failures
        transport = VirtioMMIOTransport(
            device: device, name: "virtio-net", memory: memory, interrupt: CountingInterrupt(), onFailure: { failures.record($0) })
        driver = MMIODriver(transport: transport)
        for queue in 0..<2 { rings[queue] = TestRing(memory: memory, size: 16, base: 0x1_0000 + UInt64(queue) * 0x4000) }
        driver.bringUp(features: device.features, rings: rings)
    }

    /// A transmit request: the 12-byte header, then the frame, as two buffers.
    func transmit(_ frame: [UInt8], headerLength: UInt32 = 12) throws {
        let index = nextDescriptor[1, default: 0]
        nextDescriptor[1] = (index + 2) % 16
        let address = nextBuffer
        nextBuffer += 0x2_0000
        try memory.write(frame, at: address + 0x1000)
        try rings[1]!.setDescriptor(index, address: address, length: headerLength, flags: 1, next: index + 1)
        try rings[1]!.setDescriptor(index + 1, address: address + 0x1000, length: UInt32(frame.count))
        try rings[1]!.publish(index)
        driver.write(0x050, 1)
    }

    func postReceiveBuffer(capacity: UInt32 = 1526) throws {
        let index = nextDescriptor[0, default: 0]
        nextDescriptor[0] = (index + 1) % 16
        try rings[0]!.setDescriptor(index, address: nextBuffer, length: capacity, flags: Virtqueue.write)
        nextBuffer += 0x1_0000
        try rings[0]!.publish(index)
        driver.write(0x050, 0)
    }

    func received() throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let ring = rings[0]!
        while usedSeen[0, default: 0] != (try ring.usedIndex()) {
            let entry = try ring.usedEntry(usedSeen[0, default: 0])
            usedSeen[0, default: 0] &+= 1
            let address = try memory.load(UInt64.self, at: ring.queue.descriptorTable + UInt64(entry.id) * 16)
            frames.append(try memory.read(at: address, count: Int(entry.length)))
        }
        return frames
    }

    /// The host side sends one frame, length-prefixed; the event loop's part is played by hand.
    func hostSends(_ frame: [UInt8]) {
        let length = UInt32(frame.count).bigEndian
        let message = withUnsafeBytes(of: length, Array.init) + frame
        #expect(write(host, message, message.count) == message.count)
        transport.withActiveDevice { context throws(VirtioError) in try device.receivePending(context) }
    }

    func hostReceives(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var fd = pollfd(fd: host, events: Int16(POLLIN), revents: 0)
        guard poll(&fd, 1, 2000) > 0 else { return [] }
        let got = read(host, &bytes, count)
        return Array(bytes.prefix(max(0, got)))
    }
}

@Suite("virtio-net, frames through the VMM")
struct VirtioNetworkTests {
    static let frame: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0, 9, 0x88, 0xB5] + Array("hello".utf8)

    @Test func offersMACAndMTUAndShowsThemInConfigSpace() throws {
        let net = try NetworkHarness()
        #expect(net.driver.read(0x008) == 1)
        var config = [UInt8](repeating: 0, count: 12)
        config.withUnsafeMutableBytes { _ = net.transport.read(offset: 0x100, into: $0) }
        #expect(Array(config.prefix(6)) == [2, 0, 0, 0, 0, 9])
        #expect(UInt16(config[10]) | UInt16(config[11]) << 8 == 1500)
        #expect(net.device.features & NetworkDeviceConfig.Feature.offloads == 0)
    }

    @Test func aTransmittedFrameReachesTheHostWithoutItsHeader() throws {
        let net = try NetworkHarness()
        try net.transmit(Self.frame)
        let got = net.hostReceives(count: 4 + Self.frame.count)
        #expect(got == [0, 0, 0, UInt8(Self.frame.count)] + Self.frame)
        #expect(try net.rings[1]!.usedIndex() == 1)
        #expect(net.failures.recorded.isEmpty)
    }

    @Test func aHostFrameArrivesWithAHeaderAndWaitsForBuffers() throws {
        let net = try NetworkHarness()
        net.hostSends(Self.frame)  // no receive buffer yet: held
        #expect(!net.device.wantsFrames)
        #expect(try net.received().isEmpty)
        try net.postReceiveBuffer()
        let frames = try net.received()
        #expect(frames.count == 1)
        #expect(frames.first.map { Array($0.dropFirst(12)) } == Self.frame)
        #expect(frames.first.map { Array($0.prefix(12)) } == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])  // num_buffers 1
        #expect(net.device.wantsFrames)
    }

    @Test func framesCutAnywhereInTheStreamArriveWhole() throws {
        let net = try NetworkHarness()
        for _ in 0..<3 { try net.postReceiveBuffer() }
        let length = UInt32(Self.frame.count).bigEndian
        let message = withUnsafeBytes(of: length, Array.init) + Self.frame
        let twice = message + message
        for piece in [twice.prefix(3), twice[3..<20], twice[20...]] {
            _ = Array(piece).withUnsafeBytes { write(net.host, $0.baseAddress, $0.count) }
            net.transport.withActiveDevice { context throws(VirtioError) in try net.device.receivePending(context) }
        }
        let frames = try net.received()
        #expect(frames.map { Array($0.dropFirst(12)) } == [Self.frame, Self.frame])
    }

    @Test func aTransmitChainLongerThanAFrameResetsTheDeviceNotTheVMM() throws {
        let net = try NetworkHarness()
        try net.transmit([UInt8](repeating: 0, count: 70_000))
        #expect(net.transport.isBroken)
        #expect(net.failures.recorded.first?.contains("more than a frame") == true)
        #expect(net.hostReceives(count: 16).isEmpty)
    }
}
