# Sourced by scripts/*.sh: what this host can boot.

# True where vmm check finds VT-x/AMD-V: Linux guests boot here natively.
# On PVM (kvm_pvm) or without KVM they need the emulated AMD-V test machine.
host_boots_linux() {
    "${1:-.build/release/vmm}" check 2>/dev/null | grep -q '^ok *virtualization'
}
