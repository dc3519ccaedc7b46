import Glibc
import HostFiles

/// A failure of vmm itself (not of the guest), reported in one line.
func printError(_ message: String) {
    writeStandardError("vmm: \(message)\n")
}

func writeStandardOutput(_ text: String) {
    writeAll(text, to: 1)
}

/// stderr without stdio's shared FILE (not concurrency-safe in Swift 6).
func writeStandardError(_ text: String) {
    writeAll(text, to: 2)
}

extension String {
    /// A column of `width`, at least one space after the text.
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(1, width - count))
    }
}
