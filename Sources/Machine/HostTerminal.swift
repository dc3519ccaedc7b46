import Glibc

/// The host side of a container's terminal.
public enum HostTerminal {
    public static func windowSize(_ fd: Int32) -> (rows: UInt16, columns: UInt16)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return (size.ws_row, size.ws_col)
    }

    public static func setWindowSize(_ fd: Int32, rows: UInt16, columns: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(fd, UInt(TIOCSWINSZ), &size)
    }

    /// Puts `fd` in raw mode (the guest's line discipline does the work);
    /// returns the settings to restore, or nil when `fd` is no terminal.
    public static func makeRaw(_ fd: Int32) -> termios? {
        var original = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &original) == 0 else { return nil }
        var raw = original
        cfmakeraw(&raw)
        tcsetattr(fd, TCSANOW, &raw)
        return original
    }

    public static func restore(_ fd: Int32, _ settings: termios) {
        var copy = settings
        tcsetattr(fd, TCSANOW, &copy)
    }
}
