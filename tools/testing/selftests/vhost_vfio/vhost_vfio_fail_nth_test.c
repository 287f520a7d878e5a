// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over the vhost_vfio paths, one fixture variant per
 * path: fail the 1st, 2nd, ... injectable call (slab, page allocation, user
 * copy) of that one call until it runs clean.  A failed call must return
 * ENOMEM or EFAULT and change nothing (the state is queried back), and
 * whatever failed, the pages pinned return to their baseline (VmPin) and
 * the test device never sees an unpinned page in its map.  The VM's log
 * scan catches any WARN, KASAN, lockdep or leak report.
 */
#include <endian.h>
#include <sys/syscall.h>
#include "vhost_vfio_utils.h"
#include "vhost_vfio_testdev.h"
#include "kselftest_harness.h"
#include "../fail_nth.h"

#define TD		"vvfailnth"
#define UUID_TD		"8f0b6a52-1f05-4e6a-9a3e-000000000201"
#define PG		VV_PAGE
#define KB(pages)	((long)(pages) * (long)(PG / 1024))
#define IOVA_A		VV_IOVA_BASE
#define IOVA_B		(2 * VV_IOVA_BASE)
#define NPAGES		8
#define MAX_NTH		1000

/* ---- the device ---------------------------------------------------------- */

enum vv_path {
	P_OPEN,
	P_SET_OWNER,
	P_SET_BACKEND_FEATURES,
	P_SET_FEATURES,
	P_SET_STATUS,
	P_GET_CONFIG,
	P_SET_VRING_KICK,
	P_SET_IRQS,
	P_UPDATE,
	P_INVALIDATE,
	P_BATCH_BEGIN,
	P_BATCH_END,
	P_RESET,
	P_CLOSE,
};

struct vv_st {
	struct vu_vfio v;	/* container and group always, dev when open */
	struct vv_be be;
	uint32_t violations;
	int efd;
};

static uint32_t vvt_field(struct vv_st *st, size_t off)
{
	struct vfio_region_info cfg;
	uint32_t v = 0xdeadbeef;

	if (vv_find_region(st->be.fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG, &cfg) ||
	    pread(st->be.fd, &v, sizeof(v), cfg.offset + off) != sizeof(v))
		return 0xdeadbeef;
	return le32toh(v);
}

#define VVT(st, f)	vvt_field(st, offsetof(struct vvt_config, f))

/* Container and group of the instance, no device fd yet. */
static int vv_st_group(struct vv_st *st)
{
	int ret = vv_vfio_open(UUID_TD, &st->v);

	if (st->v.dev >= 0)
		close(st->v.dev);
	st->v.dev = -1;
	return ret;
}

/* The device fd, from an open group. */
static int vv_st_get_fd(struct vv_st *st)
{
	memset(&st->be, 0, sizeof(st->be));
	st->be.vfio = true;
	st->v.dev = ioctl(st->v.group, VFIO_GROUP_GET_DEVICE_FD, UUID_TD);
	if (st->v.dev < 0)
		return -errno;
	st->be.v = st->v;
	st->be.fd = st->v.dev;
	return 0;
}

/* The device fd as vv_be_open_vfio() leaves it, from an open group. */
static int vv_st_dev(struct vv_st *st)
{
	struct vfio_region_info ri;
	int ret;

	ret = vv_st_get_fd(st);
	if (ret)
		return ret;
	ret = vv_find_region(st->be.fd, VHOST_VFIO_REGION_SUBTYPE_IOTLB, &ri);
	if (ret)
		return ret;
	st->be.iotlb_off = ri.offset;
	ret = vv_find_region(st->be.fd, VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &ri);
	if (ret)
		return ret;
	st->be.db_off = ri.offset;
	return 0;
}

static void vv_st_close(struct vv_st *st)
{
	if (st->efd >= 0)
		close(st->efd);
	st->efd = -1;
	vu_close(&st->v);
	st->be.fd = -1;
}

static int vv_batch(struct vv_be *be, bool begin)
{
	return vv_iotlb(be, 0, begin ? VHOST_IOTLB_BATCH_BEGIN :
			VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
}

static int vv_status(struct vv_be *be, uint8_t s)
{
	return vv_ioctl(be, VHOST_VDPA_SET_STATUS, &s);
}

static uint8_t vv_get_status(struct vv_be *be)
{
	uint8_t s = 0xff;

	vv_ioctl(be, VHOST_VDPA_GET_STATUS, &s);
	return s;
}

#define BF	((1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) | \
		 (1ULL << VHOST_BACKEND_F_IOTLB_BATCH))
#define FEAT	((1ULL << VIRTIO_F_VERSION_1) | \
		 (1ULL << VIRTIO_F_ACCESS_PLATFORM))

/* Build what the path needs, with no fault armed. */
static int vv_setup(enum vv_path p, struct vv_st *st, uint8_t *mem)
{
	uint64_t bf = BF, f = FEAT;
	int ret;

	st->efd = -1;
	ret = vv_st_group(st);
	if (ret || p == P_OPEN)
		return ret;
	ret = vv_st_dev(st);
	if (ret)
		return ret;
	st->violations = VVT(st, map_violations);
	if (p == P_SET_OWNER)
		return 0;
	ret = vv_ioctl(&st->be, VHOST_SET_OWNER, NULL);
	if (ret || p == P_SET_BACKEND_FEATURES)
		return ret;
	ret = vv_ioctl(&st->be, VHOST_SET_BACKEND_FEATURES, &bf);
	if (!ret)
		ret = vv_status(&st->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				VIRTIO_CONFIG_S_DRIVER);
	if (ret || p == P_SET_FEATURES)
		return ret;
	ret = vv_ioctl(&st->be, VHOST_SET_FEATURES, &f);
	if (ret || p == P_SET_STATUS || p == P_GET_CONFIG)
		return ret;
	st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->efd < 0)
		return -errno;
	if (p == P_SET_VRING_KICK || p == P_SET_IRQS || p == P_UPDATE ||
	    p == P_BATCH_BEGIN)
		return 0;
	/* A and B mapped; for BATCH_END a batch dropping A and adding B. */
	ret = vv_map(&st->be, IOVA_A, mem, NPAGES * PG, VHOST_ACCESS_RW);
	if (ret || p != P_BATCH_END)
		return ret;
	ret = vv_batch(&st->be, true);
	if (!ret)
		ret = vv_unmap(&st->be, IOVA_A, NPAGES * PG);
	if (!ret)
		ret = vv_map(&st->be, IOVA_B, mem + NPAGES * PG, NPAGES * PG,
			     VHOST_ACCESS_RO);
	return ret;
}

static int vv_op(enum vv_path p, struct vv_st *st, uint8_t *mem,
		 uint8_t *cfg)
{
	struct vhost_vdpa_config *c = (void *)cfg;
	struct vhost_vring_file f = { .index = 1, .fd = st->efd };
	uint64_t v64;

	switch (p) {
	case P_OPEN:
		return vv_st_get_fd(st);
	case P_SET_OWNER:
		return vv_ioctl(&st->be, VHOST_SET_OWNER, NULL);
	case P_SET_BACKEND_FEATURES:
		v64 = BF;
		return vv_ioctl(&st->be, VHOST_SET_BACKEND_FEATURES, &v64);
	case P_SET_FEATURES:
		v64 = FEAT;
		return vv_ioctl(&st->be, VHOST_SET_FEATURES, &v64);
	case P_SET_STATUS:
		return vv_status(&st->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER |
				 VIRTIO_CONFIG_S_FEATURES_OK);
	case P_GET_CONFIG:
		c->off = 0;
		c->len = sizeof(struct vvt_config);
		return vv_ioctl(&st->be, VHOST_VDPA_GET_CONFIG, c);
	case P_SET_VRING_KICK:
		return vv_ioctl(&st->be, VHOST_SET_VRING_KICK, &f);
	case P_SET_IRQS:
		return vv_set_vring_irq(&st->be, 1, st->efd);
	case P_UPDATE:
		return vv_map(&st->be, IOVA_A, mem, NPAGES * PG,
			      VHOST_ACCESS_RW);
	case P_INVALIDATE:
		return vv_unmap(&st->be, IOVA_A, NPAGES * PG);
	case P_BATCH_BEGIN:
		return vv_batch(&st->be, true);
	case P_BATCH_END:
		return vv_batch(&st->be, false);
	case P_RESET:
		return vv_status(&st->be, 0);
	case P_CLOSE:
		close(st->v.dev);
		st->v.dev = -1;
		st->be.fd = -1;
		return 0;
	}
	return -1;
}

/* With the fault disarmed: did the call do all or nothing? */
static void vv_check(struct __test_metadata *_metadata, enum vv_path p,
		     struct vv_st *st, uint8_t *mem, uint8_t *cfg, int ret,
		     long pin0)
{
	uint64_t one = 1, v64 = FEAT;

	ASSERT_TRUE(ret == 0 || ret == -ENOMEM || ret == -EFAULT)
		TH_LOG("path %d failed with %d", p, ret);
	switch (p) {
	case P_OPEN:
		if (ret) {
			EXPECT_GT(0, st->v.dev);
			return;
		}
		/* opened whole: a device that works */
		st->v.dev = -1;
		close(st->be.fd);
		ASSERT_EQ(0, vv_st_dev(st));
		EXPECT_EQ(0, VVT(st, map_pages));
		st->violations = VVT(st, map_violations);
		break;
	case P_SET_OWNER:
		/* the owner is set once: a retry tells whether it was */
		EXPECT_EQ(ret ? 0 : -EBUSY,
			  vv_ioctl(&st->be, VHOST_SET_OWNER, NULL));
		break;
	case P_SET_BACKEND_FEATURES:
		/* BATCH needs its backend feature: acked or not at all */
		EXPECT_EQ(ret ? -EINVAL : 0, vv_batch(&st->be, true));
		break;
	case P_SET_FEATURES:
		if (ret)
			EXPECT_EQ(0, vv_ioctl(&st->be, VHOST_SET_FEATURES, &v64));
		EXPECT_EQ(0, vv_status(&st->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				       VIRTIO_CONFIG_S_DRIVER |
				       VIRTIO_CONFIG_S_FEATURES_OK));
		break;
	case P_SET_STATUS:
		EXPECT_EQ(ret ? (VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER) :
			  (VIRTIO_CONFIG_S_ACKNOWLEDGE |
			   VIRTIO_CONFIG_S_DRIVER |
			   VIRTIO_CONFIG_S_FEATURES_OK),
			  vv_get_status(&st->be));
		break;
	case P_GET_CONFIG:
		if (!ret)
			EXPECT_EQ(0, memcmp(cfg + sizeof(struct vhost_vdpa_config) +
					    offsetof(struct vvt_config, map_violations),
					    &(uint32_t){ htole32(st->violations) },
					    4));
		break;
	case P_SET_VRING_KICK:
		/* kicks reach queue 1 only if the eventfd was set */
		EXPECT_EQ(8, write(st->efd, &one, 8));
		EXPECT_EQ(ret ? 0 : 1, VVT(st, kicks[1]));
		break;
	case P_SET_IRQS:
		break;
	case P_UPDATE:
		EXPECT_EQ(ret ? 0 : NPAGES, VVT(st, map_pages));
		EXPECT_EQ(pin0 + (ret ? 0 : KB(NPAGES)), vv_vmpin_kb());
		/* nothing left in the books either: the same update again */
		EXPECT_EQ(ret ? 0 : -EEXIST,
			  vv_map(&st->be, IOVA_A, mem, NPAGES * PG,
				 VHOST_ACCESS_RW));
		break;
	case P_INVALIDATE:
		EXPECT_EQ(ret ? NPAGES : 0, VVT(st, map_pages));
		EXPECT_EQ(pin0 + (ret ? KB(NPAGES) : 0), vv_vmpin_kb());
		EXPECT_EQ(ret ? -EEXIST : 0,
			  vv_map(&st->be, IOVA_A, mem, PG, VHOST_ACCESS_RW));
		break;
	case P_BATCH_BEGIN:
		EXPECT_EQ(ret ? -EINVAL : 0, vv_batch(&st->be, false));
		break;
	case P_BATCH_END:
		if (ret == -EFAULT) {
			/* the message was not read: the batch is still open */
			EXPECT_EQ(NPAGES, VVT(st, map_pages));
			EXPECT_EQ(pin0 + KB(2 * NPAGES), vv_vmpin_kb());
			EXPECT_EQ(0, vv_batch(&st->be, false));
			ret = 0;
		}
		/* the batch dropped A and added B: one or the other */
		EXPECT_EQ(NPAGES, VVT(st, map_pages));
		EXPECT_EQ(pin0 + KB(NPAGES), vv_vmpin_kb());
		EXPECT_EQ(ret ? -EEXIST : 0,
			  vv_map(&st->be, IOVA_A, mem, PG, VHOST_ACCESS_RW));
		EXPECT_EQ(ret ? 0 : -EEXIST,
			  vv_map(&st->be, IOVA_B, mem, PG, VHOST_ACCESS_RW));
		/* closed either way */
		EXPECT_EQ(-EINVAL, vv_batch(&st->be, false));
		break;
	case P_RESET:
		/* only the status copy can fail; a reset drops every mapping */
		EXPECT_EQ(ret ? (VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER) : 0,
			  vv_get_status(&st->be));
		EXPECT_EQ(ret ? NPAGES : 0, VVT(st, map_pages));
		EXPECT_EQ(pin0 + (ret ? KB(NPAGES) : 0), vv_vmpin_kb());
		break;
	case P_CLOSE:
		EXPECT_EQ(pin0, vv_vmpin_kb());
		ASSERT_EQ(0, vv_st_dev(st));
		EXPECT_EQ(0, VVT(st, map_pages));
		break;
	}
	EXPECT_EQ(st->violations, VVT(st, map_violations));
}

FIXTURE(fail_nth) {
	int nth_fd;
	uint8_t *mem;
	long pin0;
};

FIXTURE_VARIANT(fail_nth) {
	enum vv_path path;
};

FIXTURE_VARIANT_ADD(fail_nth, open) { .path = P_OPEN };
FIXTURE_VARIANT_ADD(fail_nth, set_owner) { .path = P_SET_OWNER };
FIXTURE_VARIANT_ADD(fail_nth, set_backend_features) { .path = P_SET_BACKEND_FEATURES };
FIXTURE_VARIANT_ADD(fail_nth, set_features) { .path = P_SET_FEATURES };
FIXTURE_VARIANT_ADD(fail_nth, set_status) { .path = P_SET_STATUS };
FIXTURE_VARIANT_ADD(fail_nth, get_config) { .path = P_GET_CONFIG };
FIXTURE_VARIANT_ADD(fail_nth, set_vring_kick) { .path = P_SET_VRING_KICK };
FIXTURE_VARIANT_ADD(fail_nth, set_irqs) { .path = P_SET_IRQS };
FIXTURE_VARIANT_ADD(fail_nth, iotlb_update) { .path = P_UPDATE };
FIXTURE_VARIANT_ADD(fail_nth, iotlb_invalidate) { .path = P_INVALIDATE };
FIXTURE_VARIANT_ADD(fail_nth, iotlb_batch_begin) { .path = P_BATCH_BEGIN };
FIXTURE_VARIANT_ADD(fail_nth, iotlb_batch_end) { .path = P_BATCH_END };
FIXTURE_VARIANT_ADD(fail_nth, reset) { .path = P_RESET };
FIXTURE_VARIANT_ADD(fail_nth, close) { .path = P_CLOSE };

FIXTURE_SETUP(fail_nth)
{
	const char *skip;

	self->nth_fd = -1;
	self->mem = mmap(NULL, 2 * NPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x3c, 2 * NPAGES * PG);
	if (system("modprobe -q vfio_iommu_type1; modprobe -q vhost_vfio_testdev; true"))
		TH_LOG("modprobe failed");
	ASSERT_EQ(0, vv_vdpa_add(VVT_MGMTDEV, TD, "vhost_vfio"));
	ASSERT_EQ(0, vv_mdev_create(TD, UUID_TD));
	self->pin0 = vv_vmpin_kb();
	ASSERT_LE(0, self->pin0);
	skip = fail_nth_prepare(&self->nth_fd);
	if (skip)
		SKIP(return, "%s", skip);
}

FIXTURE_TEARDOWN(fail_nth)
{
	fail_nth_close(self->nth_fd);
	munmap(self->mem, 2 * NPAGES * PG);
}

TEST_F(fail_nth, sweep)
{
	uint8_t cfg[sizeof(struct vhost_vdpa_config) + sizeof(struct vvt_config)];
	unsigned int nth, injected = 0;
	struct vv_st st;
	bool fired;
	int ret;

	for (nth = 1; nth < MAX_NTH; nth++) {
		memset(&st, 0, sizeof(st));
		ASSERT_EQ(0, vv_setup(variant->path, &st, self->mem))
			TH_LOG("set-up of path %d", variant->path);
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = vv_op(variant->path, &st, self->mem, cfg);
		fired = fail_nth_fired(self->nth_fd);
		vv_check(_metadata, variant->path, &st, self->mem, cfg, ret,
			 self->pin0);
		vv_st_close(&st);
		/* Nothing stays pinned, whatever failed. */
		ASSERT_EQ(self->pin0, vv_vmpin_kb()) TH_LOG("nth %u", nth);
		if (!fired) {
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret)
			injected++;
	}
	ASSERT_LT(nth, MAX_NTH);
	TH_LOG("%u injection points, %u made the call fail", nth - 1, injected);
}

TEST_HARNESS_MAIN
