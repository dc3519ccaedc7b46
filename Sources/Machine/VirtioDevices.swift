import Timeline
import Devices
import Glibc
import Synchronization
import GuestMemory
import KVM
import OS

/// Where each virtio-mmio device lives (firmware/README.md, and the Linux
/// command line via `virtio_mmio.device=`).
enum VirtioLayout {
    static let consoleBase: UInt64 = 0xD000_1000
    static let consoleGSI: UInt32 = 5
    static let fileSystemBase: UInt64 = 0xD000_2000
    static let fileSystemGSI: UInt32 = 6

    /// The kernel command-line words announcing the devices.
    static func kernelArguments(fileSystem: Bool) -> String {
        var devices = [(consoleBase, consoleGSI)]
        if fileSystem { devices.append((fileSystemBase, fileSystemGSI)) }
        return devices.map { "virtio_mmio.device=4K@0x\(String($0.0, radix: 16)):\($0.1)" }.joined(separator: " ")
    }
}

/// An irqfd: writing the eventfd raises the GSI inside KVM.
struct IRQFDLine: InterruptLine {
    let eventFD: EventFD

    func trigger() {
        eventFD.signal()
    }
}

/// The console device wired to the VM: its transport on the MMIO bus, an
/// irqfd for its interrupt, an ioeventfd per queue, host stdin on the
/// event loop.
struct ConsoleWiring {
    let console: VirtioConsole
    let transport: VirtioMMIOTransport
    let readiness: GuestReadiness
    /// stdout and stderr, written by their own threads: `outputs.finish()`
    /// when the VM has stopped.
    let outputs: ConsoleOutputs

    init(
        vm: VirtioMachineParts, stdio: MachineConfiguration.Stdio, lifecycle: MachineConfiguration.Lifecycle, serialConsole: any OutputSink,
        latch: StopLatch, timeline: BootTimeline, loop: EventLoop
    ) throws(MachineError) {
        // With a terminal, port 0 is the process's terminal; otherwise it
        // carries only what the kernel or init print on hvc0.
        // A reader that goes away ends the VM as SIGPIPE would end the process.
        let brokenPipe: @Sendable () -> Void = { latch.finish(.success(.exited(status: UInt8(128 + SIGPIPE)))) }
        let stdio = stdio.withBrokenPipeHandler(brokenPipe)
        let control = ContainerControl(latch: latch, timeline: timeline, terminalFD: stdio.terminal ? stdio.terminalFD : nil, lifecycle: lifecycle)
        do {
            outputs = try ConsoleOutputs(stdio)
        } catch {
            throw .os(error)
        }
        let console = VirtioConsole(
            sinks: [.console: stdio.terminal ? outputs.output : serialConsole, .stdout: outputs.output, .stderr: outputs.error],
            handler: control.handle)
        readiness = control.readiness
        do {
            let interrupt = try EventFD()
            try vm.vm.registerIRQFD(interrupt, gsi: VirtioLayout.consoleGSI)
            let transport = VirtioMMIOTransport(
                device: console, name: "virtio-console", memory: vm.memory, interrupt: IRQFDLine(eventFD: interrupt),
                onFailure: { latch.finish(.failure(.device($0))) })
            for queue in 0..<console.queueCount {
                let notify = try EventFD(nonBlocking: true)
                try vm.vm.registerIOEventFD(
                    notify, address: VirtioLayout.consoleBase + VirtioMMIOTransport.queueNotifyOffset, length: 4, value: UInt64(queue))
                loop.add(fd: notify.rawValue) {
                    notify.wait()
                    transport.queueNotified(queue)
                }
            }
            if let input = stdio.input {
                let reader = StdinReader(fd: input, console: console, transport: transport, port: stdio.terminal ? .console : .stdin)
                loop.add(fd: input, isActive: { reader.wantsMore }, onReadable: { reader.readAvailable() })
            } else {
                console.endStdin()
            }
            outputs.install(on: loop, transport: transport)
            self.console = console
            self.transport = transport
        } catch {
            outputs.finish()
            throw MachineError(settingUp: error)
        }
    }
}

/// The VM pieces device wiring needs.
struct VirtioMachineParts {
    let vm: VirtualMachine
    let memory: GuestMemory
}

/// Host stdin → the guest's stdin port, with back-pressure: no more reads
/// while a good amount waits for the guest.
final class StdinReader: @unchecked Sendable {
    static let highWater = 256 * 1024
    let fd: Int32
    let console: VirtioConsole
    let transport: VirtioMMIOTransport
    /// .stdin, or .console (port 0) when the process has a terminal.
    let port: ConsolePort
    private(set) var ended = false

    init(fd: Int32, console: VirtioConsole, transport: VirtioMMIOTransport, port: ConsolePort) {
        self.fd = fd
        self.port = port
        self.console = console
        self.transport = transport
    }

    var wantsMore: Bool { !ended && console.pendingInputBytes(on: port) < Self.highWater }

    func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if count <= 0 {
            ended = true
            console.endStdin()
        } else {
            console.enqueueInput(Array(buffer.prefix(count)), on: port)
        }
        transport.withActiveDevice { context throws(VirtioError) in try console.deliverPending(context) }
    }
}

/// The host half of guest/PROTOCOL.md's control channel: start the
/// process when init is ready (or on a command, for OCI), end the VM when
/// it exits.
struct ContainerControl: Sendable {
    let latch: StopLatch
    let timeline: BootTimeline
    /// The host terminal whose size the process's terminal takes.
    let terminalFD: Int32?
    let lifecycle: MachineConfiguration.Lifecycle
    /// READY counts once: a guest repeating it gets no second START.
    let readiness = GuestReadiness()

    func handle(_ message: GuestControlMessage) -> [GuestControlMessage] {
        switch message {
        case .ready:
            guard readiness.markReady() else { return [] }
            timeline.record(.guestReady)
            let size = terminalFD.flatMap(HostTerminal.windowSize)
            let resize: [GuestControlMessage] = size.map { [.windowSize(rows: $0.rows, columns: $0.columns)] } ?? []
            lifecycle.onReady()
            guard lifecycle.startWhenReady else { return resize }
            lifecycle.onStart()
            return resize + [.start]
        case .started:
            timeline.record(.processStarted)
        case .exited(let code, let signal):
            timeline.record(.processExited)
            let status = signal > 0 ? 128 + Int(signal) : Int(code)
            latch.finish(.success(.exited(status: UInt8(truncatingIfNeeded: status))))
        case .error(let reason):
            latch.finish(.failure(.guest("the guest could not start the process: \(GuestText.oneLine(reason))")))
        default:
            break
        }
        return []
    }
}

/// Whether init has said READY; read by signal handling too.
final class GuestReadiness: Sendable {
    private let ready = Atomic<Bool>(false)

    /// True the first time only.
    func markReady() -> Bool {
        !ready.exchange(true, ordering: .acquiringAndReleasing)
    }

    var isReady: Bool { ready.load(ordering: .acquiring) }
}

/// Guest-supplied text on the host's terminal: one line, printable, short.
enum GuestText {
    static let limit = 240

    static func oneLine(_ text: String) -> String {
        var out = String(text.unicodeScalars.prefix(limit).map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if text.unicodeScalars.count > limit { out += "…" }
        return out
    }
}
