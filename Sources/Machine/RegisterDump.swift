import CKVM
import KVM

/// The vCPU state printed when a guest crashes.
enum RegisterDump {
    static func lines(_ vcpu: VCPU) -> [String] {
        guard let r = try? vcpu.registers(), let s = try? vcpu.specialRegisters() else {
            return ["(registers unavailable)"]
        }
        return [
            "rip=\(hex(r.rip)) rsp=\(hex(r.rsp)) rbp=\(hex(r.rbp)) rflags=\(hex(r.rflags))",
            "rax=\(hex(r.rax)) rbx=\(hex(r.rbx)) rcx=\(hex(r.rcx)) rdx=\(hex(r.rdx)) rsi=\(hex(r.rsi)) rdi=\(hex(r.rdi))",
            "cs=\(segment(s.cs)) ss=\(segment(s.ss)) ds=\(segment(s.ds))",
            "cr0=\(hex(s.cr0)) cr2=\(hex(s.cr2)) cr3=\(hex(s.cr3)) cr4=\(hex(s.cr4)) efer=\(hex(s.efer))",
            "gdt=\(hex(s.gdt.base))/\(hex(s.gdt.limit)) idt=\(hex(s.idt.base))/\(hex(s.idt.limit))",
        ]
    }

    private static func segment(_ s: kvm_segment) -> String {
        "\(hex(s.selector))(base \(hex(s.base)))"
    }
}
