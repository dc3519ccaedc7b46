import Foundation
import GuestImage
import Machine
import OCI
import Runtime
import Testing

/// A bundle or a `vmm run` request into one container description, without
/// spawning vmm: what the process gets, and what the root is.
@Suite("Runtime: spec from a bundle or a run request")
struct ContainerSpecTests {
    func bundle(_ config: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rootfs"), withIntermediateDirectories: true)
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory.path
    }

    let config = """
        {"ociVersion": "1.0.2",
         "process": {"args": ["sh", "-c", "echo hi"], "env": ["PATH=/bin", "A=1"], "cwd": "/home", "terminal": false},
         "root": {"path": "rootfs", "readonly": true}, "hostname": "box",
         "annotations": {"dev.vmm.firmware": "/fw.bin"}}
        """

    @Test func aBundleGivesItsProcessRootAndFirmwareAsTheyAre() throws {
        let path = try bundle(config)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = ContainerSpec(bundle: try Bundle.load(path))
        #expect(spec.process.arguments == ["sh", "-c", "echo hi"])
        #expect(spec.process.environment == ["PATH=/bin", "A=1"])
        #expect(spec.process.workingDirectory == "/home")
        #expect(spec.process.hostname == "box")
        #expect(spec.rootfs == path + "/rootfs")
        #expect(spec.readOnlyRoot)
        #expect(spec.process.rootFilesystem?.tag == "rootfs")
        #expect(spec.process.rootFilesystem?.readOnly == true)
        #expect(spec.firmware == "/fw.bin")
    }

    @Test func theCommandLineWinsOverTheBundle() throws {
        let path = try bundle(config)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = RunRequest()
        request.bundle = path
        request.command = ["cat", "/etc/hostname"]
        request.environment = ["B=2"]
        request.workingDirectory = "/tmp"
        request.hostname = "other"
        let spec = try ContainerSpec.resolve(request)
        #expect(spec.process.arguments == ["cat", "/etc/hostname"])
        #expect(spec.process.environment == ["PATH=/bin", "A=1", "B=2"])
        #expect(spec.process.workingDirectory == "/tmp")
        #expect(spec.process.hostname == "other")
        #expect(spec.rootfs == path + "/rootfs")
    }

    @Test func vmmRunSaysItDoesNotEnterTheBundlesJoinedNetworkNamespace() throws {
        let path = try bundle("""
            {"ociVersion": "1.0.2", "process": {"args": ["true"], "cwd": "/"}, "root": {"path": "rootfs"},
             "linux": {"namespaces": [{"type": "mount"}, {"type": "network", "path": "/run/netns/cni-1"}]}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = RunRequest()
        request.bundle = path
        let spec = try ContainerSpec.resolve(request)
        #expect(spec.warnings == ["\(path)/config.json: linux.namespaces joins the network namespace /run/netns/cni-1, which vmm run does not enter: the container has lo only (vmm create/start wires it in; vmm run takes --network)"])
        #expect(spec.network == nil)
        let withCard = try ContainerSpec.resolve(request, network: .init(hostSide: .passt))
        #expect(withCard.warnings.isEmpty, "--network says where the card goes")
        #expect(withCard.network != nil)
        let newNamespace = try bundle("""
            {"ociVersion": "1.0.2", "process": {"args": ["true"], "cwd": "/"}, "root": {"path": "rootfs"},
             "linux": {"namespaces": [{"type": "network"}]}}
            """)
        defer { try? FileManager.default.removeItem(atPath: newNamespace) }
        request.bundle = newNamespace
        #expect(try ContainerSpec.resolve(request).warnings.isEmpty, "a new namespace holds lo only, as vmm run gives")
    }

    @Test func aRootAndACommandGetTheDefaultEnvironmentAndATerminalItsTERM() throws {
        var request = RunRequest()
        request.rootfs = "/srv/root"
        request.readOnlyRoot = true
        request.command = ["sh"]
        request.terminal = true
        let spec = try ContainerSpec.resolve(request)
        #expect(spec.rootfs == "/srv/root")
        #expect(spec.process.rootFilesystem?.readOnly == true)
        #expect(spec.process.terminal)
        #expect(Array(spec.process.environment.prefix(2)) == ContainerSpec.defaultEnvironment)
        #expect(spec.process.environment.contains { $0.hasPrefix("TERM=") })
    }

    @Test func aRootWithoutACommandIsRefusedInOneLine() {
        var request = RunRequest()
        request.rootfs = "/srv/root"
        #expect { try ContainerSpec.resolve(request) } throws: { error in
            (error as? CommandFailure)?.message.hasPrefix("nothing to run: give a command after --") == true
        }
    }

    @Test func aBadBundleNamesItsFile() throws {
        let path = try bundle("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": []}}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = RunRequest()
        request.bundle = path
        #expect { try ContainerSpec.resolve(request) } throws: { error in
            (error as? CommandFailure)?.message.contains("config.json") == true
        }
    }

    @Test(arguments: [("1000", 1000, nil), ("0:0", 0, 0), ("65534:100", 65534, 100)] as [(String, UInt32, UInt32?)])
    func numericUsersParse(text: String, uid: UInt32, gid: UInt32?) throws {
        let parsed = try ContainerImage.parseUser(text)
        #expect(parsed.0 == uid && parsed.1 == gid)
    }

    @Test(arguments: ["root", "1000:", ":1", "1:2:3", ""])
    func otherUsersAreRefused(text: String) {
        #expect(throws: CommandFailure.self) { try ContainerImage.parseUser(text) }
    }
}
