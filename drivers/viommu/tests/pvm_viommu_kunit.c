// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of pvm_viommu: the specification's command and log entry
 * layouts (built here from the dwords as the specification and a guest
 * driver lay them out, not with the module's encoders), the ID tables'
 * rules, and the command processor over a synthetic guest memory and a
 * fake nested backend that records what it is asked: execution, the stop
 * on an illegal command or an unmapped guest ID, device table entries and
 * GCR3 tables, the event log's overflow, the PPR path.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../viommu_private.h"
#include "../cmd_fmt.h"

/* ---- a fake backend over a synthetic guest memory ----------------------- */

#define FK_MEM		SZ_1M
#define FK_CALLS	16

struct fk {
	u8 *mem;
	unsigned int binds, unbinds, invs, inv_calls, resps;
	struct vfio_nested_bind_s1 bind[FK_CALLS];
	u32 unbind_pasid[FK_CALLS];
	struct vfio_nested_inv_entry inv[FK_CALLS];
	u32 resp_cookie, resp_code;
	u32 fail_pasid;		/* bind of this guest PASID fails, if not 0 */
	/* guest memory writes: where, and how many invalidations came before */
	unsigned int writes;
	u64 wr_gpa[FK_CALLS];
	unsigned int wr_invs[FK_CALLS];
};

static int fk_rw(void *ctx, u64 gpa, void *buf, size_t len, bool write)
{
	struct fk *f = ctx;

	if (gpa >= FK_MEM || len > FK_MEM - gpa)
		return -EFAULT;
	if (write) {
		if (f->writes < FK_CALLS) {
			f->wr_gpa[f->writes] = gpa;
			f->wr_invs[f->writes] = f->invs;
		}
		f->writes++;
		memcpy(f->mem + gpa, buf, len);
	} else {
		memcpy(buf, f->mem + gpa, len);
	}
	return 0;
}

static int fk_bind(void *ctx, const struct vfio_nested_bind_s1 *b)
{
	struct fk *f = ctx;

	if (f->fail_pasid && b->pasid == f->fail_pasid)
		return -ENOENT;
	if (f->binds < FK_CALLS)
		f->bind[f->binds] = *b;
	f->binds++;
	return 0;
}

static int fk_unbind(void *ctx, u32 flags, u32 pasid)
{
	struct fk *f = ctx;

	if (f->unbinds < FK_CALLS)
		f->unbind_pasid[f->unbinds] = pasid;
	f->unbinds++;
	return 0;
}

static int fk_invalidate(void *ctx, const struct vfio_nested_inv_entry *e,
			 unsigned int n)
{
	struct fk *f = ctx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (f->invs < FK_CALLS)
			f->inv[f->invs] = e[i];
		f->invs++;
	}
	f->inv_calls++;
	return 0;
}

static int fk_page_response(void *ctx, u32 cookie, u32 code)
{
	struct fk *f = ctx;

	f->resps++;
	f->resp_cookie = cookie;
	f->resp_code = code;
	return 0;
}

static const struct pv_backend fk_backend = {
	.rw = fk_rw,
	.bind = fk_bind,
	.unbind = fk_unbind,
	.invalidate = fk_invalidate,
	.page_response = fk_page_response,
};

/* guest memory layout of the tests */
#define G_CMD		0x1000ULL	/* 4 KiB: 256 commands */
#define G_EVT		0x3000ULL	/* 4 KiB: 256 entries */
#define G_PPR		0x5000ULL
#define G_SEM		0x7000ULL
#define G_DTB		0x10000ULL	/* 2 pages: 256 entries */
#define G_GCR3		0x20000ULL
#define G_GCR3_L1	0x21000ULL

struct fx {
	struct fk fk;
	struct pv_viommu v;
	struct pv_vm vm;
	unsigned int ncmd;
};

static void fx_put64(struct fx *x, u64 gpa, u64 val)
{
	__le64 le = cpu_to_le64(val);

	memcpy(x->fk.mem + gpa, &le, 8);
}

static u64 fx_get64(struct fx *x, u64 gpa)
{
	__le64 le;

	memcpy(&le, x->fk.mem + gpa, 8);
	return le64_to_cpu(le);
}

/* a command from its four dwords, as the specification lays them out */
static void fx_cmd(struct fx *x, u32 d0, u32 d1, u32 d2, u32 d3)
{
	u64 gpa = G_CMD + x->ncmd++ * 16;

	fx_put64(x, gpa, (u64)d1 << 32 | d0);
	fx_put64(x, gpa + 8, (u64)d3 << 32 | d2);
}

static void fx_tail(struct fx *x)
{
	pv_mmio_write(&x->v, PVM_VIOMMU_MMIO_CMD_TAIL, x->ncmd * 16);
}

static unsigned int fx_run(struct fx *x)
{
	unsigned int n;

	fx_tail(x);
	mutex_lock(&x->v.lock);
	n = pv_cmd_run(&x->v);
	mutex_unlock(&x->v.lock);
	return n;
}

static int fx_reg(struct fx *x, u32 off, u64 val)
{
	int ret;

	mutex_lock(&x->v.lock);
	ret = pv_reg_write(&x->v, off, val);
	mutex_unlock(&x->v.lock);
	return ret;
}

static int fx_init(struct kunit *test)
{
	struct fx *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->fk.mem = vzalloc(FK_MEM);
	KUNIT_ASSERT_NOT_NULL(test, x->fk.mem);
	KUNIT_ASSERT_EQ(test, pv_viommu_init(&x->v, &fk_backend, &x->fk), 0);
	mutex_init(&x->vm.lock);
	xa_init(&x->vm.guest_ids);
	xa_init(&x->vm.devices);
	xa_init(&x->vm.pasids);
	x->v.vm = &x->vm;
	x->v.created = true;
	/* command buffer and event log of 256 entries, both enabled */
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CMD_BASE,
				     G_CMD | 8ULL << 56), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_EVT_BASE,
				     G_EVT | 8ULL << 56), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_PPR_BASE,
				     G_PPR | 8ULL << 56), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_DEV_TABLE_BASE,
				     G_DTB | 1), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_CMDBUF_EN |
				     PVM_VIOMMU_CTRL_EVT_LOG_EN |
				     PVM_VIOMMU_CTRL_PPRLOG_EN), 0);
	test->priv = x;
	return 0;
}

static void fx_exit(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_dev *d;
	unsigned long i;

	if (!x)
		return;
	mutex_lock(&x->v.lock);
	xa_for_each(&x->v.devs, i, d) {
		pv_dev_release(&x->v, d);
		xa_erase(&x->v.devs, i);
		xa_destroy(&d->pasids);
		kfree(d);
	}
	mutex_unlock(&x->v.lock);
	cancel_work_sync(&x->v.evt_work);
	pv_viommu_fini(&x->v);
	xa_destroy(&x->vm.pasids);
	xa_destroy(&x->vm.devices);
	xa_destroy(&x->vm.guest_ids);
	vfree(x->fk.mem);
}

static struct pv_dev *fx_dev(struct kunit *test, struct fx *x, u16 devid)
{
	struct pv_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->v = &x->v;
	d->guest_devid = devid;
	d->dev_id = 100 + devid;
	pv_dev_sink_init(d);
	xa_init(&d->pasids);
	KUNIT_ASSERT_EQ(test, xa_insert(&x->v.devs, devid, d, GFP_KERNEL), 0);
	return d;
}

/* ---- layouts ------------------------------------------------------------ */

static void pv_test_decode_layouts(struct kunit *test)
{
	struct pv_entry e;
	struct pv_cmd c;

	/* COMPLETION_WAIT: store address 51:3 over dwords 0-1, S and I */
	e.q[0] = (u64)(0x1 << 28 | 0x000abcde) << 32 | 0x12345678 | 0x3;
	e.q[1] = 0xfeedfacecafef00dULL;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.op, PVM_VIOMMU_CMD_COMPLETION_WAIT);
	KUNIT_EXPECT_TRUE(test, c.store);
	KUNIT_EXPECT_TRUE(test, c.intr);
	KUNIT_EXPECT_FALSE(test, c.flush);
	KUNIT_EXPECT_EQ(test, c.store_addr, 0xabcde12345678ULL);
	KUNIT_EXPECT_EQ(test, c.store_data, 0xfeedfacecafef00dULL);

	/* INVALIDATE_DEVTAB_ENTRY: device ID in dword 0 */
	e.q[0] = (u64)(0x2 << 28) << 32 | 0x0308;
	e.q[1] = 0;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.devid, 0x0308);

	/* INVALIDATE_IOMMU_PAGES: PASID in dword 0, domain in dword 1 */
	e.q[0] = (u64)(0x3 << 28 | 0x0042) << 32 | 0xabcde;
	e.q[1] = (u64)0x00007fff << 32 | 0xfffff000 | 0x7;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.pasid, 0xabcde);
	KUNIT_EXPECT_EQ(test, c.domid, 0x42);
	KUNIT_EXPECT_TRUE(test, c.size);
	KUNIT_EXPECT_TRUE(test, c.pde);
	KUNIT_EXPECT_TRUE(test, c.gn);
	KUNIT_EXPECT_EQ(test, c.addr, 0x7ffffffff000ULL);

	/* INVALIDATE_IOTLB_PAGES: PASID 15:8 in dword 0, 7:0 in dword 1 */
	e.q[0] = (u64)(0x4 << 28 | 0x34 << 16 | 0x0100) << 32 |
		 0x20 << 24 | 0x12 << 16 | 0x0100;
	e.q[1] = 0x5000 | 0x4;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.devid, 0x100);
	KUNIT_EXPECT_EQ(test, c.pasid, 0x1234);
	KUNIT_EXPECT_TRUE(test, c.gn);
	KUNIT_EXPECT_FALSE(test, c.size);
	KUNIT_EXPECT_EQ(test, c.addr, 0x5000ULL);

	/* COMPLETE_PPR_REQUEST: tag 8:0 and status 15:12 of dword 3 */
	e.q[0] = (u64)(0x7 << 28 | 0x54321) << 32 | 0x0010;
	e.q[1] = (u64)(0xf << 12 | 0x1a5) << 32 | 0x4;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.devid, 0x10);
	KUNIT_EXPECT_EQ(test, c.pasid, 0x54321);
	KUNIT_EXPECT_TRUE(test, c.gn);
	KUNIT_EXPECT_EQ(test, c.tag, 0x1a5);
	KUNIT_EXPECT_EQ(test, c.status, PV_PPR_FAILURE);
	KUNIT_EXPECT_EQ(test, pv_ppr_code(c.status),
			(u32)VFIO_NESTED_PAGE_RESP_FAILURE);

	/* INVALIDATE_IOMMU_ALL: nothing but the opcode */
	e.q[0] = (u64)(0x8 << 28) << 32;
	e.q[1] = 0;
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &c), 0);
	KUNIT_EXPECT_EQ(test, c.op, PVM_VIOMMU_CMD_INV_IOMMU_ALL);
}

static void pv_test_decode_illegal(struct kunit *test)
{
	static const u8 bad_ops[] = { 0x0, 0x6, 0x9, 0xa, 0xf };
	struct pv_entry e;
	struct pv_cmd c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_ops); i++) {
		e.q[0] = (u64)bad_ops[i] << 60;
		e.q[1] = 0;
		KUNIT_EXPECT_EQ(test, pv_cmd_decode(&e, &c), -EINVAL);
	}
	/* reserved bits */
	e.q[0] = 0x8ULL << 60 | 1;
	e.q[1] = 0;
	KUNIT_EXPECT_EQ(test, pv_cmd_decode(&e, &c), -EINVAL);
	e.q[0] = 0x2ULL << 60 | 1ULL << 16;
	KUNIT_EXPECT_EQ(test, pv_cmd_decode(&e, &c), -EINVAL);
	e.q[0] = 0x3ULL << 60 | 1ULL << 20;
	KUNIT_EXPECT_EQ(test, pv_cmd_decode(&e, &c), -EINVAL);
	/* a PPR status that is not a PCIe response code */
	e.q[0] = 0x7ULL << 60;
	e.q[1] = 0x2ULL << 44;
	KUNIT_EXPECT_EQ(test, pv_cmd_decode(&e, &c), -EINVAL);
}

/* every field of two decoded commands */
static void fx_expect_cmd_eq(struct kunit *test, const struct pv_cmd *a,
			     const struct pv_cmd *b)
{
	KUNIT_EXPECT_EQ(test, a->op, b->op);
	KUNIT_EXPECT_EQ(test, a->store, b->store);
	KUNIT_EXPECT_EQ(test, a->intr, b->intr);
	KUNIT_EXPECT_EQ(test, a->flush, b->flush);
	KUNIT_EXPECT_EQ(test, a->store_addr, b->store_addr);
	KUNIT_EXPECT_EQ(test, a->store_data, b->store_data);
	KUNIT_EXPECT_EQ(test, a->devid, b->devid);
	KUNIT_EXPECT_EQ(test, a->domid, b->domid);
	KUNIT_EXPECT_EQ(test, a->pasid, b->pasid);
	KUNIT_EXPECT_EQ(test, a->gn, b->gn);
	KUNIT_EXPECT_EQ(test, a->size, b->size);
	KUNIT_EXPECT_EQ(test, a->pde, b->pde);
	KUNIT_EXPECT_EQ(test, a->addr, b->addr);
	KUNIT_EXPECT_EQ(test, a->tag, b->tag);
	KUNIT_EXPECT_EQ(test, a->status, b->status);
}

/*
 * The processor decodes into a structure nobody cleared: a decode leaves
 * no field as it found it, every one the opcode does not use is 0.
 */
static void pv_test_decode_dirty(struct kunit *test)
{
	static const u64 cmds[][2] = {
		{ 0x1ULL << 60 | 0xabcde12345678ULL | 0x7, 0x1122334455667788ULL },
		{ 0x2ULL << 60 | 0x0308, 0 },
		{ 0x3ULL << 60 | 0x42ULL << 32 | 0xabcde, 0x7ffffffff000ULL | 0x7 },
		{ 0x4ULL << 60 | 0x3401ULL << 32 | 0x20120100, 0x5000 | 0x5 },
		{ 0x5ULL << 60 | 0x0011, 0 },
		{ 0x7ULL << 60 | 0x54321ULL << 32 | 0x0010,
		  0x1a5ULL << 32 | 0x4 },
		{ 0x8ULL << 60, 0 },
	};
	struct pv_cmd clean, dirty;
	struct pv_entry e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		e.q[0] = cmds[i][0];
		e.q[1] = cmds[i][1];
		memset(&clean, 0, sizeof(clean));
		memset(&dirty, 0xa5, sizeof(dirty));
		KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &clean), 0);
		KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &dirty), 0);
		fx_expect_cmd_eq(test, &dirty, &clean);
	}
	/* what the opcodes do not use is 0, not left over */
	KUNIT_EXPECT_EQ(test, dirty.addr, 0ULL);
	KUNIT_EXPECT_EQ(test, dirty.pasid, 0U);
	KUNIT_EXPECT_EQ(test, dirty.store_data, 0ULL);
	KUNIT_EXPECT_FALSE(test, dirty.store);
	KUNIT_EXPECT_EQ(test, dirty.tag, 0);
}

static void pv_test_encode_roundtrip(struct kunit *test)
{
	struct pv_cmd in = {
		.op = PVM_VIOMMU_CMD_INV_IOTLB_PAGES,
		.devid = 0xbeef, .pasid = 0x9fedc, .gn = true, .size = true,
		.addr = 0x1234567000ULL,
	}, out;
	struct pv_entry e;

	pv_cmd_encode(&in, &e);
	KUNIT_ASSERT_EQ(test, pv_cmd_decode(&e, &out), 0);
	KUNIT_EXPECT_EQ(test, out.devid, in.devid);
	KUNIT_EXPECT_EQ(test, out.pasid, in.pasid);
	KUNIT_EXPECT_EQ(test, out.addr, in.addr);
	KUNIT_EXPECT_TRUE(test, out.size && out.gn);
}

static void pv_test_range(struct kunit *test)
{
	struct pv_cmd c = { .op = PVM_VIOMMU_CMD_INV_IOMMU_PAGES };
	struct pv_range r;

	c.addr = 0x10000;
	pv_cmd_range(&c, &r);
	KUNIT_EXPECT_FALSE(test, r.all);
	KUNIT_EXPECT_EQ(test, r.start, 0x10000ULL);
	KUNIT_EXPECT_EQ(test, r.len, 0x1000ULL);
	/* S: 8 KiB at 0x10000 (lowest clear bit 12) */
	c.size = true;
	pv_cmd_range(&c, &r);
	KUNIT_EXPECT_EQ(test, r.start, 0x10000ULL);
	KUNIT_EXPECT_EQ(test, r.len, 0x2000ULL);
	/* S: 2 MiB at 2 MiB is written 0x2ff000 */
	c.addr = 0x2ff000;
	pv_cmd_range(&c, &r);
	KUNIT_EXPECT_EQ(test, r.start, 0x200000ULL);
	KUNIT_EXPECT_EQ(test, r.len, 0x200000ULL);
	/* S with bits 62:12 set: everything */
	c.addr = 0x7ffffffffffff000ULL;
	pv_cmd_range(&c, &r);
	KUNIT_EXPECT_TRUE(test, r.all);
}

static void pv_test_log_layouts(struct kunit *test)
{
	struct vfio_nested_fault rec = {
		.flags = VFIO_NESTED_FAULT_PASID_VALID,
		.pasid = 0x12345,
		.perm = VFIO_NESTED_FAULT_PERM_WRITE,
		.reason = VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT,
		.grpid = 0x1ab,
		.addr = 0x7f0000123000ULL,
	};
	struct pv_entry e;
	u32 d0, d1;

	pv_evt_io_page_fault(&e, 0x0108, 0x42, &rec);
	d0 = lower_32_bits(e.q[0]);
	d1 = upper_32_bits(e.q[0]);
	KUNIT_EXPECT_EQ(test, d0 & 0xffff, 0x0108U);
	KUNIT_EXPECT_EQ(test, (d0 >> 16) & 0xf, 0x1U);	/* PASID 19:16 */
	KUNIT_EXPECT_EQ(test, d1 & 0xffff, 0x2345U);	/* PASID 15:0 */
	/* GN, US, RW; not present: PR clear */
	KUNIT_EXPECT_EQ(test, (d1 >> 16) & 0xfff, 0x025U);
	KUNIT_EXPECT_EQ(test, d1 >> 28, 0x2U);
	KUNIT_EXPECT_EQ(test, e.q[1], rec.addr);

	/* without PASID: the guest domain ID; a privileged read, PR+PE */
	rec.flags = 0;
	rec.perm = VFIO_NESTED_FAULT_PERM_READ | VFIO_NESTED_FAULT_PERM_PRIV;
	rec.reason = VFIO_NESTED_FAULT_REASON_S1_PRIV;
	pv_evt_io_page_fault(&e, 0x0108, 0x42, &rec);
	d1 = upper_32_bits(e.q[0]);
	KUNIT_EXPECT_EQ(test, d1 & 0xffff, 0x42U);
	KUNIT_EXPECT_EQ(test, (d1 >> 16) & 0xfff, 0x050U);
	KUNIT_EXPECT_EQ(test, (lower_32_bits(e.q[0]) >> 16) & 0xf, 0U);

	/* PPR_REQUEST */
	rec.flags = VFIO_NESTED_FAULT_PASID_VALID;
	rec.perm = VFIO_NESTED_FAULT_PERM_WRITE;
	pv_ppr_request(&e, 0x0210, &rec);
	KUNIT_EXPECT_EQ(test, e.q[0] & 0xffff, 0x0210ULL);
	KUNIT_EXPECT_EQ(test, (e.q[0] >> 16) & 0xffff, 0x2345ULL);
	KUNIT_EXPECT_EQ(test, (e.q[0] >> 32) & 0x3ff, 0x1abULL);
	KUNIT_EXPECT_EQ(test, (e.q[0] >> 42) & 0xf, 0x1ULL);
	/* GN 0x100, user 0x40, write 0x20, read 0x4 */
	KUNIT_EXPECT_EQ(test, (e.q[0] >> 48) & 0xfff, 0x164ULL);
	KUNIT_EXPECT_EQ(test, e.q[0] >> 60, 0x1ULL);
	KUNIT_EXPECT_EQ(test, e.q[1], rec.addr);

	pv_evt_illegal_command(&e, 0x1230);
	KUNIT_EXPECT_EQ(test, e.q[0], 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, e.q[1], 0x1230ULL);
}

static void pv_test_dte_and_bases(struct kunit *test)
{
	u64 root = 0x000abcdef1234000ULL, q[4] = {};
	struct pv_dte d;
	u64 base;
	u32 size;

	q[0] = 1 | 2 | 1ULL << 55 | 1ULL << 56 |
	       ((root >> 12) & 0x7) << 58;
	q[1] = 0x77 | ((root >> 15) & 0xffff) << 16 | (root >> 31) << 43;
	q[2] = 1ULL << 54;
	KUNIT_ASSERT_EQ(test, pv_dte_decode(q, &d), 0);
	KUNIT_EXPECT_TRUE(test, d.v && d.tv && d.gv);
	KUNIT_EXPECT_EQ(test, d.glx, 1);
	KUNIT_EXPECT_EQ(test, d.domid, 0x77);
	KUNIT_EXPECT_EQ(test, d.gcr3_root, root);
	KUNIT_EXPECT_EQ(test, d.gpt_level, 1);
	q[0] |= 3ULL << 56;
	KUNIT_EXPECT_EQ(test, pv_dte_decode(q, &d), -EINVAL);

	KUNIT_EXPECT_EQ(test, pv_base_decode(0x1000 | 9ULL << 56, &base, &size),
			0);
	KUNIT_EXPECT_EQ(test, base, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, size, 8192U);
	KUNIT_EXPECT_EQ(test, pv_base_decode(0x1000 | 7ULL << 56, &base, &size),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_base_decode(0x1000 | 9ULL << 56 | 1, &base,
					     &size), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_base_decode(0, &base, &size), 0);
	KUNIT_EXPECT_EQ(test, size, 0U);
}

/* ---- ID tables ----------------------------------------------------------- */

static void pv_test_domain_table(struct kunit *test)
{
	struct fx *x = test->priv;
	u32 host = 0;

	mutex_lock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, pv_dom_query(&x->v, 5, &host), -ENOENT);
	KUNIT_EXPECT_EQ(test, pv_dom_set(&x->v, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, pv_dom_query(&x->v, 5, &host), 0);
	KUNIT_EXPECT_EQ(test, host, 0U);
	KUNIT_EXPECT_EQ(test, pv_dom_set(&x->v, 5, 9), -EEXIST);
	KUNIT_EXPECT_EQ(test, pv_dom_set(&x->v, 6, 9), 0);
	KUNIT_EXPECT_EQ(test, pv_dom_set(&x->v, 0x10000, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_dom_set(&x->v, 7, 0x10000), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_dom_clear(&x->v, 5), 0);
	KUNIT_EXPECT_EQ(test, pv_dom_clear(&x->v, 5), -ENOENT);
	KUNIT_EXPECT_EQ(test, pv_dom_query(&x->v, 6, &host), 0);
	KUNIT_EXPECT_EQ(test, host, 9U);
	mutex_unlock(&x->v.lock);
}

/* ---- the processor ------------------------------------------------------ */

static void pv_test_run_and_stop(struct kunit *test)
{
	struct fx *x = test->priv;

	/* COMPLETION_WAIT store, an illegal opcode, another store */
	fx_cmd(x, G_SEM | 1, 0x1 << 28, 0x1111, 0);
	fx_cmd(x, 0, 0x6 << 28, 0, 0);
	fx_cmd(x, (G_SEM + 8) | 1, 0x1 << 28, 0x2222, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_SEM), 0x1111ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_SEM + 8), 0ULL);
	/* stopped at the illegal command, its address in the event */
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			16ULL);
	KUNIT_EXPECT_FALSE(test, x->v.status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_EVT_TAIL),
			16ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT), 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT + 8), G_CMD + 16);
	/* the status copy in the page follows */
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_STATUS),
			x->v.status);
	/* a stopped processor does nothing */
	KUNIT_EXPECT_EQ(test, fx_run(x), 0U);
	/* the guest fixes the command and restarts it */
	fx_put64(x, G_CMD + 16, 0x8ULL << 60);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN |
				     PVM_VIOMMU_CTRL_CMDBUF_EN), 0);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_SEM + 8), 0x2222ULL);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			48ULL);
	KUNIT_EXPECT_EQ(test, x->v.stats.commands, 3ULL);
	KUNIT_EXPECT_EQ(test, x->v.stats.stops, 1ULL);
}

static void pv_test_unmapped_ids(struct kunit *test)
{
	struct fx *x = test->priv;

	/* a device ID nobody mapped: stop, nothing reaches the backend */
	fx_cmd(x, 0x0005, 0x2 << 28, 0, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 0U);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT), 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT + 8), G_CMD);
	KUNIT_EXPECT_EQ(test, x->fk.binds + x->fk.unbinds + x->fk.invs, 0U);

	/* a domain ID nobody mapped, with a device in the table */
	fx_dev(test, x, 0x0005);
	fx_put64(x, G_CMD, 0x3ULL << 60 | 0x0009ULL << 32);
	fx_put64(x, G_CMD + 8, 0x1000);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL, 0), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN |
				     PVM_VIOMMU_CTRL_CMDBUF_EN), 0);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			0ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT + 16), 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, x->fk.invs, 0U);
}

/* a DTE for @devid: V, TV, GV, one-level GCR3 table at @gcr3, @domid */
static void fx_dte(struct fx *x, u16 devid, u64 gcr3, u16 domid)
{
	u64 gpa = G_DTB + devid * 32ULL;

	fx_put64(x, gpa, 1 | 2 | 1ULL << 55 | ((gcr3 >> 12) & 7) << 58);
	fx_put64(x, gpa + 8, domid | ((gcr3 >> 15) & 0xffff) << 16 |
		 (gcr3 >> 31) << 43);
	fx_put64(x, gpa + 16, 0);
	fx_put64(x, gpa + 24, 0);
}

static void pv_test_dte_binds(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_dev *d = fx_dev(test, x, 0x0010);

	mutex_lock(&x->v.lock);
	KUNIT_ASSERT_EQ(test, pv_dom_set(&x->v, 0x33, 1), 0);
	mutex_unlock(&x->v.lock);
	fx_dte(x, 0x0010, G_GCR3, 0x33);
	fx_put64(x, G_GCR3 + 0 * 8, 0x40000 | PV_GCR3_VALID);
	fx_put64(x, G_GCR3 + 3 * 8, 0x50000 | PV_GCR3_VALID);
	fx_cmd(x, 0x0010, 0x2 << 28, 0, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_ASSERT_EQ(test, x->fk.binds, 2U);
	KUNIT_EXPECT_EQ(test, x->fk.bind[0].flags, (u32)VFIO_NESTED_PASID_NONE);
	KUNIT_EXPECT_EQ(test, x->fk.bind[0].root_gpa, 0x40000ULL);
	KUNIT_EXPECT_EQ(test, x->fk.bind[1].flags,
			(u32)VFIO_NESTED_PASID_GUEST);
	KUNIT_EXPECT_EQ(test, x->fk.bind[1].pasid, 3U);
	KUNIT_EXPECT_EQ(test, x->fk.bind[1].root_gpa, 0x50000ULL);
	KUNIT_EXPECT_EQ(test, x->fk.bind[1].format,
			(u32)VFIO_NESTED_S1_FMT_X86_64_4L);
	KUNIT_EXPECT_TRUE(test, d->has_dte);

	/* an invalidation of the domain, PASID 3, one page */
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0x7000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_ASSERT_EQ(test, x->fk.invs, 1U);
	KUNIT_EXPECT_EQ(test, x->fk.inv[0].type, (u32)VFIO_NESTED_INV_ADDR);
	KUNIT_EXPECT_EQ(test, x->fk.inv[0].pasid, 3U);
	KUNIT_EXPECT_EQ(test, x->fk.inv[0].addr, 0x7000ULL);
	KUNIT_EXPECT_EQ(test, x->fk.inv[0].npages, 1ULL);
	/* a PASID the domain does not use: nothing */
	fx_cmd(x, 4, 0x3 << 28 | 0x33, 0x7000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, x->fk.invs, 1U);

	/* PASID 3 goes from the table: unbound at the next invalidation */
	fx_put64(x, G_GCR3 + 3 * 8, 0);
	fx_cmd(x, 0x0010, 0x2 << 28, 0, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_ASSERT_EQ(test, x->fk.unbinds, 1U);
	KUNIT_EXPECT_EQ(test, x->fk.unbind_pasid[0], 3U);
	KUNIT_EXPECT_EQ(test, x->fk.binds, 2U);

	/* a DTE naming a domain not mapped: stop, nothing changes */
	fx_dte(x, 0x0010, G_GCR3, 0x34);
	fx_cmd(x, 0x0010, 0x2 << 28, 0, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 0U);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT) >> 60, 0x1ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT) & 0xffff, 0x10ULL);
	KUNIT_EXPECT_EQ(test, x->fk.unbinds, 1U);
}

/*
 * The answer "a device of the domain uses the PASID" is kept across runs:
 * a device's entry that goes and a domain that goes are seen at once.
 */
static void pv_test_tables_changed(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_dev *d = fx_dev(test, x, 0x0010);

	mutex_lock(&x->v.lock);
	KUNIT_ASSERT_EQ(test, pv_dom_set(&x->v, 0x33, 1), 0);
	mutex_unlock(&x->v.lock);
	fx_dte(x, 0x0010, G_GCR3, 0x33);
	fx_put64(x, G_GCR3 + 3 * 8, 0x50000 | PV_GCR3_VALID);
	fx_cmd(x, 0x0010, 0x2 << 28, 0, 0);
	KUNIT_ASSERT_EQ(test, fx_run(x), 1U);
	KUNIT_ASSERT_EQ(test, x->fk.binds, 1U);
	/* PASID 3 of domain 0x33: used, passed down */
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0x7000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, x->fk.invs, 1U);

	/* the device's entry goes (as at CLEAR_DEVICE): nothing passed down */
	mutex_lock(&x->v.lock);
	pv_dev_release(&x->v, d);
	mutex_unlock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, x->fk.unbinds, 1U);
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0x8000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, x->fk.invs, 1U);

	/* the domain goes: the same command stops the processor */
	mutex_lock(&x->v.lock);
	KUNIT_ASSERT_EQ(test, pv_dom_clear(&x->v, 0x33), 0);
	mutex_unlock(&x->v.lock);
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0x9000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 0U);
	KUNIT_EXPECT_FALSE(test, x->v.status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT), 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT + 8), G_CMD + 3 * 16);
	KUNIT_EXPECT_EQ(test, x->fk.invs, 1U);
}

/*
 * Head and tail are taken modulo the buffer's size (256 entries here):
 * a run that wraps round, and a tail written with bits above the size.
 */
static void pv_test_ring_wrap(struct kunit *test)
{
	struct fx *x = test->priv;
	unsigned int i;

	pv_mmio_write(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD, 254 * 16);
	x->ncmd = 254;
	for (i = 0; i < 4; i++) {
		if (x->ncmd == 256)
			x->ncmd = 0;
		fx_cmd(x, (G_SEM + 8 * i) | 1, 0x1 << 28, 0x100 + i, 0);
	}
	/* the tail as 256 + 2 entries: the same as 2 */
	pv_mmio_write(&x->v, PVM_VIOMMU_MMIO_CMD_TAIL, (256 + 2) * 16);
	mutex_lock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, pv_cmd_run(&x->v), 4U);
	mutex_unlock(&x->v.lock);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, fx_get64(x, G_SEM + 8 * i), 0x100ULL + i);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			2ULL * 16);
	KUNIT_EXPECT_TRUE(test, x->v.status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
}

/* the invalidations that had reached the backend at the write to @gpa */
static unsigned int fx_invs_at_write(struct fx *x, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < min(x->fk.writes, FK_CALLS); i++)
		if (x->fk.wr_gpa[i] == gpa)
			return x->fk.wr_invs[i];
	return UINT_MAX;
}

/*
 * The invalidations of a run go down in batches, in order: all of those
 * before a COMPLETION_WAIT before its store, all of those before an
 * illegal command before its event, none after it; the head is never
 * past an invalidation the backend has not seen.
 */
static void pv_test_inv_batches(struct kunit *test)
{
	struct fx *x = test->priv;
	unsigned int i;

	fx_dev(test, x, 0x0010);
	mutex_lock(&x->v.lock);
	KUNIT_ASSERT_EQ(test, pv_dom_set(&x->v, 0x33, 1), 0);
	mutex_unlock(&x->v.lock);
	fx_dte(x, 0x0010, G_GCR3, 0x33);
	fx_put64(x, G_GCR3 + 3 * 8, 0x50000 | PV_GCR3_VALID);
	fx_cmd(x, 0x0010, 0x2 << 28, 0, 0);
	KUNIT_ASSERT_EQ(test, fx_run(x), 1U);
	KUNIT_ASSERT_EQ(test, x->fk.binds, 1U);
	KUNIT_ASSERT_EQ(test, x->fk.invs, 0U);

	/* three page invalidations of PASID 3, a store, one more */
	for (i = 0; i < 3; i++)
		fx_cmd(x, 3, 0x3 << 28 | 0x33, (0x7000 + i * 0x1000) | 0x4, 0);
	fx_cmd(x, G_SEM | 1, 0x1 << 28, 0x1111, 0);
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0xa000 | 0x4, 0);
	/* a domain nobody mapped: the processor stops here */
	fx_cmd(x, 3, 0x3 << 28 | 0x34, 0xb000 | 0x4, 0);
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0xc000 | 0x4, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 5U);
	/* one backend call before the store, one before the stop */
	KUNIT_EXPECT_EQ(test, x->fk.inv_calls, 2U);
	KUNIT_ASSERT_EQ(test, x->fk.invs, 4U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, x->fk.inv[i].addr, 0x7000ULL + i * 0x1000);
	KUNIT_EXPECT_EQ(test, x->fk.inv[3].addr, 0xa000ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_SEM), 0x1111ULL);
	KUNIT_EXPECT_EQ(test, fx_invs_at_write(x, G_SEM), 3U);
	/* the event names the illegal command, after the 4th went down */
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT), 0x5ULL << 60);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT + 8), G_CMD + 6 * 16);
	KUNIT_EXPECT_EQ(test, fx_invs_at_write(x, G_EVT), 4U);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			6ULL * 16);
	KUNIT_EXPECT_EQ(test, x->v.stats.invalidations, 4ULL);

	/* the fixed command and more than a fetch's worth: all, in order */
	fx_put64(x, G_CMD + 6 * 16, 0);
	fx_put64(x, G_CMD + 6 * 16 + 8, 0);
	x->ncmd = 6;
	fx_cmd(x, 3, 0x3 << 28 | 0x33, 0xb000 | 0x4, 0);
	x->fk.invs = 0;
	x->fk.inv_calls = 0;
	for (i = 0; i < ARRAY_SIZE(x->v.inv) + 1; i++)
		fx_cmd(x, 3, 0x3 << 28 | 0x33, (i % 16) << 12 | 0x4, 0);
	fx_tail(x);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN), 0);
	KUNIT_ASSERT_EQ(test, fx_reg(x, PVM_VIOMMU_MMIO_CONTROL,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN |
				     PVM_VIOMMU_CTRL_CMDBUF_EN), 0);
	KUNIT_EXPECT_EQ(test, x->fk.invs, (unsigned int)ARRAY_SIZE(x->v.inv) + 2);
	KUNIT_EXPECT_EQ(test, x->fk.inv[0].addr, 0xb000ULL);
	KUNIT_EXPECT_EQ(test, x->fk.inv[1].addr, 0x0ULL);
	KUNIT_EXPECT_EQ(test, x->fk.inv[2].addr, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_CMD_HEAD),
			(u64)x->ncmd * 16);
	KUNIT_EXPECT_TRUE(test, x->v.status & PVM_VIOMMU_STATUS_CMDBUF_RUN);
}

static void pv_test_dte_refused_bind(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_dev *d = fx_dev(test, x, 0x0011);

	mutex_lock(&x->v.lock);
	KUNIT_ASSERT_EQ(test, pv_dom_set(&x->v, 0x33, 1), 0);
	mutex_unlock(&x->v.lock);
	/* PASIDs 0, 3 and 5; the VMM did not attach 5 */
	fx_dte(x, 0x0011, G_GCR3, 0x33);
	fx_put64(x, G_GCR3 + 0 * 8, 0x40000 | PV_GCR3_VALID);
	fx_put64(x, G_GCR3 + 3 * 8, 0x50000 | PV_GCR3_VALID);
	fx_put64(x, G_GCR3 + 5 * 8, 0x60000 | PV_GCR3_VALID);
	x->fk.fail_pasid = 5;
	fx_cmd(x, 0x0011, 0x2 << 28, 0, 0);
	KUNIT_EXPECT_EQ(test, fx_run(x), 0U);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_EVT) >> 60, 0x1ULL);
	/* what was bound on the way is given back: nothing changed */
	KUNIT_EXPECT_EQ(test, x->fk.binds, 2U);
	KUNIT_EXPECT_EQ(test, x->fk.unbinds, 2U);
	KUNIT_EXPECT_TRUE(test, xa_empty(&d->pasids));
	KUNIT_EXPECT_TRUE(test, xa_empty(&x->vm.pasids));
	KUNIT_EXPECT_FALSE(test, d->has_dte);
}

static void pv_test_event_overflow(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_entry e = { .q = { 0x2ULL << 60, 0 } };
	unsigned int i;
	int ret = 0;

	mutex_lock(&x->v.lock);
	for (i = 0; i < 255 && !ret; i++)
		ret = pv_log_write(&x->v, false, &e);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, pv_log_write(&x->v, false, &e), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, x->v.status & PVM_VIOMMU_STATUS_EVT_OVERFLOW);
	KUNIT_EXPECT_FALSE(test, x->v.status & PVM_VIOMMU_STATUS_EVT_RUN);
	/* the guest consumes and restarts the log: entries go in again */
	pv_mmio_write(&x->v, PVM_VIOMMU_MMIO_EVT_HEAD, 255 * 16);
	KUNIT_EXPECT_EQ(test, pv_log_write(&x->v, false, &e), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pv_reg_write(&x->v, PVM_VIOMMU_MMIO_CONTROL,
					   PVM_VIOMMU_CTRL_CMDBUF_EN), 0);
	KUNIT_EXPECT_EQ(test, pv_reg_write(&x->v, PVM_VIOMMU_MMIO_CONTROL,
					   PVM_VIOMMU_CTRL_CMDBUF_EN |
					   PVM_VIOMMU_CTRL_EVT_LOG_EN), 0);
	KUNIT_EXPECT_EQ(test, pv_log_write(&x->v, false, &e), 0);
	KUNIT_EXPECT_EQ(test, x->v.stats.dropped, 2ULL);
	mutex_unlock(&x->v.lock);
}

static void pv_test_ppr_path(struct kunit *test)
{
	struct fx *x = test->priv;
	struct pv_dev *d = fx_dev(test, x, 0x0020);
	struct vfio_nested_fault rec = {
		.kind = VFIO_NESTED_FAULT_PAGE_REQ,
		.flags = VFIO_NESTED_FAULT_PASID_VALID |
			 VFIO_NESTED_FAULT_LAST_PAGE,
		.pasid = 7, .perm = VFIO_NESTED_FAULT_PERM_READ,
		.grpid = 0x11, .cookie = 0xc0c0, .addr = 0x123000,
	};

	d->sink.ops->page_request(d->sink.priv, &rec, 1);
	mutex_lock(&x->v.lock);
	pv_evq_drain(&x->v);
	mutex_unlock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, pv_mmio_read(&x->v, PVM_VIOMMU_MMIO_PPR_TAIL),
			16ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_PPR) & 0xffff, 0x20ULL);
	KUNIT_EXPECT_EQ(test, (fx_get64(x, G_PPR) >> 32) & 0x1ff, 0x11ULL);
	KUNIT_EXPECT_EQ(test, fx_get64(x, G_PPR + 8), 0x123000ULL);
	KUNIT_EXPECT_EQ(test, x->fk.resps, 0U);
	/* the guest answers: the backend gets the cookie */
	fx_cmd(x, 0x0020, 0x7 << 28 | 7, 0x4, 0x11);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, x->fk.resps, 1U);
	KUNIT_EXPECT_EQ(test, x->fk.resp_cookie, 0xc0c0U);
	KUNIT_EXPECT_EQ(test, x->fk.resp_code,
			(u32)VFIO_NESTED_PAGE_RESP_SUCCESS);
	/* a second answer to the same tag reaches nobody */
	fx_cmd(x, 0x0020, 0x7 << 28 | 7, 0x4, 0x11);
	KUNIT_EXPECT_EQ(test, fx_run(x), 1U);
	KUNIT_EXPECT_EQ(test, x->fk.resps, 1U);

	/* a PPR log that is off: the request is answered failure at once */
	mutex_lock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, pv_reg_write(&x->v, PVM_VIOMMU_MMIO_CONTROL,
					   PVM_VIOMMU_CTRL_CMDBUF_EN |
					   PVM_VIOMMU_CTRL_EVT_LOG_EN), 0);
	mutex_unlock(&x->v.lock);
	d->sink.ops->page_request(d->sink.priv, &rec, 1);
	mutex_lock(&x->v.lock);
	pv_evq_drain(&x->v);
	mutex_unlock(&x->v.lock);
	KUNIT_EXPECT_EQ(test, x->fk.resps, 2U);
	KUNIT_EXPECT_EQ(test, x->fk.resp_code,
			(u32)VFIO_NESTED_PAGE_RESP_FAILURE);
}

static struct kunit_case pv_fmt_cases[] = {
	KUNIT_CASE(pv_test_decode_layouts),
	KUNIT_CASE(pv_test_decode_illegal),
	KUNIT_CASE(pv_test_decode_dirty),
	KUNIT_CASE(pv_test_encode_roundtrip),
	KUNIT_CASE(pv_test_range),
	KUNIT_CASE(pv_test_log_layouts),
	KUNIT_CASE(pv_test_dte_and_bases),
	{}
};

static struct kunit_suite pv_fmt_suite = {
	.name = "pvm_viommu_fmt",
	.test_cases = pv_fmt_cases,
};

static struct kunit_case pv_proc_cases[] = {
	KUNIT_CASE(pv_test_domain_table),
	KUNIT_CASE(pv_test_run_and_stop),
	KUNIT_CASE(pv_test_unmapped_ids),
	KUNIT_CASE(pv_test_dte_binds),
	KUNIT_CASE(pv_test_inv_batches),
	KUNIT_CASE(pv_test_tables_changed),
	KUNIT_CASE(pv_test_ring_wrap),
	KUNIT_CASE(pv_test_dte_refused_bind),
	KUNIT_CASE(pv_test_event_overflow),
	KUNIT_CASE(pv_test_ppr_path),
	{}
};

static struct kunit_suite pv_proc_suite = {
	.name = "pvm_viommu_processor",
	.init = fx_init,
	.exit = fx_exit,
	.test_cases = pv_proc_cases,
};

kunit_test_suites(&pv_fmt_suite, &pv_proc_suite);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("KUnit tests of pvm_viommu");
#ifdef HAVE_SYMBOL_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
