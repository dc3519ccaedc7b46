import Glibc
import Machine
import Testing

/// The monitor protocol's exact lines, both ways: what `vmm start|kill|
/// pause|resume|exec` sends is what the monitor parses, and nothing else parses.
@Suite("Monitor protocol")
struct MonitorRequestTests {
    static let golden: [(MonitorRequest, String)] = [
        (.start, "start"), (.kill(signal: SIGTERM), "kill 15"), (.kill(signal: SIGKILL), "kill 9"),
        (.kill(signal: 64), "kill 64"), (.kill(signal: SIGTERM, all: true), "kill 15 all"), (.pause, "pause"), (.resume, "resume"), (.exec, "exec"),
    ]

    @Test func everyRequestIsItsGoldenLineAndParsesBack() throws {
        for (request, line) in Self.golden {
            #expect(request.line == line)
            #expect(try MonitorRequest(line: line) == request)
        }
    }

    @Test(arguments: ["kill 0", "kill 65", "kill -1", "kill TERM", "kill "])
    func badSignalsAreRefused(line: String) {
        #expect(throws: MonitorRequest.ParseError.badSignal(String(line.dropFirst(5)))) { try MonitorRequest(line: line) }
    }

    @Test(arguments: ["", "START", "start now", "kill", "kill 1 2", "kill 15 ALL", "kill 15 all x", "pause ", " resume", "exec sh"])
    func anythingElseIsUnknown(line: String) {
        #expect(throws: MonitorRequest.ParseError.unknown(line)) { try MonitorRequest(line: line) }
    }

    @Test func repliesAreOneLine() {
        #expect(MonitorRequest.ParseError.unknown("x").reply == "error: unknown command 'x'")
        #expect(MonitorRequest.ParseError.badSignal("0").reply == "error: bad signal 0")
    }
}
