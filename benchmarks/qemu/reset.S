# A 64 KiB -bios image for QEMU whose reset vector (the last 16 bytes,
# mapped at 0xFFFFFFF0) writes to isa-debug-exit at once, so QEMU's
# start-up and tear-down are all that gets timed.
# QEMU exits with (42 << 1) | 1 = 85: unmistakable for its own errors.
    .code16
    .text
    .org 0xfff0, 0xff        # x86 BIOS images must be a multiple of 64 KiB
    mov $42, %al
    mov $0x501, %dx
    out %al, %dx
    cli
1:  hlt
    jmp 1b
    .org 0x10000, 0xff
