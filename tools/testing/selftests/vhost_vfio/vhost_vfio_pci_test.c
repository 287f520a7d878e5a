// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci personality of vhost_vfio seen as a VMM sees it: a VFIO
 * PCI device in a container of type VFIO_TYPE1v2_IOMMU (what QEMU's stock
 * vfio-pci asks for) or of the nested type.  Config space, the virtio
 * capabilities found by walking the list, BARs, MSI-X; a userspace virtio
 * driver (vhost_vfio_pci_utils.h) moving frames through vdpa_sim_net and
 * blocks through vdpa_sim_blk, contents checked, with each way of kicking
 * (trapped write, VFIO_DEVICE_IOEVENTFD); the instance's feature mask in
 * the feature registers; reset and re-init; unmapping while the device
 * runs; bad inputs on every region and ioctl; one personality per vDPA
 * device; a bounded fail-nth sweep.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include "vhost_vfio_pci_utils.h"
#include "vhost_vfio_testdev.h"
#include <linux/vfio_iommu_nested.h>
#include "kselftest_harness.h"
#include "../fail_nth.h"

#define PNET		"vvpnet0"
#define PBLK		"vvpblk0"
#define PAV		"vvpavail"
#define UUID_PNET	"8f0b6a52-1f05-4e6a-9a3e-000000000401"
#define UUID_PBLK	"8f0b6a52-1f05-4e6a-9a3e-000000000402"
#define UUID_PAV	"8f0b6a52-1f05-4e6a-9a3e-000000000403"
#define UUID_PAV_V	"8f0b6a52-1f05-4e6a-9a3e-000000000404"
#define NFRAMES		64
#define FLEN		(VV_NET_HDR + 200)
#define WAIT_MS		5000
#define QUIET_MS	300	/* how long "no progress" is watched */
#define BLK_QSZ		128
#define BLK_LEN		(8 * 512)

#define VP_MODPROBE	"modprobe -q vfio_iommu_type1; modprobe -q vfio_iommu_nested; " \
			"modprobe -q vdpa_sim_net; modprobe -q vdpa_sim_blk; true"

static int vp_prepare(const char *mgmt, const char *name, const char *uuid)
{
	static bool loaded;
	int ret;

	if (!loaded && !system(VP_MODPROBE))
		loaded = true;
	ret = vv_vdpa_add(mgmt, name, "vhost_vfio");
	return ret ? ret : vp_mdev_create(name, uuid);
}

/* Spin (no eventfd read) until the used index of @q reaches @target. */
static int vp_spin_used(struct vv_vq *q, uint16_t target, int ms)
{
	double end = vv_now() + ms / 1000.0;

	while ((uint16_t)(vv_used_idx(q) - target) > 0x8000)
		if (vv_now() > end)
			return -ETIMEDOUT;
	return 0;
}

/* Wait up to @ms for eventfd @fd; its count (0: never signalled). */
static uint64_t vp_wait_irq(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return 0;
	return vp_irq_count(fd);
}

/* Wait @ms; true if the used index of @q stayed at @idx all along. */
static bool vp_quiet(struct vv_vq *q, uint16_t idx, int ms)
{
	double end = vv_now() + ms / 1000.0;

	while (vv_now() < end) {
		if (vv_used_idx(q) != idx)
			return false;
		usleep(10000);
	}
	return vv_used_idx(q) == idx;
}

/* ---- virtio-blk requests ------------------------------------------------ */

struct vp_blk {
	struct vv_mem m;
	struct vv_vq q;
	uint64_t addr;
	enum vp_kick how;
};

static int vp_blk_setup(struct vp_dev *d, struct vp_blk *b, enum vp_kick how)
{
	int ret;

	if (!b->m.base) {
		ret = vv_mem_alloc(&b->m, 1, 4 * VV_PAGE + 2 * BLK_LEN);
		ret = ret ? ret : vp_map(d, VV_IOVA_BASE, b->m.base, b->m.len, VP_RW);
		if (ret)
			return ret;
	} else if (b->q.kick >= 0) {
		vp_ioeventfd(d, 0, -1);
		close(b->q.kick);
	}
	b->how = how;
	ret = vp_msix(d, 2);
	ret = ret ? ret : vp_negotiate(d, (1ULL << VIRTIO_F_VERSION_1) |
				       (1ULL << VIRTIO_F_ACCESS_PLATFORM), 0);
	if (ret)
		return ret;
	memset(b->m.base, 0, b->m.ring_len);
	vv_vq_layout(&b->m, &b->q, 0, 0, BLK_QSZ);
	ret = vp_vq_setup(d, &b->q, 1);
	if (ret)
		return ret;
	b->addr = vp_notify_addr(d, 0);
	if (how == VP_KICK_IOEVENTFD) {
		b->q.kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (b->q.kick < 0)
			return -errno;
		ret = vp_ioeventfd(d, 0, b->q.kick);
		if (ret)
			return ret;
	}
	return vp_add_status(d, VIRTIO_CONFIG_S_DRIVER_OK);
}

static void vp_blk_close(struct vp_blk *b)
{
	if (b->q.kick >= 0 && b->m.base)
		close(b->q.kick);
	if (b->m.base)
		munmap(b->m.base, b->m.len);
	b->m.base = NULL;
}

/* Queue one request (header, data @buf in b->m, status) and kick. */
static int vp_blk_submit(struct vp_dev *d, struct vp_blk *b, uint32_t type,
			 uint64_t sector, uint8_t *buf, size_t len)
{
	uint8_t *hp = vv_buf(&b->m, 0);
	struct virtio_blk_outhdr *h = (void *)hp;
	uint8_t *st = hp + 64;
	uint64_t iova[3] = { vv_iova(&b->m, hp), vv_iova(&b->m, buf),
			     vv_iova(&b->m, st) };
	uint32_t lens[3] = { sizeof(*h), len, 1 };
	bool wr[3] = { false, type == VIRTIO_BLK_T_IN, true };

	h->type = htole32(type);
	h->ioprio = 0;
	h->sector = htole64(sector);
	*st = 0xee;
	vv_vq_add_chain(&b->q, iova, lens, wr, 3);
	vv_vq_publish(&b->q);
	return vp_kick(d, &b->q, b->addr, b->how);
}

/* The status of the last request: 0, -EIO or -EPROTO. */
static int vp_blk_status(struct vp_blk *b)
{
	uint8_t st = vv_buf(&b->m, 0)[64];

	return st == VIRTIO_BLK_S_OK ? 0 : st == VIRTIO_BLK_S_IOERR ? -EIO : -EPROTO;
}

/* One request, waited for; 0, -EIO or -errno. */
static int vp_blk_io(struct vp_dev *d, struct vp_blk *b, uint32_t type,
		     uint64_t sector, uint8_t *buf, size_t len)
{
	uint16_t u0 = vv_used_idx(&b->q);
	int ret = vp_blk_submit(d, b, type, sector, buf, len);

	ret = ret ? ret : vv_wait_used(&b->q, u0 + 1, WAIT_MS);
	return ret ? ret : vp_blk_status(b);
}

/* Write a pattern at @sector, read it back, compare; a far sector differs. */
static int vp_blk_pattern(struct vp_dev *d, struct vp_blk *b, uint64_t sector,
			  uint8_t seed)
{
	uint8_t *w = vv_buf(&b->m, VV_PAGE), *r = w + BLK_LEN;
	size_t i;
	int ret;

	for (i = 0; i < BLK_LEN; i++)
		w[i] = (uint8_t)(i * 13 + seed);
	memset(r, 0, BLK_LEN);
	ret = vp_blk_io(d, b, VIRTIO_BLK_T_OUT, sector, w, BLK_LEN);
	ret = ret ? ret : vp_blk_io(d, b, VIRTIO_BLK_T_IN, sector, r, BLK_LEN);
	if (ret)
		return ret;
	return memcmp(w, r, BLK_LEN) ? -EBADMSG : 0;
}

/* ---- the fixture: one opened instance per variant ----------------------- */

FIXTURE(pci) {
	struct vp_dev d;
	struct vp_net pn;
	struct vp_blk b;
};

/*
 * Every test runs on a type1 v2 container (what QEMU sets); those of the
 * data path run a second time on a fresh container of the nested type
 * (VP_BOTH_CONTAINERS): the mappings reach the device the same way there.
 */
FIXTURE_VARIANT(pci) {
	const char *mgmt, *name, *uuid;
	unsigned long type;
	bool blk;
};

FIXTURE_VARIANT_ADD(pci, net_type1v2) {
	.mgmt = "vdpasim_net", .name = PNET, .uuid = UUID_PNET,
	.type = VFIO_TYPE1v2_IOMMU,
};

FIXTURE_VARIANT_ADD(pci, blk_type1v2) {
	.mgmt = "vdpasim_blk", .name = PBLK, .uuid = UUID_PBLK,
	.type = VFIO_TYPE1v2_IOMMU, .blk = true,
};

FIXTURE_SETUP(pci)
{
	memset(&self->pn, 0, sizeof(self->pn));
	memset(&self->b, 0, sizeof(self->b));
	self->b.q.kick = -1;
	ASSERT_EQ(0, vp_prepare(variant->mgmt, variant->name, variant->uuid));
	ASSERT_EQ(0, vp_open(&self->d, variant->uuid, variant->type));
}

FIXTURE_TEARDOWN(pci)
{
	vp_net_close(&self->pn);
	vp_blk_close(&self->b);
	vp_close(&self->d);
}

/* Close everything, open the instance again in a new container of @type. */
static int vp_reopen(struct _test_data_pci *self, const struct _fixture_variant_pci *variant,
		     unsigned long type)
{
	vp_net_close(&self->pn);
	vp_blk_close(&self->b);
	vp_close(&self->d);
	memset(&self->pn, 0, sizeof(self->pn));
	memset(&self->b, 0, sizeof(self->b));
	self->b.q.kick = -1;
	return vp_open(&self->d, variant->uuid, type);
}

#define VP_BODY(name)							\
	static void name##_body(struct __test_metadata *_metadata,	\
				struct _test_data_pci *self,		\
				const struct _fixture_variant_pci *variant)

/* Bring the device up, move data, check it: frames or blocks. */
static int vp_traffic(struct __test_metadata *_metadata, struct _test_data_pci *self,
		      const struct _fixture_variant_pci *variant, enum vp_kick how,
		      uint32_t seq)
{
	int ret;

	if (variant->blk) {
		ret = vp_blk_setup(&self->d, &self->b, how);
		return ret ? ret : vp_blk_pattern(&self->d, &self->b, 64 + seq % 1000,
						  (uint8_t)seq);
	}
	ret = vp_net_setup(&self->pn, &self->d, VV_NET_FEATURES, how);
	return ret ? ret : vp_net_loop(&self->pn, seq, NFRAMES, FLEN, WAIT_MS, true);
}

TEST_F(pci, device_info_regions_irqs)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vp_dev *d = &self->d;
	unsigned int i;

	EXPECT_TRUE(d->info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_TRUE(d->info.flags & VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, d->info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, d->info.num_irqs);
	/* region offsets do not overlap; config space at least 256 bytes */
	for (i = 0; i < VP_NREG; i++) {
		unsigned int j;

		EXPECT_EQ(i, d->reg[i].index);
		for (j = 0; j < i; j++)
			if (d->reg[i].size && d->reg[j].size)
				EXPECT_TRUE(d->reg[i].offset >= d->reg[j].offset + d->reg[j].size ||
					    d->reg[j].offset >= d->reg[i].offset + d->reg[i].size);
	}
	EXPECT_LE(256, d->reg[VFIO_PCI_CONFIG_REGION_INDEX].size);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  d->reg[VFIO_PCI_CONFIG_REGION_INDEX].flags &
		  (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE));
	EXPECT_EQ(0, d->reg[VFIO_PCI_VGA_REGION_INDEX].size);
	/* MSI-X: the count of the capability, eventfd-capable */
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	ASSERT_NE(0, d->msix_pos);
	EXPECT_EQ(d->msix_n, ii.count);
	EXPECT_TRUE(ii.flags & VFIO_IRQ_INFO_EVENTFD);
	/* enough vectors for config + every queue */
	EXPECT_LE(1 + vp_cc(d, VP_CC(num_queues), 2), ii.count);
	/* no plain MSI; INTx optional (0 or 1 line) */
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(0, ii.count);
	ii.index = VFIO_PCI_INTX_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_GE(1, ii.count);
}

/* Does the BAR register @bar describe a memory BAR of the region's size? */
static void vp_check_bar(struct __test_metadata *_metadata, struct vp_dev *d,
			 int bar)
{
	uint32_t off = PCI_BASE_ADDRESS_0 + 4 * bar, orig = vp_cfg32(d, off);
	uint32_t ones = 0xffffffff, v;
	uint64_t size = d->reg[bar].size;

	ASSERT_NE(0, size) TH_LOG("BAR%d named by a capability has no region", bar);
	EXPECT_EQ(0, size & (size - 1)) TH_LOG("BAR%d size %#llx", bar,
					       (unsigned long long)size);
	EXPECT_EQ(0, orig & PCI_BASE_ADDRESS_SPACE_IO);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  d->reg[bar].flags & (VFIO_REGION_INFO_FLAG_READ |
				       VFIO_REGION_INFO_FLAG_WRITE));
	/* sizing: all ones reads back the size mask, type bits kept */
	ASSERT_EQ(0, vp_cfg_write(d, off, &ones, 4));
	v = vp_cfg32(d, off);
	EXPECT_EQ((uint32_t)~(size - 1) & PCI_BASE_ADDRESS_MEM_MASK,
		  v & PCI_BASE_ADDRESS_MEM_MASK);
	EXPECT_EQ(orig & ~PCI_BASE_ADDRESS_MEM_MASK, v & ~PCI_BASE_ADDRESS_MEM_MASK);
	ASSERT_EQ(0, vp_cfg_write(d, off, &orig, 4));
	EXPECT_EQ(orig, vp_cfg32(d, off));
}

TEST_F(pci, config_space_and_capabilities)
{
	struct vp_dev *d = &self->d;
	struct vp_loc *locs[] = { &d->common, &d->notify, &d->isr, &d->devcfg };
	uint16_t id = variant->blk ? VIRTIO_ID_BLOCK : VIRTIO_ID_NET;
	uint32_t class = vp_cfg32(d, PCI_CLASS_REVISION) >> 8, tbl, pba, nq;
	unsigned int i;

	EXPECT_EQ(0x1af4, vp_cfg16(d, PCI_VENDOR_ID));
	EXPECT_EQ(0x1040 + id, vp_cfg16(d, PCI_DEVICE_ID));
	EXPECT_LE(1, vp_cfg8(d, PCI_REVISION_ID));
	EXPECT_EQ(0x1af4, vp_cfg16(d, PCI_SUBSYSTEM_VENDOR_ID));
	EXPECT_EQ(variant->blk ? 0x010000 : 0x020000, class);
	EXPECT_EQ(PCI_HEADER_TYPE_NORMAL, vp_cfg8(d, PCI_HEADER_TYPE) & 0x7f);
	ASSERT_TRUE(vp_cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST);
	/* the vendor caps: found, in a BAR, inside its region */
	ASSERT_LE(0, d->devcfg.bar);
	ASSERT_LE(0, d->pcicfg.bar);
	for (i = 0; i < ARRAY_SIZE(locs); i++) {
		EXPECT_LE((uint64_t)locs[i]->off + locs[i]->len,
			  d->reg[locs[i]->bar].size) TH_LOG("cap %u", i);
		vp_check_bar(_metadata, d, locs[i]->bar);
	}
	EXPECT_LE(sizeof(struct virtio_pci_common_cfg), d->common.len);
	EXPECT_LE(1, d->isr.len);
	EXPECT_LE(variant->blk ? 8 : 6, d->devcfg.len);
	EXPECT_LE(sizeof(struct virtio_pci_cfg_cap),
		  vp_cfg8(d, d->pcicfg.pos + VIRTIO_PCI_CAP_LEN));
	/* notify: every queue's address inside the window, 2 bytes wide */
	nq = vp_cc(d, VP_CC(num_queues), 2);
	EXPECT_LE(1, nq);
	for (i = 0; i < nq; i++) {
		uint64_t a = vp_notify_addr(d, i);

		EXPECT_LE(a + 2, (uint64_t)d->notify.off + d->notify.len);
	}
	EXPECT_LE(sizeof(struct virtio_pci_notify_cap),
		  vp_cfg8(d, d->notify.pos + VIRTIO_PCI_CAP_LEN));
	/* MSI-X: table and PBA inside their BARs, disabled at start */
	ASSERT_NE(0, d->msix_pos);
	tbl = vp_cfg32(d, d->msix_pos + PCI_MSIX_TABLE);
	pba = vp_cfg32(d, d->msix_pos + PCI_MSIX_PBA);
	EXPECT_LE((uint64_t)(tbl & PCI_MSIX_TABLE_OFFSET) + 16 * d->msix_n,
		  d->reg[tbl & PCI_MSIX_TABLE_BIR].size);
	EXPECT_LE((uint64_t)(pba & PCI_MSIX_PBA_OFFSET) + (d->msix_n + 63) / 64 * 8,
		  d->reg[pba & PCI_MSIX_PBA_BIR].size);
	EXPECT_EQ(0, vp_cfg16(d, d->msix_pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
	/* device cfg: the MAC of the vDPA device / the simulator's capacity */
	if (variant->blk) {
		uint32_t lo = 0, hi = 0;

		ASSERT_EQ(0, vp_rd(d, &d->devcfg, 0, 4, &lo));
		ASSERT_EQ(0, vp_rd(d, &d->devcfg, 4, 4, &hi));
		EXPECT_EQ(0x40000, lo | (uint64_t)hi << 32);
	} else {
		static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

		for (i = 0; i < 6; i++) {
			uint32_t b = 0;

			ASSERT_EQ(0, vp_rd(d, &d->devcfg, i, 1, &b));
			EXPECT_EQ(mac[i], b);
		}
	}
	/*
	 * The whole config space in one read, as QEMU's vfio-pci reads it at
	 * start: it covers the PCI cfg access window with no BAR selected.
	 */
	{
		uint8_t all[256], one;

		ASSERT_EQ(256, pread(d->fd, all, 256,
				     vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX)));
		for (i = 0; i < 256; i += 4) {
			ASSERT_EQ(0, vp_cfg_read(d, i, &one, 1));
			EXPECT_EQ(one, all[i]) TH_LOG("config byte %u", i);
		}
	}
	/* read-only identity: writes are dropped */
	{
		uint32_t junk = 0x12345678;

		vp_cfg_write(d, PCI_VENDOR_ID, &junk, 4);
		EXPECT_EQ(0x1af4, vp_cfg16(d, PCI_VENDOR_ID));
		EXPECT_EQ(0x1040 + id, vp_cfg16(d, PCI_DEVICE_ID));
		vp_cfg_write(d, PCI_CAPABILITY_LIST, &junk, 1);
		EXPECT_EQ(0, vp_find_caps(d));
	}
}

/* The PCI cfg access capability reaches the same registers as the BAR. */
TEST_F(pci, pci_cfg_access_capability)
{
	struct vp_dev *d = &self->d;
	uint8_t pos = d->pcicfg.pos;
	uint32_t off = d->common.off + VP_CC(num_queues), len = 2, v = 0;
	uint8_t bar = d->common.bar;

	ASSERT_LE(0, d->pcicfg.bar);
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_BAR, &bar, 1));
	off = htole32(off);
	len = htole32(len);
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_OFFSET, &off, 4));
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_LENGTH, &len, 4));
	ASSERT_EQ(0, vp_cfg_read(d, pos + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data),
				 &v, 2));
	EXPECT_EQ(vp_cc(d, VP_CC(num_queues), 2), le32toh(v));
	/* and a write through it: device_feature_select = 1 */
	off = htole32(d->common.off + VP_CC(device_feature_select));
	len = htole32(4);
	v = htole32(1);
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_OFFSET, &off, 4));
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_LENGTH, &len, 4));
	ASSERT_EQ(0, vp_cfg_write(d, pos + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data),
				  &v, 4));
	EXPECT_EQ(1, vp_cc(d, VP_CC(device_feature_select), 4));
	EXPECT_TRUE(vp_cc(d, VP_CC(device_feature), 4) & (1U << (VIRTIO_F_VERSION_1 - 32)));
	/*
	 * A selection naming no access (length 3): the config access still
	 * succeeds, nothing reaches the BAR, the field reads as it is.
	 */
	len = htole32(3);
	v = htole32(0);
	ASSERT_EQ(0, vp_cfg_write(d, pos + VIRTIO_PCI_CAP_LENGTH, &len, 4));
	ASSERT_EQ(0, vp_cfg_write(d, pos + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data),
				  &v, 4));
	EXPECT_EQ(1, vp_cc(d, VP_CC(device_feature_select), 4));
	v = 0xffffffff;
	ASSERT_EQ(0, vp_cfg_read(d, pos + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data),
				 &v, 4));
	EXPECT_EQ(0, v);
}

VP_BODY(traffic_trapped_notify)
{
	struct vp_dev *d = &self->d;

	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 1));
	/*
	 * Interrupts on the vectors the common cfg names (RX 1, TX 2 / the
	 * queue 1), none on the config vector 0: wait for the used index
	 * without touching the eventfds, then look at each.
	 */
	vp_irq_count(d->irq[1]);
	vp_irq_count(d->irq[2]);
	if (!variant->blk) {
		struct vv_net *n = &self->pn.n;
		uint16_t r0 = vv_used_idx(&n->rx), t0 = vv_used_idx(&n->tx);

		vv_net_post_rx(n, 1);
		ASSERT_EQ(0, vp_net_send(&self->pn, 1000, 1, FLEN));
		ASSERT_EQ(0, vp_spin_used(&n->rx, r0 + 1, WAIT_MS));
		ASSERT_EQ(0, vp_spin_used(&n->tx, t0 + 1, WAIT_MS));
		EXPECT_LT(0, vp_wait_irq(d->irq[1], WAIT_MS));
		EXPECT_LT(0, vp_wait_irq(d->irq[2], WAIT_MS));
		EXPECT_EQ(0, vv_net_check_rx(n, r0, 1000, FLEN));
	} else {
		/* out-of-range request: the device says IOERR, and interrupts */
		uint8_t *r = vv_buf(&self->b.m, VV_PAGE);
		uint16_t u0 = vv_used_idx(&self->b.q);

		ASSERT_EQ(0, vp_blk_submit(d, &self->b, VIRTIO_BLK_T_IN, 0x40000, r,
					   BLK_LEN));
		ASSERT_EQ(0, vp_spin_used(&self->b.q, u0 + 1, WAIT_MS));
		EXPECT_LT(0, vp_wait_irq(d->irq[1], WAIT_MS));
		EXPECT_EQ(-EIO, vp_blk_status(&self->b));
	}
	EXPECT_EQ(0, vp_irq_count(d->irq[0]));
}

/* The body on the fixture's type1 v2 container, then on a nested one. */
TEST_F(pci, traffic_trapped_notify)
{
	traffic_trapped_notify_body(_metadata, self, variant);
	ASSERT_EQ(0, vp_reopen(self, variant, VFIO_NESTED_IOMMU));
	traffic_trapped_notify_body(_metadata, self, variant);
}

VP_BODY(traffic_ioeventfd)
{
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_IOEVENTFD, 7));
	/* and again: traffic after a second batch, same eventfd */
	ASSERT_EQ(0, variant->blk ? vp_blk_pattern(&self->d, &self->b, 300, 9) :
		  vp_net_loop(&self->pn, 500, NFRAMES, FLEN, WAIT_MS, true));
}

/* The body on the fixture's type1 v2 container, then on a nested one. */
TEST_F(pci, traffic_ioeventfd)
{
	traffic_ioeventfd_body(_metadata, self, variant);
	ASSERT_EQ(0, vp_reopen(self, variant, VFIO_NESTED_IOMMU));
	traffic_ioeventfd_body(_metadata, self, variant);
}

/* 1: vdpa_sim takes user virtual addresses (use_va), 0: physical, -1: ? */
static int vp_sim_use_va(void)
{
	char buf[8];

	if (vv_read_file("/sys/module/vdpa_sim/parameters/use_va", buf, sizeof(buf)))
		return -1;
	return buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : -1;
}

/*
 * A use_va parent (vdpa_sim's default: the l2 suite, or a boot with
 * PASID_VM_USE_VA=1) reads the VMM's memory by user address, bound to the
 * mm of the mappings: while the device is open a mapping made by another
 * process is refused (EINVAL) and leaves nothing behind; the VMM's own
 * mapping of the same range works, and so does the data path.
 */
TEST_F(pci, use_va_mappings_of_one_process)
{
	const uint64_t iova = VV_IOVA_BASE + (1ULL << 30);
	uint8_t *p;
	pid_t pid;
	int st;

	if (vp_sim_use_va() != 1)
		SKIP(return, "vdpa_sim takes physical addresses here (use_va=0)");
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_IOEVENTFD, 11));
	p = mmap(NULL, VV_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(vp_map(&self->d, iova, p, VV_PAGE, VP_RW) == -EINVAL ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("a mapping by another process was not refused with EINVAL");
	/* nothing stayed behind: the same range maps (no EEXIST) */
	EXPECT_EQ(0, vp_map(&self->d, iova, p, VV_PAGE, VP_RW));
	EXPECT_EQ(0, vp_unmap(&self->d, iova, VV_PAGE));
	ASSERT_EQ(0, variant->blk ? vp_blk_pattern(&self->d, &self->b, 200, 12) :
		  vp_net_loop(&self->pn, 300, NFRAMES, FLEN, WAIT_MS, true));
	munmap(p, VV_PAGE);
}

/*
 * The notify window is mmap-able only where the parent has doorbell pages;
 * the simulators have none, so the BAR must not offer it there, and an
 * mmap of it must fail rather than map something that does not kick.
 */
TEST_F(pci, notify_mmap_only_where_offered)
{
	struct vp_dev *d = &self->d;
	int ret = vp_map_notify(d);
	void *p;

	if (ret == -ENOTSUP) {
		p = mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED, d->fd,
			 vp_reg_off(d, d->notify.bar) + (d->notify.off & ~(VV_PAGE - 1)));
		EXPECT_EQ(MAP_FAILED, p);
		if (p != MAP_FAILED)
			munmap(p, VV_PAGE);
		return;
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_MMAP, 3));
}

/* Config space, common cfg, config region: never mapped (always trapped). */
TEST_F(pci, trapped_regions_not_mappable)
{
	struct vp_dev *d = &self->d;
	void *p;

	p = mmap(NULL, VV_PAGE, PROT_READ, MAP_SHARED, d->fd,
		 vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, VV_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		 vp_reg_off(d, d->common.bar) + (d->common.off & ~(VV_PAGE - 1)));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, VV_PAGE, PROT_READ, MAP_SHARED, d->fd,
		 vp_reg_off(d, VFIO_PCI_VGA_REGION_INDEX));
	EXPECT_EQ(MAP_FAILED, p);
}

VP_BODY(reset_and_reinit)
{
	struct vp_dev *d = &self->d;
	uint32_t nq, i;

	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 11));
	ASSERT_TRUE(vp_status(d) & VIRTIO_CONFIG_S_DRIVER_OK);
	/* status 0: the device resets, queues disabled, vectors dropped */
	ASSERT_EQ(0, vp_reset(d));
	nq = vp_cc(d, VP_CC(num_queues), 2);
	for (i = 0; i < nq; i++) {
		ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, i));
		EXPECT_EQ(0, vp_cc(d, VP_CC(queue_enable), 2));
		EXPECT_EQ(0, vp_cc64(d, VP_CC(queue_desc_lo)));
		EXPECT_EQ(VIRTIO_MSI_NO_VECTOR, vp_cc(d, VP_CC(queue_msix_vector), 2));
	}
	EXPECT_EQ(VIRTIO_MSI_NO_VECTOR, vp_cc(d, VP_CC(msix_config), 2));
	/* re-init from scratch: data moves again, from index 0 */
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 2000));
	/* VFIO_DEVICE_RESET resets the same way */
	ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(0, vp_status(d));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, 0));
	EXPECT_EQ(0, vp_cc(d, VP_CC(queue_enable), 2));
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_IOEVENTFD, 3000));
}

/* The body on the fixture's type1 v2 container, then on a nested one. */
TEST_F(pci, reset_and_reinit)
{
	reset_and_reinit_body(_metadata, self, variant);
	ASSERT_EQ(0, vp_reopen(self, variant, VFIO_NESTED_IOMMU));
	reset_and_reinit_body(_metadata, self, variant);
}

/*
 * The driver sets FAILED / the device is not live: a kick must not make
 * progress, and DRIVER_OK cannot be set without FEATURES_OK.
 */
TEST_F(pci, status_rules)
{
	struct vp_dev *d = &self->d;

	ASSERT_EQ(0, vp_reset(d));
	ASSERT_EQ(0, vp_add_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER));
	/* VERSION_1 not accepted: FEATURES_OK does not stick */
	ASSERT_EQ(0, vp_set_features(d, 0));
	ASSERT_EQ(0, vp_add_status(d, VIRTIO_CONFIG_S_FEATURES_OK));
	EXPECT_EQ(0, vp_status(d) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* features that are not offered: refused too */
	ASSERT_EQ(0, vp_set_features(d, vp_device_features(d) | (1ULL << 63)));
	ASSERT_EQ(0, vp_add_status(d, VIRTIO_CONFIG_S_FEATURES_OK));
	EXPECT_EQ(0, vp_status(d) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* after a reset, the normal sequence works */
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 5));
}

/*
 * Unmapping guest memory while the device runs: the unmap reaches the
 * device before MAP_DMA's caller gets it back, so a kick after it must not
 * reach the old pages (they stay ours, so a stale translation would show
 * as writes into them); after a remap of the same IOVA to new pages, the
 * data lands in the new pages only.
 */
VP_BODY(unmap_while_running_buffers)
{
	struct vp_dev *d = &self->d;
	struct vv_net *n = &self->pn.n;
	size_t half = (size_t)VV_QSZ * VV_BUFSZ;
	uint8_t *rx0, *fresh;
	uint64_t rx_iova;
	uint16_t u0, t0;
	size_t i;
	int fd;

	if (variant->blk) {
		struct vp_blk *b = &self->b;
		uint8_t *r;

		ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 1));
		/* the whole memory goes; a read request must not land anywhere */
		r = vv_buf(&b->m, VV_PAGE);
		memset(r, 0x5a, BLK_LEN);
		ASSERT_EQ(0, vp_unmap(d, VV_IOVA_BASE, b->m.len));
		u0 = vv_used_idx(&b->q);
		{
			uint8_t *hp = vv_buf(&b->m, 0);
			struct virtio_blk_outhdr *h = (void *)hp;
			uint64_t iova[3] = { vv_iova(&b->m, hp), vv_iova(&b->m, r),
					     vv_iova(&b->m, hp + 64) };
			uint32_t lens[3] = { sizeof(*h), BLK_LEN, 1 };
			bool wr[3] = { false, true, true };

			h->type = htole32(VIRTIO_BLK_T_IN);
			h->sector = htole64(64 + 1);
			hp[64] = 0xee;
			vv_vq_add_chain(&b->q, iova, lens, wr, 3);
			vv_vq_publish(&b->q);
			ASSERT_EQ(0, vp_kick(d, &b->q, b->addr, VP_KICK_PWRITE));
			EXPECT_TRUE(vp_quiet(&b->q, u0, QUIET_MS));
			EXPECT_EQ(0xee, hp[64]);
		}
		for (i = 0; i < BLK_LEN; i++)
			ASSERT_EQ(0x5a, r[i]) TH_LOG("byte %zu of the old page written", i);
		/* map again for the teardown's sake */
		ASSERT_EQ(0, vp_map(d, VV_IOVA_BASE, b->m.base, b->m.len, VP_RW));
		return;
	}
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 1));
	/* drop the RX buffers' IOVA range: the device may not write there */
	rx0 = vv_net_rxbuf(n, 0);
	rx_iova = vv_iova(&n->mem, rx0);
	memset(rx0, 0xa5, half);
	ASSERT_EQ(0, vp_unmap(d, rx_iova, half));
	u0 = vv_used_idx(&n->rx);
	t0 = vv_used_idx(&n->tx);
	vv_net_post_rx(n, 2);
	ASSERT_EQ(0, vp_net_send(&self->pn, 100, 1, FLEN));
	EXPECT_TRUE(vp_quiet(&n->rx, u0, QUIET_MS));
	for (i = 0; i < half; i++)
		ASSERT_EQ(0xa5, rx0[i]) TH_LOG("old RX page written at %zu", i);
	/* the same IOVA, new pages: frames land there, the old stay clean */
	fd = memfd_create("vp_fresh", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, half));
	fresh = mmap(NULL, half, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, fresh);
	memset(fresh, 0, half);
	ASSERT_EQ(0, vp_map(d, rx_iova, fresh, half, VP_RW));
	ASSERT_EQ(0, vp_net_send(&self->pn, 101, 1, FLEN));
	if (vv_wait_used(&n->rx, u0 + 1, WAIT_MS)) {
		/* a device may stop instead: then it must say so */
		EXPECT_TRUE(vp_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET);
	} else {
		struct vring_used_elem *e = &n->rx.used->ring[u0 % n->rx.num];
		uint8_t want[VV_BUFSZ];
		size_t off = (size_t)(e->id % VV_QSZ) * VV_BUFSZ;

		ASSERT_GE(FLEN, e->len);
		vv_net_frame(n, want, 101, FLEN);
		/* whichever frame arrived, it is in the new pages */
		EXPECT_EQ(0, memcmp(fresh + off + VV_NET_HDR, want + VV_NET_HDR, 14));
	}
	for (i = 0; i < half; i++)
		ASSERT_EQ(0xa5, rx0[i]) TH_LOG("old RX page written at %zu", i);
	(void)t0;
	ASSERT_EQ(0, vp_unmap(d, rx_iova, half));
	munmap(fresh, half);
	ASSERT_EQ(0, vp_map(d, rx_iova, rx0, half, VP_RW));
}

/*
 * The body on the fixture's type1 v2 container, then on a nested one: each
 * may wait WAIT_MS for a device that stops, so more than the default 30 s.
 */
TEST_F_TIMEOUT(pci, unmap_while_running_buffers, 90)
{
	double t0 = vv_now();

	unmap_while_running_buffers_body(_metadata, self, variant);
	TH_LOG("type1 v2 container: %.1f s", vv_now() - t0);
	ASSERT_EQ(0, vp_reopen(self, variant, VFIO_NESTED_IOMMU));
	t0 = vv_now();
	unmap_while_running_buffers_body(_metadata, self, variant);
	TH_LOG("nested container: %.1f s", vv_now() - t0);
}

/* The rings themselves unmapped: a kick makes no progress in the old ring. */
VP_BODY(unmap_while_running_rings)
{
	struct vp_dev *d = &self->d;
	struct vv_net *n = &self->pn.n;
	uint16_t u0;

	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 1));
	ASSERT_EQ(0, vp_unmap(d, VV_IOVA_BASE, n->mem.len));
	u0 = vv_used_idx(&n->tx);
	vv_net_post_rx(n, 4);
	ASSERT_EQ(0, vp_net_send(&self->pn, 200, 4, FLEN));
	EXPECT_TRUE(vp_quiet(&n->tx, u0, QUIET_MS));
	EXPECT_TRUE(vp_quiet(&n->rx, vv_used_idx(&n->rx), 10));
	/* mapped again and re-initialised, it works */
	ASSERT_EQ(0, vp_net_map(&self->pn, d));
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 300));
}

TEST_F_TIMEOUT(pci, unmap_while_running_rings, 90)
{
	double t0 = vv_now();

	if (variant->blk)
		SKIP(return, "the blk variant of unmap_while_running_buffers unmaps the rings too");
	unmap_while_running_rings_body(_metadata, self, variant);
	TH_LOG("type1 v2 container: %.1f s", vv_now() - t0);
	ASSERT_EQ(0, vp_reopen(self, variant, VFIO_NESTED_IOMMU));
	t0 = vv_now();
	unmap_while_running_rings_body(_metadata, self, variant);
	TH_LOG("nested container: %.1f s", vv_now() - t0);
}

/* ---- bad inputs on every ioctl and region -------------------------------- */

TEST_F(pci, ioctl_bad_inputs)
{
	struct vp_dev *d = &self->d;
	struct vfio_device_info di = { .argsz = offsetof(struct vfio_device_info, cap_offset) - 1 };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	char buf[sizeof(struct vfio_irq_set) + 4 * sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;
	int32_t fds[2] = { eventfd(0, EFD_CLOEXEC), 9999 };

	ASSERT_LE(0, fds[0]);
	/* GET_INFO: short argsz */
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_INFO, &di));
	EXPECT_EQ(EINVAL, errno);
	/* GET_REGION_INFO: short argsz, index past the end */
	ri.argsz = sizeof(struct vfio_region_info) - 1;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	ri.argsz = sizeof(ri);
	ri.index = d->info.num_regions;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	ri.index = 0xffffffff;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	/* GET_IRQ_INFO: short argsz, bad index */
	ii.argsz = sizeof(struct vfio_irq_info) - 1;
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(EINVAL, errno);
	ii.argsz = sizeof(ii);
	ii.index = d->info.num_irqs;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(EINVAL, errno);
	/* SET_IRQS */
#define SETIRQ(_argsz, _flags, _index, _start, _count) ({		\
	is->argsz = (_argsz); is->flags = (_flags); is->index = (_index);	\
	is->start = (_start); is->count = (_count);			\
	memcpy(is->data, fds, sizeof(fds));				\
	ioctl(d->fd, VFIO_DEVICE_SET_IRQS, is) ? errno : 0; })
#define EV	(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
	EXPECT_EQ(EINVAL, SETIRQ(offsetof(struct vfio_irq_set, data) - 1, EV,
				 VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	/* argsz without room for the data */
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(*is), EV, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, d->info.num_irqs, 0, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, VFIO_PCI_MSIX_IRQ_INDEX, d->msix_n, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, VFIO_PCI_MSIX_IRQ_INDEX, 0xffffffff, 2));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV | VFIO_IRQ_SET_DATA_BOOL,
				 VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_ACTION_MASK,
				 VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), 1U << 31, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	/* MSI (not MSI-X) has no vectors */
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, VFIO_PCI_MSI_IRQ_INDEX, 0, 1));
	{
		int e = SETIRQ(sizeof(buf), EV, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2);

		/* a number that is no file */
		EXPECT_TRUE(e == EBADF || e == EINVAL) TH_LOG("errno %d", e);
	}
	/* what works: two vectors set, then all torn down */
	fds[1] = fds[0];
	EXPECT_EQ(0, SETIRQ(sizeof(buf), EV, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2));
	EXPECT_EQ(0, SETIRQ(sizeof(*is), VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			    VFIO_PCI_MSIX_IRQ_INDEX, 0, 0));
	/* REQ: eventfds of count 0 set nothing; an fd below -1 is EINVAL */
	EXPECT_EQ(0, SETIRQ(sizeof(*is), EV, VFIO_PCI_REQ_IRQ_INDEX, 0, 0));
	fds[0] = -2;
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	EXPECT_EQ(EINVAL, SETIRQ(sizeof(buf), EV, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1));
	fds[0] = fds[1];
	/* the nested ioctls answer ENOTTY on a type1 v2 container */
	if (variant->type == VFIO_TYPE1v2_IOMMU) {
		struct vfio_nested_caps caps = { .size = sizeof(caps) };

		EXPECT_EQ(-1, ioctl(d->v.container, VFIO_NESTED_GET_CAPS, &caps));
		EXPECT_EQ(ENOTTY, errno);
	}
	/* unknown device ioctl */
	EXPECT_EQ(-1, ioctl(d->fd, _IO(VFIO_TYPE, VFIO_BASE + 60)));
	close(fds[0]);
#undef SETIRQ
#undef EV
}

TEST_F(pci, ioeventfd_bad_inputs)
{
	struct vp_dev *d = &self->d;
	struct vfio_device_ioeventfd e = { .argsz = sizeof(e) };
	uint64_t a1 = vp_notify_addr(d, 1 % vp_cc(d, VP_CC(num_queues), 2));
	off_t bar = vp_reg_off(d, d->notify.bar);
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
#define IOEV(_argsz, _flags, _off, _data, _fd) ({			\
	e.argsz = (_argsz); e.flags = (_flags); e.offset = (_off);	\
	e.data = (_data); e.fd = (_fd);					\
	ioctl(d->fd, VFIO_DEVICE_IOEVENTFD, &e) ? errno : 0; })
	EXPECT_EQ(EINVAL, IOEV(offsetof(struct vfio_device_ioeventfd, fd) + sizeof(e.fd) - 1,
			       VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), 0, bar + a1, 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16 | VFIO_DEVICE_IOEVENTFD_32,
			       bar + a1, 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16 | (1U << 8),
			       bar + a1, 1, efd));
	/* not the notify window: config space, common cfg, past the BAR */
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16,
			       vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX), 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16,
			       vp_reg_off(d, d->common.bar) + d->common.off +
			       VP_CC(queue_select), 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16,
			       bar + d->reg[d->notify.bar].size, 1, efd));
	/* unaligned, and wider than the data */
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1 + 1, 1, efd));
	EXPECT_EQ(EINVAL, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 0x10000, efd));
	/* not an eventfd */
	EXPECT_NE(0, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, 9999));
	/* the good one, twice, then removed twice */
	EXPECT_EQ(0, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, efd));
	EXPECT_EQ(EEXIST, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, efd));
	EXPECT_EQ(0, IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, -1));
	{
		int r = IOEV(sizeof(e), VFIO_DEVICE_IOEVENTFD_16, bar + a1, 1, -1);

		EXPECT_TRUE(r == ENOENT || r == ENODEV) TH_LOG("errno %d", r);
	}
	close(efd);
#undef IOEV
}

TEST_F(pci, region_access_bad_inputs)
{
	struct vp_dev *d = &self->d;
	off_t cfg = vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX);
	off_t cc = vp_reg_off(d, d->common.bar) + d->common.off;
	uint64_t cfgsz = d->reg[VFIO_PCI_CONFIG_REGION_INDEX].size;
	uint64_t big[4] = { 0 };
	uint32_t v = 0, nq = vp_cc(d, VP_CC(num_queues), 2);
	unsigned int i;

	/* an index with no region */
	EXPECT_EQ(-1, pread(d->fd, &v, 4, (off_t)(VFIO_PCI_NUM_REGIONS + 3) << 40));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(d->fd, &v, 4, (off_t)(VFIO_PCI_NUM_REGIONS + 3) << 40));
	EXPECT_EQ(EINVAL, errno);
	/* the empty regions: VGA, and every BAR without a size */
	EXPECT_GE(0, pread(d->fd, &v, 4, vp_reg_off(d, VFIO_PCI_VGA_REGION_INDEX)));
	for (i = 0; i <= VFIO_PCI_BAR5_REGION_INDEX; i++)
		if (!d->reg[i].size)
			EXPECT_GE(0, pread(d->fd, &v, 4, vp_reg_off(d, i)));
	/* config space: at and across its end */
	EXPECT_GE(0, pread(d->fd, &v, 4, cfg + cfgsz));
	EXPECT_GT(4, pread(d->fd, &v, 4, cfg + cfgsz - 2));
	EXPECT_GE(0, pwrite(d->fd, &v, 4, cfg + cfgsz));
	/* BAR: past its end */
	EXPECT_GE(0, pread(d->fd, &v, 4, vp_reg_off(d, d->common.bar) +
			   d->reg[d->common.bar].size));
	EXPECT_GE(0, pwrite(d->fd, &v, 4, vp_reg_off(d, d->common.bar) +
			    d->reg[d->common.bar].size));
	/* common cfg: unaligned, odd-sized and oversized accesses fail */
	EXPECT_EQ(-1, pread(d->fd, &v, 4, cc + 1));
	EXPECT_EQ(-1, pread(d->fd, &v, 3, cc));
	EXPECT_EQ(-1, pread(d->fd, big, sizeof(big), cc));
	EXPECT_EQ(-1, pwrite(d->fd, big, sizeof(big), cc));
	EXPECT_EQ(-1, pwrite(d->fd, &v, 2, cc + VP_CC(queue_select) + 1));
	/* read-only fields keep their value */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(num_queues), 2, nq + 7));
	EXPECT_EQ(nq, vp_cc(d, VP_CC(num_queues), 2));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(device_feature_select), 4, 1));
	v = vp_cc(d, VP_CC(device_feature), 4);
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(device_feature), 4, ~v));
	EXPECT_EQ(v, vp_cc(d, VP_CC(device_feature), 4));
	/* a queue that does not exist: size 0, writes to it go nowhere */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, nq + 5));
	EXPECT_EQ(0, vp_cc(d, VP_CC(queue_size), 2));
	EXPECT_EQ(0, vp_cc_w(d, VP_CC(queue_enable), 2, 1));
	EXPECT_EQ(0, vp_cc(d, VP_CC(queue_enable), 2));
	/* feature selectors past the last word read 0 */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(device_feature_select), 4, 7));
	EXPECT_EQ(0, vp_cc(d, VP_CC(device_feature), 4));
	/* the device cfg: past its length nothing is read */
	EXPECT_GE(0, pread(d->fd, &v, 4, vp_reg_off(d, d->devcfg.bar) + d->devcfg.off +
			   d->reg[d->devcfg.bar].size));
	/* a kick for a queue that does not exist is dropped; data still moves */
	if (!variant->blk) {
		uint16_t bad = htole16(nq + 3);

		ASSERT_EQ(2, pwrite(d->fd, &bad, 2, vp_reg_off(d, d->notify.bar) +
				    d->notify.off));
	}
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 77));
	/* ISR: one byte, read-to-clear */
	{
		uint32_t isr = 0xff;

		ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
		ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
		EXPECT_EQ(0, isr);
	}
}

/* MSI-X: a queue vector past the table is refused (reads NO_VECTOR). */
TEST_F(pci, msix_vector_rules)
{
	struct vp_dev *d = &self->d;

	ASSERT_EQ(0, vp_msix(d, 2));
	ASSERT_EQ(0, vp_negotiate(d, (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_F_ACCESS_PLATFORM), 0));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, 0));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_msix_vector), 2, d->msix_n));
	EXPECT_EQ(VIRTIO_MSI_NO_VECTOR, vp_cc(d, VP_CC(queue_msix_vector), 2));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(msix_config), 2, d->msix_n + 1));
	EXPECT_EQ(VIRTIO_MSI_NO_VECTOR, vp_cc(d, VP_CC(msix_config), 2));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_msix_vector), 2, 1));
	EXPECT_EQ(1, vp_cc(d, VP_CC(queue_msix_vector), 2));
	/* MSI-X torn down and set again: traffic interrupts still arrive */
	ASSERT_EQ(0, vp_msix(d, 0));
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_PWRITE, 90));
}

/*
 * The ISR's queue bit: a queue notification that goes out as its MSI-X
 * vector's eventfd leaves it clear (MSI-X is in use: the specification
 * asks for it only without MSI-X); one with no vector sets it, for a
 * driver that polls the ISR, and a read clears it.
 */
TEST_F(pci, isr_queue_bit_only_without_vector)
{
	struct vp_dev *d = &self->d;
	struct vv_net *n = &self->pn.n;
	uint32_t isr = 0xff, acc = 0;
	uint16_t rx0, tx0;
	double end;

	if (variant->blk)
		SKIP(return, "the net variant covers it");
	ASSERT_EQ(0, vp_traffic(_metadata, self, variant, VP_KICK_IOEVENTFD, 11));
	ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
	EXPECT_EQ(0, isr);
	/* RX loses its vector: its notifications show in the ISR only */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, 0));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_msix_vector), 2, VIRTIO_MSI_NO_VECTOR));
	vp_irq_count(d->irq[1]);
	rx0 = vv_used_idx(&n->rx);
	tx0 = vv_used_idx(&n->tx);
	vv_net_post_rx(n, 4);
	ASSERT_EQ(0, vp_net_send(&self->pn, 20, 4, FLEN));
	ASSERT_EQ(0, vv_wait_used(&n->tx, tx0 + 4, WAIT_MS));
	/* RX completes after TX; its last notification may still be coming */
	end = vv_now() + WAIT_MS / 1000.0;
	while ((vv_used_idx(&n->rx) != (uint16_t)(rx0 + 4) || !(acc & 1)) &&
	       vv_now() < end) {
		ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
		acc |= isr;
		usleep(1000);
	}
	EXPECT_EQ((uint16_t)(rx0 + 4), vv_used_idx(&n->rx));
	/*
	 * The loop may end with the last buffer used but its notification
	 * not sent yet (the device writes the used index first) or sent after
	 * the last read: let it land, and read it, before a read must find
	 * the ISR clear.
	 */
	usleep(20000);
	ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
	acc |= isr;
	EXPECT_EQ(1, acc);	/* the queue bit, nothing else */
	EXPECT_EQ(0, vp_irq_count(d->irq[1]));
	EXPECT_EQ(0, vv_net_check_rx(n, rx0 + 3, 23, FLEN));
	ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
	EXPECT_EQ(0, isr);
	/* the vector back: the eventfd again, the ISR stays clear */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_msix_vector), 2, 1));
	ASSERT_EQ(0, vp_net_loop(&self->pn, 40, 4, FLEN, WAIT_MS, true));
	ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
	EXPECT_EQ(0, isr);
}

/* ---- what reaches the vDPA device: vhost_vfio_testdev ------------------- */

/*
 * The test parent (drivers/vhost_vfio/tests) shows in its config space how
 * often kick_vq() ran per queue, what was stored in each queue's doorbell
 * page, the map it holds and any page of it found unpinned: through the
 * device cfg window of the personality, that is what reached the device.
 */
#define PTD		"vvptd0"
#define UUID_PTD	"8f0b6a52-1f05-4e6a-9a3e-000000000405"

static uint32_t vp_vvt(struct vp_dev *d, size_t off)
{
	uint32_t v = 0xdeadbeef;

	vp_rd(d, &d->devcfg, off, 4, &v);
	return v;
}

#define VPT(d, f)	vp_vvt(d, offsetof(struct vvt_config, f))

/* Poll the field at @off for up to WAIT_MS until it reads @want. */
static uint32_t vp_vvt_wait(struct vp_dev *d, size_t off, uint32_t want)
{
	double end = vv_now() + WAIT_MS / 1000.0;

	while (vp_vvt(d, off) != want && vv_now() < end)
		usleep(1000);
	return vp_vvt(d, off);
}

#define VPT_WAIT(d, f, want)	vp_vvt_wait(d, offsetof(struct vvt_config, f), want)

FIXTURE(pci_testdev) {
	struct vp_dev d;
	uint8_t *mem;
	size_t len;
};

FIXTURE_SETUP(pci_testdev)
{
	int fd;

	if (system("modprobe -q vhost_vfio_testdev; modprobe -q vfio_iommu_nested; true"))
		TH_LOG("modprobe");
	ASSERT_EQ(0, vv_vdpa_add(VVT_MGMTDEV, PTD, "vhost_vfio"));
	ASSERT_EQ(0, vp_mdev_create(PTD, UUID_PTD));
	self->len = 16 * VV_PAGE;
	fd = memfd_create("vp_td", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, self->len));
	self->mem = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, self->len);
	ASSERT_EQ(0, vp_open(&self->d, UUID_PTD, VFIO_TYPE1v2_IOMMU));
}

FIXTURE_TEARDOWN(pci_testdev)
{
	vp_close(&self->d);
	munmap(self->mem, self->len);
}

TEST_F(pci_testdev, notify_paths_reach_kick_vq)
{
	struct vp_dev *d = &self->d;
	uint32_t k[VVT_NVQS], q;
	uint64_t one = 1;
	int efd;

	ASSERT_EQ(VVT_NVQS, vp_cc(d, VP_CC(num_queues), 2));
	EXPECT_EQ(0x1040 + VVT_DEVICE_ID, vp_cfg16(d, PCI_DEVICE_ID));
	EXPECT_EQ(0xff0000, vp_cfg32(d, PCI_CLASS_REVISION) >> 8);
	for (q = 0; q < VVT_NVQS; q++)
		k[q] = VPT(d, kicks[q]);
	/* a trapped write kicks exactly the queue of its address */
	for (q = 0; q < VVT_NVQS; q++) {
		uint16_t v = htole16(q);
		uint32_t i;

		ASSERT_EQ(2, pwrite(d->fd, &v, 2, vp_reg_off(d, d->notify.bar) +
				    vp_notify_addr(d, q)));
		for (i = 0; i < VVT_NVQS; i++)
			EXPECT_EQ(k[i] + (i <= q), VPT(d, kicks[i])) TH_LOG("q %u i %u", q, i);
	}
	/* an eventfd wired with VFIO_DEVICE_IOEVENTFD kicks in the kernel */
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vp_ioeventfd(d, 2, efd));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_EQ(k[2] + 2, VPT_WAIT(d, kicks[2], k[2] + 2));
	EXPECT_EQ(k[1] + 1, VPT(d, kicks[1]));
	/* removed: its signals reach nothing any more */
	ASSERT_EQ(0, vp_ioeventfd(d, 2, -1));
	ASSERT_EQ(8, write(efd, &one, 8));
	usleep(100000);
	EXPECT_EQ(k[2] + 2, VPT(d, kicks[2]));
	close(efd);
	/* doorbell pages: the notify window maps them, a store lands there */
	EXPECT_EQ(VV_PAGE, d->notify_mult);
	ASSERT_EQ(0, vp_map_notify(d));
	for (q = 0; q < VVT_NVQS; q++) {
		struct vv_vq vq = { .idx = q };

		ASSERT_EQ(0, vp_kick(d, &vq, vp_notify_addr(d, q), VP_KICK_MMAP));
	}
	for (q = 0; q < VVT_NVQS; q++)
		EXPECT_EQ(q, VPT(d, doorbell[q]));
	/* past the window, or executable: refused */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED, d->fd,
				   vp_reg_off(d, d->notify.bar) + d->notify.off +
				   d->notify.len));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, VV_PAGE, PROT_WRITE | PROT_EXEC, MAP_SHARED,
				   d->fd, vp_reg_off(d, d->notify.bar) + d->notify.off));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, VV_PAGE, PROT_WRITE, MAP_PRIVATE, d->fd,
				   vp_reg_off(d, d->notify.bar) + d->notify.off));
}

/*
 * The container's mappings are the device's: replayed at open, each new
 * one handed over before the device can use memory (here, a trapped
 * notify: the device is not live, so a map alone need not reach this
 * set_map parent), each unmap dropped before UNMAP_DMA returns (and before
 * the pages are unpinned: the parent counts pages it finds unpinned).
 */
TEST_F(pci_testdev, container_mappings_reach_device)
{
	struct vp_dev *d = &self->d;
	struct vv_vq vq = { .idx = 0 };
	uint32_t viol;

	viol = VPT(d, map_violations);
	EXPECT_EQ(0, VPT(d, map_pages));
	ASSERT_EQ(0, vp_map(d, VV_IOVA_BASE, self->mem, 8 * VV_PAGE, VP_RW));
	ASSERT_EQ(0, vp_kick(d, &vq, vp_notify_addr(d, 0), VP_KICK_PWRITE));
	EXPECT_EQ(8, VPT(d, map_pages));
	ASSERT_EQ(0, vp_map(d, 2 * VV_IOVA_BASE, self->mem + 8 * VV_PAGE, 4 * VV_PAGE,
			    VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, vp_kick(d, &vq, vp_notify_addr(d, 0), VP_KICK_PWRITE));
	EXPECT_EQ(12, VPT(d, map_pages));
	/* an unmap is synchronous, live or not: no wait, no kick */
	ASSERT_EQ(0, vp_unmap(d, VV_IOVA_BASE, 8 * VV_PAGE));
	EXPECT_EQ(4, VPT(d, map_pages));
	EXPECT_EQ(viol, VPT(d, map_violations));
	/* the device closes: it keeps nothing; reopened, the map is replayed */
	vu_close(&d->v);
	ASSERT_EQ(0, vu_open_group(UUID_PTD, &d->v));
	ASSERT_EQ(0, ioctl(d->v.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, vp_map(d, VV_IOVA_BASE, self->mem, 3 * VV_PAGE, VP_RW));
	d->v.dev = ioctl(d->v.group, VFIO_GROUP_GET_DEVICE_FD, UUID_PTD);
	ASSERT_LE(0, d->v.dev);
	d->fd = d->v.dev;
	EXPECT_EQ(3, VPT(d, map_pages));
	/* unmap-all (type1 v2's VFIO_UNMAP_ALL) empties it */
	{
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .flags = VFIO_DMA_UNMAP_FLAG_ALL,
		};

		ASSERT_EQ(0, ioctl(d->v.container, VFIO_IOMMU_UNMAP_DMA, &u));
		EXPECT_EQ(3 * VV_PAGE, u.size);
	}
	EXPECT_EQ(0, VPT(d, map_pages));
	EXPECT_EQ(viol, VPT(d, map_violations));
}

/*
 * In a container of another backend (here vfio_iommu_type1: the nested
 * backend's serve_type1v2 is off when the container is set) the device
 * would get no mappings: it refuses to start instead (a queue enable fails
 * with ENXIO, DRIVER_OK does not stick).
 */
#define VP_SERVE_TYPE1V2 "/sys/module/vfio_iommu_nested/parameters/serve_type1v2"

TEST_F(pci_testdev, refuses_to_start_outside_nested)
{
	struct vp_dev *d = &self->d;
	int ret;

	vp_close(d);
	ASSERT_EQ(0, vu_write_file(VP_SERVE_TYPE1V2, "N"));
	ret = vp_open(d, UUID_PTD, VFIO_TYPE1v2_IOMMU);
	vu_write_file(VP_SERVE_TYPE1V2, "Y");
	if (ret == -ENODEV || ret == -EINVAL)
		SKIP(return, "no vfio_iommu_type1 to serve the container (%d)", ret);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vp_negotiate(d, (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_F_ACCESS_PLATFORM),
				  VIRTIO_MSI_NO_VECTOR));
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(queue_select), 2, 0));
	EXPECT_EQ(-ENXIO, vp_cc_w(d, VP_CC(queue_enable), 2, 1));
	EXPECT_EQ(0, vp_cc(d, VP_CC(queue_enable), 2));
	ASSERT_EQ(0, vp_add_status(d, VIRTIO_CONFIG_S_DRIVER_OK));
	EXPECT_EQ(0, vp_status(d) & VIRTIO_CONFIG_S_DRIVER_OK);
	EXPECT_TRUE(vp_status(d) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* and back in a nested container, it starts */
	vp_close(d);
	ASSERT_EQ(0, vp_open(d, UUID_PTD, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, vp_negotiate(d, (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_F_ACCESS_PLATFORM),
				  VIRTIO_MSI_NO_VECTOR));
	ASSERT_EQ(0, vp_add_status(d, VIRTIO_CONFIG_S_DRIVER_OK));
	EXPECT_TRUE(vp_status(d) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* A config change interrupts on msix_config's vector, generation moves. */
TEST_F(pci_testdev, config_change_interrupt)
{
	struct vp_dev *d = &self->d;
	uint32_t gen, one = 1;

	ASSERT_EQ(0, vp_msix(d, 2));
	ASSERT_EQ(0, vp_negotiate(d, (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_F_ACCESS_PLATFORM), 1));
	gen = vp_cc(d, VP_CC(config_generation), 1);
	ASSERT_EQ(0, vp_wr(d, &d->devcfg, offsetof(struct vvt_config, trigger), 4, one));
	EXPECT_LT(0, vp_wait_irq(d->irq[1], WAIT_MS));
	EXPECT_EQ(0, vp_irq_count(d->irq[0]));
	EXPECT_NE(gen, vp_cc(d, VP_CC(config_generation), 1));
	/* no vector: no interrupt, the ISR says it instead */
	ASSERT_EQ(0, vp_cc_w(d, VP_CC(msix_config), 2, VIRTIO_MSI_NO_VECTOR));
	vp_irq_count(d->irq[1]);
	ASSERT_EQ(0, vp_wr(d, &d->devcfg, offsetof(struct vvt_config, trigger), 4, 2));
	EXPECT_EQ(2, VPT_WAIT(d, config_irqs, 2));
	EXPECT_EQ(0, vp_wait_irq(d->irq[1], 200));
	{
		uint32_t isr = 0;

		ASSERT_EQ(0, vp_rd(d, &d->isr, 0, 1, &isr));
		EXPECT_TRUE(isr & VIRTIO_PCI_ISR_CONFIG);
	}
}

/* ---- the instance's feature mask in the feature registers --------------- */

TEST(feature_mask_in_feature_registers)
{
	uint64_t mask = ~(1ULL << VIRTIO_NET_F_MAC), f, devf;
	struct vp_dev d;
	struct vp_net pn;
	char buf[64];

	memset(&pn, 0, sizeof(pn));
	ASSERT_EQ(0, vp_prepare("vdpasim_net", PNET, UUID_PNET));
	ASSERT_EQ(0, vv_mdev_attr(UUID_PNET, "feature_mask", buf, sizeof(buf), NULL));
	ASSERT_EQ(~0ULL, strtoull(buf, NULL, 0));
	/* what the instance offers unmasked */
	ASSERT_EQ(0, vp_open(&d, UUID_PNET, VFIO_TYPE1v2_IOMMU));
	devf = vp_device_features(&d);
	vp_close(&d);
	ASSERT_TRUE(devf & (1ULL << VIRTIO_NET_F_MAC));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)mask);
	ASSERT_EQ(0, vv_mdev_attr(UUID_PNET, "feature_mask", NULL, 0, buf));
	ASSERT_EQ(0, vp_open(&d, UUID_PNET, VFIO_TYPE1v2_IOMMU));
	/* not while open */
	EXPECT_EQ(-EBUSY, vv_mdev_attr(UUID_PNET, "feature_mask", NULL, 0,
				       "0xffffffffffffffff"));
	f = vp_device_features(&d);
	EXPECT_FALSE(f & (1ULL << VIRTIO_NET_F_MAC));
	EXPECT_TRUE(f & (1ULL << VIRTIO_F_VERSION_1));
	/* every other bit as unmasked */
	EXPECT_EQ(devf & mask, f);
	/* accepting the hidden bit is refused */
	ASSERT_EQ(0, vp_reset(&d));
	ASSERT_EQ(0, vp_add_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER));
	ASSERT_EQ(0, vp_set_features(&d, f | (1ULL << VIRTIO_NET_F_MAC)));
	ASSERT_EQ(0, vp_add_status(&d, VIRTIO_CONFIG_S_FEATURES_OK));
	EXPECT_EQ(0, vp_status(&d) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* without it, the device works (its MAC still in device cfg) */
	ASSERT_EQ(0, vp_net_setup(&pn, &d, VV_NET_FEATURES & mask, VP_KICK_PWRITE));
	ASSERT_EQ(0, vp_net_loop(&pn, 0, 8, FLEN, WAIT_MS, true));
	vp_net_close(&pn);
	vp_close(&d);
	ASSERT_EQ(0, vv_mdev_attr(UUID_PNET, "feature_mask", NULL, 0,
				  "0xffffffffffffffff"));
	ASSERT_EQ(0, vp_open(&d, UUID_PNET, VFIO_TYPE1v2_IOMMU));
	EXPECT_TRUE(vp_device_features(&d) & (1ULL << VIRTIO_NET_F_MAC));
	vp_close(&d);
}

/* ---- one personality per vDPA device ------------------------------------- */

TEST(available_instances_one_personality)
{
	char path[256];
	struct vv_be be;
	struct vv_net n;
	struct vp_dev d;

	memset(&n, 0, sizeof(n));
	if (system(VP_MODPROBE))
		TH_LOG("modprobe");
	ASSERT_EQ(0, vv_vdpa_add("vdpasim_net", PAV, "vhost_vfio"));
	if (vu_exists("/sys/bus/mdev/devices/" UUID_PAV))
		ASSERT_EQ(0, vu_mdev_remove(UUID_PAV));
	if (vu_exists("/sys/bus/mdev/devices/" UUID_PAV_V))
		ASSERT_EQ(0, vu_mdev_remove(UUID_PAV_V));
	EXPECT_EQ(1, vp_available(PAV, VHOST_VFIO_MDEV_TYPE));
	EXPECT_EQ(1, vp_available(PAV, VHOST_VFIO_MDEV_TYPE_PCI));
	/* a virtio-pci instance takes the device from both types */
	ASSERT_EQ(0, vp_mdev_create(PAV, UUID_PAV));
	EXPECT_EQ(0, vp_available(PAV, VHOST_VFIO_MDEV_TYPE));
	EXPECT_EQ(0, vp_available(PAV, VHOST_VFIO_MDEV_TYPE_PCI));
	vp_type_path(path, sizeof(path), PAV, VHOST_VFIO_MDEV_TYPE, "create");
	EXPECT_NE(0, vu_write_file(path, UUID_PAV_V));
	EXPECT_FALSE(vu_exists("/sys/bus/mdev/devices/" UUID_PAV_V));
	vp_type_path(path, sizeof(path), PAV, VHOST_VFIO_MDEV_TYPE_PCI, "create");
	EXPECT_NE(0, vu_write_file(path, UUID_PAV_V));
	/* the personality works, then goes */
	ASSERT_EQ(0, vp_open(&d, UUID_PAV, VFIO_TYPE1v2_IOMMU));
	vp_close(&d);
	ASSERT_EQ(0, vu_mdev_remove(UUID_PAV));
	EXPECT_EQ(1, vp_available(PAV, VHOST_VFIO_MDEV_TYPE));
	EXPECT_EQ(1, vp_available(PAV, VHOST_VFIO_MDEV_TYPE_PCI));
	/* the vhost personality on the same device keeps working */
	vp_type_path(path, sizeof(path), PAV, VHOST_VFIO_MDEV_TYPE, "create");
	ASSERT_EQ(0, vu_write_file(path, UUID_PAV_V));
	EXPECT_EQ(0, vp_available(PAV, VHOST_VFIO_MDEV_TYPE_PCI));
	vp_type_path(path, sizeof(path), PAV, VHOST_VFIO_MDEV_TYPE_PCI, "create");
	EXPECT_NE(0, vu_write_file(path, UUID_PAV));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_PAV_V));
	ASSERT_EQ(0, vv_net_setup(&n, &be, 0, true));
	n.doorbell = true;
	vv_net_post_rx(&n, 4);
	ASSERT_EQ(0, vv_net_send(&n, 0, 4, FLEN));
	ASSERT_EQ(0, vv_wait_used(&n.rx, 4, WAIT_MS));
	EXPECT_EQ(0, vv_net_check_rx(&n, 3, 3, FLEN));
	vv_net_close(&n);
	vv_be_close(&be);
	ASSERT_EQ(0, vu_mdev_remove(UUID_PAV_V));
	EXPECT_EQ(1, vp_available(PAV, VHOST_VFIO_MDEV_TYPE_PCI));
	vv_vdpa_del(PAV);
}

/* ---- a bounded fail-nth sweep over the personality's paths ---------------- */

#define NTH_MAX		400
#define NTH_LIVE	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
			 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)
#define NTH_PAGES	8

enum vp_path {
	Q_OPEN,		/* VFIO_GROUP_GET_DEVICE_FD */
	Q_MAP,		/* MAP_DMA with the device open: the map client */
	Q_UNMAP,
	Q_MSIX,		/* SET_IRQS, three vectors */
	Q_IOEVENTFD,
	Q_DRIVER_OK,	/* common cfg status write, queues set up */
	Q_RESET,	/* VFIO_DEVICE_RESET of a running device */
	Q_CLOSE,
};

FIXTURE(pci_fail_nth) {
	int nth_fd;
	long pin0, lck0;
	uint8_t *mem;
};

FIXTURE_VARIANT(pci_fail_nth) {
	enum vp_path path;
};

FIXTURE_VARIANT_ADD(pci_fail_nth, open) { .path = Q_OPEN };
FIXTURE_VARIANT_ADD(pci_fail_nth, map_dma) { .path = Q_MAP };
FIXTURE_VARIANT_ADD(pci_fail_nth, unmap_dma) { .path = Q_UNMAP };
FIXTURE_VARIANT_ADD(pci_fail_nth, set_irqs_msix) { .path = Q_MSIX };
FIXTURE_VARIANT_ADD(pci_fail_nth, ioeventfd) { .path = Q_IOEVENTFD };
FIXTURE_VARIANT_ADD(pci_fail_nth, driver_ok) { .path = Q_DRIVER_OK };
FIXTURE_VARIANT_ADD(pci_fail_nth, reset) { .path = Q_RESET };
FIXTURE_VARIANT_ADD(pci_fail_nth, close) { .path = Q_CLOSE };

FIXTURE_SETUP(pci_fail_nth)
{
	const char *skip;
	int fd;

	self->nth_fd = -1;
	fd = memfd_create("vp_nth", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, NTH_PAGES * VV_PAGE));
	self->mem = mmap(NULL, NTH_PAGES * VV_PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, NTH_PAGES * VV_PAGE);
	ASSERT_EQ(0, vp_prepare("vdpasim_net", PNET, UUID_PNET));
	self->pin0 = vv_vmpin_kb();
	self->lck0 = vu_status_kb("VmLck:");
	skip = fail_nth_prepare(&self->nth_fd);
	if (skip)
		SKIP(return, "%s", skip);
}

FIXTURE_TEARDOWN(pci_fail_nth)
{
	fail_nth_close(self->nth_fd);
	munmap(self->mem, NTH_PAGES * VV_PAGE);
}

/* State before the operation: as far as the path needs. */
static int vp_nth_setup(enum vp_path p, struct vp_dev *d, struct vv_vq *q,
			uint8_t *mem, int *efd, uint64_t *naddr)
{
	int ret;

	*efd = -1;
	memset(d, 0, sizeof(*d));
	for (ret = 0; ret < 64; ret++)
		d->irq[ret] = -1;
	if (p == Q_OPEN) {
		ret = vu_open_group(UUID_PNET, &d->v);
		return ret ? ret : ioctl(d->v.container, VFIO_SET_IOMMU,
					 VFIO_TYPE1v2_IOMMU) ? -errno : 0;
	}
	ret = vp_open(d, UUID_PNET, VFIO_TYPE1v2_IOMMU);
	if (ret || p == Q_MAP)
		return ret;
	ret = vp_map(d, VV_IOVA_BASE, mem, NTH_PAGES * VV_PAGE, VP_RW);
	if (ret || p == Q_UNMAP || p == Q_CLOSE)
		return ret;
	if (p == Q_MSIX) {	/* the eventfds exist: only SET_IRQS is swept */
		for (ret = 0; ret < 3; ret++) {
			d->irq[ret] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
			if (d->irq[ret] < 0)
				return -errno;
		}
		return 0;
	}
	ret = vp_msix(d, 3);
	ret = ret ? ret : vp_negotiate(d, VV_NET_FEATURES, 0);
	if (ret)
		return ret;
	/* one queue in the mapped pages: desc page 0, avail, used page 2 */
	memset(q, 0, sizeof(*q));
	q->idx = 0;
	q->num = 64;
	q->desc_iova = VV_IOVA_BASE;
	q->avail_iova = VV_IOVA_BASE + VV_PAGE;
	q->used_iova = VV_IOVA_BASE + 2 * VV_PAGE;
	ret = vp_vq_setup(d, q, 1);
	if (ret || p == Q_DRIVER_OK)
		return ret;
	if (p == Q_IOEVENTFD) {
		*naddr = vp_notify_addr(d, 0);
		*efd = eventfd(0, EFD_CLOEXEC);
		return *efd < 0 ? -errno : 0;
	}
	return vp_add_status(d, VIRTIO_CONFIG_S_DRIVER_OK);
}

/* One syscall each: every injection point is the kernel's. */
static int vp_nth_op(enum vp_path p, struct vp_dev *d, uint8_t *mem, int efd,
		     uint64_t naddr)
{
	switch (p) {
	case Q_OPEN:
		d->v.dev = ioctl(d->v.group, VFIO_GROUP_GET_DEVICE_FD, UUID_PNET);
		d->fd = d->v.dev;
		return d->v.dev < 0 ? -errno : 0;
	case Q_MAP:
		return vp_map(d, VV_IOVA_BASE, mem, NTH_PAGES * VV_PAGE, VP_RW);
	case Q_UNMAP:
		return vp_unmap(d, VV_IOVA_BASE, NTH_PAGES * VV_PAGE);
	case Q_MSIX:
		return vp_msix(d, 3);
	case Q_IOEVENTFD:
		return vp_ioeventfd_at(d, naddr, 0, efd);
	case Q_DRIVER_OK:
		return vp_cc_w(d, VP_CC(device_status), 1, NTH_LIVE);
	case Q_RESET:
		return ioctl(d->fd, VFIO_DEVICE_RESET) ? -errno : 0;
	case Q_CLOSE:
		vp_close(d);
		return 0;
	}
	return -EINVAL;
}

/* With the fault disarmed: all or nothing, and the device still usable. */
static void vp_nth_check(struct __test_metadata *_metadata, enum vp_path p,
			 struct vp_dev *d, uint8_t *mem, int efd, uint64_t naddr,
			 int ret)
{
	ASSERT_TRUE(ret == 0 || ret == -ENOMEM || ret == -EFAULT)
		TH_LOG("path %d failed with %d", p, ret);
	switch (p) {
	case Q_OPEN:
		if (ret) {
			EXPECT_GT(0, d->v.dev);
			ASSERT_EQ(0, vp_nth_op(p, d, mem, efd, naddr));
		}
		break;
	case Q_MAP:
		/* nothing half-mapped: the same map succeeds or is there */
		EXPECT_EQ(ret ? 0 : -EEXIST,
			  vp_map(d, VV_IOVA_BASE, mem, NTH_PAGES * VV_PAGE, VP_RW));
		break;
	case Q_UNMAP: {
		/*
		 * EFAULT may come from writing the result back, after the
		 * unmap (as type1's): then it is done or not; ENOMEM undoes.
		 */
		int again = vp_map(d, VV_IOVA_BASE, mem, NTH_PAGES * VV_PAGE, VP_RW);

		EXPECT_TRUE(ret == -EFAULT ? again == 0 || again == -EEXIST :
			    again == (ret ? -EEXIST : 0))
			TH_LOG("unmap %d, map again %d", ret, again);
		break;
	}
	case Q_MSIX:
		if (ret)
			EXPECT_EQ(0, vp_msix(d, 3));
		break;
	case Q_IOEVENTFD:
		EXPECT_EQ(ret ? 0 : -EEXIST, vp_ioeventfd_at(d, naddr, 0, efd));
		break;
	case Q_DRIVER_OK:
		/*
		 * A failed write leaves the status as it was; a write that
		 * returned success took effect, or the device says it needs
		 * a reset (a driver does not re-read DRIVER_OK).
		 */
		if (ret) {
			EXPECT_EQ(NTH_LIVE & ~VIRTIO_CONFIG_S_DRIVER_OK, vp_status(d));
		} else if (vp_status(d) != NTH_LIVE) {
			EXPECT_TRUE(vp_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET)
				TH_LOG("status %#x after a successful DRIVER_OK write",
				       vp_status(d));
		}
		break;
	case Q_RESET:
		if (!ret)
			EXPECT_EQ(0, vp_status(d));
		break;
	case Q_CLOSE:
		/* opens again, nothing left over */
		ASSERT_EQ(0, vp_open(d, UUID_PNET, VFIO_TYPE1v2_IOMMU));
		EXPECT_EQ(0, vp_status(d));
		break;
	}
}

TEST_F_TIMEOUT(pci_fail_nth, sweep, 240)
{
	unsigned int nth, injected = 0;
	uint64_t naddr = 0;
	struct vv_vq q;
	struct vp_dev d;
	bool fired;
	int ret, efd;

	for (nth = 1; nth < NTH_MAX; nth++) {
		ASSERT_EQ(0, vp_nth_setup(variant->path, &d, &q, self->mem, &efd,
					  &naddr))
			TH_LOG("set-up of path %d", variant->path);
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = vp_nth_op(variant->path, &d, self->mem, efd, naddr);
		fired = fail_nth_fired(self->nth_fd);
		vp_nth_check(_metadata, variant->path, &d, self->mem, efd, naddr, ret);
		if (efd >= 0)
			close(efd);
		vp_close(&d);
		/* nothing stays pinned or locked, whatever failed */
		ASSERT_EQ(self->pin0, vv_vmpin_kb()) TH_LOG("nth %u", nth);
		ASSERT_EQ(self->lck0, vu_status_kb("VmLck:")) TH_LOG("nth %u", nth);
		if (!fired) {
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret)
			injected++;
	}
	ASSERT_LT(nth, NTH_MAX);
	TH_LOG("%u injection points, %u made the call fail", nth - 1, injected);
}

TEST_HARNESS_MAIN
