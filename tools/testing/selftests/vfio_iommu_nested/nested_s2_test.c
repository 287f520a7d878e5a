// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the standard container ioctls with type1 v2 semantics
 * (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO, MAP_DMA,
 * UNMAP_DMA) and the emulated path of stage 2 (vfio_pin_pages(),
 * vfio_unpin_pages(), vfio_dma_rw() and the dma_unmap notification) through
 * the test mdev vfio_nested_testdev.
 */
#include <pthread.h>
#include <sys/resource.h>
#include "nested_utils.h"
#include "kselftest_harness.h"

#define IOVA	0x100000ULL		/* 1 MiB */
#define PG	VN_PAGE

static int vn_prepare(const char *uuid)
{
	if (!vn_backend_present() || !vn_testdev_present())
		return -ENODEV;
	return vn_testdev_create(uuid);
}

/* ---- a container with the nested type set and the test device ---------- */

FIXTURE(s2) {
	struct vn_uuid uuid;
	struct vu_vfio v;
	uint8_t *mem;
	size_t len;
};

FIXTURE_SETUP(s2)
{
	int ret;

	self->uuid = vn_uuid(0x00);
	self->v.container = -1;
	self->v.group = -1;
	self->v.dev = -1;
	ret = vn_prepare(self->uuid.s);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vn_open_dev(self->uuid.s, &self->v));
	self->len = 64 * PG;
	self->mem = vn_anon(self->len, 0x5a);
	ASSERT_NE(NULL, self->mem);
}

FIXTURE_TEARDOWN(s2)
{
	vu_close(&self->v);
	if (self->mem)
		munmap(self->mem, self->len);
	vu_mdev_remove(self->uuid.s);
}

/* ---- VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU -------------------------------- */

TEST(check_extension_and_set_iommu)
{
	struct vn_uuid u = vn_uuid(0x01);
	struct vu_vfio v;
	int ret;

	ret = vn_prepare(u.s);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);

	/* a container alone: the core polls every backend */
	v.container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, v.container);
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	/* no group yet: the core refuses to set a type */
	EXPECT_EQ(-1, ioctl(v.container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU));
	close(v.container);

	ASSERT_EQ(0, vu_open_group(u.s, &v));
	/* a type nobody serves: the backend refuses to open for it */
	EXPECT_EQ(-1, ioctl(v.container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU + 1));
	ASSERT_EQ(0, vn_set_iommu(&v));
	/* set once */
	EXPECT_EQ(-1, ioctl(v.container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU));
	EXPECT_EQ(EINVAL, errno);

	/* now only our backend answers */
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	/* an emulated group only: the kernel's accesses are coherent */
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, 0x12345678));

	/* no dirty tracking */
	EXPECT_EQ(-1, ioctl(v.container, VFIO_IOMMU_DIRTY_PAGES, NULL));
	EXPECT_EQ(ENOTTY, errno);
	/* an ioctl nobody defines */
	EXPECT_EQ(-1, ioctl(v.container, _IO(VFIO_TYPE, VFIO_BASE + 90)));
	EXPECT_EQ(ENOTTY, errno);

	vu_close(&v);
	vu_mdev_remove(u.s);
}

/* ---- VFIO_IOMMU_GET_INFO ------------------------------------------------------ */

/* Find capability @id in the chain of @info (@size bytes), or NULL. */
static struct vfio_info_cap_header *vn_find_cap(void *info, size_t size,
						uint16_t id)
{
	uint32_t off = ((struct vfio_iommu_type1_info *)info)->cap_offset;
	int hops = 0;

	while (off && off + sizeof(struct vfio_info_cap_header) <= size &&
	       hops++ < 16) {
		struct vfio_info_cap_header *h = info + off;

		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

TEST_F(s2, get_info)
{
	const size_t minsz = offsetof(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_iommu_type1_info_cap_iova_range *r;
	struct vfio_iommu_type1_info_dma_avail *a;
	struct vfio_iommu_type1_info info;
	uint32_t avail, need;
	static char buf[4096];
	int i;

	/* argsz too small */
	memset(&info, 0, sizeof(info));
	info.argsz = minsz - 1;
	EXPECT_EQ(-1, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	/* the v1 size: page sizes, no capability */
	memset(&info, 0, sizeof(info));
	info.argsz = minsz;
	info.cap_offset = 0xdead;
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, &info));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES, info.flags);
	EXPECT_TRUE(info.iova_pgsizes & PG);
	EXPECT_EQ(0, info.iova_pgsizes & (PG - 1));
	EXPECT_EQ(0xdead, info.cap_offset);	/* beyond argsz: untouched */

	/* the struct alone: the capabilities do not fit, argsz says the size */
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, &info));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info.flags);
	EXPECT_EQ(0, info.cap_offset);
	need = info.argsz;
	ASSERT_LT(sizeof(info), need);
	ASSERT_GE(sizeof(buf), need);

	/* one byte short still does not fit */
	memset(buf, 0, sizeof(buf));
	((struct vfio_iommu_type1_info *)buf)->argsz = need - 1;
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, buf));
	EXPECT_EQ(0, ((struct vfio_iommu_type1_info *)buf)->cap_offset);
	EXPECT_EQ(need, ((struct vfio_iommu_type1_info *)buf)->argsz);

	/* room for all (and more): the chain */
	memset(buf, 0, sizeof(buf));
	((struct vfio_iommu_type1_info *)buf)->argsz = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, buf));
	EXPECT_EQ(sizeof(info), ((struct vfio_iommu_type1_info *)buf)->cap_offset);
	r = (void *)vn_find_cap(buf, need, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, r->header.version);
	/* an emulated group alone: the whole space */
	ASSERT_EQ(1, r->nr_iovas);
	EXPECT_EQ(0, r->iova_ranges[0].start);
	EXPECT_EQ(UINT64_MAX, r->iova_ranges[0].end);
	for (i = 0; i < r->nr_iovas; i++)
		EXPECT_LE(r->iova_ranges[i].start, r->iova_ranges[i].end);
	a = (void *)vn_find_cap(buf, need, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, a->header.version);
	avail = a->avail;
	EXPECT_EQ(vn_param("dma_entry_limit", NULL), avail);

	/* a mapping takes one */
	ASSERT_EQ(0, vn_map(self->v.container, IOVA, self->mem, PG, VN_RW));
	memset(buf, 0, sizeof(buf));
	((struct vfio_iommu_type1_info *)buf)->argsz = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_GET_INFO, buf));
	a = (void *)vn_find_cap(buf, need, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(avail - 1, a->avail);
	/* no migration capability: no dirty tracking */
	EXPECT_EQ(NULL, vn_find_cap(buf, need, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION));
}

/* ---- VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA ------------------------------------- */

TEST_F(s2, map_unmap_charges_memlock)
{
	long lck0 = vu_status_kb("VmLck:");
	uint64_t done = 0;

	ASSERT_LE(0, lck0);
	ASSERT_EQ(0, vn_map(self->v.container, IOVA, self->mem, 16 * PG, VN_RW));
	EXPECT_EQ(lck0 + 16 * PG / 1024, vu_status_kb("VmLck:"));
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA, 16 * PG, 0, &done));
	EXPECT_EQ(16 * PG, done);
	EXPECT_EQ(lck0, vu_status_kb("VmLck:"));
	/* nothing mapped there any more: success, 0 bytes */
	done = 1;
	ASSERT_EQ(0, vn_unmap(self->v.container, IOVA, 16 * PG, 0, &done));
	EXPECT_EQ(0, done);
}

TEST_F(s2, map_overlap_refused)
{
	int c = self->v.container;

	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 16 * PG, VN_RW));
	/* the same range, inside, across either end, around */
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA, self->mem, 16 * PG, VN_RW));
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA + 4 * PG, self->mem, PG, VN_RW));
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA - PG, self->mem, 2 * PG, VN_RW));
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA + 15 * PG, self->mem, 2 * PG, VN_RW));
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA - PG, self->mem, 18 * PG, VN_RW));
	/* adjacent on both sides: fine; the same memory twice: fine */
	EXPECT_EQ(0, vn_map(c, IOVA - PG, self->mem, PG, VN_RW));
	EXPECT_EQ(0, vn_map(c, IOVA + 16 * PG, self->mem, PG, VN_RW));
}

TEST_F(s2, unmap_bisect_refused)
{
	long lck0 = vu_status_kb("VmLck:");
	int c = self->v.container;
	uint64_t done = 0;

	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 16 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA + 16 * PG, self->mem + 16 * PG, 16 * PG, VN_RW));
	/* the first half, a page inside, across the boundary of the two */
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, 8 * PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA + PG, PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA + 8 * PG, 16 * PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, 24 * PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA - PG, 17 * PG + PG, 0, NULL));
	/* nothing was removed by the refusals */
	EXPECT_EQ(lck0 + 32 * PG / 1024, vu_status_kb("VmLck:"));
	EXPECT_EQ(-EEXIST, vn_map(c, IOVA, self->mem, PG, VN_RW));
	/* whole mappings inside a larger range go, the hole around is fine */
	ASSERT_EQ(0, vn_unmap(c, IOVA - 4 * PG, 20 * PG, 0, &done));
	EXPECT_EQ(16 * PG, done);
	ASSERT_EQ(0, vn_unmap(c, 0, IOVA + 64 * PG, 0, &done));
	EXPECT_EQ(16 * PG, done);
	EXPECT_EQ(lck0, vu_status_kb("VmLck:"));
}

TEST_F(s2, unmap_all)
{
	long lck0 = vu_status_kb("VmLck:");
	int c = self->v.container;
	uint64_t done = 0;

	ASSERT_EQ(0, vn_map(c, 0, self->mem, PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 4 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, UINT64_MAX - 2 * PG + 1, self->mem, 2 * PG,
			    VFIO_DMA_MAP_FLAG_READ));
	/* ALL takes no range */
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, 0, PG, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	ASSERT_EQ(0, vn_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &done));
	EXPECT_EQ(7 * PG, done);
	EXPECT_EQ(lck0, vu_status_kb("VmLck:"));
	ASSERT_EQ(0, vn_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &done));
	EXPECT_EQ(0, done);
	/* all of it is free again */
	EXPECT_EQ(0, vn_map(c, IOVA, self->mem, 4 * PG, VN_RW));
}

TEST_F(s2, map_unmap_bad_arguments)
{
	struct vfio_iommu_type1_dma_unmap u;
	struct vfio_iommu_type1_dma_map m;
	int c = self->v.container;
	uint8_t *ro;

	/* size, alignment, wrap */
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, 0, VN_RW));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA + 1, self->mem, PG, VN_RW));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem + 1, PG, VN_RW));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, PG + 1, VN_RW));
	EXPECT_EQ(-EINVAL, vn_map(c, UINT64_MAX - PG + 1, self->mem, 2 * PG, VN_RW));
	/* flags: neither read nor write, vaddr update, unknown */
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, PG, 0));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, PG, VFIO_DMA_MAP_FLAG_VADDR));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, PG, VN_RW | (1U << 3)));
	EXPECT_EQ(-EINVAL, vn_map(c, IOVA, self->mem, PG, VN_RW | (1U << 31)));
	/* memory that is not there, or not writable for a writable mapping */
	ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, vn_map(c, IOVA, ro, PG, VN_RW));
	EXPECT_EQ(0, vn_map(c, IOVA, ro, PG, VFIO_DMA_MAP_FLAG_READ));
	munmap(ro, PG);
	ASSERT_EQ(0, munmap(self->mem + 60 * PG, 4 * PG));
	EXPECT_EQ(-EFAULT, vn_map(c, IOVA + PG, self->mem + 59 * PG, 2 * PG, VN_RW));
	EXPECT_EQ(-EFAULT, vn_map(c, IOVA + PG, (void *)PG, PG, VN_RW));

	/* unmap: size 0, alignment, wrap, flags without support */
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA + 1, PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, PG - 1, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, UINT64_MAX - PG + 1, 2 * PG, 0, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, PG,
				    VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, PG, VFIO_DMA_UNMAP_FLAG_VADDR, NULL));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, PG, 1U << 3, NULL));

	/* argsz too small */
	m = (struct vfio_iommu_type1_dma_map){
		.argsz = sizeof(m) - 1, .flags = VN_RW,
		.vaddr = (uintptr_t)self->mem, .iova = 2 * IOVA, .size = PG,
	};
	EXPECT_EQ(-1, ioctl(c, VFIO_IOMMU_MAP_DMA, &m));
	EXPECT_EQ(EINVAL, errno);
	u = (struct vfio_iommu_type1_dma_unmap){
		.argsz = offsetof(struct vfio_iommu_type1_dma_unmap, size),
		.iova = IOVA, .size = PG,
	};
	EXPECT_EQ(-1, ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u));
	EXPECT_EQ(EINVAL, errno);
}

/* A larger argsz (a newer userspace) is accepted; the result is in place. */
TEST_F(s2, map_unmap_argsz_extensible)
{
	struct {
		struct vfio_iommu_type1_dma_map m;
		uint64_t more[4];
	} map = {
		.m = {
			.argsz = sizeof(map), .flags = VN_RW,
			.vaddr = (uintptr_t)self->mem, .iova = IOVA,
			.size = 2 * PG,
		},
		.more = { 0, 0, 0, 0 },
	};
	struct {
		struct vfio_iommu_type1_dma_unmap u;
		uint64_t more[4];
	} unmap = {
		.u = { .argsz = sizeof(unmap), .iova = IOVA, .size = 4 * PG },
		.more = { 1, 2, 3, 4 },
	};

	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(2 * PG, unmap.u.size);
	/* nothing beyond the struct written */
	EXPECT_EQ(1, unmap.more[0]);
	EXPECT_EQ(4, unmap.more[3]);
}

/* RLIMIT_MEMLOCK without CAP_IPC_LOCK: checked and charged per map. */
TEST_F(s2, memlock_limit)
{
	long lck0 = vu_status_kb("VmLck:");
	int c = self->v.container;
	struct rlimit rl;

	ASSERT_LE(0, lck0);
	ASSERT_EQ(0, vn_drop_ipc_lock());
	rl.rlim_cur = lck0 * 1024 + 16 * PG;
	rl.rlim_max = rl.rlim_cur;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 12 * PG, VN_RW));
	/* 12 + 5 > 16: refused whole, nothing charged */
	EXPECT_EQ(-ENOMEM, vn_map(c, IOVA + 12 * PG, self->mem, 5 * PG, VN_RW));
	EXPECT_EQ(lck0 + 12 * PG / 1024, vu_status_kb("VmLck:"));
	EXPECT_EQ(0, vn_map(c, IOVA + 12 * PG, self->mem, 4 * PG, VN_RW));
	EXPECT_EQ(-ENOMEM, vn_map(c, IOVA + 16 * PG, self->mem, PG, VN_RW));
	/* the same pages mapped twice count twice, as in type1 */
	ASSERT_EQ(0, vn_unmap(c, IOVA + 12 * PG, 4 * PG, 0, NULL));
	EXPECT_EQ(0, vn_map(c, 2 * IOVA, self->mem, 4 * PG, VN_RW));
	EXPECT_EQ(lck0 + 16 * PG / 1024, vu_status_kb("VmLck:"));
	/* unmapping gives it back */
	ASSERT_EQ(0, vn_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	EXPECT_EQ(lck0, vu_status_kb("VmLck:"));
	EXPECT_EQ(0, vn_map(c, IOVA, self->mem, 16 * PG, VN_RW));
}

struct vn_racer {
	int container;
	uint64_t iova;
	uint8_t *mem;
	size_t len;
	pthread_barrier_t *bar;
	int ret;
};

static void *vn_race_map(void *arg)
{
	struct vn_racer *r = arg;

	pthread_barrier_wait(r->bar);
	r->ret = vn_map(r->container, r->iova, r->mem, r->len, VN_RW);
	return NULL;
}

/*
 * Two threads each mapping more than half of what the limit leaves, at the
 * same time: the check and the charge are one step, so never both pass.
 */
TEST_F(s2, memlock_limit_race)
{
	const size_t n = 24;	/* pages per thread; the fixture has 64 */
	long lck0 = vu_status_kb("VmLck:");
	int c = self->v.container, round, i;
	struct vn_racer r[2];
	pthread_barrier_t bar;
	struct rlimit rl;
	pthread_t th[2];

	ASSERT_LE(0, lck0);
	ASSERT_EQ(0, vn_drop_ipc_lock());
	rl.rlim_cur = lck0 * 1024 + (n + n / 2) * PG;
	rl.rlim_max = rl.rlim_cur;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 2; i++) {
			r[i] = (struct vn_racer){
				.container = c, .iova = IOVA + i * n * PG,
				.mem = self->mem + i * n * PG, .len = n * PG,
				.bar = &bar,
			};
			ASSERT_EQ(0, pthread_create(&th[i], NULL, vn_race_map, &r[i]));
		}
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_join(th[i], NULL));
		for (i = 0; i < 2; i++)
			ASSERT_TRUE(r[i].ret == 0 || r[i].ret == -ENOMEM);
		EXPECT_FALSE(!r[0].ret && !r[1].ret) TH_LOG("round %d", round);
		EXPECT_TRUE(!r[0].ret || !r[1].ret) TH_LOG("round %d", round);
		ASSERT_EQ(0, vn_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
		ASSERT_EQ(lck0, vu_status_kb("VmLck:"));
	}
	pthread_barrier_destroy(&bar);
}

/* The entry limit (module parameter dma_entry_limit): ENOSPC past it. */
TEST_F(s2, dma_entry_limit)
{
	long old = vn_param("dma_entry_limit", NULL);
	int c = self->v.container, i;
	char buf[32];

	ASSERT_LT(0, old);
	ASSERT_EQ(0, vn_param("dma_entry_limit", "4"));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, vn_map(c, IOVA + i * PG, self->mem, PG, VN_RW));
	EXPECT_EQ(-ENOSPC, vn_map(c, IOVA + 4 * PG, self->mem, PG, VN_RW));
	/* no ASSERT before the limit is restored: later programs need it */
	EXPECT_EQ(0, vn_unmap(c, IOVA, PG, 0, NULL));
	EXPECT_EQ(0, vn_map(c, IOVA + 4 * PG, self->mem, PG, VN_RW));
	snprintf(buf, sizeof(buf), "%ld", old);
	ASSERT_EQ(0, vn_param("dma_entry_limit", buf));
}

/* Closing everything with mappings left releases them (pins and charge). */
TEST(release_with_mappings)
{
	struct vn_uuid u = vn_uuid(0x02);
	long lck0 = vu_status_kb("VmLck:");
	struct vu_vfio v;
	uint8_t *mem;
	int ret;

	ret = vn_prepare(u.s);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	mem = vn_anon(8 * PG, 1);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, vn_open_dev(u.s, &v));
	ASSERT_EQ(0, vn_map(v.container, IOVA, mem, 8 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(v.container, 2 * IOVA, mem, 8 * PG, VN_RW));
	ASSERT_EQ(2, vn_pin(v.dev, IOVA, 2, VNT_READ));
	EXPECT_EQ(lck0 + 16 * PG / 1024, vu_status_kb("VmLck:"));
	vu_close(&v);
	EXPECT_EQ(lck0, vu_status_kb("VmLck:"));
	munmap(mem, 8 * PG);
	vu_mdev_remove(u.s);
}

/* ---- the emulated path: pin, unpin, dma_rw ------------------------------------- */

TEST_F(s2, pin_pages)
{
	int c = self->v.container, d = self->v.dev;
	static uint8_t buf[2 * PG];

	memset(self->mem, 0, 8 * PG);
	memcpy(self->mem + PG + 16, "stage two", 10);
	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 4 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA + 4 * PG, self->mem + 4 * PG, 2 * PG,
			    VFIO_DMA_MAP_FLAG_READ));

	/* the device sees the process' page, and writes into it */
	ASSERT_EQ(2, vn_pin(d, IOVA + PG, 2, VNT_READ | VNT_WRITE));
	ASSERT_EQ(0, vn_pinned_rw(d, IOVA + PG + 16, buf, 10, false));
	EXPECT_STREQ("stage two", (char *)buf);
	memset(buf, 0xc3, sizeof(buf));
	ASSERT_EQ(0, vn_pinned_rw(d, IOVA + PG + 100, buf, PG, true));
	EXPECT_EQ(0xc3, self->mem[PG + 100]);
	EXPECT_EQ(0xc3, self->mem[2 * PG + 99]);
	EXPECT_EQ(0, self->mem[2 * PG + 100]);
	EXPECT_EQ(2, vn_unpin(d, IOVA + PG, 2));
	EXPECT_EQ(-EINVAL, vn_pinned_rw(d, IOVA + PG, buf, 1, false));
	EXPECT_EQ(0, vn_unpin(d, IOVA + PG, 2));

	/* across two adjacent mappings */
	EXPECT_EQ(2, vn_pin(d, IOVA + 3 * PG, 2, VNT_READ));
	EXPECT_EQ(2, vn_unpin(d, IOVA + 3 * PG, 2));

	/* outside any mapping, partly outside: refused, nothing left pinned */
	EXPECT_EQ(-EINVAL, vn_pin(d, 0, 1, VNT_READ));
	EXPECT_EQ(-EINVAL, vn_pin(d, IOVA + 5 * PG, 2, VNT_READ));
	EXPECT_EQ(-EINVAL, vn_pin(d, IOVA - PG, 2, VNT_READ));
	EXPECT_EQ(0, vn_unpin(d, IOVA, 6));
	/* write access to a read-only mapping */
	EXPECT_EQ(-EPERM, vn_pin(d, IOVA + 4 * PG, 1, VNT_WRITE));
	EXPECT_EQ(-EPERM, vn_pin(d, IOVA + 3 * PG, 2, VNT_READ | VNT_WRITE));
	EXPECT_EQ(0, vn_unpin(d, IOVA, 6));
	EXPECT_EQ(1, vn_pin(d, IOVA + 4 * PG, 1, VNT_READ));
	/* the bound per call (the VFIO core's, VFIO_PIN_PAGES_MAX_ENTRIES) */
	EXPECT_EQ(-E2BIG, vn_pin(d, IOVA, 513, VNT_READ));
}

TEST_F(s2, dma_rw)
{
	int c = self->v.container, d = self->v.dev;
	static uint8_t buf[3 * PG], back[3 * PG];
	int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7;
	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 2 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA + 2 * PG, self->mem + 8 * PG, 2 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA + 4 * PG, self->mem + 4 * PG, PG,
			    VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, vn_map(c, IOVA + 6 * PG, self->mem + 6 * PG, PG,
			    VFIO_DMA_MAP_FLAG_WRITE));

	/* across pages and across two mappings of unrelated memory */
	ASSERT_EQ(0, vn_dma_rw(d, IOVA + PG / 2, buf, 3 * PG, true));
	EXPECT_EQ(0, memcmp(self->mem + PG / 2, buf, 3 * PG / 2));
	EXPECT_EQ(0, memcmp(self->mem + 8 * PG, buf + 3 * PG / 2, 3 * PG / 2));
	ASSERT_EQ(0, vn_dma_rw(d, IOVA + PG / 2, back, 3 * PG, false));
	EXPECT_EQ(0, memcmp(buf, back, 3 * PG));
	/* what the process writes, the device reads */
	self->mem[5] = 0x42;
	ASSERT_EQ(0, vn_dma_rw(d, IOVA + 5, back, 1, false));
	EXPECT_EQ(0x42, back[0]);

	/* not mapped (also partly), and the mapping's permission */
	EXPECT_EQ(-EINVAL, vn_dma_rw(d, IOVA + 5 * PG, back, 1, false));
	EXPECT_EQ(-EINVAL, vn_dma_rw(d, IOVA + 4 * PG, back, 2 * PG, false));
	EXPECT_EQ(-EPERM, vn_dma_rw(d, IOVA + 4 * PG, buf, 8, true));
	EXPECT_EQ(0, vn_dma_rw(d, IOVA + 4 * PG, back, 8, false));
	EXPECT_EQ(-EPERM, vn_dma_rw(d, IOVA + 6 * PG, back, 8, false));
	EXPECT_EQ(0, vn_dma_rw(d, IOVA + 6 * PG, buf, 8, true));
	EXPECT_EQ(0, memcmp(self->mem + 6 * PG, buf, 8));
	/* a refused write left nothing behind (IOVA + 3 pages: mem + 9) */
	memset(self->mem + 9 * PG, 0x11, PG);
	EXPECT_EQ(-EPERM, vn_dma_rw(d, IOVA + 3 * PG + PG / 2, buf, PG, true));
	EXPECT_EQ(0x11, self->mem[9 * PG + PG / 2]);
	EXPECT_EQ(0x11, self->mem[10 * PG - 1]);
}

/* UNMAP tells the device while its pages are still pinned and mapped. */
TEST_F(s2, unmap_notifies_device_before_unpin)
{
	int c = self->v.container, d = self->v.dev;
	struct vnt_unmap_entry e[8];
	uint32_t dropped = 1;
	uint8_t b;

	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 8 * PG, VN_RW));
	ASSERT_EQ(0, vn_map(c, IOVA + 8 * PG, self->mem + 8 * PG, 4 * PG, VN_RW));
	ASSERT_EQ(3, vn_pin(d, IOVA + 2 * PG, 3, VNT_READ));
	ASSERT_EQ(1, vn_pin(d, IOVA + 9 * PG, 1, VNT_READ));
	ASSERT_EQ(0, vn_unmap_log(d, e, 8, &dropped));
	EXPECT_EQ(0, dropped);

	ASSERT_EQ(0, vn_unmap(c, IOVA, 8 * PG, 0, NULL));
	ASSERT_EQ(1, vn_unmap_log(d, e, 8, NULL));
	EXPECT_EQ(IOVA, e[0].iova);
	EXPECT_EQ(8 * PG, e[0].length);
	EXPECT_EQ(3, e[0].dev_pins);
	/* the backend had not unpinned yet, and the range still worked */
	EXPECT_EQ(3, e[0].backend_pinned);
	EXPECT_EQ(1, e[0].rw_ok);
	/* the device let go when told */
	EXPECT_EQ(-EINVAL, vn_pinned_rw(d, IOVA + 2 * PG, &b, 1, false));
	EXPECT_EQ(-EINVAL, vn_pin(d, IOVA, 1, VNT_READ));

	/* unmap-all tells each mapping */
	ASSERT_EQ(0, vn_map(c, 0, self->mem, PG, VN_RW));
	ASSERT_EQ(0, vn_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	ASSERT_EQ(2, vn_unmap_log(d, e, 8, NULL));
	EXPECT_EQ(0, e[0].iova);
	EXPECT_EQ(PG, e[0].length);
	EXPECT_EQ(0, e[0].dev_pins);
	EXPECT_EQ(IOVA + 8 * PG, e[1].iova);
	EXPECT_EQ(4 * PG, e[1].length);
	EXPECT_EQ(1, e[1].dev_pins);
	EXPECT_EQ(1, e[1].backend_pinned);
	EXPECT_EQ(1, e[1].rw_ok);
	/* a refused unmap tells nobody */
	ASSERT_EQ(0, vn_map(c, IOVA, self->mem, 2 * PG, VN_RW));
	EXPECT_EQ(-EINVAL, vn_unmap(c, IOVA, PG, 0, NULL));
	EXPECT_EQ(0, vn_unmap_log(d, e, 8, NULL));
}

/* The test device's own ioctls: argsz, flags, tails. */
TEST_F(s2, testdev_ioctl_lengths)
{
	struct {
		struct vnt_pin p;
		uint32_t tail[2];
	} pin = {
		.p = { .argsz = sizeof(pin), .flags = VNT_READ, .iova = IOVA,
		       .npage = 1 },
	};
	struct vnt_unmap_log l = { .argsz = sizeof(l) - 1 };
	int d = self->v.dev;

	ASSERT_EQ(0, vn_map(self->v.container, IOVA, self->mem, 4 * PG, VN_RW));
	/* a larger struct with a zero tail is fine, a non-zero one is not */
	EXPECT_EQ(1, ioctl(d, VNT_PIN, &pin));
	pin.p.iova += PG;
	pin.tail[1] = 1;
	EXPECT_EQ(-1, ioctl(d, VNT_PIN, &pin));
	EXPECT_EQ(E2BIG, errno);
	pin.tail[1] = 0;
	pin.p.argsz = offsetof(struct vnt_pin, pad);
	EXPECT_EQ(-1, ioctl(d, VNT_PIN, &pin));
	EXPECT_EQ(EINVAL, errno);
	pin.p.argsz = sizeof(pin.p);
	pin.p.flags = 1U << 7;
	EXPECT_EQ(-1, ioctl(d, VNT_PIN, &pin));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, ioctl(d, VNT_GET_UNMAP_LOG, &l));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(d, _IO(0xBD, 0xAF), &l));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
