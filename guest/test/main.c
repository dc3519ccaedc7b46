/* Host-side unit tests of init's pure parts. The last line is "N passed, M failed". */
#include "check.h"

int checks_passed, checks_failed;

int main(void)
{
    test_process_description();
    test_control();
    test_control_vectors();
    test_process_vectors();
    test_copyup();
    test_network_config();
    printf("%d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}
