/// The monitor protocol (docs/architecture.md): one request line over the
/// container's monitor socket, one reply line: "ok" or "error: REASON".
/// The client (Runtime's Container) and the server (CommandSocket) both
/// speak it through this type, so the words are defined once.
public enum MonitorRequest: Equatable, Sendable {
    case start
    /// all: every process in the container (OCI `kill --all`), not only the process.
    case kill(signal: Int32, all: Bool = false)
    case pause
    case resume
    /// The connection becomes an exec session (ExecSessions) after "ok".
    case exec

    /// The line as sent, without its newline.
    public var line: String {
        switch self {
        case .start: "start"
        case .kill(let signal, let all): all ? "kill \(signal) all" : "kill \(signal)"
        case .pause: "pause"
        case .resume: "resume"
        case .exec: "exec"
        }
    }

    public enum ParseError: Error, Equatable {
        case badSignal(String)
        case unknown(String)

        public var reply: String {
            switch self {
            case .badSignal(let text): "error: bad signal \(text)"
            case .unknown(let line): "error: unknown command '\(line)'"
            }
        }
    }

    public init(line: String) throws(ParseError) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        switch (words.first, words.count) {
        case ("start", 1): self = .start
        case ("pause", 1): self = .pause
        case ("resume", 1): self = .resume
        case ("exec", 1): self = .exec
        case ("kill", 2), ("kill", 3) where words[2] == "all":
            guard let signal = Int32(words[1]), signal > 0, signal < 65 else { throw .badSignal(String(words[1])) }
            self = .kill(signal: signal, all: words.count == 3)
        default: throw .unknown(line)
        }
    }

    public static let okReply = "ok"
    public static let errorPrefix = "error: "
}
