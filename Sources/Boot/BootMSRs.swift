/// MSR values a vCPU gets before the kernel's first instruction: syscall
/// MSRs cleared, fast strings on, write-back as the default memory type.
public enum BootMSRs {
    static let sysenterCS: UInt32 = 0x174
    static let sysenterESP: UInt32 = 0x175
    static let sysenterEIP: UInt32 = 0x176
    static let star: UInt32 = 0xC000_0081
    static let lstar: UInt32 = 0xC000_0082
    static let cstar: UInt32 = 0xC000_0083
    static let syscallMask: UInt32 = 0xC000_0084
    static let kernelGSBase: UInt32 = 0xC000_0102
    static let tsc: UInt32 = 0x10
    static let miscEnable: UInt32 = 0x1A0
    static let mtrrDefaultType: UInt32 = 0x2FF

    static let fastStrings: UInt64 = 0x1
    static let mtrrEnabledWriteBack: UInt64 = (1 << 11) | 6

    public static var values: [(index: UInt32, value: UInt64)] {
        [
            (sysenterCS, 0), (sysenterESP, 0), (sysenterEIP, 0),
            (star, 0), (lstar, 0), (cstar, 0), (syscallMask, 0), (kernelGSBase, 0),
            (tsc, 0),
            (miscEnable, fastStrings),
            (mtrrDefaultType, mtrrEnabledWriteBack),
        ]
    }
}
