import Glibc
import OS

/// Host signals to `vmm` → the machine's controller: the container's
/// process gets them (SIGNAL control messages), window changes become
/// WINSIZE.
enum SignalForwarding {
    static func install(
        _ signals: [Int32], on loop: EventLoop, controller: MachineController, terminalFD: Int32?
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
                if signal == SIGWINCH {
                    guard let terminalFD, let size = HostTerminal.windowSize(terminalFD) else { continue }
                    controller.resize(rows: size.rows, columns: size.columns)
                } else {
                    controller.forward(signal: signal)
                }
            }
        }
        return signalFD
    }
}
