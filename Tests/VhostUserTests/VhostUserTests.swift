import Foundation
import GuestMemory
import Testing
import TestSupport
@testable import VhostUser
import LittleEndian

@Suite("vhost-user messages")
struct VhostUserMessageTests {
    @Test func headerAndPayloadLayout() {
        let message = VhostUserMessage(request: VhostUserRequest.setVringNum.rawValue, flags: VhostUserMessage.version,
                                       payload: VhostUserMessage.vringState(index: 1, value: 256))
        #expect(message.encoded == [8, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0])
    }

    @Test func memoryTableCarriesEveryRegion() {
        let table = VhostUserMessage.memoryTable([
            .init(guestAddress: 0, size: 0x1000, hostAddress: 0x7F00_0000_0000, fileOffset: 0, fileDescriptor: 3),
            .init(guestAddress: 1 << 32, size: 0x2000, hostAddress: 0x7F00_0000_1000, fileOffset: 0x1000, fileDescriptor: 3),
        ])
        #expect(table.count == 8 + 2 * 32)
        #expect(table.little32(0) == 2)
        #expect(table.little64(8 + 32) == 1 << 32)
        #expect(table.little64(8 + 32 + 16) == 0x7F00_0000_1000)
        #expect(table.little64(8 + 32 + 24) == 0x1000)
    }

    @Test func vringAddressesAreFrontEndPointers() {
        let bytes = VhostUserMessage.vringAddress(index: 1, descriptors: 0xA, used: 0xB, available: 0xC)
        #expect(bytes.count == 40)
        #expect(bytes.little64(8) == 0xA && bytes.little64(16) == 0xB && bytes.little64(24) == 0xC)
    }
}

/// Against the real virtiofsd: the handshake a VM start performs.
@Suite(
    "vhost-user with virtiofsd",
    .enabled(if: Host.virtiofsd != nil, "needs virtiofsd (apt-get install qemu-system-common)"))
struct VirtiofsdHandshakeTests {
    @Test func negotiatesAndAcceptsTheMemoryTable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vhost-\(UUID().uuidString)")
        let shared = directory.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("fs.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Host.virtiofsd))
        process.arguments = ["--socket-path=\(socket)", "-o", "source=\(shared.path)", "-o", "sandbox=chroot"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }

        let frontend = VhostUserFrontend(connection: try VhostUserConnection(connectingTo: socket))
        try frontend.negotiate()
        #expect(frontend.backendFeatures & (1 << 32) != 0, "VIRTIO_F_VERSION_1")
        #expect(frontend.backendFeatures & VhostUserFeature.protocolFeatures != 0)
        #expect(frontend.protocolFeatures & VhostUserProtocolFeature.replyAck != 0, "REPLY_ACK taken, so every later request is acknowledged")
        let memory = try GuestMemory(size: 16 << 20)
        try frontend.setMemoryTable(memory.regions.map {
            .init(guestAddress: $0.guestAddress, size: $0.size, hostAddress: UInt64(UInt(bitPattern: memory.hostBase)) + $0.fileOffset,
                  fileOffset: $0.fileOffset, fileDescriptor: memory.fileDescriptor)
        })
        try frontend.setFeatures(1 << 32)
    }

    @Test func aMissingSocketIsANamedError() {
        #expect(throws: VhostUserError.connectFailed(path: "/nonexistent/fs.sock", errno: ENOENT)) {
            try VhostUserConnection(connectingTo: "/nonexistent/fs.sock")
        }
    }
}
