# Smallest possible guest: stop at once. Without the irqchip flag the
# hlt leaves KVM (KVM_EXIT_HLT) and the VM ends with status 0.
.include "fw.inc"
    FW_HEADER 16, start
start:
    HALT_FOREVER
