# An exception with an empty IDT escalates to #GP, #DF and a triple
# fault: the VMM must see a shutdown and report it as a failure.
.include "fw.inc"
    FW_HEADER 32, start
start:
    lidt empty_idt
    ud2
    HALT_FOREVER
empty_idt:
    .word 0     # limit 0: no vector is valid
    .long 0
