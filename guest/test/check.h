/* A minimal test harness: CHECK records a failure with its line and goes on. */
#ifndef VMM_TEST_CHECK_H
#define VMM_TEST_CHECK_H

#include <stdio.h>

extern int checks_passed, checks_failed;

#define CHECK(cond)                                                                                                 \
    do {                                                                                                            \
        if (cond) {                                                                                                 \
            checks_passed++;                                                                                        \
        } else {                                                                                                    \
            checks_failed++;                                                                                        \
            fprintf(stderr, "FAIL %s:%d (%s): %s\n", __FILE__, __LINE__, __func__, #cond);                          \
        }                                                                                                           \
    } while (0)

void test_process_description(void);
void test_control(void);
void test_control_vectors(void);
void test_process_vectors(void);
void test_copyup(void);
void test_network_config(void);

#include <stddef.h>
#include <stdint.h>
size_t parse_hex(const char *text, uint8_t *out, size_t cap);
#include <stdio.h>
/* The next `NAME ARGS = HEX` line of a vector file: its bytes' count (0 at
 * the end), `line` cut to NAME ARGS. Comments and blank lines are skipped. */
size_t next_vector(FILE *f, char *line, size_t size, uint8_t *bytes, size_t cap);
/* Whether a NETWORK payload parses to what a vector line's words say
 * (`link=MAC,MTU address=ADDR/PREFIX route=DEST/PREFIX[,GATEWAY]`). */
int network_matches_words(const uint8_t *payload, size_t n, const char *words);
/* Those words as a whole NETWORK message, encoded by the test itself; 0 if they are not words it knows. */
size_t network_encode_words(const char *words, uint8_t *out, size_t cap);

#endif
