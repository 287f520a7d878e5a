// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of vfio_iommu_nested's stage 1: the x86-64 walker over
 * synthetic 4- and 5-level tables in a fake guest memory (every permission
 * bit, large pages, non-canonical addresses, reserved bits, stage-2 faults
 * during the walk, accessed and dirty updates and their races), the
 * IOTLB's rules (nothing changes without an invalidation), invalidation
 * granularity, the uAPI entry checks and the memory references per walk.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../s1.h"

/* x86-64 entry bits, written here from the architecture's definition */
#define P	BIT_ULL(0)
#define RW	BIT_ULL(1)
#define US	BIT_ULL(2)
#define A	BIT_ULL(5)
#define D	BIT_ULL(6)
#define PS	BIT_ULL(7)
#define XD	BIT_ULL(63)
#define TBL	(P | RW | US)		/* a table entry that restricts nothing */

#define SZ_4K_	0x1000ULL
#define SZ_2M_	0x200000ULL
#define SZ_1G_	0x40000000ULL

/* the fake guest memory: FM_PAGES table pages at FM_BASE */
#define FM_PAGES	64
#define FM_BASE		0x10000000ULL

/**
 * struct fake_mem - synthetic guest memory seen through a fake stage 2
 * @pg: the pages
 * @next: the next free page
 * @hole: pages stage 2 does not map (-EFAULT)
 * @ro: pages stage 2 maps read-only (a compare-and-exchange gets -EPERM)
 * @reads: read64 calls
 * @cas: cmpxchg64 calls
 * @race_gpa: an entry the "guest" rewrites just before a cmpxchg64 of it...
 * @race_val: ...with this value...
 * @race_left: ...this many more times
 * @hook_gpa: an entry whose read calls @hook (once)
 * @hook: called from read64 of @hook_gpa, as a concurrent thread would
 * @hook_s1: passed to @hook
 */
struct fake_mem {
	u64 *pg[FM_PAGES];
	unsigned int next;
	DECLARE_BITMAP(hole, FM_PAGES);
	DECLARE_BITMAP(ro, FM_PAGES);
	unsigned int reads, cas;
	u64 race_gpa, race_val;
	unsigned int race_left;
	u64 hook_gpa;
	void (*hook)(struct vn_s1 *s1);
	struct vn_s1 *hook_s1;
};

static int fm_index(u64 gpa)
{
	if (gpa < FM_BASE || gpa >= FM_BASE + FM_PAGES * SZ_4K_)
		return -1;
	return (gpa - FM_BASE) / SZ_4K_;
}

static u64 *fm_ptr(struct fake_mem *fm, u64 gpa)
{
	int i = fm_index(gpa);

	if (i < 0 || !fm->pg[i])
		return NULL;
	return &fm->pg[i][(gpa % SZ_4K_) / 8];
}

static int fm_read64(void *ctx, u64 gpa, u64 *val)
{
	struct fake_mem *fm = ctx;
	int i = fm_index(gpa);
	u64 *p = fm_ptr(fm, gpa);

	fm->reads++;
	if (gpa % 8 || !p || test_bit(i, fm->hole))
		return -EFAULT;
	if (fm->hook && gpa == fm->hook_gpa) {
		void (*hook)(struct vn_s1 *s1) = fm->hook;

		fm->hook = NULL;
		hook(fm->hook_s1);
	}
	*val = READ_ONCE(*p);
	return 0;
}

static int fm_cas64(void *ctx, u64 gpa, u64 old, u64 new)
{
	struct fake_mem *fm = ctx;
	int i = fm_index(gpa);
	u64 *p = fm_ptr(fm, gpa);

	fm->cas++;
	if (gpa % 8 || !p || test_bit(i, fm->hole))
		return -EFAULT;
	if (test_bit(i, fm->ro))
		return -EPERM;
	if (fm->race_left && gpa == fm->race_gpa) {
		/* the last change writes race_val; others flip ignored bit 9 */
		fm->race_left--;
		*p = fm->race_val ^ (fm->race_left & 1 ? BIT_ULL(9) : 0);
	}
	if (*p != old)
		return -EAGAIN;
	*p = new;
	return 0;
}

static const struct vn_s2_ops fm_ops = {
	.read64 = fm_read64,
	.cmpxchg64 = fm_cas64,
};

/* A zeroed table page; its GPA. */
static u64 fm_alloc(struct kunit *test, struct fake_mem *fm)
{
	unsigned int i = fm->next++;

	KUNIT_ASSERT_LT(test, i, FM_PAGES);
	fm->pg[i] = kunit_kzalloc(test, SZ_4K_, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fm->pg[i]);
	return FM_BASE + i * SZ_4K_;
}

/* the test's stage 1 and its memory */
struct s1t {
	struct kunit *test;
	struct fake_mem fm;
	struct vn_s1_cfg cfg;
	unsigned int levels;
	struct vn_s1 *s1;
	struct vn_s1_xlate x;
};

static void s1t_free(void *p)
{
	vn_s1_free(p);
}

static struct s1t *s1t_new(struct kunit *test, u32 format, u32 flags,
			   u32 width)
{
	struct s1t *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->levels = format == VFIO_NESTED_S1_FMT_X86_64_5L ? 5 : 4;
	t->cfg.format = format;
	t->cfg.flags = flags;
	t->cfg.addr_width = width;
	t->cfg.root_gpa = fm_alloc(test, &t->fm);
	t->s1 = vn_s1_alloc(&t->cfg);
	KUNIT_ASSERT_NOT_NULL(test, t->s1);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, s1t_free, t->s1),
			0);
	return t;
}

/* GPA of the entry at @level for @iova; the tables above must exist. */
static u64 s1t_entry(struct s1t *t, u64 iova, unsigned int level)
{
	u64 table = t->cfg.root_gpa, gpa;
	unsigned int l;

	for (l = t->levels; ; l--) {
		gpa = table + ((iova >> (12 + 9 * (l - 1))) & 511) * 8;
		if (l == level)
			return gpa;
		KUNIT_ASSERT_NOT_NULL(t->test, fm_ptr(&t->fm, gpa));
		table = *fm_ptr(&t->fm, gpa) & GENMASK_ULL(51, 12);
	}
}

static u64 *s1t_pte(struct s1t *t, u64 iova, unsigned int level)
{
	u64 *p = fm_ptr(&t->fm, s1t_entry(t, iova, level));

	KUNIT_ASSERT_NOT_NULL(t->test, p);
	return p;
}

/*
 * Map @iova to @gpa with a leaf at @level (1: 4K, 2: 2M, 3: 1G) holding
 * @bits (PS added for a large page); missing tables are made with @tbl.
 * Returns the leaf's GPA.
 */
static u64 s1t_map_tbl(struct s1t *t, u64 iova, u64 gpa, unsigned int level,
		       u64 bits, u64 tbl)
{
	u64 table = t->cfg.root_gpa, egpa, *e;
	unsigned int l;

	for (l = t->levels; ; l--) {
		egpa = table + ((iova >> (12 + 9 * (l - 1))) & 511) * 8;
		e = fm_ptr(&t->fm, egpa);
		KUNIT_ASSERT_NOT_NULL(t->test, e);
		if (l == level) {
			*e = gpa | bits | (level > 1 ? PS : 0);
			return egpa;
		}
		if (!(*e & P))
			*e = fm_alloc(t->test, &t->fm) | tbl;
		table = *e & GENMASK_ULL(51, 12);
	}
}

static u64 s1t_map(struct s1t *t, u64 iova, u64 gpa, unsigned int level,
		   u64 bits)
{
	return s1t_map_tbl(t, iova, gpa, level, bits, TBL);
}

static int s1t_xlate(struct s1t *t, u64 iova, u32 access)
{
	return vn_s1_translate(t->s1, iova, access, &fm_ops, &t->fm, &t->x);
}

/* Expect a fault of @reason at @level. */
#define EXPECT_FAULT(t, iova, access, reason_, level_) do {		\
	struct s1t *t__ = (t);						\
	KUNIT_EXPECT_EQ(t__->test, s1t_xlate(t__, iova, access), -EFAULT); \
	KUNIT_EXPECT_STREQ(t__->test, vn_s1_reason_name(t__->x.reason),	\
			   vn_s1_reason_name(reason_));			\
	KUNIT_EXPECT_EQ(t__->test, t__->x.level, (u32)(level_));	\
} while (0)

#define EXPECT_GPA(t, iova, access, gpa_) do {				\
	struct s1t *t__ = (t);						\
	KUNIT_EXPECT_EQ(t__->test, s1t_xlate(t__, iova, access), 0);	\
	KUNIT_EXPECT_EQ(t__->test, t__->x.gpa, (u64)(gpa_));		\
} while (0)

struct fmt_param {
	u32 format;
	const char *name;
};

static const struct fmt_param fmt_params[] = {
	{ VFIO_NESTED_S1_FMT_X86_64_4L, "x86-64 4-level" },
	{ VFIO_NESTED_S1_FMT_X86_64_5L, "x86-64 5-level" },
};

static void fmt_desc(const struct fmt_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fmt, fmt_params, fmt_desc);

static u32 fmt_of(struct kunit *test)
{
	return ((const struct fmt_param *)test->param_value)->format;
}

#define ALL_F	VFIO_NESTED_S1_F_ALL
#define U_R	(VN_ACC_USER | VN_ACC_READ)
#define U_W	(VN_ACC_USER | VN_ACC_WRITE)
#define U_X	(VN_ACC_USER | VN_ACC_EXEC)
#define S_R	VN_ACC_READ
#define S_W	VN_ACC_WRITE
#define S_X	VN_ACC_EXEC

/* ---- bind arguments ---- */

static void s1_test_cfg(struct kunit *test)
{
	struct vn_s1_cfg c = {
		.format = VFIO_NESTED_S1_FMT_X86_64_4L,
		.root_gpa = 0x1000,
	};

	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), 0);
	c.format = VFIO_NESTED_S1_FMT_X86_64_5L;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), 0);
	c.format = 0;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EINVAL);
	c.format = VFIO_NESTED_S1_FMT_ARM64_LPAE;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, vn_s1_alloc(&c));
	c.format = 1000;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EOPNOTSUPP);
	c.format = VFIO_NESTED_S1_FMT_X86_64_4L;
	c.flags = ALL_F;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), 0);
	c.flags = ALL_F + 1;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EOPNOTSUPP);
	c.flags = 0;
	c.addr_width = 31;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EINVAL);
	c.addr_width = 53;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EINVAL);
	c.addr_width = 32;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), 0);
	c.root_gpa = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EINVAL);
	c.root_gpa = (1ULL << 32) - 0x1000;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), 0);
	c.root_gpa = 0x1800;
	KUNIT_EXPECT_EQ(test, vn_s1_cfg_check(&c), -EINVAL);
	KUNIT_EXPECT_NULL(test, vn_s1_alloc(&c));
}

/* ---- the walk ---- */

static void s1_test_basic(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x7f1234567000ULL;

	s1t_map(t, iova, 0xabcde000, 1, P | RW | US);
	EXPECT_GPA(t, iova + 0x123, U_R, 0xabcde123);
	KUNIT_EXPECT_EQ(test, t->x.page_size, SZ_4K_);
	KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_READ | VN_ACC_WRITE |
			VN_ACC_EXEC);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* the rest of the page comes from the IOTLB */
	EXPECT_GPA(t, iova + 0xff8, U_R, 0xabcdeff8);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	KUNIT_EXPECT_EQ(test, t->x.refs, 0);
	/* the next page is not mapped */
	EXPECT_FAULT(t, iova + SZ_4K_, U_R, VN_S1_NOT_PRESENT, 1);
	/* bad access values */
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, VN_ACC_ALL << 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, VN_ACC_WRITE | VN_ACC_EXEC),
			-EINVAL);
}

/* Not present at every level, reported at that level. */
static void s1_test_not_present(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x12345678000ULL;
	unsigned int l;

	s1t_map(t, iova, 0x5000, 1, P | RW | US);
	for (l = 1; l <= t->levels; l++) {
		u64 *e = s1t_pte(t, iova, l);
		u64 saved = *e;

		*e &= ~P;
		vn_s1_invalidate_all(t->s1);
		EXPECT_FAULT(t, iova, U_R, VN_S1_NOT_PRESENT, l);
		*e = saved;
		vn_s1_invalidate_all(t->s1);
		EXPECT_GPA(t, iova, U_R, 0x5000);
	}
}

/*
 * U/S and R/W restrict when clear at any level, XD when set at any level;
 * an upper level is checked as strictly as the leaf.  Permission faults are
 * reported at the leaf's level, where the combined check is made.
 */
static void s1_test_user_bits(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x40000000ULL;
	unsigned int l;

	s1t_map(t, iova, 0x7000, 1, P | RW | US);
	for (l = 1; l <= t->levels; l++) {
		u64 *e = s1t_pte(t, iova, l);
		u64 saved = *e;

		*e &= ~US;
		vn_s1_invalidate_all(t->s1);
		EXPECT_FAULT(t, iova, U_R, VN_S1_USER, 1);
		/* a supervisor read is fine (SMAP: not a user page now) */
		EXPECT_GPA(t, iova, S_R, 0x7000);
		*e = saved & ~RW;
		vn_s1_invalidate_all(t->s1);
		EXPECT_GPA(t, iova, U_R, 0x7000);
		KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_READ | VN_ACC_EXEC);
		EXPECT_FAULT(t, iova, U_W, VN_S1_WRITE, 1);
		*e = saved | XD;
		vn_s1_invalidate_all(t->s1);
		EXPECT_GPA(t, iova, U_W, 0x7000);
		KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_READ | VN_ACC_WRITE);
		EXPECT_FAULT(t, iova, U_X, VN_S1_EXEC, 1);
		*e = saved;
		vn_s1_invalidate_all(t->s1);
		EXPECT_GPA(t, iova, U_X, 0x7000);
	}
}

/* The supervisor checks: PRIV, WP, SMEP, SMAP, each only with its flag. */
static void s1_test_supervisor(struct kunit *test)
{
	u32 fmt = fmt_of(test);
	u64 iova = 0x200000000ULL;
	struct s1t *t;

	/* without PRIV no supervisor request goes through */
	t = s1t_new(test, fmt, ALL_F & ~VFIO_NESTED_S1_F_PRIV, 0);
	s1t_map(t, iova, 0x9000, 1, P | RW);
	EXPECT_FAULT(t, iova, S_R, VN_S1_PRIV, 0);
	EXPECT_FAULT(t, iova, U_R, VN_S1_USER, 1);

	/* WP: a supervisor write to a read-only page */
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV | VFIO_NESTED_S1_F_WP, 0);
	s1t_map(t, iova, 0x9000, 1, P);
	EXPECT_FAULT(t, iova, S_W, VN_S1_WRITE, 1);
	EXPECT_GPA(t, iova, S_R, 0x9000);
	KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_READ | VN_ACC_EXEC);
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV, 0);
	s1t_map(t, iova, 0x9000, 1, P);
	EXPECT_GPA(t, iova, S_W, 0x9000);
	KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_READ | VN_ACC_WRITE |
			VN_ACC_EXEC);
	KUNIT_EXPECT_TRUE(test, *s1t_pte(t, iova, 1) & D);

	/* SMEP: a supervisor fetch from a user page */
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV | VFIO_NESTED_S1_F_SMEP,
		    0);
	s1t_map(t, iova, 0x9000, 1, P | US);
	s1t_map(t, iova + SZ_4K_, 0xa000, 1, P);
	EXPECT_FAULT(t, iova, S_X, VN_S1_SMEP, 1);
	EXPECT_GPA(t, iova, S_R, 0x9000);
	EXPECT_GPA(t, iova + SZ_4K_, S_X, 0xa000);
	EXPECT_GPA(t, iova, U_X, 0x9000);
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV, 0);
	s1t_map(t, iova, 0x9000, 1, P | US);
	EXPECT_GPA(t, iova, S_X, 0x9000);

	/* SMAP: a supervisor read or write of a user page */
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV | VFIO_NESTED_S1_F_SMAP,
		    0);
	s1t_map(t, iova, 0x9000, 1, P | RW | US);
	s1t_map(t, iova + SZ_4K_, 0xa000, 1, P | RW);
	EXPECT_FAULT(t, iova, S_R, VN_S1_SMAP, 1);
	EXPECT_FAULT(t, iova, S_W, VN_S1_SMAP, 1);
	EXPECT_GPA(t, iova, S_X, 0x9000);
	KUNIT_EXPECT_EQ(test, t->x.perm, VN_ACC_EXEC);
	EXPECT_GPA(t, iova + SZ_4K_, S_W, 0xa000);
	EXPECT_GPA(t, iova, U_W, 0x9000);
	t = s1t_new(test, fmt, VFIO_NESTED_S1_F_PRIV, 0);
	s1t_map(t, iova, 0x9000, 1, P | RW | US);
	EXPECT_GPA(t, iova, S_W, 0x9000);
}

/* 2M and 1G pages: address, size, offset bits, PAT bit 12 kept out. */
static void s1_test_large(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 i2m = 0x7fffffe00000ULL, i1g = 0x3fc0000000ULL;
	u64 pat = BIT_ULL(12);

	s1t_map(t, i2m, 0x80000000ULL, 2, P | RW | US | pat);
	EXPECT_GPA(t, i2m + 0x1abcde, U_W, 0x801abcde);
	KUNIT_EXPECT_EQ(test, t->x.page_size, SZ_2M_);
	s1t_map(t, i1g, 0x1c0000000ULL, 3, P | RW | US | pat);
	EXPECT_GPA(t, i1g + 0x3ffff123, U_R, 0x1fffff123ULL);
	KUNIT_EXPECT_EQ(test, t->x.page_size, SZ_1G_);
	/* a 4K PTE's bit 7 is PAT, not PS: it stays a 4K page */
	s1t_map(t, 0x600000000ULL, 0x3000, 1, P | US | PS);
	EXPECT_GPA(t, 0x600000fffULL, U_R, 0x3fff);
	KUNIT_EXPECT_EQ(test, t->x.page_size, SZ_4K_);
}

/* Reserved bits at each place the format reserves them. */
static void s1_test_reserved(struct kunit *test)
{
	u32 fmt = fmt_of(test);
	struct s1t *t = s1t_new(test, fmt, ALL_F, 40);
	u64 iova = 0x80000000ULL, *e;
	unsigned int l;

	s1t_map(t, iova, 0x4000, 1, P | RW | US);
	EXPECT_GPA(t, iova, U_R, 0x4000);
	/* address bits at or above the width, in the leaf ... */
	e = s1t_pte(t, iova, 1);
	*e |= BIT_ULL(40);
	vn_s1_invalidate_all(t->s1);
	EXPECT_FAULT(t, iova, U_R, VN_S1_RSVD, 1);
	*e &= ~BIT_ULL(40);
	*e |= BIT_ULL(39);	/* below the width: an address bit */
	vn_s1_invalidate_all(t->s1);
	EXPECT_GPA(t, iova, U_R, BIT_ULL(39) | 0x4000);
	*e &= ~BIT_ULL(39);
	/* ... and in every table entry, up to bit 51 */
	for (l = 2; l <= t->levels; l++) {
		e = s1t_pte(t, iova, l);
		*e |= BIT_ULL(51);
		vn_s1_invalidate_all(t->s1);
		EXPECT_FAULT(t, iova, U_R, VN_S1_RSVD, l);
		*e &= ~BIT_ULL(51);
	}
	/* bits 52 to 62 are ignored */
	*e |= GENMASK_ULL(62, 52);
	vn_s1_invalidate_all(t->s1);
	EXPECT_GPA(t, iova, U_R, 0x4000);
	/* PS in the top level(s) */
	e = s1t_pte(t, iova, 4);
	*e |= PS;
	vn_s1_invalidate_all(t->s1);
	EXPECT_FAULT(t, iova, U_R, VN_S1_RSVD, 4);
	*e &= ~PS;
	if (t->levels == 5) {
		e = s1t_pte(t, iova, 5);
		*e |= PS;
		vn_s1_invalidate_all(t->s1);
		EXPECT_FAULT(t, iova, U_R, VN_S1_RSVD, 5);
		*e &= ~PS;
	}
	/* low address bits of a 2M and a 1G page (bit 12 is PAT) */
	s1t_map(t, 0x40000000ULL, 0x200000 | BIT_ULL(13), 2, P | US);
	EXPECT_FAULT(t, 0x40000000ULL, U_R, VN_S1_RSVD, 2);
	s1t_map(t, 0x40000000ULL, 0x200000 | BIT_ULL(20), 2, P | US);
	EXPECT_FAULT(t, 0x40000000ULL, U_R, VN_S1_RSVD, 2);
	s1t_map(t, 0x40000000ULL, 0x200000 | BIT_ULL(12), 2, P | US);
	EXPECT_GPA(t, 0x40000000ULL, U_R, 0x200000);
	s1t_map(t, 0x8000000000ULL, SZ_1G_ | BIT_ULL(29), 3, P | US);
	EXPECT_FAULT(t, 0x8000000000ULL, U_R, VN_S1_RSVD, 3);
	s1t_map(t, 0x8000000000ULL, SZ_1G_ | BIT_ULL(21), 3, P | US);
	EXPECT_FAULT(t, 0x8000000000ULL, U_R, VN_S1_RSVD, 3);
	s1t_map(t, 0x8000000000ULL, SZ_1G_ | BIT_ULL(30), 3, P | US);
	EXPECT_GPA(t, 0x8000000000ULL, U_R, SZ_1G_ | BIT_ULL(30));

	/* XD is reserved without NXE */
	t = s1t_new(test, fmt, ALL_F & ~VFIO_NESTED_S1_F_NXE, 0);
	s1t_map(t, iova, 0x4000, 1, P | US | XD);
	EXPECT_FAULT(t, iova, U_R, VN_S1_RSVD, 1);
	s1t_map(t, iova, 0x4000, 1, P | US);
	EXPECT_GPA(t, iova, U_X, 0x4000);
	/* with width 52, bit 51 is an address bit */
	t = s1t_new(test, fmt, ALL_F, 52);
	s1t_map(t, iova, BIT_ULL(51), 1, P | US);
	EXPECT_GPA(t, iova, U_R, BIT_ULL(51));
}

/* Canonical addresses: both halves work, the hole faults. */
static void s1_test_canonical(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	unsigned int w = t->levels == 5 ? 57 : 48;
	u64 top = -BIT_ULL(w - 1);	/* first upper-half address */
	u64 low_end = BIT_ULL(w - 1) - SZ_4K_;

	s1t_map(t, top, 0x11000, 1, P | US);
	s1t_map(t, low_end, 0x12000, 1, P | US);
	s1t_map(t, -SZ_4K_, 0x13000, 1, P | US);
	EXPECT_GPA(t, top, U_R, 0x11000);
	EXPECT_GPA(t, low_end + 8, U_R, 0x12008);
	EXPECT_GPA(t, -8ULL, U_R, 0x13ff8);
	EXPECT_FAULT(t, BIT_ULL(w - 1), U_R, VN_S1_CANONICAL, 0);
	EXPECT_FAULT(t, top - 8, U_R, VN_S1_CANONICAL, 0);
	EXPECT_FAULT(t, BIT_ULL(63), U_R, VN_S1_CANONICAL, 0);
	/* bit 47 alone: non-canonical for 4 levels, PML4 index 256 for 5 */
	if (t->levels == 4) {
		EXPECT_FAULT(t, BIT_ULL(47), U_R, VN_S1_CANONICAL, 0);
	} else {
		s1t_map(t, BIT_ULL(47), 0x14000, 1, P | US);
		EXPECT_GPA(t, BIT_ULL(47) + 16, U_R, 0x14010);
		EXPECT_FAULT(t, BIT_ULL(56), U_R, VN_S1_CANONICAL, 0);
	}
	/* nothing was read for the faults */
	KUNIT_EXPECT_EQ(test, t->x.refs, 0);
}

/* A stage-2 fault on a stage-1 entry: reported with the entry's GPA. */
static void s1_test_s2_fault(struct kunit *test)
{
	u32 fmt = fmt_of(test);
	struct s1t *t = s1t_new(test, fmt, ALL_F, 0);
	u64 iova = 0x55555000ULL, pde, ptgpa;
	unsigned int l;

	s1t_map(t, iova, 0x6000, 1, P | RW | US);
	/* the table holding the entry at each level unmapped in turn */
	for (l = 1; l <= t->levels; l++) {
		u64 egpa = s1t_entry(t, iova, l);
		int i = fm_index(egpa);

		set_bit(i, t->fm.hole);
		vn_s1_invalidate_all(t->s1);
		KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, U_R), -EFAULT);
		KUNIT_EXPECT_EQ(test, t->x.reason, (u32)VN_S1_S2);
		KUNIT_EXPECT_EQ(test, t->x.level, l);
		KUNIT_EXPECT_EQ(test, t->x.s2_err, -EFAULT);
		KUNIT_EXPECT_EQ(test, t->x.fault_gpa, egpa);
		clear_bit(i, t->fm.hole);
	}
	/* a PDE pointing outside guest memory */
	pde = s1t_entry(t, iova, 2);
	ptgpa = *fm_ptr(&t->fm, pde) & GENMASK_ULL(51, 12);
	*fm_ptr(&t->fm, pde) = 0x7000000000ULL | TBL | A;
	vn_s1_invalidate_all(t->s1);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, U_R), -EFAULT);
	KUNIT_EXPECT_EQ(test, t->x.reason, (u32)VN_S1_S2);
	KUNIT_EXPECT_EQ(test, t->x.fault_gpa,
			0x7000000000ULL + ((iova >> 12) & 511) * 8);
	KUNIT_EXPECT_EQ(test, t->x.level, 1);
	*fm_ptr(&t->fm, pde) = ptgpa | TBL | A;

	/* stage 2 maps the page table read-only: the A update fails */
	t = s1t_new(test, fmt, ALL_F, 0);
	s1t_map(t, iova, 0x6000, 1, P | RW | US);
	set_bit(fm_index(s1t_entry(t, iova, 1)), t->fm.ro);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, U_R), -EFAULT);
	KUNIT_EXPECT_EQ(test, t->x.reason, (u32)VN_S1_S2);
	KUNIT_EXPECT_EQ(test, t->x.s2_err, -EPERM);
	KUNIT_EXPECT_EQ(test, t->x.level, 1);
	KUNIT_EXPECT_EQ(test, t->x.fault_gpa, s1t_entry(t, iova, 1));
	/* with A set by the guest a read needs no write: it translates */
	*s1t_pte(t, iova, 1) |= A;
	EXPECT_GPA(t, iova, U_R, 0x6000);
	/* but a write must set D */
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, U_W), -EFAULT);
	KUNIT_EXPECT_EQ(test, t->x.s2_err, -EPERM);
	/* D set by the guest: nothing to write */
	*s1t_pte(t, iova, 1) |= D;
	EXPECT_GPA(t, iova, U_W, 0x6000);
}

/* Accessed at every level used, dirty at the leaf, for writes only. */
static void s1_test_ad(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x2468ace000ULL, i2 = iova + SZ_4K_;
	unsigned int l;

	s1t_map(t, iova, 0x6000, 1, P | RW | US);
	s1t_map(t, i2, 0x7000, 1, P | RW | US);
	for (l = 1; l <= t->levels; l++)
		KUNIT_EXPECT_FALSE(test, *s1t_pte(t, iova, l) & A);
	EXPECT_GPA(t, iova, U_R, 0x6000);
	for (l = 1; l <= t->levels; l++)
		KUNIT_EXPECT_TRUE(test, *s1t_pte(t, iova, l) & A);
	KUNIT_EXPECT_FALSE(test, *s1t_pte(t, iova, 1) & D);
	KUNIT_EXPECT_FALSE(test, *s1t_pte(t, i2, 1) & A);
	/* a write hitting the clean cached entry walks to set D */
	EXPECT_GPA(t, iova, U_W, 0x6000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	KUNIT_EXPECT_TRUE(test, *s1t_pte(t, iova, 1) & D);
	/* now dirty in the IOTLB: the next write hits */
	EXPECT_GPA(t, iova, U_W, 0x6000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* a faulting write sets no D */
	*s1t_pte(t, i2, 1) &= ~RW;
	EXPECT_FAULT(t, i2, U_W, VN_S1_WRITE, 1);
	KUNIT_EXPECT_FALSE(test, *s1t_pte(t, i2, 1) & D);
	/* a faulting write through a cached read-only entry walks nothing */
	EXPECT_GPA(t, i2, U_R, 0x7000);
	t->fm.reads = 0;
	EXPECT_FAULT(t, i2, U_W, VN_S1_WRITE, 1);
	KUNIT_EXPECT_EQ(test, t->fm.reads, 0);
}

/* The guest changes an entry between the walker's read and its update. */
static void s1_test_ad_race(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x13579000ULL, pte;

	pte = s1t_map(t, iova, 0x6000, 1, P | RW | US | A);
	/* the guest makes the page read-only before D can be set */
	t->fm.race_gpa = pte;
	t->fm.race_val = 0x6000 | P | US | A;
	t->fm.race_left = 1;
	EXPECT_FAULT(t, iova, U_W, VN_S1_WRITE, 1);
	KUNIT_EXPECT_EQ(test, *fm_ptr(&t->fm, pte), 0x6000 | P | US | A);
	/* the guest moves the page: the walk follows the new entry */
	*fm_ptr(&t->fm, pte) = 0x6000 | P | RW | US | A;
	t->fm.race_val = 0x8000 | P | RW | US;
	t->fm.race_left = 1;
	EXPECT_GPA(t, iova, U_W, 0x8000);
	KUNIT_EXPECT_EQ(test, *fm_ptr(&t->fm, pte), 0x8000 | P | RW | US | A | D);
	/* a guest that never stops changing it: -EAGAIN, bounded */
	*fm_ptr(&t->fm, pte) = 0x6000 | P | RW | US | A;
	t->fm.race_val = 0x9000 | P | RW | US | A;
	t->fm.race_left = 1000;
	vn_s1_invalidate_all(t->s1);
	t->fm.cas = 0;
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, iova, U_W), -EAGAIN);
	KUNIT_EXPECT_LE(test, t->fm.cas, 16U);
	KUNIT_EXPECT_GT(test, t->fm.cas, 1U);
}

/* ---- the IOTLB ---- */

/* Nothing changes without an invalidation; the range one changes it. */
static void s1_test_iotlb_rules(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x7700000000ULL, pte;

	pte = s1t_map(t, iova, 0x6000, 1, P | RW | US);
	EXPECT_GPA(t, iova, U_W, 0x6000);
	/* remapped without invalidation: still the old page */
	*fm_ptr(&t->fm, pte) = 0x8000 | P | RW | US;
	EXPECT_GPA(t, iova, U_W, 0x6000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* unmapped without invalidation: still there */
	*fm_ptr(&t->fm, pte) = 0;
	EXPECT_GPA(t, iova + 4, U_R, 0x6004);
	/* an invalidation of another page changes nothing */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, iova + SZ_4K_,
						     SZ_4K_, false), 0);
	EXPECT_GPA(t, iova, U_R, 0x6000);
	/* after an invalidation of it: the table as it is now */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, iova, SZ_4K_,
						     true), 0);
	EXPECT_FAULT(t, iova, U_R, VN_S1_NOT_PRESENT, 1);
	/* a fault is not cached */
	*fm_ptr(&t->fm, pte) = 0x8000 | P | RW | US;
	EXPECT_GPA(t, iova, U_R, 0x8000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
}

/* Range invalidation drops exactly the pages that overlap the range. */
static void s1_test_inv_granularity(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 base = 0x100000000ULL, big = 0x200000000ULL, huge = 0x4000000000ULL;
	struct vfio_nested_inv_entry ent = {
		.type = VFIO_NESTED_INV_ADDR, .granule = 12, .npages = 1,
	};
	struct vn_s1_stats st;
	unsigned int i;

	for (i = 0; i < 8; i++)
		s1t_map(t, base + i * SZ_4K_, 0x100000 + i * SZ_4K_, 1,
			P | RW | US | A | D);
	s1t_map(t, big, 0x400000, 2, P | RW | US | A | D);
	s1t_map(t, huge, SZ_1G_, 3, P | RW | US | A | D);
	for (i = 0; i < 8; i++)
		EXPECT_GPA(t, base + i * SZ_4K_, U_R, 0x100000 + i * SZ_4K_);
	EXPECT_GPA(t, big, U_R, 0x400000);
	EXPECT_GPA(t, huge, U_R, SZ_1G_);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 10);

	/* pages 2 and 3: [base + 2 pages, base + 4 pages) */
	ent.addr = base + 2 * SZ_4K_;
	ent.npages = 2;
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, s1t_xlate(t, base + i * SZ_4K_, U_R), 0);
		KUNIT_EXPECT_EQ_MSG(test, t->x.hit, i != 2 && i != 3,
				    "page %u", i);
	}
	/* a byte range: one byte of page 5 drops page 5 only */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, base + 5 * SZ_4K_
						     + 100, 1, false), 0);
	/* a range ending in page 6 and starting in 4 drops 4, 5, 6 */
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 9);
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, base + 4 * SZ_4K_
						     + 8, 2 * SZ_4K_, false),
			0);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 7);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, s1t_xlate(t, base + i * SZ_4K_, U_R), 0);
		KUNIT_EXPECT_EQ_MSG(test, t->x.hit, i < 4 || i == 7,
				    "page %u", i);
	}
	/* a 4K invalidation in the middle of the 2M page drops it */
	ent.addr = big + 0x123000;
	ent.npages = 1;
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	EXPECT_GPA(t, big + 0x1000, U_R, 0x401000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* the 1G page: dropped by a 2M granule invalidation at its end */
	ent.granule = 21;
	ent.addr = huge + SZ_1G_ - SZ_2M_;
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	EXPECT_GPA(t, huge + 5, U_R, SZ_1G_ + 5);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* ... and not by one just past it */
	ent.addr = huge + SZ_1G_;
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	EXPECT_GPA(t, huge + 5, U_R, SZ_1G_ + 5);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* by PASID: everything */
	ent = (struct vfio_nested_inv_entry){ .type = VFIO_NESTED_INV_PASID };
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 0);
	/* a device-TLB entry does not touch the IOTLB */
	EXPECT_GPA(t, big, U_R, 0x400000);
	ent = (struct vfio_nested_inv_entry){ .type = VFIO_NESTED_INV_DEVTLB };
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), 0);
	EXPECT_GPA(t, big, U_R, 0x400000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* a bad entry is refused and drops nothing */
	ent = (struct vfio_nested_inv_entry){
		.type = VFIO_NESTED_INV_ADDR, .granule = 21,
		.addr = big + SZ_4K_, .npages = 1,
	};
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_entry(t->s1, &ent), -EINVAL);
	EXPECT_GPA(t, big, U_R, 0x400000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* bad ranges */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, 5, 0, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, -SZ_4K_,
						     2 * SZ_4K_, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, -SZ_4K_, SZ_4K_,
						     false), 0);
}

/* Upper-half addresses are invalidated by their own (sign-extended) range. */
static void s1_test_inv_upper(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	unsigned int w = t->levels == 5 ? 57 : 48;
	u64 top = -BIT_ULL(w - 1), low = BIT_ULL(w - 1) - SZ_4K_;

	s1t_map(t, top, 0x11000, 1, P | US);
	s1t_map(t, low, 0x12000, 1, P | US);
	EXPECT_GPA(t, top, U_R, 0x11000);
	EXPECT_GPA(t, low, U_R, 0x12000);
	/* the whole non-canonical hole plus the pages on its two sides */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, low,
						     top - low + SZ_4K_,
						     false), 0);
	EXPECT_GPA(t, top, U_R, 0x11000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	EXPECT_GPA(t, low, U_R, 0x12000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* only the upper page */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, top, SZ_4K_,
						     false), 0);
	EXPECT_GPA(t, low, U_R, 0x12000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	EXPECT_GPA(t, top, U_R, 0x11000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* the masked index of the top page is not the lower half's */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, top & (BIT_ULL(w) - 1),
						     SZ_4K_, false), 0);
	EXPECT_GPA(t, top, U_R, 0x11000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
}

static void s1t_inv_all(struct vn_s1 *s1)
{
	vn_s1_invalidate_all(s1);
}

/* An invalidation while a walk runs keeps its result out of the IOTLB. */
static void s1_test_inv_during_walk(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x31000ULL, pte;

	pte = s1t_map(t, iova, 0x6000, 1, P | RW | US | A);
	t->fm.hook_gpa = pte;
	t->fm.hook = s1t_inv_all;
	t->fm.hook_s1 = t->s1;
	EXPECT_GPA(t, iova, U_R, 0x6000);
	KUNIT_EXPECT_NULL(test, t->fm.hook);
	/* not cached: a change of the table is seen at once */
	*fm_ptr(&t->fm, pte) = 0x8000 | P | RW | US | A;
	EXPECT_GPA(t, iova, U_R, 0x8000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	/* without an invalidation in between it is cached */
	*fm_ptr(&t->fm, pte) = 0x6000 | P | RW | US | A;
	EXPECT_GPA(t, iova, U_R, 0x8000);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
}

/*
 * vn_s1_lookup(), the hit path alone: what the IOTLB holds and allows, by
 * the IOTLB's rules, without a walk, through the CPU's copy of its last
 * hit (the test stays on one CPU so that the copy is the one looked at)
 * and the xarrays behind it.
 */
static void s1_test_lookup(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 iova = 0x5500000000ULL, big = 0x5600000000ULL, pte, gpa, size;
	struct vn_s1_stats st;

	pte = s1t_map(t, iova, 0x6000, 1, P | RW | US | A);
	s1t_map(t, big, 0x400000, 2, P | RW | US | A | D);
	migrate_disable();
	/* a miss: false, nothing read, nothing counted */
	t->fm.reads = 0;
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova + 8, U_R, &gpa,
					      &size));
	KUNIT_EXPECT_EQ(test, t->fm.reads, 0);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.hits, 0);
	KUNIT_EXPECT_EQ(test, st.misses, 0);
	/* cached by a translation: hits, with the page's size */
	EXPECT_GPA(t, iova, U_R, 0x6000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova + 8, U_R, &gpa,
					     &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6008);
	KUNIT_EXPECT_EQ(test, size, SZ_4K_);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova + 16, U_R, &gpa,
					     &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6010);
	/* another page in between, then back */
	EXPECT_GPA(t, big + 0x1234, U_R, 0x401234);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, big + 0x12345, U_R, &gpa,
					     &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x412345);
	KUNIT_EXPECT_EQ(test, size, SZ_2M_);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6000);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.hits, 4);
	/* not a hit: a write to a page cached clean (walks to set D) ... */
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova, U_W, &gpa, &size));
	/* ... what the cached translation refuses (SMAP), a bad address */
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova, S_R, &gpa, &size));
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova | BIT_ULL(62), U_R,
					      &gpa, &size));
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.hits, 4);
	/* the write walks and caches the page dirty: then writes hit */
	EXPECT_GPA(t, iova, U_W, 0x6000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova, U_W, &gpa, &size));
	/* the guest moves the page without invalidating: the old one */
	*fm_ptr(&t->fm, pte) = 0x8000 | P | RW | US | A | D;
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6000);
	/* an invalidation of another page leaves it */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, iova + SZ_4K_,
						     SZ_4K_, false), 0);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6000);
	/* one of a byte of it drops it, and this CPU's copy of it */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, iova + 100, 1,
						     true), 0);
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	EXPECT_GPA(t, iova, U_R, 0x8000);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x8000);
	/* all of them */
	vn_s1_invalidate_all(t->s1);
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, iova, U_R, &gpa, &size));
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, big, U_R, &gpa, &size));
	migrate_enable();
}

/*
 * A device copying from one page to another keeps both translations in
 * this CPU's copies (two ways): still the IOTLB's rules. An invalidation
 * of either page drops its copy whichever way holds it, a third page
 * replaces the older copy, and what the ways lose the xarrays still give.
 */
static void s1_test_lookup_ways(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	u64 a = 0x5500000000ULL, b = 0x5500200000ULL, c = 0x5500400000ULL;
	u64 pa, pb, gpa, size;

	pa = s1t_map(t, a, 0x6000, 1, P | RW | US | A | D);
	pb = s1t_map(t, b, 0x7000, 1, P | RW | US | A | D);
	s1t_map(t, c, 0x9000, 1, P | RW | US | A | D);
	migrate_disable();
	EXPECT_GPA(t, a, U_R, 0x6000);
	EXPECT_GPA(t, b, U_W, 0x7000);
	/* the guest moves both without invalidating: both old, alternately */
	*fm_ptr(&t->fm, pa) = 0xa000 | P | RW | US | A | D;
	*fm_ptr(&t->fm, pb) = 0xb000 | P | RW | US | A | D;
	t->fm.reads = 0;
	for (int i = 0; i < 4; i++) {
		KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, a + 8, U_R, &gpa,
						     &size));
		KUNIT_EXPECT_EQ(test, gpa, 0x6008);
		KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, b + 16, U_W, &gpa,
						     &size));
		KUNIT_EXPECT_EQ(test, gpa, 0x7010);
	}
	KUNIT_EXPECT_EQ(test, t->fm.reads, 0);
	/* the page of the second way, then that of the first, invalidated */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, b, SZ_4K_, true),
			0);
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, b, U_R, &gpa, &size));
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, a, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x6000);
	EXPECT_GPA(t, b, U_R, 0xb000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, b, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0xb000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, a, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, a, SZ_4K_, true),
			0);
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, a, U_R, &gpa, &size));
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, b, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0xb000);
	/* a third page: the first two still answer, from a way or not */
	EXPECT_GPA(t, a, U_R, 0xa000);
	EXPECT_GPA(t, c, U_R, 0x9000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, a, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0xa000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, b, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0xb000);
	KUNIT_EXPECT_TRUE(test, vn_s1_lookup(t->s1, c, U_R, &gpa, &size));
	KUNIT_EXPECT_EQ(test, gpa, 0x9000);
	vn_s1_invalidate_all(t->s1);
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, a, U_R, &gpa, &size));
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, b, U_R, &gpa, &size));
	KUNIT_EXPECT_FALSE(test, vn_s1_lookup(t->s1, c, U_R, &gpa, &size));
	migrate_enable();
}

/* The IOTLB is bounded: past VN_S1_IOTLB_MAX entries nothing is added. */
static void s1_test_iotlb_bound(struct kunit *test)
{
	struct s1t *t = s1t_new(test, VFIO_NESTED_S1_FMT_X86_64_4L, ALL_F, 0);
	struct vn_s1_stats st;
	unsigned int i;

	for (i = 0; i <= VN_S1_IOTLB_MAX; i++)
		s1t_map(t, (u64)i * SZ_4K_, 0x100000, 1, P | US | A);
	for (i = 0; i <= VN_S1_IOTLB_MAX; i++)
		KUNIT_ASSERT_EQ(test, s1t_xlate(t, (u64)i * SZ_4K_, U_R), 0);
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.entries, VN_S1_IOTLB_MAX);
	/* the last one walks again, the first ones hit */
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, (u64)VN_S1_IOTLB_MAX * SZ_4K_, U_R),
			0);
	KUNIT_EXPECT_FALSE(test, t->x.hit);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, 0, U_R), 0);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
	/* room again after an invalidation */
	KUNIT_EXPECT_EQ(test, vn_s1_invalidate_range(t->s1, 0, SZ_4K_, false),
			0);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, (u64)VN_S1_IOTLB_MAX * SZ_4K_, U_R),
			0);
	KUNIT_EXPECT_EQ(test, s1t_xlate(t, (u64)VN_S1_IOTLB_MAX * SZ_4K_, U_R),
			0);
	KUNIT_EXPECT_TRUE(test, t->x.hit);
}

/* The uAPI entry checks. */
static void s1_test_inv_entry_check(struct kunit *test)
{
	struct vfio_nested_inv_entry e;

#define CHECK(expect, ...) do {						\
	e = (struct vfio_nested_inv_entry){ __VA_ARGS__ };		\
	KUNIT_EXPECT_EQ(test, vn_s1_inv_entry_check(&e), expect);	\
} while (0)
	CHECK(-EINVAL, .type = 0);
	CHECK(-EINVAL, .type = 5);
	CHECK(0, .type = VFIO_NESTED_INV_ALL);
	CHECK(0, .type = VFIO_NESTED_INV_ALL, .flags = VFIO_NESTED_INV_F_LEAF);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ALL, .pasid = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ALL,
	      .flags = VFIO_NESTED_INV_F_NO_PASID);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ALL, .npages = 1);
	CHECK(-EOPNOTSUPP, .type = VFIO_NESTED_INV_ALL, .flags = 4);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ALL, .__reserved = 1);
	CHECK(0, .type = VFIO_NESTED_INV_PASID, .pasid = 7);
	CHECK(0, .type = VFIO_NESTED_INV_PASID,
	      .flags = VFIO_NESTED_INV_F_NO_PASID);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_PASID, .pasid = 7,
	      .flags = VFIO_NESTED_INV_F_NO_PASID);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_PASID, .pasid = 7,
	      .addr = 0x1000);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_PASID, .dev_id = 1);
	CHECK(0, .type = VFIO_NESTED_INV_ADDR, .pasid = 7, .granule = 12,
	      .addr = 0x1000, .npages = 3);
	CHECK(0, .type = VFIO_NESTED_INV_ADDR, .granule = 21,
	      .addr = 0x200000, .npages = 1, .flags = VFIO_NESTED_INV_F_LEAF);
	CHECK(0, .type = VFIO_NESTED_INV_ADDR, .granule = 30,
	      .addr = 0x40000000, .npages = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 21,
	      .addr = 0x1000, .npages = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 13,
	      .addr = 0x2000, .npages = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 0,
	      .addr = 0, .npages = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 12,
	      .addr = 0x1000, .npages = 0);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 12,
	      .addr = 0x1000, .npages = 1, .dev_id = 2);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 12,
	      .addr = 0x1000, .npages = 1ULL << 52);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_ADDR, .granule = 12,
	      .addr = -0x2000ULL, .npages = 3);
	CHECK(0, .type = VFIO_NESTED_INV_ADDR, .granule = 12,
	      .addr = -0x2000ULL, .npages = 2);
	CHECK(0, .type = VFIO_NESTED_INV_DEVTLB, .dev_id = 3, .pasid = 5);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_DEVTLB, .addr = 0x1000);
	CHECK(0, .type = VFIO_NESTED_INV_DEVTLB, .granule = 12,
	      .addr = 0x1000, .npages = 1);
	CHECK(-EINVAL, .type = VFIO_NESTED_INV_DEVTLB, .granule = 12,
	      .addr = 0x1800, .npages = 1);
#undef CHECK
}

/*
 * Memory references per walk: one read per level, plus one compare-and-
 * exchange per entry whose A (or, for a write, D) bit must be set.
 */
static void s1_test_refs(struct kunit *test)
{
	struct s1t *t = s1t_new(test, fmt_of(test), ALL_F, 0);
	unsigned int n = t->levels;
	u64 iova = 0x4400000000ULL;
	struct vn_s1_stats st;

	s1t_map(t, iova, 0x6000, 1, P | RW | US);
	s1t_map(t, iova + SZ_4K_, 0x7000, 1, P | RW | US);
	s1t_map(t, iova + SZ_1G_, 0x200000, 2, P | RW | US);
	s1t_map(t, iova + 2 * SZ_1G_, SZ_1G_, 3, P | RW | US);
	/* first touch: every A clear */
	t->fm.reads = 0;
	t->fm.cas = 0;
	EXPECT_GPA(t, iova, U_R, 0x6000);
	KUNIT_EXPECT_EQ(test, t->x.refs, 2 * n);
	KUNIT_EXPECT_EQ(test, t->fm.reads + t->fm.cas, 2 * n);
	/* the neighbour: only its PTE's A */
	EXPECT_GPA(t, iova + SZ_4K_, U_W, 0x7000);
	KUNIT_EXPECT_EQ(test, t->x.refs, n + 1);
	/* steady state (A and D set): one read per level */
	vn_s1_invalidate_all(t->s1);
	EXPECT_GPA(t, iova + SZ_4K_, U_W, 0x7000);
	KUNIT_EXPECT_EQ(test, t->x.refs, n);
	EXPECT_GPA(t, iova, U_R, 0x6000);
	KUNIT_EXPECT_EQ(test, t->x.refs, n);
	/* a write to a clean page: A and D in one update */
	EXPECT_GPA(t, iova, U_W, 0x6000);
	KUNIT_EXPECT_EQ(test, t->x.refs, n + 1);
	/* large pages end the walk early */
	EXPECT_GPA(t, iova + SZ_1G_, U_R, 0x200000);
	KUNIT_EXPECT_EQ(test, t->x.refs, (n - 1) + 2);	/* PDPTE's, PDE's A */
	EXPECT_GPA(t, iova + 2 * SZ_1G_, U_R, SZ_1G_);
	KUNIT_EXPECT_EQ(test, t->x.refs, (n - 2) + 1);	/* PDPTE's A */
	vn_s1_invalidate_all(t->s1);
	EXPECT_GPA(t, iova + SZ_1G_, U_R, 0x200000);
	KUNIT_EXPECT_EQ(test, t->x.refs, n - 1);
	EXPECT_GPA(t, iova + 2 * SZ_1G_, U_R, SZ_1G_);
	KUNIT_EXPECT_EQ(test, t->x.refs, n - 2);
	/* a hit: none */
	EXPECT_GPA(t, iova + SZ_1G_ + 8, U_R, 0x200008);
	KUNIT_EXPECT_EQ(test, t->x.refs, 0);
	/* a fault at the top: one */
	EXPECT_FAULT(t, BIT_ULL(n == 5 ? 55 : 46), U_R, VN_S1_NOT_PRESENT, n);
	KUNIT_EXPECT_EQ(test, t->x.refs, 1);
	/* the counters add up */
	vn_s1_get_stats(t->s1, &st);
	KUNIT_EXPECT_EQ(test, st.refs_max, 2 * n);
	KUNIT_EXPECT_EQ(test, st.walks, 10);
	KUNIT_EXPECT_EQ(test, st.misses, 9);	/* one walk was for D */
	KUNIT_EXPECT_EQ(test, st.hits, 1);
	KUNIT_EXPECT_EQ(test, st.faults, 1);
	KUNIT_EXPECT_EQ(test, st.invalidations, 2);
	KUNIT_EXPECT_EQ(test, st.refs,
			2 * n + (n + 1) + n + n + (n + 1) + (n + 1) +
			(n - 1) + (n - 1) + (n - 2) + 1);
	kunit_info(test, "%u-level: %u references per walk in the steady state, at most %u with A/D updates; over a %u-level stage 2 in hardware: %u\n",
		   n, n, 2 * n, 4, (n + 1) * 5 - 1);
}

static struct kunit_case s1_cases[] = {
	KUNIT_CASE(s1_test_cfg),
	KUNIT_CASE_PARAM(s1_test_basic, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_not_present, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_user_bits, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_supervisor, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_large, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_reserved, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_canonical, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_s2_fault, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_ad, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_ad_race, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_iotlb_rules, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_inv_granularity, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_inv_upper, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_inv_during_walk, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_lookup, fmt_gen_params),
	KUNIT_CASE_PARAM(s1_test_lookup_ways, fmt_gen_params),
	KUNIT_CASE(s1_test_iotlb_bound),
	KUNIT_CASE(s1_test_inv_entry_check),
	KUNIT_CASE_PARAM(s1_test_refs, fmt_gen_params),
	{}
};

static struct kunit_suite s1_suite = {
	.name = "vfio_iommu_nested_s1",
	.test_cases = s1_cases,
};

kunit_test_suite(s1_suite);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("KUnit suites of vfio_iommu_nested");
#ifdef HAVE_SYMBOL_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
