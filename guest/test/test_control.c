#include <stdint.h>
#include <string.h>

#include "check.h"
#include "control.h"

static void encode(void)
{
    uint8_t buf[CONTROL_MAX_MESSAGE];
    size_t n = control_encode(buf, sizeof buf, CONTROL_READY, NULL, 0);
    CHECK(n == 6 && memcmp(buf, "\2\0\0\0\1\0", 6) == 0);

    n = control_encode_started(buf, sizeof buf, 0x01020304);
    CHECK(n == 10 && memcmp(buf, "\6\0\0\0\2\0\4\3\2\1", 10) == 0);

    n = control_encode_exited(buf, sizeof buf, 3, 0);
    CHECK(n == 14 && memcmp(buf, "\12\0\0\0\3\0\3\0\0\0\0\0\0\0", 14) == 0);
    n = control_encode_exited(buf, sizeof buf, -1, 15);
    CHECK(n == 14 && memcmp(buf, "\12\0\0\0\3\0\377\377\377\377\17\0\0\0", 14) == 0);

    n = control_encode_error(buf, sizeof buf, "no such file");
    CHECK(n == 18 && memcmp(buf, "\16\0\0\0\4\0no such file", 18) == 0);

    /* Too small a buffer, too long a payload. */
    CHECK(control_encode(buf, 5, CONTROL_READY, NULL, 0) == 0);
    CHECK(control_encode(buf, sizeof buf, CONTROL_ERROR, buf, CONTROL_MAX_PAYLOAD + 1) == 0);

    /* A long ERROR is cut, and never inside a UTF-8 sequence. */
    static char longmsg[CONTROL_MAX_PAYLOAD + 100];
    memset(longmsg, 'a', sizeof longmsg - 1);
    memcpy(longmsg + CONTROL_MAX_PAYLOAD - 1, "\xc3\xa9", 2); /* é straddling the cut */
    n = control_encode_error(buf, sizeof buf, longmsg);
    CHECK(n == CONTROL_HEADER_SIZE + CONTROL_MAX_PAYLOAD - 1);
    CHECK(buf[n - 1] == 'a');
}

static void decode_one_by_one(void)
{
    struct control_decoder d;
    control_decoder_init(&d);
    /* START, SIGNAL 15, WINSIZE 24x80, then an unknown type with a payload */
    const uint8_t stream[] = {2, 0, 0, 0, 0x81, 0,                     /* START */
                              6, 0, 0, 0, 0x82, 0, 15, 0, 0, 0,        /* SIGNAL 15 */
                              6, 0, 0, 0, 0x83, 0, 24, 0, 80, 0,       /* WINSIZE */
                              5, 0, 0, 0, 0x99, 0, 'x', 'y', 'z'};      /* unknown */
    struct control_message m;
    int got = 0;
    uint16_t types[4] = {0};
    int32_t sig = 0;
    uint16_t rows = 0, cols = 0;
    /* One byte at a time: every split point of every header and payload. */
    for (size_t i = 0; i < sizeof stream; i++) {
        CHECK(control_decoder_push(&d, stream + i, 1) == 1);
        enum control_decode_result r;
        while ((r = control_decoder_next(&d, &m)) == CONTROL_GOT_MESSAGE) {
            if (got < 4)
                types[got] = m.type;
            if (m.type == CONTROL_SIGNAL)
                CHECK(control_parse_signal(&m, &sig) == 0);
            if (m.type == CONTROL_WINSIZE)
                CHECK(control_parse_winsize(&m, &rows, &cols) == 0);
            if (m.type == 0x99)
                CHECK(m.length == 3 && memcmp(m.payload, "xyz", 3) == 0);
            got++;
        }
        CHECK(r == CONTROL_NEED_MORE);
    }
    CHECK(got == 4);
    CHECK(types[0] == CONTROL_START && types[1] == CONTROL_SIGNAL && types[2] == CONTROL_WINSIZE &&
          types[3] == 0x99);
    CHECK(sig == 15 && rows == 24 && cols == 80);
}

static void decode_all_at_once(void)
{
    struct control_decoder d;
    control_decoder_init(&d);
    uint8_t buf[64];
    size_t n = control_encode(buf, sizeof buf, CONTROL_START, NULL, 0);
    n += control_encode(buf + n, sizeof buf - n, CONTROL_SIGNAL, "\x09\0\0\0", 4);
    CHECK(control_decoder_push(&d, buf, n) == n);
    struct control_message m;
    CHECK(control_decoder_next(&d, &m) == CONTROL_GOT_MESSAGE && m.type == CONTROL_START && m.length == 0);
    int32_t sig = 0;
    CHECK(control_decoder_next(&d, &m) == CONTROL_GOT_MESSAGE && m.type == CONTROL_SIGNAL &&
          control_parse_signal(&m, &sig) == 0 && sig == 9);
    CHECK(control_decoder_next(&d, &m) == CONTROL_NEED_MORE);
}

static void round_trip_fills_buffer(void)
{
    /* Many maximal messages through the decoder: compaction keeps room for the next one. */
    struct control_decoder d;
    control_decoder_init(&d);
    static uint8_t msg[CONTROL_MAX_MESSAGE];
    static uint8_t payload[CONTROL_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    size_t n = control_encode(msg, sizeof msg, CONTROL_ERROR, payload, sizeof payload);
    CHECK(n == sizeof msg);
    int ok = 1, got = 0;
    for (int round = 0; round < 5; round++) {
        size_t off = 0;
        while (off < n) {
            size_t chunk = n - off < 1000 ? n - off : 1000;
            size_t took = control_decoder_push(&d, msg + off, chunk);
            off += took;
            struct control_message m;
            while (control_decoder_next(&d, &m) == CONTROL_GOT_MESSAGE) {
                ok &= m.length == sizeof payload && memcmp(m.payload, payload, sizeof payload) == 0;
                got++;
            }
            ok &= took > 0;
        }
    }
    CHECK(ok && got == 5);
}

static void bad_streams(void)
{
    struct control_decoder d;
    struct control_message m;
    /* length 0 and 1: no room for the type */
    for (uint8_t len = 0; len < 2; len++) {
        control_decoder_init(&d);
        uint8_t bad[] = {len, 0, 0, 0, 0, 0};
        control_decoder_push(&d, bad, sizeof bad);
        CHECK(control_decoder_next(&d, &m) == CONTROL_BAD_STREAM);
        CHECK(control_decoder_next(&d, &m) == CONTROL_BAD_STREAM); /* stays broken */
    }
    /* a length larger than any message, detected from the length field alone */
    control_decoder_init(&d);
    const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF};
    control_decoder_push(&d, huge, sizeof huge);
    CHECK(control_decoder_next(&d, &m) == CONTROL_BAD_STREAM);
    /* the largest allowed length is fine */
    control_decoder_init(&d);
    uint8_t max[] = {(CONTROL_MAX_PAYLOAD + 2) & 0xFF, (CONTROL_MAX_PAYLOAD + 2) >> 8, 0, 0};
    control_decoder_push(&d, max, sizeof max);
    CHECK(control_decoder_next(&d, &m) == CONTROL_NEED_MORE);
    /* wrong payload sizes for SIGNAL and WINSIZE are refused by the readers */
    m.type = CONTROL_SIGNAL;
    m.payload = (const uint8_t *)"\1\2\3";
    m.length = 3;
    int32_t sig;
    uint16_t r, c;
    CHECK(control_parse_signal(&m, &sig) == -1);
    CHECK(control_parse_winsize(&m, &r, &c) == -1);
}

void test_control(void)
{
    encode();
    decode_one_by_one();
    decode_all_at_once();
    round_trip_fills_buffer();
    bad_streams();
}
