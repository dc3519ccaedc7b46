/* libFuzzer target: the control port's byte stream as init reads it
 * (PROTOCOL.md section 3): pieces of any size into the decoder, every
 * message through the parser for its type, EXEC's description included. */
#include "control.h"
#include "control_types.h"
#include "process_description.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const struct control_message *m) {
    int32_t signal;
    uint16_t rows, columns;
    uint32_t id;
    const uint8_t *rest;
    size_t n;
    (void)control_parse_signal(m, &signal);
    (void)control_parse_winsize(m, &rows, &columns);
    (void)control_parse_exec_signal(m, &id, &signal);
    (void)control_parse_exec_winsize(m, &id, &rows, &columns);
    if (control_parse_exec_bytes(m, &id, &rest, &n) == 0 && m->type == CONTROL_EXEC) {
        struct process_description pd;
        char err[128];
        if (process_description_parse(rest, n, &pd, err, sizeof err) == 0)
            process_description_free(&pd);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct control_decoder decoder;
    control_decoder_init(&decoder);
    size_t at = 0;
    while (at < size) {
        size_t piece = (size_t)data[at++] + 1; /* the first byte of each piece says how long it is */
        if (piece > size - at)
            piece = size - at;
        size_t taken = control_decoder_push(&decoder, data + at, piece);
        at += taken;
        struct control_message m;
        enum control_decode_result result;
        while ((result = control_decoder_next(&decoder, &m)) == CONTROL_GOT_MESSAGE)
            parse(&m);
        if (result == CONTROL_BAD_STREAM || (taken == 0 && piece > 0))
            break;
    }
    return 0;
}
