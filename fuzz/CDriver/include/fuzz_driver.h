#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* Hands the process to libFuzzer with `test_one` as its target; -1 when
 * vmm-fuzz was built without it (then it only replays files). */
int fuzz_run_driver(int *argc, char ***argv, int (*test_one)(const uint8_t *data, size_t size));

#endif
