import Foundation
import Testing
import TestSupport

/// guest/init, tested where it can run here: its pure parts on the host
/// (C unit tests under ASan/UBSan), and the whole of it inside our kernel
/// under QEMU's software emulator (tier 4: QEMU stands in for the CPU).
@Suite("Guest init")
struct GuestInitTests {
    static let guest = Fixtures.packageRoot.appendingPathComponent("guest").path

    /// The runner's closing "N passed, M failed" line, as numbers.
    static func counts(_ output: String) -> (passed: Int, failed: Int)? {
        guard let last = output.split(whereSeparator: \.isNewline).last(where: { $0.contains(" passed, ") }) else { return nil }
        let numbers = last.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.count >= 2 ? (numbers[numbers.count - 2], numbers[numbers.count - 1]) : nil
    }

    @Test func hostSideUnitTestsPass() throws {
        let result = Command.run("/usr/bin/make", ["-s", "-C", Self.guest, "check"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let counts = try #require(Self.counts(result.standardOutput))
        #expect(counts.failed == 0)
        #expect(counts.passed > 100)
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64"), "needs qemu-system-x86 (test-only CPU)"),
        .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason),
        .timeLimit(.minutes(10)))
    func initRunsProcessesUnderQEMU() throws {
        let build = Command.run("/usr/bin/make", ["-s", "-C", Self.guest])
        try #require(build.status == 0, "\(build.standardError)")
        let check = Fixtures.packageRoot.appendingPathComponent("guest/tests/qemu_check.py").path
        let result = Command.run("/usr/bin/python3", [check])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let counts = try #require(Self.counts(result.standardOutput), "\(result.standardOutput)")
        #expect(counts.failed == 0, "\(result.standardOutput)")
        #expect(counts.passed >= 20, "\(result.standardOutput)")
    }
}
