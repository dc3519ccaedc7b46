import Foundation
import Testing
import TestSupport

/// `vmm exec`'s command line and its refusals, before any VM is involved.
@Suite("vmm exec command line")
struct ExecCommandTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-exec-cli-\(UUID().uuidString)").path

    @Test(arguments: [
        (["exec"], "vmm: vmm exec needs a container ID (see vmm --help)\n"),
        (["exec", "c1"], "vmm: vmm exec needs a command after the ID, or --process FILE (see vmm --help)\n"),
        (["exec", "--preserve-fds", "2", "c1", "sh"], "vmm: --preserve-fds: passing descriptors into the VM is not supported (see vmm --help)\n"),
        (["exec", "--bogus", "c1", "sh"], "vmm: unknown option --bogus for vmm exec (see vmm --help)\n"),
    ])
    func usageMistakesAreOneLineAndStatus64(arguments: [String], message: String) {
        let result = Command.run(Fixtures.vmmExecutable, ["--root", root] + arguments)
        #expect(result.status == 64)
        #expect(result.standardError == message)
    }

    @Test func anUnknownContainerIsNamed() {
        let result = Command.run(Fixtures.vmmExecutable, ["--root", root, "exec", "nosuch", "sh"])
        #expect(result.status != 0)
        #expect(result.standardError == "vmm: container nosuch does not exist\n")
    }

    @Test func theCommandAfterTheIDKeepsItsOptions() {
        // "-c" after the ID is the command's, not vmm's: the error is about the container.
        let result = Command.run(Fixtures.vmmExecutable, ["--root", root, "exec", "nosuch", "sh", "-c", "--cap"])
        #expect(result.standardError == "vmm: container nosuch does not exist\n")
    }
}
