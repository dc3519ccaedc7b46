import Glibc

/// `path` made absolute against the working directory, as a manager's
/// relative `--bundle` must be before the monitor (a child) sees it.
public func absolutePath(_ path: String) -> String {
    guard !path.hasPrefix("/") else { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(cBuffer: buffer)
    return path == "." ? cwd : cwd + "/" + path
}

/// `path` with every symlink, `.` and `..` resolved (realpath), or nil
/// when some part of it does not exist.
public func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

extension String {
    /// Without the trailing run of `set` (a line's "\n").
    public func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.last == set { text.removeLast() }
        return text
    }
}
