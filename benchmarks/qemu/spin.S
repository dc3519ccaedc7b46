# A 64 KiB -bios image for QEMU whose reset vector loops forever with
# interrupts off: a QEMU microvm that stays up until it is signalled, for
# measuring its resident memory beside vmm's spin firmware (memory.py).
    .code16
    .text
    .org 0xfff0, 0xff        # x86 BIOS images must be a multiple of 64 KiB
    cli
1:  jmp 1b
    .org 0x10000, 0xff
