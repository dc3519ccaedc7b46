import Timeline
import Devices
import Glibc
import KVM
import OS

/// The console device: its transport on the MMIO bus, an irqfd for its
/// interrupt, an ioeventfd per queue on the event loop, host stdin read
/// with back-pressure, stdout and stderr written by their own threads.
final class ConsoleDevice: MachineDevice {
    let kind = "the console"
    let isOptionalWithoutIRQChip = true
    private let stdio: MachineConfiguration.Stdio
    private let lifecycle: MachineConfiguration.Lifecycle
    private var outputs: ConsoleOutputs?
    private(set) var guestChannel: GuestChannel?
    private var exec: ExecSessions?

    init(stdio: MachineConfiguration.Stdio, lifecycle: MachineConfiguration.Lifecycle) {
        self.stdio = stdio
        self.lifecycle = lifecycle
    }

    func attach(_ context: DeviceContext, at slot: VirtioSlot) throws(MachineError) -> VirtioMMIOTransport {
        // A reader that goes away ends the VM as SIGPIPE would end the process.
        let latch = context.latch
        let brokenPipe: @Sendable () -> Void = { latch.finish(.success(.exited(status: UInt8(128 + SIGPIPE)))) }
        let stdio = stdio.withBrokenPipeHandler(brokenPipe)
        let exec = ExecSessions(loop: context.loop)
        self.exec = exec
        let control = ContainerControl(
            latch: latch, timeline: context.timeline, terminalFD: stdio.terminal ? stdio.terminalFD : nil, lifecycle: lifecycle,
            exec: exec, startPreparation: context.startPreparation)
        let outputs: ConsoleOutputs
        do {
            outputs = try ConsoleOutputs(stdio)
        } catch {
            throw .os(error)
        }
        self.outputs = outputs
        // With a terminal, port 0 is the process's terminal; otherwise it
        // carries only what the kernel or init print on hvc0.
        let console = VirtioConsole(
            sinks: [.console: stdio.terminal ? outputs.output : context.serialConsole, .stdout: outputs.output, .stderr: outputs.error],
            handler: control.handle)
        do {
            let (interrupt, kicks) = try slot.wire(queues: console.queueCount, in: context.vm, nonBlockingKicks: true)
            let transport = VirtioMMIOTransport(
                device: console, name: "virtio-console", memory: context.memory, interrupt: IRQFDLine(eventFD: interrupt),
                onFailure: { latch.finish(.failure(.device($0))) })
            for (queue, kick) in kicks.enumerated() {
                context.loop.add(fd: kick.rawValue) {
                    kick.wait()
                    transport.queueNotified(queue)
                }
            }
            if let input = stdio.input {
                let reader = StdinReader(fd: input, console: console, transport: transport, port: stdio.terminal ? .console : .stdin)
                context.loop.add(fd: input, isActive: { reader.wantsMore }, onReadable: { reader.readAvailable() })
            } else {
                console.endStdin()
            }
            outputs.install(on: context.loop, transport: transport)
            let channel = GuestChannel(console: console, transport: transport, readiness: control.readiness, exec: exec)
            exec.send = { channel.send($0) }
            guestChannel = channel
            return transport
        } catch {
            throw MachineError(settingUp: error)
        }
    }

    /// Last out: what the guest wrote reaches the host before vmm exits.
    func finish() {
        exec?.endAll()
        outputs?.finish()
    }
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
