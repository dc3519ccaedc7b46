import Glibc

/// Signals a manager or a terminal user sends to vmm: the event loop
/// forwards them to the container's process.
public enum ForwardedSignals {
    public static let all: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]
}

/// Signal names as `kill` and runc take them: TERM, SIGTERM, 15.
public enum SignalNames {
    static let names: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "TERM": SIGTERM, "CONT": SIGCONT, "STOP": SIGSTOP, "WINCH": SIGWINCH, "ALRM": SIGALRM, "PIPE": SIGPIPE,
    ]

    public static func number(_ text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let name = text.hasPrefix("SIG") ? String(text.dropFirst(3)) : text
        return names[name.uppercased()]
    }
}
