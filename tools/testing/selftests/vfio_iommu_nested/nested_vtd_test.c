// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested's physical path: a container with the nested backend
 * serving a real device behind a real IOMMU. Here the IOMMU is QEMU's
 * emulated VT-d and the device QEMU's "edu", bound to vfio-pci; stage 2
 * (VFIO_IOMMU_MAP_DMA and UNMAP_DMA) programs an IOMMU paging domain, and
 * edu's DMA engine shows where the bytes land:
 *
 * - a DMA lands in the page stage 2 maps at its IOVA, page by page (a
 *   transfer crossing into the next IOVA page lands in the page mapped
 *   there), and nowhere else;
 * - a DMA to an IOVA never mapped reaches none of our memory (edu still
 *   completes; the IOMMU reports a DMAR fault, which the test finds in the
 *   kernel log: an expected report, not one the VM's log scan counts);
 * - after UNMAP_DMA (of one page, and of everything) a DMA to the old IOVA
 *   reaches nothing, in either direction, and the other mappings still work;
 * - a read-only mapping is read but never written.
 *
 * Every test runs with the nested backend and, as the reference the checks
 * are calibrated on, with vfio_iommu_type1 on the same device.
 */
#include <linux/vfio_iommu_nested.h>

#include "nested_edu.h"
#include "kselftest_harness.h"

#define PG		4096UL
#define NPAGES		8
#define XFER		1024	/* bytes per edu transfer (< EDU_BUF_SIZE) */
#define TIMEOUT		180

FIXTURE(vtd) {
	struct edu e;
	int container;
	__u8 *buf;		/* NPAGES pages of "guest RAM" */
	__u8 *expect;		/* what buf must hold */
	__u64 iova;		/* this test's IOVA window */
};

FIXTURE_VARIANT(vtd) {
	unsigned long type;
	const char *module;	/* where the backend lives on a distro kernel */
	__u64 iova;		/* below edu's 28-bit DMA mask */
};

FIXTURE_VARIANT_ADD(vtd, nested) {
	.type = VFIO_NESTED_IOMMU,
	.module = "vfio_iommu_nested",
	.iova = 0x2000000,
};

FIXTURE_VARIANT_ADD(vtd, type1) {
	.type = VFIO_TYPE1v2_IOMMU,
	.module = "vfio_iommu_type1",
	.iova = 0x4000000,
};

static __u8 pattern(__u32 i)
{
	i *= 0x9e3779b1u;
	i ^= i >> 15;
	i *= 0x85ebca77u;
	return (__u8)(i ^ (i >> 13));
}

/* page @n of the fixture's buffer */
#define PAGE(n)		(self->buf + (n) * PG)

/* RAM -> edu buffer [0, XFER), from @iova */
#define DMA_FROM(iova) \
	ASSERT_EQ(0, edu_dma(&self->e, (iova), 0, XFER, false))
/* edu buffer [0, XFER) -> RAM at @iova */
#define DMA_TO(iova) \
	ASSERT_EQ(0, edu_dma(&self->e, (iova), 0, XFER, true))

/* self->buf holds what self->expect says, or the first difference is logged */
#define EXPECT_RAM() do {						\
		size_t _i;						\
		for (_i = 0; _i < NPAGES * PG; _i++)			\
			if (self->buf[_i] != self->expect[_i])		\
				break;					\
		EXPECT_EQ(NPAGES * PG, _i)				\
			TH_LOG("page %zu byte %zu: %#x, expected %#x",	\
			       _i / PG, _i % PG, self->buf[_i],		\
			       self->expect[_i]);			\
	} while (0)

FIXTURE_SETUP(vtd)
{
	char cmd[96];
	size_t i;
	int ret;

	self->container = -1;
	ret = edu_bind(&self->e);
	ASSERT_EQ(0, ret) TH_LOG("edu bound to vfio-pci: %s", strerror(-ret));

	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	if (ioctl(self->container, VFIO_CHECK_EXTENSION, variant->type) <= 0) {
		snprintf(cmd, sizeof(cmd), "modprobe %s 2>/dev/null", variant->module);
		ASSERT_EQ(0, system(cmd));
	}
	ASSERT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, variant->type));
	close(self->container);

	self->container = edu_container(&self->e, variant->type);
	ASSERT_LE(0, self->container)
		TH_LOG("container with IOMMU type %#lx and edu's group %d: %s",
		       variant->type, self->e.group_id, strerror(-self->container));
	ret = edu_dev_open(&self->e);
	ASSERT_EQ(0, ret) TH_LOG("edu device fd %s: %s", self->e.bdf, strerror(-ret));

	self->buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->expect = malloc(NPAGES * PG);
	ASSERT_NE(NULL, self->expect);
	/* bytes that differ from page to page and from offset to offset */
	for (i = 0; i < NPAGES * PG; i++)
		self->buf[i] = pattern(i);
	memcpy(self->expect, self->buf, NPAGES * PG);
	self->iova = variant->iova;
}

FIXTURE_TEARDOWN(vtd)
{
	edu_close(&self->e);
	if (self->container >= 0)
		close(self->container);
	munmap(self->buf, NPAGES * PG);
	free(self->expect);
}

/*
 * Three pages mapped by three MAP_DMA calls in an order unlike their
 * order in memory: page 3 at B, page 1 at B + 4K, page 5 at B + 8K.
 */
TEST_F_TIMEOUT(vtd, dma_lands_where_stage2_says, TIMEOUT)
{
	__u64 b = self->iova;

	ASSERT_EQ(0, edu_map(self->container, PAGE(3), b, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(1), b + PG, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(5), b + 2 * PG, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));

	/* page 3's first bytes into edu, then out into page 1 at 512 */
	DMA_FROM(b);
	DMA_TO(b + PG + 512);
	memcpy(self->expect + 1 * PG + 512, PAGE(3), XFER);
	EXPECT_RAM();

	/* across an IOVA page boundary: page 1's tail, then page 5's head */
	DMA_TO(b + 2 * PG - XFER / 4);
	memcpy(self->expect + 2 * PG - XFER / 4, PAGE(3), XFER / 4);
	memcpy(self->expect + 5 * PG, PAGE(3) + XFER / 4, XFER - XFER / 4);
	EXPECT_RAM();

	/* and back: what is at B + 8K (page 5) comes out at B (page 3) */
	DMA_FROM(b + 2 * PG + 256);
	DMA_TO(b + 2048);
	memcpy(self->expect + 3 * PG + 2048, self->expect + 5 * PG + 256, XFER);
	EXPECT_RAM();
}

/*
 * An IOVA never mapped, between two mappings and far from them: the DMA
 * completes and writes none of our pages, and VT-d reports the fault.
 */
TEST_F_TIMEOUT(vtd, unmapped_iova_not_reached, TIMEOUT)
{
	__u64 b = self->iova + 0x100000, hole = b + 2 * PG, far = b + 0x80000;
	int before;

	ASSERT_EQ(0, edu_map(self->container, self->buf, b, 2 * PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(4), b + 3 * PG, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	DMA_FROM(b + PG);		/* page 1's bytes in edu */

	/* the driver's fault messages are rate-limited: start a new window */
	usleep(5200 * 1000);
	before = edu_dmar_faults(hole);
	ASSERT_LE(0, before);
	DMA_TO(hole);
	EXPECT_RAM();
	EXPECT_TRUE(edu_dmar_fault_new(hole, before, 5000))
		TH_LOG("no DMAR fault for IOVA %#llx in the kernel log",
		       (unsigned long long)hole);
	DMA_TO(far);
	EXPECT_RAM();

	/* the mappings around the hole still work */
	DMA_TO(b + 3 * PG);
	memcpy(self->expect + 4 * PG, PAGE(1), XFER);
	EXPECT_RAM();
}

/* Unmap one page of two: DMA to it reaches nothing, the other still works. */
TEST_F_TIMEOUT(vtd, unmap_then_dma_not_reached, TIMEOUT)
{
	__u64 b = self->iova + 0x200000;

	ASSERT_EQ(0, edu_map(self->container, PAGE(0), b, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(6), b + PG, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	DMA_FROM(b);
	DMA_TO(b + PG);			/* mapped: lands in page 6 */
	memcpy(self->expect + 6 * PG, PAGE(0), XFER);
	EXPECT_RAM();

	/* new bytes in edu, so that a write that got through would show */
	DMA_FROM(b + 2048);
	ASSERT_EQ((long long)PG, edu_unmap(self->container, b + PG, PG, 0));
	DMA_TO(b + PG);
	DMA_TO(b + PG + 2048);
	EXPECT_RAM();

	DMA_TO(b + 512);		/* page 0 is still mapped */
	memcpy(self->expect + 512, PAGE(0) + 2048, XFER);
	EXPECT_RAM();
}

/* VFIO_DMA_UNMAP_FLAG_ALL: nothing is reached afterwards. */
TEST_F_TIMEOUT(vtd, unmap_all_then_dma_not_reached, TIMEOUT)
{
	__u64 b = self->iova + 0x300000;

	ASSERT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, edu_map(self->container, PAGE(2), b, 2 * PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(7), b + 0x10000, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	DMA_FROM(b + 0x10000);
	DMA_TO(b + PG);
	memcpy(self->expect + 3 * PG, PAGE(7), XFER);
	EXPECT_RAM();

	DMA_FROM(b + 0x10000 + 1024);
	ASSERT_EQ(3LL * PG,
		  edu_unmap(self->container, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL));
	DMA_TO(b);
	DMA_TO(b + PG + 2048);
	DMA_TO(b + 0x10000 + 2048);
	EXPECT_RAM();
}

/* A read-only mapping is read by the device and never written. */
TEST_F_TIMEOUT(vtd, read_only_mapping_not_written, TIMEOUT)
{
	__u64 b = self->iova + 0x400000;

	ASSERT_EQ(0, edu_map(self->container, PAGE(0), b, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(1), b + PG, PG,
			     VFIO_DMA_MAP_FLAG_READ));
	DMA_FROM(b + PG + 1000);	/* reading it works */
	DMA_TO(b + 100);
	memcpy(self->expect + 100, PAGE(1) + 1000, XFER);
	EXPECT_RAM();

	DMA_FROM(b);
	DMA_TO(b + PG);			/* writing it does not */
	DMA_TO(b + PG + 3000);
	EXPECT_RAM();
}

/*
 * After UNMAP_DMA the device cannot read the page any more: a DMA from the
 * old IOVA does not bring its bytes into edu (whatever QEMU leaves in the
 * buffer, it is not the unmapped page's content).
 */
TEST_F_TIMEOUT(vtd, unmapped_page_not_read, TIMEOUT)
{
	__u64 b = self->iova + 0x500000;

	ASSERT_EQ(0, edu_map(self->container, PAGE(0), b, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, edu_map(self->container, PAGE(5), b + PG, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	/* control: while mapped, page 5 is read */
	DMA_FROM(b + PG);
	DMA_TO(b + 2048);
	ASSERT_EQ(0, memcmp(PAGE(0) + 2048, PAGE(5), XFER));

	memcpy(self->expect, self->buf, NPAGES * PG);
	DMA_FROM(b);			/* page 0's bytes in edu */
	ASSERT_EQ((long long)PG, edu_unmap(self->container, b + PG, PG, 0));
	DMA_FROM(b + PG);		/* refused by the IOMMU */
	DMA_TO(b + 2048);
	EXPECT_NE(0, memcmp(PAGE(0) + 2048, PAGE(5), XFER));
	/* and nothing but page 0's second half may have changed */
	memcpy(self->expect + 2048, PAGE(0) + 2048, XFER);
	EXPECT_RAM();
}

/*
 * A VMM asking for type1 v2 (QEMU's vfio-pci) while vfio_iommu_nested
 * serves type1 v2 for its map clients: the VFIO core asks the nested
 * backend first (loaded after type1), which refuses the physical group,
 * and the group lands in vfio_iommu_type1. The fixture's VFIO_SET_IOMMU
 * succeeded; the container answers as type1 does (VFIO_UPDATE_VADDR),
 * not as the nested backend (which has no VFIO_UPDATE_VADDR).
 */
TEST_F_TIMEOUT(vtd, type1v2_physical_group_lands_in_type1, TIMEOUT)
{
	if (variant->type != VFIO_TYPE1v2_IOMMU)
		SKIP(return, "the type1 variant's check");
	if (access("/sys/module/vfio_iommu_nested/parameters/serve_type1v2", F_OK))
		SKIP(return, "vfio_iommu_nested without type1 v2 serving");
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU));
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	/* and it maps: stage 2 of type1 */
	ASSERT_EQ(0, edu_map(self->container, PAGE(0), self->iova, PG,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	DMA_FROM(self->iova);
}

TEST_HARNESS_MAIN
