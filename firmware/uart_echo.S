# Echoes what arrives on the UART (the host's stdin) back out, upper-cased
# so the test sees the guest did it, until a newline; then exits 0.
.include "fw.inc"
    FW_HEADER 16, start
start:
    mov $UART_LSR, %dx
1:  in %dx, %al
    test $1, %al            # LSR data ready
    jz 1b
    mov $UART_THR, %dx      # the receive buffer shares the transmit port
    in %dx, %al
    cmp $'a', %al
    jb 2f
    cmp $'z', %al
    ja 2f
    sub $0x20, %al
2:  push %ax
    UART_PUTC
    pop %ax
    cmp $'\n', %al
    jne start
    DEBUG_EXIT 0
