import LittleEndian

/// Brings up a vhost-user device: ownership, feature and protocol-feature
/// negotiation, the guest memory table, then each vring. The order is the
/// one real backends (libvhost-user's virtiofsd among them) expect.
public final class VhostUserFrontend: @unchecked Sendable {
    public let connection: VhostUserConnection
    public private(set) var backendFeatures: UInt64 = 0
    public private(set) var protocolFeatures: UInt64 = 0

    public init(connection: VhostUserConnection) {
        self.connection = connection
    }

    /// SET_OWNER, GET_FEATURES, and, when offered, the protocol features
    /// (REPLY_ACK taken so later requests are acknowledged).
    public func negotiate() throws(VhostUserError) {
        try connection.send(.setOwner)
        backendFeatures = try u64(connection.send(.getFeatures, expectsReply: true), .getFeatures)
        guard backendFeatures & VhostUserFeature.protocolFeatures != 0 else { return }
        let offered = try u64(connection.send(.getProtocolFeatures, expectsReply: true), .getProtocolFeatures)
        protocolFeatures = offered & VhostUserProtocolFeature.replyAck
        try connection.send(.setProtocolFeatures, payload: VhostUserMessage.u64(protocolFeatures))
        connection.acknowledgeAll = protocolFeatures & VhostUserProtocolFeature.replyAck != 0
    }

    /// The features the driver acked, plus the protocol-features bit when
    /// the backend has it (it must be acked to keep the extension on).
    public func setFeatures(_ driverFeatures: UInt64) throws(VhostUserError) {
        let features = driverFeatures | (backendFeatures & VhostUserFeature.protocolFeatures)
        try connection.send(.setFeatures, payload: VhostUserMessage.u64(features))
    }

    public func setMemoryTable(_ regions: [VhostUserMemoryRegion]) throws(VhostUserError) {
        try connection.send(.setMemoryTable, payload: VhostUserMessage.memoryTable(regions), fds: regions.map(\.fileDescriptor))
    }

    /// One vring: size, addresses (front-end virtual), start index, the
    /// eventfd the guest kicks (our ioeventfd) and the one the backend
    /// signals (our irqfd), then enable it.
    public func startVring(
        index: UInt32, size: UInt16, descriptors: UInt64, available: UInt64, used: UInt64, kick: Int32, call: Int32
    ) throws(VhostUserError) {
        try connection.send(.setVringNum, payload: VhostUserMessage.vringState(index: index, value: UInt32(size)))
        try connection.send(.setVringAddress, payload: VhostUserMessage.vringAddress(index: index, descriptors: descriptors, used: used, available: available))
        try connection.send(.setVringBase, payload: VhostUserMessage.vringState(index: index, value: 0))
        try connection.send(.setVringCall, payload: VhostUserMessage.u64(UInt64(index)), fds: [call])
        try connection.send(.setVringKick, payload: VhostUserMessage.u64(UInt64(index)), fds: [kick])
        if backendFeatures & VhostUserFeature.protocolFeatures != 0 {
            try connection.send(.setVringEnable, payload: VhostUserMessage.vringState(index: index, value: 1))
        }
    }

    /// GET_VRING_BASE: the backend stops the ring (and says where it got
    /// to), so it no longer touches guest memory the driver reset.
    public func stopVring(index: UInt32) throws(VhostUserError) {
        let previous = connection.acknowledgeAll
        connection.acknowledgeAll = false  // GET requests get their reply, not an ack
        defer { connection.acknowledgeAll = previous }
        _ = try connection.send(.getVringBase, payload: VhostUserMessage.vringState(index: index, value: 0), expectsReply: true)
    }

    private func u64(_ reply: [UInt8], _ request: VhostUserRequest) throws(VhostUserError) -> UInt64 {
        guard reply.count == 8 else { throw .badReply(request: request.name, reason: "\(reply.count) bytes instead of 8") }
        return reply.little64(0)
    }
}
