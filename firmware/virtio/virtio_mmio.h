/* virtio-mmio version 2 transport, driver side (virtio 1.1 section 4.2). */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdint.h>

#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00C
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0A0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0A4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0FC
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */

#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_F_VERSION_1 32

#define VIRTIO_INT_USED_RING 0x1
#define VIRTIO_INT_CONFIG 0x2

/* Checks magic, version 2 and device id at base; resets; ACKNOWLEDGE|DRIVER. */
void vm_init(uint32_t base, uint32_t device_id);
/* Accepts exactly `want`, which the device must offer in full; FEATURES_OK. */
void vm_negotiate(uint64_t want);
/* Reads a config field of 1, 2 or 4 bytes, consistent per ConfigGeneration. */
uint32_t vm_config(uint32_t offset, int width);
/* Sets queue q up at the given ring addresses; returns its size, min(want, max). */
uint16_t vm_queue_setup(uint16_t q, uint16_t want, uint32_t desc, uint32_t driver, uint32_t device);
void vm_driver_ok(void);
uint32_t vm_status(void);
void vm_notify(uint16_t q);
/* Reads InterruptStatus and acknowledges exactly those bits. */
uint32_t vm_interrupt_ack(void);

#endif
