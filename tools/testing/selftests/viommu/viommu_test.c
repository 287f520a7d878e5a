// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu: the AMD vIOMMU model end to end. The test is the VMM (a
 * nested container with test mdevs, guest RAM in its stage 2, the
 * vIOMMU's device-ID and domain-ID tables) and the guest's IOMMU driver
 * (device table, GCR3 table and v2 page tables, command buffer, event and
 * PPR logs in guest RAM, head and tail in the mmap()ed page). The
 * devices' DMA (VFIO_NESTED_TEST_DMA by guest PASID) must land where the
 * guest's tables say, after the guest's commands and only after them.
 */
#include <sys/eventfd.h>

#include "viommu_utils.h"

#define RAM_GPA		0x100000000ULL	/* 4 GiB */
#define RAM_SIZE	0x100000ULL	/* 1 MiB, pinned per test: kept small */
#define IOVA		0x00007f3456700000ULL
/* IOVA: page A; +1 not present; +2 page B, supervisor only */
#define IOVA_MISSING	(IOVA + NP_PAGE)
#define IOVA_SUPER	(IOVA + 2 * NP_PAGE)

#define GDEV		0x08	/* 00:01.0 */
#define GDEV2		0x10	/* 00:02.0 */
#define GDOM		0x11
#define GDOM2		0x22
#define HDOM		0x101
#define GPASID		5
#define GPASID2		6
#define WAIT_MS		5000

#define UUID_MAIN	(VI_UUID_BASE + 0)	/* 0xa0-0xa2: fixture viommu */
#define UUID_OTHER	(VI_UUID_BASE + 4)	/* 0xa4: a device of another VM */
#define UUID_TYPE1	(VI_UUID_BASE + 5)	/* 0xa5: a map client, type1 v2 */

/* Wall time of a test, logged at its end (the suite's CI budget). */
static double t_start;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static __u64 evt_pending(struct vi_iommu *v)
{
	return (vi_rd(v, PVM_VIOMMU_MMIO_EVT_TAIL) -
		vi_rd(v, PVM_VIOMMU_MMIO_EVT_HEAD)) & PVM_VIOMMU_PTR_MASK;
}

/* A pattern of @seed: 64-bit words that name their seed and offset. */
static void fill(void *buf, size_t len, unsigned int seed)
{
	__u64 w;
	size_t off;

	for (off = 0; off + 8 <= len; off += 8) {
		w = (__u64)seed << 48 | off;
		memcpy((char *)buf + off, &w, 8);
	}
}

/*
 * The VM of most tests: @ndev devices, one vIOMMU (guest ID 0) with
 * device 0 as GDEV and GDOM mapped; a v2 page table mapping IOVA to page A
 * and IOVA_SUPER to page B (supervisor), IOVA_MISSING not present; a GCR3
 * table with GPASID's entry naming that page table.
 */
FIXTURE(viommu) {
	struct vi_vm vm;
	struct vi_iommu v;
	__u64 page_a, page_b, page_c, root, gcr3;
};

FIXTURE_SETUP(viommu)
{
	struct np_guest *g = &self->vm.g;

	t_start = now_ms();
	self->vm.container = -1;
	self->vm.ioasid = -1;
	self->v.fd = -1;
	if (!vi_present())
		SKIP(return, "pvm_viommu, vfio_nested_testdev or ioasid not loaded");
	if (!np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ASSERT_EQ(0, vi_vm_open(&self->vm, UUID_MAIN, 1, RAM_GPA, RAM_SIZE));
	ASSERT_EQ(0, vi_vm_gpasid(&self->vm, GPASID));
	ASSERT_EQ(0, vi_iommu_init(&self->v, &self->vm, 0, 2, 256));
	ASSERT_EQ(0, vi_set_device(self->v.fd, GDEV, self->vm.dev[0].fd));
	ASSERT_EQ(0, vi_set_domain(self->v.fd, GDOM, HDOM));

	self->page_a = np_guest_page(g, NP_PAGE);
	self->page_b = np_guest_page(g, NP_PAGE);
	self->page_c = np_guest_page(g, NP_PAGE);
	self->root = vi_pt_new(g);
	self->gcr3 = np_guest_page(g, NP_PAGE);
	ASSERT_NE(0, self->gcr3);
	fill(np_hva(g, self->page_a), NP_PAGE, 1);
	fill(np_hva(g, self->page_b), NP_PAGE, 2);
	vi_pt_map(g, self->root, IOVA, self->page_a, PTE_USER_RW);
	vi_pt_map(g, self->root, IOVA_MISSING, 0, 0);
	vi_pt_map(g, self->root, IOVA_SUPER, self->page_b, PTE_P | PTE_RW);
	ASSERT_EQ(0, vi_gcr3_set(g, self->gcr3, 0, GPASID, self->root));
}

FIXTURE_TEARDOWN(viommu)
{
	vi_iommu_close(&self->v);
	vi_vm_close(&self->vm);
	TH_LOG("%.0f ms", now_ms() - t_start);
}

/* The processor stopped at the command at @off with event @code there. */
static void expect_stop(struct __test_metadata *_metadata, struct vi_iommu *v,
			const struct pvm_viommu_doorbell *db, __u32 off,
			unsigned int code, __u16 devid)
{
	struct vi_event e;
	bool dte;

	EXPECT_EQ(0, db->out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	EXPECT_EQ(off, db->out_head);
	EXPECT_EQ(off, vi_cmd_head(v));
	ASSERT_TRUE(vi_evt_pop(v, &e, NULL));
	EXPECT_EQ(code, e.code);
	/* the entry's GPA and device ID, or the command's GPA */
	dte = code == PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY;
	EXPECT_EQ(dte ? devid : 0, e.devid);
	EXPECT_EQ(dte ? v->dtb + 32ULL * devid : v->cmd + off, e.addr);
	EXPECT_FALSE(vi_evt_pop(v, &e, NULL));
}

/* Restart a stopped processor: CmdBufEn cleared, then set. */
static int restart(struct vi_iommu *v)
{
	int ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_CONTROL,
			       VI_CTRL_ALL & ~PVM_VIOMMU_CTRL_CMDBUF_EN);

	return ret ? ret : vi_reg_write(v->fd, PVM_VIOMMU_MMIO_CONTROL,
					VI_CTRL_ALL);
}

/* The guest sets up its tables, the DMA lands where they say. */
TEST_F(viommu, devtab_and_dma)
{
	static unsigned char buf[512], back[512];
	struct pvm_viommu_doorbell db;
	struct pvm_viommu_stats st;
	struct vfio_nested_test_dma out;
	struct pvm_viommu_info info = { .argsz = sizeof(info) };

	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_GET_INFO, &info));
	EXPECT_EQ(0, info.guest_id);
	EXPECT_EQ(PVM_VIOMMU_MMAP_SIZE, info.mmap_size);
	EXPECT_TRUE(info.features & PVM_VIOMMU_FEAT_GT);
	EXPECT_TRUE(info.commands & (1ULL << PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY));
	EXPECT_EQ(self->vm.dev[0].group_id, vi_query_device(self->v.fd, GDEV));
	EXPECT_EQ(HDOM, vi_query_domain(self->v.fd, GDOM));

	/* before the guest's command nothing is bound */
	fill(buf, sizeof(buf), 3);
	EXPECT_NE(0, vi_dma(&self->vm, 0, GPASID, IOVA + 0x100, buf,
			    sizeof(buf), true, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
	/* the entry written but not invalidated: still nothing */
	vi_dte_gt(vi_dte(&self->v, GDEV), GDOM, self->gcr3, 0, true);
	EXPECT_NE(0, vi_dma(&self->vm, 0, GPASID, IOVA + 0x100, buf,
			    sizeof(buf), true, &out));
	/* (what the model logs for DMA of an untranslated device: drained) */
	while (vi_evt_pop(&self->v, &(struct vi_event){ 0 }, NULL))
		;

	ASSERT_EQ(0, vi_guest_attach(&self->v, GDEV, GDOM, self->gcr3, 0x1234,
				     &db));
	EXPECT_EQ(2, db.out_executed);
	EXPECT_EQ(32, db.out_head);
	EXPECT_TRUE(db.out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	EXPECT_EQ(32, vi_cmd_head(&self->v));
	EXPECT_EQ(0, evt_pending(&self->v));

	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA + 0x100, buf,
			    sizeof(buf), true, &out));
	EXPECT_EQ(sizeof(buf), out.out_done);
	EXPECT_EQ(0, memcmp(np_hva(&self->vm.g, self->page_a) + 0x100, buf,
			    sizeof(buf)));
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA + 0x100, back,
			    sizeof(back), false, &out));
	EXPECT_EQ(0, memcmp(back, buf, sizeof(back)));
	/* another PASID the GCR3 table does not name: nothing */
	ASSERT_EQ(0, vi_vm_gpasid(&self->vm, GPASID2));
	EXPECT_NE(0, vi_dma(&self->vm, 0, GPASID2, IOVA, back, 8, false,
			    &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);

	ASSERT_EQ(0, vi_get_stats(self->v.fd, &st));
	EXPECT_EQ(2, st.commands);
	EXPECT_EQ(1, st.completion_waits);
	EXPECT_LE(1, st.binds);
	EXPECT_EQ(0, st.stops);

	/* the guest clears the entry: the binding goes */
	memset(vi_dte(&self->v, GDEV), 0, 32);
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_inv_devtab(GDEV), &db));
	EXPECT_EQ(1, db.out_executed);
	EXPECT_NE(0, vi_dma(&self->vm, 0, GPASID, IOVA, back, 8, false, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
}

/*
 * A GCR3 table of two levels, a second PASID with its own page table; a
 * PASID above 16 bits, named in both invalidation commands (the IOTLB
 * one carries PASID[19:16] in dword 1 bits 27:24).
 */
TEST_F(viommu, gcr3_two_levels)
{
	struct np_guest *g = &self->vm.g;
	__u32 big = 0x12345;	/* above 511 and above 16 bits */
	__u64 gcr3 = np_guest_page(g, NP_PAGE), root2 = vi_pt_new(g);
	struct pvm_viommu_doorbell db;
	struct vfio_nested_test_dma out;
	__u64 v1, v2;

	ASSERT_EQ(0, vi_vm_gpasid(&self->vm, big));
	vi_pt_map(g, root2, IOVA, self->page_b, PTE_USER_RW);
	ASSERT_EQ(0, vi_gcr3_set(g, gcr3, 1, GPASID, self->root));
	ASSERT_EQ(0, vi_gcr3_set(g, gcr3, 1, big, root2));
	vi_dte_gt(vi_dte(&self->v, GDEV), GDOM, gcr3, 1, false);
	EXPECT_EQ(gcr3, vi_dte_gcr3(vi_dte(&self->v, GDEV)));
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_inv_devtab(GDEV), &db));
	EXPECT_TRUE(db.out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &v1, 8, false, &out));
	ASSERT_EQ(0, vi_dma(&self->vm, 0, big, IOVA, &v2, 8, false, &out));
	EXPECT_EQ(0, memcmp(&v1, np_hva(g, self->page_a), 8));
	EXPECT_EQ(0, memcmp(&v2, np_hva(g, self->page_b), 8));

	/* remapped, invalidated by domain and by device: the new page */
	vi_pt_map(g, root2, IOVA, self->page_a, PTE_USER_RW);
	{
		struct vi_cmd c[2] = {
			vi_cmd_inv_pages(GDOM, big, IOVA, VI_INV_GN),
			vi_cmd_inv_iotlb(GDEV, big, 0, IOVA, VI_INV_GN),
		};

		ASSERT_EQ(0, vi_submit(&self->v, c, 2, &db));
	}
	EXPECT_EQ(2, db.out_executed);
	EXPECT_TRUE(db.out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	EXPECT_EQ(0, evt_pending(&self->v));
	ASSERT_EQ(0, vi_dma(&self->vm, 0, big, IOVA, &v2, 8, false, &out));
	EXPECT_EQ(0, memcmp(&v2, np_hva(g, self->page_a), 8));

	/* the guest drops the big PASID's entry: only that one goes */
	ASSERT_EQ(0, vi_gcr3_set(g, gcr3, 1, big, 0));
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_inv_devtab(GDEV), &db));
	EXPECT_NE(0, vi_dma(&self->vm, 0, big, IOVA, &v2, 8, false, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
	EXPECT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &v1, 8, false, &out));
}

/*
 * A remap becomes visible after the guest's invalidation and only then:
 * by domain and address, by domain for everything (with the device's
 * IOTLB after it, as a guest driver does for an ATS device), and all.
 */
static void remap_and_check(struct __test_metadata *_metadata,
			    FIXTURE_DATA(viommu) * self,
			    const struct vi_cmd *inv, unsigned int n,
			    __u64 to, __u64 from)
{
	struct np_guest *g = &self->vm.g;
	struct pvm_viommu_doorbell db;
	struct vfio_nested_test_dma out;
	__u64 val;

	vi_pt_map(g, self->root, IOVA, to, PTE_USER_RW);
	/* not invalidated: the cached translation still answers */
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));
	EXPECT_EQ(0, memcmp(&val, np_hva(g, from), 8));
	ASSERT_EQ(0, vi_submit(&self->v, inv, n, &db));
	EXPECT_EQ(n, db.out_executed);
	EXPECT_TRUE(db.out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));
	EXPECT_EQ(0, memcmp(&val, np_hva(g, to), 8));
}

TEST_F(viommu, invalidations_make_remaps_visible)
{
	struct vfio_nested_test_dma out;
	struct pvm_viommu_stats st;
	struct vi_cmd c[2];
	__u64 val;

	fill(np_hva(&self->vm.g, self->page_c), NP_PAGE, 4);
	ASSERT_EQ(0, vi_guest_attach(&self->v, GDEV, GDOM, self->gcr3, 1,
				     NULL));
	/* cache IOVA -> A */
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));

	/* by domain, PASID and page */
	c[0] = vi_cmd_inv_pages(GDOM, GPASID, IOVA, VI_INV_GN);
	remap_and_check(_metadata, self, c, 1, self->page_b, self->page_a);
	/* by domain, PASID, everything (S with the all-ones address) */
	c[0] = vi_cmd_inv_pages(GDOM, GPASID, VI_INV_ALL_ADDR,
				VI_INV_GN | VI_INV_S | VI_INV_PDE);
	remap_and_check(_metadata, self, c, 1, self->page_c, self->page_b);
	/* a 2 MiB range holding IOVA (S, bit 20 the lowest clear one) */
	c[0] = vi_cmd_inv_pages(GDOM, GPASID, (IOVA & ~0x1fffffULL) | 0xff000,
				VI_INV_GN | VI_INV_S);
	c[1] = vi_cmd_inv_iotlb(GDEV, GPASID, 0, IOVA, VI_INV_GN);
	remap_and_check(_metadata, self, c, 2, self->page_a, self->page_c);
	/* everything */
	c[0] = vi_cmd_inv_all();
	remap_and_check(_metadata, self, c, 1, self->page_b, self->page_a);

	ASSERT_EQ(0, vi_get_stats(self->v.fd, &st));
	EXPECT_LE(5, st.invalidations);
	EXPECT_EQ(0, st.stops);
	EXPECT_EQ(0, evt_pending(&self->v));
}

/* An unrecoverable fault: IO_PAGE_FAULT in the guest's event log. */
TEST_F(viommu, io_page_fault_in_event_log)
{
	struct vfio_nested_test_dma out;
	struct pvm_viommu_stats st;
	int efd = eventfd(0, EFD_NONBLOCK);
	struct vi_event e;
	__u64 raw[2], cnt = 0;
	__u8 val[8];

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT, efd));
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL | PVM_VIOMMU_CTRL_EVT_INT_EN));
	ASSERT_EQ(0, vi_guest_attach(&self->v, GDEV, GDOM, self->gcr3, 1,
				     NULL));
	/* a user request to a supervisor page */
	EXPECT_NE(0, vi_dma(&self->vm, 0, GPASID, IOVA_SUPER, val, 8, true,
			    &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);
	ASSERT_TRUE(vi_log_wait(&self->v, false, WAIT_MS));
	ASSERT_TRUE(vi_evt_pop(&self->v, &e, raw));
	EXPECT_EQ(PVM_VIOMMU_EVT_IO_PAGE_FAULT, e.code);
	EXPECT_EQ(GDEV, e.devid);
	/* guest IDs only: the guest PASID with GN, else the guest domain */
	EXPECT_EQ(e.flags & VI_EVF_GN ? GPASID : GDOM, e.id);
	EXPECT_EQ(IOVA_SUPER, e.addr);
	EXPECT_TRUE(e.flags & VI_EVF_RW);	/* a write */
	EXPECT_TRUE(e.flags & VI_EVF_PR);	/* the page was present */
	EXPECT_FALSE(vi_evt_pop(&self->v, &e, NULL));
	/* the interrupt follows the tail's move */
	EXPECT_EQ(1, poll(&(struct pollfd){ .fd = efd, .events = POLLIN }, 1,
			  WAIT_MS));
	EXPECT_EQ(8, read(efd, &cnt, 8));
	EXPECT_LE(1, cnt);
	ASSERT_EQ(0, vi_get_stats(self->v.fd, &st));
	EXPECT_EQ(1, st.events);
	close(efd);
}

/*
 * A page request: in the guest's PPR log with guest IDs; the guest maps
 * the page, invalidates and answers with COMPLETE_PPR_REQUEST, and the
 * DMA finishes (or fails, answered with failure).
 */
static void ppr_flow(struct __test_metadata *_metadata,
		     FIXTURE_DATA(viommu) * self, unsigned int code)
{
	static unsigned char buf[256];
	struct np_guest *g = &self->vm.g;
	struct vi_dma_bg d = {
		.vm = &self->vm, .i = 0, .gpasid = GPASID,
		.iova = IOVA_MISSING + 0x80, .buf = buf, .len = sizeof(buf),
		.write = true,
	};
	struct pvm_viommu_doorbell db;
	struct vi_cmd c[2];
	struct vi_ppr p;

	ASSERT_EQ(0, vi_guest_attach(&self->v, GDEV, GDOM, self->gcr3, 1,
				     NULL));
	fill(buf, sizeof(buf), 5);
	ASSERT_EQ(0, vi_dma_bg_start(&d));
	ASSERT_TRUE(vi_log_wait(&self->v, true, WAIT_MS));
	ASSERT_TRUE(vi_ppr_pop(&self->v, &p));
	EXPECT_EQ(PVM_VIOMMU_PPR_REQUEST, p.type);
	EXPECT_EQ(GDEV, p.devid);
	EXPECT_EQ(GPASID, p.pasid);
	EXPECT_EQ(IOVA_MISSING, p.addr);
	EXPECT_TRUE(p.flags & VI_PPRF_GN);
	EXPECT_TRUE(p.flags & VI_PPRF_WRITE);
	EXPECT_EQ(0, evt_pending(&self->v));
	/* the DMA waits for the guest */
	EXPECT_FALSE(vi_dma_bg_done(&d, 100));

	if (code == VI_PPR_SUCCESS)
		vi_pt_map(g, self->root, IOVA_MISSING, self->page_c,
			  PTE_USER_RW);
	c[0] = vi_cmd_inv_pages(GDOM, GPASID, IOVA_MISSING, VI_INV_GN);
	c[1] = vi_cmd_complete_ppr(GDEV, GPASID, true, p.tag, code);
	ASSERT_EQ(0, vi_submit(&self->v, c, 2, &db));
	EXPECT_EQ(2, db.out_executed);
	ASSERT_TRUE(vi_dma_bg_done(&d, WAIT_MS));
	if (code == VI_PPR_SUCCESS) {
		EXPECT_EQ(0, d.ret);
		EXPECT_EQ(VFIO_NESTED_DMA_OK, d.out.out_status);
		EXPECT_EQ(1, d.out.out_page_requests);
		EXPECT_EQ(0, memcmp(np_hva(g, self->page_c) + 0x80, buf,
				    sizeof(buf)));
	} else {
		EXPECT_NE(0, d.ret);
		EXPECT_EQ(VFIO_NESTED_DMA_RESP_FAILURE, d.out.out_status);
		EXPECT_EQ(IOVA_MISSING + 0x80, d.out.out_fault_addr);
	}
	/* nothing more in the logs; an answer nobody waits for is dropped */
	EXPECT_FALSE(vi_ppr_pop(&self->v, &p));
	ASSERT_EQ(0, vi_submit(&self->v, &c[1], 1, &db));
	EXPECT_EQ(1, db.out_executed);
	EXPECT_EQ(0, evt_pending(&self->v));
}

TEST_F(viommu, ppr_completed_dma_finishes)
{
	ppr_flow(_metadata, self, VI_PPR_SUCCESS);
}

TEST_F(viommu, ppr_failure_dma_fails)
{
	ppr_flow(_metadata, self, VI_PPR_FAILURE);
}

/* COMPLETION_WAIT: store and interrupt through the eventfd. */
TEST_F(viommu, completion_wait)
{
	__u64 cw = self->v.cw;
	int efd = eventfd(0, EFD_NONBLOCK);
	struct pvm_viommu_doorbell db;
	__u64 cnt = 0, st;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_COMWAIT,
				    efd));
	/* the interrupt without ComWaitIntEn: status bit only */
	ASSERT_EQ(0, vi_submit1(&self->v,
				vi_cmd_completion_wait(true, true, self->v.cw,
						       0xabcdef0123ULL), &db));
	EXPECT_EQ(0xabcdef0123ULL, vi_guest_rd64(&self->vm.g, cw));
	EXPECT_EQ(-1, read(efd, &cnt, 8));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &st));
	EXPECT_TRUE(st & PVM_VIOMMU_STATUS_COMWAIT_INT);
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_STATUS,
				  PVM_VIOMMU_STATUS_COMWAIT_INT));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &st));
	EXPECT_FALSE(st & PVM_VIOMMU_STATUS_COMWAIT_INT);

	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL |
				  PVM_VIOMMU_CTRL_COMWAIT_INT_EN));
	/* interrupt only: nothing stored */
	ASSERT_EQ(0, vi_submit1(&self->v,
				vi_cmd_completion_wait(false, true, self->v.cw,
						       7), &db));
	EXPECT_EQ(0xabcdef0123ULL, vi_guest_rd64(&self->vm.g, cw));
	EXPECT_EQ(8, read(efd, &cnt, 8));
	EXPECT_EQ(1, cnt);
	close(efd);
}

/* The doorbell eventfd runs the processor in a kernel worker. */
TEST_F(viommu, doorbell_eventfd)
{
	__u64 cw = self->v.cw;
	int efd = eventfd(0, 0), i;
	__u64 one = 1;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_DOORBELL,
				    efd));
	ASSERT_EQ(0, vi_cmd_queue(&self->v,
				  vi_cmd_completion_wait(true, false, self->v.cw,
							 99)));
	vi_cmd_publish(&self->v);
	usleep(20000);
	/* a store to the page rings nothing */
	EXPECT_EQ(0, vi_guest_rd64(&self->vm.g, cw));
	ASSERT_EQ(8, write(efd, &one, 8));
	for (i = 0; i < WAIT_MS && vi_guest_rd64(&self->vm.g, cw) != 99; i++)
		usleep(1000);
	EXPECT_EQ(99, vi_guest_rd64(&self->vm.g, cw));
	EXPECT_EQ(16, vi_cmd_head(&self->v));
	ASSERT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_DOORBELL,
				    -1));
	close(efd);
}

/*
 * Guest IDs not in the tables (and illegal commands) stop this processor
 * with the specification's event, before the command, and touch nothing:
 * no binding, no other vIOMMU, no other device.
 */
TEST_F(viommu, unmapped_ids_stop_processor)
{
	struct pvm_viommu_doorbell db;
	struct vfio_nested_test_dma out;
	struct pvm_viommu_stats st;
	struct vi_cmd c[3];
	struct vi_iommu w;
	__u64 val, *cw = np_hva(&self->vm.g, self->v.cw);
	__u32 at;

	ASSERT_EQ(0, vi_guest_attach(&self->v, GDEV, GDOM, self->gcr3, 1,
				     NULL));
	/* a second vIOMMU of the VM, with no device */
	ASSERT_EQ(0, vi_iommu_init(&w, &self->vm, 1, 1, 256));

	/* a device ID not in the table: stop at it, the store not done */
	at = vi_cmd_head(&self->v);
	c[0] = vi_cmd_inv_devtab(GDEV2);
	c[1] = vi_cmd_completion_wait(true, false, self->v.cw, 2);
	ASSERT_EQ(0, vi_submit(&self->v, c, 2, &db));
	EXPECT_EQ(0, db.out_executed);
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR, 0);
	EXPECT_EQ(1, *cw);
	/* stopped: a doorbell does nothing */
	ASSERT_EQ(0, vi_doorbell(self->v.fd, &db));
	EXPECT_EQ(0, db.out_executed);
	EXPECT_EQ(at, db.out_head);
	/* the rest of the VM works: the other vIOMMU, the device's DMA */
	ASSERT_EQ(0, vi_submit1(&w, vi_cmd_completion_wait(true, false, w.cw,
							   5), &db));
	EXPECT_EQ(1, db.out_executed);
	EXPECT_EQ(0, evt_pending(&w));
	ASSERT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));
	/* the guest fixes the command and restarts: both run */
	memcpy(np_hva(&self->vm.g, self->v.cmd + at), &c[1], 16);
	c[1] = vi_cmd_completion_wait(true, false, self->v.cw, 3);
	memcpy(np_hva(&self->vm.g, self->v.cmd + at + 16), &c[1], 16);
	ASSERT_EQ(0, restart(&self->v));
	ASSERT_EQ(0, vi_doorbell(self->v.fd, &db));
	EXPECT_EQ(3, *cw);
	EXPECT_EQ(at + 32, vi_cmd_head(&self->v));
	EXPECT_TRUE(db.out_status & PVM_VIOMMU_STATUS_CMDBUF_RUN);

	/* a domain ID not in the table */
	at = vi_cmd_head(&self->v);
	ASSERT_EQ(0, vi_submit1(&self->v,
				vi_cmd_inv_pages(GDOM2, GPASID, IOVA, VI_INV_GN),
				&db));
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR, 0);
	memcpy(np_hva(&self->vm.g, self->v.cmd + at), &c[1], 16);
	ASSERT_EQ(0, restart(&self->v));

	/* an opcode the specification does not define, a reserved bit */
	at = vi_cmd_head(&self->v);
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_op(0xf), &db));
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR, 0);
	memcpy(np_hva(&self->vm.g, self->v.cmd + at), &c[1], 16);
	ASSERT_EQ(0, restart(&self->v));
	at = vi_cmd_head(&self->v);
	c[0] = vi_cmd_inv_all();
	c[0].d[2] = 1;
	ASSERT_EQ(0, vi_submit1(&self->v, c[0], &db));
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR, 0);
	memcpy(np_hva(&self->vm.g, self->v.cmd + at), &c[1], 16);
	ASSERT_EQ(0, restart(&self->v));

	/*
	 * A device table entry whose domain is not mapped: ILLEGAL_DEV_
	 * TABLE_ENTRY, and the device keeps what it had.
	 */
	vi_dte_gt(vi_dte(&self->v, GDEV), GDOM2, self->gcr3, 0, true);
	at = vi_cmd_head(&self->v);
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_inv_devtab(GDEV), &db));
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY, GDEV);
	EXPECT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));
	memcpy(np_hva(&self->vm.g, self->v.cmd + at), &c[1], 16);
	ASSERT_EQ(0, restart(&self->v));

	/* a GCR3 entry naming a PASID the VM was not given */
	ASSERT_EQ(0, vi_gcr3_set(&self->vm.g, self->gcr3, 0, 77, self->root));
	vi_dte_gt(vi_dte(&self->v, GDEV), GDOM, self->gcr3, 0, true);
	at = vi_cmd_head(&self->v);
	ASSERT_EQ(0, vi_submit1(&self->v, vi_cmd_inv_devtab(GDEV), &db));
	expect_stop(_metadata, &self->v, &db, at,
		    PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY, GDEV);
	EXPECT_EQ(0, vi_dma(&self->vm, 0, GPASID, IOVA, &val, 8, false, &out));

	ASSERT_EQ(0, vi_get_stats(self->v.fd, &st));
	EXPECT_EQ(6, st.stops);
	ASSERT_EQ(0, vi_get_stats(w.fd, &st));
	EXPECT_EQ(0, st.stops);
	EXPECT_EQ(0, st.events);
	vi_iommu_close(&w);
}

/*
 * The talk's example: three devices of one VM, two behind vIOMMU 0 and
 * one behind vIOMMU 1; each vIOMMU has its own tables and logs, and the
 * same guest IDs mean different things on each.
 */
TEST(two_viommus_split_devices)
{
	struct vi_vm vm = { .container = -1, .ioasid = -1 };
	struct vi_iommu v0 = { .fd = -1 }, v1 = { .fd = -1 };
	__u64 root[3], gcr3[3], page[3], val;
	struct vfio_nested_test_dma out;
	struct pvm_viommu_doorbell db;
	struct vi_event e;
	int i;

	t_start = now_ms();
	if (!vi_present())
		SKIP(return, "pvm_viommu, vfio_nested_testdev or ioasid not loaded");
	if (!np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ASSERT_EQ(0, vi_vm_open(&vm, UUID_MAIN, 3, RAM_GPA, RAM_SIZE));
	ASSERT_EQ(0, vi_vm_gpasid(&vm, GPASID));
	ASSERT_EQ(0, vi_iommu_init(&v0, &vm, 0, 1, 256));
	ASSERT_EQ(0, vi_iommu_init(&v1, &vm, 1, 1, 256));
	/* guest IDs are per vIOMMU: GDEV and GDOM on both */
	ASSERT_EQ(0, vi_set_device(v0.fd, GDEV, vm.dev[0].fd));
	ASSERT_EQ(0, vi_set_device(v0.fd, GDEV2, vm.dev[1].fd));
	ASSERT_EQ(0, vi_set_device(v1.fd, GDEV, vm.dev[2].fd));
	ASSERT_EQ(0, vi_set_domain(v0.fd, GDOM, HDOM));
	ASSERT_EQ(0, vi_set_domain(v0.fd, GDOM2, HDOM + 1));
	ASSERT_EQ(0, vi_set_domain(v1.fd, GDOM, HDOM + 2));
	/* a device is behind one vIOMMU */
	EXPECT_EQ(-EBUSY, vi_set_device(v1.fd, GDEV2, vm.dev[0].fd));
	EXPECT_EQ(-EBUSY, vi_set_device(v0.fd, 0x18, vm.dev[0].fd));
	EXPECT_EQ(vm.dev[2].group_id, vi_query_device(v1.fd, GDEV));
	EXPECT_EQ(vm.dev[0].group_id, vi_query_device(v0.fd, GDEV));
	EXPECT_EQ(-ENOENT, vi_query_device(v1.fd, GDEV2));

	/* per device a page table of its own; one guest PASID on all */
	for (i = 0; i < 3; i++) {
		page[i] = np_guest_page(&vm.g, NP_PAGE);
		root[i] = vi_pt_new(&vm.g);
		gcr3[i] = np_guest_page(&vm.g, NP_PAGE);
		fill(np_hva(&vm.g, page[i]), NP_PAGE, 10 + i);
		vi_pt_map(&vm.g, root[i], IOVA, page[i], PTE_USER_RW);
		vi_pt_map(&vm.g, root[i], IOVA_SUPER, page[i], PTE_P | PTE_RW);
		ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3[i], 0, GPASID, root[i]));
	}
	/*
	 * A guest PASID is the container's: two devices naming it with
	 * different CR3s is an ILLEGAL_DEV_TABLE_ENTRY of the second. So
	 * device 0 alone uses GPASID here; devices 1 and 2 use their own.
	 */
	ASSERT_EQ(0, vi_vm_gpasid(&vm, GPASID + 1));
	ASSERT_EQ(0, vi_vm_gpasid(&vm, GPASID + 2));
	ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3[1], 0, GPASID, 0));
	ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3[1], 0, GPASID + 1, root[1]));
	ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3[2], 0, GPASID, 0));
	ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3[2], 0, GPASID + 2, root[2]));
	ASSERT_EQ(0, vi_guest_attach(&v0, GDEV, GDOM, gcr3[0], 1, &db));
	ASSERT_EQ(0, vi_guest_attach(&v0, GDEV2, GDOM2, gcr3[1], 2, &db));
	/* vIOMMU 1's guest programs GDEV (its own) with GDOM (its own) */
	ASSERT_EQ(0, vi_guest_attach(&v1, GDEV, GDOM, gcr3[2], 3, &db));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vi_dma(&vm, i, GPASID + i, IOVA, &val, 8, false,
				    &out));
		EXPECT_EQ(0, memcmp(&val, np_hva(&vm.g, page[i]), 8));
	}
	/* device 2's fault lands in vIOMMU 1's log only, as its GDEV */
	EXPECT_NE(0, vi_dma(&vm, 2, GPASID + 2, IOVA_SUPER, &val, 8, true,
			    &out));
	ASSERT_TRUE(vi_log_wait(&v1, false, WAIT_MS));
	ASSERT_TRUE(vi_evt_pop(&v1, &e, NULL));
	EXPECT_EQ(PVM_VIOMMU_EVT_IO_PAGE_FAULT, e.code);
	EXPECT_EQ(GDEV, e.devid);
	EXPECT_EQ(0, evt_pending(&v0));
	/* device 1's in vIOMMU 0's, as GDEV2 */
	EXPECT_NE(0, vi_dma(&vm, 1, GPASID + 1, IOVA_SUPER, &val, 8, true,
			    &out));
	ASSERT_TRUE(vi_log_wait(&v0, false, WAIT_MS));
	ASSERT_TRUE(vi_evt_pop(&v0, &e, NULL));
	EXPECT_EQ(GDEV2, e.devid);
	EXPECT_EQ(0, evt_pending(&v1));

	/* vIOMMU 1's guest invalidates its GDEV: device 0 is not touched */
	memset(vi_dte(&v1, GDEV), 0, 32);
	ASSERT_EQ(0, vi_submit1(&v1, vi_cmd_inv_devtab(GDEV), &db));
	EXPECT_NE(0, vi_dma(&vm, 2, GPASID + 2, IOVA, &val, 8, false, &out));
	EXPECT_EQ(0, vi_dma(&vm, 0, GPASID, IOVA, &val, 8, false, &out));
	/* clearing vIOMMU 1's mapping leaves vIOMMU 0's GDEV */
	EXPECT_EQ(0, vi_clear_device(v1.fd, GDEV));
	EXPECT_EQ(vm.dev[0].group_id, vi_query_device(v0.fd, GDEV));
	/* device 2 is free again, for the other vIOMMU */
	EXPECT_EQ(0, vi_set_device(v0.fd, 0x18, vm.dev[2].fd));

	vi_iommu_close(&v1);
	vi_iommu_close(&v0);
	vi_vm_close(&vm);
	TH_LOG("%.0f ms", now_ms() - t_start);
}

/* Nothing of another VM can be named; guest IDs out of range. */
TEST_F(viommu, tables_and_ownership)
{
	struct vi_vm other = { .container = -1, .ioasid = -1 };
	int ofd, efd;

	ASSERT_EQ(0, vi_vm_open(&other, UUID_OTHER, 1, RAM_GPA, RAM_SIZE));
	/* another container's device */
	EXPECT_EQ(-EXDEV, vi_set_device(self->v.fd, GDEV2, other.dev[0].fd));
	/* not a VFIO device fd, not open */
	EXPECT_EQ(-EINVAL, vi_set_device(self->v.fd, GDEV2, self->vm.container));
	EXPECT_EQ(-EBADF, vi_set_device(self->v.fd, GDEV2, 100000));
	/* the same guest ID twice, the same device twice */
	EXPECT_EQ(-EEXIST, vi_set_device(self->v.fd, GDEV, other.dev[0].fd));
	EXPECT_EQ(-EBUSY, vi_set_device(self->v.fd, GDEV2, self->vm.dev[0].fd));
	EXPECT_EQ(-EINVAL, vi_set_device(self->v.fd, 0x10000, self->vm.dev[0].fd));
	EXPECT_EQ(-ENOENT, vi_clear_device(self->v.fd, GDEV2));
	EXPECT_EQ(-ENOENT, vi_query_device(self->v.fd, GDEV2));
	EXPECT_EQ(-EINVAL, vi_query_device(self->v.fd, 0x10000));
	EXPECT_EQ(-EEXIST, vi_set_domain(self->v.fd, GDOM, 1));
	EXPECT_EQ(-EINVAL, vi_set_domain(self->v.fd, 0x10000, 1));
	EXPECT_EQ(-EINVAL, vi_set_domain(self->v.fd, GDOM2, 0x10000));
	EXPECT_EQ(-ENOENT, vi_clear_domain(self->v.fd, GDOM2));
	EXPECT_EQ(-ENOENT, vi_query_domain(self->v.fd, GDOM2));
	EXPECT_EQ(0, vi_set_domain(self->v.fd, GDOM2, HDOM));	/* shared */
	EXPECT_EQ(0, vi_clear_domain(self->v.fd, GDOM2));
	EXPECT_EQ(-ENOENT, vi_query_domain(self->v.fd, GDOM2));

	/* the other VM's vIOMMU: the same guest ID is fine there */
	ofd = vi_open();
	ASSERT_LE(0, ofd);
	EXPECT_EQ(-EINVAL, vi_create(ofd, self->vm.ioasid, 0, 0));
	EXPECT_EQ(-EBADF, vi_create(ofd, 100000, 0, 0));
	EXPECT_EQ(-EEXIST, vi_create(ofd, self->vm.container, 0, 0));
	EXPECT_EQ(-EINVAL, vi_create(ofd, other.container, 0, 1));
	EXPECT_EQ(0, vi_create(ofd, other.container, 0, 0));
	EXPECT_EQ(-EBUSY, vi_create(ofd, other.container, 1, 0));
	EXPECT_EQ(-EXDEV, vi_set_device(ofd, GDEV, self->vm.dev[0].fd));
	EXPECT_EQ(0, vi_set_device(ofd, GDEV, other.dev[0].fd));

	/* eventfds */
	efd = eventfd(0, 0);
	EXPECT_EQ(-EINVAL, vi_set_eventfd(self->v.fd, 4, efd));
	EXPECT_EQ(-EINVAL, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT,
					  self->vm.container));
	EXPECT_EQ(-EBADF, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT,
					 100000));
	EXPECT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT, efd));
	EXPECT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT, -1));
	close(efd);
	close(ofd);
	vi_vm_close(&other);
}

/* Register writes the model refuses, and what it keeps. */
TEST_F(viommu, registers)
{
	__u64 val;

	/* a base while its structure is enabled */
	EXPECT_EQ(-EBUSY, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_BASE,
				       vi_log_base(self->v.cmd, 256)));
	EXPECT_EQ(-EBUSY, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_EVT_BASE,
				       vi_log_base(self->v.evt, 256)));
	EXPECT_EQ(-EINVAL, vi_reg_write(self->v.fd, 0x1000, 0));
	EXPECT_EQ(-EINVAL, vi_reg_write(self->v.fd, 0x2004, 0));
	EXPECT_EQ(-EINVAL, vi_reg_read(self->v.fd, 0x3000, &val));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_CONTROL, &val));
	EXPECT_EQ(VI_CTRL_ALL, val);
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &val));
	EXPECT_TRUE(val & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	EXPECT_TRUE(val & PVM_VIOMMU_STATUS_EVT_RUN);
	EXPECT_EQ(val, vi_rd(&self->v, PVM_VIOMMU_MMIO_STATUS));
	/* a tail beyond the buffer */
	EXPECT_EQ(-EINVAL, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_TAIL,
					256 * 16));
	/* disabled: the bases may change; log length and reserved bits */
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL, 0));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &val));
	EXPECT_FALSE(val & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	EXPECT_EQ(-EINVAL, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_BASE,
					vi_log_base(self->v.cmd, 128)));
	EXPECT_EQ(-EINVAL, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_BASE,
					vi_log_base(self->v.cmd, 256) | 0x10));
	/* a new command buffer of 512 entries */
	self->v.cmd = np_guest_page(&self->vm.g, 512 * 16);
	ASSERT_NE(0, self->v.cmd);
	self->v.cmd_len = 512;
	EXPECT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_BASE,
				  vi_log_base(self->v.cmd, 512)));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_CMD_BASE, &val));
	EXPECT_EQ(vi_log_base(self->v.cmd, 512), val);
	/* the tail register written by ioctl runs the processor */
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL));
	ASSERT_EQ(0, vi_cmd_queue(&self->v,
				  vi_cmd_completion_wait(true, false, self->v.cw,
							 42)));
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CMD_TAIL,
				  self->v.tail));
	EXPECT_EQ(42, *(__u64 *)np_hva(&self->vm.g, self->v.cw));
	EXPECT_EQ(self->v.tail, vi_cmd_head(&self->v));
}

/* The VMM's "insert guest event", and a full log's overflow. */
TEST_F(viommu, insert_event_overflow)
{
	struct pvm_viommu_insert ins = { .argsz = sizeof(ins) };
	int efd = eventfd(0, EFD_NONBLOCK);
	struct vi_event e;
	__u64 raw[2], st, cnt;
	int i;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vi_set_eventfd(self->v.fd, PVM_VIOMMU_EVENTFD_EVT, efd));
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL | PVM_VIOMMU_CTRL_EVT_INT_EN));
	ins.entry[0] = 0x1234 | (__u64)PVM_VIOMMU_EVT_IO_PAGE_FAULT << 60 |
		       (__u64)GDOM << 32;
	ins.entry[1] = 0xfeedf000;
	/* 256 entries: 255 fit, the tail never reaches the head */
	for (i = 0; i < 255; i++) {
		ins.entry[1] = 0xfeedf000 + i;
		ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
		ASSERT_EQ(0, ins.out_result);
	}
	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
	EXPECT_EQ(1, ins.out_result);
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &st));
	EXPECT_TRUE(st & PVM_VIOMMU_STATUS_EVT_OVERFLOW);
	EXPECT_EQ(8, read(efd, &cnt, 8));
	EXPECT_LE(255, cnt);	/* every write; the overflow may add one */
	EXPECT_GE(256, cnt);
	ASSERT_TRUE(vi_evt_pop(&self->v, &e, raw));
	EXPECT_EQ(0x1234, e.devid);
	EXPECT_EQ(GDOM, e.id);
	EXPECT_EQ(PVM_VIOMMU_EVT_IO_PAGE_FAULT, e.code);
	EXPECT_EQ(0xfeedf000, raw[1]);
	/* an overflowed log stopped (EventLogRun clear), a slot free or not */
	EXPECT_FALSE(st & PVM_VIOMMU_STATUS_EVT_RUN);
	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
	EXPECT_EQ(1, ins.out_result);
	/* the guest clears the overflow and restarts the log */
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_STATUS,
				  PVM_VIOMMU_STATUS_EVT_OVERFLOW));
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL & ~PVM_VIOMMU_CTRL_EVT_LOG_EN));
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL | PVM_VIOMMU_CTRL_EVT_INT_EN));
	ASSERT_EQ(0, vi_reg_read(self->v.fd, PVM_VIOMMU_MMIO_STATUS, &st));
	EXPECT_FALSE(st & PVM_VIOMMU_STATUS_EVT_OVERFLOW);
	EXPECT_TRUE(st & PVM_VIOMMU_STATUS_EVT_RUN);
	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
	EXPECT_EQ(0, ins.out_result);
	/* the PPR log; disabled, it takes nothing */
	ins.flags = PVM_VIOMMU_INSERT_PPR;
	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
	EXPECT_EQ(0, ins.out_result);
	ASSERT_EQ(0, vi_reg_write(self->v.fd, PVM_VIOMMU_MMIO_CONTROL,
				  VI_CTRL_ALL & ~PVM_VIOMMU_CTRL_PPRLOG_EN));
	ASSERT_EQ(0, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT, &ins));
	EXPECT_EQ(1, ins.out_result);
	ins.flags = 2;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->v.fd, PVM_VIOMMU_INSERT_EVENT,
					&ins));
	close(efd);
}

/* ---- every ioctl's length and extensibility -------------------------------- */

static const struct {
	unsigned long cmd;
	const char *name;
	__u32 size;	/* the first published size */
	bool zero_tail_ok;	/* harmless to repeat with a larger argsz */
} ioctls[] = {
	{ PVM_VIOMMU_GET_INFO, "GET_INFO", 48, true },
	{ PVM_VIOMMU_SET_DEVICE, "SET_DEVICE", 24, false },
	{ PVM_VIOMMU_CLEAR_DEVICE, "CLEAR_DEVICE", 24, false },
	{ PVM_VIOMMU_QUERY_DEVICE, "QUERY_DEVICE", 24, false },
	{ PVM_VIOMMU_SET_DOMAIN, "SET_DOMAIN", 16, false },
	{ PVM_VIOMMU_CLEAR_DOMAIN, "CLEAR_DOMAIN", 16, false },
	{ PVM_VIOMMU_QUERY_DOMAIN, "QUERY_DOMAIN", 16, false },
	{ PVM_VIOMMU_REG_WRITE, "REG_WRITE", 24, false },
	{ PVM_VIOMMU_REG_READ, "REG_READ", 24, true },
	{ PVM_VIOMMU_SET_EVENTFD, "SET_EVENTFD", 16, false },
	{ PVM_VIOMMU_DOORBELL, "DOORBELL", 24, true },
	{ PVM_VIOMMU_INSERT_EVENT, "INSERT_EVENT", 32, false },
	{ PVM_VIOMMU_GET_STATS, "GET_STATS", 80, true },
};

TEST_F(viommu, ioctl_lengths)
{
	union {
		__u32 w[64];
		struct pvm_viommu_create c;
		struct pvm_viommu_reg r;
	} a;
	unsigned int i;
	int fd;

	EXPECT_EQ(24, sizeof(struct pvm_viommu_create));
	EXPECT_EQ(48, sizeof(struct pvm_viommu_info));
	EXPECT_EQ(24, sizeof(struct pvm_viommu_device));
	EXPECT_EQ(16, sizeof(struct pvm_viommu_domain));
	EXPECT_EQ(24, sizeof(struct pvm_viommu_reg));
	EXPECT_EQ(16, sizeof(struct pvm_viommu_eventfd));
	EXPECT_EQ(24, sizeof(struct pvm_viommu_doorbell));
	EXPECT_EQ(32, sizeof(struct pvm_viommu_insert));
	EXPECT_EQ(80, sizeof(struct pvm_viommu_stats));

	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		TH_LOG("%s", ioctls[i].name);
		memset(&a, 0, sizeof(a));
		/* REG_READ needs a valid offset: CONTROL is 0x18 */
		if (ioctls[i].cmd == PVM_VIOMMU_REG_READ)
			a.r.offset = PVM_VIOMMU_MMIO_CONTROL;
		a.w[0] = 0;
		EXPECT_EQ(-EINVAL, np_ioctl(self->v.fd, ioctls[i].cmd, &a));
		a.w[0] = ioctls[i].size - 4;
		EXPECT_EQ(-EINVAL, np_ioctl(self->v.fd, ioctls[i].cmd, &a));
		a.w[0] = ioctls[i].size + 8;
		a.w[ioctls[i].size / 4 + 1] = 1;
		EXPECT_EQ(-E2BIG, np_ioctl(self->v.fd, ioctls[i].cmd, &a));
		a.w[ioctls[i].size / 4 + 1] = 0;
		a.w[1] = 0x80000000;
		EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->v.fd, ioctls[i].cmd, &a));
		a.w[1] = 0;
		EXPECT_EQ(-EFAULT, np_ioctl(self->v.fd, ioctls[i].cmd, NULL));
		/* a larger argsz with a zero tail: accepted */
		if (!ioctls[i].zero_tail_ok)
			continue;
		EXPECT_EQ(0, np_ioctl(self->v.fd, ioctls[i].cmd, &a));
	}
	/* reserved fields */
	memset(&a, 0, sizeof(a));
	a.r.argsz = sizeof(a.r);
	a.r.offset = PVM_VIOMMU_MMIO_CONTROL;
	a.r.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->v.fd, PVM_VIOMMU_REG_READ, &a));
	EXPECT_EQ(-ENOTTY, np_ioctl(self->v.fd, _IO(PVM_VIOMMU_TYPE, 0x3f), &a));
	/* CREATE: on a new file; everything else before it is ENODEV */
	fd = vi_open();
	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	a.w[0] = 24;
	EXPECT_EQ(-ENODEV, np_ioctl(fd, PVM_VIOMMU_DOORBELL, &a));
	a.c.argsz = 20;
	a.c.container_fd = self->vm.container;
	a.c.guest_id = 9;
	EXPECT_EQ(-EINVAL, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.c.argsz = 32;
	a.w[7] = 1;
	EXPECT_EQ(-E2BIG, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.w[7] = 0;
	a.c.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.c.flags = 0;
	a.c.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.c.__reserved = 0;
	a.c.poll_us = 99;
	EXPECT_EQ(-EINVAL, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.c.poll_us = 1000001;
	EXPECT_EQ(-EINVAL, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	a.c.poll_us = 0;
	EXPECT_EQ(0, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	EXPECT_EQ(-EBUSY, np_ioctl(fd, PVM_VIOMMU_CREATE, &a));
	/* a mmap other than the page */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				   4096));
	close(fd);
}

/*
 * A container the nested backend serves as VFIO_TYPE1v2_IOMMU (a group of
 * a map client, as the virtio-pci personality of vhost_vfio is) has no
 * stage 1: a vIOMMU cannot be created on it.
 */
TEST(type1v2_container_refused)
{
	struct vn_uuid u = vn_uuid(UUID_TYPE1);
	struct vu_vfio v = { .container = -1, .group = -1, .dev = -1 };
	int fd, ret;

	ret = vn_mc_create(u.s, true);
	if (ret == -ENODEV)
		SKIP(return, "vfio_iommu_nested or vfio_nested_testdev not loaded");
	ASSERT_EQ(0, ret);
	if (vn_param("serve_type1v2", NULL) != 1) {
		vu_mdev_remove(u.s);
		SKIP(return, "serve_type1v2 is off");
	}
	ASSERT_EQ(0, vu_open_group(u.s, &v));
	ASSERT_EQ(0, ioctl(v.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* served by the nested backend, not type1 */
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	fd = vi_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vi_create(fd, v.container, 0, 0));
	close(fd);
	vu_close(&v);
	vu_mdev_remove(u.s);
}

/* ---- teardown in any order ------------------------------------------------- */

enum { TD_CLOSE_VIOMMU, TD_CLEAR_DEVICE, TD_CLOSE_DEVICE, TD_CLOSE_CONTAINER };

FIXTURE(teardown) {
	int unused;
};

FIXTURE_VARIANT(teardown) {
	int order;
};

FIXTURE_VARIANT_ADD(teardown, close_viommu) { TD_CLOSE_VIOMMU };
FIXTURE_VARIANT_ADD(teardown, clear_device) { TD_CLEAR_DEVICE };
FIXTURE_VARIANT_ADD(teardown, close_device) { TD_CLOSE_DEVICE };
FIXTURE_VARIANT_ADD(teardown, close_container) { TD_CLOSE_CONTAINER };

FIXTURE_SETUP(teardown)
{
	t_start = now_ms();
}

FIXTURE_TEARDOWN(teardown)
{
	TH_LOG("%.0f ms", now_ms() - t_start);
}

/*
 * With a page request waiting for the guest and commands pending in the
 * ring, take things away in some order: the DMA ends (failed), nothing
 * hangs, and what is left answers ENODEV or works.
 */
TEST_F(teardown, with_page_request_pending)
{
	struct vi_vm vm = { .container = -1, .ioasid = -1 };
	struct vi_iommu v = { .fd = -1 };
	static unsigned char buf[64];
	__u64 root, gcr3;
	struct vi_dma_bg d = {
		.vm = &vm, .i = 0, .gpasid = GPASID, .iova = IOVA_MISSING,
		.buf = buf, .len = sizeof(buf), .write = false,
	};
	struct pvm_viommu_doorbell db;
	struct vi_cmd c;
	int i;

	if (!vi_present())
		SKIP(return, "pvm_viommu, vfio_nested_testdev or ioasid not loaded");
	if (!np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ASSERT_EQ(0, vi_vm_open(&vm, UUID_MAIN, 1, RAM_GPA, RAM_SIZE));
	ASSERT_EQ(0, vi_vm_gpasid(&vm, GPASID));
	ASSERT_EQ(0, vi_iommu_init(&v, &vm, 0, 1, 256));
	ASSERT_EQ(0, vi_set_device(v.fd, GDEV, vm.dev[0].fd));
	ASSERT_EQ(0, vi_set_domain(v.fd, GDOM, HDOM));
	root = vi_pt_new(&vm.g);
	gcr3 = np_guest_page(&vm.g, NP_PAGE);
	vi_pt_map(&vm.g, root, IOVA_MISSING, 0, 0);
	ASSERT_EQ(0, vi_gcr3_set(&vm.g, gcr3, 0, GPASID, root));
	ASSERT_EQ(0, vi_guest_attach(&v, GDEV, GDOM, gcr3, 1, NULL));
	ASSERT_EQ(0, vi_dma_bg_start(&d));
	ASSERT_TRUE(vi_log_wait(&v, true, WAIT_MS));
	/* commands the guest queued but the processor has not seen */
	for (i = 0; i < 8; i++) {
		c = vi_cmd_completion_wait(true, false, v.cw, 100 + i);
		ASSERT_EQ(0, vi_cmd_queue(&v, c));
	}
	vi_cmd_publish(&v);

	switch (variant->order) {
	case TD_CLOSE_VIOMMU:
		vi_iommu_close(&v);
		break;
	case TD_CLEAR_DEVICE:
		EXPECT_EQ(0, vi_clear_device(v.fd, GDEV));
		break;
	case TD_CLOSE_DEVICE:
		close(vm.dev[0].fd);
		vm.dev[0].fd = -1;
		break;
	case TD_CLOSE_CONTAINER:
		/* the container goes with its last group */
		close(vm.dev[0].fd);
		vm.dev[0].fd = -1;
		close(vm.dev[0].group);
		vm.dev[0].group = -1;
		close(vm.container);
		vm.container = -1;
		break;
	}
	ASSERT_TRUE(vi_dma_bg_done(&d, WAIT_MS));
	EXPECT_NE(0, d.ret);
	EXPECT_NE(VFIO_NESTED_DMA_OK, d.out.out_status);
	if (variant->order == TD_CLOSE_CONTAINER) {
		EXPECT_EQ(-ENODEV, vi_doorbell(v.fd, &db));
	} else if (variant->order != TD_CLOSE_VIOMMU) {
		/* the queued commands still run; the device is gone */
		EXPECT_EQ(-ENOENT, vi_query_device(v.fd, GDEV));
		EXPECT_EQ(0, vi_doorbell(v.fd, &db));
		EXPECT_EQ(8, db.out_executed);
	}
	vi_iommu_close(&v);
	vi_vm_close(&vm);
}

TEST_HARNESS_MAIN
