// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid benchmark (not a test): runs once at module load and prints
 * alloc+free throughput, lookup latency and memory per ID for ioasid, the
 * kernel's IDA (as iommu_alloc_global_pasid() uses it) and a plain
 * allocating xarray, measured side by side in the same boot, with ratios.
 *
 * ioasid runs the real thing: each thread allocates in its own set (one
 * per VM) with a finite quota, and a global notifier receives ALLOC and FREE
 * for every ID. The baselines share one global IDA / xarray, as the host's
 * global PASID allocator does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/idr.h>
#include <linux/pvm_ioasid.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/xarray.h>

#include "../ioasid_private.h"

static unsigned int batch = 1024;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "IDs held at once per thread in the bulk alloc+free runs");
static unsigned int small_batch = 16;
module_param(small_batch, uint, 0444);
MODULE_PARM_DESC(small_batch, "IDs held at once per thread in the churn runs (a VM's few PASIDs)");
static unsigned int ops_per_thread = 16384;
module_param(ops_per_thread, uint, 0444);
MODULE_PARM_DESC(ops_per_thread, "alloc+free pairs per thread and run");
static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "runs of each measurement, interleaved; the fastest is kept");
static unsigned int lookups = 1 << 18;
module_param(lookups, uint, 0444);
MODULE_PARM_DESC(lookups, "lookups timed per allocator");
static unsigned int mem_ids = 65536;
module_param(mem_ids, uint, 0444);
MODULE_PARM_DESC(mem_ids, "IDs allocated for the memory measurement");

#define BENCH_MAX_THREADS 2

static DEFINE_IDA(bench_ida);
static DEFINE_XARRAY_ALLOC1(bench_xa);
/* What the notified consumer does here: count, per CPU. */
static DEFINE_PER_CPU(unsigned long, bench_events);

struct bench_thread {
	const struct bench_ops *ops;
	struct pvm_ioasid_set *set;
	unsigned int batch;
	unsigned int rounds;
	u32 *ids;
	u64 ns;
	int err;
	struct completion *ready;
	struct completion *go;
	struct completion done;
};

struct bench_ops {
	const char *name;
	int (*setup)(struct bench_thread *t);
	int (*alloc)(struct bench_thread *t, u32 *id);
	void (*free)(struct bench_thread *t, u32 id);
	void (*teardown)(struct bench_thread *t);
};

static int ida_op_alloc(struct bench_thread *t, u32 *id)
{
	int ret = ida_alloc_range(&bench_ida, 1, pvm_ioasid_pool_capacity(),
				  GFP_KERNEL);

	if (ret < 0)
		return ret;
	*id = ret;
	return 0;
}

static void ida_op_free(struct bench_thread *t, u32 id)
{
	ida_free(&bench_ida, id);
}

static int xa_op_alloc(struct bench_thread *t, u32 *id)
{
	return xa_alloc(&bench_xa, id, xa_mk_value(1),
			XA_LIMIT(1, pvm_ioasid_pool_capacity()), GFP_KERNEL);
}

static void xa_op_free(struct bench_thread *t, u32 id)
{
	xa_erase(&bench_xa, id);
}

static int bench_notifier_call(struct notifier_block *nb, unsigned long event,
			       void *arg)
{
	this_cpu_inc(bench_events);
	return NOTIFY_OK;
}

static struct notifier_block bench_nb = {
	.notifier_call = bench_notifier_call,
	.priority = IOASID_PRIO_IOMMU,
};

static int ioasid_op_setup(struct bench_thread *t)
{
	int ret;

	t->set = pvm_ioasid_set_alloc(max(batch, mem_ids));
	if (IS_ERR(t->set))
		return PTR_ERR(t->set);
	/* Every event is delivered to a consumer, as in a VM. */
	ret = pvm_ioasid_register_notifier(t->set, &bench_nb);
	if (ret) {
		pvm_ioasid_set_free(t->set);
		t->set = ERR_PTR(ret);
	}
	return ret;
}

static int ioasid_op_alloc(struct bench_thread *t, u32 *id)
{
	return pvm_ioasid_alloc(t->set, 1, pvm_ioasid_pool_capacity(), t, id);
}

static void ioasid_op_free(struct bench_thread *t, u32 id)
{
	pvm_ioasid_free(t->set, id);
}

static void ioasid_op_teardown(struct bench_thread *t)
{
	pvm_ioasid_unregister_notifier(t->set, &bench_nb);
	pvm_ioasid_set_free(t->set);
}

static const struct bench_ops bench_ida_ops = {
	.name = "ida", .alloc = ida_op_alloc, .free = ida_op_free,
};

static const struct bench_ops bench_xa_ops = {
	.name = "xarray", .alloc = xa_op_alloc, .free = xa_op_free,
};

static const struct bench_ops bench_ioasid_ops = {
	.name = "ioasid", .setup = ioasid_op_setup, .alloc = ioasid_op_alloc,
	.free = ioasid_op_free, .teardown = ioasid_op_teardown,
};

static int bench_alloc_free_thread(void *arg)
{
	struct bench_thread *t = arg;
	unsigned int r, i;
	u64 start;

	complete(t->ready);
	wait_for_completion(t->go);
	start = ktime_get_ns();
	for (r = 0; r < t->rounds && !t->err; r++) {
		for (i = 0; i < t->batch; i++) {
			t->err = t->ops->alloc(t, &t->ids[i]);
			if (t->err)
				break;
		}
		while (i--)
			t->ops->free(t, t->ids[i]);
		cond_resched();
	}
	t->ns = ktime_get_ns() - start;
	complete(&t->done);
	return 0;
}

/*
 * Wall time of @nthreads threads each doing ops_per_thread alloc+free
 * pairs, @nbatch IDs held at a time; in picoseconds per pair.
 */
static int bench_alloc_free(const struct bench_ops *ops, int nthreads,
			    unsigned int nbatch, u64 *ns_per_op)
{
	struct bench_thread t[BENCH_MAX_THREADS] = {};
	struct completion ready, go;
	struct task_struct *task;
	u64 wall = 0;
	int i, ret = 0;

	init_completion(&ready);
	init_completion(&go);
	for (i = 0; i < nthreads; i++) {
		t[i].ops = ops;
		t[i].batch = nbatch;
		t[i].rounds = max(1U, ops_per_thread / nbatch);
		t[i].ready = &ready;
		t[i].go = &go;
		init_completion(&t[i].done);
		t[i].ids = kvcalloc(nbatch, sizeof(u32), GFP_KERNEL);
		ret = t[i].ids ? 0 : -ENOMEM;
		if (!ret && ops->setup)
			ret = ops->setup(&t[i]);
		if (ret) {
			nthreads = i + 1;
			goto out;
		}
	}
	for (i = 0; i < nthreads; i++) {
		task = kthread_create(bench_alloc_free_thread, &t[i],
				      "ioasid_bench/%d", i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			complete_all(&go);
			while (i--)
				wait_for_completion(&t[i].done);
			goto out;
		}
		if (cpu_online(i % num_online_cpus()))
			kthread_bind(task, i % num_online_cpus());
		wake_up_process(task);
	}
	for (i = 0; i < nthreads; i++)
		wait_for_completion(&ready);
	complete_all(&go);
	for (i = 0; i < nthreads; i++) {
		wait_for_completion(&t[i].done);
		wall = max(wall, t[i].ns);
		if (t[i].err)
			ret = t[i].err;
	}
	*ns_per_op = div64_u64(wall * 1000,
			       (u64)t[0].rounds * nbatch * nthreads);
out:
	for (i = 0; i < nthreads; i++) {
		if (ops->teardown && !IS_ERR_OR_NULL(t[i].set))
			ops->teardown(&t[i]);
		kvfree(t[i].ids);
	}
	return ret;
}

/* Lookup latency, in picoseconds per lookup, same random IDs for both. */
static int bench_lookup(u64 *xa_ps, u64 *ioasid_ps)
{
	struct pvm_ioasid_set *set;
	u32 *ids, *order, n = batch * 4;
	unsigned long hits = 0, idx;
	void *entry;
	unsigned int i;
	u64 start;
	int ret = 0;

	ids = kvcalloc(n, sizeof(u32), GFP_KERNEL);
	order = kvcalloc(lookups, sizeof(u32), GFP_KERNEL);
	set = pvm_ioasid_set_alloc(n);
	if (!ids || !order || IS_ERR(set)) {
		ret = IS_ERR(set) ? PTR_ERR(set) : -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = pvm_ioasid_alloc(set, 1, pvm_ioasid_pool_capacity(), set, &ids[i]);
		if (!ret)
			ret = xa_insert(&bench_xa, ids[i], set, GFP_KERNEL);
		if (ret)
			goto out_free;
	}
	for (i = 0; i < lookups; i++)
		order[i] = ids[get_random_u32_below(n)];

	start = ktime_get_ns();
	for (i = 0; i < lookups; i++)
		hits += xa_load(&bench_xa, order[i]) == set;
	*xa_ps = div64_u64((ktime_get_ns() - start) * 1000, lookups);

	start = ktime_get_ns();
	for (i = 0; i < lookups; i++)
		hits += pvm_ioasid_find(set, order[i], NULL) == set;
	*ioasid_ps = div64_u64((ktime_get_ns() - start) * 1000, lookups);
	if (hits != 2UL * lookups)
		ret = -EIO;
out_free:
	xa_for_each(&bench_xa, idx, entry)
		xa_erase(&bench_xa, idx);
out:
	if (!IS_ERR_OR_NULL(set))
		pvm_ioasid_set_free(set);
	kvfree(order);
	kvfree(ids);
	return ret;
}

static unsigned long slab_bytes(void)
{
	return (global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B)) * PAGE_SIZE;
}

/* Slab bytes per ID with mem_ids IDs held. */
static int bench_memory(const struct bench_ops *ops, unsigned long *bytes)
{
	struct bench_thread t = { .ops = ops };
	unsigned long before, after;
	unsigned int i;
	int ret = 0;

	t.ids = kvcalloc(mem_ids, sizeof(u32), GFP_KERNEL);
	if (!t.ids)
		return -ENOMEM;
	if (ops->setup) {
		ret = ops->setup(&t);
		if (ret)
			goto out;
	}
	before = slab_bytes();
	for (i = 0; i < mem_ids; i++) {
		ret = ops->alloc(&t, &t.ids[i]);
		if (ret)
			break;
	}
	after = slab_bytes();
	/* in hundredths of a byte */
	*bytes = after > before ? (after - before) * 100 / mem_ids : 0;
	while (i--)
		ops->free(&t, t.ids[i]);
	if (ops->teardown)
		ops->teardown(&t);
out:
	kvfree(t.ids);
	return ret;
}

/* "1.23x" for a / b, both positive. */
static void ratio(char *buf, size_t len, u64 a, u64 b)
{
	u64 r = b ? div64_u64(a * 100, b) : 0;

	snprintf(buf, len, "%llu.%02llux", r / 100, r % 100);
}

static u64 keep_min(u64 old, u64 new)
{
	return old && old < new ? old : new;
}

static void print_us(char *buf, size_t len, u64 ps)
{
	snprintf(buf, len, "%llu.%03llu", ps / 1000000, ps / 1000 % 1000);
}

static int __init ioasid_bench_init(void)
{
	const struct bench_ops *ops[] = {
		&bench_ida_ops, &bench_xa_ops, &bench_ioasid_ops,
	};
	unsigned int batches[] = { small_batch, batch };
	unsigned long mem[ARRAY_SIZE(ops)] = {};
	char r1[32], r2[32], u[3][24];
	u64 ps[ARRAY_SIZE(ops)];
	u64 xa_ps = 0, ioasid_ps = 0, x, y;
	unsigned long events = 0;
	int nthreads, i, b, rep, ret;

	if (!batch || !small_batch || !ops_per_thread || !lookups || !mem_ids ||
	    !reps)
		return -EINVAL;
	pr_info("cpus=%u ops_per_thread=%u batches=%u,%u reps=%u (fastest kept) lookups=%u mem_ids=%u sizeof(ioasid_data)=%zu\n",
		num_online_cpus(), ops_per_thread, small_batch, batch, reps,
		lookups, mem_ids, sizeof(struct ioasid_data));

	for (b = 0; b < ARRAY_SIZE(batches); b++) {
		for (nthreads = 1; nthreads <= BENCH_MAX_THREADS; nthreads++) {
			memset(ps, 0, sizeof(ps));
			for (rep = 0; rep < reps; rep++) {
				for (i = 0; i < ARRAY_SIZE(ops); i++) {
					ret = bench_alloc_free(ops[i], nthreads,
							       batches[b], &x);
					if (ret) {
						pr_err("%s alloc+free failed: %d\n",
						       ops[i]->name, ret);
						goto out;
					}
					ps[i] = keep_min(ps[i], x);
				}
			}
			/* time per op a / b is throughput b / a */
			ratio(r1, sizeof(r1), ps[0], ps[2]);
			ratio(r2, sizeof(r2), ps[1], ps[2]);
			for (i = 0; i < ARRAY_SIZE(ops); i++)
				print_us(u[i], sizeof(u[i]), ps[i]);
			pr_info("alloc+free batch %u, %d thread(s): ida %s us/op, xarray %s us/op, ioasid %s us/op; ioasid throughput vs ida %s, vs xarray %s\n",
				batches[b], nthreads, u[0], u[1], u[2], r1, r2);
		}
	}
	for_each_possible_cpu(i)
		events += per_cpu(bench_events, i);
	pr_info("notifications delivered during the ioasid runs: %lu\n",
		events);

	for (rep = 0; rep < reps; rep++) {
		ret = bench_lookup(&x, &y);
		if (ret) {
			pr_err("lookup run failed: %d\n", ret);
			goto out;
		}
		xa_ps = keep_min(xa_ps, x);
		ioasid_ps = keep_min(ioasid_ps, y);
	}
	ratio(r1, sizeof(r1), ioasid_ps, xa_ps);
	pr_info("lookup (%u IDs, random): xa_load %llu.%03llu ns, pvm_ioasid_find %llu.%03llu ns; pvm_ioasid_find/xa_load latency %s\n",
		batch * 4, xa_ps / 1000, xa_ps % 1000, ioasid_ps / 1000,
		ioasid_ps % 1000, r1);

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ret = bench_memory(ops[i], &mem[i]);
		if (ret) {
			pr_err("%s memory run failed: %d\n", ops[i]->name, ret);
			goto out;
		}
	}
	pr_info("memory per ID (slab bytes, %u IDs held): ida %lu.%02lu, xarray %lu.%02lu, ioasid %lu.%02lu\n",
		mem_ids, mem[0] / 100, mem[0] % 100, mem[1] / 100, mem[1] % 100,
		mem[2] / 100, mem[2] % 100);
	pr_info("done\n");
out:
	return ret;
}

static void __exit ioasid_bench_exit(void)
{
}

module_init(ioasid_bench_init);
module_exit(ioasid_bench_exit);
MODULE_IMPORT_NS(PVM_IOASID_NS);
MODULE_DESCRIPTION("ioasid benchmark against IDA and xarray");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
