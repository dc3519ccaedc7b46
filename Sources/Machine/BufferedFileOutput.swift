import Devices
import Glibc
import HostFiles
import KVM
import Synchronization
import OS

/// A host file descriptor (stdout, stderr) written by its own thread. A
/// slow or stalled reader (a pipe nobody drains, a paused pager) then holds
/// up only that thread and, once `highWater` bytes wait, the guest's
/// transmit queue; the event loop keeps serving signals, stdin and the
/// control channel. At most `hardLimit` bytes ever wait: a guest that
/// ignores back-pressure (one huge request, output before EXITED) makes
/// `write` wait for the reader instead, as an unbuffered write would.
final class BufferedFileOutput: OutputSink, @unchecked Sendable {
    static let highWater = 1 << 20
    static let hardLimit = 4 << 20
    static let chunkSize = 64 << 10

    private struct State {
        var bytes: [UInt8] = []
        /// Bytes before `start` are written.
        var start = 0
        var closing = false
        /// The reader went away: what comes now is dropped.
        var broken = false
        /// `acceptsMore` said no: say when there is room again.
        var refused = false
        /// `write` waits for the writer to make room under `hardLimit`.
        var producerWaiting = false
        var waiting: Int { bytes.count - start }
    }

    let fileDescriptor: Int32
    private let onBrokenPipe: (@Sendable () -> Void)?
    private let state = Mutex(State())
    /// Wakes the writer thread.
    private let work: EventFD
    /// Wakes a `write` waiting under the hard limit.
    private let progress: EventFD
    /// Readable when a full buffer has drained to half: the event loop then
    /// drains the guest's queues again.
    let room: EventFD
    private var thread: NativeThread?

    init(fileDescriptor: Int32, onBrokenPipe: (@Sendable () -> Void)?) throws(OSError) {
        self.fileDescriptor = fileDescriptor
        self.onBrokenPipe = onBrokenPipe
        work = try EventFD()
        progress = try EventFD()
        room = try EventFD(nonBlocking: true)
        // Fails closed: a writer that could not be filtered never writes a
        // byte of the guest's; the VM does not start (as on a vCPU thread).
        // `progress` says the thread is filtered: nothing else waits on it yet,
        // and the thread must not be the one to close a descriptor.
        let filterFailure = Mutex<OSError?>(nil)
        thread = try NativeThread { [self] in
            do throws(OSError) {
                try SyscallFilter.installOnThisThread(.outputWriter)
            } catch {
                filterFailure.withLock { $0 = error }
                progress.signal()
                return
            }
            progress.signal()
            writeUntilFinished()
        }
        _ = progress.wait()
        if let failure = filterFailure.withLock({ $0 }) {
            thread?.join()
            thread = nil
            throw failure
        }
    }

    /// Bytes taken and not yet written.
    var waitingBytes: Int { state.withLock { $0.waiting } }

    var acceptsMore: Bool {
        state.withLock { state in
            guard !state.broken, state.waiting >= Self.highWater else { return true }
            state.refused = true
            return false
        }
    }

    func write(_ data: UnsafeRawBufferPointer) {
        var rest = data
        while !rest.isEmpty {
            let taken: Int? = state.withLock { state in
                if state.broken { return rest.count }  // the reader left: drop it
                let space = Self.hardLimit - state.waiting
                guard space > 0 else {
                    state.producerWaiting = true
                    return nil
                }
                if state.start > 0, state.start >= state.bytes.count / 2 {
                    state.bytes.removeFirst(state.start)
                    state.start = 0
                }
                let count = min(space, rest.count)
                state.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<count]))
                return count
            }
            work.signal()
            guard let taken else {
                _ = progress.wait()
                continue
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Returns once everything written so far is out (or the reader left),
    /// and the thread has ended. Called once, when the VM has stopped.
    func finish() {
        state.withLock { $0.closing = true }
        work.signal()
        thread?.join()
        thread = nil
    }

    /// Runs filtered: the thread can only wait, write and allocate. The
    /// guest's bytes pass through it, so it gets no more than that.
    private func writeUntilFinished() {
        while true {
            var chunk: [UInt8] = []
            var done = false
            state.withLock { state in
                if state.waiting == 0 {
                    done = state.closing
                } else {
                    chunk = Array(state.bytes[state.start..<min(state.bytes.count, state.start + Self.chunkSize)])
                }
            }
            if chunk.isEmpty {
                if done { return }
                _ = work.wait()
                continue
            }
            let failure = chunk.withUnsafeBytes { writeAll($0, to: fileDescriptor) }
            var wakeLoop = false
            var wakeProducer = false
            state.withLock { state in
                if failure != 0 {
                    state.broken = true
                    state.bytes = []
                    state.start = 0
                } else {
                    state.start += chunk.count
                }
                if state.refused, state.broken || state.waiting < Self.highWater / 2 {
                    state.refused = false
                    wakeLoop = true
                }
                if state.producerWaiting {
                    state.producerWaiting = false
                    wakeProducer = true
                }
            }
            if failure == EPIPE { onBrokenPipe?() }
            if wakeLoop { room.signal() }
            if wakeProducer { progress.signal() }
        }
    }
}
