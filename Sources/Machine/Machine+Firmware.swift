import Boot
import KVM

extension Machine {
    /// A flat firmware image entered on vCPU 0 in the mode it declares.
    func prepareFirmware(_ path: String) throws(MachineError) -> PreparedGuest {
        let image = try Self.loadFirmware(path)
        let (_, vm, memory, vcpus) = try createVM(irqchip: image.wantsIRQChip)
        do {
            try FirmwareEntry.load(image, into: memory)
        } catch {
            throw .memory(error)
        }
        do {
            try FirmwareEntry.enter(image, on: vcpus[0])
        } catch {
            throw .kvm(error)
        }
        timeline.record(.firmwareLoaded)
        // Without an irqchip nothing can wake an application processor, so
        // only the bootstrap vCPU runs; with one, KVM parks them until SIPI.
        return PreparedGuest(vm: vm, memory: memory, runnable: image.wantsIRQChip ? vcpus : [vcpus[0]], hasIRQChip: image.wantsIRQChip)
    }

    static func loadFirmware(_ path: String) throws(MachineError) -> FirmwareImage {
        let bytes = try HostFile.read(path, what: "firmware")
        do {
            return try FirmwareImage(bytes: bytes)
        } catch {
            throw .invalidFirmware(path: path, reason: error.reason)
        }
    }
}
