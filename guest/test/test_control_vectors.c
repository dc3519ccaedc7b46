/* Every line of control-vectors.txt, encoded and decoded by init's code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "control.h"

#ifndef CONTROL_VECTORS
#define CONTROL_VECTORS "control-vectors.txt"
#endif

/* Hex digits to bytes, spaces and newlines skipped; 0 when malformed or over cap. */
size_t parse_hex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned byte;
    while (*text) {
        if (*text == ' ' || *text == '\n') {
            text++;
            continue;
        }
        if (n == cap || sscanf(text, "%2x", &byte) != 1)
            return 0;
        out[n++] = (uint8_t)byte;
        text += 2;
    }
    return n;
}

size_t next_vector(FILE *f, char *line, size_t size, uint8_t *bytes, size_t cap)
{
    while (fgets(line, (int)size, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *equals = strstr(line, " = ");
        CHECK(equals != NULL);
        if (!equals)
            continue;
        *equals = 0;
        size_t n = parse_hex(equals + 3, bytes, cap);
        CHECK(n > 0);
        return n;
    }
    return 0;
}

/* The text after the first (second_word) or second (third_word) space-separated word, without the newline. */
static const char *after_words(const char *args, int words)
{
    static char rest[256];
    const char *p = args;
    for (int i = 0; i < words && p; i++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    snprintf(rest, sizeof rest, "%s", p ? p : "");
    rest[strcspn(rest, "\n")] = 0;
    return rest;
}

static const char *second_word(const char *args) { return after_words(args, 1); }
static const char *third_word(const char *args) { return after_words(args, 2); }

/* What init's encoders make of NAME ARGS; 0 for the host's messages, which init only decodes
 * (NETWORK aside: the test encodes its records itself, a second reading of the layout). */
static size_t encode_named(const char *name, const char *args, uint8_t *buf, size_t cap, uint16_t *type)
{
    long a = 0, b = 0;
    sscanf(args, "%ld %ld", &a, &b);
    static const struct { const char *name; uint16_t type; } types[] = {
        {"ready", CONTROL_READY}, {"started", CONTROL_STARTED}, {"exited", CONTROL_EXITED}, {"error", CONTROL_ERROR},
        {"start", CONTROL_START}, {"signal", CONTROL_SIGNAL},   {"winsize", CONTROL_WINSIZE},
        {"exec_started", CONTROL_EXEC_STARTED}, {"exec_output", CONTROL_EXEC_OUTPUT},
        {"exec_exited", CONTROL_EXEC_EXITED}, {"exec_error", CONTROL_EXEC_ERROR}, {"exec", CONTROL_EXEC},
        {"exec_input", CONTROL_EXEC_INPUT}, {"exec_signal", CONTROL_EXEC_SIGNAL}, {"exec_winsize", CONTROL_EXEC_WINSIZE},
        {"signal_all", CONTROL_SIGNAL_ALL}, {"network", CONTROL_NETWORK},
    };
    *type = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0)
            *type = types[i].type;
    switch (*type) {
    case CONTROL_READY: return control_encode(buf, cap, CONTROL_READY, NULL, 0);
    case CONTROL_STARTED: return control_encode_started(buf, cap, (uint32_t)a);
    case CONTROL_EXITED: return control_encode_exited(buf, cap, (int32_t)a, (int32_t)b);
    case CONTROL_ERROR: return control_encode_error(buf, cap, args);
    case CONTROL_EXEC_STARTED: return control_encode_exec_started(buf, cap, (uint32_t)a, (uint32_t)b);
    case CONTROL_EXEC_EXITED: {
        long c = 0;
        sscanf(args, "%ld %ld %ld", &a, &b, &c);
        return control_encode_exec_exited(buf, cap, (uint32_t)a, (int32_t)b, (int32_t)c);
    }
    case CONTROL_EXEC_OUTPUT: {
        const char *data = third_word(args);
        return control_encode_exec_output(buf, cap, (uint32_t)a, (uint8_t)b, data, strlen(data));
    }
    case CONTROL_EXEC_ERROR: return control_encode_exec_error(buf, cap, (uint32_t)a, second_word(args));
    case CONTROL_NETWORK: return network_encode_words(args, buf, cap);
    default: return 0;
    }
}

void test_control_vectors(void)
{
    FILE *f = fopen(CONTROL_VECTORS, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    int lines = 0;
    uint8_t golden[256], ours[256];
    size_t golden_n;
    while ((golden_n = next_vector(f, line, sizeof line, golden, sizeof golden)) > 0) {
        CHECK(golden_n >= CONTROL_HEADER_SIZE);
        char name[32] = "", *args = strchr(line, ' ');
        snprintf(name, sizeof name, "%.*s", args ? (int)(args - line) : (int)strlen(line), line);
        args = args ? args + 1 : "";
        uint16_t type;
        size_t n = encode_named(name, args, ours, sizeof ours, &type);
        CHECK(type != 0);
        if (n)
            CHECK(n == golden_n && memcmp(ours, golden, n) == 0);
        /* Decoded: the type, and for the host's messages what init parses out of them. */
        struct control_decoder d;
        control_decoder_init(&d);
        CHECK(control_decoder_push(&d, golden, golden_n) == golden_n);
        struct control_message m;
        CHECK(control_decoder_next(&d, &m) == CONTROL_GOT_MESSAGE && m.type == type);
        long a = 0, b = 0;
        sscanf(args, "%ld %ld", &a, &b);
        int32_t signal = 0;
        uint16_t rows = 0, columns = 0;
        if (type == CONTROL_SIGNAL || type == CONTROL_SIGNAL_ALL)
            CHECK(control_parse_signal(&m, &signal) == 0 && signal == a);
        if (type == CONTROL_WINSIZE)
            CHECK(control_parse_winsize(&m, &rows, &columns) == 0 && rows == a && columns == b);
        uint32_t id = 0;
        const uint8_t *rest = NULL;
        size_t rest_n = 0;
        if (type == CONTROL_EXEC_SIGNAL)
            CHECK(control_parse_exec_signal(&m, &id, &signal) == 0 && id == a && signal == b);
        if (type == CONTROL_EXEC_WINSIZE) {
            long c = 0;
            sscanf(args, "%ld %ld %ld", &a, &b, &c);
            CHECK(control_parse_exec_winsize(&m, &id, &rows, &columns) == 0 && id == a && rows == b && columns == c);
        }
        if (type == CONTROL_EXEC_INPUT) {
            const char *data = second_word(args);
            CHECK(control_parse_exec_bytes(&m, &id, &rest, &rest_n) == 0 && id == a && rest_n == strlen(data) &&
                  memcmp(rest, data, rest_n) == 0);
        }
        if (type == CONTROL_EXEC) /* the id, then a process description whose one ARG is the second word */
            CHECK(control_parse_exec_bytes(&m, &id, &rest, &rest_n) == 0 && id == a && rest_n == 16 &&
                  memcmp(rest, "VMMPROC1", 8) == 0 && memcmp(rest + 14, second_word(args), 2) == 0);
        if (type == CONTROL_NETWORK) /* both ways: the bytes from the words (compared above), the words from the bytes */
            CHECK(n > 0 && network_matches_words(m.payload, m.length, args));
        lines++;
    }
    fclose(f);
    CHECK(lines >= 21);
}
