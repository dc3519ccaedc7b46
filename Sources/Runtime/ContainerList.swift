import Glibc
import HostFiles
import JSON
import OCI

/// `vmm list`: every container under a state root, as runc lists them.
public enum ContainerList {
    public struct Entry {
        public let state: ContainerState
        /// When its state directory was made (runc's "created").
        public let created: time_t
    }

    /// The containers, sorted by ID; a directory whose state cannot be
    /// read (being created, damaged) is left out, as runc leaves it out.
    public static func entries(root: String) -> [Entry] {
        guard let listing = opendir(root) else { return [] }
        defer { closedir(listing) }
        var entries: [Entry] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != "..", let container = try? Container(root: root, id: name), let state = try? container.state() else { continue }
            var info = stat()
            let created = stat(container.directory.path, &info) == 0 ? info.st_ctim.tv_sec : 0
            entries.append(Entry(state: state, created: created))
        }
        return entries.sorted { $0.state.id < $1.state.id }
    }

    /// runc's table: ID, PID, STATUS, BUNDLE, CREATED, OWNER.
    public static func table(_ entries: [Entry]) -> String {
        let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] + entries.map { entry in
            [entry.state.id, entry.state.status == .stopped ? "0" : String(entry.state.pid), entry.state.status.rawValue,
             entry.state.bundle, ErrorLog.timestamp(entry.created), "root"]
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// runc's JSON: an array of the state documents with "created".
    public static func json(_ entries: [Entry]) -> JSONValue {
        .array(entries.map { entry in
            guard case .object(var members) = entry.state.json else { return entry.state.json }
            members.append(("created", .string(ErrorLog.timestamp(entry.created))))
            return .object(members)
        })
    }
}
