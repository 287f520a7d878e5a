// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of kvm_pasid's table: entry encoding, lazy allocation and
 * freeing of PASID tables, updates under concurrent lock-free lookups, and
 * the reference rules. Tables here have no VM: a kick is an IPI to every
 * CPU (kick_all_cpus_sync()), the fallback path.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>

#include "../kvm_pasid_private.h"

#ifdef HAVE_SYMBOL_NS_STRING
#define KVM_PASID_KUNIT_NS "KVM_PASID_KUNIT"
#else
#define KVM_PASID_KUNIT_NS KVM_PASID_KUNIT
#endif

static struct kvm_pasid_vm *new_vm(struct kunit *test)
{
	struct kvm_pasid_vm *vm = kvm_pasid_vm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, vm);
	return vm;
}

static void free_vm(struct kvm_pasid_vm *vm)
{
	mutex_lock(&vm->lock);
	kvm_pasid_vm_clear(vm);
	mutex_unlock(&vm->lock);
	kvm_pasid_vm_put(vm);
}

/* An empty table: the directories (8 KiB) and the table pointers (8 KiB). */
#define EMPTY_BYTES	(2 * KVM_PASID_NR_TABLES * sizeof(u64))

/*
 * The software's table pointers mirror the directories: each points to the
 * table its directory entry addresses, or to the zero page where the entry
 * is not present; both walks find the same entry.
 */
static void expect_mirror(struct kunit *test, struct kvm_pasid_vm *vm)
{
	const u32 *none = kvm_pasid_table_none();
	unsigned int di, bad = 0;
	u32 g;

	for (di = 0; di < KVM_PASID_NR_TABLES; di++) {
		const u32 *t = kvm_pasid_pde_decode(vm->pub.table.dir[di]);

		bad += vm->pub.table.tables[di] != (t ?: none);
		g = (di << KVM_PASID_TABLE_SHIFT) | (di % KVM_PASID_TABLE_ENTRIES);
		bad += kvm_pasid_tables_walk(vm->pub.table.tables, g) !=
		       kvm_pasid_dir_walk(vm->pub.table.dir, g);
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static bool lookup(struct kvm_pasid_vm *vm, u32 g, u32 *h)
{
	bool hit;

	rcu_read_lock();
	hit = kvm_pasid_table_lookup(&vm->pub.table, g, h);
	rcu_read_unlock();
	return hit;
}

/* ---- encoding --------------------------------------------------------- */

static void kvm_pasid_test_encode(struct kunit *test)
{
	static const u32 hs[] = { 1, 2, 0x3ff, 0x400, 0x7ffff, 0x80000,
				  KVM_PASID_MAX };
	unsigned long page;
	u32 h, pte;
	u64 pde;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hs); i++) {
		pte = kvm_pasid_pte_encode(hs[i]);
		KUNIT_EXPECT_EQ(test, pte & KVM_PASID_PTE_VALID, KVM_PASID_PTE_VALID);
		/* Nothing but the valid bit and the 20-bit PASID. */
		KUNIT_EXPECT_EQ(test, pte & ~(KVM_PASID_PTE_VALID |
					      KVM_PASID_PTE_HPASID), 0U);
		h = 0;
		KUNIT_EXPECT_TRUE(test, kvm_pasid_pte_decode(pte, &h));
		KUNIT_EXPECT_EQ(test, h, hs[i]);
		/* Without the valid bit the same PASID does not translate. */
		h = 7;
		KUNIT_EXPECT_FALSE(test, kvm_pasid_pte_decode(pte & ~KVM_PASID_PTE_VALID,
							      &h));
		KUNIT_EXPECT_EQ(test, h, 7U);
	}
	KUNIT_EXPECT_EQ(test, kvm_pasid_pte_encode(5), BIT(31) | 5U);

	page = get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, page, 0UL);
	pde = kvm_pasid_pde_encode((u32 *)page);
	KUNIT_EXPECT_EQ(test, pde & KVM_PASID_PDE_PRESENT, KVM_PASID_PDE_PRESENT);
	KUNIT_EXPECT_EQ(test, pde & KVM_PASID_PDE_ADDR, (u64)__pa(page));
	KUNIT_EXPECT_PTR_EQ(test, kvm_pasid_pde_decode(pde), (u32 *)page);
	KUNIT_EXPECT_NULL(test, kvm_pasid_pde_decode(pde & ~KVM_PASID_PDE_PRESENT));
	KUNIT_EXPECT_NULL(test, kvm_pasid_pde_decode(0));
	free_page(page);
}

/* Where an entry lives: bit 19 the directory, 18:10 its entry, 9:0 the table's. */
static void kvm_pasid_test_layout(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	u32 g = (1U << 19) | (5U << 10) | 7U, *table;
	u64 pde;

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, g, 0x1234), 0);
	mutex_unlock(&vm->lock);
	/* The directories back to back: directory 1 from entry 512 on. */
	KUNIT_EXPECT_EQ(test, vm->pub.table.dir[5], kvm_pasid_pde_none());
	pde = vm->pub.table.dir[KVM_PASID_DIR_ENTRIES + 5];
	table = kvm_pasid_pde_decode(pde);
	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_EXPECT_EQ(test, table[7], kvm_pasid_pte_encode(0x1234));
	KUNIT_EXPECT_EQ(test, table[6], 0U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_dir_walk(vm->pub.table.dir, g),
			kvm_pasid_pte_encode(0x1234));
	/* The software's pointer leads to the same table. */
	KUNIT_EXPECT_PTR_EQ(test, vm->pub.table.tables[KVM_PASID_DIR_ENTRIES + 5],
			    (const u32 *)table);
	KUNIT_EXPECT_EQ(test, kvm_pasid_tables_walk(vm->pub.table.tables, g),
			kvm_pasid_pte_encode(0x1234));
	expect_mirror(test, vm);
	/* Its last entry gone, the table's directory entry is "none" again. */
	mutex_lock(&vm->lock);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_vm_unset(vm, g));
	mutex_unlock(&vm->lock);
	KUNIT_EXPECT_EQ(test, vm->pub.table.dir[KVM_PASID_DIR_ENTRIES + 5],
			kvm_pasid_pde_none());
	KUNIT_EXPECT_PTR_EQ(test, vm->pub.table.tables[KVM_PASID_DIR_ENTRIES + 5],
			    kvm_pasid_table_none());
	expect_mirror(test, vm);
	free_vm(vm);
}

/*
 * A directory entry with no table is not present (what the hardware
 * tests) and leads to the zero page (what the software walk reads, with
 * no test): every guest PASID of its range misses, whatever the walk.
 */
static void kvm_pasid_test_pde_none(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	u64 none = kvm_pasid_pde_none();
	const u32 *zero;
	unsigned int di, i;
	u32 h = 7;

	KUNIT_EXPECT_EQ(test, none & KVM_PASID_PDE_PRESENT, 0ULL);
	KUNIT_EXPECT_NULL(test, kvm_pasid_pde_decode(none));
	KUNIT_EXPECT_EQ(test, none, (u64)page_to_phys(ZERO_PAGE(0)));
	zero = __va(none & KVM_PASID_PDE_ADDR);
	for (i = 0; i < KVM_PASID_TABLE_ENTRIES; i++)
		KUNIT_EXPECT_FALSE(test, zero[i] & KVM_PASID_PTE_VALID);
	KUNIT_EXPECT_PTR_EQ(test, kvm_pasid_table_none(), zero);
	for (di = 0; di < KVM_PASID_NR_TABLES; di++)
		KUNIT_EXPECT_EQ(test, vm->pub.table.dir[di], none);
	expect_mirror(test, vm);
	KUNIT_EXPECT_EQ(test, kvm_pasid_tables_walk(vm->pub.table.tables,
						    KVM_PASID_MAX + 1), 0U);
	for (i = 0; i <= KVM_PASID_MAX; i += 4099)
		KUNIT_EXPECT_EQ(test, kvm_pasid_dir_walk(vm->pub.table.dir, i), 0U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_dir_walk(vm->pub.table.dir, KVM_PASID_MAX), 0U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_dir_walk(vm->pub.table.dir, KVM_PASID_MAX + 1), 0U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_dir_walk(vm->pub.table.dir, U32_MAX), 0U);
	KUNIT_EXPECT_FALSE(test, lookup(vm, 1, &h));
	KUNIT_EXPECT_EQ(test, h, 7U);
	free_vm(vm);
}

/* ---- lazy allocation and freeing -------------------------------------- */

static void kvm_pasid_test_lazy(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	u32 h = 0;

	KUNIT_EXPECT_EQ(test, vm->nr_tables, 0U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_bytes(vm), EMPTY_BYTES);
	KUNIT_EXPECT_FALSE(test, lookup(vm, 1, &h));

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 1, 100), 0);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 1U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 1023, 101), 0);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 1U);	/* same range */
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 1024, 102), 0);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 2U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, KVM_PASID_MAX, 103), 0);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 3U);
	KUNIT_EXPECT_EQ(test, vm->nr_entries, 4U);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_bytes(vm), EMPTY_BYTES + 3 * PAGE_SIZE);
	expect_mirror(test, vm);
	/* Bad input, and a host PASID that already has a guest PASID. */
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 0, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, KVM_PASID_MAX + 1, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 5, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 5, KVM_PASID_MAX + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 5000, 100), -EBUSY);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 3U);	/* nothing left behind */
	/* Changed in place: the old host PASID is free again. */
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 1, 200), 0);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 2, 100), 0);
	KUNIT_EXPECT_EQ(test, vm->nr_entries, 5U);
	mutex_unlock(&vm->lock);

	KUNIT_EXPECT_TRUE(test, lookup(vm, 1, &h));
	KUNIT_EXPECT_EQ(test, h, 200U);
	KUNIT_EXPECT_TRUE(test, lookup(vm, 2, &h));
	KUNIT_EXPECT_EQ(test, h, 100U);
	KUNIT_EXPECT_TRUE(test, lookup(vm, KVM_PASID_MAX, &h));
	KUNIT_EXPECT_EQ(test, h, 103U);
	KUNIT_EXPECT_FALSE(test, lookup(vm, 3, &h));
	KUNIT_EXPECT_FALSE(test, lookup(vm, 2048, &h));
	KUNIT_EXPECT_FALSE(test, lookup(vm, KVM_PASID_MAX + 1, &h));

	mutex_lock(&vm->lock);
	/* A table goes with its last entry, not before. */
	KUNIT_EXPECT_TRUE(test, kvm_pasid_vm_unset(vm, 1024));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_vm_unset(vm, 1024));
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 2U);
	KUNIT_EXPECT_NULL(test, kvm_pasid_vm_table(vm, 1024));
	KUNIT_EXPECT_TRUE(test, kvm_pasid_vm_unset(vm, 1));
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 2U);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_vm_unset_host(vm, 100));	/* g 2 */
	KUNIT_EXPECT_FALSE(test, kvm_pasid_vm_unset_host(vm, 100));
	KUNIT_EXPECT_TRUE(test, kvm_pasid_vm_unset(vm, 1023));
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 1U);
	KUNIT_EXPECT_NULL(test, kvm_pasid_vm_table(vm, 1));
	KUNIT_EXPECT_EQ(test, vm->nr_entries, 1U);
	expect_mirror(test, vm);
	KUNIT_EXPECT_FALSE(test, kvm_pasid_vm_unset(vm, 0));
	kvm_pasid_vm_clear(vm);
	KUNIT_EXPECT_EQ(test, vm->nr_tables, 0U);
	KUNIT_EXPECT_EQ(test, vm->nr_entries, 0U);
	expect_mirror(test, vm);
	/* Every update kicked (the clear once for its one entry). */
	KUNIT_EXPECT_EQ(test, vm->updates, 11ULL);
	KUNIT_EXPECT_EQ(test, vm->kicks, vm->updates);
	mutex_unlock(&vm->lock);
	KUNIT_EXPECT_FALSE(test, lookup(vm, KVM_PASID_MAX, &h));
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_bytes(vm), EMPTY_BYTES);
	kvm_pasid_vm_put(vm);
}

/* ---- runs of translations ------------------------------------------------ */

static void kvm_pasid_test_batch(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	struct kvm_pasid_batch b;
	u64 lookups, misses;
	u32 h = 0;

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 9, 90), 0);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 1030, 91), 0);
	mutex_unlock(&vm->lock);

	kvm_pasid_batch_begin(&b, &vm->pub);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_batch_translate(&b, 9, &h));
	KUNIT_EXPECT_EQ(test, h, 90U);
	/* A miss leaves the output alone: in a present table, in none, out of range. */
	KUNIT_EXPECT_FALSE(test, kvm_pasid_batch_translate(&b, 10, &h));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_batch_translate(&b, 5000, &h));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_batch_translate(&b, 0, &h));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_batch_translate(&b, KVM_PASID_MAX + 1, &h));
	KUNIT_EXPECT_EQ(test, h, 90U);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_batch_translate(&b, 1030, &h));
	KUNIT_EXPECT_EQ(test, h, 91U);
	/* The run's counts reach the attachment's at its end, all at once. */
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	KUNIT_EXPECT_EQ(test, lookups, 0ULL);
	kvm_pasid_batch_end(&b);
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	KUNIT_EXPECT_EQ(test, lookups, 6ULL);
	KUNIT_EXPECT_EQ(test, misses, 4ULL);

	/* One translation is a run of one; a run of hits only adds no miss. */
	KUNIT_EXPECT_TRUE(test, kvm_pasid_translate(&vm->pub, 1030, &h));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_translate(&vm->pub, 1031, &h));
	kvm_pasid_batch_begin(&b, &vm->pub);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_batch_translate(&b, 9, &h));
	kvm_pasid_batch_end(&b);
	kvm_pasid_batch_begin(&b, &vm->pub);
	kvm_pasid_batch_end(&b);
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	KUNIT_EXPECT_EQ(test, lookups, 9ULL);
	KUNIT_EXPECT_EQ(test, misses, 5ULL);
	free_vm(vm);
}

/*
 * The longest run, every lookup a hit on the largest host PASID but one in
 * 7 a miss: the run's sum of entries still counts its hits exactly.
 */
static void kvm_pasid_test_batch_max(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	struct kvm_pasid_batch b;
	u64 lookups, misses;
	unsigned int i, hits = 0;
	u32 h;

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, KVM_PASID_MAX, KVM_PASID_MAX), 0);
	mutex_unlock(&vm->lock);
	kvm_pasid_batch_begin(&b, &vm->pub);
	for (i = 0; i < KVM_PASID_BATCH_MAX; i++)
		hits += kvm_pasid_batch_translate(&b, i % 7 ? KVM_PASID_MAX : 1, &h);
	kvm_pasid_batch_end(&b);
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	KUNIT_EXPECT_EQ(test, lookups, (u64)KVM_PASID_BATCH_MAX);
	KUNIT_EXPECT_EQ(test, misses, (u64)(KVM_PASID_BATCH_MAX - hits));
	KUNIT_EXPECT_EQ(test, misses, (u64)DIV_ROUND_UP(KVM_PASID_BATCH_MAX, 7));
	free_vm(vm);
}

/* ---- concurrent lookups ----------------------------------------------- */

/*
 * Guest PASID i of the test lives alone in its PASID table (so every
 * removal frees a table) and is only ever bound to host PASIDs whose bits
 * 19:8 are i: a lookup that returns anything else saw a half-written
 * entry, another guest PASID's entry or a freed table. The readers use
 * the three ways in: the bare walk in rcu_read_lock(), kvm_pasid_translate()
 * and runs of kvm_pasid_batch_translate(); the last two count, and the
 * attachment's counters must add up to what those readers saw.
 */
#define CONC_GUESTS	48
#define CONC_READERS	3

static u32 conc_g(unsigned int i)
{
	return i * KVM_PASID_TABLE_ENTRIES + (i * 37) % KVM_PASID_TABLE_ENTRIES;
}

struct conc_ctx {
	struct kvm_pasid_vm *vm;
	atomic_t stop;
	atomic_t bad;
	atomic_long_t hits, misses;
	atomic_long_t counted_lookups, counted_misses;
	atomic_t running;
	atomic_t mode;
	struct completion done;
};

static void conc_check(struct conc_ctx *ctx, unsigned int i, bool hit, u32 h,
		       long *hits, long *misses)
{
	if (hit) {
		if (h >> 8 != i)
			atomic_inc(&ctx->bad);
		(*hits)++;
	} else {
		(*misses)++;
	}
}

static int conc_reader(void *arg)
{
	struct conc_ctx *ctx = arg;
	unsigned int mode = atomic_inc_return(&ctx->mode) % 3;
	unsigned int i, j, n = 0;
	long hits = 0, misses = 0;
	struct kvm_pasid_batch b;
	bool hit;
	u32 h;

	while (!atomic_read(&ctx->stop)) {
		switch (mode) {
		case 0:
			i = 1 + get_random_u32_below(CONC_GUESTS - 1);
			rcu_read_lock();
			hit = kvm_pasid_table_lookup(&ctx->vm->pub.table, conc_g(i), &h);
			rcu_read_unlock();
			conc_check(ctx, i, hit, h, &hits, &misses);
			break;
		case 1:
			i = 1 + get_random_u32_below(CONC_GUESTS - 1);
			hit = kvm_pasid_translate(&ctx->vm->pub, conc_g(i), &h);
			conc_check(ctx, i, hit, h, &hits, &misses);
			break;
		default:
			kvm_pasid_batch_begin(&b, &ctx->vm->pub);
			for (j = 0; j < 16; j++) {
				i = 1 + get_random_u32_below(CONC_GUESTS - 1);
				hit = kvm_pasid_batch_translate(&b, conc_g(i), &h);
				conc_check(ctx, i, hit, h, &hits, &misses);
			}
			kvm_pasid_batch_end(&b);
			break;
		}
		if (!(++n & 255))
			cond_resched();
	}
	atomic_long_add(hits, &ctx->hits);
	atomic_long_add(misses, &ctx->misses);
	if (mode) {
		atomic_long_add(hits + misses, &ctx->counted_lookups);
		atomic_long_add(misses, &ctx->counted_misses);
	}
	if (atomic_dec_and_test(&ctx->running))
		complete(&ctx->done);
	return 0;
}

static void kvm_pasid_test_concurrent(struct kunit *test)
{
	struct conc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int r, i, round;
	u64 lookups, misses;
	u8 seq[CONC_GUESTS] = {};
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->vm = new_vm(test);
	init_completion(&ctx->done);
	atomic_set(&ctx->running, CONC_READERS);
	for (r = 0; r < CONC_READERS; r++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(conc_reader, ctx,
							    "kvm_pasid_rd%u", r)));
	for (round = 0; round < 1500; round++) {
		i = 1 + get_random_u32_below(CONC_GUESTS - 1);
		mutex_lock(&ctx->vm->lock);
		if (get_random_u32_below(3) == 0) {
			kvm_pasid_vm_unset(ctx->vm, conc_g(i));
		} else {
			seq[i]++;
			ret = kvm_pasid_vm_set(ctx->vm, conc_g(i), i << 8 | seq[i]);
			KUNIT_EXPECT_EQ(test, ret, 0);
		}
		if (round % 500 == 499)
			kvm_pasid_vm_clear(ctx->vm);
		mutex_unlock(&ctx->vm->lock);
	}
	atomic_set(&ctx->stop, 1);
	wait_for_completion(&ctx->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad), 0);
	/* Both outcomes were met: the readers raced real updates. */
	KUNIT_EXPECT_GT(test, atomic_long_read(&ctx->hits), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&ctx->misses), 0L);
	/* Every counted lookup and miss, no more, whatever the CPU. */
	kvm_pasid_vm_stats(ctx->vm, &lookups, &misses);
	KUNIT_EXPECT_GT(test, lookups, 0ULL);
	KUNIT_EXPECT_EQ(test, lookups, (u64)atomic_long_read(&ctx->counted_lookups));
	KUNIT_EXPECT_EQ(test, misses, (u64)atomic_long_read(&ctx->counted_misses));
	kunit_info(test, "%ld hits, %ld misses, %llu updates\n",
		   atomic_long_read(&ctx->hits), atomic_long_read(&ctx->misses),
		   ctx->vm->updates);
	free_vm(ctx->vm);
}

/* ---- references -------------------------------------------------------- */

static void kvm_pasid_test_refs(struct kunit *test)
{
	struct kvm_pasid_vm *vm = new_vm(test);
	struct kvm_pasid *kp = &vm->pub;
	u64 lookups, misses;
	u32 h = 0;

	/* A VM that is not attached has no attachment to find. */
	KUNIT_EXPECT_NULL(test, kvm_pasid_get((struct kvm *)vm));

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_EQ(test, kvm_pasid_vm_set(vm, 9, 90), 0);
	mutex_unlock(&vm->lock);
	/* A device's reference (as kvm_pasid_get() takes it). */
	kvm_pasid_vm_get(vm);
	KUNIT_EXPECT_EQ(test, refcount_read(&vm->ref), 2U);
	KUNIT_EXPECT_TRUE(test, kvm_pasid_translate(kp, 9, &h));
	KUNIT_EXPECT_EQ(test, h, 90U);
	/* The attachment ends (table emptied), its owner lets go... */
	free_vm(vm);
	KUNIT_EXPECT_EQ(test, refcount_read(&vm->ref), 1U);
	/* ...the device's table is still there, and empty: a miss. */
	KUNIT_EXPECT_FALSE(test, kvm_pasid_translate(kp, 9, &h));
	KUNIT_EXPECT_FALSE(test, kvm_pasid_translate(kp, 0, &h));
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	KUNIT_EXPECT_EQ(test, lookups, 3ULL);
	KUNIT_EXPECT_EQ(test, misses, 2ULL);
	kvm_pasid_put(kp);	/* the last one: freed after a grace period */
}

static struct kunit_case kvm_pasid_table_cases[] = {
	KUNIT_CASE(kvm_pasid_test_encode),
	KUNIT_CASE(kvm_pasid_test_layout),
	KUNIT_CASE(kvm_pasid_test_pde_none),
	KUNIT_CASE(kvm_pasid_test_batch),
	KUNIT_CASE(kvm_pasid_test_batch_max),
	KUNIT_CASE(kvm_pasid_test_lazy),
	KUNIT_CASE(kvm_pasid_test_refs),
	KUNIT_CASE_SLOW(kvm_pasid_test_concurrent),
	{}
};

static struct kunit_suite kvm_pasid_table_suite = {
	.name = "kvm_pasid_table",
	.test_cases = kvm_pasid_table_cases,
};

kunit_test_suites(&kvm_pasid_table_suite);

MODULE_IMPORT_NS(KVM_PASID_NS);
MODULE_IMPORT_NS(KVM_PASID_KUNIT_NS);
MODULE_DESCRIPTION("KUnit tests of kvm_pasid's translation table");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
