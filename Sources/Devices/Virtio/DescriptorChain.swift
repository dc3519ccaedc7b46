import GuestMemory

/// One request: the buffers of a descriptor chain, walked and checked up
/// front (loops, bad indices, buffers outside memory, nested indirection).
public struct DescriptorChain: Sendable {
    public struct Buffer: Sendable, Equatable {
        public let address: UInt64
        public let length: UInt32
        /// Device-writable (the driver receives into it).
        public let writable: Bool
    }

    public let head: UInt16
    public let buffers: [Buffer]

    public var readable: [Buffer] { buffers.filter { !$0.writable } }
    public var writable: [Buffer] { buffers.filter(\.writable) }

    init(head: UInt16, queue: Virtqueue, memory: GuestMemory) throws(VirtioError) {
        guard head < queue.size else { throw VirtioError("descriptor index \(head) is past the queue size \(queue.size)") }
        self.head = head
        var buffers: [Buffer] = []
        var table = queue.descriptorTable
        var tableSize = UInt64(queue.size)
        var index = UInt64(head)
        var inIndirect = false
        var visited: UInt64 = 0
        while true {
            visited += 1
            guard visited <= tableSize else { throw VirtioError("descriptor chain from \(head) loops") }
            let entry = table &+ index &* Virtqueue.descriptorSize  // wraps; the loads below refuse it
            let address = try queue.load(UInt64.self, memory, entry, "descriptor \(index)")
            let length = try queue.load(UInt32.self, memory, entry &+ 8, "descriptor \(index)")
            let flags = try queue.load(UInt16.self, memory, entry &+ 12, "descriptor \(index)")
            let next = try queue.load(UInt16.self, memory, entry &+ 14, "descriptor \(index)")

            if flags & Virtqueue.indirect != 0 {
                guard queue.indirectAllowed else { throw VirtioError("descriptor \(index): indirect, but VIRTIO_F_INDIRECT_DESC was not negotiated") }
                guard !inIndirect else { throw VirtioError("descriptor \(index): an indirect table inside an indirect table") }
                let count = UInt64(length) / Virtqueue.descriptorSize
                guard length > 0, UInt64(length) % Virtqueue.descriptorSize == 0, count <= Virtqueue.maximumIndirectEntries else {
                    throw VirtioError("descriptor \(index): indirect table length \(length) is invalid")
                }
                try queue.check(memory, address, UInt64(length), "indirect table of descriptor \(index)")
                table = address
                tableSize = count
                index = 0
                inIndirect = true
                visited = 0
                continue
            }
            try Self.checkBuffer(memory, address, length, index)
            buffers.append(Buffer(address: address, length: length, writable: flags & Virtqueue.write != 0))
            guard flags & Virtqueue.next != 0 else { break }
            guard UInt64(next) < tableSize else { throw VirtioError("descriptor \(index): next index \(next) is past the table size \(tableSize)") }
            index = UInt64(next)
        }
        self.buffers = buffers
    }

    static func checkBuffer(_ memory: GuestMemory, _ address: UInt64, _ length: UInt32, _ index: UInt64) throws(VirtioError) {
        do {
            _ = try memory.pointer(at: address, length: UInt64(length))
        } catch {
            throw VirtioError("descriptor \(index): buffer at 0x\(String(address, radix: 16)) of \(length) bytes is outside guest memory")
        }
    }

    /// The readable buffers in place, in pieces of at most `chunk` bytes:
    /// nothing is copied, so buffers that alias the same guest RAM many
    /// times cost the host no memory.
    public func forEachReadable(in memory: GuestMemory, chunk: Int = 1 << 16, _ body: (UnsafeRawBufferPointer) throws(VirtioError) -> Void) throws(VirtioError) {
        for buffer in readable {
            var offset: UInt64 = 0
            while offset < UInt64(buffer.length) {
                let count = min(UInt64(chunk), UInt64(buffer.length) - offset)
                // Checked when the chain was built; memory does not shrink.
                guard let start = try? memory.pointer(at: buffer.address + offset, length: count) else { return }
                try body(UnsafeRawBufferPointer(start: start, count: Int(count)))
                offset += count
            }
        }
    }

    /// The readable bytes, concatenated, up to `limit` (small requests only).
    public func readAll(from memory: GuestMemory, limit: Int = 1 << 16) -> [UInt8] {
        var bytes: [UInt8] = []
        try? forEachReadable(in: memory) { chunk throws(VirtioError) in
            bytes += chunk.prefix(max(0, limit - bytes.count))
        }
        return bytes
    }

    /// Fills the writable buffers from `bytes`; returns how many it took.
    public func write(_ bytes: ArraySlice<UInt8>, to memory: GuestMemory) -> Int {
        var remaining = bytes
        for buffer in writable where !remaining.isEmpty {
            let chunk = remaining.prefix(Int(buffer.length))
            try? memory.write(Array(chunk), at: buffer.address)
            remaining = remaining.dropFirst(chunk.count)
        }
        return bytes.count - remaining.count
    }

    public var writableCapacity: Int { writable.reduce(0) { $0 + Int($1.length) } }
}
