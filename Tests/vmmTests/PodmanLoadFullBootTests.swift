import Foundation
import Synchronization
import Testing
import TestSupport

/// Load through a real manager: many containers started at once, each
/// its own VM, each ending with its own status and output.
extension ManagersFullBootTests.PodmanFullBootTests {
    static let loadCount = 20

    @Test func twentyContainersStartedAtOnceEachEndWithTheirOwnStatusAndOutput() throws {
        try Podman.ensureImported()
        let prefix = Fixtures.uniqueName("vmm-load")
        let results = Mutex<[Int: Command.Result]>([:])
        let started = Date()
        // One thread per container, all at once: podman, conmon and a VM each.
        DispatchQueue.concurrentPerform(iterations: Self.loadCount) { index in
            let arguments = ["--runtime", Fixtures.vmmExecutable, "run", "--name", "\(prefix)-\(index)", "--network", "none",
                             Podman.image, "sh", "-c", "echo output of \(index); exit \(index + 1)"]
            let result = Command.run(Podman.executable, arguments, timeout: 1200)
            results.withLock { $0[index] = result }
        }
        let seconds = Date().timeIntervalSince(started)
        let finished = results.withLock { $0 }
        var correct = 0
        for index in 0..<Self.loadCount {
            let result = finished[index]
            let right = result?.status == Int32(index + 1) && result?.standardOutput == "output of \(index)\n"
            #expect(right, "container \(index): status \(String(describing: result?.status)), out \(String(describing: result?.standardOutput)), err \(String(describing: result?.standardError))")
            if right { correct += 1 }
        }
        print("load: \(correct)/\(Self.loadCount) containers correct, all started at once, \(Int(seconds)) s wall (emulated machine: proportions only)")
        for index in 0..<Self.loadCount { _ = try Podman.run(["rm", "-f", "\(prefix)-\(index)"]) }
        #expect(RuntimeProcesses.left(naming: prefix) == [], "vmm or virtiofsd outlived a container")
    }
}
