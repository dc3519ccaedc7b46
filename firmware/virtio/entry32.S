# Entry of the C firmware guests: the VMFW header (mode 32, irqchip), bss
# clearing, and the interrupt stubs.
#
# KVM's instruction emulator (which runs 32-bit guests on PVM) cannot
# emulate iret in protected mode, so no handler here returns with iret.
# Interrupts are enabled only inside irq_halt's `sti; hlt`; a hardware
# interrupt handler drops the 12-byte frame it interrupted (eip, cs,
# eflags), which leaves IF clear, and resumes irq_halt's caller with the
# vector. Exceptions are fatal.

.include "fw.inc"

FW_HEADER 32, fw_entry, FW_IRQCHIP

.globl fw_entry
fw_entry:
    cld
    mov $bss_start, %edi
    mov $bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    call fw_main
    HALT_FOREVER

# int irq_halt(void): wait for one interrupt; returns its vector, IF clear.
.globl irq_halt
irq_halt:
    sti
    hlt                 # sti's one-instruction shadow: no wakeup is lost
    jmp irq_halt        # not reached: the handler resumes at irq_resume
irq_resume:
    mov irq_vector, %eax
    ret

# One stub per vector 0-47: record the vector, go to the common path.
.macro VECTOR n
vector_\n:
    movl $\n, irq_vector
    jmp irq_common
.endm

.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    VECTOR \n
.endr

irq_common:
    cmpl $32, irq_vector
    jb 1f
    add $12, %esp       # drop the frame of the interrupted hlt
    jmp irq_resume
1:  push %esp           # exception: frame (error code first, if any)
    pushl irq_vector
    call fw_exception   # does not return
    HALT_FOREVER

.macro VECTOR_ADDR n
    .long vector_\n
.endm

.section .rodata
.globl irq_stubs
.align 4
irq_stubs:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    VECTOR_ADDR \n
.endr

.section .bss
.align 4
irq_vector: .long 0

.section .note.GNU-stack, "", @progbits
