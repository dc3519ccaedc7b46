extension String {
    /// A NUL-terminated C buffer (from getcwd, strftime, ptsname…).
    public init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
