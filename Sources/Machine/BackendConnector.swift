import Timeline
import Devices
import Glibc
import GuestMemory
import KVM
import Synchronization
import VhostUser
import OS

/// Connects to virtiofsd on its own thread while the guest boots: waits
/// for the socket, negotiates, sends the memory table. The virtio-fs
/// device takes the result when the driver activates it; a failure ends
/// the VM at once.
final class BackendConnector: @unchecked Sendable {
    private let outcome = Mutex<Result<VhostUserFrontend, MachineError>?>(nil)
    private let done: EventFD
    private var thread: NativeThread?

    init(virtiofsd: Virtiofsd, memory: GuestMemory, timeline: BootTimeline, onFailure: @escaping @Sendable (MachineError) -> Void) throws(MachineError) {
        do {
            done = try EventFD()
        } catch {
            throw .os(error)
        }
        do {
            thread = try NativeThread { [self] in
                let result = Result { () throws(MachineError) -> VhostUserFrontend in
                    try Self.connect(virtiofsd, memory: memory, timeline: timeline)
                }
                self.outcome.withLock { $0 = result }
                done.signal()
                // A connection lost because virtiofsd died is told as its death,
                // in the same words whichever thread notices first.
                if case .failure(let error) = result {
                    onFailure(virtiofsd.exits(withinMilliseconds: 500) ? .helper(virtiofsd.deathMessage()) : error)
                }
            }
        } catch {
            throw .os(error)
        }
    }

    private static func connect(_ virtiofsd: Virtiofsd, memory: GuestMemory, timeline: BootTimeline) throws(MachineError) -> VhostUserFrontend {
        try virtiofsd.waitForSocket()
        let connection = try virtiofsd.connect()
        timeline.record(.virtiofsdListening)
        do {
            let frontend = VhostUserFrontend(connection: connection)
            try frontend.negotiate()
            try frontend.setMemoryTable(memory.regions.map { region in
                VhostUserMemoryRegion(
                    guestAddress: region.guestAddress, size: region.size,
                    hostAddress: UInt64(UInt(bitPattern: memory.hostBase)) + region.fileOffset,
                    fileOffset: region.fileOffset, fileDescriptor: memory.fileDescriptor)
            })
            timeline.record(.virtiofsdConnected)
            return frontend
        } catch {
            throw .helper("virtiofsd: \(error)")
        }
    }

    /// Waits for the connection; throws what went wrong making it.
    func frontend() throws(VirtioError) -> VhostUserFrontend {
        while true {
            if let result = outcome.withLock({ $0 }) {
                switch result {
                case .success(let frontend): return frontend
                case .failure(let error): throw VirtioError("\(error)")
                }
            }
            done.wait()
        }
    }

    /// After virtiofsd is stopped (which unblocks any wait), the thread ends.
    func join() {
        thread?.join()
        thread = nil
    }
}
