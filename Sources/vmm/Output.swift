import Glibc
import HostFiles

/// A failure of vmm itself (not of the guest), reported in one line.
struct CommandFailure: Error {
    /// As podman and Docker do, 125 means the runtime failed, not the container.
    static let exitStatus: Int32 = 125
    let message: String
}

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
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        String(repeating: pad, count: max(0, width - count)) + self
    }

    func rightPadded(_ width: Int) -> String {
        self + String(repeating: " ", count: max(1, width - count))
    }
}

extension String {
    /// A NUL-terminated C buffer (from getcwd, strftime, ptsname…).
    init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
