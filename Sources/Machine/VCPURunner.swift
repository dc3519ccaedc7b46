import Timeline
import Devices
import KVM
import OS

/// The loop each vCPU thread runs: enter the guest, route exits to the
/// buses, stop the machine on anything final.
struct VCPURunner: Sendable {
    let vcpu: VCPU
    let portBus: Bus
    let mmioBus: Bus
    let latch: StopLatch
    let console: TailKeepingSink
    /// Set on the bootstrap vCPU only: it records the guest's first exit.
    let timeline: BootTimeline?
    var stopAtFirstExit = false
    /// OCI pause: the runner waits here between exits while paused.
    var pauseGate: PauseGate?

    func run() {
        // Before the first guest instruction: from here on a device bug the
        // guest finds can do no more than the exit path's own syscalls.
        do {
            try SyscallFilter.installOnThisThread(.vcpu)
        } catch {
            latch.finish(.failure(.os(error)))
            return
        }
        var firstExit = true
        timeline?.record(.firstVCPUEntry)
        while true {
            // Whoever kicks (teardown, pause) sets its flag before
            // immediate_exit: clearing first, then looking, loses no kick.
            vcpu.clearExitRequest()
            if latch.isSet { return }
            if let pauseGate, pauseGate.isPaused {
                pauseGate.park(latch: latch)
                continue
            }
            let exit: VCPUExit
            do {
                exit = try vcpu.runOnce()
            } catch {
                latch.finish(.failure(.kvm(error)))
                return
            }
            if firstExit, let timeline {
                timeline.record(.firstGuestExit)
                firstExit = false
                if stopAtFirstExit {
                    latch.finish(.success(.halted))
                    return
                }
            }
            if let outcome = handle(exit) {
                latch.finish(.success(outcome))
                return
            }
        }
    }

    /// nil: keep running.
    func handle(_ exit: VCPUExit) -> MachineOutcome? {
        switch exit {
        case .portIO(let io):
            for index in 0..<io.count {
                let slice = UnsafeMutableRawBufferPointer(rebasing: io.data[(index * io.size)..<((index + 1) * io.size)])
                if let outcome = Self.outcome(of: portBus.access(UInt64(io.port), isWrite: io.isWrite, data: slice)) {
                    return outcome
                }
            }
            return nil
        case .mmio(let access):
            return Self.outcome(of: mmioBus.access(access.address, isWrite: access.isWrite, data: access.data))
        case .interrupted:
            return nil
        case .halt:
            return .halted
        case .systemEvent(let type) where type == KVMSystemEvent.reset:
            return .reset
        case .systemEvent, .shutdown, .internalError, .failEntry, .unknown:
            return .crashed(GuestCrash(
                vcpu: vcpu.id, exit: exit.description,
                registers: RegisterDump.lines(vcpu), consoleTail: console.lastLines(10)))
        }
    }

    static func outcome(of action: DeviceAction) -> MachineOutcome? {
        switch action {
        case .none: nil
        case .exit(let status): .exited(status: status)
        case .reset: .reset
        }
    }
}
