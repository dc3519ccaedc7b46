/* Split virtqueue, driver side (virtio 1.1 section 2.6). Each descriptor
   owns one fixed buffer of VQ_BUF_SIZE bytes, so a buffer is found from
   the descriptor index the device hands back. */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdint.h>

#define VQ_MAX_SIZE 16
#define VQ_BUF_SIZE 4096

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_USED_F_NO_NOTIFY 1

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VQ_MAX_SIZE];
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[VQ_MAX_SIZE];
};

struct vq {
    uint16_t index; /* the queue number written to QueueNotify */
    uint16_t size;
    uint16_t free_head, num_free;
    uint16_t avail_idx; /* our copy of avail->idx */
    uint16_t last_used; /* next used entry to consume */
    uint16_t seen_used; /* used->idx when last looked at: unseen work = no interrupt yet */
    volatile struct vring_desc *desc;
    volatile struct vring_avail *avail;
    volatile struct vring_used *used;
    uint32_t buf; /* guest-physical base of the descriptors' buffers */
    uint8_t head_busy[VQ_MAX_SIZE]; /* heads of chains the device owns */
};

/* Rings live in one 4 KiB page at `ring`: desc at +0, avail +0x100, used +0x200. */
#define VQ_DESC_OFFSET 0x000
#define VQ_AVAIL_OFFSET 0x100
#define VQ_USED_OFFSET 0x200

void vq_init(struct vq *q, uint16_t index, uint16_t size, uint32_t ring, uint32_t buf);
static inline uint8_t *vq_buf(const struct vq *q, int d) { return (uint8_t *)(q->buf + (uint32_t)d * VQ_BUF_SIZE); }
/* A free descriptor, or -1. */
int vq_alloc(struct vq *q);
/* Points descriptor d at its own buffer. */
void vq_set(struct vq *q, int d, uint32_t len, uint16_t flags, uint16_t next);
/* Makes the chain starting at head available to the device. */
void vq_submit(struct vq *q, int head);
/* Notifies the device unless it asked not to be (VRING_USED_F_NO_NOTIFY). */
void vq_kick(struct vq *q);
/* Head of the next used chain (and its written length), or -1. Checks the
   device's entry: a bad id or index is a host bug and fails the guest. */
int vq_peek(struct vq *q, uint32_t *len);
/* Frees the chain vq_peek returned and moves past it. */
void vq_pop(struct vq *q);
/* Posts every free descriptor as a device-writable buffer; returns how many. */
int vq_fill_rx(struct vq *q);
/* Used entries arrived since the last vq_note_seen. */
int vq_unseen(const struct vq *q);
void vq_note_seen(struct vq *q);

#endif
