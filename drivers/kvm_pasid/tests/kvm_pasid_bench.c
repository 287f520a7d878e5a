// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pasid benchmark (not a test): runs once at module load and prints
 * the cost of a translation through the two-level table against a lookup
 * in a flat array of 2^20 entries (the baseline: one load, what the
 * hardware walk's two loads are compared with), in interleaved rounds with
 * medians, and the table's memory for 1, 1K and 64K mapped guest PASIDs
 * against the flat 4 MiB table.
 *
 * The read side and the counters cost the same whatever the table's
 * layout, so the API's two ways in are also timed against the flat array
 * with the same around it: kvm_pasid_translate(), one call per lookup,
 * against the flat array with preemption off and the counters for each
 * lookup; runs of kvm_pasid_batch_translate() against the flat array in
 * the same runs with the same counting.
 *
 * Every lookup arm translates the same precomputed guest PASIDs, as many,
 * in the same loop shape (sum of the host PASIDs of the hits, the key
 * range-checked as the walk does); the flat array comes from the direct
 * map like the PASID tables when the page allocator has 4 MiB in one
 * piece (else vmalloc, and the line says so), and the arms take turns in
 * a rotating order, so that neither profits from going first or from
 * larger pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "../kvm_pasid_private.h"

#ifdef HAVE_SYMBOL_NS_STRING
#define KVM_PASID_KUNIT_NS "KVM_PASID_KUNIT"
#else
#define KVM_PASID_KUNIT_NS KVM_PASID_KUNIT
#endif

static unsigned int rounds = 15;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "interleaved rounds; the median is kept");
static unsigned int lookups = 1 << 16;
module_param(lookups, uint, 0444);
MODULE_PARM_DESC(lookups, "lookups timed per round and method");
static unsigned int mapped = 1024;
module_param(mapped, uint, 0444);
MODULE_PARM_DESC(mapped, "guest PASIDs mapped for the lookup runs");
static unsigned int batch = 64;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "translations per kvm_pasid_batch_begin()/end() run (as NAPI's budget)");

#define BENCH_MAX_ROUNDS 64

/* The baseline: one 4-byte entry per guest PASID, the same encoding. */
#define FLAT_BYTES ((KVM_PASID_MAX + 1) * sizeof(u32))
static u32 *flat;
static bool flat_vmalloc;
static u32 *keys;
static u32 sink;

static noinline u64 bench_flat(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	u32 h, sum = 0;

	for (i = 0; i < lookups; i++) {
		u32 g = keys[i];

		if (g <= KVM_PASID_MAX &&
		    kvm_pasid_pte_decode(READ_ONCE(flat[g]), &h))
			sum += h;
	}
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

static noinline u64 bench_walk(struct kvm_pasid_vm *vm)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	u32 h, sum = 0;

	rcu_read_lock();
	for (i = 0; i < lookups; i++)
		if (kvm_pasid_table_lookup(&vm->pub.table, keys[i], &h))
			sum += h;
	rcu_read_unlock();
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

/* Runs of @batch translations, each in one read side, counted once. */
static noinline u64 bench_batch(struct kvm_pasid_vm *vm)
{
	u64 t0 = ktime_get_ns();
	const u32 *k = keys, *end = keys + lookups;
	u32 h, sum = 0;

	while (k < end) {
		const u32 *e = k + min_t(size_t, batch, end - k);
		struct kvm_pasid_batch b;

		kvm_pasid_batch_begin(&b, &vm->pub);
		for (; k < e; k++)
			if (kvm_pasid_batch_translate(&b, *k, &h))
				sum += h;
		kvm_pasid_batch_end(&b);
	}
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

/*
 * The flat array with what kvm_pasid_translate() adds to its walk: a
 * read side and the per-CPU counters of each call. The baseline for the
 * single call: what it costs beyond this is the table's layout.
 */
static noinline u64 bench_flat_counted(struct kvm_pasid_vm *vm)
{
	struct kvm_pasid_stats __percpu *stats = vm->pub.table.stats;
	u64 t0 = ktime_get_ns();
	unsigned int i;
	u32 h, sum = 0;

	for (i = 0; i < lookups; i++) {
		u32 g = keys[i];
		bool hit;

		preempt_disable();
		hit = g <= KVM_PASID_MAX &&
		      kvm_pasid_pte_decode(READ_ONCE(flat[g]), &h);
		this_cpu_inc(stats->lookups);
		if (unlikely(!hit))
			this_cpu_inc(stats->misses);
		preempt_enable();
		if (hit)
			sum += h;
	}
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

/*
 * The flat array in runs of @batch with what a run of
 * kvm_pasid_batch_translate() adds: preemption off per run, the entries
 * added up (the hits), the per-CPU counters at the run's end. The
 * baseline for runs: what they cost beyond this is the table's layout.
 */
static noinline u64 bench_flat_runs(struct kvm_pasid_vm *vm)
{
	struct kvm_pasid_stats __percpu *stats = vm->pub.table.stats;
	const u32 *k = keys, *end = keys + lookups;
	u64 t0 = ktime_get_ns();
	u32 h, sum = 0;

	while (k < end) {
		const u32 *e = k + min_t(size_t, batch, end - k);
		unsigned int n = 0, hits;
		u64 acc = 0;

		preempt_disable();
		for (; k < e; k++) {
			u32 g = *k, pte = g <= KVM_PASID_MAX ? READ_ONCE(flat[g]) : 0;

			n++;
			acc += pte;
			if (kvm_pasid_pte_decode(pte, &h))
				sum += h;
		}
		hits = acc >> KVM_PASID_PTE_VALID_SHIFT;
		this_cpu_add(stats->lookups, n);
		if (unlikely(hits != n))
			this_cpu_add(stats->misses, n - hits);
		preempt_enable();
	}
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

/* One kvm_pasid_translate() per lookup: its read side and counters each. */
static noinline u64 bench_translate(struct kvm_pasid_vm *vm)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	u32 h, sum = 0;

	for (i = 0; i < lookups; i++)
		if (kvm_pasid_translate(&vm->pub, keys[i], &h))
			sum += h;
	WRITE_ONCE(sink, sum);
	return ktime_get_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

/* ps per lookup, printed as ns with 2 decimals */
static void fmt_ns(char *buf, size_t len, u64 ns_total)
{
	u64 ps = div_u64(ns_total * 1000, lookups);

	snprintf(buf, len, "%llu.%02llu", ps / 1000, (ps % 1000) / 10);
}

static void fmt_ratio(char *buf, size_t len, u64 a, u64 b)
{
	u64 r = b ? div64_u64(a * 100, b) : 0;

	snprintf(buf, len, "%llu.%02llux", r / 100, r % 100);
}

/* Fill @vm with @n guest PASIDs: dense (1, 2, ...) or one per PASID table. */
static int bench_fill(struct kvm_pasid_vm *vm, unsigned int n, bool spread)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&vm->lock);
	for (i = 0; i < n && !ret; i++) {
		u32 g = spread ? i * KVM_PASID_TABLE_ENTRIES + 1 : i + 1;

		ret = kvm_pasid_vm_set(vm, g, i + 1);
		if (flat && !ret)
			flat[g] = kvm_pasid_pte_encode(i + 1);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

static void bench_memory(void)
{
	static const unsigned int counts[] = { 1, 1024, 65536 };
	size_t flat_bytes = FLAT_BYTES;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		unsigned int spread;

		for (spread = 0; spread < 2; spread++) {
			struct kvm_pasid_vm *vm;
			size_t bytes;
			char ratio[24];

			/* One per table: at most the tables there are. */
			if (spread && counts[i] > KVM_PASID_NR_TABLES)
				continue;
			vm = kvm_pasid_vm_alloc();
			if (!vm || bench_fill(vm, counts[i], spread)) {
				pr_err("memory run: out of memory\n");
				if (vm) {
					mutex_lock(&vm->lock);
					kvm_pasid_vm_clear(vm);
					mutex_unlock(&vm->lock);
					kvm_pasid_vm_put(vm);
				}
				return;
			}
			bytes = kvm_pasid_vm_bytes(vm);
			fmt_ratio(ratio, sizeof(ratio), bytes, flat_bytes);
			pr_info("memory, %u mapped guest PASIDs (%s): two-level %zu KiB (%u PASID tables), flat 1M-entry table %zu KiB; two-level/flat %s\n",
				counts[i], spread ? "one per PASID table, worst case" :
				"dense, 1..N", bytes / 1024, vm->nr_tables,
				flat_bytes / 1024, ratio);
			mutex_lock(&vm->lock);
			kvm_pasid_vm_clear(vm);
			mutex_unlock(&vm->lock);
			kvm_pasid_vm_put(vm);
		}
	}
}

static u64 t_flat[BENCH_MAX_ROUNDS], t_walk[BENCH_MAX_ROUNDS];
static u64 t_batch[BENCH_MAX_ROUNDS], t_tr[BENCH_MAX_ROUNDS];
static u64 t_flatc[BENCH_MAX_ROUNDS], t_pr[BENCH_MAX_ROUNDS];
static u64 t_flatr[BENCH_MAX_ROUNDS];

#define BENCH_ARMS 6

/* One round: every arm once, starting with arm @r % BENCH_ARMS. */
static void bench_round(struct kvm_pasid_vm *vm, unsigned int r)
{
	unsigned int a;

	for (a = 0; a < BENCH_ARMS; a++) {
		switch ((r + a) % BENCH_ARMS) {
		case 0:
			t_flat[r] = bench_flat();
			break;
		case 1:
			t_walk[r] = bench_walk(vm);
			break;
		case 2:
			t_batch[r] = bench_batch(vm);
			break;
		case 3:
			t_flatc[r] = bench_flat_counted(vm);
			break;
		case 4:
			t_flatr[r] = bench_flat_runs(vm);
			break;
		default:
			t_tr[r] = bench_translate(vm);
			break;
		}
	}
}

static u32 *flat_alloc(void)
{
	void *p = alloc_pages_exact(FLAT_BYTES, GFP_KERNEL | __GFP_ZERO |
				    __GFP_NOWARN);

	if (p)
		return p;
	flat_vmalloc = true;
	return vzalloc(FLAT_BYTES);
}

static void flat_free(void)
{
	if (flat_vmalloc)
		vfree(flat);
	else if (flat)
		free_pages_exact(flat, FLAT_BYTES);
	flat = NULL;
}

static int __init kvm_pasid_bench_init(void)
{
	struct kvm_pasid_vm *vm;
	char a[24], b[24], c[24], d[24], e[24], f[24];
	char r1[24], r2[24], r3[24], r4[24], r5[24];
	unsigned int i, r;
	int ret = -ENOMEM;
	u64 pr_ratio;

	rounds = clamp(rounds, 1U, (unsigned int)BENCH_MAX_ROUNDS);
	mapped = clamp(mapped, 1U, 16 * KVM_PASID_NR_TABLES);
	lookups = max(lookups, 1U);
	batch = clamp(batch, 1U, (unsigned int)KVM_PASID_BATCH_MAX);
	flat = flat_alloc();
	pr_info("rounds=%u (interleaved, rotating order, median kept) lookups=%u mapped=%u (spread over %u PASID tables) batch=%u; flat array from %s\n",
		rounds, lookups, mapped, DIV_ROUND_UP(mapped, 16), batch,
		flat_vmalloc ? "vmalloc (no 4 MiB block free)" : "the direct map");
	keys = vmalloc_array(lookups, sizeof(u32));
	vm = kvm_pasid_vm_alloc();
	if (!flat || !keys || !vm)
		goto out;
	/* 16 guest PASIDs per table, spread over the space: several tables. */
	mutex_lock(&vm->lock);
	for (i = 0; i < mapped; i++) {
		u32 g = (i / 16) * KVM_PASID_TABLE_ENTRIES + (i % 16) * 61 + 1;

		ret = kvm_pasid_vm_set(vm, g, i + 1);
		if (ret)
			break;
		flat[g] = kvm_pasid_pte_encode(i + 1);
	}
	mutex_unlock(&vm->lock);
	if (ret)
		goto out;
	/* Random mapped keys, 1 in 8 unmapped (a miss), precomputed. */
	for (i = 0; i < lookups; i++) {
		u32 k = get_random_u32_below(mapped);

		keys[i] = (k / 16) * KVM_PASID_TABLE_ENTRIES + (k % 16) * 61 + 1;
		if (!get_random_u32_below(8))
			keys[i] += 1;
	}
	for (r = 0; r < rounds; r++)
		bench_round(vm, r);
	/* Per-round ratios first: median() sorts the rounds' times. */
	for (r = 0; r < rounds; r++)
		t_pr[r] = t_flat[r] ? div64_u64(t_batch[r] * 1000, t_flat[r]) : 0;
	pr_ratio = median(t_pr, rounds);
	fmt_ns(a, sizeof(a), median(t_flat, rounds));
	fmt_ns(b, sizeof(b), median(t_walk, rounds));
	fmt_ns(c, sizeof(c), median(t_batch, rounds));
	fmt_ns(d, sizeof(d), median(t_tr, rounds));
	fmt_ratio(r1, sizeof(r1), median(t_walk, rounds), median(t_flat, rounds));
	fmt_ratio(r2, sizeof(r2), median(t_batch, rounds), median(t_flat, rounds));
	fmt_ratio(r3, sizeof(r3), median(t_tr, rounds), median(t_flat, rounds));
	fmt_ns(e, sizeof(e), median(t_flatc, rounds));
	fmt_ratio(r4, sizeof(r4), median(t_tr, rounds), median(t_flatc, rounds));
	fmt_ns(f, sizeof(f), median(t_flatr, rounds));
	fmt_ratio(r5, sizeof(r5), median(t_batch, rounds), median(t_flatr, rounds));
	pr_info("lookup (random, 1 in 8 a miss): flat array %s ns, table walk %s ns; walk/flat %s (target <= 1.50x)\n",
		a, b, r1);
	pr_info("runs of %u: kvm_pasid_batch_translate() %s ns, flat array in the same runs with the same counters %s ns; batch/flat %s (median of the rounds' own ratios %llu.%02llux), batch/(flat in runs with counters) %s\n",
		batch, c, f, r2, pr_ratio / 1000, (pr_ratio % 1000) / 10, r5);
	pr_info("one call per lookup: kvm_pasid_translate() %s ns, flat array with the same read side and counters %s ns; translate/flat %s, translate/(flat with read side and counters) %s\n",
		d, e, r3, r4);
	bench_memory();
	pr_info("done\n");
	ret = 0;
out:
	if (vm) {
		mutex_lock(&vm->lock);
		kvm_pasid_vm_clear(vm);
		mutex_unlock(&vm->lock);
		kvm_pasid_vm_put(vm);
	}
	vfree(keys);
	flat_free();
	if (ret)
		pr_err("failed: %d\n", ret);
	/* Nothing to keep loaded: the numbers are in the log. */
	return ret;
}

static void __exit kvm_pasid_bench_exit(void)
{
}

module_init(kvm_pasid_bench_init);
module_exit(kvm_pasid_bench_exit);

MODULE_IMPORT_NS(KVM_PASID_NS);
MODULE_IMPORT_NS(KVM_PASID_KUNIT_NS);
MODULE_DESCRIPTION("kvm_pasid benchmark: table walk against a flat array, memory");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
