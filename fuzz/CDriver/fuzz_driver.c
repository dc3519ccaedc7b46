#include "fuzz_driver.h"

#ifdef VMM_LIBFUZZER
/* libFuzzer's entry for programs with a main of their own (the runtime's
 * fuzzer_no_main flavour, or its full one, whose main we then displace). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one)(const uint8_t *data, size_t size));

int fuzz_run_driver(int *argc, char ***argv, int (*test_one)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(argc, argv, test_one);
}
#else
int fuzz_run_driver(int *argc, char ***argv, int (*test_one)(const uint8_t *data, size_t size)) {
    (void)argc;
    (void)argv;
    (void)test_one;
    return -1;
}
#endif
