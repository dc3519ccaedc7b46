import Glibc
import KVM
import Testing
import OS
@testable import Machine

/// stdout's writer thread: a reader that stalls must not let the buffer
/// grow past its hard limit, and every byte must come out in order.
@Suite("Buffered host output")
struct BufferedFileOutputTests {
    @Test func aStalledReaderBoundsTheBufferAndLosesNothing() throws {
        var pipeFDs: [Int32] = [-1, -1]
        try #require(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]) }
        let output = try BufferedFileOutput(fileDescriptor: pipeFDs[1], onBrokenPipe: nil)
        let total = 3 * BufferedFileOutput.hardLimit
        let data = (0..<total).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        // One huge request, as a guest ignoring back-pressure would send.
        let producer = try NativeThread { data.withUnsafeBytes { output.write($0) } }
        usleep(300_000)
        #expect(output.waitingBytes <= BufferedFileOutput.hardLimit, "the reader has read nothing yet")
        #expect(!output.acceptsMore)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while received.count < total {
            let count = read(pipeFDs[0], &buffer, buffer.count)
            guard count > 0 else { break }
            received += buffer.prefix(count)
        }
        producer.join()
        output.finish()
        close(pipeFDs[1])
        #expect(received.count == total)
        #expect(received == data)
        #expect(output.acceptsMore)
    }
}
