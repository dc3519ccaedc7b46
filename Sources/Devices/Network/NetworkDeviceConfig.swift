import LittleEndian

/// virtio-net's feature bits (virtio 1.1 §5.1.3) and its configuration
/// space: the MAC and MTU the host side chose.
public struct NetworkDeviceConfig: Sendable, Equatable {
    public static let deviceType: UInt32 = 1
    /// The header in front of every frame with VERSION_1 (num_buffers included).
    public static let headerSize = 12
    /// Ethernet frame plus a VLAN tag, for the MTU given; more is a broken driver.
    public static let maximumFrame = 65_550

    public enum Feature {
        public static let checksum: UInt64 = 1 << 0
        public static let guestChecksum: UInt64 = 1 << 1
        public static let mtu: UInt64 = 1 << 3
        public static let mac: UInt64 = 1 << 5
        public static let guestTSO4: UInt64 = 1 << 7
        public static let guestTSO6: UInt64 = 1 << 8
        public static let hostTSO4: UInt64 = 1 << 11
        public static let hostTSO6: UInt64 = 1 << 12
        public static let mergeableReceiveBuffers: UInt64 = 1 << 15
        public static let indirectDescriptors: UInt64 = 1 << 28
        public static let eventIndex: UInt64 = 1 << 29
        /// Checksum and segmentation offloads both ways: large frames
        /// cross a TAP whole (what vhost-net throughput needs).
        public static let offloads = checksum | guestChecksum | guestTSO4 | guestTSO6 | hostTSO4 | hostTSO6
    }

    public var mac: [UInt8]
    public var mtu: UInt16

    public init(mac: [UInt8], mtu: UInt16) {
        self.mac = mac
        self.mtu = mtu
    }

    /// mac[6], status u16, max_virtqueue_pairs u16, mtu u16.
    public var bytes: [UInt8] {
        mac + UInt16(0).littleEndianBytes + UInt16(1).littleEndianBytes + mtu.littleEndianBytes
    }
}
