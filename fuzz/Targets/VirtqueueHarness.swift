import Devices
import GuestMemory

/// Virtqueue chain walking, direct and indirect: a guest's rings and
/// descriptors laid out as the fuzzer likes, then every chain popped,
/// read, written and returned as a device does.
enum VirtqueueHarness {
    static let memorySize = 64 << 10
    static let memory = try! GuestMemory(size: UInt64(memorySize))

    static func run(_ data: [UInt8]) -> Outcome {
        var input = FuzzInput(data)
        var queue = Virtqueue()
        queue.size = input.integer(UInt16.self)
        let flags = input.byte()
        queue.indirectAllowed = flags & 1 != 0
        // Ring addresses in guest RAM, or (flag bits) near the top of the
        // address space, where sums wrap.
        let wild: UInt64 = 0xFFFF_FFFF_FFFF_0000
        queue.descriptorTable = UInt64(input.integer(UInt16.self)) | (flags & 2 != 0 ? wild : 0)
        queue.availableRing = UInt64(input.integer(UInt16.self)) | (flags & 4 != 0 ? wild : 0)
        queue.usedRing = UInt64(input.integer(UInt16.self)) | (flags & 8 != 0 ? wild : 0)
        memory.reset(to: input.rest())
        guard (try? queue.validate(in: memory)) != nil else { return .refused }
        var served = 0
        for _ in 0..<(2 * Int(queue.size) + 1) {
            let popped: DescriptorChain?
            do { popped = try queue.popAvailable(from: memory) } catch { return .refused }
            guard let chain = popped else { break }
            let request = chain.readAll(from: memory, limit: 4096)
            var checksum: UInt8 = 0
            try? chain.forEachReadable(in: memory, chunk: 512) { piece throws(VirtioError) in
                for byte in piece { checksum &+= byte }
            }
            let written = chain.write(ArraySlice(request.reversed() + [checksum]), to: memory)
            guard (try? queue.pushUsed(head: chain.head, written: UInt32(written), to: memory)) != nil else { return .refused }
            served += 1
            _ = queue.wantsInterrupt(memory)
        }
        return served > 0 ? .accepted : .refused
    }
}

extension GuestMemory {
    /// The fuzzer's bytes from address 0, zeros after them: each run starts
    /// from what its input says and nothing a previous run left.
    func reset(to bytes: ArraySlice<UInt8>) {
        let count = min(bytes.count, Int(size))
        try? write(Array(bytes.prefix(count)), at: 0)
        guard count < Int(size), let rest = try? pointer(at: UInt64(count), length: size - UInt64(count)) else { return }
        rest.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size) - count)
    }
}
