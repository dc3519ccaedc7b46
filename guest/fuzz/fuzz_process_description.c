/* libFuzzer target: /vmm/process as init parses it (PROTOCOL.md section 1). */
#include "process_description.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct process_description pd;
    char err[256];
    if (process_description_parse(data, size, &pd, err, sizeof err) == 0)
        process_description_free(&pd);
    return 0;
}
