/* The few libc pieces the guests need, and the failure path. */
#ifndef LIB_H
#define LIB_H

#include <stddef.h>
#include <stdint.h>

/* gcc may emit calls to these even in freestanding code. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Writes v in decimal to out (no NUL); returns the digit count. */
uint32_t fmt_dec(char *out, uint32_t v);

void uart_puts(const char *s);
void uart_hex(uint32_t v);

/* The guest's name, prefixed to failure messages. */
extern const char fw_name[];

/* Driver failure: "NAME: why" on the UART, then debug-exit 99. */
__attribute__((noreturn)) void fail(const char *why);
/* The same with " 0xVALUE" after the reason. */
__attribute__((noreturn)) void fail_hex(const char *why, uint32_t value);

#define FAIL_STATUS 99

#endif
