/* virtio-console with VIRTIO_CONSOLE_F_MULTIPORT (virtio 1.1 section 5.3):
   the control queues and the port handshake, as Linux's driver does it. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdint.h>
#include "virtqueue.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_CONSOLE_F_MULTIPORT 1

/* Control events (struct virtio_console_control). */
#define VIRTIO_CONSOLE_DEVICE_READY 0
#define VIRTIO_CONSOLE_DEVICE_ADD 1
#define VIRTIO_CONSOLE_DEVICE_REMOVE 2
#define VIRTIO_CONSOLE_PORT_READY 3
#define VIRTIO_CONSOLE_CONSOLE_PORT 4
#define VIRTIO_CONSOLE_RESIZE 5
#define VIRTIO_CONSOLE_PORT_OPEN 6
#define VIRTIO_CONSOLE_PORT_NAME 7

/* The ports of guest/PROTOCOL.md section 2, at the ids the host gives them. */
#define PORT_CONSOLE 0
#define PORT_STDIN 1
#define PORT_STDOUT 2
#define PORT_STDERR 3
#define PORT_CONTROL 4
#define NPORTS 5
#define CONSOLE_MAX_PORTS 15
#define PORT_NAME_MAX 31

struct port {
    uint8_t added;      /* DEVICE_ADD came, receive buffers posted */
    uint8_t is_console; /* CONSOLE_PORT came */
    uint8_t host_open;  /* the host's side is connected (PORT_OPEN from the host) */
    uint8_t guest_open; /* we sent PORT_OPEN 1 */
    char name[PORT_NAME_MAX + 1];
    struct vq *rx, *tx;
};

extern struct port ports[CONSOLE_MAX_PORTS];
/* Set by the malformed-queue guests: NEEDS_RESET is then the expected end. */
extern int console_expect_reset;

/* Probe, negotiate, set up every queue, DRIVER_OK, DEVICE_READY. */
void console_init(void);
/* Until ports 0-4 are added, named as PROTOCOL.md says, and port 0 is the
   console; then opens the four named ports. Fails after timeout_ms. */
void console_handshake(uint32_t timeout_ms);
/* Handles control messages, reclaims sent buffers. Call after each wakeup. */
void console_poll(void);
/* Sleeps until the device interrupts (returns 1) or irq_ticks reaches
   deadline (returns 0; deadline 0 = never). Fails when used buffers wait
   without an interrupt. */
int console_wait(uint32_t deadline);
/* Queues len bytes on the port's transmit queue in buffers of up to
   VQ_BUF_SIZE; waits while the host has not opened it or the queue is full. */
void console_write(int port, const void *data, uint32_t len);
/* One buffer of len bytes (at most VQ_BUF_SIZE) as its descriptor's
   buffer already holds them: a flood without a copy per write. */
void console_write_in_place(int port, uint32_t len);
/* The same as one two-descriptor chain (each part at most VQ_BUF_SIZE). */
void console_write2(int port, const void *a, uint32_t alen, const void *b, uint32_t blen);
/* The oldest received buffer of the port: its length and *data, or -1. */
int console_peek(int port, const uint8_t **data);
/* Gives that buffer back to the device. */
void console_release(int port);
/* Sends a control message (le32 id, le16 event, le16 value). */
void console_control(uint32_t id, uint16_t event, uint16_t value);

#endif
