import Devices
import Glibc
import KVM
import OS

/// Host signals to `vmm` → the container's process (SIGNAL control
/// messages), window changes → WINSIZE. Without a console to carry them,
/// a signal ends the VM as it would have ended a process: 128 + signal.
enum SignalForwarding {
    static func install(
        _ signals: [Int32], on loop: EventLoop, console wiring: ConsoleWiring?, terminalFD: Int32?, latch: StopLatch
    ) throws(MachineError) -> SignalFD? {
        guard !signals.isEmpty else { return nil }
        let signalFD: SignalFD
        do {
            signalFD = try SignalFD(signals: signals)
        } catch {
            throw .os(error)
        }
        loop.add(fd: signalFD.rawValue) {
            while let signal = signalFD.next() {
                // With nobody to take it yet (no console, or init not ready: a
                // guest that hangs in boot), a terminating signal ends the VM.
                let terminating = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].contains(signal)
                guard let wiring, wiring.readiness.isReady || !terminating else {
                    if signal != SIGWINCH { latch.finish(.success(.exited(status: UInt8(truncatingIfNeeded: 128 + signal)))) }
                    continue
                }
                if signal == SIGWINCH {
                    guard let terminalFD, let size = HostTerminal.windowSize(terminalFD) else { continue }
                    wiring.console.send(.windowSize(rows: size.rows, columns: size.columns))
                } else {
                    wiring.console.send(.signal(signal))
                }
                wiring.transport.withActiveDevice { context throws(VirtioError) in try wiring.console.deliverPending(context) }
            }
        }
        return signalFD
    }
}
