// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of vhost_vfio: the device-free logic (feature mask and
 * feature negotiation rules, IOTLB message checks, pinning runs, dirty-log
 * bit arithmetic), and the bridge's own IOTLB code (vv_update(), vv_unmap(),
 * batches) on a fake vDPA device, pinning a user mm of the test.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pci_regs.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_pci.h>
#include "../vhost_vfio_private.h"

#define F(x)		BIT_ULL(x)
#define DEV_FEATURES	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM) | \
			 F(VIRTIO_F_ANY_LAYOUT) | F(VIRTIO_F_ORDER_PLATFORM))

static void vv_test_offered(struct kunit *test)
{
	u64 off = vhost_vfio_offered_features(DEV_FEATURES, U64_MAX);

	KUNIT_EXPECT_EQ(test, off, DEV_FEATURES | F(VHOST_F_LOG_ALL));
	off = vhost_vfio_offered_features(DEV_FEATURES,
					  ~F(VIRTIO_F_ORDER_PLATFORM));
	KUNIT_EXPECT_FALSE(test, off & F(VIRTIO_F_ORDER_PLATFORM));
	KUNIT_EXPECT_TRUE(test, off & F(VIRTIO_F_VERSION_1));
	off = vhost_vfio_offered_features(DEV_FEATURES, ~F(VHOST_F_LOG_ALL));
	KUNIT_EXPECT_FALSE(test, off & F(VHOST_F_LOG_ALL));
	/* the mask never adds what the device lacks */
	off = vhost_vfio_offered_features(F(VIRTIO_F_VERSION_1), U64_MAX);
	KUNIT_EXPECT_EQ(test, off, F(VIRTIO_F_VERSION_1) | F(VHOST_F_LOG_ALL));
}

static void vv_test_mask(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_mask(DEV_FEATURES, U64_MAX), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_mask(DEV_FEATURES,
						    ~F(VIRTIO_F_VERSION_1)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_mask(DEV_FEATURES,
						    ~F(VIRTIO_F_ACCESS_PLATFORM)),
			-EINVAL);
	/* ACCESS_PLATFORM may be masked when the device does not have it */
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_mask(F(VIRTIO_F_VERSION_1),
						    ~F(VIRTIO_F_ACCESS_PLATFORM)),
			0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_mask(DEV_FEATURES,
						    ~F(VIRTIO_F_ORDER_PLATFORM)),
			0);
}

static void vv_test_negotiate(struct kunit *test)
{
	u64 off = DEV_FEATURES;
	u64 base = F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM);

	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off, base), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off, off), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off, F(VIRTIO_F_ACCESS_PLATFORM)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off, F(VIRTIO_F_VERSION_1)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off, base | F(40)), -EINVAL);
	/* ORDER_PLATFORM only when offered */
	off &= ~F(VIRTIO_F_ORDER_PLATFORM);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(off,
							base | F(VIRTIO_F_ORDER_PLATFORM)),
			-EINVAL);
	/* no ACCESS_PLATFORM offered: not needed */
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_features(F(VIRTIO_F_VERSION_1),
							F(VIRTIO_F_VERSION_1)), 0);
}

static void vv_test_update_checks(struct kunit *test)
{
	struct vhost_iotlb_msg m = {
		.iova = 0x10000, .size = 0x2000, .uaddr = 0x7f0000000000ULL,
		.perm = VHOST_ACCESS_RW, .type = VHOST_IOTLB_UPDATE,
	};
	struct vhost_iotlb_msg b;
	u64 last;

	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&m, 0, U64_MAX), 0);
	b = m;
	b.size = 0;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	b = m;
	b.iova = U64_MAX & PAGE_MASK;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	b = m;
	b.uaddr = U64_MAX & PAGE_MASK;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	b = m;
	b.iova += 1;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	b = m;
	b.perm = 0;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	b.perm = 4;
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&b, 0, U64_MAX), -EINVAL);
	/* the device's IOVA range */
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&m, 0x10000, 0x11fff), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&m, 0x11000, U64_MAX),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_update(&m, 0, 0x11ffe), -EINVAL);

	KUNIT_EXPECT_EQ(test, vhost_vfio_check_range(0, U64_MAX, &last), 0);
	KUNIT_EXPECT_EQ(test, last, U64_MAX - 1);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_range(1, U64_MAX, &last), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_check_range(2, U64_MAX, &last), -EINVAL);
}

/* ---- the bridge's IOTLB code on a fake vDPA device ---------------------- */

#define VVK_IOVA	0x100000ULL

/**
 * struct vvk - a vv_dev on a fake vDPA device, in a user mm of the test
 * @vv: the bridge's device (never registered with VFIO)
 * @vdpa: the fake vDPA device (never registered)
 * @ops: its ops: set_map, or dma_map/dma_unmap, or both
 * @map: what the fake device holds (set_map devices)
 * @set_maps: set_map() calls
 * @fail_set_maps: refuse that many more set_map() calls with -ENOSPC
 * @dma_maps: dma_map() calls
 * @dma_unmaps: dma_unmap() calls
 * @violations: unpinned pages seen in a map given up or taken, or unmapped
 * @user: user address of the test's memory
 * @npages: its size in pages
 * @pinned0: the mm's pinned_vm before the test
 */
struct vvk {
	struct vv_dev vv;
	struct vdpa_device vdpa;
	struct vdpa_config_ops ops;
	struct vhost_iotlb *map;
	unsigned int set_maps, fail_set_maps, dma_maps, dma_unmaps, violations;
	unsigned long user;
	unsigned long npages;
	s64 pinned0;
};

static struct vvk *to_vvk(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct vvk, vdpa);
}

/* Pages of [addr, addr + size) (physical) that are not pinned now. */
static unsigned int vvk_unpinned(u64 addr, u64 size)
{
	unsigned long pfn;
	unsigned int bad = 0;

	for (pfn = PHYS_PFN(addr); pfn <= PHYS_PFN(addr + size - 1); pfn++)
		if (!pfn_valid(pfn) ||
		    !folio_maybe_dma_pinned(page_folio(pfn_to_page(pfn))))
			bad++;
	return bad;
}

static unsigned int vvk_tlb_unpinned(struct vhost_iotlb *tlb)
{
	struct vhost_iotlb_map *m;
	unsigned int bad = 0;

	for (m = vhost_iotlb_itree_first(tlb, 0, U64_MAX); m;
	     m = vhost_iotlb_itree_next(m, 0, U64_MAX))
		bad += vvk_unpinned(m->addr, m->size);
	return bad;
}

/* Like vdpa_sim: a refused map leaves the device with an empty one. */
static int vvk_set_map(struct vdpa_device *vdpa, unsigned int asid,
		       struct vhost_iotlb *iotlb)
{
	struct vvk *k = to_vvk(vdpa);
	struct vhost_iotlb_map *m;

	k->set_maps++;
	if (!vdpa->use_va)
		k->violations += vvk_tlb_unpinned(k->map) +
				 vvk_tlb_unpinned(iotlb);
	vhost_iotlb_reset(k->map);
	if (k->fail_set_maps) {
		k->fail_set_maps--;
		return -ENOSPC;
	}
	for (m = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); m;
	     m = vhost_iotlb_itree_next(m, 0, U64_MAX))
		if (vhost_iotlb_add_range(k->map, m->start, m->last, m->addr,
					  m->perm))
			return -ENOMEM;
	return 0;
}

static int vvk_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		       u64 size, u64 pa, u32 perm, void *opaque)
{
	struct vvk *k = to_vvk(vdpa);

	k->dma_maps++;
	k->violations += vvk_unpinned(pa, size);
	return vhost_iotlb_add_range(k->map, iova, iova + size - 1, pa, perm);
}

static int vvk_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
			 u64 size)
{
	struct vvk *k = to_vvk(vdpa);
	struct vhost_iotlb_map *m;

	k->dma_unmaps++;
	/* the pages must still be pinned while the device lets go */
	while ((m = vhost_iotlb_itree_first(k->map, iova, iova + size - 1))) {
		k->violations += vvk_unpinned(m->addr, m->size);
		vhost_iotlb_map_free(k->map, m);
	}
	return 0;
}

static void vvk_exit(void *data)
{
	struct vvk *k = data;

	mutex_lock(&k->vv.lock);
	vv_iotlb_clear(&k->vv);
	vv_iotlb_free(&k->vv);
	mutex_unlock(&k->vv.lock);
	vhost_iotlb_free(k->map);
	mutex_destroy(&k->vv.lock);
	mmdrop(k->vv.owner);
}

/*
 * A device of @nas address spaces taking a whole map (@set_map) and/or
 * entries (@dma_map), and @npages of user memory, page i holding i + 1.
 */
static struct vvk *vvk_new(struct kunit *test, bool set_map, bool dma_map,
			   bool use_va, unsigned long npages)
{
	struct vvk *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, k);
	if (set_map)
		k->ops.set_map = vvk_set_map;
	if (dma_map) {
		k->ops.dma_map = vvk_dma_map;
		k->ops.dma_unmap = vvk_dma_unmap;
	}
	k->vdpa.config = &k->ops;
	k->vdpa.nas = 2;
	k->vdpa.use_va = use_va;
	k->map = vhost_iotlb_alloc(65536, 0);
	KUNIT_ASSERT_NOT_NULL(test, k->map);
	k->npages = npages;
	k->user = kunit_vm_mmap(test, NULL, 0, npages * PAGE_SIZE,
				PROT_READ | PROT_WRITE,
				MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, k->user, 0UL, "no user mm for the test");
	for (i = 0; i < npages; i++) {
		u64 v = i + 1;

		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)(k->user +
							     i * PAGE_SIZE),
						   &v, sizeof(v)), 0UL);
	}
	mutex_init(&k->vv.lock);
	k->vv.vdpa = &k->vdpa;
	/* the cleanup runs in another thread, after the test's mm is gone */
	mmgrab(current->mm);
	k->vv.owner = current->mm;
	k->vv.backend_features = BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2) |
				 BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH) |
				 BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID);
	k->pinned0 = atomic64_read(&current->mm->pinned_vm);
	if (vv_iotlb_alloc(&k->vv)) {
		mmdrop(k->vv.owner);
		KUNIT_FAIL_AND_ABORT(test, "no IOTLB");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vvk_exit, k), 0);
	return k;
}

/* One IOTLB message through the bridge; page @pg of the test memory. */
static int vvk_msg(struct vvk *k, u8 type, u64 iova, unsigned long pg,
		   unsigned long npages, u8 perm)
{
	struct vhost_msg_v2 msg = {
		.type = VHOST_IOTLB_MSG_V2,
		.iotlb = {
			.type = type,
			.iova = iova,
			.size = npages * PAGE_SIZE,
			.uaddr = k->user + pg * PAGE_SIZE,
			.perm = perm,
		},
	};
	int ret;

	mutex_lock(&k->vv.lock);
	ret = vv_iotlb_msg(&k->vv, &msg);
	mutex_unlock(&k->vv.lock);
	return ret;
}

static int vvk_map(struct vvk *k, u64 iova, unsigned long pg,
		   unsigned long npages)
{
	return vvk_msg(k, VHOST_IOTLB_UPDATE, iova, pg, npages, VHOST_ACCESS_RW);
}

static int vvk_unmap(struct vvk *k, u64 iova, unsigned long npages)
{
	return vvk_msg(k, VHOST_IOTLB_INVALIDATE, iova, 0, npages, 0);
}

static int vvk_batch(struct vvk *k, bool begin)
{
	return vvk_msg(k, begin ? VHOST_IOTLB_BATCH_BEGIN :
		       VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
}

static s64 vvk_pinned(struct vvk *k)
{
	return atomic64_read(&current->mm->pinned_vm) - k->pinned0;
}

/*
 * Every page of [iova, iova + npages) translates, through the entries of
 * the map, to the page of the test memory that vv_update() pinned for it.
 */
static void vvk_check_map(struct kunit *test, struct vvk *k, u64 iova,
			  unsigned long pg, unsigned long npages)
{
	struct vhost_iotlb *tlb = k->vv.iotlb[0];
	unsigned long i;

	for (i = 0; i < npages; i++) {
		u64 at = iova + i * PAGE_SIZE, *p;
		struct vhost_iotlb_map *m = vhost_iotlb_itree_first(tlb, at, at);
		struct vv_pin *pin;

		KUNIT_ASSERT_NOT_NULL(test, m);
		pin = m->opaque;
		KUNIT_ASSERT_NOT_NULL(test, pin);
		KUNIT_EXPECT_EQ(test, pin->npages, m->size >> PAGE_SHIFT);
		if (k->vdpa.use_va) {
			KUNIT_EXPECT_EQ(test, m->addr + (at - m->start),
					(u64)k->user + (pg + i) * PAGE_SIZE);
			continue;
		}
		p = kmap_local_page(pfn_to_page(PHYS_PFN(m->addr + (at - m->start))));
		KUNIT_EXPECT_EQ(test, *p, (u64)(pg + i + 1));
		kunmap_local(p);
	}
}

/* vv_update(): entries per physical run, each owning its pinned pages. */
static void vv_test_update_phys(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, false, false, 8);
	struct vhost_iotlb_msg m = {
		.type = VHOST_IOTLB_UPDATE, .iova = VVK_IOVA + 64 * PAGE_SIZE,
		.size = 2 * PAGE_SIZE, .uaddr = k->user + 6 * PAGE_SIZE,
		.perm = VHOST_ACCESS_RO,
	};
	struct vhost_iotlb_map *map;
	unsigned long pages = 0;

	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 6), 0);
	vvk_check_map(test, k, VVK_IOVA, 0, 6);
	for (map = vhost_iotlb_itree_first(k->vv.iotlb[0], 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
		struct vv_pin *pin = map->opaque;

		/* a physical entry is one run of frames */
		KUNIT_EXPECT_PTR_EQ(test, pin->head, pin->tail);
		KUNIT_EXPECT_EQ(test, pin->head->nr, 1U);
		KUNIT_EXPECT_EQ(test, PFN_PHYS(pin->head->run[0].pfn), map->addr);
		pages += pin->npages;
	}
	KUNIT_EXPECT_EQ(test, pages, 6UL);
	KUNIT_EXPECT_EQ(test, k->vv.pinned, 6UL);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 6LL);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, k->vv.iotlb[0]->nmaps);
	/* overlapping any byte of an entry */
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA + 5 * PAGE_SIZE, 6, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 6LL);

	/* vv_update() itself, inside a batch */
	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	mutex_lock(&k->vv.lock);
	KUNIT_EXPECT_EQ(test, vv_update(&k->vv, 0, &m), 0);
	m.iova = VVK_IOVA + 4 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, vv_update(&k->vv, 0, &m), -EEXIST);
	m.uaddr += 1;
	KUNIT_EXPECT_EQ(test, vv_update(&k->vv, 0, &m), -EINVAL);
	mutex_unlock(&k->vv.lock);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 8LL);
	KUNIT_ASSERT_EQ(test, vvk_batch(k, false), 0);
	vvk_check_map(test, k, VVK_IOVA + 64 * PAGE_SIZE, 6, 2);
	KUNIT_EXPECT_EQ(test, k->violations, 0U);
}

/* A device taking user addresses: one entry for the update, all pages. */
static void vv_test_update_use_va(struct kunit *test)
{
	unsigned long n = 3 * (PAGE_SIZE / sizeof(struct page *)) + 5;
	struct vvk *k = vvk_new(test, true, false, true, n);
	struct vhost_iotlb_map *map;
	struct vv_pfns *b;
	unsigned long pages = 0;

	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, n), 0);
	KUNIT_EXPECT_EQ(test, k->vv.iotlb[0]->nmaps, 1U);
	map = vhost_iotlb_itree_first(k->vv.iotlb[0], 0, U64_MAX);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->addr, (u64)k->user);
	KUNIT_EXPECT_EQ(test, map->size, (u64)n * PAGE_SIZE);
	vvk_check_map(test, k, VVK_IOVA, 0, n);
	/* the pins are kept in blocks of at most a page */
	for (b = ((struct vv_pin *)map->opaque)->head; b; b = b->next) {
		unsigned int i;

		KUNIT_EXPECT_LE(test, struct_size(b, run, b->max), PAGE_SIZE);
		for (i = 0; i < b->nr; i++)
			pages += b->run[i].npages;
	}
	KUNIT_EXPECT_EQ(test, pages, n);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), (s64)n);
	KUNIT_EXPECT_EQ(test, vvk_unmap(k, VVK_IOVA + PAGE_SIZE, 1), 0);
	KUNIT_EXPECT_EQ(test, k->vv.iotlb[0]->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 0LL);
}

/*
 * vv_unmap(): the device lets go before the pages are unpinned, also when
 * the removal is only told to the device at the end of a batch.
 */
static void vv_test_unmap_order(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, false, false, 8);

	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 4), 0);
	KUNIT_ASSERT_EQ(test, vvk_map(k, 2 * VVK_IOVA, 4, 4), 0);
	KUNIT_EXPECT_EQ(test, vvk_unmap(k, VVK_IOVA, 4), 0);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 4LL);

	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	mutex_lock(&k->vv.lock);
	vv_unmap(&k->vv, 0, 2 * VVK_IOVA, 2 * VVK_IOVA + 4 * PAGE_SIZE - 1);
	mutex_unlock(&k->vv.lock);
	/* gone from the books, not from the device: still pinned */
	KUNIT_EXPECT_NULL(test, vhost_iotlb_itree_first(k->vv.staged, 0, U64_MAX));
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 4LL);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, k->vv.iotlb[0]->nmaps);
	KUNIT_ASSERT_EQ(test, vvk_batch(k, false), 0);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 0LL);

	/* vv_unmap() outside a transaction: kept until a map succeeds */
	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 2), 0);
	mutex_lock(&k->vv.lock);
	vv_unmap(&k->vv, 0, 0, U64_MAX);
	mutex_unlock(&k->vv.lock);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 2LL);
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA, 4, 1), 0);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 1LL);
	KUNIT_EXPECT_EQ(test, k->violations, 0U);
}

/* A refused set_map at the end of a batch: the batch is undone whole. */
static void vv_test_batch_rollback(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, false, false, 8);
	unsigned int maps;

	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 2), 0);
	maps = k->vv.iotlb[0]->nmaps;
	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	KUNIT_ASSERT_EQ(test, vvk_unmap(k, VVK_IOVA, 2), 0);
	KUNIT_ASSERT_EQ(test, vvk_map(k, 2 * VVK_IOVA, 2, 3), 0);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 5LL);
	k->fail_set_maps = 1;
	KUNIT_EXPECT_EQ(test, vvk_batch(k, false), -ENOSPC);
	/* the books, the pins and the device as before the batch */
	KUNIT_EXPECT_FALSE(test, k->vv.in_batch);
	KUNIT_EXPECT_NULL(test, k->vv.staged);
	KUNIT_EXPECT_EQ(test, k->vv.iotlb[0]->nmaps, maps);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, maps);
	vvk_check_map(test, k, VVK_IOVA, 0, 2);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 2LL);
	KUNIT_EXPECT_TRUE(test, list_empty(&k->vv.retired));
	/* the same batch again */
	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	KUNIT_ASSERT_EQ(test, vvk_unmap(k, VVK_IOVA, 2), 0);
	KUNIT_ASSERT_EQ(test, vvk_map(k, 2 * VVK_IOVA, 2, 3), 0);
	KUNIT_EXPECT_EQ(test, vvk_batch(k, false), 0);
	vvk_check_map(test, k, 2 * VVK_IOVA, 2, 3);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 3LL);

	/* the device refuses the old map back too: the pages wait */
	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 6, 2), 0);
	k->fail_set_maps = 2;
	KUNIT_EXPECT_EQ(test, vvk_batch(k, false), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, list_empty(&k->vv.retired));
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 5LL);
	KUNIT_EXPECT_EQ(test, vvk_unmap(k, 2 * VVK_IOVA, 3), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&k->vv.retired));
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 0LL);
	/* a refused single update */
	k->fail_set_maps = 1;
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA, 0, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 0LL);
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, k->violations, 0U);
}

/* Batches: one address space; END for another one leaves it open. */
static void vv_test_batch_asid(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, false, false, 2);
	struct vhost_msg_v2 msg = {
		.type = VHOST_IOTLB_MSG_V2, .asid = 1,
		.iotlb.type = VHOST_IOTLB_BATCH_END,
	};

	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 1), 0);
	mutex_lock(&k->vv.lock);
	KUNIT_EXPECT_EQ(test, vv_iotlb_msg(&k->vv, &msg), -EINVAL);
	mutex_unlock(&k->vv.lock);
	KUNIT_EXPECT_TRUE(test, k->vv.in_batch);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, vvk_batch(k, false), 0);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, 1U);
}

/* A dma_map device (even with set_map) gets entries, unmapped first. */
static void vv_test_dma_map(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, true, false, 4);

	KUNIT_ASSERT_EQ(test, vvk_map(k, VVK_IOVA, 0, 4), 0);
	KUNIT_EXPECT_EQ(test, k->dma_maps, k->vv.iotlb[0]->nmaps);
	KUNIT_EXPECT_EQ(test, k->set_maps, 0U);
	KUNIT_ASSERT_EQ(test, vvk_batch(k, true), 0);
	KUNIT_EXPECT_EQ(test, vvk_unmap(k, VVK_IOVA, 4), 0);
	KUNIT_EXPECT_EQ(test, k->map->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 0LL);
	KUNIT_EXPECT_EQ(test, vvk_batch(k, false), 0);
	KUNIT_EXPECT_EQ(test, k->set_maps, 0U);
	KUNIT_EXPECT_EQ(test, k->violations, 0U);
}

/* RLIMIT_MEMLOCK: charged before pinning, exactly up to the limit. */
static void vv_test_memlock(struct kunit *test)
{
	struct vvk *k = vvk_new(test, true, false, false, 4);
	s64 room = (rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT) -
		   atomic64_read(&current->mm->pinned_vm);

	KUNIT_ASSERT_GT(test, room, 3LL);
	atomic64_add(room - 3, &current->mm->pinned_vm);
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA, 0, 4), -ENOMEM);
	KUNIT_EXPECT_EQ(test, k->vv.pinned, 0UL);
	KUNIT_EXPECT_EQ(test, vvk_map(k, VVK_IOVA, 0, 3), 0);
	KUNIT_EXPECT_EQ(test, vvk_map(k, 2 * VVK_IOVA, 3, 1), -ENOMEM);
	atomic64_sub(room - 3, &current->mm->pinned_vm);
	KUNIT_EXPECT_EQ(test, vvk_pinned(k), 3LL);
}

static void vv_test_log_mark(struct kunit *test)
{
	u8 win[4] = {};

	/* window of bits 32..63 */
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 32, 0, 31), 0ULL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 32, 64, 100), 0ULL);
	KUNIT_EXPECT_EQ(test, win[0] | win[1] | win[2] | win[3], 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 32, 30, 33), 2ULL);
	KUNIT_EXPECT_EQ(test, win[0], 0x03);
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 32, 43, 43), 1ULL);
	KUNIT_EXPECT_EQ(test, win[1], 0x08);
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 32, 60, 1000), 4ULL);
	KUNIT_EXPECT_EQ(test, win[3], 0xf0);
	KUNIT_EXPECT_EQ(test, win[2], 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 32, 0, 0, 1000), 0ULL);
	/* a full window */
	memset(win, 0, sizeof(win));
	KUNIT_EXPECT_EQ(test, vhost_vfio_log_mark(win, 0, 32, 0, U64_MAX), 32ULL);
	KUNIT_EXPECT_EQ(test, win[0] & win[1] & win[2] & win[3], 0xff);
}

static struct kunit_case vv_cases[] = {
	KUNIT_CASE(vv_test_offered),
	KUNIT_CASE(vv_test_mask),
	KUNIT_CASE(vv_test_negotiate),
	KUNIT_CASE(vv_test_update_checks),
	KUNIT_CASE(vv_test_update_phys),
	KUNIT_CASE(vv_test_update_use_va),
	KUNIT_CASE(vv_test_unmap_order),
	KUNIT_CASE(vv_test_batch_rollback),
	KUNIT_CASE(vv_test_batch_asid),
	KUNIT_CASE(vv_test_dma_map),
	KUNIT_CASE(vv_test_memlock),
	KUNIT_CASE(vv_test_log_mark),
	{}
};

static struct kunit_suite vv_suite = {
	.name = "vhost_vfio",
	.test_cases = vv_cases,
};

/* ---- the virtio-pci personality's config space and common config ------ */

static struct vv_pcicfg *vv_test_cfg(struct kunit *test,
				     struct vv_pci_layout *l, u32 id, u16 nvqs,
				     bool doorbell)
{
	struct vv_pcicfg *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, 0, vhost_vfio_pci_layout(l, id, nvqs, 60, doorbell,
						       PAGE_SIZE));
	vhost_vfio_pcicfg_init(c, l);
	return c;
}

static u32 vv_cfg32(const struct vv_pcicfg *c, u32 off)
{
	return get_unaligned_le32(c->cfg + off);
}

static void vv_test_pci_layout(struct kunit *test)
{
	struct vv_pci_layout l;

	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_layout(&l, 1, 3, 60, false, 4096));
	KUNIT_EXPECT_EQ(test, l.nvec, 4);
	KUNIT_EXPECT_EQ(test, l.notify_mult, VV_PCI_NOTIFY_MULT);
	KUNIT_EXPECT_EQ(test, l.notify_len, 12);
	KUNIT_EXPECT_EQ(test, l.bar0_size, 0x4000);
	KUNIT_EXPECT_EQ(test, l.pba_off, 64);
	KUNIT_EXPECT_EQ(test, l.bar2_size, 0x1000);
	/* doorbell pages: one page per queue, BAR0 grows to hold them */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_layout(&l, 1, 3, 60, true, 4096));
	KUNIT_EXPECT_EQ(test, l.notify_mult, 4096);
	KUNIT_EXPECT_EQ(test, l.notify_len, 3 * 4096);
	KUNIT_EXPECT_EQ(test, l.bar0_size, 0x8000);
	/* 300 vectors: the table outgrows a page */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_layout(&l, 2, 299, 8, false, 4096));
	KUNIT_EXPECT_EQ(test, l.pba_off, 300 * 16);
	KUNIT_EXPECT_EQ(test, l.bar2_size, 0x2000);
	KUNIT_EXPECT_GE(test, l.bar2_size, l.pba_off + DIV_ROUND_UP(300, 64) * 8);
	/* what cannot be presented */
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_layout(&l, 1, 0, 60, false, 4096));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_layout(&l, 1, 2048, 60, false, 4096));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_layout(&l, 1, 2, 0x1001, false, 4096));
}

static void vv_test_pci_ids(struct kunit *test)
{
	struct vv_pci_layout l;
	struct vv_pcicfg *c = vv_test_cfg(test, &l, 1, 3, false);
	u8 ones[4] = { 0xff, 0xff, 0xff, 0xff };

	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_VENDOR_ID), 0x10411af4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_CLASS_REVISION), 0x02000001);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(c->cfg + PCI_SUBSYSTEM_VENDOR_ID),
			0x1af4);
	KUNIT_EXPECT_TRUE(test, c->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	KUNIT_EXPECT_EQ(test, c->cfg[PCI_INTERRUPT_PIN], 0);
	/* read-only: IDs, class, status, the caps */
	vhost_vfio_pcicfg_write(c, 0, ones, 4);
	vhost_vfio_pcicfg_write(c, PCI_CLASS_REVISION, ones, 4);
	vhost_vfio_pcicfg_write(c, VV_PCI_CAP_NOTIFY, ones, 4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_VENDOR_ID), 0x10411af4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_CLASS_REVISION), 0x02000001);
	KUNIT_EXPECT_EQ(test, c->cfg[VV_PCI_CAP_NOTIFY], PCI_CAP_ID_VNDR);
	/* command: memory, master, INTx disable only */
	vhost_vfio_pcicfg_write(c, PCI_COMMAND, ones, 2);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(c->cfg + PCI_COMMAND),
			PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			PCI_COMMAND_INTX_DISABLE);
	/* block */
	c = vv_test_cfg(test, &l, 2, 1, false);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_VENDOR_ID), 0x10421af4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_CLASS_REVISION) >> 8, 0x010000);
}

static void vv_test_pci_bars(struct kunit *test)
{
	struct vv_pci_layout l;
	struct vv_pcicfg *c = vv_test_cfg(test, &l, 1, 3, false);
	u8 ones[4] = { 0xff, 0xff, 0xff, 0xff };
	u8 addr[4];
	u32 b;

	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_BASE_ADDRESS_0),
			PCI_BASE_ADDRESS_MEM_TYPE_64);
	/* sizing: all ones reads back the size mask with the type bits */
	vhost_vfio_pcicfg_write(c, PCI_BASE_ADDRESS_0, ones, 4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_BASE_ADDRESS_0),
			~(l.bar0_size - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64);
	vhost_vfio_pcicfg_write(c, PCI_BASE_ADDRESS_1, ones, 4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_BASE_ADDRESS_1), 0xffffffff);
	vhost_vfio_pcicfg_write(c, PCI_BASE_ADDRESS_2, ones, 4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_BASE_ADDRESS_2),
			~(l.bar2_size - 1));
	/* the size is the two's complement of the mask */
	KUNIT_EXPECT_EQ(test, ~(vv_cfg32(c, PCI_BASE_ADDRESS_0) & ~0xfU) + 1,
			l.bar0_size);
	/* absent BARs and the ROM stay 0 */
	for (b = PCI_BASE_ADDRESS_3; b <= PCI_BASE_ADDRESS_5; b += 4) {
		vhost_vfio_pcicfg_write(c, b, ones, 4);
		KUNIT_EXPECT_EQ(test, vv_cfg32(c, b), 0);
	}
	vhost_vfio_pcicfg_write(c, PCI_ROM_ADDRESS, ones, 4);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_ROM_ADDRESS), 0);
	/* an address, written byte by byte, is kept (aligned to the size) */
	put_unaligned_le32(0xfebd1234, addr);
	vhost_vfio_pcicfg_write(c, PCI_BASE_ADDRESS_0, addr, 1);
	vhost_vfio_pcicfg_write(c, PCI_BASE_ADDRESS_0 + 1, addr + 1, 3);
	KUNIT_EXPECT_EQ(test, vv_cfg32(c, PCI_BASE_ADDRESS_0),
			(0xfebd1234 & ~(l.bar0_size - 1)) |
			PCI_BASE_ADDRESS_MEM_TYPE_64);
}

static void vv_test_pci_caps(struct kunit *test)
{
	struct vv_pci_layout l;
	struct vv_pcicfg *c = vv_test_cfg(test, &l, 1, 3, false);
	unsigned int seen = 0, n = 0;
	u8 pos = c->cfg[PCI_CAPABILITY_LIST];
	u8 *p;

	while (pos && n++ < 16) {
		p = c->cfg + pos;
		KUNIT_EXPECT_EQ(test, pos & 3, 0);
		if (p[0] == PCI_CAP_ID_VNDR) {
			u32 off = get_unaligned_le32(p + 8);
			u32 len = get_unaligned_le32(p + 12);

			seen |= BIT(p[3]);
			KUNIT_EXPECT_EQ(test, p[4], 0);
			switch (p[3]) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				KUNIT_EXPECT_GE(test, len, 0x38);
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				KUNIT_EXPECT_EQ(test, p[2], 20);
				KUNIT_EXPECT_EQ(test, get_unaligned_le32(p + 16),
						VV_PCI_NOTIFY_MULT);
				KUNIT_EXPECT_EQ(test, len, 3 * VV_PCI_NOTIFY_MULT);
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				KUNIT_EXPECT_EQ(test, len, 60);
				break;
			case VIRTIO_PCI_CAP_PCI_CFG:
				KUNIT_EXPECT_EQ(test, p[2], 20);
				break;
			}
			if (p[3] != VIRTIO_PCI_CAP_PCI_CFG)
				KUNIT_EXPECT_LE(test, (u64)off + len, l.bar0_size);
		} else {
			KUNIT_EXPECT_EQ(test, p[0], PCI_CAP_ID_MSIX);
			KUNIT_EXPECT_EQ(test, get_unaligned_le16(p + 2) & 0x7ff,
					l.nvec - 1);
			KUNIT_EXPECT_EQ(test, get_unaligned_le32(p + 4),
					VV_PCI_MSIX_BAR);
			KUNIT_EXPECT_EQ(test, get_unaligned_le32(p + 8),
					l.pba_off | VV_PCI_MSIX_BAR);
			seen |= BIT(16);
		}
		pos = p[1];
	}
	KUNIT_EXPECT_EQ(test, seen, BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) |
			BIT(16));
}

static void vv_test_pci_window(struct kunit *test)
{
	struct vv_pci_layout l;
	struct vv_pcicfg *c = vv_test_cfg(test, &l, 1, 3, false);
	u32 cap = VV_PCI_CAP_PCICFG, bar, off, len;
	u8 v[4];

	KUNIT_EXPECT_TRUE(test, vhost_vfio_pcicfg_hits_data(cap + 16, 4));
	KUNIT_EXPECT_TRUE(test, vhost_vfio_pcicfg_hits_data(cap + 19, 1));
	KUNIT_EXPECT_TRUE(test, vhost_vfio_pcicfg_hits_data(0, 256));
	KUNIT_EXPECT_FALSE(test, vhost_vfio_pcicfg_hits_data(cap + 12, 4));
	KUNIT_EXPECT_FALSE(test, vhost_vfio_pcicfg_hits_data(cap + 20, 4));
	/* nothing selected yet: length 0 is refused */
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_window(c, &bar, &off, &len));
	v[0] = 0;
	vhost_vfio_pcicfg_write(c, cap + 4, v, 1);
	put_unaligned_le32(0x14, v);
	vhost_vfio_pcicfg_write(c, cap + 8, v, 4);
	put_unaligned_le32(1, v);
	vhost_vfio_pcicfg_write(c, cap + 12, v, 4);
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pcicfg_window(c, &bar, &off, &len));
	KUNIT_EXPECT_EQ(test, bar, 0);
	KUNIT_EXPECT_EQ(test, off, 0x14);
	KUNIT_EXPECT_EQ(test, len, 1);
	/* unaligned for the width, bad width, bad BAR */
	put_unaligned_le32(4, v);
	vhost_vfio_pcicfg_write(c, cap + 12, v, 4);
	put_unaligned_le32(0x16, v);
	vhost_vfio_pcicfg_write(c, cap + 8, v, 4);
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_window(c, &bar, &off, &len));
	put_unaligned_le32(3, v);
	vhost_vfio_pcicfg_write(c, cap + 12, v, 4);
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_window(c, &bar, &off, &len));
	put_unaligned_le32(2, v);
	vhost_vfio_pcicfg_write(c, cap + 12, v, 4);
	v[0] = 6;
	vhost_vfio_pcicfg_write(c, cap + 4, v, 1);
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_window(c, &bar, &off, &len));
}

static void vv_test_pci_access(struct kunit *test)
{
	/* config region: any width inside 256 bytes */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pcicfg_check(0, 256));
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pcicfg_check(3, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_check(0, 257));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_check(255, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_check(256, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pcicfg_check(0, 0));
	/* BARs: 1, 2, 4, 8 naturally aligned inside the BAR */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_bar_check(0x4000, 0x3ff8, 8));
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_bar_check(0x4000, 0x3fff, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_bar_check(0x4000, 0x4000, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_bar_check(0x4000, 2, 4));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_bar_check(0x4000, 0, 3));
	KUNIT_EXPECT_EQ(test, -EINVAL, vhost_vfio_pci_bar_check(0x4000, 0, 16));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vhost_vfio_pci_bar_check(0x4000, U64_MAX - 3, 4));
	/* common config: each field with its own width */
	KUNIT_EXPECT_EQ(test, VIRTIO_PCI_COMMON_STATUS,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_STATUS, 1));
	KUNIT_EXPECT_EQ(test, VIRTIO_PCI_COMMON_Q_USEDHI,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_Q_USEDHI, 4));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_STATUS, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_DF, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_DF + 2, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vhost_vfio_pci_common_field(VIRTIO_PCI_COMMON_Q_DESCLO, 8));
	KUNIT_EXPECT_EQ(test, -ENOENT, vhost_vfio_pci_common_field(0x38, 4));
	KUNIT_EXPECT_EQ(test, -ENOENT, vhost_vfio_pci_common_field(0xffc, 4));
}

/* Entries of @tlb in order: start, last, addr; the count. */
static unsigned int vv_test_tlb(struct vhost_iotlb *tlb, u64 (*e)[3],
				unsigned int max)
{
	struct vhost_iotlb_map *m;
	unsigned int n = 0;

	for (m = vhost_iotlb_itree_first(tlb, 0, U64_MAX); m;
	     m = vhost_iotlb_itree_next(m, 0, U64_MAX)) {
		if (n < max) {
			e[n][0] = m->start;
			e[n][1] = m->last;
			e[n][2] = m->addr;
		}
		n++;
	}
	return n;
}

static void vv_test_pci_map_merge(struct kunit *test)
{
	struct vhost_iotlb *tlb = vhost_iotlb_alloc(U32_MAX, 0);
	u64 e[4][3];

	KUNIT_ASSERT_NOT_NULL(test, tlb);
	/* contiguous in IOVA and PA, same permission: one entry */
	KUNIT_EXPECT_EQ(test, 0,
			vhost_vfio_pci_map_add(tlb, 0x10000, 0x1000, 0x800000, VHOST_MAP_RW));
	KUNIT_EXPECT_EQ(test, 0,
			vhost_vfio_pci_map_add(tlb, 0x11000, 0x2000, 0x801000, VHOST_MAP_RW));
	KUNIT_EXPECT_EQ(test, 1, vv_test_tlb(tlb, e, 4));
	KUNIT_EXPECT_EQ(test, e[0][0], 0x10000);
	KUNIT_EXPECT_EQ(test, e[0][1], 0x12fff);
	KUNIT_EXPECT_EQ(test, e[0][2], 0x800000);
	/* PA not contiguous, or another permission: separate entries */
	KUNIT_EXPECT_EQ(test, 0,
			vhost_vfio_pci_map_add(tlb, 0x13000, 0x1000, 0x900000, VHOST_MAP_RW));
	KUNIT_EXPECT_EQ(test, 0,
			vhost_vfio_pci_map_add(tlb, 0x14000, 0x1000, 0x901000, VHOST_MAP_RO));
	KUNIT_EXPECT_EQ(test, 3, vv_test_tlb(tlb, e, 4));
	/* a hole in the middle of the merged entry: both sides keep their PA */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_map_del(tlb, 0x11000, 0x1000));
	KUNIT_EXPECT_EQ(test, 4, vv_test_tlb(tlb, e, 4));
	KUNIT_EXPECT_EQ(test, e[0][0], 0x10000);
	KUNIT_EXPECT_EQ(test, e[0][1], 0x10fff);
	KUNIT_EXPECT_EQ(test, e[0][2], 0x800000);
	KUNIT_EXPECT_EQ(test, e[1][0], 0x12000);
	KUNIT_EXPECT_EQ(test, e[1][1], 0x12fff);
	KUNIT_EXPECT_EQ(test, e[1][2], 0x802000);
	KUNIT_EXPECT_NULL(test, vhost_iotlb_itree_first(tlb, 0x11000, 0x11fff));
	/* a range over several entries, cutting the first and the last */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_map_del(tlb, 0x10800, 0x3000));
	KUNIT_EXPECT_EQ(test, 3, vv_test_tlb(tlb, e, 4));
	KUNIT_EXPECT_EQ(test, e[0][1], 0x107ff);
	KUNIT_EXPECT_EQ(test, e[1][0], 0x13800);
	KUNIT_EXPECT_EQ(test, e[1][2], 0x900800);
	KUNIT_EXPECT_EQ(test, e[2][0], 0x14000);
	/* everything */
	KUNIT_EXPECT_EQ(test, 0, vhost_vfio_pci_map_del(tlb, 0, U64_MAX));
	KUNIT_EXPECT_EQ(test, 0, vv_test_tlb(tlb, e, 4));
	vhost_iotlb_free(tlb);
}

static struct kunit_case vv_pci_cases[] = {
	KUNIT_CASE(vv_test_pci_map_merge),
	KUNIT_CASE(vv_test_pci_layout),
	KUNIT_CASE(vv_test_pci_ids),
	KUNIT_CASE(vv_test_pci_bars),
	KUNIT_CASE(vv_test_pci_caps),
	KUNIT_CASE(vv_test_pci_window),
	KUNIT_CASE(vv_test_pci_access),
	{}
};

static struct kunit_suite vv_pci_suite = {
	.name = "vhost_vfio_pci",
	.test_cases = vv_pci_cases,
};

kunit_test_suites(&vv_suite, &vv_pci_suite);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("KUnit tests of vhost_vfio");
#ifdef HAVE_SYMBOL_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
