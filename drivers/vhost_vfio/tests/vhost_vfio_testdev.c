// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio_testdev: a test-only vDPA parent for the vhost_vfio selftests.
 *
 * The vDPA simulators have no notification area and never raise a
 * config-change interrupt; this device has both, and shows in its config
 * space what the bridge passed on.  See vhost_vfio_testdev.h for what a
 * test sees.  Not for production use.
 */
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vdpa.h>
#include <linux/vhost_iotlb.h>
#include <linux/workqueue.h>
#include <uapi/linux/virtio_config.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif
#include "vhost_vfio_testdev.h"

#define VVT_MAP_MAX	65536	/* entries, as many as the bridge makes */
#define VVT_FEATURES	(BIT_ULL(VIRTIO_F_VERSION_1) | \
			 BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) | \
			 BIT_ULL(VIRTIO_F_RING_PACKED))

static bool both_maps;
module_param(both_maps, bool, 0644);
MODULE_PARM_DESC(both_maps, "devices added while set have dma_map and dma_unmap besides set_map");

/**
 * struct vvt_vq - the state of one queue the test device keeps
 * @cb: used-buffer callback (never called: the device moves no data)
 * @desc: descriptor area address
 * @driver: driver area address
 * @device: device area address
 * @num: queue size
 * @avail_index: the state of VHOST_SET/GET_VRING_BASE, split rings
 * @packed: the same, packed rings (VIRTIO_F_RING_PACKED negotiated)
 * @ready: enabled
 */
struct vvt_vq {
	struct vdpa_callback cb;
	u64 desc, driver, device;
	u32 num;
	u16 avail_index;
	struct vdpa_vq_state_packed packed;
	bool ready;
};

/**
 * struct vvt_dev - one test device
 * @vdpa: the vDPA device (first: vdpa_alloc_device() wants offset 0)
 * @lock: protects @status, @features, @trigger, @generation and @vqs
 * @status: virtio status
 * @features: driver features
 * @trigger: last value written to the trigger field
 * @generation: bumped on every config write and reset
 * @vqs: the queues
 * @kicks: kick_vq() calls per queue
 * @cb_lock: protects @config_cb, held while calling it
 * @config_cb: config-change callback
 * @config_irqs: config-change interrupts delivered
 * @db: one notification page per queue, uncached like device memory
 * @config_work: raises a config-change interrupt
 * @map_lock: protects @map
 * @map: the map the device holds (a copy of what set_map() gave it)
 * @map_entries: entries in @map
 * @map_pages: pages in @map
 * @set_maps: set_map() calls
 * @map_violations: unpinned pages seen in an old or new map by set_map()
 * @map_limit: most entries set_map() takes, 0 for no limit
 * @dma_maps: dma_map() calls (both_maps devices only)
 *
 * kick_vq() may be called under the kick eventfd's wait-queue lock, with
 * interrupts off (vhost_vfio does so), while the config callback signals an
 * eventfd: so kick_vq() takes no lock at all, and the callback is called
 * under @cb_lock only, which nothing else nests in.
 */
struct vvt_dev {
	struct vdpa_device vdpa;
	spinlock_t lock;	/* see above */
	u8 status;
	u64 features;
	u32 trigger;
	u32 generation;
	struct vvt_vq vqs[VVT_NVQS];
	atomic_t kicks[VVT_NVQS];
	struct mutex cb_lock;	/* see above */
	struct vdpa_callback config_cb;
	atomic_t config_irqs;
	struct page *db[VVT_NVQS];
	struct work_struct config_work;
	struct mutex map_lock;	/* see above */
	struct vhost_iotlb *map;
	atomic_t map_entries;
	atomic_t map_pages;
	atomic_t set_maps;
	atomic_t map_violations;
	atomic_t map_limit;
	atomic_t dma_maps;
};

static struct vvt_dev *to_vvt(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct vvt_dev, vdpa);
}

static int vvt_set_vq_address(struct vdpa_device *vdpa, u16 idx, u64 desc,
			      u64 driver, u64 device)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	t->vqs[idx].desc = desc;
	t->vqs[idx].driver = driver;
	t->vqs[idx].device = device;
	spin_unlock(&t->lock);
	return 0;
}

static void vvt_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	t->vqs[idx].num = num;
	spin_unlock(&t->lock);
}

/* The size set by the driver, the maximum before that. */
static u16 vvt_get_vq_size(struct vdpa_device *vdpa, u16 idx)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u32 num;

	spin_lock(&t->lock);
	num = t->vqs[idx].num;
	spin_unlock(&t->lock);
	return num ? num : VVT_VQ_NUM_MAX;
}

static void vvt_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct vvt_dev *t = to_vvt(vdpa);

	if (idx < VVT_NVQS)
		atomic_inc(&t->kicks[idx]);
}

static void vvt_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
			  struct vdpa_callback *cb)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	t->vqs[idx].cb = *cb;
	spin_unlock(&t->lock);
}

static void vvt_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	t->vqs[idx].ready = ready;
	spin_unlock(&t->lock);
}

static bool vvt_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	struct vvt_dev *t = to_vvt(vdpa);
	bool ready;

	spin_lock(&t->lock);
	ready = t->vqs[idx].ready;
	spin_unlock(&t->lock);
	return ready;
}

static int vvt_set_vq_state(struct vdpa_device *vdpa, u16 idx,
			    const struct vdpa_vq_state *state)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	if (t->features & BIT_ULL(VIRTIO_F_RING_PACKED))
		t->vqs[idx].packed = state->packed;
	else
		t->vqs[idx].avail_index = state->split.avail_index;
	spin_unlock(&t->lock);
	return 0;
}

static int vvt_get_vq_state(struct vdpa_device *vdpa, u16 idx,
			    struct vdpa_vq_state *state)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	if (t->features & BIT_ULL(VIRTIO_F_RING_PACKED))
		state->packed = t->vqs[idx].packed;
	else
		state->split.avail_index = t->vqs[idx].avail_index;
	spin_unlock(&t->lock);
	return 0;
}

static struct vdpa_notification_area
vvt_get_vq_notification(struct vdpa_device *vdpa, u16 idx)
{
	struct vvt_dev *t = to_vvt(vdpa);
	struct vdpa_notification_area n = {};

	if (idx < VVT_NVQS) {
		n.addr = page_to_phys(t->db[idx]);
		n.size = PAGE_SIZE;
	}
	return n;
}

static u32 vvt_get_vq_align(struct vdpa_device *vdpa)
{
	return PAGE_SIZE;
}

static u64 vvt_get_device_features(struct vdpa_device *vdpa)
{
	return VVT_FEATURES;
}

static int vvt_set_driver_features(struct vdpa_device *vdpa, u64 features)
{
	struct vvt_dev *t = to_vvt(vdpa);

	if (features & ~VVT_FEATURES)
		return -EINVAL;
	spin_lock(&t->lock);
	t->features = features;
	spin_unlock(&t->lock);
	return 0;
}

static u64 vvt_get_driver_features(struct vdpa_device *vdpa)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u64 features;

	spin_lock(&t->lock);
	features = t->features;
	spin_unlock(&t->lock);
	return features;
}

static void vvt_set_config_cb(struct vdpa_device *vdpa,
			      struct vdpa_callback *cb)
{
	struct vvt_dev *t = to_vvt(vdpa);

	mutex_lock(&t->cb_lock);
	t->config_cb = *cb;
	mutex_unlock(&t->cb_lock);
}

static u16 vvt_get_vq_num_max(struct vdpa_device *vdpa)
{
	return VVT_VQ_NUM_MAX;
}

static u32 vvt_get_device_id(struct vdpa_device *vdpa)
{
	return VVT_DEVICE_ID;
}

static u32 vvt_get_vendor_id(struct vdpa_device *vdpa)
{
	return 0;
}

static u8 vvt_get_status(struct vdpa_device *vdpa)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u8 status;

	spin_lock(&t->lock);
	status = t->status;
	spin_unlock(&t->lock);
	return status;
}

static void vvt_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct vvt_dev *t = to_vvt(vdpa);

	spin_lock(&t->lock);
	t->status = status;
	spin_unlock(&t->lock);
}

static int vvt_reset(struct vdpa_device *vdpa)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u32 i;

	spin_lock(&t->lock);
	t->status = 0;
	t->features = 0;
	t->trigger = 0;
	t->generation++;
	memset(t->vqs, 0, sizeof(t->vqs));
	for (i = 0; i < VVT_NVQS; i++) {
		atomic_set(&t->kicks[i], 0);
		memset(page_address(t->db[i]), 0, PAGE_SIZE);
	}
	spin_unlock(&t->lock);
	atomic_set(&t->config_irqs, 0);
	return 0;
}

static size_t vvt_get_config_size(struct vdpa_device *vdpa)
{
	return sizeof(struct vvt_config);
}

static void vvt_get_config(struct vdpa_device *vdpa, unsigned int offset,
			   void *buf, unsigned int len)
{
	struct vvt_dev *t = to_vvt(vdpa);
	struct vvt_config c;
	u32 i;

	if (offset > sizeof(c) || len > sizeof(c) - offset)
		return;
	spin_lock(&t->lock);
	for (i = 0; i < VVT_NVQS; i++) {
		/* the page is already little endian: userspace wrote it */
		c.doorbell[i] = READ_ONCE(*(__le32 *)page_address(t->db[i]));
		c.kicks[i] = cpu_to_le32(atomic_read(&t->kicks[i]));
	}
	c.config_irqs = cpu_to_le32(atomic_read(&t->config_irqs));
	c.trigger = cpu_to_le32(t->trigger);
	c.dma_maps = cpu_to_le32(atomic_read(&t->dma_maps));
	spin_unlock(&t->lock);
	c.map_entries = cpu_to_le32(atomic_read(&t->map_entries));
	c.map_pages = cpu_to_le32(atomic_read(&t->map_pages));
	c.set_maps = cpu_to_le32(atomic_read(&t->set_maps));
	c.map_violations = cpu_to_le32(atomic_read(&t->map_violations));
	c.map_limit = cpu_to_le32(atomic_read(&t->map_limit));
	memcpy(buf, (u8 *)&c + offset, len);
}

static void vvt_set_config(struct vdpa_device *vdpa, unsigned int offset,
			   const void *buf, unsigned int len)
{
	const unsigned int at = offsetof(struct vvt_config, trigger);
	const unsigned int lim = offsetof(struct vvt_config, map_limit);
	struct vvt_dev *t = to_vvt(vdpa);
	__le32 v;

	if (offset > sizeof(struct vvt_config) ||
	    len > sizeof(struct vvt_config) - offset)
		return;
	spin_lock(&t->lock);
	t->generation++;
	/* Only trigger and map_limit are writable, and only as a whole. */
	if (offset <= at && offset + len >= at + sizeof(v)) {
		memcpy(&v, (const u8 *)buf + (at - offset), sizeof(v));
		t->trigger = le32_to_cpu(v);
		if (t->trigger)
			schedule_work(&t->config_work);
	}
	if (offset <= lim && offset + len >= lim + sizeof(v)) {
		memcpy(&v, (const u8 *)buf + (lim - offset), sizeof(v));
		atomic_set(&t->map_limit, le32_to_cpu(v));
	}
	spin_unlock(&t->lock);
}

static u32 vvt_get_generation(struct vdpa_device *vdpa)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u32 gen;

	spin_lock(&t->lock);
	gen = t->generation;
	spin_unlock(&t->lock);
	return gen;
}

/* Pages of @tlb that are not pinned (for DMA) now; counts its pages too. */
static u32 vvt_unpinned(struct vhost_iotlb *tlb, u32 *pages)
{
	struct vhost_iotlb_map *m;
	u32 bad = 0;
	u64 pfn;

	*pages = 0;
	for (m = vhost_iotlb_itree_first(tlb, 0, U64_MAX); m;
	     m = vhost_iotlb_itree_next(m, 0, U64_MAX)) {
		for (pfn = PHYS_PFN(m->addr); pfn <= PHYS_PFN(m->addr + m->size - 1);
		     pfn++) {
			(*pages)++;
			if (!pfn_valid(pfn) ||
			    !folio_maybe_dma_pinned(page_folio(pfn_to_page(pfn))))
				bad++;
		}
		cond_resched();
	}
	return bad;
}

/*
 * The device moves no data, but keeps the map it is given, and checks that
 * every page of the map it gives up and of the map it takes is pinned: a
 * page the bridge unpinned while this device held it could have been freed
 * and reused under a real device's DMA.
 */
static int vvt_set_map(struct vdpa_device *vdpa, unsigned int asid,
		       struct vhost_iotlb *iotlb)
{
	struct vvt_dev *t = to_vvt(vdpa);
	struct vhost_iotlb *copy;
	struct vhost_iotlb_map *m;
	u32 bad, pages;
	int ret = 0;

	if (asid)
		return -EINVAL;
	mutex_lock(&t->map_lock);
	atomic_inc(&t->set_maps);
	bad = vvt_unpinned(t->map, &pages);
	bad += vvt_unpinned(iotlb, &pages);
	atomic_add(bad, &t->map_violations);
	if (atomic_read(&t->map_limit) &&
	    iotlb->nmaps > atomic_read(&t->map_limit)) {
		/* Refused, and the old map lost, as vdpa_sim does. */
		vhost_iotlb_reset(t->map);
		atomic_set(&t->map_entries, 0);
		atomic_set(&t->map_pages, 0);
		ret = -ENOSPC;
		goto out;
	}
	if (!iotlb->nmaps) {
		/* an empty map, as after a reset: nothing to allocate */
		vhost_iotlb_reset(t->map);
		atomic_set(&t->map_entries, 0);
		atomic_set(&t->map_pages, 0);
		goto out;
	}
	copy = vhost_iotlb_alloc(VVT_MAP_MAX, 0);
	if (!copy) {
		ret = -ENOMEM;
		goto out;
	}
	for (m = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); m;
	     m = vhost_iotlb_itree_next(m, 0, U64_MAX)) {
		ret = vhost_iotlb_add_range(copy, m->start, m->last, m->addr,
					    m->perm);
		if (ret) {
			vhost_iotlb_free(copy);
			goto out;	/* the old map stays */
		}
	}
	vhost_iotlb_free(t->map);
	t->map = copy;
	atomic_set(&t->map_entries, copy->nmaps);
	atomic_set(&t->map_pages, pages);
out:
	mutex_unlock(&t->map_lock);
	return ret;
}

/* both_maps devices: count the calls, so a test sees which op was used. */
static int vvt_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		       u64 size, u64 pa, u32 perm, void *opaque)
{
	atomic_inc(&to_vvt(vdpa)->dma_maps);
	return asid ? -EINVAL : 0;
}

static int vvt_dma_unmap(struct vdpa_device *vdpa, unsigned int asid,
			 u64 iova, u64 size)
{
	return asid ? -EINVAL : 0;
}

static void vvt_config_work(struct work_struct *work)
{
	struct vvt_dev *t = container_of(work, struct vvt_dev, config_work);

	mutex_lock(&t->cb_lock);
	if (t->config_cb.callback) {
		atomic_inc(&t->config_irqs);
		t->config_cb.callback(t->config_cb.private);
	}
	mutex_unlock(&t->cb_lock);
}

/* The release of the vDPA device, also on every error path of dev_add. */
static void vvt_free(struct vdpa_device *vdpa)
{
	struct vvt_dev *t = to_vvt(vdpa);
	u32 i;

	cancel_work_sync(&t->config_work);
	mutex_destroy(&t->cb_lock);
	vhost_iotlb_free(t->map);
	mutex_destroy(&t->map_lock);
	for (i = 0; i < VVT_NVQS; i++) {
		if (!t->db[i])
			continue;
#ifdef CONFIG_X86
		set_memory_wb((unsigned long)page_address(t->db[i]), 1);
#endif
		__free_page(t->db[i]);
	}
}

static const struct vdpa_config_ops vvt_ops = {
	.set_vq_address		= vvt_set_vq_address,
	.set_vq_num		= vvt_set_vq_num,
	.get_vq_size		= vvt_get_vq_size,
	.kick_vq		= vvt_kick_vq,
	.set_vq_cb		= vvt_set_vq_cb,
	.set_vq_ready		= vvt_set_vq_ready,
	.get_vq_ready		= vvt_get_vq_ready,
	.set_vq_state		= vvt_set_vq_state,
	.get_vq_state		= vvt_get_vq_state,
	.get_vq_notification	= vvt_get_vq_notification,
	.get_vq_align		= vvt_get_vq_align,
	.get_device_features	= vvt_get_device_features,
	.set_driver_features	= vvt_set_driver_features,
	.get_driver_features	= vvt_get_driver_features,
	.set_config_cb		= vvt_set_config_cb,
	.get_vq_num_max		= vvt_get_vq_num_max,
	.get_device_id		= vvt_get_device_id,
	.get_vendor_id		= vvt_get_vendor_id,
	.get_status		= vvt_get_status,
	.set_status		= vvt_set_status,
	.reset			= vvt_reset,
	.get_config_size	= vvt_get_config_size,
	.get_config		= vvt_get_config,
	.set_config		= vvt_set_config,
	.get_generation		= vvt_get_generation,
	.set_map		= vvt_set_map,
	.free			= vvt_free,
};

/* vvt_ops with both map interfaces, as some parents have (both_maps). */
static struct vdpa_config_ops vvt_ops_both;

static int vvt_dev_add(struct vdpa_mgmt_dev *mdev, const char *name,
		       const struct vdpa_dev_set_config *config)
{
	struct vvt_dev *t;
	u32 i;
	int ret;

	const struct vdpa_config_ops *ops = both_maps ? &vvt_ops_both : &vvt_ops;

	if (config->mask)
		return -EOPNOTSUPP;
#ifdef HAVE_VDPA_ALLOC_DEVICE_MAP
	/* 6.18 added map ops; none of its own: it DMAs as its parent. */
	t = vdpa_alloc_device(struct vvt_dev, vdpa, mdev->device, ops,
			      NULL, 1, 1, name, false);
#else
	t = vdpa_alloc_device(struct vvt_dev, vdpa, mdev->device, ops, 1,
			      1, name, false);
#endif
	if (IS_ERR(t))
		return PTR_ERR(t);
	spin_lock_init(&t->lock);
	mutex_init(&t->cb_lock);
	mutex_init(&t->map_lock);
	INIT_WORK(&t->config_work, vvt_config_work);
	t->vdpa.mdev = mdev;
	t->map = vhost_iotlb_alloc(VVT_MAP_MAX, 0);
	if (!t->map) {
		ret = -ENOMEM;
		goto err_put;
	}
	for (i = 0; i < VVT_NVQS; i++) {
		t->db[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!t->db[i]) {
			ret = -ENOMEM;
			goto err_put;
		}
#ifdef CONFIG_X86
		/*
		 * Uncached, as device memory is: the bridge maps notification
		 * areas uncached, and PAT wants one memory type per page.
		 */
		ret = set_memory_uc((unsigned long)page_address(t->db[i]), 1);
		if (ret) {
			__free_page(t->db[i]);
			t->db[i] = NULL;
			goto err_put;
		}
#endif
	}
	ret = _vdpa_register_device(&t->vdpa, VVT_NVQS);
	if (ret)
		goto err_put;
	return 0;

err_put:
	/* vvt_free() releases what was allocated */
	put_device(&t->vdpa.dev);
	return ret;
}

static void vvt_dev_del(struct vdpa_mgmt_dev *mdev, struct vdpa_device *vdpa)
{
	_vdpa_unregister_device(vdpa);
}

static const struct vdpa_mgmtdev_ops vvt_mgmtdev_ops = {
	.dev_add = vvt_dev_add,
	.dev_del = vvt_dev_del,
};

static struct virtio_device_id vvt_id_table[] = {
	{ VVT_DEVICE_ID, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct vdpa_mgmt_dev vvt_mgmt = {
	.ops = &vvt_mgmtdev_ops,
	.id_table = vvt_id_table,
	.supported_features = VVT_FEATURES,
	.max_supported_vqs = VVT_NVQS,
};

static int __init vvt_init(void)
{
	struct device *dev;
	int ret;

	vvt_ops_both = vvt_ops;
	vvt_ops_both.dma_map = vvt_dma_map;
	vvt_ops_both.dma_unmap = vvt_dma_unmap;
	dev = root_device_register(VVT_MGMTDEV);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	vvt_mgmt.device = dev;
	ret = vdpa_mgmtdev_register(&vvt_mgmt);
	if (ret)
		root_device_unregister(dev);
	return ret;
}

static void __exit vvt_exit(void)
{
	/* deletes every device still there */
	vdpa_mgmtdev_unregister(&vvt_mgmt);
	root_device_unregister(vvt_mgmt.device);
}

module_init(vvt_init);
module_exit(vvt_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("Test-only vDPA parent with notification areas for the vhost_vfio selftests");
