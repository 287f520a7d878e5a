// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: flow 1 of DESIGN.md end to end through the simulated
 * accelerator. A PASID from /dev/ioasid, a guest stage-1 table bound for it
 * on the nested container, descriptors (memmove, fill, compare, CRC32C,
 * batch, noop, drain) submitted to a dedicated and a shared work queue,
 * through pwrite(2) and through the mapped portal page (the fixture's
 * variants), executed as DMA through the nested translation: the bytes,
 * the completion records, the interrupt eventfds and the counters are
 * checked. Also: the device's VFIO description, the sysfs configuration,
 * a descriptor with another /dev/ioasid file's PASID never touching that
 * file's memory, malformed descriptors, and every ioctl's length,
 * extensibility and bad inputs.
 */
#include "sva_utils.h"

/* Test mdevs of this program: SVA_UUID(0x00) to (0x3f). */
#define UUID_MAIN	0x00
#define UUID_OTHER	0x01
#define UUID_CFG	0x02
#define UUID_NOIOASID	0x03
#define RAM_SIZE	(4ULL << 20)

#define QD		0	/* the default dedicated queue */
#define QS		1	/* the default shared queue */

FIXTURE(sva) {
	struct sva_env e;
	int kick[2];
	int irq[2];
};

FIXTURE_VARIANT(sva) {
	bool mapped;	/* submit through the mapped portal page */
};

FIXTURE_VARIANT_ADD(sva, pwrite) { .mapped = false };
FIXTURE_VARIANT_ADD(sva, mapped) { .mapped = true };

FIXTURE_SETUP(sva)
{
	int q, ret;

	self->e.ioasid = -1;
	sva_dev_init(&self->e.d);
	for (q = 0; q < 2; q++) {
		self->kick[q] = -1;
		self->irq[q] = -1;
	}
	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	ret = sva_env_setup(&self->e, UUID_MAIN, NULL, RAM_SIZE);
	ASSERT_EQ(0, ret) TH_LOG("set-up: %s", strerror(-ret));
	ASSERT_EQ(2, self->e.d.nr_queues);
	for (q = 0; q < 2; q++) {
		self->irq[q] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, self->irq[q]);
		ASSERT_EQ(0, sva_set_irq(self->e.d.dev, SVA_SIM_IRQ_COMPLETION,
					 q, self->irq[q]));
	}
	ASSERT_EQ(0, sva_env_enable(&self->e, QD, true));
	ASSERT_EQ(0, sva_env_enable(&self->e, QS, false));
	if (variant->mapped) {
		struct sva_sim_info info;

		ASSERT_EQ(0, sva_get_info(self->e.d.dev, &info));
		if (!(info.out_flags & SVA_SIM_INFO_MMAP))
			SKIP(return, "the portal is not mappable here");
		ASSERT_EQ(0, sva_portal_map(&self->e.d));
		for (q = 0; q < 2; q++) {
			self->kick[q] = eventfd(0, EFD_CLOEXEC);
			ASSERT_LE(0, self->kick[q]);
			ASSERT_EQ(0, sva_set_kick(self->e.d.dev, q,
						  self->kick[q]));
		}
	}
}

FIXTURE_TEARDOWN(sva)
{
	int q;

	sva_env_teardown(&self->e);
	for (q = 0; q < 2; q++) {
		if (self->kick[q] >= 0)
			close(self->kick[q]);
		if (self->irq[q] >= 0)
			close(self->irq[q]);
	}
}

/* Submit as the variant says: 0 accepted, else the errno. */
static int submit(FIXTURE_DATA(sva) * self, const FIXTURE_VARIANT(sva) * v,
		  __u32 q, const struct sva_sim_desc *desc)
{
	if (v->mapped)
		return sva_submit_mapped(&self->e.d, q, self->kick[q], desc);
	return sva_submit(&self->e.d, q, desc);
}

static void pattern(void *buf, size_t len, unsigned int seed)
{
	__u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (__u8)(seed * 29 + i * 7 + (i >> 9));
}

/* A completion record's slot in guest RAM (32-byte aligned). */
struct cr_slot {
	__u64 iova;
	struct sva_sim_completion *cr;
};

static struct cr_slot new_cr(struct sva_env *e)
{
	struct cr_slot c;

	c.iova = sva_buf(e, sizeof(*c.cr), (void **)&c.cr);
	return c;
}

/* Every operation, on the dedicated and on the shared queue. */
TEST_F(sva, operations)
{
	struct sva_sim_stats st0, st;
	__u32 q, pasid = self->e.pasid;

	ASSERT_EQ(0, sva_stats(self->e.d.dev, SVA_SIM_ALL_QUEUES, &st0));
	for (q = 0; q < 2; q++) {
		struct sva_sim_desc d;
		struct cr_slot c[6];
		__u8 *src, *dst, *fill, *other;
		__u64 s, t, f, o, pat = 0x0123456789abcdefULL;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(c); i++)
			c[i] = new_cr(&self->e);
		s = sva_buf(&self->e, 3 * 4096, (void **)&src);
		t = sva_buf(&self->e, 3 * 4096, (void **)&dst);
		f = sva_buf(&self->e, 2 * 4096, (void **)&fill);
		o = sva_buf(&self->e, 4096, (void **)&other);
		ASSERT_NE(0, o);
		pattern(src, 3 * 4096, 1 + q);
		memset(dst, 0xee, 3 * 4096);
		memset(fill, 0x11, 2 * 4096);

		/* memmove across pages, not page aligned */
		d = sva_desc(SVA_SIM_OP_MEMMOVE, pasid, 9000, s + 100, t + 300,
			     c[0].iova);
		ASSERT_EQ(0, submit(self, variant, q, &d));
		/* fill of 5000 bytes at an odd address */
		d = sva_desc(SVA_SIM_OP_FILL, pasid, 5000, 0, f + 3, c[1].iova);
		d.pattern = pat;
		ASSERT_EQ(0, submit(self, variant, q, &d));
		/* compare: equal after the memmove, then a difference */
		d = sva_desc(SVA_SIM_OP_COMPARE, pasid, 9000, s + 100, t + 300,
			     c[2].iova);
		ASSERT_EQ(0, submit(self, variant, q, &d));
		memcpy(other, src, 4096);
		other[1234] ^= 0x40;
		d = sva_desc(SVA_SIM_OP_COMPARE, pasid, 4096, s, o, c[3].iova);
		ASSERT_EQ(0, submit(self, variant, q, &d));
		/* CRC32C of 6000 bytes, seeded */
		d = sva_desc(SVA_SIM_OP_CRC32C, pasid, 6000, s + 17, 0,
			     c[4].iova);
		d.pattern = 0x9abcdef0;
		ASSERT_EQ(0, submit(self, variant, q, &d));
		/* a noop with an interrupt marks the end */
		d = sva_desc(SVA_SIM_OP_NOOP, pasid, 0, 0, 0, c[5].iova);
		d.flags |= SVA_SIM_F_RCI;
		ASSERT_EQ(0, submit(self, variant, q, &d));

		ASSERT_LT(0, sva_eventfd_wait(self->irq[q], SVA_WAIT_MS));
		/* completes in order: every record is written by then */
		for (i = 0; i < ARRAY_SIZE(c); i++)
			ASSERT_EQ(SVA_SIM_COMP_SUCCESS, c[i].cr->status)
				TH_LOG("queue %u, descriptor %zu", q, i);
		/* only the queue's own vector fired */
		EXPECT_EQ(0, sva_eventfd_wait(self->irq[!q], 0));

		EXPECT_EQ(9000, c[0].cr->bytes_done);
		EXPECT_EQ(0, memcmp(dst + 300, src + 100, 9000));
		EXPECT_EQ(0xee, dst[299]);
		EXPECT_EQ(0xee, dst[9300]);

		EXPECT_EQ(5000, c[1].cr->bytes_done);
		for (i = 0; i < 5000; i++)
			if (fill[3 + i] != (__u8)(pat >> (8 * (i % 8))))
				break;
		EXPECT_EQ(5000, i);
		EXPECT_EQ(0x11, fill[2]);
		EXPECT_EQ(0x11, fill[5003]);

		EXPECT_EQ(0, c[2].cr->result);
		EXPECT_EQ(9000, c[2].cr->bytes_done);
		EXPECT_EQ(1, c[3].cr->result);
		EXPECT_EQ(1234, c[3].cr->bytes_done);

		EXPECT_EQ(sva_crc32c(0x9abcdef0, src + 17, 6000), c[4].cr->crc);
		EXPECT_EQ(6000, c[4].cr->bytes_done);
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			EXPECT_EQ(0, c[i].cr->fault_addr);
			EXPECT_EQ(0, c[i].cr->fault_info);
		}
	}
	ASSERT_EQ(0, sva_stats(self->e.d.dev, SVA_SIM_ALL_QUEUES, &st));
	EXPECT_EQ(12, st.submitted - st0.submitted);
	EXPECT_EQ(12, st.accepted - st0.accepted);
	EXPECT_EQ(12, st.completed - st0.completed);
	EXPECT_EQ(12, st.success - st0.success);
	EXPECT_EQ(2, st.irqs - st0.irqs);
	EXPECT_EQ(0, st.cr_faults - st0.cr_faults);
	EXPECT_EQ(0, st.faults + st.bad_pasid + st.aborted);
	EXPECT_EQ(variant->mapped ? 12 : 0, st.kicks - st0.kicks);
	/* per queue: half each */
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QD, &st));
	EXPECT_EQ(6, st.completed);
}

/* memmove's ranges may overlap, both ways. */
TEST_F(sva, memmove_overlap)
{
	static __u8 ref[8192];
	struct cr_slot c = new_cr(&self->e);
	struct sva_sim_desc d;
	__u8 *b;
	__u64 a = sva_buf(&self->e, 8192, (void **)&b);
	int dir;

	for (dir = 0; dir < 2; dir++) {
		pattern(b, 8192, 5 + dir);
		memcpy(ref, b, 8192);
		memset(c.cr, 0, sizeof(*c.cr));
		if (dir) {
			d = sva_desc(SVA_SIM_OP_MEMMOVE, self->e.pasid, 6000,
				     a + 1000, a, c.iova);
			memmove(ref, ref + 1000, 6000);
		} else {
			d = sva_desc(SVA_SIM_OP_MEMMOVE, self->e.pasid, 6000,
				     a, a + 1000, c.iova);
			memmove(ref + 1000, ref, 6000);
		}
		ASSERT_EQ(0, submit(self, variant, QS, &d));
		ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c.cr, SVA_WAIT_MS));
		EXPECT_EQ(0, memcmp(ref, b, 8192)) TH_LOG("direction %d", dir);
	}
}

/* A batch: its descriptors in order with the batch's PASID, each its record. */
TEST_F(sva, batch)
{
	struct sva_sim_desc *list, d;
	struct cr_slot c[4], cb = new_cr(&self->e);
	__u8 *src, *dst;
	__u64 l, s, t;
	int i;

	for (i = 0; i < 4; i++)
		c[i] = new_cr(&self->e);
	l = sva_buf(&self->e, 4 * sizeof(*list), (void **)&list);
	s = sva_buf(&self->e, 4096, (void **)&src);
	t = sva_buf(&self->e, 4096, (void **)&dst);
	pattern(src, 4096, 9);
	list[0] = sva_desc(SVA_SIM_OP_MEMMOVE, 0, 2048, s, t, c[0].iova);
	list[1] = sva_desc(SVA_SIM_OP_FILL, 0, 1024, 0, t + 2048, c[1].iova);
	list[1].pattern = 0x5a5a5a5a5a5a5a5aULL;
	list[2] = sva_desc(SVA_SIM_OP_CRC32C, 0, 3072, t, 0, c[2].iova);
	d = sva_desc(SVA_SIM_OP_BATCH, self->e.pasid, 3, l, 0, cb.iova);
	d.flags |= SVA_SIM_F_RCI;
	ASSERT_EQ(0, submit(self, variant, QD, &d));
	ASSERT_LT(0, sva_eventfd_wait(self->irq[QD], SVA_WAIT_MS));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cb.cr, SVA_WAIT_MS));
	EXPECT_EQ(3, cb.cr->bytes_done);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(SVA_SIM_COMP_SUCCESS, c[i].cr->status);
	EXPECT_EQ(0, memcmp(dst, src, 2048));
	EXPECT_EQ(0x5a, dst[2048]);
	EXPECT_EQ(0x5a, dst[3071]);
	EXPECT_EQ(0, dst[3072]);
	/* in order: the CRC saw the memmove and the fill */
	EXPECT_EQ(sva_crc32c(0, dst, 3072), c[2].cr->crc);

	/* one malformed member: the batch fails, the others still run */
	memset(cb.cr, 0, sizeof(*cb.cr));
	for (i = 0; i < 4; i++)
		memset(c[i].cr, 0, sizeof(*c[i].cr));
	memset(dst, 0, 4096);
	list[1].pasid = self->e.pasid;		/* no PASID inside a batch */
	list[3] = sva_desc(SVA_SIM_OP_DRAIN, 0, 0, 0, 0, c[3].iova);
	d.size = 4;
	ASSERT_EQ(0, submit(self, variant, QD, &d));
	ASSERT_EQ(SVA_SIM_COMP_BATCH_FAIL, sva_wait_cr(cb.cr, SVA_WAIT_MS));
	EXPECT_EQ(2, cb.cr->bytes_done);
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, c[0].cr->status);
	EXPECT_EQ(SVA_SIM_COMP_INVALID, c[1].cr->status);
	EXPECT_EQ(SVA_SIM_INVALID_RESERVED, c[1].cr->result);
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, c[2].cr->status);
	EXPECT_EQ(SVA_SIM_COMP_INVALID, c[3].cr->status);
	EXPECT_EQ(SVA_SIM_INVALID_OPCODE, c[3].cr->result);
	EXPECT_EQ(0, memcmp(dst, src, 2048));
	EXPECT_EQ(0, dst[2048]);		/* the malformed fill did nothing */

	/* batch sizes: 0 and more than the maximum are malformed */
	d.size = 0;
	EXPECT_EQ(-EINVAL, submit(self, variant, QD, &d));
	d.size = SVA_SIM_MAX_BATCH + 1;
	EXPECT_EQ(-EINVAL, submit(self, variant, QD, &d));
	/* a list that is not 64-byte aligned */
	d.size = 1;
	d.src = l + 32;
	EXPECT_EQ(-EINVAL, submit(self, variant, QD, &d));
}

/* A drain descriptor completes after everything before it. */
TEST_F(sva, drain_descriptor)
{
	struct cr_slot c[8];
	struct sva_sim_desc d;
	__u8 *b;
	__u64 a = sva_buf(&self->e, 64 * 1024, (void **)&b);
	int i;

	for (i = 0; i < 8; i++)
		c[i] = new_cr(&self->e);
	for (i = 0; i < 7; i++) {
		d = sva_desc(SVA_SIM_OP_FILL, self->e.pasid, 8192, 0,
			     a + i * 8192, c[i].iova);
		d.pattern = i + 1;
		ASSERT_EQ(0, submit(self, variant, QS, &d));
	}
	d = sva_desc(SVA_SIM_OP_DRAIN, self->e.pasid, 0, 0, 0, c[7].iova);
	ASSERT_EQ(0, submit(self, variant, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c[7].cr, SVA_WAIT_MS));
	for (i = 0; i < 7; i++) {
		EXPECT_EQ(SVA_SIM_COMP_SUCCESS, c[i].cr->status);
		EXPECT_EQ(i + 1, b[i * 8192]);
		EXPECT_EQ(i + 1, b[i * 8192 + 8184]);
	}
	/* and the ioctl drain returns with nothing in flight */
	ASSERT_EQ(0, sva_drain(self->e.d.dev, QS, 0));
	{
		struct sva_sim_queue_info qi;

		ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
		EXPECT_EQ(0, qi.occupancy);
		EXPECT_EQ(SVA_SIM_QUEUE_ENABLED, qi.state);
	}
}

/* A dedicated queue accepts its own PASID only. */
TEST_F(sva, dedicated_pasid_only)
{
	struct cr_slot c = new_cr(&self->e);
	struct sva_sim_stats st;
	struct sva_sim_desc d;
	__u32 other;

	ASSERT_EQ(0, ioasid_alloc_any(self->e.ioasid, &other));
	d = sva_desc(SVA_SIM_OP_NOOP, other, 0, 0, 0, c.iova);
	EXPECT_EQ(-EACCES, submit(self, variant, QD, &d));
	d.pasid = 0;
	EXPECT_EQ(-EACCES, submit(self, variant, QD, &d));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QD, &st));
	EXPECT_EQ(2, st.refused);
	EXPECT_EQ(0, st.accepted);
	usleep(20000);
	EXPECT_EQ(0, c.cr->status);	/* never executed */
	d.pasid = self->e.pasid;
	ASSERT_EQ(0, submit(self, variant, QD, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c.cr, SVA_WAIT_MS));
}

/* Malformed descriptors are not accepted; the reason is counted. */
TEST_F(sva, malformed)
{
	struct cr_slot c = new_cr(&self->e);
	struct sva_sim_stats st;
	__u64 a = sva_buf(&self->e, 4096, NULL);
	struct sva_sim_desc good = sva_desc(SVA_SIM_OP_FILL, self->e.pasid, 64,
					    0, a, c.iova), d;
	int n = 0;

#define BAD(stmt) do {							\
		d = good;						\
		stmt;							\
		EXPECT_EQ(-EINVAL, submit(self, variant, QS, &d))	\
			TH_LOG("%s", #stmt);				\
		n++;							\
	} while (0)
	BAD(d.opcode = 7);
	BAD(d.opcode = 0xffffffff);
	BAD(d.flags |= 1 << 2);
	BAD(d.flags = 1U << 31);
	BAD(d.pasid |= 1 << 20);
	BAD(d.__reserved[0] = 1);
	BAD(d.__reserved[1] = 1ULL << 63);
	BAD(d.src = a);			/* a field fill does not use */
	BAD(d.size = 0);
	BAD(d.size = SVA_SIM_MAX_XFER_SIZE + 1);
	BAD(d.completion = c.iova + 8);	/* not 32-byte aligned */
	BAD(d.completion = 0);		/* RCR without a record */
	BAD(d.dst = ~0ULL - 10);	/* wraps */
	BAD(d.opcode = SVA_SIM_OP_NOOP; d.size = 1);
	BAD(d.opcode = SVA_SIM_OP_CRC32C; d.src = a; d.dst = 0;
	    d.pattern = 1ULL << 32);	/* a seed wider than 32 bits */
#undef BAD
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(n, st.invalid);
	EXPECT_EQ(0, st.accepted);
	/* the good one is */
	ASSERT_EQ(0, submit(self, variant, QS, &good));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c.cr, SVA_WAIT_MS));
}

/* A disabled queue's portal is closed, in both directions of its life. */
TEST_F(sva, portal_closed)
{
	struct cr_slot c = new_cr(&self->e);
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0,
					 0, c.iova);
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;

	ASSERT_EQ(0, sva_disable(self->e.d.dev, QS, 0));
	EXPECT_EQ(0, sva_disable(self->e.d.dev, QS, 0));	/* nothing to do */
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
	EXPECT_EQ(-ENXIO, submit(self, variant, QS, &d));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(1, st.closed);
	/* a disabled queue has nothing to drain */
	EXPECT_EQ(0, sva_drain(self->e.d.dev, QS, 0));
	ASSERT_EQ(0, sva_enable(self->e.d.dev, QS, 0));
	EXPECT_EQ(-EBUSY, sva_enable(self->e.d.dev, QS, 0));
	ASSERT_EQ(0, submit(self, variant, QS, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c.cr, SVA_WAIT_MS));
	/* the dedicated queue keeps its PASID across disable and enable */
	ASSERT_EQ(0, sva_disable(self->e.d.dev, QD, 0));
	EXPECT_EQ(-ENXIO, submit(self, variant, QD, &d));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QD, &qi));
	EXPECT_TRUE(qi.out_flags & SVA_SIM_QUEUE_F_PASID_SET);
	EXPECT_EQ(self->e.pasid, qi.pasid);
	EXPECT_EQ(self->e.pasid, qi.host_pasid);
	ASSERT_EQ(0, sva_enable(self->e.d.dev, QD, 0));
	memset(c.cr, 0, sizeof(*c.cr));
	ASSERT_EQ(0, submit(self, variant, QD, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(c.cr, SVA_WAIT_MS));
}

/*
 * A descriptor with a PASID of another /dev/ioasid file (bound in another
 * container, to a guest whose memory sits at the same addresses) never
 * touches that memory; the dedicated queue cannot even be given it.
 */
TEST_F(sva, other_file_pasid)
{
	struct sva_env o;
	struct cr_slot c = new_cr(&self->e), oc;
	struct sva_sim_stats st0, st;
	struct sva_sim_desc d;
	__u8 *mine, *theirs, *theirs_src;
	__u64 a, oa, os;
	int i;

	if (variant->mapped)
		SKIP(return, "does not depend on the way of submitting");

	ASSERT_EQ(0, sva_env_setup(&o, UUID_OTHER, NULL, RAM_SIZE));
	/* the same layout in both guests: the same IOVAs */
	oc = new_cr(&o);
	a = sva_buf(&self->e, 4096, (void **)&mine);
	oa = sva_buf(&o, 4096, (void **)&theirs);
	os = sva_buf(&o, 4096, (void **)&theirs_src);
	EXPECT_EQ(c.iova, oc.iova);
	EXPECT_EQ(a, oa);
	memset(theirs, 0x77, 4096);
	memset(theirs_src, 0x99, 4096);
	memset(oc.cr, 0x55, sizeof(*oc.cr));

	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st0));
	/* a fill and a memmove at their addresses, with their PASID */
	d = sva_desc(SVA_SIM_OP_FILL, o.pasid, 4096, 0, a, c.iova);
	d.pattern = 0x4242424242424242ULL;
	ASSERT_EQ(0, submit(self, variant, QS, &d));
	d = sva_desc(SVA_SIM_OP_MEMMOVE, o.pasid, 4096, os, a, c.iova);
	ASSERT_EQ(0, submit(self, variant, QS, &d));
	ASSERT_EQ(0, sva_drain(self->e.d.dev, QS, 0));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(2, st.completed - st0.completed);
	EXPECT_EQ(2, st.bad_pasid - st0.bad_pasid);
	/* the record needs the PASID too: not written anywhere */
	EXPECT_EQ(2, st.cr_faults - st0.cr_faults);
	EXPECT_EQ(0, st.bytes - st0.bytes);
	for (i = 0; i < 4096; i++)
		if (theirs[i] != 0x77 || mine[i])
			break;
	EXPECT_EQ(4096, i);
	EXPECT_EQ(0x55, ((__u8 *)oc.cr)[0]);
	EXPECT_EQ(0, c.cr->status);

	/* their device, their queue: the same descriptor works there */
	ASSERT_EQ(0, sva_env_enable(&o, QS, false));
	d = sva_desc(SVA_SIM_OP_FILL, o.pasid, 4096, 0, oa, oc.iova);
	d.pattern = 0x4242424242424242ULL;
	memset(oc.cr, 0, sizeof(*oc.cr));
	ASSERT_EQ(0, sva_submit(&o.d, QS, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(oc.cr, SVA_WAIT_MS));
	EXPECT_EQ(0x42, theirs[4095]);

	/* a dedicated queue is never given another file's PASID */
	ASSERT_EQ(0, sva_disable(self->e.d.dev, QD, 0));
	EXPECT_EQ(-ENOENT, sva_set_pasid(self->e.d.dev, QD, 0, o.pasid));
	sva_env_teardown(&o);
}

/* The device as VFIO describes it. */
TEST_F(sva, vfio_description)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct sva_sim_info info;
	struct sva_sim_queue_info qi;
	char buf[64];

	if (variant->mapped)
		SKIP(return, "does not depend on the way of submitting");

	ASSERT_EQ(0, ioctl(self->e.d.dev, VFIO_DEVICE_GET_INFO, &di));
	EXPECT_TRUE(di.flags & VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(1, di.num_regions);
	EXPECT_EQ(SVA_SIM_NUM_IRQS, di.num_irqs);
	ii.index = SVA_SIM_IRQ_COMPLETION;
	ASSERT_EQ(0, ioctl(self->e.d.dev, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(2, ii.count);
	EXPECT_TRUE(ii.flags & VFIO_IRQ_INFO_EVENTFD);
	ii.index = SVA_SIM_IRQ_REQ;
	ASSERT_EQ(0, ioctl(self->e.d.dev, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(1, ii.count);
	ii.index = SVA_SIM_NUM_IRQS;
	EXPECT_EQ(-1, ioctl(self->e.d.dev, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(2 * SVA_SIM_PORTAL_SIZE, self->e.d.portal_size);
	EXPECT_TRUE(self->e.d.portal_flags & VFIO_REGION_INFO_FLAG_READ);
	EXPECT_TRUE(self->e.d.portal_flags & VFIO_REGION_INFO_FLAG_WRITE);

	ASSERT_EQ(0, sva_get_info(self->e.d.dev, &info));
	EXPECT_TRUE(info.out_flags & SVA_SIM_INFO_NESTED);
	EXPECT_FALSE(info.out_flags & SVA_SIM_INFO_KVM);
	EXPECT_EQ(!!(info.out_flags & SVA_SIM_INFO_MMAP),
		  !!(self->e.d.portal_flags & VFIO_REGION_INFO_FLAG_MMAP));
	EXPECT_EQ(SVA_SIM_PORTAL_SIZE, info.portal_size);
	EXPECT_EQ(SVA_SIM_PORTAL_SLOTS, info.portal_slots);
	EXPECT_EQ(SVA_SIM_MAX_XFER_SIZE, info.max_xfer_size);
	EXPECT_EQ(SVA_SIM_MAX_BATCH, info.max_batch);
	EXPECT_EQ(0x7f, info.opcodes);
	EXPECT_EQ(SVA_SIM_F_RCR | SVA_SIM_F_RCI, info.desc_flags);

	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QD, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_DEDICATED, qi.mode);
	EXPECT_EQ(32, qi.size);
	EXPECT_EQ(SVA_SIM_QUEUE_ENABLED, qi.state);
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_SHARED, qi.mode);
	EXPECT_EQ(0, qi.pasid);
	EXPECT_EQ(variant->mapped ? SVA_SIM_QUEUE_F_KICK : 0, qi.out_flags);

	/* the type's device_api, as mdevctl types shows it */
	{
		int fd = open(SVA_TYPE_DIR "/device_api", O_RDONLY);
		ssize_t n;

		ASSERT_LE(0, fd);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		ASSERT_LT(0, n);
		buf[n] = 0;
		EXPECT_STREQ(SVA_SIM_DEVICE_API "\n", buf);
	}
	/* pread of the portal: a page of free slots */
	if (!variant->mapped) {
		static struct sva_sim_portal p;

		ASSERT_EQ(sizeof(p), pread(self->e.d.dev, &p, sizeof(p),
					   self->e.d.portal_off));
		EXPECT_EQ(SVA_SIM_SLOT_FREE, p.status[0]);
	}
}

/* Not readable; global, so that the compiler does not see it is bad. */
void *sva_bad_ptr = (void *)8;

/* Writes to the portal that are not one descriptor at a slot. */
TEST_F(sva, portal_bad_writes)
{
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0,
					 0, 0);
	char big[128] = { 0 };
	__u64 base = sva_slot_off(&self->e.d, QS, 0);

	memcpy(big, &d, sizeof(d));
	EXPECT_EQ(-1, pwrite(self->e.d.dev, big, 63, base));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->e.d.dev, big, 128, base));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->e.d.dev, big, 64, base + 8));
	EXPECT_EQ(EINVAL, errno);
	/* the status words are not slots */
	EXPECT_EQ(-1, pwrite(self->e.d.dev, big, 64,
			     base + SVA_SIM_PORTAL_SLOTS * 64));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->e.d.dev, sva_bad_ptr, 64, base));
	EXPECT_EQ(EFAULT, errno);
	/* any slot of the page works */
	EXPECT_EQ(64, pwrite(self->e.d.dev, &d, 64,
			     sva_slot_off(&self->e.d, QS, 31)));
	/* past the last queue's page: no such offset */
	EXPECT_EQ(-1, pwrite(self->e.d.dev, &d, 64,
			     sva_slot_off(&self->e.d, 2, 0)));
	/* the mapped page: the device ignores slots not in SUBMIT state */
	if (variant->mapped) {
		struct sva_sim_portal *p = self->e.d.map;
		__u64 one = 1;
		struct sva_sim_stats st0, st;

		ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st0));
		p = (void *)((char *)p + QS * SVA_SIM_PORTAL_SIZE);
		memcpy(&p->slot[3], &d, sizeof(d));
		__atomic_store_n(&p->status[3], SVA_SIM_SLOT_BUSY, __ATOMIC_RELEASE);
		ASSERT_EQ(8, write(self->kick[QS], &one, 8));
		EXPECT_EQ(SVA_SIM_SLOT_BUSY, p->status[3]);
		ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
		EXPECT_EQ(st0.submitted, st.submitted);
		EXPECT_EQ(st0.kicks + 1, st.kicks);
		p->status[3] = SVA_SIM_SLOT_FREE;
	}
}

/* ---- ioctls: length, extensibility, bad inputs ----------------------------- */

struct ioctl_case {
	const char *name;
	unsigned long cmd;
	__u32 size;	/* the structure's size */
	__u32 min;	/* its first published size */
	__u32 reserved;	/* offset of a must-be-zero field, 0: none */
	__u32 flag;	/* an unknown flag */
};

static const struct ioctl_case ioctls[] = {
	{ "GET_INFO", SVA_SIM_GET_INFO, sizeof(struct sva_sim_info), 40, 0, 1 },
	{ "QUEUE_INFO", SVA_SIM_QUEUE_INFO, sizeof(struct sva_sim_queue_info),
	  40, 0, 1 },
	{ "QUEUE_SET_PASID", SVA_SIM_QUEUE_SET_PASID,
	  sizeof(struct sva_sim_queue_pasid), 16, 0, 2 },
	{ "QUEUE_ENABLE", SVA_SIM_QUEUE_ENABLE,
	  sizeof(struct sva_sim_queue_enable), 16,
	  offsetof(struct sva_sim_queue_enable, __reserved), 2 },
	{ "QUEUE_DISABLE", SVA_SIM_QUEUE_DISABLE,
	  sizeof(struct sva_sim_queue_drain), 16,
	  offsetof(struct sva_sim_queue_drain, __reserved), 2 },
	{ "QUEUE_DRAIN", SVA_SIM_QUEUE_DRAIN,
	  sizeof(struct sva_sim_queue_drain), 16,
	  offsetof(struct sva_sim_queue_drain, __reserved), 2 },
	{ "QUEUE_SET_KICK", SVA_SIM_QUEUE_SET_KICK,
	  sizeof(struct sva_sim_queue_kick), 16, 0, 1 },
	{ "GET_STATS", SVA_SIM_GET_STATS, sizeof(struct sva_sim_stats), 144,
	  offsetof(struct sva_sim_stats, __reserved), 1 },
};

/*
 * Every ioctl: a short argsz is EINVAL, a longer one with a non-zero tail
 * E2BIG and with a zero tail accepted, an unknown flag EOPNOTSUPP, a
 * reserved field EOPNOTSUPP, a queue out of range EINVAL, a bad pointer
 * EFAULT. The arguments name the shared queue (the dedicated one for
 * SET_PASID), which the calls leave as they found it.
 */
TEST_F(sva, ioctl_lengths)
{
	static __u8 buf[512];
	unsigned int i;

	if (variant->mapped)
		SKIP(return, "does not depend on the way of submitting");

	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		const struct ioctl_case *c = &ioctls[i];
		__u32 *w = (__u32 *)buf;
		bool set_pasid = c->cmd == SVA_SIM_QUEUE_SET_PASID;
		bool kick = c->cmd == SVA_SIM_QUEUE_SET_KICK;
		bool enable = c->cmd == SVA_SIM_QUEUE_ENABLE;

#define PREP(sz) do {							\
		memset(buf, 0, sizeof(buf));				\
		w[0] = (sz);						\
		w[2] = set_pasid ? QD : QS;				\
		if (set_pasid)						\
			w[3] = self->e.pasid;				\
		if (kick)						\
			w[3] = -1;					\
	} while (0)
		/* SET_PASID and ENABLE need the queue disabled */
		if (set_pasid)
			ASSERT_EQ(0, sva_disable(self->e.d.dev, QD, 0));
		if (enable)
			ASSERT_EQ(0, sva_disable(self->e.d.dev, QS, 0));

		PREP(c->min - 4);
		EXPECT_EQ(-EINVAL, np_ioctl(self->e.d.dev, c->cmd, buf))
			TH_LOG("%s short", c->name);
		PREP(c->size + 8);
		buf[c->size + 3] = 1;
		EXPECT_EQ(-E2BIG, np_ioctl(self->e.d.dev, c->cmd, buf))
			TH_LOG("%s tail", c->name);
		PREP(c->size);
		w[1] = c->flag << 16;
		EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->e.d.dev, c->cmd, buf))
			TH_LOG("%s flag", c->name);
		if (c->reserved) {
			PREP(c->size);
			buf[c->reserved] = 1;
			EXPECT_EQ(-EOPNOTSUPP,
				  np_ioctl(self->e.d.dev, c->cmd, buf))
				TH_LOG("%s reserved", c->name);
		}
		if (c->cmd != SVA_SIM_GET_INFO) {
			PREP(c->size);
			w[2] = 2;
			if (c->cmd == SVA_SIM_GET_STATS)
				w[2] = 0x80000000;
			EXPECT_EQ(-EINVAL, np_ioctl(self->e.d.dev, c->cmd, buf))
				TH_LOG("%s queue", c->name);
		}
		EXPECT_EQ(-EFAULT, np_ioctl(self->e.d.dev, c->cmd, (void *)8))
			TH_LOG("%s pointer", c->name);
		/* longer with a zero tail, then exactly the size: both work */
		PREP(c->size + 64);
		EXPECT_EQ(0, np_ioctl(self->e.d.dev, c->cmd, buf))
			TH_LOG("%s long", c->name);
		if (set_pasid || enable)
			ASSERT_EQ(0, sva_disable(self->e.d.dev, w[2], 0));
		PREP(c->size);
		EXPECT_EQ(0, np_ioctl(self->e.d.dev, c->cmd, buf))
			TH_LOG("%s exact", c->name);
		/* the first published size: outputs stop there */
		if (c->min < c->size) {
			PREP(c->min);
			memset(buf + c->min, 0xcc, 16);
			EXPECT_EQ(0, np_ioctl(self->e.d.dev, c->cmd, buf));
			EXPECT_EQ(0xcc, buf[c->min]);
		}
#undef PREP
		if (set_pasid)
			ASSERT_EQ(0, sva_enable(self->e.d.dev, QD, 0));
	}
	/* the output of GET_INFO with a larger argsz: the known fields */
	{
		struct sva_sim_info *info = (void *)buf;

		memset(buf, 0, sizeof(buf));
		info->argsz = sizeof(buf);
		ASSERT_EQ(0, np_ioctl(self->e.d.dev, SVA_SIM_GET_INFO, buf));
		EXPECT_EQ(2, info->nr_queues);
		EXPECT_EQ(0, buf[sizeof(*info)]);
	}
	/* an unknown number of the type, and a VFIO one the device lacks */
	EXPECT_EQ(-ENOTTY, np_ioctl(self->e.d.dev, _IO(SVA_SIM_TYPE, 0x3f), buf));
	EXPECT_EQ(-ENOTTY, np_ioctl(self->e.d.dev, _IO(SVA_SIM_TYPE, 0x08), buf));
}

/* The bad inputs of each queue ioctl. */
TEST_F(sva, ioctl_bad_inputs)
{
	struct sva_sim_queue_info qi;
	__u32 other;
	int fd;

	if (variant->mapped)
		SKIP(return, "does not depend on the way of submitting");

	/* SET_PASID */
	EXPECT_EQ(-EBUSY, sva_set_pasid(self->e.d.dev, QD, 0, self->e.pasid));
	ASSERT_EQ(0, sva_disable(self->e.d.dev, QD, 0));
	EXPECT_EQ(-EINVAL, sva_set_pasid(self->e.d.dev, QD, 0, 0));
	EXPECT_EQ(-EINVAL, sva_set_pasid(self->e.d.dev, QD, 0, 1 << 20));
	EXPECT_EQ(-EINVAL, sva_set_pasid(self->e.d.dev, QS, 0, self->e.pasid));
	EXPECT_EQ(-ENOENT, sva_set_pasid(self->e.d.dev, QD, 0, 0xfffff));
	/* a freed PASID is no longer the file's */
	ASSERT_EQ(0, ioasid_alloc_any(self->e.ioasid, &other));
	ASSERT_EQ(0, ioasid_free_pasid(self->e.ioasid, other));
	EXPECT_EQ(-ENOENT, sva_set_pasid(self->e.d.dev, QD, 0, other));
	/* a guest PASID that is not attached */
	EXPECT_EQ(-ENOENT, sva_set_pasid(self->e.d.dev, QD, SVA_SIM_PASID_GUEST,
					 77));
	/* the queue kept its PASID through the failures */
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QD, &qi));
	EXPECT_EQ(self->e.pasid, qi.pasid);
	/* named as a guest PASID: resolved to the host PASID now */
	ASSERT_EQ(0, ioasid_attach(self->e.ioasid, self->e.pasid, 77));
	ASSERT_EQ(0, sva_set_pasid(self->e.d.dev, QD, SVA_SIM_PASID_GUEST, 77));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QD, &qi));
	EXPECT_EQ(77, qi.pasid);
	EXPECT_EQ(self->e.pasid, qi.host_pasid);
	EXPECT_TRUE(qi.out_flags & SVA_SIM_QUEUE_F_PASID_GUEST);

	/* ENABLE */
	EXPECT_EQ(-EINVAL, sva_enable(self->e.d.dev, QD,
				      SVA_SIM_QUEUE_F_GUEST_PASID));
	ASSERT_EQ(0, sva_disable(self->e.d.dev, QS, 0));
	/* no KVM VM: the guest-PASID mode cannot open */
	EXPECT_EQ(-ENODEV, sva_enable(self->e.d.dev, QS,
				      SVA_SIM_QUEUE_F_GUEST_PASID));
	EXPECT_EQ(-EOPNOTSUPP, sva_enable(self->e.d.dev, QS,
					  SVA_SIM_QUEUE_F_PASID_SET));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);

	/* SET_KICK */
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, sva_set_kick(self->e.d.dev, QS, fd));
	close(fd);
	EXPECT_EQ(-EBADF, sva_set_kick(self->e.d.dev, QS, fd));
	EXPECT_EQ(-EBADF, sva_set_kick(self->e.d.dev, QS, -2));
	EXPECT_EQ(0, sva_set_kick(self->e.d.dev, QS, -1));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(0, qi.out_flags & SVA_SIM_QUEUE_F_KICK);

	/* DRAIN with an unknown flag, on a disabled queue */
	EXPECT_EQ(-EOPNOTSUPP, sva_drain(self->e.d.dev, QS, 2));

	/* SET_IRQS beyond the queues */
	EXPECT_EQ(-EINVAL, sva_set_irq(self->e.d.dev, SVA_SIM_IRQ_COMPLETION,
				       2, self->irq[0]));

	/*
	 * SET_IRQS eventfds: all the vectors named or none. A bad second fd
	 * leaves vector 0 with its eventfd, not the new one.
	 */
	fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fd);
	{
		struct {
			struct vfio_irq_set s;
			__s32 fd[2];
		} a = {
			.s = {
				.argsz = sizeof(a),
				.flags = VFIO_IRQ_SET_DATA_EVENTFD |
					 VFIO_IRQ_SET_ACTION_TRIGGER,
				.index = SVA_SIM_IRQ_COMPLETION,
				.count = 2,
			},
			.fd = { fd, -2 },
		};

		EXPECT_EQ(-EINVAL, np_ioctl(self->e.d.dev, VFIO_DEVICE_SET_IRQS,
					    &a.s));
		a.s.argsz = sizeof(a.s);
		a.s.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		a.s.count = 1;
		EXPECT_EQ(0, np_ioctl(self->e.d.dev, VFIO_DEVICE_SET_IRQS, &a.s));
		EXPECT_EQ(0, sva_eventfd_wait(fd, 0));
		EXPECT_LT(0, sva_eventfd_wait(self->irq[0], 0));
	}
	close(fd);
}

/* A container without a /dev/ioasid file: no PASID can be set. */
TEST(no_ioasid_file)
{
	struct sva_dev d;
	struct sva_sim_info info;

	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	ASSERT_EQ(0, sva_dev_open(&d, UUID_NOIOASID, NULL));
	EXPECT_EQ(-ENXIO, sva_set_pasid(d.dev, QD, 0, 5));
	EXPECT_EQ(-EINVAL, sva_enable(d.dev, QD, 0));
	ASSERT_EQ(0, sva_get_info(d.dev, &info));
	EXPECT_TRUE(info.out_flags & SVA_SIM_INFO_NESTED);
	sva_dev_close(&d);
}

/* The per-instance sysfs configuration, as mdevctl sets it. */
TEST(sysfs_config)
{
	static const struct sva_cfg cfg = {
		.nr_queues = "4", .sizes = "8,16", .modes = "shared,dedicated",
	};
	struct sva_sim_queue_info qi;
	struct sva_dev d;
	char buf[128];
	__u32 q;

	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	ASSERT_EQ(0, sva_dev_create(&d, UUID_CFG, &cfg));
	ASSERT_EQ(0, sva_attr_get(d.uuid.s, "nr_queues", buf, sizeof(buf)));
	EXPECT_STREQ("4", buf);
	/* the values not written keep their defaults */
	ASSERT_EQ(0, sva_attr_get(d.uuid.s, "queue_sizes", buf, sizeof(buf)));
	EXPECT_STREQ("8,16,32,32", buf);
	ASSERT_EQ(0, sva_attr_get(d.uuid.s, "queue_modes", buf, sizeof(buf)));
	EXPECT_STREQ("shared,dedicated,shared,shared", buf);
	/* bad values */
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "nr_queues", "0"));
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "nr_queues", "9"));
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "queue_sizes", "0"));
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "queue_sizes", "257"));
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "queue_sizes", "1,2,3,4,5,6,7,8,9"));
	EXPECT_EQ(-EINVAL, sva_attr_set(d.uuid.s, "queue_modes", "posted"));
	/* nothing changed */
	ASSERT_EQ(0, sva_attr_get(d.uuid.s, "queue_sizes", buf, sizeof(buf)));
	EXPECT_STREQ("8,16,32,32", buf);
	/* a single value sets every queue */
	ASSERT_EQ(0, sva_attr_set(d.uuid.s, "queue_sizes", "256"));
	ASSERT_EQ(0, sva_attr_set(d.uuid.s, "queue_sizes", "2,16"));

	ASSERT_EQ(0, sva_dev_open_group(&d));
	ASSERT_EQ(0, sva_dev_open_fd(&d));
	EXPECT_EQ(4, d.nr_queues);
	EXPECT_EQ(4 * SVA_SIM_PORTAL_SIZE, d.portal_size);
	for (q = 0; q < 4; q++) {
		ASSERT_EQ(0, sva_queue_info(d.dev, q, &qi));
		EXPECT_EQ(q == 1 ? SVA_SIM_QUEUE_DEDICATED :
			  SVA_SIM_QUEUE_SHARED, qi.mode);
		EXPECT_EQ(q == 0 ? 2 : q == 1 ? 16 : 256, qi.size);
		EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
	}
	EXPECT_EQ(-EINVAL, sva_queue_info(d.dev, 4, &qi));
	/* no configuration change while the device is open */
	EXPECT_EQ(-EBUSY, sva_attr_set(d.uuid.s, "nr_queues", "2"));
	EXPECT_EQ(-EBUSY, sva_attr_set(d.uuid.s, "queue_modes", "shared"));
	sva_dev_close_fds(&d);
	/* closed: it can be changed again */
	EXPECT_EQ(0, sva_attr_set(d.uuid.s, "nr_queues", "1"));
	sva_dev_close(&d);
}

TEST_HARNESS_MAIN
