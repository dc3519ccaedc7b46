import Glibc
import HostFiles
import OCI

/// `vmm ps`: the container's processes as the host sees them. The
/// container's own processes live in the guest; on the host the container
/// is its monitor (the VMM) and the helpers it started (virtiofsd).
public enum ContainerProcesses {
    /// The monitor and its descendants, in pid order; none when stopped.
    public static func pids(of container: Container) throws(CommandFailure) -> [Int32] {
        let state = try container.state()
        guard state.status != .stopped else { return [] }
        var children: [Int32: [Int32]] = [:]
        for (pid, parent) in processTable() { children[parent, default: []].append(pid) }
        var found: [Int32] = []
        var queue = [state.pid]
        while let pid = queue.popLast() {
            found.append(pid)
            queue += children[pid] ?? []
        }
        return found.sorted()
    }

    /// Every host process with its parent, from /proc.
    static func processTable() -> [(pid: Int32, parent: Int32)] {
        guard let listing = opendir("/proc") else { return [] }
        defer { closedir(listing) }
        var table: [(Int32, Int32)] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name) else { continue }
            let stat = String(decoding: (try? readUntilEnd("/proc/\(pid)/stat")) ?? [], as: UTF8.self)
            // "pid (comm) S ppid …": the fields after the last ")".
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { table.append((pid, parent)) }
        }
        return table
    }

    /// ps(1)'s header and its lines for `pids` (runc filters ps the same way).
    public static func psTable(_ pids: [Int32], arguments: [String]) throws(CommandFailure) -> String {
        let quoted = arguments.map { "'" + $0.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'" }
        guard let output = popen("ps " + quoted.joined(separator: " "), "r") else {
            throw CommandFailure(message: "cannot run ps: \(String(cString: strerror(errno)))")
        }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), output) != nil { lines.append(String(cString: buffer)) }
        guard pclose(output) == 0, let header = lines.first else { throw CommandFailure(message: "ps \(arguments.joined(separator: " ")) failed") }
        guard let pidColumn = header.split(separator: " ").firstIndex(of: "PID") else { throw CommandFailure(message: "ps printed no PID column") }
        let wanted = Set(pids)
        let kept = lines.dropFirst().filter { line in
            let fields = line.split(separator: " ")
            return fields.count > pidColumn && Int32(fields[pidColumn]).map(wanted.contains) == true
        }
        return ([header] + kept).joined()
    }
}
