import OCI
import Synchronization

/// state.json, updated from whichever thread sees the change.
final class StateRecord: Sendable {
    let directory: StateDirectory
    private let state: Mutex<ContainerState>

    init(directory: StateDirectory, state: ContainerState) {
        self.directory = directory
        self.state = Mutex(state)
    }

    /// Writes under the lock, so the file never goes back to an older state.
    func update(_ change: (inout ContainerState) -> Void) throws(BundleError) {
        let written: Result<Void, BundleError> = state.withLock { state in
            change(&state)
            return Result { () throws(BundleError) in try directory.write(state) }
        }
        try written.get()
    }
}
