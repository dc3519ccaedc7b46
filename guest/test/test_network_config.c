/* NETWORK's records: the vectors' words, malformed payloads refused, unknown tags skipped. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "control.h"
#include "network_config.h"

/* Appends one record to buf at *n. */
static void put_record(uint8_t *buf, size_t *n, uint16_t tag, const void *value, uint32_t len)
{
    buf[(*n)++] = (uint8_t)tag;
    buf[(*n)++] = (uint8_t)(tag >> 8);
    for (int i = 0; i < 4; i++)
        buf[(*n)++] = (uint8_t)(len >> (8 * i));
    if (len)
        memcpy(buf + *n, value, len);
    *n += len;
}

/* "ADDR/PREFIX" into family (4 or 6), address and prefix; 0, or -1 if it is not one. */
static int parse_cidr(const char *text, uint8_t *family, uint8_t *address, uint8_t *prefix)
{
    char host[64];
    unsigned bits;
    if (sscanf(text, "%63[^/]/%u", host, &bits) != 2)
        return -1;
    *family = strchr(host, ':') ? 6 : 4;
    *prefix = (uint8_t)bits;
    return inet_pton(*family == 4 ? AF_INET : AF_INET6, host, address) == 1 ? 0 : -1;
}

static int address_matches(const struct network_address *a, const char *text)
{
    uint8_t family, prefix, address[16] = {0};
    return parse_cidr(text, &family, address, &prefix) == 0 && a->family == family && a->prefix == prefix &&
           memcmp(a->address, address, network_address_size(family)) == 0;
}

/* "DEST/PREFIX" or "DEST/PREFIX,GATEWAY". */
static int route_matches(const struct network_route *r, const char *text)
{
    char cidr[64] = "", gateway_text[64] = "";
    sscanf(text, "%63[^,],%63s", cidr, gateway_text);
    uint8_t family, prefix, destination[16] = {0}, gateway[16] = {0};
    if (parse_cidr(cidr, &family, destination, &prefix) < 0 || r->family != family || r->prefix != prefix ||
        memcmp(r->destination, destination, network_address_size(family)) != 0)
        return 0;
    if (!gateway_text[0])
        return !r->has_gateway;
    return r->has_gateway && inet_pton(family == 4 ? AF_INET : AF_INET6, gateway_text, gateway) == 1 &&
           memcmp(r->gateway, gateway, network_address_size(family)) == 0;
}

/* The words encoded by hand from PROTOCOL.md's layout, not by init's code: a
 * second reading of the spec, checked against the vectors' bytes. */
size_t network_encode_words(const char *words, uint8_t *out, size_t cap)
{
    uint8_t payload[CONTROL_MAX_PAYLOAD];
    size_t n = 0;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", words);
    char *save = NULL;
    for (char *word = strtok_r(copy, " \n", &save); word; word = strtok_r(NULL, " \n", &save)) {
        uint8_t v[2 + 2 * 16], family, prefix;
        if (strncmp(word, "link=", 5) == 0) {
            unsigned mtu;
            if (sscanf(word + 5, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx,%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &mtu) != 7)
                return 0;
            for (int i = 0; i < 4; i++)
                v[6 + i] = (uint8_t)(mtu >> (8 * i));
            put_record(payload, &n, NETWORK_TAG_LINK, v, 10);
        } else if (strncmp(word, "address=", 8) == 0) {
            if (parse_cidr(word + 8, &family, v + 2, &prefix) < 0)
                return 0;
            v[0] = family;
            v[1] = prefix;
            put_record(payload, &n, NETWORK_TAG_ADDRESS, v, (uint32_t)(2 + network_address_size(family)));
        } else if (strncmp(word, "route=", 6) == 0) {
            char cidr[64] = "", gateway[64] = "";
            sscanf(word + 6, "%63[^,],%63s", cidr, gateway);
            if (parse_cidr(cidr, &family, v + 2, &prefix) < 0)
                return 0;
            size_t size = network_address_size(family);
            memset(v + 2 + size, 0, size);
            if (gateway[0] && inet_pton(family == 4 ? AF_INET : AF_INET6, gateway, v + 2 + size) != 1)
                return 0;
            v[0] = family;
            v[1] = prefix;
            put_record(payload, &n, NETWORK_TAG_ROUTE, v, (uint32_t)(2 + 2 * size));
        } else {
            return 0;
        }
    }
    return control_encode(out, cap, CONTROL_NETWORK, payload, n);
}

int network_matches_words(const uint8_t *payload, size_t n, const char *words)
{
    static struct network_config c;
    char err[256];
    if (network_config_parse(payload, n, &c, err, sizeof err) < 0) {
        fprintf(stderr, "network vector: %s\n", err);
        return 0;
    }
    char copy[512];
    snprintf(copy, sizeof copy, "%s", words);
    size_t addresses = 0, routes = 0;
    int link = 0;
    char *save = NULL;
    for (char *word = strtok_r(copy, " \n", &save); word; word = strtok_r(NULL, " \n", &save)) {
        if (strncmp(word, "link=", 5) == 0) {
            uint8_t mac[6];
            unsigned mtu;
            if (sscanf(word + 5, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx,%u", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
                       &mac[5], &mtu) != 7 ||
                !c.has_link || memcmp(c.mac, mac, 6) != 0 || c.mtu != mtu)
                return 0;
            link = 1;
        } else if (strncmp(word, "address=", 8) == 0) {
            if (addresses == c.naddresses || !address_matches(&c.addresses[addresses++], word + 8))
                return 0;
        } else if (strncmp(word, "route=", 6) == 0) {
            if (routes == c.nroutes || !route_matches(&c.routes[routes++], word + 6))
                return 0;
        } else {
            return 0;
        }
    }
    return link == c.has_link && addresses == c.naddresses && routes == c.nroutes;
}

static int parses(const uint8_t *buf, size_t n, struct network_config *c, char *err, size_t errlen)
{
    return network_config_parse(buf, n, c, err, errlen) == 0;
}

static void test_malformed(void)
{
    static struct network_config c;
    char err[256];
    uint8_t buf[128];
    size_t n;

    const uint8_t v4[] = {4, 16, 10, 88, 0, 5};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, sizeof v4);
    CHECK(parses(buf, n, &c, err, sizeof err) && c.naddresses == 1);
    /* Truncated: the value cut short, and a header cut short. */
    CHECK(!parses(buf, n - 1, &c, err, sizeof err) && strstr(err, "left"));
    CHECK(!parses(buf, 5, &c, err, sizeof err) && strstr(err, "truncated"));

    const uint8_t family5[] = {5, 16, 10, 88, 0, 5};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, family5, sizeof family5);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strcmp(err, "ADDRESS: family 5 (not 4 or 6)") == 0);

    const uint8_t prefix33[] = {4, 33, 10, 88, 0, 5};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, prefix33, sizeof prefix33);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "prefix length 33 is over 32"));
    const uint8_t route_prefix33[] = {4, 33, 10, 88, 0, 0, 0, 0, 0, 0};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ROUTE, route_prefix33, sizeof route_prefix33);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "ROUTE: prefix length 33"));
    const uint8_t v6_prefix128[18] = {6, 128, 0xfd};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v6_prefix128, sizeof v6_prefix128);
    CHECK(parses(buf, n, &c, err, sizeof err) && c.addresses[0].prefix == 128);

    const uint8_t v4_with_16_bytes[18] = {4, 16, 10, 88, 0, 5};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4_with_16_bytes, sizeof v4_with_16_bytes);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "18-byte value for IPv4"));
    const uint8_t route_v6_short[18] = {6, 0};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ROUTE, route_v6_short, sizeof route_v6_short);
    CHECK(!parses(buf, n, &c, err, sizeof err));
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, 1);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "too short"));

    const uint8_t link9[9] = {2, 0, 0x5e, 0, 0, 1, 0xdc, 5, 0};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_LINK, link9, sizeof link9);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strcmp(err, "LINK: 9-byte value (wants 10)") == 0);
    const uint8_t link[10] = {2, 0, 0x5e, 0, 0, 1, 0, 0, 0, 0};
    n = 0;
    put_record(buf, &n, NETWORK_TAG_LINK, link, sizeof link);
    put_record(buf, &n, NETWORK_TAG_LINK, link, sizeof link);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strcmp(err, "LINK twice") == 0);
    /* LINK comes first: after an ADDRESS it is refused, after an unknown record it is fine. */
    n = 0;
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, sizeof v4);
    put_record(buf, &n, NETWORK_TAG_LINK, link, sizeof link);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "LINK after an ADDRESS"));
    n = 0;
    put_record(buf, &n, 99, v4, sizeof v4);
    put_record(buf, &n, NETWORK_TAG_LINK, link, sizeof link);
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, sizeof v4);
    CHECK(parses(buf, n, &c, err, sizeof err) && c.has_link && c.naddresses == 1);
}

static void test_unknown_and_empty(void)
{
    static struct network_config c;
    char err[256];
    uint8_t buf[128];
    size_t n = 0;
    const uint8_t junk[] = {0xff, 0xee, 0xdd};
    const uint8_t v4[] = {4, 24, 192, 168, 1, 2};
    const uint8_t onlink[] = {4, 24, 192, 168, 1, 0, 0, 0, 0, 0};
    put_record(buf, &n, 99, junk, sizeof junk);
    put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, sizeof v4);
    put_record(buf, &n, 0, NULL, 0);
    put_record(buf, &n, NETWORK_TAG_ROUTE, onlink, sizeof onlink);
    CHECK(parses(buf, n, &c, err, sizeof err) && !c.has_link && c.naddresses == 1 && c.nroutes == 1 &&
          !c.routes[0].has_gateway);
    char text[64];
    network_format_prefix(4, c.addresses[0].address, c.addresses[0].prefix, text, sizeof text);
    CHECK(strcmp(text, "192.168.1.2/24") == 0);
    /* No records: nothing but eth0 up. */
    CHECK(parses(buf, 0, &c, err, sizeof err) && !c.has_link && c.naddresses == 0 && c.nroutes == 0);
}

static void test_too_many(void)
{
    static struct network_config c;
    char err[256];
    uint8_t buf[(NETWORK_MAX_ADDRESSES + 1) * 12];
    size_t n = 0;
    const uint8_t v4[] = {4, 32, 10, 0, 0, 1};
    for (int i = 0; i <= NETWORK_MAX_ADDRESSES; i++)
        put_record(buf, &n, NETWORK_TAG_ADDRESS, v4, sizeof v4);
    CHECK(!parses(buf, n, &c, err, sizeof err) && strstr(err, "more than"));
    CHECK(parses(buf, n - 12, &c, err, sizeof err) && c.naddresses == NETWORK_MAX_ADDRESSES);
}

void test_network_config(void)
{
    test_malformed();
    test_unknown_and_empty();
    test_too_many();
}
