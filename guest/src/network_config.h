/*
 * NETWORK's payload (PROTOCOL.md section 3): tag u16, length u32, value
 * records saying how eth0 is set up. Pure: no syscalls (test/).
 */
#ifndef VMM_NETWORK_CONFIG_H
#define VMM_NETWORK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum network_tag { NETWORK_TAG_LINK = 1, NETWORK_TAG_ADDRESS = 2, NETWORK_TAG_ROUTE = 3 };

/* The record header: tag u16, length u32. */
#define NETWORK_RECORD_HEADER_SIZE 6
/* More than any real interface has; keeps the parsed form a fixed size. */
#define NETWORK_MAX_ADDRESSES 32
#define NETWORK_MAX_ROUTES 32

/* family is the wire's 4 or 6; addresses are in network byte order, as sent. */
struct network_address {
    uint8_t family;
    uint8_t prefix;
    uint8_t address[16];
};

struct network_route {
    uint8_t family;
    uint8_t prefix;
    uint8_t destination[16];
    uint8_t gateway[16];
    bool has_gateway; /* false: on-link (the wire's all-zero gateway) */
};

struct network_config {
    bool has_link;
    uint8_t mac[6];
    uint32_t mtu; /* 0: leave as is */
    size_t naddresses;
    struct network_address addresses[NETWORK_MAX_ADDRESSES];
    size_t nroutes;
    struct network_route routes[NETWORK_MAX_ROUTES]; /* in the host's order: on-link ones first */
};

/* 0, or -1 with the reason in err. Unknown tags are skipped; LINK, if there, comes before ADDRESS and ROUTE. */
int network_config_parse(const uint8_t *payload, size_t n, struct network_config *config, char *err, size_t errlen);

/* Bytes of an address of the wire's family (4 or 6). */
size_t network_address_size(uint8_t family);

/* "10.88.0.5/16", "fd00::5/64"; "02:00:5e:00:00:01". */
void network_format_prefix(uint8_t family, const uint8_t *address, uint8_t prefix, char *out, size_t size);
void network_format_address(uint8_t family, const uint8_t *address, char *out, size_t size);
void network_format_mac(const uint8_t mac[6], char *out, size_t size);

#endif
