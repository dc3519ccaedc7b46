import Testing
import TestSupport
@testable import KVM
import OS

@Suite("KVM system", .enabled(if: Host.hasKVM, Host.noKVMReason))
struct KVMSystemTests {
    @Test func opensWithTheStableAPIAndTheCapabilitiesWeNeed() throws {
        let system = try KVMSystem()
        try system.require()
        #expect(try system.vcpuMapSize() >= 4096)
    }

    @Test func createsAVMWithIrqchipVCPUAndEventFDs() throws {
        let vm = try KVMSystem().createVirtualMachine()
        try vm.setTSSAddress(0xFFFB_D000)
        try vm.createIRQChip()
        try vm.createPIT2()
        let vcpu = try vm.createVCPU(id: 0)
        #expect(vcpu.id == 0)
        let doorbell = try EventFD(), interrupt = try EventFD()
        try vm.registerIOEventFD(doorbell, address: 0xD000_0050, length: 4, value: 0)
        try vm.registerIRQFD(interrupt, gsi: 5)
        try vm.setIRQLine(5, high: true)
        try vm.setIRQLine(5, high: false)
    }

    /// What pause holds and resume writes back: the clock read is the one
    /// set, plus only the moments in between.
    @Test func theGuestClockCanBeHeldAndSetBack() throws {
        let vm = try KVMSystem().createVirtualMachine()
        try vm.createIRQChip()
        _ = try vm.createVCPU(id: 0)
        let held: UInt64 = 5_000_000_000_000
        try vm.setClock(held)
        let read = try vm.clock()
        #expect(read >= held && read < held + 1_000_000_000, "kvmclock \(read) after setting \(held)")
    }

    @Test func aSecondVCPUWithTheSameIDIsRefused() throws {
        let vm = try KVMSystem().createVirtualMachine()
        _ = try vm.createVCPU(id: 0)
        #expect(throws: KVMError.self) { try vm.createVCPU(id: 0) }
    }
}

@Suite("KVM errors")
struct KVMErrorTests {
    @Test func aMissingDeviceSaysSo() {
        #expect(throws: KVMError.deviceMissing(path: "/nonexistent/kvm")) {
            try KVMSystem(path: "/nonexistent/kvm")
        }
    }

    @Test func aDeviceThatIsNotKVMIsRefused() {
        // /dev/null opens, but the version ioctl fails on it.
        #expect(throws: KVMError.notKVM(path: "/dev/null")) {
            try KVMSystem(path: "/dev/null")
        }
    }

    @Test func errorsAreOneLine() {
        let errors: [KVMError] = [
            .deviceMissing(path: "/dev/kvm"), .deviceUnusable(path: "/dev/kvm", errno: 13),
            .missingCapability(.irqfd), .ioctlFailed(name: "KVM_RUN", errno: 4),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.isEmpty)
        }
        #expect(KVMError.missingCapability(.irqfd).description.contains("KVM_CAP_IRQFD"))
    }

    @Test func pvmIsDetectedFromTheModuleList() throws {
        let directory = "/tmp/vmm-test-\(getpid())"
        mkdir(directory, 0o700)
        defer { system("rm -rf \(directory)") }
        let modules = "\(directory)/modules", cpuinfo = "\(directory)/cpuinfo", sys = "\(directory)/sys"
        mkdir(sys, 0o700)
        func detect() -> VirtualizationKind { VirtualizationKind.detect(sysModulePath: sys, modulesPath: modules, cpuinfoPath: cpuinfo) }
        try write("kvm_pvm 12345 0 - Live 0x0\nkvm 1 1 kvm_pvm, Live 0x0\n", to: modules)
        try write("flags\t: fpu vme hypervisor\n", to: cpuinfo)
        #expect(detect() == .pvm)
        try write("kvm_intel 1 0 - Live 0x0\n", to: modules)
        #expect(detect() == .hardware("Intel VT-x"))
        try write("", to: modules)
        try write("flags\t: fpu svm\n", to: cpuinfo)
        #expect(detect() == .hardware("AMD-V"))
        // Built-in modules: no /proc/modules line, but a /sys/module entry.
        mkdir("\(sys)/kvm_pvm", 0o700)
        #expect(detect() == .pvm)
    }
}

import Glibc
import OS

func write(_ text: String, to path: String) throws {
    guard let file = fopen(path, "w") else { throw KVMError.deviceMissing(path: path) }
    fputs(text, file)
    fclose(file)
}
