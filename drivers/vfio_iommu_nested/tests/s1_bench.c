// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested_bench: what an IOTLB miss of the stage-1 walker costs,
 * in guest-memory references as the walker counts them and in time.
 *
 * A benchmark, not a test: tools/testing/vm/bench.d/30-vfio_iommu_nested.sh
 * loads it, it prints its numbers to the kernel log at load and stays
 * loaded until the script removes it.
 *
 * The walker (s1.c, built into this module as well, so that it runs on
 * kernels without KUnit, where the backend does not export it) walks
 * tables in synthetic guest RAM, a vmalloc'ed buffer behind a &struct
 * vn_s2_ops that counts the stage-2 accesses it serves. For each format
 * and page size it maps BENCH_PAGES pages, invalidates the IOTLB, and
 * translates every page once (each a miss: the walker caches no
 * paging-structure entry) and once more (each a hit), with the table's
 * accessed and dirty bits already set (the steady state) and clear (the
 * first touch, which adds compare-and-exchanges).
 *
 * References per miss are the walker's own count (&struct vn_s1_stats
 * refs over misses), checked against the stage-2 accesses the callbacks
 * saw. A hardware nested walk resolves every stage-1 reference, and the
 * final GPA, through a stage-2 table walk of its own: n stage-1 levels
 * over an m-level stage 2 cost n * (m + 1) + m references, 24 for 4-level
 * over 4-level. Here stage 2 is VFIO's mapping tree, a lookup instead of a
 * table walk, so the module prints both: the stage-1 references measured
 * and the two-dimensional count they amount to over a 4- (and 5-) level
 * stage 2.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
/* the walker is compiled in here; the backend module exports it already */
#define VN_BENCH_NO_EXPORT(symbol) static_assert(1, #symbol)
#undef EXPORT_SYMBOL_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT VN_BENCH_NO_EXPORT
#include "../s1.c"

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#define BENCH_PAGES	512
#define RAM_GPA		0x100000000ULL	/* guest RAM at 4 GiB */
#define RAM_PAGES	1536		/* 6 MiB: tables and 2 MiB pages */
#define IOVA_BASE	0x00007f0000000000ULL

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "timed passes per case; the fastest is kept");

struct bench_ram {
	u64 *mem;		/* RAM_PAGES pages, as u64 words */
	unsigned int next;	/* bump allocator, in pages */
	u64 reads, cas;		/* stage-2 accesses served */
};

static int bench_read64(void *ctx, u64 gpa, u64 *val)
{
	struct bench_ram *r = ctx;

	if (gpa < RAM_GPA || gpa >= RAM_GPA + RAM_PAGES * PAGE_SIZE || gpa & 7)
		return -EFAULT;
	r->reads++;
	*val = READ_ONCE(r->mem[(gpa - RAM_GPA) / 8]);
	return 0;
}

static int bench_cas64(void *ctx, u64 gpa, u64 old, u64 new)
{
	struct bench_ram *r = ctx;

	if (gpa < RAM_GPA || gpa >= RAM_GPA + RAM_PAGES * PAGE_SIZE || gpa & 7)
		return -EFAULT;
	r->cas++;
	return cmpxchg64(&r->mem[(gpa - RAM_GPA) / 8], old, new) == old ?
	       0 : -EAGAIN;
}

static const struct vn_s2_ops bench_ops = {
	.read64 = bench_read64,
	.cmpxchg64 = bench_cas64,
};

/* a zeroed page of guest RAM, @align pages aligned; its GPA */
static u64 bench_page(struct bench_ram *r, unsigned int align)
{
	unsigned int p = ALIGN(r->next, align);

	if (p + align > RAM_PAGES)
		return 0;
	r->next = p + align;
	memset(&r->mem[p * (PAGE_SIZE / 8)], 0, PAGE_SIZE);
	return RAM_GPA + (u64)p * PAGE_SIZE;
}

static u64 *bench_slot(struct bench_ram *r, u64 table, int level, u64 iova)
{
	unsigned int idx = (iova >> (12 + 9 * (level - 1))) & 511;

	return &r->mem[(table - RAM_GPA) / 8 + idx];
}

/*
 * Map @iova to @gpa with a leaf at @leaf_level (1: 4 KiB, 2: 2 MiB, 3:
 * 1 GiB) in a @levels-level table rooted at @root, every entry with
 * @ad (accessed and dirty, or nothing) besides present, writable, user.
 */
static int bench_map(struct bench_ram *r, u64 root, int levels, u64 iova,
		     u64 gpa, int leaf_level, u64 ad)
{
	u64 table = root, *slot;
	int l;

	for (l = levels; l > leaf_level; l--) {
		slot = bench_slot(r, table, l, iova);
		if (!(*slot & X86_P)) {
			u64 t = bench_page(r, 1);

			if (!t)
				return -ENOMEM;
			*slot = t | X86_P | X86_RW | X86_US | (ad & X86_A);
		}
		table = *slot & GENMASK_ULL(51, 12);
	}
	*bench_slot(r, table, leaf_level, iova) = gpa | X86_P | X86_RW | X86_US |
		ad | (leaf_level > 1 ? X86_PS : 0);
	return 0;
}

struct bench_case {
	const char *name;
	u32 format;
	int levels, leaf_level;
	bool ad_set;		/* accessed and dirty preset */
	bool write;		/* write requests (dirty bits on first touch) */
};

static const struct bench_case cases[] = {
	{ "4-level 4K read, A/D set", VFIO_NESTED_S1_FMT_X86_64_4L, 4, 1, true, false },
	{ "4-level 4K read, A clear", VFIO_NESTED_S1_FMT_X86_64_4L, 4, 1, false, false },
	{ "4-level 4K write, A/D clear", VFIO_NESTED_S1_FMT_X86_64_4L, 4, 1, false, true },
	{ "4-level 2M read, A/D set", VFIO_NESTED_S1_FMT_X86_64_4L, 4, 2, true, false },
	{ "4-level 1G read, A/D set", VFIO_NESTED_S1_FMT_X86_64_4L, 4, 3, true, false },
	{ "5-level 4K read, A/D set", VFIO_NESTED_S1_FMT_X86_64_5L, 5, 1, true, false },
	{ "5-level 4K write, A/D clear", VFIO_NESTED_S1_FMT_X86_64_5L, 5, 1, false, true },
};

/* "a.bcd" with three decimals of @num / @den */
static void bench_frac(char *buf, size_t len, u64 num, u64 den)
{
	u64 m = den ? div64_u64(num * 1000, den) : 0;

	snprintf(buf, len, "%llu.%03llu", m / 1000, m % 1000);
}

static int bench_one(struct bench_ram *r, const struct bench_case *bc)
{
	u32 acc = VN_ACC_USER | (bc->write ? VN_ACC_WRITE : VN_ACC_READ);
	u64 step = 1ULL << (12 + 9 * (bc->leaf_level - 1));
	u64 miss_ns = U64_MAX, hit_ns = U64_MAX, reads = 0, cas = 0;
	unsigned int npages = bc->leaf_level == 1 ? BENCH_PAGES : 2;
	struct vn_s1_cfg cfg = { .format = bc->format };
	char per_miss[32];
	struct vn_s1_stats st0, st1;
	struct vn_s1_xlate x;
	unsigned int i, k;
	unsigned int tables;
	struct vn_s1 *s1;
	u64 t, data;
	int ret;

	r->next = 0;
	cfg.root_gpa = bench_page(r, 1);
	/* one data page (or 2 MiB block); 1 GiB leaves point past the RAM */
	data = bc->leaf_level == 2 ? bench_page(r, 512) : bench_page(r, 1);
	if (!cfg.root_gpa || !data)
		return -ENOMEM;
	tables = r->next;	/* the tables below the root start here */
	s1 = vn_s1_alloc(&cfg);
	if (!s1)
		return -ENOMEM;
	for (k = 0; k < rounds; k++) {
		/* a fresh table every pass, so that A/D start as the case says */
		r->next = tables;
		memset(&r->mem[(cfg.root_gpa - RAM_GPA) / 8], 0, PAGE_SIZE);
		for (i = 0; i < npages; i++) {
			u64 gpa = bc->leaf_level == 3 ? (u64)(i + 8) << 30 : data;

			ret = bench_map(r, cfg.root_gpa, bc->levels, IOVA_BASE + i * step,
					gpa, bc->leaf_level, bc->ad_set ? X86_A | X86_D : 0);
			if (ret)
				goto out;
		}
		vn_s1_invalidate_all(s1);
		vn_s1_get_stats(s1, &st0);
		r->reads = 0;
		r->cas = 0;
		t = ktime_get_ns();
		for (i = 0; i < npages; i++) {
			ret = vn_s1_translate(s1, IOVA_BASE + i * step, acc, &bench_ops,
					      r, &x);
			if (ret || x.hit) {
				pr_err("%s: page %u: ret %d reason %s hit %d\n", bc->name,
				       i, ret, vn_s1_reason_name(x.reason), x.hit);
				ret = ret ?: -EINVAL;
				goto out;
			}
		}
		miss_ns = min(miss_ns, div_u64(ktime_get_ns() - t, npages));
		vn_s1_get_stats(s1, &st1);
		reads += r->reads;
		cas += r->cas;
		t = ktime_get_ns();
		for (i = 0; i < npages; i++) {
			ret = vn_s1_translate(s1, IOVA_BASE + i * step, acc, &bench_ops,
					      r, &x);
			if (ret || !x.hit) {
				ret = ret ?: -EINVAL;
				goto out;
			}
		}
		hit_ns = min(hit_ns, div_u64(ktime_get_ns() - t, npages));
	}
	/* the walker's count, from the last pass, against what stage 2 served */
	bench_frac(per_miss, sizeof(per_miss), st1.refs - st0.refs,
		   st1.misses - st0.misses);
	pr_info("walk %s: refs/miss %s (walker: %llu refs, %llu misses, max %llu in one walk; stage 2 served %llu reads + %llu cmpxchg over %u passes); miss %llu ns, hit %llu ns\n",
		bc->name, per_miss, st1.refs - st0.refs, st1.misses - st0.misses,
		st1.refs_max, reads, cas, rounds, miss_ns, hit_ns);
	if (bc->ad_set && bc->leaf_level == 1) {
		u64 n = div64_u64(st1.refs - st0.refs, st1.misses - st0.misses);

		pr_info("walk %s: as a hardware nested walk: %llu x (4 + 1) + 4 = %llu references over a 4-level stage 2, %llu x (5 + 1) + 5 = %llu over a 5-level one%s\n",
			bc->name, n, n * 5 + 4, n, n * 6 + 5,
			bc->levels == 4 ? (n * 5 + 4 <= 24 ? " (bound 24: ok)" :
					   " (bound 24: EXCEEDED)") : "");
	}
	ret = 0;
out:
	vn_s1_free(s1);
	return ret;
}

static int __init s1_bench_init(void)
{
	struct bench_ram r = {};
	unsigned int i;
	int ret = 0;

	if (!rounds)
		rounds = 1;
	r.mem = vzalloc(RAM_PAGES * PAGE_SIZE);
	if (!r.mem)
		return -ENOMEM;
	pr_info("stage-1 walker, %u pages per case, %u passes (fastest time kept)\n",
		BENCH_PAGES, rounds);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = bench_one(&r, &cases[i]);
		if (ret) {
			pr_err("%s: %d\n", cases[i].name, ret);
			break;
		}
		cond_resched();
	}
	vfree(r.mem);
	if (!ret)
		pr_info("done\n");
	else
		rcu_barrier();	/* no exit: the callbacks of vn_s1_free() */
	return ret;
}

static void __exit s1_bench_exit(void)
{
	/* vn_s1_free()'s callbacks are in this module */
	rcu_barrier();
}

module_init(s1_bench_init);
module_exit(s1_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfio_iommu_nested: stage-1 walker benchmark (test only)");
