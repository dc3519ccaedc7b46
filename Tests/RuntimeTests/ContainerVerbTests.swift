import Foundation
import OCI
import Runtime
import Testing
import TestSupport

/// The OCI verbs' state rules on a state directory made here, without
/// spawning vmm: a dead monitor reads as stopped, each verb refuses a
/// container in the wrong state in one line, delete leaves nothing.
@Suite("Runtime: container verbs and their state rules")
struct ContainerVerbTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-state-\(UUID().uuidString)").path

    /// A container `id` whose state.json says `status`, for monitor `pid`.
    func container(_ id: String, _ status: ContainerState.Status, pid: Int32) throws -> Container {
        let directory = try StateDirectory(root: root, id: id)
        try directory.create()
        try directory.write(ContainerState(id: id, status: status, pid: pid, bundle: "/bundle"))
        return try Container(root: root, id: id)
    }

    /// A pid that no process has: a child that has exited and been reaped.
    func deadPID() throws -> Int32 {
        let child = try Process.run(URL(fileURLWithPath: "/bin/true"), arguments: [])
        child.waitUntilExit()
        return child.processIdentifier
    }

    /// The one line a call failed with, or nil.
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? CommandFailure)?.message ?? "\(error)"
        }
    }

    @Test func aMonitorThatDiedUnseenReadsAsStoppedAndCannotStart() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let container = try container("gone", .running, pid: try deadPID())
        #expect(try container.state().status == .stopped)
        #expect(message { try container.start() } == "container gone is stopped, not created")
        #expect(message { try container.pause() } == "container gone is stopped, not running")
        #expect(message { try container.kill(SIGTERM) } == "container gone is not running")
        #expect(message { try container.delete(force: false) } == nil)
        #expect(!FileManager.default.fileExists(atPath: root + "/gone"))
    }

    @Test func aLiveContainerIsDeletedOnlyWithForceWhichEndsItsMonitor() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let monitor = try monitorStandIn(id: "live")
        defer { monitor.terminate() }
        let container = try container("live", .running, pid: monitor.processIdentifier)
        #expect(try container.state().status == .running)
        #expect(message { try container.resume() } == "container live is running, not paused")
        #expect(message { try container.delete(force: false) } == "container live is running: stop it first, or delete --force")
        #expect(FileManager.default.fileExists(atPath: root + "/live/state.json"))
        #expect(message { try container.delete(force: true) } == nil)
        monitor.waitUntilExit()
        #expect(monitor.terminationReason == .uncaughtSignal && monitor.terminationStatus == SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: root + "/live"))
    }

    /// A symlink planted in the state root, or a state.json that names
    /// another container, is refused: state, delete and delete --force
    /// touch nothing outside the root.
    @Test func aPlantedSymlinkOrAForeignStateIsRefusedAndNothingOutsideIsTouched() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let victim = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-victim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: victim) }
        let stored = #"{"ociVersion":"1.0.2","id":"other","status":"stopped","bundle":"/tmp","pid":1}"#
        try Data(stored.utf8).write(to: URL(fileURLWithPath: victim + "/state.json"))
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/planted", withDestinationPath: victim)

        let refusal = "\(root)/planted is a symlink, not a state directory vmm made: refusing to use it"
        #expect(message { _ = try Container(root: root, id: "planted").state() } == refusal)
        #expect(message { try Container(root: root, id: "planted").delete(force: false) } == refusal)
        #expect(message { try Container(root: root, id: "planted").delete(force: true) } == refusal)
        #expect(FileManager.default.fileExists(atPath: victim + "/state.json"), "nothing removed through the link")

        try FileManager.default.createDirectory(atPath: root + "/copied", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: victim + "/state.json", toPath: root + "/copied/state.json")
        #expect(message { _ = try Container(root: root, id: "copied").state() } == "\(root)/copied/state.json is damaged: it names container 'other'")
    }

    @Test func anUnknownContainerAndABadIDAreOneLine() throws {
        #expect(message { _ = try Container(root: root, id: "nope").state() } == "container nope does not exist")
        #expect(message { _ = try Container(root: root, id: "../x") } == "invalid container ID '../x' (letters, digits, '_', '+', '-' and '.' only)")
        #expect(message { _ = try Container(root: root, id: "a b\n\u{1b}[2J") } == #"invalid container ID 'a b\n\u{1B}[2J' (letters, digits, '_', '+', '-' and '.' only)"#)
        #expect(message { _ = try Container(root: root, id: "..") } == "invalid container ID '..' (letters, digits, '_', '+', '-' and '.' only)")
        #expect(message { _ = try Container(root: root, id: "podman-0a1b_c+d.E") } == nil, "runc's characters pass")
        #expect(message { _ = try Container(root: root, id: String(repeating: "x", count: 1000)) } == "invalid container ID: 1000 bytes, at most 255 (it names a directory)")
        #expect(message { _ = try Container(root: root, id: String(repeating: "x", count: 255)).state() } == "container \(String(repeating: "x", count: 255)) does not exist")
    }

    @Test func createRefusesABadBundleAndLeavesNoState() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-badbundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        try Data("{\"ociVersion\": ".utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        let failure = message { try ContainerCreation(root: root, id: "c1", bundle: bundle).create() }
        #expect(failure?.contains("\(bundle)/config.json") == true, "\(failure ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: root + "/c1"))
    }

    @Test(arguments: [("TERM", SIGTERM), ("SIGUSR1", SIGUSR1), ("usr2", SIGUSR2), ("9", SIGKILL), ("64", 64)])
    func signalNamesAreRuncs(name: String, number: Int32) {
        #expect(SignalNames.number(name) == number)
    }

    @Test(arguments: ["", "0", "65", "SIGNOPE", "-1"])
    func unknownSignalsAreNil(name: String) {
        #expect(SignalNames.number(name) == nil)
    }
}
