import LittleEndian

/// vhost-user front-end requests (the protocol of QEMU's
/// docs/interop/vhost-user.rst) and their wire format: a 12-byte header
/// (request u32, flags u32, size u32) then `size` bytes of payload.
public enum VhostUserRequest: UInt32, Sendable {
    case getFeatures = 1
    case setFeatures = 2
    case setOwner = 3
    case setMemoryTable = 5
    case setVringNum = 8
    case setVringAddress = 9
    case setVringBase = 10
    case getVringBase = 11
    case setVringKick = 12
    case setVringCall = 13
    case getProtocolFeatures = 15
    case setProtocolFeatures = 16
    case getQueueNum = 17
    case setVringEnable = 18

    var name: String {
        switch self {
        case .getFeatures: "GET_FEATURES"
        case .setFeatures: "SET_FEATURES"
        case .setOwner: "SET_OWNER"
        case .setMemoryTable: "SET_MEM_TABLE"
        case .setVringNum: "SET_VRING_NUM"
        case .setVringAddress: "SET_VRING_ADDR"
        case .setVringBase: "SET_VRING_BASE"
        case .getVringBase: "GET_VRING_BASE"
        case .setVringKick: "SET_VRING_KICK"
        case .setVringCall: "SET_VRING_CALL"
        case .getProtocolFeatures: "GET_PROTOCOL_FEATURES"
        case .setProtocolFeatures: "SET_PROTOCOL_FEATURES"
        case .getQueueNum: "GET_QUEUE_NUM"
        case .setVringEnable: "SET_VRING_ENABLE"
        }
    }
}

public enum VhostUserFeature {
    /// Virtio feature bit 30: the backend speaks the protocol-feature extension.
    public static let protocolFeatures: UInt64 = 1 << 30
}

public enum VhostUserProtocolFeature {
    public static let multipleQueues: UInt64 = 1 << 0
    /// The backend acknowledges requests flagged NEED_REPLY.
    public static let replyAck: UInt64 = 1 << 3
}

struct VhostUserMessage: Equatable {
    static let headerSize = 12
    static let version: UInt32 = 0x1
    static let replyFlag: UInt32 = 0x4
    static let needReplyFlag: UInt32 = 0x8
    /// Vring index field: bit 8 set means "no file descriptor attached".
    static let noFileDescriptor: UInt64 = 1 << 8
    static let maximumPayload = 4096

    var request: UInt32
    var flags: UInt32
    var payload: [UInt8]

    var encoded: [UInt8] {
        request.littleEndianBytes + flags.littleEndianBytes + UInt32(payload.count).littleEndianBytes + payload
    }

    static func header(_ bytes: [UInt8]) -> (request: UInt32, flags: UInt32, size: UInt32) {
        (bytes.little32(0), bytes.little32(4), bytes.little32(8))
    }

    // MARK: Payloads

    static func u64(_ value: UInt64) -> [UInt8] { value.littleEndianBytes }

    /// `struct vhost_vring_state { u32 index; u32 num; }`
    static func vringState(index: UInt32, value: UInt32) -> [UInt8] {
        index.littleEndianBytes + value.littleEndianBytes
    }

    /// `struct vhost_vring_addr`: ring addresses in the front end's address space.
    static func vringAddress(index: UInt32, descriptors: UInt64, used: UInt64, available: UInt64) -> [UInt8] {
        index.littleEndianBytes + UInt32(0).littleEndianBytes + descriptors.littleEndianBytes + used.littleEndianBytes
            + available.littleEndianBytes + UInt64(0).littleEndianBytes
    }

    /// `struct vhost_user_memory`: count, padding, then per region guest
    /// address, size, front-end address, offset in the region's fd.
    static func memoryTable(_ regions: [VhostUserMemoryRegion]) -> [UInt8] {
        var bytes = UInt32(regions.count).littleEndianBytes + UInt32(0).littleEndianBytes
        for region in regions {
            bytes += region.guestAddress.littleEndianBytes + region.size.littleEndianBytes
            bytes += region.hostAddress.littleEndianBytes + region.fileOffset.littleEndianBytes
        }
        return bytes
    }
}

/// One guest RAM region as the backend maps it.
public struct VhostUserMemoryRegion: Equatable, Sendable {
    public let guestAddress: UInt64
    public let size: UInt64
    public let hostAddress: UInt64
    public let fileOffset: UInt64
    public let fileDescriptor: Int32

    public init(guestAddress: UInt64, size: UInt64, hostAddress: UInt64, fileOffset: UInt64, fileDescriptor: Int32) {
        self.guestAddress = guestAddress
        self.size = size
        self.hostAddress = hostAddress
        self.fileOffset = fileOffset
        self.fileDescriptor = fileDescriptor
    }
}

