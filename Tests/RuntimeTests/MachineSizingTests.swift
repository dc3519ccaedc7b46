import Foundation
import Machine
import OCI
import Runtime
import Testing
import Timeline

/// linux.resources and the sizing annotations → the VM's memory and vCPUs,
/// without spawning vmm (a firmware stand-in, so no kernel is needed).
@Suite("Runtime: the VM sized by the container's resources")
struct MachineSizingTests {
    func configuration(_ linux: String, annotations: String = "") throws -> (MachineConfiguration, [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sizing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rootfs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            {"process": {"args": ["true"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": \(linux),
             "annotations": {"dev.vmm.firmware": "/fw.bin"\(annotations)}}
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        let spec = ContainerSpec(bundle: try Bundle.load(directory.path))
        let machine = try ContainerMachine.configuration(spec: spec, kernel: nil, commandLine: nil, user: nil, debug: false, timeline: BootTimeline())
        return (machine, spec.warnings)
    }

    @Test func theMemoryLimitIsGuestRAMWithTheKernelsShareOnTop() throws {
        let (machine, _) = try configuration(#"{"resources": {"memory": {"limit": 268435456}}}"#)
        #expect(machine.memoryMiB == 256 + 8 + 4)
    }

    @Test func noLimitOrMinusOneKeepsTheDefault() throws {
        #expect(try configuration(#"{"resources": {"memory": {"limit": -1}}}"#).0.memoryMiB == MachineConfiguration.defaultMemoryMiB)
        #expect(try configuration(#"{"resources": {}}"#).0.memoryMiB == MachineConfiguration.defaultMemoryMiB)
    }

    @Test func aLimitTooSmallToBootGetsTheMinimumAndSaysSo() throws {
        let (machine, warnings) = try configuration(#"{"resources": {"memory": {"limit": 6291456}}}"#)
        #expect(machine.memoryMiB == 64)
        #expect(warnings.contains { $0.hasSuffix("linux.resources.memory.limit 6 MiB is below what a VM boots in: the guest gets 64 MiB") })
    }

    @Test(arguments: [
        (#"{"quota": 200000, "period": 100000}"#, 2),
        (#"{"quota": 150000, "period": 100000}"#, 2),
        (#"{"quota": 50000}"#, 1),
        (#"{"cpus": "0-3,6"}"#, 5),
        (#"{"quota": 400000, "period": 100000, "cpus": "1,2"}"#, 2),
        (#"{"quota": -1, "shares": 1024}"#, 1),
    ] as [(String, UInt32)])
    func theCPUQuotaOrCpusetIsTheVCPUCount(cpu: String, vcpus: UInt32) throws {
        #expect(try configuration(#"{"resources": {"cpu": \#(cpu)}}"#).0.cpus == vcpus)
    }

    @Test func annotationsSetTheSizeOutright() throws {
        let (machine, _) = try configuration(
            #"{"resources": {"memory": {"limit": 268435456}, "cpu": {"cpus": "0-7"}}}"#,
            annotations: #", "dev.vmm.memory-mib": "512", "dev.vmm.cpus": "3""#)
        #expect(machine.memoryMiB == 512)
        #expect(machine.cpus == 3)
    }

    @Test(arguments: [
        (#"{"resources": {"cpu": {"cpus": "3-1"}}}"#, "", "linux.resources.cpu.cpus '3-1' is not a cpuset list (like 0-3,6)"),
        (#"{"resources": {"memory": {"limit": "1g"}}}"#, "", "linux.resources.memory.limit is not a non-negative integer"),
        (#"{}"#, #", "dev.vmm.cpus": "many""#, "annotation dev.vmm.cpus 'many' is not a vCPU count"),
        (#"{"resources": {"cpu": {"cpus": "0-299"}}}"#, "", "the container's size: --cpus must be between 1 and 254, got 300"),
    ])
    func aBadSizeIsOneLine(linux: String, annotations: String, message: String) {
        #expect { try configuration(linux, annotations: annotations) } throws: { error in
            "\(error)".contains(message) || ((error as? CommandFailure)?.message.contains(message) ?? false)
        }
    }

    @Test func whatDoesNotSizeTheVMIsReported() throws {
        let (_, warnings) = try configuration(#"{"resources": {"pids": {"limit": 100}, "hugepageLimits": [], "memory": {"limit": 268435456, "swap": 536870912}}}"#)
        #expect(warnings.contains { $0.hasSuffix("linux.resources.memory.swap not applied (the VM's memory is the limit)") })
        #expect(warnings.contains { $0.hasSuffix("linux.resources.hugepageLimits not applied inside the VM yet") })
        #expect(!warnings.contains { $0.contains("pids") }, "the pids limit is the container cgroup's pids.max")
    }
}
