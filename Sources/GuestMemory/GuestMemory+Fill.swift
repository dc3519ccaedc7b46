import Glibc

/// Filling guest RAM through the memfd rather than the mapping: the kernel
/// allocates and fills the pages itself, without a user page fault for each
/// (on first touch, the mapping costs a fault per 4 KiB page).
extension GuestMemory {
    /// `bytes` at guest-physical `address`, by pwrite into the memfd.
    public func fill(_ bytes: [UInt8], at address: UInt64) throws(GuestMemoryError) {
        let offset = try fileOffset(at: address, length: UInt64(bytes.count))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                pwrite(fileDescriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            // pwrite refused: the mapping always works.
            guard n > 0 else { return try write(Array(bytes[done...]), at: address + UInt64(done)) }
            done += n
        }
    }

    /// `count` bytes of the open file `source` from `sourceOffset` to
    /// guest-physical `address`, by sendfile into the memfd; by pread into
    /// the mapping where the file's filesystem refuses sendfile. `path`
    /// names the file in errors. sendfile writes at the memfd's file
    /// position, which virtiofsd's copy of the fd shares: fill only while
    /// the VM is being built, on one thread, before the guest runs.
    public func fill(fromFile source: Int32, path: String, at sourceOffset: UInt64, count: Int, to address: UInt64) throws(GuestMemoryError) {
        let offset = try fileOffset(at: address, length: UInt64(count))
        var done = 0
        var position = off_t(sourceOffset)
        if lseek(fileDescriptor, off_t(offset), SEEK_SET) >= 0 {
            while done < count {
                let n = sendfile(fileDescriptor, source, &position, count - done)
                if n < 0 && errno == EINTR { continue }
                if n == 0 { throw .fillFailed(path: path, errno: 0, missing: count - done) }
                guard n > 0 else { break }
                done += n
            }
        }
        let destination = try pointer(at: address, length: UInt64(count))
        while done < count {
            let n = pread(source, destination + done, count - done, off_t(sourceOffset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .fillFailed(path: path, errno: errno, missing: count - done) }
            if n == 0 { throw .fillFailed(path: path, errno: 0, missing: count - done) }
            done += n
        }
    }
}
