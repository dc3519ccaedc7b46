/* libFuzzer target: the NETWORK message's payload (PROTOCOL.md), parsed and
 * every address and route formatted as init logs them. */
#include "network_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct network_config config;
    char err[256], text[64];
    if (network_config_parse(data, size, &config, err, sizeof err) != 0)
        return 0;
    network_format_mac(config.mac, text, sizeof text);
    for (size_t i = 0; i < config.naddresses; i++)
        network_format_prefix(config.addresses[i].family, config.addresses[i].address, config.addresses[i].prefix, text, sizeof text);
    for (size_t i = 0; i < config.nroutes; i++)
        network_format_address(config.routes[i].family, config.routes[i].gateway, text, sizeof text);
    return 0;
}
