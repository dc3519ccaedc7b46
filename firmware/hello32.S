# Protected-mode UART output: checks the VMM's flat GDT and entry state.
.include "fw.inc"
    FW_HEADER 32, start
start:
    UART_PUTS msg
    DEBUG_EXIT 0
msg: .asciz "Hello from 32-bit firmware\n"
