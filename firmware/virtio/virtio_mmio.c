#include "virtio_mmio.h"
#include "io.h"
#include "lib.h"

static uint32_t vm_base;

static uint32_t reg(uint32_t off) { return mmio_read32(vm_base + off); }
static void set_reg(uint32_t off, uint32_t v) { mmio_write32(vm_base + off, v); }

void vm_init(uint32_t base, uint32_t device_id)
{
    vm_base = base;
    if (reg(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
        fail_hex("no virtio-mmio magic, read", reg(VIRTIO_MMIO_MAGIC_VALUE));
    if (reg(VIRTIO_MMIO_VERSION) != 2)
        fail_hex("virtio-mmio version is not 2:", reg(VIRTIO_MMIO_VERSION));
    if (reg(VIRTIO_MMIO_DEVICE_ID) != device_id)
        fail_hex("unexpected virtio device id", reg(VIRTIO_MMIO_DEVICE_ID));
    set_reg(VIRTIO_MMIO_STATUS, 0);
    if (reg(VIRTIO_MMIO_STATUS) != 0)
        fail_hex("status not 0 after reset:", reg(VIRTIO_MMIO_STATUS));
    set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

void vm_negotiate(uint64_t want)
{
    uint64_t offered;
    set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered = (uint64_t)reg(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    offered |= reg(VIRTIO_MMIO_DEVICE_FEATURES);
    if ((uint32_t)(want & ~offered))
        fail_hex("device does not offer feature bits (0-31)", (uint32_t)(want & ~offered));
    if ((uint32_t)((want & ~offered) >> 32))
        fail_hex("device does not offer feature bits (32-63)", (uint32_t)((want & ~offered) >> 32));
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
    set_reg(VIRTIO_MMIO_STATUS, reg(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
    if (!(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        fail("device refused FEATURES_OK");
}

uint32_t vm_config(uint32_t offset, int width)
{
    uint32_t gen, v, a = vm_base + VIRTIO_MMIO_CONFIG + offset;
    do {
        gen = reg(VIRTIO_MMIO_CONFIG_GENERATION);
        v = width == 1 ? mmio_read8(a) : width == 2 ? mmio_read16(a) : mmio_read32(a);
    } while (gen != reg(VIRTIO_MMIO_CONFIG_GENERATION));
    return v;
}

uint16_t vm_queue_setup(uint16_t q, uint16_t want, uint32_t desc, uint32_t driver, uint32_t device)
{
    uint32_t max;
    set_reg(VIRTIO_MMIO_QUEUE_SEL, q);
    if (reg(VIRTIO_MMIO_QUEUE_READY) != 0)
        fail_hex("QueueReady set before setup on queue", q);
    max = reg(VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0)
        fail_hex("QueueNumMax is 0 on queue", q);
    if (max < want)
        want = (uint16_t)max;
    set_reg(VIRTIO_MMIO_QUEUE_NUM, want);
    set_reg(VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
    set_reg(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    set_reg(VIRTIO_MMIO_QUEUE_DRIVER_LOW, driver);
    set_reg(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
    set_reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW, device);
    set_reg(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
    set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
    if (reg(VIRTIO_MMIO_QUEUE_READY) != 1)
        fail_hex("QueueReady does not read back 1 on queue", q);
    return want;
}

void vm_driver_ok(void)
{
    set_reg(VIRTIO_MMIO_STATUS, reg(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

uint32_t vm_status(void) { return reg(VIRTIO_MMIO_STATUS); }

void vm_notify(uint16_t q) { set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, q); }

uint32_t vm_interrupt_ack(void)
{
    uint32_t s = reg(VIRTIO_MMIO_INTERRUPT_STATUS);
    if (s)
        set_reg(VIRTIO_MMIO_INTERRUPT_ACK, s);
    return s;
}
