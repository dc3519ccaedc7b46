#include "virtqueue.h"
#include "io.h"
#include "lib.h"
#include "virtio_mmio.h"

void vq_init(struct vq *q, uint16_t index, uint16_t size, uint32_t ring, uint32_t buf)
{
    int i;
    memset((void *)ring, 0, 0x1000);
    memset(q, 0, sizeof *q);
    q->index = index;
    q->size = size;
    q->desc = (volatile struct vring_desc *)(ring + VQ_DESC_OFFSET);
    q->avail = (volatile struct vring_avail *)(ring + VQ_AVAIL_OFFSET);
    q->used = (volatile struct vring_used *)(ring + VQ_USED_OFFSET);
    q->buf = buf;
    for (i = 0; i < size; i++)
        q->desc[i].next = (uint16_t)(i + 1);
    q->num_free = size;
}

int vq_alloc(struct vq *q)
{
    int d;
    if (!q->num_free)
        return -1;
    d = q->free_head;
    q->free_head = q->desc[d].next;
    q->num_free--;
    return d;
}

void vq_set(struct vq *q, int d, uint32_t len, uint16_t flags, uint16_t next)
{
    q->desc[d].addr = (uint32_t)vq_buf(q, d);
    q->desc[d].len = len;
    q->desc[d].flags = flags;
    q->desc[d].next = next;
}

void vq_submit(struct vq *q, int head)
{
    q->head_busy[head] = 1;
    q->avail->ring[q->avail_idx % q->size] = (uint16_t)head;
    barrier(); /* the entry before the index that publishes it */
    q->avail->idx = ++q->avail_idx;
}

void vq_kick(struct vq *q)
{
    mb(); /* avail->idx visible before we read used->flags */
    if (!(q->used->flags & VRING_USED_F_NO_NOTIFY))
        vm_notify(q->index);
}

int vq_peek(struct vq *q, uint32_t *len)
{
    uint16_t idx = q->used->idx;
    uint32_t id;
    if (idx == q->last_used)
        return -1;
    if ((uint16_t)(idx - q->last_used) > q->size)
        fail_hex("used->idx ran ahead of the buffers given, queue", q->index);
    barrier(); /* the index before the entry it covers */
    id = q->used->ring[q->last_used % q->size].id;
    if (id >= q->size || !q->head_busy[id])
        fail_hex("used id is not a chain we posted, queue/id", (uint32_t)q->index << 16 | (id & 0xFFFF));
    *len = q->used->ring[q->last_used % q->size].len;
    return (int)id;
}

void vq_pop(struct vq *q)
{
    uint32_t len;
    int d = vq_peek(q, &len), head = d;
    if (d < 0)
        fail_hex("vq_pop with nothing used on queue", q->index);
    for (;;) {
        uint16_t flags = q->desc[d].flags, next = q->desc[d].next;
        q->desc[d].next = q->free_head;
        q->free_head = (uint16_t)d;
        q->num_free++;
        if (!(flags & VRING_DESC_F_NEXT))
            break;
        d = next;
    }
    q->head_busy[head] = 0;
    q->last_used++;
}

int vq_fill_rx(struct vq *q)
{
    int d, n = 0;
    while ((d = vq_alloc(q)) >= 0) {
        vq_set(q, d, VQ_BUF_SIZE, VRING_DESC_F_WRITE, 0);
        vq_submit(q, d);
        n++;
    }
    return n;
}

int vq_unseen(const struct vq *q) { return q->used->idx != q->seen_used; }

void vq_note_seen(struct vq *q) { q->seen_used = q->used->idx; }
