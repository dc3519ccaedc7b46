import Glibc

/// Reads a whole file without Foundation (kept off the start path).
enum HostFile {
    static func read(_ path: String, what: String) throws(MachineError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileUnreadable(what: what, path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .fileUnreadable(what: what, path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(what: what, path: path) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .fileUnreadable(what: what, path: path, errno: errno)
            }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }
}
