import Foundation

/// The runtime's own processes on this host: what must not outlive a
/// container, whichever manager ran it.
public enum RuntimeProcesses {
    /// Processes whose command line names `text` (pgrep -a -f).
    public static func naming(_ text: String) -> String {
        Command.run("/usr/bin/pgrep", ["-a", "-f", text]).standardOutput
    }

    /// vmm and virtiofsd processes naming `text` (the manager's own, such
    /// as conmon or a shim, may linger: they are its), after they had
    /// `seconds` to go.
    public static func left(naming text: String, seconds: Int = 10) -> [String] {
        var left: [String] = []
        for _ in 0...(seconds * 5) {
            left = naming(text).split(separator: "\n").map(String.init).filter { line in
                let executable = line.split(separator: " ").dropFirst().first.map { String($0.split(separator: "/").last ?? "") }
                return executable == "vmm" || executable == "virtiofsd"
            }
            if left.isEmpty { break }
            usleep(200_000)
        }
        return left
    }

    /// What is left under a runtime state root (`--root`): nothing, once
    /// every container there was deleted.
    public static func entries(under root: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    }
}

/// A process whose command line reads as `vmm monitor … ID` (a shell
/// running `sleep 60`): state.json's pid is believed only for such a one.
public func monitorStandIn(id: String) throws -> Process {
    let standIn = Process()
    standIn.executableURL = URL(fileURLWithPath: "/bin/sh")
    standIn.arguments = ["-c", "sleep 60; :", "monitor", id]
    try standIn.run()
    return standIn
}
