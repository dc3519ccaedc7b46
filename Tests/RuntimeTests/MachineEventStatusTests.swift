import Testing
import OCI
import Runtime

@Suite("Machine events → OCI status")
struct MachineEventStatusTests {
    @Test func eachEventPutsTheContainerInRuncsStatus() {
        #expect(ContainerState.Status(after: .ready) == .created)
        #expect(ContainerState.Status(after: .started) == .running)
        #expect(ContainerState.Status(after: .paused) == .paused)
        #expect(ContainerState.Status(after: .resumed) == .running)
    }
}
