// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of vhost_vfio's device-free logic: feature mask and feature
 * negotiation rules, IOTLB message checks and bookkeeping, pinning runs and
 * dirty-log bit arithmetic.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/virtio_config.h>
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

static void vv_free_tlb(void *tlb)
{
	vhost_iotlb_free(tlb);
}

/* The bookkeeping the bridge relies on: one entry per run, overlap lookup. */
static void vv_test_iotlb_bookkeeping(struct kunit *test)
{
	unsigned long pfn[] = { 100, 101, 102, 200, 201, 7 };
	struct vhost_iotlb *tlb = vhost_iotlb_alloc(64, 0);
	unsigned long off = 0, run, n = ARRAY_SIZE(pfn);
	struct vhost_iotlb_map *map;
	unsigned int entries = 0;

	KUNIT_ASSERT_NOT_NULL(test, tlb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vv_free_tlb, tlb), 0);
	KUNIT_EXPECT_EQ(test, vhost_vfio_pfn_run(pfn, n), 3UL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_pfn_run(pfn + 3, n - 3), 2UL);
	KUNIT_EXPECT_EQ(test, vhost_vfio_pfn_run(pfn + 5, 1), 1UL);
	for (; off < n; off += run) {
		run = vhost_vfio_pfn_run(pfn + off, n - off);
		KUNIT_EXPECT_EQ(test,
				vhost_iotlb_add_range(tlb, 0x100000 + off * PAGE_SIZE,
						      0x100000 + (off + run) * PAGE_SIZE - 1,
						      PFN_PHYS(pfn[off]), VHOST_MAP_RW), 0);
		entries++;
	}
	KUNIT_EXPECT_EQ(test, entries, 3U);
	KUNIT_EXPECT_EQ(test, tlb->nmaps, 3U);
	/* an update overlapping any byte of an entry finds it (-EEXIST path) */
	KUNIT_EXPECT_NOT_NULL(test, vhost_iotlb_itree_first(tlb, 0x100000 + 5 * PAGE_SIZE,
							    0x100000 + 5 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, vhost_iotlb_itree_first(tlb, 0x100000 + 6 * PAGE_SIZE,
							U64_MAX));
	map = vhost_iotlb_itree_first(tlb, 0x100000 + 3 * PAGE_SIZE,
				      0x100000 + 3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->addr, (u64)PFN_PHYS(200));
	KUNIT_EXPECT_EQ(test, map->size, (u64)2 * PAGE_SIZE);
	/* invalidating one byte removes the whole entry, as the bridge does */
	while ((map = vhost_iotlb_itree_first(tlb, 0x100000 + 4 * PAGE_SIZE,
					      0x100000 + 4 * PAGE_SIZE)))
		vhost_iotlb_map_free(tlb, map);
	KUNIT_EXPECT_EQ(test, tlb->nmaps, 2U);
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
	KUNIT_CASE(vv_test_iotlb_bookkeeping),
	KUNIT_CASE(vv_test_log_mark),
	{}
};

static struct kunit_suite vv_suite = {
	.name = "vhost_vfio",
	.test_cases = vv_cases,
};

kunit_test_suite(vv_suite);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("KUnit tests of vhost_vfio's device-free logic");
