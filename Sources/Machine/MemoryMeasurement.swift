import HostFiles
import Timeline

/// Reads this process's peak RSS and the guest memory's resident part from
/// /proc/self/status while the guest memory is still mapped. The guest's
/// memfd is vmm's only shared-memory mapping, so its resident part is
/// `RssShmem`; reading smaps instead would cost ten times as much here.
enum MemoryMeasurement {
    static func measure() -> MemoryFootprint? {
        guard let bytes = try? readUntilEnd("/proc/self/status") else { return nil }
        let status = String(decoding: bytes, as: UTF8.self)
        guard let peak = kibibytes(in: status, field: "VmHWM:"), let guest = kibibytes(in: status, field: "RssShmem:") else {
            return nil
        }
        return MemoryFootprint(peakRSSKiB: peak, guestResidentKiB: guest)
    }

    /// `Field:   1234 kB` → 1234.
    static func kibibytes(in text: String, field: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return UInt64(line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
