/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between vhost_vfio_testdev.ko (a test-only vDPA parent) and
 * the vhost_vfio selftests; included by both.
 *
 * "vdpa dev add mgmtdev vvtest name <dev>" creates a device of virtio device
 * ID VVT_DEVICE_ID with VVT_NVQS queues, one virtqueue group and one address
 * space, features VERSION_1, ACCESS_PLATFORM and RING_PACKED (the vDPA
 * simulators have no packed rings; this device keeps a packed queue state).
 * It moves no data: it exists to make visible what reaches a vDPA device
 * through the bridge.  It has no suspend, a get_vq_size that answers the
 * size set (VVT_VQ_NUM_MAX before), and one map interface, set_map;
 * devices added while the module parameter both_maps is 1 have dma_map and
 * dma_unmap too.
 *
 * Each queue has a notification area of its own, one page of memory
 * returned by get_vq_notification(), so that the bridge's doorbell region
 * is mmap-able.  The little-endian config space, struct vvt_config, shows:
 *
 * - doorbell[N]: the 32-bit value at the start of queue N's notification
 *   page, read when the config space is read, i.e. what userspace last
 *   wrote through an mmap of that doorbell page;
 * - kicks[N]: how many times the bridge called kick_vq() for queue N (a
 *   write to the doorbell region, or a kick eventfd);
 * - config_irqs: config-change interrupts delivered to the driver's config
 *   callback;
 * - trigger: writing a non-zero value raises one config-change interrupt,
 *   asynchronously (from a work item, as a device interrupt would); reads
 *   return the last value written;
 * - set_maps, dma_maps: set_map() and dma_map() calls (both_maps devices
 *   only; zero on the others).
 *
 * The other fields ignore writes.  A device reset zeroes everything but
 * set_maps and dma_maps, notification pages included.
 */
#ifndef _VHOST_VFIO_TESTDEV_H
#define _VHOST_VFIO_TESTDEV_H

#include <linux/types.h>

#define VVT_MGMTDEV		"vvtest"
#define VVT_DEVICE_ID		63	/* no virtio driver claims it */
#define VVT_NVQS		3
#define VVT_VQ_NUM_MAX		256

/**
 * struct vvt_config - config space of the test device (little endian)
 * @doorbell: per queue, the first 32 bits of its notification page
 * @kicks: per queue, kick_vq() calls
 * @config_irqs: config-change interrupts delivered to the config callback
 * @trigger: write non-zero to raise a config-change interrupt
 * @set_maps: set_map() calls (both_maps devices only)
 * @dma_maps: dma_map() calls (both_maps devices only)
 */
struct vvt_config {
	__le32 doorbell[VVT_NVQS];
	__le32 kicks[VVT_NVQS];
	__le32 config_irqs;
	__le32 trigger;
	__le32 set_maps;
	__le32 dma_maps;
};

#endif /* _VHOST_VFIO_TESTDEV_H */
