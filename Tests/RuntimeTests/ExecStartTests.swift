import COS
import Devices
import Foundation
import Glibc
import GuestImage
import OCI
import OS
import Testing
import TestSupport
@testable import Runtime

/// `vmm exec`'s side of the monitor's exec protocol, against a stand-in
/// monitor on a real socket: the exec line, the EXEC message, and what
/// each answer (or none) makes of the start.
@Suite("vmm exec against a stand-in monitor")
struct ExecStartTests {
    /// A running container's state under a fresh root, and its monitor
    /// socket, answered by `answer` after the "exec" line and the EXEC.
    func withMonitor(_ answer: [UInt8]?, _ body: (ContainerExec) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-exec-start-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try StateDirectory(root: root, id: "c")
        try directory.create()
        let standIn = try monitorStandIn(id: "c")
        defer { standIn.terminate() }
        try directory.write(ContainerState(id: "c", status: .running, pid: standIn.processIdentifier, bundle: root))
        let listening = cos_unix_listen(directory.socketPath, 1)
        try #require(listening >= 0)
        defer { close(listening) }
        let monitor = Thread {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &buffer, 5)  // "exec\n"
            _ = write(connection, "ok\n", 3)
            _ = read(connection, &buffer, buffer.count)  // the EXEC message
            if let answer { _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) } }
            usleep(1_000_000)
            close(connection)
        }
        monitor.start()
        var exec = ContainerExec(container: try Container(root: root, id: "c"), process: ProcessDescription(arguments: ["sh"]))
        exec.startTimeoutMilliseconds = 300
        try body(exec)
    }

    @Test func startedIsTheStart() throws {
        try withMonitor(GuestControlMessage.execStarted(id: 0, pid: 42).encoded) { exec in
            #expect(throws: Never.self) { _ = try exec.start() }
        }
    }

    @Test func anErrorIsTheOneLine() throws {
        try withMonitor(GuestControlMessage.execError(id: 0, "exec: \"x\": executable file not found in $PATH").encoded) { exec in
            #expect { _ = try exec.start() } throws: { ($0 as? CommandFailure)?.message == "exec failed: exec: \"x\": executable file not found in $PATH" }
        }
    }

    @Test func noAnswerIsATimeoutNotAHang() throws {
        try withMonitor(nil) { exec in
            let started = Date()
            #expect { _ = try exec.start() } throws: {
                ($0 as? CommandFailure)?.message == "the container's init did not start the exec'd process within 300 ms"
            }
            #expect(Date().timeIntervalSince(started) < 0.9, "it gave up at its timeout, before the stand-in hung up")
        }
    }

    @Test func aMonitorThatHangsUpBeforeTheStartIsTheContainerStopping() throws {
        try withMonitor([]) { exec in
            var patient = exec
            patient.startTimeoutMilliseconds = 5_000
            #expect { _ = try patient.start() } throws: {
                ($0 as? CommandFailure)?.message == "the container stopped before the exec'd process started"
            }
        }
    }

    /// The VM ending under a running exec'd process (its container killed)
    /// is that process's SIGKILL, as under runc: status 137, output kept.
    @Test func aVMThatEndsUnderTheProcessIsItsSIGKILL() throws {
        let answer = GuestControlMessage.execStarted(id: 0, pid: 42).encoded
            + GuestControlMessage.execOutput(id: 0, stream: GuestControlMessage.stdoutStream, bytes: Array("last\n".utf8)).encoded
        try withMonitor(answer) { exec in
            let connection = try exec.start()
            var output: [Int32] = [-1, -1]
            try #require(pipe(&output) == 0)
            defer { close(output[0]) }
            var relay = ExecRelay(connection: connection, input: nil, terminal: nil)
            relay.output = output[1]
            SignalFD.block([SIGUSR2])
            let signals = try SignalFD(signals: [SIGUSR2])
            #expect(try relay.run(signals: signals) == 128 + SIGKILL)
            close(output[1])
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = read(output[0], &buffer, buffer.count)
            #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "last\n")
        }
    }
}
