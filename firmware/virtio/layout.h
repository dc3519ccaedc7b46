/* Where the guests keep things: fixed guest-physical addresses above 1 MiB
   (the image, its bss and the stack stay below 0xA0000). */
#ifndef LAYOUT_H
#define LAYOUT_H

/* The virtio-console device (firmware/README.md, virtio device table). */
#define CONSOLE_MMIO_BASE 0xD0001000u
#define CONSOLE_GSI 5
/* The virtio-fs device (virtio_fs.c). */
#define FS_MMIO_BASE 0xD0002000u
#define FS_GSI 6
/* The virtio-net device without --rootfs: the slot after the console (virtio_net*.c). */
#define NET_MMIO_BASE 0xD0002000u
#define NET_GSI 6

/* Queue q's rings: one page each. */
#define RING_BASE 0x00100000u
#define RING_STRIDE 0x1000u
/* Queue q's buffers: VQ_MAX_SIZE of VQ_BUF_SIZE each. */
#define BUF_BASE 0x00200000u
#define BUF_STRIDE 0x10000u

/* Most queues we set up: 2 per port, ports limited by CONSOLE_MAX_PORTS. */
#define MAX_QUEUES 32

/* RAM every guest config has (at least 16 MiB): all of the above fits. */
#define RAM_MIN 0x01000000u

#endif
