# Loops forever with interrupts off and no devices: a guest only the host
# can end (signals to vmm, teardown tests).
.include "fw.inc"
    FW_HEADER 16, start
start:
    cli
1:  jmp 1b
