import Devices
import Glibc
import KVM
import OS

/// The container's stdout and stderr as the console device sees them: a
/// host file descriptor becomes a BufferedFileOutput (its own writer
/// thread); any other sink (a test's capture) is used as it is.
final class ConsoleOutputs: Sendable {
    let output: any OutputSink
    let error: any OutputSink
    private let buffers: [BufferedFileOutput]

    init(_ stdio: MachineConfiguration.Stdio) throws(OSError) {
        let outputFD = stdio.output as? FileDescriptorSink
        let errorFD = stdio.error as? FileDescriptorSink
        var buffers: [BufferedFileOutput] = []
        func buffered(_ sink: FileDescriptorSink) throws(OSError) -> BufferedFileOutput {
            let buffer = try BufferedFileOutput(fileDescriptor: sink.fileDescriptor, onBrokenPipe: sink.onBrokenPipe)
            buffers.append(buffer)
            return buffer
        }
        do {
            let out: BufferedFileOutput? = try outputFD.map { sink throws(OSError) in try buffered(sink) }
            output = out ?? stdio.output
            // Both on one file (2>&1, one terminal): one buffer, so the
            // order the guest wrote them in is the order they appear.
            if let errorFD, let out, Self.sameFile(errorFD.fileDescriptor, out.fileDescriptor) {
                error = out
            } else {
                error = try errorFD.map { sink throws(OSError) in try buffered(sink) } ?? stdio.error
            }
        } catch {
            for buffer in buffers { buffer.finish() }
            throw error
        }
        self.buffers = buffers
    }

    /// When a full buffer has room again, the console drains the guest's
    /// transmit queues again.
    func install(on loop: EventLoop, transport: VirtioMMIOTransport) {
        for buffer in buffers {
            loop.add(fd: buffer.room.rawValue) {
                _ = buffer.room.wait()
                for port in [ConsolePort.console, .stdout, .stderr] { transport.queueNotified(port.transmitQueue) }
            }
        }
    }

    /// Everything written is out; the writer threads are gone.
    func finish() {
        for buffer in buffers { buffer.finish() }
    }

    static func sameFile(_ first: Int32, _ second: Int32) -> Bool {
        var a = stat(), b = stat()
        return fstat(first, &a) == 0 && fstat(second, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
