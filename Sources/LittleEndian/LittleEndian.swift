/// Little-endian byte encoding, the byte order of every wire and memory
/// format vmm speaks (x86 boot structures, virtio, vhost-user, our own).
extension FixedWidthInteger {
    public var littleEndianBytes: [UInt8] { withUnsafeBytes(of: littleEndian, Array.init) }
}

extension Array where Element == UInt8 {
    public func little16(_ offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    public func little32(_ offset: Int) -> UInt32 {
        UInt32(little16(offset)) | UInt32(little16(offset + 2)) << 16
    }

    public func little64(_ offset: Int) -> UInt64 {
        UInt64(little32(offset)) | UInt64(little32(offset + 4)) << 32
    }
}
