#include "lib.h"
#include "io.h"

/* rep movsl/stosl: under emulation each iteration costs about an instruction, so move dwords. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t words = n >> 2, rest = n & 3;
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(rest) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

uint32_t fmt_dec(char *out, uint32_t v)
{
    char tmp[10];
    uint32_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_hex(uint32_t v)
{
    int shift;
    uart_puts("0x");
    for (shift = 28; shift >= 0; shift -= 4)
        uart_putc("0123456789abcdef"[(v >> shift) & 0xF]);
}

static void fail_prefix(const char *why)
{
    uart_puts(fw_name);
    uart_puts(": ");
    uart_puts(why);
}

void fail(const char *why)
{
    fail_prefix(why);
    uart_putc('\n');
    debug_exit(FAIL_STATUS);
}

void fail_hex(const char *why, uint32_t value)
{
    fail_prefix(why);
    uart_putc(' ');
    uart_hex(value);
    uart_putc('\n');
    debug_exit(FAIL_STATUS);
}
