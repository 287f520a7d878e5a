// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested's map clients and its type1 v2 serving, through the
 * test mdev vfio_nested_testdev created with map_client=1 (its ->map and
 * ->unmap calls are logged with what the backend had pinned at the call):
 *
 * - opening the device replays every stage-2 mapping, as physically
 *   contiguous runs (checked against /proc/self/pagemap);
 * - each MAP_DMA reaches the client, each UNMAP_DMA (and unmap-all)
 *   reaches it while every page of the range is still pinned;
 * - the last close unmaps everything from the client;
 * - a failing ->map fails the MAP_DMA with its errno and is unwound: the
 *   other client drops the mapping, the failing one drops the runs it had,
 *   the backend forgets the mapping (it can be mapped again);
 * - ->map_end comes once per mapping, after its runs (MAP_DMA and the
 *   replay at open), and a failing one fails the MAP_DMA, the whole
 *   mapping unmapped from the client;
 * - a client with ->map_va gets each mapping in one call, by the caller's
 *   user addresses;
 * - a VFIO_TYPE1v2_IOMMU container takes a group of map clients (this
 *   backend, ->map calls seen), refuses a group of a device that is not a
 *   map client (it goes to vfio_iommu_type1 when that is loaded), and has
 *   the type1 v2 ioctls only.
 *
 * UUIDs 0x80-0x9f of VN_UUID().
 */
#include "nested_utils.h"
#include "kselftest_harness.h"

#define PG		VN_PAGE
#define NP		8		/* pages of a test mapping */
#define IOVA_A		0x200000ULL
#define IOVA_B		0x400000ULL
#define IOVA_C		0x600000ULL

/* ---- the test device as a map client ------------------------------------ */

static int vn_mc_log(int dev, struct vnt_mc_entry *e, unsigned int n)
{
	struct vnt_mc_log l = {
		.argsz = sizeof(l), .count = n, .entries = (uintptr_t)e,
	};

	if (ioctl(dev, VNT_GET_MC_LOG, &l))
		return -errno;
	return l.dropped ? -EOVERFLOW : (int)l.count;
}

static int vn_mc_fail(int dev, uint32_t nth, uint32_t error)
{
	struct vnt_mc_fail f = {
		.argsz = sizeof(f), .nth = nth, .error = error,
	};

	return ioctl(dev, VNT_MC_FAIL, &f) ? -errno : 0;
}

/* The PFN of the page at @p (0 when pagemap hides it: not root). */
static uint64_t vn_pfn(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)p / PG) * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) & 1 ? e & ((1ULL << 55) - 1) : 0;
}

/*
 * NP pages of memory whose first two pages are not physically adjacent
 * (swapped with mremap() when they were), so a mapping of it has at least
 * two runs. NULL on failure.
 */
static uint8_t *vn_discontig(void)
{
	uint8_t *p = vn_anon(NP * PG, 0x33), *tmp;

	if (!p)
		return NULL;
	if (vn_pfn(p) && vn_pfn(p + PG) != vn_pfn(p) + 1)
		return p;
	tmp = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED ||
	    mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, tmp) == MAP_FAILED ||
	    mremap(p + PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p) == MAP_FAILED ||
	    mremap(tmp, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG) == MAP_FAILED)
		return NULL;
	return p;
}

/*
 * Check that log entries @e[0..n) are the ->map calls of the mapping
 * [@iova, @iova + NP pages) -> @mem: physically contiguous runs in order,
 * each one's pages pinned by the backend, none failing. Returns the number
 * of entries the mapping took (the runs), or -1 with a message.
 */
static int vn_check_runs(struct __test_metadata *_metadata,
			 const struct vnt_mc_entry *e, int n, uint64_t iova,
			 const uint8_t *mem, bool write)
{
	bool pfns = vn_pfn(mem) != 0;
	uint64_t at = iova;
	int i = 0;

	while (at < iova + NP * PG) {
		size_t first = (at - iova) / PG, k;

		if (i >= n) {
			TH_LOG("runs end at %#llx, mapping at %#llx",
			       (unsigned long long)at, (unsigned long long)(iova + NP * PG));
			return -1;
		}
		EXPECT_EQ(VNT_MC_MAP, e[i].op);
		EXPECT_EQ(at, e[i].iova);
		EXPECT_EQ(0, e[i].error);
		EXPECT_EQ(write, e[i].write);
		EXPECT_EQ(0, e[i].size % PG);
		EXPECT_NE(0, e[i].size);
		EXPECT_EQ(e[i].size / PG, e[i].pages);
		/* the backend has pinned what it hands out */
		EXPECT_EQ(e[i].pages, e[i].backend_pinned);
		if (pfns) {
			/* the run is where the pages are, and maximal */
			for (k = 0; k < e[i].pages; k++)
				EXPECT_EQ(e[i].pa / PG + k,
					  vn_pfn(mem + (first + k) * PG));
			if (first + e[i].pages < NP)
				EXPECT_NE(e[i].pa / PG + e[i].pages,
					  vn_pfn(mem + (first + e[i].pages) * PG));
		}
		if (!e[i].size)
			return -1;
		at += e[i].size;
		i++;
	}
	return i;
}

/*
 * An unmap entry of [@iova, @iova + @size), every page of it held and
 * still pinned by the backend, @rw_ok: stage 2 still had it (an UNMAP_DMA)
 * or not yet (the unwinding of a failed MAP_DMA), @held: IOTLB bytes left.
 */
static void vn_expect_unmap(struct __test_metadata *_metadata,
			    const struct vnt_mc_entry *e, uint64_t iova,
			    uint64_t size, uint64_t held, uint32_t rw_ok)
{
	EXPECT_EQ(VNT_MC_UNMAP, e->op);
	EXPECT_EQ(iova, e->iova);
	EXPECT_EQ(size, e->size);
	EXPECT_EQ(size / PG, e->pages);
	EXPECT_EQ(e->pages, e->backend_pinned);
	EXPECT_EQ(rw_ok, e->rw_ok);
	EXPECT_EQ(held, e->held);
}

#define EXPECT_UNMAP(ent, iova, size, held) \
	vn_expect_unmap(_metadata, &(ent), iova, size, held, 1)

/* Is vfio_iommu_type1 there (a module loaded, or built in)? */
static bool vn_type1_present(void)
{
	return vu_exists("/sys/module/vfio_iommu_type1");
}

/* ---- type1 v2 serving ------------------------------------------------------ */

FIXTURE(mc) {
	struct vn_uuid uuid;
	struct vu_vfio v;
	uint8_t *a, *b, *c;
	struct vnt_mc_entry *e;	/* 64 entries */
};

FIXTURE_VARIANT(mc) {
	unsigned long type;
};

FIXTURE_VARIANT_ADD(mc, nested) {
	.type = VFIO_NESTED_IOMMU,
};

FIXTURE_VARIANT_ADD(mc, type1v2) {
	.type = VFIO_TYPE1v2_IOMMU,
};

FIXTURE_SETUP(mc)
{
	int ret;

	self->v.container = -1;
	self->v.group = -1;
	self->v.dev = -1;
	self->e = calloc(64, sizeof(*self->e));
	ASSERT_NE(NULL, self->e);
	self->uuid = vn_uuid(variant->type == VFIO_NESTED_IOMMU ? 0x80 : 0x81);
	ret = vn_mc_create(self->uuid.s, true);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	if (variant->type == VFIO_TYPE1v2_IOMMU && vn_param("serve_type1v2", NULL) != 1)
		SKIP(return, "serve_type1v2 is off");
	ASSERT_EQ(0, vu_open_group(self->uuid.s, &self->v));
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_SET_IOMMU, variant->type))
		TH_LOG("VFIO_SET_IOMMU(%lu): %s", variant->type, strerror(errno));
	self->a = vn_discontig();
	self->b = vn_anon(NP * PG, 0x44);
	self->c = vn_anon(NP * PG, 0x55);
	ASSERT_NE(NULL, self->a);
	ASSERT_NE(NULL, self->b);
	ASSERT_NE(NULL, self->c);
}

static int vn_testdev_map_end(bool on);

FIXTURE_TEARDOWN(mc)
{
	vn_testdev_map_end(false);	/* a failed map_end test leaves it on */
	vu_close(&self->v);
	vu_mdev_remove(self->uuid.s);
	free(self->e);
}

static int vn_get_dev(struct vu_vfio *v, const char *uuid)
{
	v->dev = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return v->dev < 0 ? -errno : 0;
}

/* Open the group of mdev @uuid into @w and put it in @container. */
static int vn_join(const char *uuid, int container, struct vu_vfio *w)
{
	static char path[256], link[256];
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return -errno;
	link[len] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	w->group = open(path, O_RDWR);
	if (w->group < 0)
		return -errno;
	return ioctl(w->group, VFIO_GROUP_SET_CONTAINER, &container) ? -errno : 0;
}

/* replay at open, map, unmap before unpin, unmap-all, close unmaps all */
TEST_F(mc, lifecycle)
{
	int n, r;

	/* mapped before the device is opened: nobody is told yet */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	ASSERT_EQ(0, vn_get_dev(&self->v, self->uuid.s));

	/* the open replayed A, in runs, with A in stage 2 already */
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(2, n);
	r = vn_check_runs(_metadata, self->e, n, IOVA_A, self->a, true);
	ASSERT_EQ(n, r);
	EXPECT_EQ(1, self->e[0].rw_ok);
	EXPECT_EQ(NP * PG, self->e[n - 1].held);

	/* a new read-only mapping */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_B, self->b, NP * PG,
			    VFIO_DMA_MAP_FLAG_READ));
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(1, n);
	EXPECT_EQ(n, vn_check_runs(_metadata, self->e, n, IOVA_B, self->b, false));
	EXPECT_EQ(2 * NP * PG, self->e[n - 1].held);

	/* UNMAP_DMA: one call for the mapping, all its pages still pinned */
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA_B, NP * PG, 0, NULL));
	ASSERT_EQ(1, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_UNMAP(self->e[0], IOVA_B, NP * PG, NP * PG);

	/* a failed MAP_DMA (overlap) tells nobody */
	EXPECT_EQ(-EEXIST, vn_map(self->v.container, IOVA_A, self->b, PG, VN_RW));
	EXPECT_EQ(0, vn_mc_log(self->v.dev, self->e, 64));

	/* unmap-all */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_B, self->b, NP * PG, VN_RW));
	ASSERT_LE(1, vn_mc_log(self->v.dev, self->e, 64));
	ASSERT_EQ(0, vn_unmap(self->v.container, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	ASSERT_EQ(2, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_UNMAP(self->e[0], IOVA_A, NP * PG, NP * PG);
	EXPECT_UNMAP(self->e[1], IOVA_B, NP * PG, 0);

	/* the last close unmaps what is left; the reopen replays it */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_C, self->c, NP * PG, VN_RW));
	ASSERT_LE(1, vn_mc_log(self->v.dev, self->e, 64));
	close(self->v.dev);
	self->v.dev = -1;
	ASSERT_EQ(0, vn_get_dev(&self->v, self->uuid.s));
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(2, n);
	EXPECT_UNMAP(self->e[0], IOVA_C, NP * PG, 0);
	EXPECT_EQ(n - 1, vn_check_runs(_metadata, self->e + 1, n - 1, IOVA_C,
				       self->c, true));
}

/* the ioctls of the container's type, and nothing else */
TEST_F(mc, container_ioctls)
{
	bool t1 = variant->type == VFIO_TYPE1v2_IOMMU;
	struct vfio_iommu_type1_info *info;
	static char buf[1024];

	EXPECT_EQ(t1, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(!t1, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	/* type1 itself answers 1 to these two: the container is ours */
	EXPECT_EQ(0, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(0, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(1, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	EXPECT_EQ(1, ioctl(self->v.container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));

	/* GET_INFO: page sizes and the IOVA range and DMA-avail caps */
	memset(buf, 0, sizeof(buf));
	info = (void *)buf;
	info->argsz = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, info));
	EXPECT_TRUE(info->flags & VFIO_IOMMU_INFO_PGSIZES);
	EXPECT_TRUE(info->iova_pgsizes & PG);
	EXPECT_TRUE(info->flags & VFIO_IOMMU_INFO_CAPS);
	EXPECT_NE(0, info->cap_offset);

	/* no dirty tracking, and the nested ioctls only in a nested container */
	EXPECT_EQ(-1, ioctl(self->v.container, VFIO_IOMMU_DIRTY_PAGES, NULL));
	EXPECT_EQ(ENOTTY, errno);
	if (t1) {
		EXPECT_EQ(-1, ioctl(self->v.container, VFIO_NESTED_SET_IOASID_FD, -1));
		EXPECT_EQ(ENOTTY, errno);
	} else {
		EXPECT_EQ(-1, ioctl(self->v.container, VFIO_NESTED_SET_IOASID_FD, -1));
		EXPECT_NE(ENOTTY, errno);
	}
}

/* ---- a failing ->map -------------------------------------------------------- */

TEST_F(mc, map_failure_unwinds)
{
	struct vn_uuid u2 = vn_uuid(variant->type == VFIO_NESTED_IOMMU ? 0x82 : 0x83);
	static struct vnt_mc_entry e2[64];
	struct vu_vfio w = { -1, -1, -1 };
	int n, n2, runs;
	uint8_t byte;

	/* a second client in the same container */
	ASSERT_EQ(0, vn_mc_create(u2.s, true));
	ASSERT_EQ(0, vn_join(u2.s, self->v.container, &w));
	ASSERT_EQ(0, vn_get_dev(&self->v, self->uuid.s));	/* first */
	ASSERT_EQ(0, vn_get_dev(&w, u2.s));			/* second */

	/* the second client refuses the first call: the first one drops A */
	ASSERT_EQ(0, vn_mc_fail(w.dev, 1, ENOSPC));
	EXPECT_EQ(-ENOSPC, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(3, n);
	runs = vn_check_runs(_metadata, self->e, n - 1, IOVA_A, self->a, true);
	ASSERT_EQ(n - 1, runs);
	/* ... not in stage 2 during the unwinding: it never entered */
	vn_expect_unmap(_metadata, &self->e[n - 1], IOVA_A, NP * PG, 0, 0);
	n2 = vn_mc_log(w.dev, e2, 64);
	ASSERT_EQ(1, n2);
	EXPECT_EQ(VNT_MC_MAP, e2[0].op);
	EXPECT_EQ(ENOSPC, e2[0].error);
	EXPECT_EQ(0, e2[0].held);
	/* forgotten: not readable, mappable again */
	EXPECT_EQ(-EINVAL, vn_dma_rw(self->v.dev, IOVA_A, &byte, 1, false));
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	EXPECT_EQ(runs, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_EQ(runs, vn_mc_log(w.dev, e2, 64));
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA_A, NP * PG, 0, NULL));
	EXPECT_EQ(1, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_EQ(1, vn_mc_log(w.dev, e2, 64));

	/* the first client refuses its second run: it drops its first run */
	ASSERT_LE(2, runs);
	ASSERT_EQ(0, vn_mc_fail(self->v.dev, 2, EIO));
	EXPECT_EQ(-EIO, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	ASSERT_EQ(3, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_EQ(VNT_MC_MAP, self->e[0].op);
	EXPECT_EQ(0, self->e[0].error);
	EXPECT_EQ(VNT_MC_MAP, self->e[1].op);
	EXPECT_EQ(EIO, self->e[1].error);
	vn_expect_unmap(_metadata, &self->e[2], IOVA_A, self->e[0].size, 0, 0);
	/* the second client was never asked */
	EXPECT_EQ(0, vn_mc_log(w.dev, e2, 64));
	EXPECT_EQ(-EINVAL, vn_dma_rw(self->v.dev, IOVA_A, &byte, 1, false));

	/* disarm; both take the mapping and lose it at close */
	ASSERT_EQ(0, vn_mc_fail(self->v.dev, 0, 0));
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	EXPECT_EQ(runs, vn_mc_log(self->v.dev, self->e, 64));
	vu_close(&w);
	vu_mdev_remove(u2.s);
}

/* ---- ->map_end ------------------------------------------------------------ */

static int vn_testdev_map_end(bool on)
{
	return vu_write_file("/sys/module/vfio_nested_testdev/parameters/map_end",
			     on ? "Y" : "N");
}

TEST_F(mc, map_end_after_the_runs)
{
	uint8_t byte;
	int n, runs;

	ASSERT_EQ(0, vn_testdev_map_end(true));
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	ASSERT_EQ(0, vn_get_dev(&self->v, self->uuid.s));
	/* the replay at open: A's runs, then one ->map_end */
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(3, n);
	runs = vn_check_runs(_metadata, self->e, n - 1, IOVA_A, self->a, true);
	ASSERT_EQ(n - 1, runs);
	EXPECT_EQ(VNT_MC_MAP_END, self->e[runs].op);
	EXPECT_EQ(0, self->e[runs].error);
	EXPECT_EQ(NP * PG, self->e[runs].held);

	/* a MAP_DMA: its run, then one ->map_end */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_B, self->b, NP * PG, VN_RW));
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_LE(2, n);
	EXPECT_EQ(VNT_MC_MAP, self->e[n - 2].op);
	EXPECT_EQ(VNT_MC_MAP_END, self->e[n - 1].op);
	EXPECT_EQ(2 * NP * PG, self->e[n - 1].held);
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA_B, NP * PG, 0, NULL));
	EXPECT_EQ(1, vn_mc_log(self->v.dev, self->e, 64));

	/* a failing ->map_end fails the MAP_DMA: the whole mapping goes */
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA_A, NP * PG, 0, NULL));
	EXPECT_EQ(1, vn_mc_log(self->v.dev, self->e, 64));
	ASSERT_EQ(0, vn_mc_fail(self->v.dev, runs + 1, ENOSPC));
	EXPECT_EQ(-ENOSPC, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	n = vn_mc_log(self->v.dev, self->e, 64);
	ASSERT_EQ(runs + 2, n);
	EXPECT_EQ(runs, vn_check_runs(_metadata, self->e, runs, IOVA_A, self->a, true));
	EXPECT_EQ(VNT_MC_MAP_END, self->e[runs].op);
	EXPECT_EQ(ENOSPC, self->e[runs].error);
	/* ... not in stage 2 during the unwinding: it never entered */
	vn_expect_unmap(_metadata, &self->e[runs + 1], IOVA_A, NP * PG, 0, 0);
	EXPECT_EQ(-EINVAL, vn_dma_rw(self->v.dev, IOVA_A, &byte, 1, false));
	/* and it can be mapped again */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	EXPECT_EQ(runs + 1, vn_mc_log(self->v.dev, self->e, 64));
	EXPECT_EQ(0, vn_testdev_map_end(false));
}

/* ---- ->map_va ------------------------------------------------------------- */

static void vn_expect_map_va(struct __test_metadata *_metadata,
			     const struct vnt_mc_entry *e, uint64_t iova,
			     const uint8_t *mem, bool write, uint64_t held)
{
	EXPECT_EQ(VNT_MC_MAP_VA, e->op);
	EXPECT_EQ(iova, e->iova);
	EXPECT_EQ(NP * PG, e->size);
	EXPECT_EQ((uintptr_t)mem, e->pa);
	EXPECT_EQ(NP, e->pages);
	EXPECT_EQ(write, e->write);
	EXPECT_EQ(1, e->va_caller);
	EXPECT_EQ(mem[0], e->va_byte);
	EXPECT_EQ(0, e->error);
	EXPECT_EQ(held, e->held);
}

/*
 * A client with ->map_va (a use_va vDPA parent) gets each mapping in one
 * call, by the caller's user addresses, even when it is physically
 * discontiguous; its ->unmap comes as for ->map; a failing ->map_va fails
 * the MAP_DMA and the client is not asked to unmap what it refused.
 */
TEST_F(mc, map_va_whole_mappings)
{
	struct vn_uuid u2 = vn_uuid(variant->type == VFIO_NESTED_IOMMU ? 0x86 : 0x87);
	struct vu_vfio w = { -1, -1, -1 };
	struct vnt_mc_entry *e = self->e;
	int ret;

	ASSERT_EQ(0, vn_testdev_param("map_va", "1"));
	ret = vn_mc_create(u2.s, true);
	vn_testdev_param("map_va", "0");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vn_join(u2.s, self->v.container, &w));

	/* the replay at open: A, two runs at least, in one call */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_A, self->a, NP * PG, VN_RW));
	ASSERT_EQ(0, vn_get_dev(&w, u2.s));
	ASSERT_EQ(1, vn_mc_log(w.dev, e, 64));
	vn_expect_map_va(_metadata, &e[0], IOVA_A, self->a, true, NP * PG);

	/* a MAP_DMA, read only */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_B, self->b, NP * PG,
			    VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(1, vn_mc_log(w.dev, e, 64));
	vn_expect_map_va(_metadata, &e[0], IOVA_B, self->b, false, 2 * NP * PG);

	/* UNMAP_DMA: one call for the mapping */
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA_B, NP * PG, 0, NULL));
	ASSERT_EQ(1, vn_mc_log(w.dev, e, 64));
	EXPECT_EQ(VNT_MC_UNMAP, e[0].op);
	EXPECT_EQ(IOVA_B, e[0].iova);
	EXPECT_EQ(NP * PG, e[0].size);
	EXPECT_EQ(NP, e[0].pages);
	EXPECT_EQ(NP * PG, e[0].held);

	/* a refused mapping fails the MAP_DMA, and nothing is unwound */
	ASSERT_EQ(0, vn_mc_fail(w.dev, 1, ENOSPC));
	EXPECT_EQ(-ENOSPC, vn_map(self->v.container, IOVA_C, self->c, NP * PG, VN_RW));
	ASSERT_EQ(1, vn_mc_log(w.dev, e, 64));
	EXPECT_EQ(VNT_MC_MAP_VA, e[0].op);
	EXPECT_EQ(ENOSPC, e[0].error);
	EXPECT_EQ(NP * PG, e[0].held);
	ASSERT_EQ(0, vn_map(self->v.container, IOVA_C, self->c, NP * PG, VN_RW));
	ASSERT_EQ(1, vn_mc_log(w.dev, e, 64));
	vn_expect_map_va(_metadata, &e[0], IOVA_C, self->c, true, 2 * NP * PG);

	/* the last close unmaps both, the reopen replays both */
	close(w.dev);
	w.dev = -1;
	ASSERT_EQ(0, vn_get_dev(&w, u2.s));
	ASSERT_EQ(4, vn_mc_log(w.dev, e, 64));
	EXPECT_EQ(VNT_MC_UNMAP, e[0].op);
	EXPECT_EQ(VNT_MC_UNMAP, e[1].op);
	EXPECT_EQ(0, e[1].held);
	vn_expect_map_va(_metadata, &e[2], IOVA_A, self->a, true, NP * PG);
	vn_expect_map_va(_metadata, &e[3], IOVA_C, self->c, true, 2 * NP * PG);
	vu_close(&w);
	vu_mdev_remove(u2.s);
}

/* ---- bad inputs of the test device's map-client ioctls ------------------- */

TEST_F(mc, testdev_ioctls)
{
	struct vnt_mc_fail f = { .argsz = sizeof(f) };
	struct vnt_mc_log l = { .argsz = sizeof(l) };

	ASSERT_EQ(0, vn_get_dev(&self->v, self->uuid.s));
	f.argsz = sizeof(f) - 1;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_MC_FAIL, &f));
	EXPECT_EQ(EINVAL, errno);
	f.argsz = sizeof(f);
	f.flags = 1;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_MC_FAIL, &f));
	EXPECT_EQ(EOPNOTSUPP, errno);
	f.flags = 0;
	f.nth = 1;
	f.error = 0;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_MC_FAIL, &f));
	EXPECT_EQ(EINVAL, errno);
	f.error = 4096;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_MC_FAIL, &f));
	EXPECT_EQ(EINVAL, errno);
	l.argsz = sizeof(l) - 1;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_GET_MC_LOG, &l));
	EXPECT_EQ(EINVAL, errno);
	l.argsz = sizeof(l);
	l.flags = 2;
	EXPECT_EQ(-1, ioctl(self->v.dev, VNT_GET_MC_LOG, &l));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* ---- groups that are not map clients ---------------------------------------- */

TEST(type1v2_refuses_other_groups)
{
	struct vn_uuid u = vn_uuid(0x84);
	struct vu_vfio v = { -1, -1, -1 };
	int ret;

	ret = vn_mc_create(u.s, false);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	if (vn_param("serve_type1v2", NULL) != 1)
		SKIP(return, "serve_type1v2 is off");

	/* the device has no ops: it is not a map client */
	ASSERT_EQ(0, vu_open_group(u.s, &v));
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	ret = ioctl(v.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ? -errno : 0;
	if (vn_type1_present()) {
		/* refused here, taken by type1 (which has VFIO_TYPE1_IOMMU) */
		ASSERT_EQ(0, ret);
		EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
		EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	} else {
		/* nobody takes it: this backend's refusal is the answer */
		EXPECT_EQ(-ENODEV, ret);
	}
	vu_close(&v);

	/* and in a nested container it is welcome */
	ASSERT_EQ(0, vu_open_group(u.s, &v));
	EXPECT_EQ(0, ioctl(v.container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU));
	v.dev = ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD, u.s);
	ASSERT_LE(0, v.dev);
	EXPECT_EQ(-1, ioctl(v.dev, VNT_GET_MC_LOG, NULL));
	EXPECT_EQ(ENOTTY, errno);
	vu_close(&v);
	vu_mdev_remove(u.s);
}

TEST(serve_type1v2_off)
{
	struct vn_uuid u = vn_uuid(0x85);
	struct vu_vfio v = { -1, -1, -1 };
	int ret;

	ret = vn_mc_create(u.s, true);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	if (vn_param("serve_type1v2", NULL) != 1)
		SKIP(return, "serve_type1v2 is off already");
	ASSERT_EQ(0, vn_param("serve_type1v2", "0"));
	ASSERT_EQ(0, vu_open_group(u.s, &v));
	ret = ioctl(v.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ? -errno : 0;
	vn_param("serve_type1v2", "1");
	if (vn_type1_present()) {
		/* even a map client's group goes to type1 then */
		ASSERT_EQ(0, ret);
		EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	} else {
		EXPECT_NE(0, ret);
	}
	vu_close(&v);
	vu_mdev_remove(u.s);
}

TEST_HARNESS_MAIN
