// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio IOTLB selftests: pages stay pinned while the device's map
 * holds them (the test device checks it in every set_map), batches are
 * applied whole or not at all, pinning is bounded and charged atomically,
 * and the message types and address spaces vhost-vdpa takes.
 */
#include <endian.h>
#include <pthread.h>
#include <sys/resource.h>
#include "vhost_vfio_utils.h"
#include "vhost_vfio_testdev.h"
#include "kselftest_harness.h"

#define TD_A		"vviotlb0"
#define TD_B		"vviotlb1"
#define NET_C		"vviotlbnet"
#define UUID_A		"8f0b6a52-1f05-4e6a-9a3e-000000000101"
#define UUID_B		"8f0b6a52-1f05-4e6a-9a3e-000000000102"
#define UUID_C		"8f0b6a52-1f05-4e6a-9a3e-000000000103"
#define VVT_OFF(f)	offsetof(struct vvt_config, f)
#define PG		VV_PAGE
#define KB(pages)	((long)(pages) * (long)(PG / 1024))

#define BF_ALL	((1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) | \
		 (1ULL << VHOST_BACKEND_F_IOTLB_BATCH))

static int vv_prepare(const char *mgmt, const char *name, const char *uuid)
{
	/* built in or loaded by modules.list in the VM; try anyway */
	if (system("modprobe -q vfio_iommu_type1; modprobe -q vdpa_sim_net; "
		   "modprobe -q vhost_vfio_testdev; true"))
		return -ENOENT;
	if (vv_vdpa_add(mgmt, name, "vhost_vfio"))
		return -ENODEV;
	return vv_mdev_create(name, uuid);
}

/* Open @uuid, become its owner, ack @bf. */
static int vv_open_owned(struct vv_be *be, const char *uuid, uint64_t bf)
{
	int ret = vv_be_open_vfio(be, uuid);

	if (!ret)
		ret = vv_ioctl(be, VHOST_SET_OWNER, NULL);
	if (!ret)
		ret = vv_ioctl(be, VHOST_SET_BACKEND_FEATURES, &bf);
	return ret;
}

/* One 32-bit field of the test device's config space. */
static uint32_t vvt_field(struct vv_be *be, size_t off)
{
	struct vfio_region_info cfg;
	uint32_t v = 0xdeadbeef;

	if (vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG, &cfg) ||
	    pread(be->fd, &v, sizeof(v), cfg.offset + off) != sizeof(v))
		return 0xdeadbeef;
	return le32toh(v);
}

static int vv_batch(struct vv_be *be, uint32_t asid, bool begin)
{
	return vv_iotlb(be, asid, begin ? VHOST_IOTLB_BATCH_BEGIN :
			VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
}

/* Anonymous private memory, every page touched. */
static uint8_t *vv_anon(size_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, len);
	return p;
}

static void vv_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	setrlimit(RLIMIT_MEMLOCK, &rl);
}

static int vvt_set_limit(struct vv_be *be, uint32_t limit)
{
	struct vfio_region_info cfg;
	uint32_t v = htole32(limit);
	int ret = vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG, &cfg);

	if (ret)
		return ret;
	return pwrite(be->fd, &v, sizeof(v), cfg.offset + VVT_OFF(map_limit)) ==
		sizeof(v) ? 0 : -errno;
}

/* ---- the test device: its map never holds an unpinned page -------------- */

FIXTURE(td) {
	struct vv_be be;
	uint8_t *mem;
	size_t len;
	long pin0;
	uint32_t bad0;
};

FIXTURE_SETUP(td)
{
	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, TD_A, UUID_A));
	ASSERT_EQ(0, vv_open_owned(&self->be, UUID_A, BF_ALL));
	ASSERT_EQ(0, vvt_set_limit(&self->be, 0));
	self->bad0 = vvt_field(&self->be, VVT_OFF(map_violations));
	self->len = 64 * PG;
	self->mem = vv_anon(self->len);
	ASSERT_NE(NULL, self->mem);
	self->pin0 = vv_vmpin_kb();
	ASSERT_LE(0, self->pin0);
	vv_memlock(64 << 20);
}

FIXTURE_TEARDOWN(td)
{
	vv_be_close(&self->be);
	munmap(self->mem, self->len);
}

TEST_F(td, invalidate_unpins_after_the_device_let_go)
{
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem, 16 * PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(16, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0 + KB(16), vv_vmpin_kb());
	/* from the device first, then unpinned */
	ASSERT_EQ(0, vv_unmap(&self->be, VV_IOVA_BASE, 16 * PG));
	ASSERT_EQ(0, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(self->bad0, vvt_field(&self->be, VVT_OFF(map_violations)));
}

TEST_F(td, batch_keeps_pages_until_batch_end)
{
	uint32_t maps0;

	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem, 8 * PG,
			    VHOST_ACCESS_RW));
	maps0 = vvt_field(&self->be, VVT_OFF(set_maps));
	ASSERT_EQ(0, vv_batch(&self->be, 0, true));
	ASSERT_EQ(0, vv_unmap(&self->be, VV_IOVA_BASE, 8 * PG));
	/* the device still has the entry: its pages are still pinned */
	ASSERT_EQ(8, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0 + KB(8), vv_vmpin_kb());
	/* the same IOVAs again, other memory; and an entry made and dropped */
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem + 8 * PG,
			    4 * PG, VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_map(&self->be, 2 * VV_IOVA_BASE, self->mem + 16 * PG,
			    4 * PG, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_unmap(&self->be, 2 * VV_IOVA_BASE, 4 * PG));
	ASSERT_EQ(maps0, vvt_field(&self->be, VVT_OFF(set_maps)));
	ASSERT_EQ(0, vv_batch(&self->be, 0, false));
	ASSERT_EQ(maps0 + 1, vvt_field(&self->be, VVT_OFF(set_maps)));
	ASSERT_EQ(4, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0 + KB(4), vv_vmpin_kb());
	ASSERT_EQ(0, vv_unmap(&self->be, 0, ~0ULL));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(self->bad0, vvt_field(&self->be, VVT_OFF(map_violations)));
}

TEST_F(td, reset_and_close_unpin_after_the_device_let_go)
{
	uint8_t st = 0;

	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem, 8 * PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));
	ASSERT_EQ(0, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	/* a close inside an open batch */
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem, 8 * PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_batch(&self->be, 0, true));
	ASSERT_EQ(0, vv_unmap(&self->be, VV_IOVA_BASE, PG));
	ASSERT_EQ(0, vv_map(&self->be, 2 * VV_IOVA_BASE, self->mem + 8 * PG,
			    8 * PG, VHOST_ACCESS_RW));
	vv_be_close(&self->be);
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(0, vv_open_owned(&self->be, UUID_A, BF_ALL));
	ASSERT_EQ(0, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->bad0, vvt_field(&self->be, VVT_OFF(map_violations)));
}

/*
 * Outside a batch, an update the device refuses leaves nothing: not in the
 * books, not pinned, and the device (which lost its map, as vdpa_sim does)
 * gets the old map back.
 */
TEST_F(td, refused_update_undone)
{
	ASSERT_EQ(0, vvt_set_limit(&self->be, 2));
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->mem, PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_map(&self->be, 2 * VV_IOVA_BASE, self->mem + 8 * PG,
			    PG, VHOST_ACCESS_RO));
	ASSERT_EQ(-ENOSPC, vv_map(&self->be, 3 * VV_IOVA_BASE,
				  self->mem + 16 * PG, PG, VHOST_ACCESS_RW));
	ASSERT_EQ(self->pin0 + KB(2), vv_vmpin_kb());
	ASSERT_EQ(2, vvt_field(&self->be, VVT_OFF(map_entries)));
	ASSERT_EQ(2, vvt_field(&self->be, VVT_OFF(map_pages)));
	/* refused again, not EEXIST: the books do not have it */
	ASSERT_EQ(-ENOSPC, vv_map(&self->be, 3 * VV_IOVA_BASE,
				  self->mem + 16 * PG, PG, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vvt_set_limit(&self->be, 0));
	ASSERT_EQ(0, vv_map(&self->be, 3 * VV_IOVA_BASE, self->mem + 16 * PG,
			    PG, VHOST_ACCESS_RW));
	ASSERT_EQ(3, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(0, vv_unmap(&self->be, 0, ~0ULL));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(0, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->bad0, vvt_field(&self->be, VVT_OFF(map_violations)));
}

/* An update larger than one pinning piece: all of it, in the device too. */
TEST_F(td, large_update_in_pieces)
{
	size_t n = 1500;
	uint8_t *big = vv_anon(n * PG);

	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, big, n * PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(n, vvt_field(&self->be, VVT_OFF(map_pages)));
	ASSERT_EQ(self->pin0 + KB(n), vv_vmpin_kb());
	ASSERT_EQ(-EEXIST, vv_map(&self->be, VV_IOVA_BASE + (n - 1) * PG,
				  self->mem, PG, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_unmap(&self->be, VV_IOVA_BASE, n * PG));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(self->bad0, vvt_field(&self->be, VVT_OFF(map_violations)));
	munmap(big, n * PG);
}

/*
 * 1 TiB with an unlimited RLIMIT_MEMLOCK: the first pieces pin, then the
 * hole faults; nothing is allocated for the whole size, nothing stays.
 */
TEST_F(td, one_tib_update_fails_cleanly)
{
	const size_t tib = 1ULL << 40, head = 3 * 512 + 7;
	struct rlimit old, inf = { RLIM_INFINITY, RLIM_INFINITY };
	uint8_t *p;

	p = mmap(NULL, tib, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		SKIP(return, "cannot reserve 1 TiB of address space");
	ASSERT_EQ(0, mprotect(p, head * PG, PROT_READ | PROT_WRITE));
	memset(p, 1, head * PG);
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &inf));
	ASSERT_EQ(-EFAULT, vv_map(&self->be, 1ULL << 40, p, tib,
				  VHOST_ACCESS_RW));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(0, vvt_field(&self->be, VVT_OFF(map_pages)));
	/* the IOVAs are free, the head of the memory can be mapped */
	ASSERT_EQ(0, vv_map(&self->be, 1ULL << 40, p, head * PG,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(self->pin0 + KB(head), vv_vmpin_kb());
	ASSERT_EQ(0, vv_unmap(&self->be, 0, ~0ULL));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
	munmap(p, tib);
}

/* ---- RLIMIT_MEMLOCK is checked and charged in one step ------------------ */

struct vv_racer {
	struct vv_be *be;
	uint8_t *mem;
	size_t pages;
	pthread_barrier_t *bar;
	int ret;
};

static void *vv_race_map(void *arg)
{
	struct vv_racer *r = arg;

	pthread_barrier_wait(r->bar);
	r->ret = vv_map(r->be, VV_IOVA_BASE, r->mem, r->pages * PG,
			VHOST_ACCESS_RW);
	return NULL;
}

/*
 * Two instances of one process, each mapping more than half the limit at
 * the same time: one may succeed, never both.
 */
TEST(memlock_two_instances_one_mm)
{
	const size_t n = 1024;
	struct vv_racer r[2];
	pthread_barrier_t bar;
	struct vv_be be[2];
	pthread_t th[2];
	int round, both = 0, i;
	struct rlimit old;
	uint8_t *mem;
	long pin0;

	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, TD_A, UUID_A));
	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, TD_B, UUID_B));
	ASSERT_EQ(0, vv_open_owned(&be[0], UUID_A, BF_ALL));
	ASSERT_EQ(0, vv_open_owned(&be[1], UUID_B, BF_ALL));
	mem = vv_anon(2 * n * PG);
	ASSERT_NE(NULL, mem);
	pin0 = vv_vmpin_kb();
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	vv_memlock(pin0 * 1024 + (n + n / 2) * PG);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 2; i++) {
			r[i] = (struct vv_racer){ .be = &be[i], .pages = n,
						  .mem = mem + i * n * PG,
						  .bar = &bar };
			ASSERT_EQ(0, pthread_create(&th[i], NULL, vv_race_map,
						    &r[i]));
		}
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_join(th[i], NULL));
		both += !r[0].ret && !r[1].ret;
		for (i = 0; i < 2; i++) {
			ASSERT_TRUE(r[i].ret == 0 || r[i].ret == -ENOMEM);
			if (!r[i].ret)
				ASSERT_EQ(0, vv_unmap(&be[i], 0, ~0ULL));
		}
		EXPECT_FALSE(!r[0].ret && !r[1].ret) TH_LOG("round %d", round);
		ASSERT_EQ(pin0, vv_vmpin_kb());
	}
	TH_LOG("both instances past the limit in %d of 10 rounds", both);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
	pthread_barrier_destroy(&bar);
	vv_be_close(&be[0]);
	vv_be_close(&be[1]);
	munmap(mem, 2 * n * PG);
}

/* ---- batches on vdpa_sim_net: all or nothing ----------------------------- */

#define SIM_ENTRIES	2100	/* vdpa_sim takes 2048 entries per map */
#define FAR_IOVA	0x1000000000ULL	/* 64 GiB */

FIXTURE(simbatch) {
	struct vv_be be;
	struct vv_net n;
	uint8_t *page;
	long pin0;
};

FIXTURE_SETUP(simbatch)
{
	ASSERT_EQ(0, vv_prepare("vdpasim_net", NET_C, UUID_C));
	ASSERT_EQ(0, vv_be_open_vfio(&self->be, UUID_C));
	memset(&self->n, 0, sizeof(self->n));
	vv_memlock(64 << 20);
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	self->page = vv_anon(PG);
	ASSERT_NE(NULL, self->page);
	self->pin0 = vv_vmpin_kb();
}

FIXTURE_TEARDOWN(simbatch)
{
	vv_net_close(&self->n);
	vv_be_close(&self->be);
	munmap(self->page, PG);
}

/* Frames go out and come back: the device's map is the one we think. */
static int vv_sim_loop(struct vv_net *n, uint32_t seq)
{
	uint16_t rx0 = vv_used_idx(&n->rx);
	int ret;

	vv_net_post_rx(n, 4);
	ret = vv_net_send(n, seq, 4, 100);
	if (!ret)
		ret = vv_wait_used(&n->rx, rx0 + 4, 3000);
	for (int i = 0; !ret && i < 4; i++)
		ret = vv_net_check_rx(n, rx0 + i, seq + i, 100);
	return ret;
}

/* BEGIN, drop the TX buffers, map @count single pages far away, END. */
static int vv_big_batch(struct vv_be *be, struct vv_net *n, uint8_t *page,
			unsigned int count)
{
	size_t half = (size_t)VV_QSZ * VV_BUFSZ;
	unsigned int i;
	int ret;

	ret = vv_batch(be, 0, true);
	if (ret)
		return ret;
	ret = vv_unmap(be, vv_iova(&n->mem, vv_net_txbuf(n, 0)), half);
	for (i = 0; !ret && i < count; i++)
		ret = vv_map(be, FAR_IOVA + 2ULL * i * PG, page, PG,
			     VHOST_ACCESS_RO);
	if (ret)
		return ret + 10000;	/* an update failed, not the end */
	return vv_batch(be, 0, false);
}

TEST_F(simbatch, failed_batch_end_undoes_the_batch)
{
	size_t half = (size_t)VV_QSZ * VV_BUFSZ;
	uint8_t *tx = vv_net_txbuf(&self->n, 0);
	int attempt;

	ASSERT_EQ(0, vv_sim_loop(&self->n, 10));
	for (attempt = 0; attempt < 2; attempt++) {
		/* the device refuses the map: nothing of the batch stays */
		ASSERT_EQ(-ENOSPC, vv_big_batch(&self->be, &self->n, self->page,
						SIM_ENTRIES))
			TH_LOG("attempt %d", attempt);
		ASSERT_EQ(self->pin0, vv_vmpin_kb());
		/* the TX buffers are mapped again, in the books and the device */
		ASSERT_EQ(-EEXIST, vv_map(&self->be, vv_iova(&self->n.mem, tx),
					  tx, half, VHOST_ACCESS_RO));
		ASSERT_EQ(0, vv_sim_loop(&self->n, 100 + 10 * attempt));
	}
	/* the batch's IOVAs are free */
	ASSERT_EQ(0, vv_map(&self->be, FAR_IOVA + 2 * PG, self->page, PG,
			    VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_unmap(&self->be, FAR_IOVA, ~0ULL - FAR_IOVA));
	/* a batch the device takes is kept whole */
	ASSERT_EQ(0, vv_big_batch(&self->be, &self->n, self->page, 100));
	ASSERT_EQ(self->pin0 + KB(100) - KB(half / PG), vv_vmpin_kb());
	ASSERT_EQ(0, vv_map(&self->be, vv_iova(&self->n.mem, tx), tx, half,
			    VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_sim_loop(&self->n, 200));
	ASSERT_EQ(0, vv_unmap(&self->be, FAR_IOVA, ~0ULL - FAR_IOVA));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
}

/* A batch belongs to its address space; END for another one is refused. */
TEST_F(simbatch, batch_end_of_another_asid)
{
	ASSERT_EQ(0, vv_batch(&self->be, 0, true));
	ASSERT_EQ(0, vv_map(&self->be, FAR_IOVA, self->page, PG,
			    VHOST_ACCESS_RO));
	ASSERT_EQ(-EINVAL, vv_batch(&self->be, 1, false));
	/* still open, for ASID 0 only */
	ASSERT_EQ(-EBUSY, vv_batch(&self->be, 0, true));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 1, VHOST_IOTLB_UPDATE, FAR_IOVA,
				    PG, (uintptr_t)self->page, VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_batch(&self->be, 0, false));
	ASSERT_EQ(-EINVAL, vv_batch(&self->be, 0, false));
	ASSERT_EQ(0, vv_unmap(&self->be, FAR_IOVA, PG));
	ASSERT_EQ(self->pin0, vv_vmpin_kb());
}

/* ---- message types and address spaces, as vhost takes them -------------- */

static int vv_raw(struct vv_be *be, uint32_t type, uint32_t asid_or_pad,
		  uint8_t itype, uint64_t iova, uint64_t size, void *p)
{
	struct vhost_msg_v2 m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.asid = asid_or_pad;
	m.iotlb.type = itype;
	m.iotlb.iova = iova;
	m.iotlb.size = size;
	m.iotlb.uaddr = (uintptr_t)p;
	m.iotlb.perm = VHOST_ACCESS_RW;
	return pwrite(be->fd, &m, sizeof(m), be->iotlb_off) == sizeof(m) ?
		0 : -errno;
}

TEST(message_types_and_asid)
{
	struct vhost_msg m;
	struct vv_be be;
	uint8_t *p = vv_anon(4 * PG);
	uint64_t bf = 0;
	long pin0 = vv_vmpin_kb();

	ASSERT_NE(NULL, p);
	/* the v1 message has the v2 layout, padding where asid is */
	ASSERT_EQ(offsetof(struct vhost_msg, iotlb),
		  offsetof(struct vhost_msg_v2, iotlb));
	ASSERT_EQ(sizeof(m), sizeof(struct vhost_msg_v2));
	ASSERT_EQ(0, vv_prepare("vdpasim_net", NET_C, UUID_C));
	ASSERT_EQ(0, vv_open_owned(&be, UUID_C, bf));
	/* no backend feature at all: v1 and v2 both taken, as by vhost */
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG, 0, VHOST_IOTLB_UPDATE,
			    VV_IOVA_BASE, PG, p));
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG_V2, 0, VHOST_IOTLB_UPDATE,
			    VV_IOVA_BASE + PG, PG, p + PG));
	/* v1: what sits where v2 has asid is padding, ignored */
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG, 0x11, VHOST_IOTLB_UPDATE,
			    VV_IOVA_BASE + 2 * PG, PG, p + 2 * PG));
	ASSERT_EQ(-EEXIST, vv_raw(&be, VHOST_IOTLB_MSG_V2, 0,
				  VHOST_IOTLB_UPDATE, VV_IOVA_BASE + 2 * PG,
				  PG, p));
	ASSERT_EQ(pin0 + KB(3), vv_vmpin_kb());
	/* v2 with an asid, but IOTLB_ASID not acked: refused (documented) */
	ASSERT_EQ(-EINVAL, vv_raw(&be, VHOST_IOTLB_MSG_V2, 1,
				  VHOST_IOTLB_UPDATE, VV_IOVA_BASE + 3 * PG,
				  PG, p + 3 * PG));
	ASSERT_EQ(-EINVAL, vv_raw(&be, 3, 0, VHOST_IOTLB_UPDATE,
				  VV_IOVA_BASE + 3 * PG, PG, p + 3 * PG));
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG, 0, VHOST_IOTLB_INVALIDATE,
			    0, ~0ULL, NULL));
	ASSERT_EQ(pin0, vv_vmpin_kb());
	/* with IOTLB_ASID, v2 addresses the second address space */
	bf = (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
	     (1ULL << VHOST_BACKEND_F_IOTLB_ASID);
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG_V2, 1, VHOST_IOTLB_UPDATE,
			    VV_IOVA_BASE, PG, p));
	ASSERT_EQ(-EINVAL, vv_raw(&be, VHOST_IOTLB_MSG_V2, 2,
				  VHOST_IOTLB_UPDATE, VV_IOVA_BASE, PG, p));
	ASSERT_EQ(0, vv_raw(&be, VHOST_IOTLB_MSG_V2, 0, VHOST_IOTLB_UPDATE,
			    VV_IOVA_BASE, PG, p));
	ASSERT_EQ(pin0 + KB(2), vv_vmpin_kb());
	vv_be_close(&be);
	ASSERT_EQ(pin0, vv_vmpin_kb());
	munmap(p, 4 * PG);
}

TEST_HARNESS_MAIN
