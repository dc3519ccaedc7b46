import GuestMemory

/// Identity page tables for the 64-bit entry: the first 4 GiB mapped with
/// 2 MiB pages, enough for the kernel, the zero page and the initrd until
/// the kernel builds its own.
public enum PageTables {
    static let present: UInt64 = 0x1
    static let writable: UInt64 = 0x2
    static let largePage: UInt64 = 0x80
    static let twoMiB: UInt64 = 1 << 21

    /// Writes the tables; returns the value for CR3.
    @discardableResult
    public static func writeIdentityMap(into memory: GuestMemory) throws(GuestMemoryError) -> UInt64 {
        try memory.store(X86Layout.pdpt | present | writable, at: X86Layout.pml4)
        for directory in 0..<X86Layout.identityMappedGiB {
            let directoryAddress = X86Layout.pageDirectories + directory * 4096
            try memory.store(directoryAddress | present | writable, at: X86Layout.pdpt + directory * 8)
            for entry in 0..<UInt64(512) {
                let physical = (directory * 512 + entry) * twoMiB
                try memory.store(physical | present | writable | largePage, at: directoryAddress + entry * 8)
            }
        }
        return X86Layout.pml4
    }
}
