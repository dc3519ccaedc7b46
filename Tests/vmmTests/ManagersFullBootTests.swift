import Testing

/// The managers' suites (podman, Docker, containerd), one after another:
/// each drives a daemon or conmon and real containers, and in the 1-CPU
/// emulated test machine their first containers started all at once were
/// seen to stall every test for minutes (testmachine/README.md).
@Suite("Managers run real containers on vmm (full boot)", .serialized)
enum ManagersFullBootTests {}
