# Real-mode UART output between two boot-timeline markers.
.include "fw.inc"
    FW_HEADER 16, start
start:
    BOOT_MARK 1
    UART_PUTS msg
    BOOT_MARK 2
    DEBUG_EXIT 0
msg: .asciz "Hello from vmm firmware\n"
