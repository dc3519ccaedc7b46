# Exit round-trip benchmark: the markers bracket 10000 PIO writes and
# 10000 MMIO writes to the VMM's null devices.
.include "fw.inc"
.set COUNT, 10000
    FW_HEADER 32, start
start:
    BOOT_MARK 1
    xor %eax, %eax
    mov $PORT_NULL, %dx
    mov $COUNT, %ecx
1:  out %al, %dx
    dec %ecx
    jnz 1b
    BOOT_MARK 2
    xor %eax, %eax
    mov $COUNT, %ecx
2:  movl %eax, MMIO_NULL
    dec %ecx
    jnz 2b
    BOOT_MARK 3
    DEBUG_EXIT 0
