/* virtio-net, driver side, as the virtio_net guests need it: the
   handshake (device id 1, VERSION_1 | MAC | MTU), the MAC and MTU from
   config space, frames out on tx and in on rx, each behind the 12-byte
   header (virtio 1.1 section 5.1). Interrupts arrive on NET_GSI. */
#ifndef VIRTIO_NET_DRIVER_H
#define VIRTIO_NET_DRIVER_H

#include <stdint.h>
#include "virtqueue.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define NET_RX_QUEUE 0
#define NET_TX_QUEUE 1
/* In front of every frame with VERSION_1: num_buffers included. */
#define NET_HDR_SIZE 12
#define ETH_ALEN 6
#define ETH_HDR_SIZE 14
/* IEEE 802 local experimental ethertype: the test's frames, nobody else's. */
#define NET_TEST_ETHERTYPE 0x88B5
/* A full 1514-byte frame and its header: the least an rx buffer holds. */
#define NET_RX_BUF_SIZE 1526

struct net_card {
    struct vq rx, tx;
    uint8_t mac[ETH_ALEN];
    uint16_t mtu;
};

extern struct net_card net;

/* Handshake to DRIVER_OK with both queues set up; `post_rx`: every rx
   descriptor posted as a NET_RX_BUF_SIZE buffer first (a guest that
   posts its own passes 0). Marker 2 at DRIVER_OK. */
void net_init(int post_rx);
/* "virtio_net: mac 02:..:.. mtu N" on the UART. */
void net_print_identity(void);
/* One frame (Ethernet header on) out on tx, behind a zeroed header. */
void net_send(const void *frame, uint32_t len);
/* A frame to ff:ff:ff:ff:ff:ff from our MAC: `ethertype`, then `payload`
   (no NUL, no padding: the host side takes short frames as they are). */
void net_broadcast(uint16_t ethertype, const char *payload);
/* Waits for the card's interrupt until irq_ticks reaches `deadline`:
   InterruptStatus (acknowledged, then the EOI), or 0 at the deadline. */
uint32_t net_wait(uint32_t deadline);
/* The payload of the next rx frame of `ethertype`, up to `max` bytes
   into `out` (other frames are dropped, every buffer reposted); its
   length, or -1 at the deadline. Used tx buffers are taken back meanwhile. */
int net_receive(uint16_t ethertype, uint32_t deadline, uint8_t *out, uint32_t max);

#endif
