import GuestMemory

/// Where and how the bootstrap vCPU enters the kernel.
public enum LinuxEntryPoint: Equatable, Sendable {
    /// 64-bit boot protocol: long mode, RSI = zero page.
    case long64(rip: UInt64)
    /// PVH: 32-bit protected mode, paging off, EBX = hvm_start_info.
    case pvh(eip: UInt32)
}

/// What the loader did: where to enter, and where the initrd went.
public struct LoadedKernel: Equatable, Sendable {
    public let entry: LinuxEntryPoint
    public let initrd: Range<UInt64>?
}

/// Puts a Linux kernel, its initrd and command line, and the boot tables
/// into guest memory, per the x86 boot protocol.
public struct LinuxLoader {
    public let memory: GuestMemory
    public let cpus: Int

    public init(memory: GuestMemory, cpus: Int) {
        self.memory = memory
        self.cpus = cpus
    }

    /// Below the MMIO gap: where the kernel, initrd and tables must live.
    var lowMemoryEnd: UInt64 { memory.regions[0].end }

    /// The e820 map the guest is given (and tests compare with the kernel's).
    public var memoryMap: [E820Entry] { E820Map.build(for: memory.regions) }

    public func load(kernel bytes: [UInt8], initrd: (any InitrdSource)?, commandLine: String) throws -> LoadedKernel {
        try load(kernel: bytes as any KernelSource, initrd: initrd, commandLine: commandLine)
    }

    /// An ELF is read segment by segment into guest memory; a bzImage (one
    /// compressed blob) is read whole.
    public func load(kernel source: any KernelSource, initrd: (any InitrdSource)?, commandLine: String) throws -> LoadedKernel {
        let magic = source.size >= 4 ? try source.bytes(at: 0, count: 4) : []
        if ELFKernel.looksLikeELF(magic) {
            return try load(ELFKernel(source: source), initrd: initrd, commandLine: commandLine)
        }
        return try load(BzImage(source: source), initrd: initrd, commandLine: commandLine)
    }

    func load(_ kernel: BzImage, initrd: (any InitrdSource)?, commandLine: String) throws -> LoadedKernel {
        let kernelEnd = X86Layout.kernelLoad + max(UInt64(kernel.initSize), UInt64(kernel.kernelRange.count))
        guard kernelEnd <= lowMemoryEnd else { throw KernelImageError.kernelDoesNotFit(bytes: kernelEnd, memoryBytes: lowMemoryEnd) }
        try kernel.source.load(
            at: UInt64(kernel.kernelRange.lowerBound), count: kernel.kernelRange.count, into: memory, guestAddress: X86Layout.kernelLoad)
        let commandLineAddress = try writeCommandLine(commandLine, limit: kernel.commandLineLimit)
        var zeroPage = ZeroPage(setupHeader: kernel.setupHeader)
        zeroPage.setCommandLine(address: commandLineAddress)
        var initrdRange: Range<UInt64>?
        if let initrd {
            let limit = min(lowMemoryEnd, UInt64(kernel.initrdAddressMax) + 1)
            let address = try place(initrd, above: kernelEnd, below: limit)
            zeroPage.setRamdisk(address: address, size: initrd.size)
            initrdRange = address..<(address + initrd.size)
        }
        zeroPage.setE820(memoryMap)
        try memory.write(zeroPage.bytes, at: X86Layout.zeroPage)
        try writeCommonTables()
        return LoadedKernel(entry: .long64(rip: X86Layout.kernelLoad + BzImage.entryOffset), initrd: initrdRange)
    }

    func load(_ kernel: ELFKernel, initrd: (any InitrdSource)?, commandLine: String) throws -> LoadedKernel {
        var kernelEnd = X86Layout.kernelLoad
        for segment in kernel.segments {
            guard segment.physicalAddress >= X86Layout.kernelLoad,
                  segment.physicalAddress <= lowMemoryEnd, segment.memorySize <= lowMemoryEnd - segment.physicalAddress else {
                throw KernelImageError.kernelDoesNotFit(bytes: segment.physicalAddress &+ segment.memorySize, memoryBytes: lowMemoryEnd)
            }
            try kernel.source.load(
                at: UInt64(segment.fileRange.lowerBound), count: segment.fileRange.count, into: memory, guestAddress: segment.physicalAddress)
            kernelEnd = max(kernelEnd, segment.physicalAddress + segment.memorySize)
        }
        let commandLineAddress = try writeCommandLine(commandLine, limit: ELFKernel.commandLineLimit)
        var placedInitrd: (address: UInt64, size: UInt64)?
        if let initrd {
            placedInitrd = (try place(initrd, above: kernelEnd, below: lowMemoryEnd), initrd.size)
        }
        let initrdRange = placedInitrd.map { $0.address..<($0.address + $0.size) }
        try writeCommonTables()
        guard let pvhEntry = kernel.pvhEntry else {
            var zeroPage = ZeroPage()
            zeroPage.setCommandLine(address: commandLineAddress)
            if let placedInitrd { zeroPage.setRamdisk(address: placedInitrd.address, size: placedInitrd.size) }
            zeroPage.setE820(memoryMap)
            try memory.write(zeroPage.bytes, at: X86Layout.zeroPage)
            return LoadedKernel(entry: .long64(rip: kernel.entry), initrd: initrdRange)
        }
        let startInfo = PVHStartInfo.build(
            at: X86Layout.pvhStartInfo, commandLine: commandLineAddress, memoryMap: memoryMap, initrd: placedInitrd)
        try memory.write(startInfo, at: X86Layout.pvhStartInfo)
        return LoadedKernel(entry: .pvh(eip: pvhEntry), initrd: initrdRange)
    }

    /// GDT, IDT, page tables and MP table: the same for every entry.
    func writeCommonTables() throws {
        try BootGDT.write(into: memory)
        try PageTables.writeIdentityMap(into: memory)
        try memory.write(MPTable.build(cpus: cpus), at: X86Layout.mpTable)
    }

    func writeCommandLine(_ commandLine: String, limit: Int) throws -> UInt64 {
        let bytes = Array(commandLine.utf8)
        guard bytes.count <= limit, UInt64(bytes.count) < X86Layout.commandLineCapacity else {
            throw KernelImageError.commandLineTooLong(length: bytes.count, limit: limit)
        }
        try memory.write(bytes + [0], at: X86Layout.commandLine)
        return X86Layout.commandLine
    }

    /// The initrd goes as high as allowed (page-aligned), clear of the kernel.
    func place(_ initrd: any InitrdSource, above kernelEnd: UInt64, below limit: UInt64) throws -> UInt64 {
        let size = initrd.size
        guard size <= limit, (limit - size) & ~0xFFF >= kernelEnd else {
            throw KernelImageError.initrdDoesNotFit(bytes: kernelEnd + size, memoryBytes: lowMemoryEnd)
        }
        let address = (limit - size) & ~0xFFF
        try initrd.write(into: memory, at: address)
        return address
    }
}
