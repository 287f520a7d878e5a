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
 * - map_entries, map_pages: entries and pages of the map the device holds
 *   (the last one set_map() gave it; physical addresses);
 * - set_maps: set_map() calls;
 * - map_violations: pages found not pinned in the device's map: every page
 *   of the map set_map() gives and of the map it replaces must be pinned
 *   at that moment, since the device may use the old map until set_map()
 *   returns.  A bridge that unpins a page before the device has let go of
 *   it makes this count grow;
 * - map_limit: writable; when not 0, set_map() refuses a map of more
 *   entries with ENOSPC and is left with an empty map, as vdpa_sim is past
 *   its max_iotlb_entries.
 *
 * - dma_maps: dma_map() calls (devices added with the module parameter
 *   both_maps, which have dma_map as well as set_map; zero on the others).
 *
 * The other fields ignore writes.  A device reset zeroes everything,
 * notification pages included, but keeps the map (as vDPA devices keep
 * theirs over a reset), the map counters, dma_maps and map_limit.
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
 * @map_entries: entries of the device's map
 * @map_pages: pages of the device's map
 * @set_maps: set_map() calls since the device was created
 * @map_violations: pages of an old or new map found unpinned in set_map()
 * @map_limit: most entries set_map() takes (0: no limit), writable
 * @dma_maps: dma_map() calls (both_maps devices only)
 */
struct vvt_config {
	__le32 doorbell[VVT_NVQS];
	__le32 kicks[VVT_NVQS];
	__le32 config_irqs;
	__le32 trigger;
	__le32 map_entries;
	__le32 map_pages;
	__le32 set_maps;
	__le32 map_violations;
	__le32 map_limit;
	__le32 dma_maps;
};

#endif /* _VHOST_VFIO_TESTDEV_H */
