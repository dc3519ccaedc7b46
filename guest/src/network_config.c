/* NETWORK's records to a struct network_config: every length checked before a byte is read. */
#include "network_config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "le.h"

#define LINK_VALUE_SIZE 10 /* MAC, u32 MTU */

static int malformed(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int malformed(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

size_t network_address_size(uint8_t family) { return family == 4 ? 4 : family == 6 ? 16 : 0; }

/* family u8, prefix u8, then `addresses` addresses of that family: the value's whole length. */
static int parse_prefixed(const char *what, const uint8_t *v, uint32_t len, size_t addresses, uint8_t *family,
                          uint8_t *prefix, char *err, size_t errlen)
{
    if (len < 2)
        return malformed(err, errlen, "%s: %u-byte value (too short)", what, len);
    size_t size = network_address_size(v[0]);
    if (size == 0)
        return malformed(err, errlen, "%s: family %u (not 4 or 6)", what, v[0]);
    if (v[1] > size * 8)
        return malformed(err, errlen, "%s: prefix length %u is over %zu for IPv%u", what, v[1], size * 8, v[0]);
    if (len != 2 + addresses * size)
        return malformed(err, errlen, "%s: %u-byte value for IPv%u (wants %zu)", what, len, v[0], 2 + addresses * size);
    *family = v[0];
    *prefix = v[1];
    return 0;
}

static int parse_link(const uint8_t *v, uint32_t len, struct network_config *c, char *err, size_t errlen)
{
    if (c->has_link)
        return malformed(err, errlen, "LINK twice");
    /* PROTOCOL.md's order: refusing another catches a host encoder that drifted from it. */
    if (c->naddresses || c->nroutes)
        return malformed(err, errlen, "LINK after an ADDRESS or ROUTE (it comes first)");
    if (len != LINK_VALUE_SIZE)
        return malformed(err, errlen, "LINK: %u-byte value (wants %d)", len, LINK_VALUE_SIZE);
    c->has_link = true;
    memcpy(c->mac, v, 6);
    c->mtu = le32_get(v + 6);
    return 0;
}

static int parse_address(const uint8_t *v, uint32_t len, struct network_config *c, char *err, size_t errlen)
{
    if (c->naddresses == NETWORK_MAX_ADDRESSES)
        return malformed(err, errlen, "more than %d addresses", NETWORK_MAX_ADDRESSES);
    struct network_address *a = &c->addresses[c->naddresses];
    if (parse_prefixed("ADDRESS", v, len, 1, &a->family, &a->prefix, err, errlen) < 0)
        return -1;
    memcpy(a->address, v + 2, network_address_size(a->family));
    c->naddresses++;
    return 0;
}

static int parse_route(const uint8_t *v, uint32_t len, struct network_config *c, char *err, size_t errlen)
{
    if (c->nroutes == NETWORK_MAX_ROUTES)
        return malformed(err, errlen, "more than %d routes", NETWORK_MAX_ROUTES);
    struct network_route *r = &c->routes[c->nroutes];
    if (parse_prefixed("ROUTE", v, len, 2, &r->family, &r->prefix, err, errlen) < 0)
        return -1;
    size_t size = network_address_size(r->family);
    memcpy(r->destination, v + 2, size);
    memcpy(r->gateway, v + 2 + size, size);
    r->has_gateway = false;
    for (size_t i = 0; i < size; i++)
        r->has_gateway |= r->gateway[i] != 0;
    c->nroutes++;
    return 0;
}

int network_config_parse(const uint8_t *payload, size_t n, struct network_config *config, char *err, size_t errlen)
{
    memset(config, 0, sizeof *config);
    size_t at = 0;
    while (at < n) {
        if (n - at < NETWORK_RECORD_HEADER_SIZE)
            return malformed(err, errlen, "truncated record header at byte %zu", at);
        uint16_t tag = le16_get(payload + at);
        uint32_t len = le32_get(payload + at + 2);
        at += NETWORK_RECORD_HEADER_SIZE;
        if (len > n - at)
            return malformed(err, errlen, "record (tag %u) of %u bytes with %zu left", tag, len, n - at);
        const uint8_t *v = payload + at;
        at += len;
        int r = 0;
        switch (tag) {
        case NETWORK_TAG_LINK: r = parse_link(v, len, config, err, errlen); break;
        case NETWORK_TAG_ADDRESS: r = parse_address(v, len, config, err, errlen); break;
        case NETWORK_TAG_ROUTE: r = parse_route(v, len, config, err, errlen); break;
        default: break; /* unknown: skipped, so the host can add records */
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

void network_format_address(uint8_t family, const uint8_t *address, char *out, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, address, text, sizeof text))
        snprintf(text, sizeof text, "?");
    snprintf(out, size, "%s", text);
}

void network_format_prefix(uint8_t family, const uint8_t *address, uint8_t prefix, char *out, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    network_format_address(family, address, text, sizeof text);
    snprintf(out, size, "%s/%u", text, prefix);
}

void network_format_mac(const uint8_t mac[6], char *out, size_t size)
{
    snprintf(out, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
