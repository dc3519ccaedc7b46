extension String {
    /// The text with control characters a user or a file carried into it
    /// (a newline in a path, a terminal escape) shown escaped: an error
    /// message stays one line, and cannot drive the reader's terminal.
    public var escapingControlCharacters: String {
        unicodeScalars.allSatisfy(\.isPrintableInALine)
            ? self
            : unicodeScalars.map { $0.isPrintableInALine ? String($0) : $0.escaped(asASCII: true) }.joined()
    }
}

extension Unicode.Scalar {
    fileprivate var isPrintableInALine: Bool { value >= 0x20 && value != 0x7F && !(0x80..<0xA0).contains(value) }
}
