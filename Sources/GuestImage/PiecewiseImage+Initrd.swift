import Boot
import Glibc
import GuestMemory

/// A container's initramfs goes into guest RAM piece by piece: headers by
/// pwrite, host files (init, busybox) by sendfile from the files themselves.
extension PiecewiseImage: InitrdSource {
    public func write(into memory: GuestMemory, at address: UInt64) throws {
        var next = address
        for piece in pieces {
            switch piece {
            case .bytes(let bytes):
                try memory.fill(bytes, at: next)
            case .file(let path, let size):
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw GuestMemoryError.fillFailed(path: path, errno: errno, missing: Int(size)) }
                defer { close(fd) }
                try memory.fill(fromFile: fd, path: path, at: 0, count: Int(size), to: next)
            }
            next += piece.size
        }
    }
}
