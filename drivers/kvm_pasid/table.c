// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pasid: the two-level PASID translation table of a VM and its update
 * protocol (publish, kick, free). See kvm_pasid_private.h.
 */
#include <linux/io.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
/* After mm.h: 6.1's fault-inject.h needs bool and gfp_t declared. */
#include <linux/fault-inject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "kvm_pasid_private.h"

/*
 * The functions below are exported to the KUnit suite and the benchmark
 * only, in a namespace of their own.
 */
#ifdef HAVE_SYMBOL_NS_STRING
#define KVM_PASID_KUNIT_NS "KVM_PASID_KUNIT"
#else
#define KVM_PASID_KUNIT_NS KVM_PASID_KUNIT
#endif

static u64 *kvm_pasid_pde(struct kvm_pasid_vm *vm, u32 gpasid)
{
	return &vm->pub.table.dir[gpasid >> KVM_PASID_TABLE_SHIFT];
}

/* The order of the two directories' block: 8 KiB, back to back. */
#define KVM_PASID_DIR_ORDER	1
static_assert(PAGE_SIZE << KVM_PASID_DIR_ORDER ==
	      KVM_PASID_NR_TABLES * sizeof(u64));
/* The table pointers: as many, 8 KiB on 64-bit. */
#define KVM_PASID_TABLES_ORDER	get_order(KVM_PASID_NR_TABLES * sizeof(u32 *))

static const u32 **kvm_pasid_tables_ptr(struct kvm_pasid_vm *vm, u32 gpasid)
{
	return &vm->pub.table.tables[gpasid >> KVM_PASID_TABLE_SHIFT];
}

/**
 * kvm_pasid_pde_none() - a directory entry with no PASID table
 *
 * Not present, and the zero page's address: a software walk that does not
 * test the present bit reads an entry of the zero page, which is not
 * valid. The hardware ignores the address of an entry that is not present.
 *
 * Return: the entry.
 */
u64 kvm_pasid_pde_none(void)
{
	return page_to_phys(ZERO_PAGE(0)) & KVM_PASID_PDE_ADDR;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_pde_none, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_table_none() - the table pointer of a range with no PASID table
 *
 * Return: the zero page, as kvm_pasid_pde_none() addresses it: software
 * walks read an entry that is not valid there.
 */
const u32 *kvm_pasid_table_none(void)
{
	return page_address(ZERO_PAGE(0));
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_table_none, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_alloc() - a table with no VM and no set
 *
 * The two directories, the table pointers and the counters; one
 * reference.
 *
 * Context: process context, may sleep.
 * Return: the attachment, or NULL without memory.
 */
struct kvm_pasid_vm *kvm_pasid_vm_alloc(void)
{
	const u32 *none_table = kvm_pasid_table_none();
	u64 none = kvm_pasid_pde_none();
	struct kvm_pasid_vm *vm;
	unsigned int i;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return NULL;
	vm->pub.table.dir = (u64 *)__get_free_pages(GFP_KERNEL_ACCOUNT,
						    KVM_PASID_DIR_ORDER);
	if (!vm->pub.table.dir)
		goto err;
	vm->pub.table.tables = (const u32 **)__get_free_pages(GFP_KERNEL_ACCOUNT,
							      KVM_PASID_TABLES_ORDER);
	if (!vm->pub.table.tables)
		goto err;
	for (i = 0; i < KVM_PASID_NR_TABLES; i++) {
		vm->pub.table.dir[i] = none;
		vm->pub.table.tables[i] = none_table;
	}
	vm->pub.table.stats = alloc_percpu_gfp(struct kvm_pasid_stats,
					       GFP_KERNEL_ACCOUNT);
	if (!vm->pub.table.stats)
		goto err;
	refcount_set(&vm->ref, 1);
	mutex_init(&vm->lock);
	xa_init(&vm->by_host);
	return vm;
err:
	free_pages((unsigned long)vm->pub.table.tables, KVM_PASID_TABLES_ORDER);
	free_pages((unsigned long)vm->pub.table.dir, KVM_PASID_DIR_ORDER);
	kfree(vm);
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_alloc, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_get() - take a reference on an attachment's memory
 * @vm: the attachment
 */
void kvm_pasid_vm_get(struct kvm_pasid_vm *vm)
{
	refcount_inc(&vm->ref);
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_get, KVM_PASID_KUNIT_NS);

static void kvm_pasid_vm_free_rcu(struct rcu_head *head)
{
	struct kvm_pasid_vm *vm = container_of(head, struct kvm_pasid_vm, rcu);

	free_percpu(vm->pub.table.stats);
	free_pages((unsigned long)vm->pub.table.tables, KVM_PASID_TABLES_ORDER);
	free_pages((unsigned long)vm->pub.table.dir, KVM_PASID_DIR_ORDER);
	kfree(vm);
}

/**
 * kvm_pasid_vm_put() - drop a reference
 * @vm: the attachment
 *
 * The last one frees the memory after an RCU grace period. By then the
 * attachment ended (the table is empty: no PASID table left).
 *
 * Context: any but interrupt context (hard or soft).
 */
void kvm_pasid_vm_put(struct kvm_pasid_vm *vm)
{
	if (!refcount_dec_and_test(&vm->ref))
		return;
	WARN_ON(vm->attached || vm->nr_tables || vm->nr_entries);
	xa_destroy(&vm->by_host);
	mutex_destroy(&vm->lock);
	call_rcu(&vm->rcu, kvm_pasid_vm_free_rcu);
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_put, KVM_PASID_KUNIT_NS);

/*
 * Step 2 of the protocol: every vCPU of the VM out of guest mode. Both
 * ways wait until the CPUs answered: a vCPU that was in guest mode has
 * exited when this returns, and enters again only after the caller's
 * stores (the IPI machinery orders them: smp_mb() before the IPIs, and KVM
 * re-reads vcpu->mode with a full barrier on entry).
 */
static void kvm_pasid_kick(struct kvm_pasid_vm *vm)
{
	lockdep_assert_held(&vm->lock);
#ifdef HAVE_KVM_MAKE_ALL_CPUS_REQUEST
	if (vm->kvm && vm->kick_vcpus) {
		kvm_make_all_cpus_request(vm->kvm, KVM_REQ_OUTSIDE_GUEST_MODE);
		vm->kicks++;
		return;
	}
#endif
	kick_all_cpus_sync();
	vm->kicks++;
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * The PASID table's page allocation is a fault-injection point of its own
 * (never fails but through fail-nth: its probability stays 0), so that a
 * fail-nth sweep reaches it whatever fail_page_alloc's settings (which
 * leave order-0 pages alone by default): that is how the selftests make
 * kvm_pasid refuse a BIND.
 */
static DECLARE_FAULT_ATTR(kvm_pasid_fail_table);

/**
 * kvm_pasid_table_fault_init() - quiet the table's fault-injection point
 */
void kvm_pasid_table_fault_init(void)
{
	kvm_pasid_fail_table.verbose = 0;
}
#else
void kvm_pasid_table_fault_init(void)
{
}
#endif

static struct page *kvm_pasid_table_alloc(void)
{
#ifdef CONFIG_FAULT_INJECTION
	if (should_fail(&kvm_pasid_fail_table, PAGE_SIZE))
		return NULL;
#endif
	return alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

static void kvm_pasid_table_free_rcu(struct rcu_head *head)
{
	__free_page(container_of(head, struct page, rcu_head));
}

/**
 * kvm_pasid_vm_set() - install guest PASID -> host PASID
 * @vm: the attachment
 * @gpasid: guest PASID, 1 to KVM_PASID_MAX
 * @hpasid: host PASID, 1 to KVM_PASID_MAX
 *
 * Allocates the PASID table of @gpasid's range if needed, then publishes
 * (see the update protocol) and kicks. A guest PASID that translates
 * already is changed in place (one store).
 *
 * Context: process context, may sleep; @vm->lock held.
 * Return: 0; -EINVAL for a PASID out of range; -EBUSY if @hpasid is
 * already the translation of another guest PASID; -ENOMEM, with nothing
 * changed.
 */
int kvm_pasid_vm_set(struct kvm_pasid_vm *vm, u32 gpasid, u32 hpasid)
{
	unsigned int di = gpasid >> KVM_PASID_TABLE_SHIFT;
	u32 *pte, *table, old_h, old = 0;
	u64 *pde = kvm_pasid_pde(vm, gpasid);
	struct page *page = NULL;
	void *prev;
	int ret;

	lockdep_assert_held(&vm->lock);
	if (!gpasid || gpasid > KVM_PASID_MAX || !hpasid || hpasid > KVM_PASID_MAX)
		return -EINVAL;
	table = kvm_pasid_pde_decode(*pde);
	if (!table) {
		page = kvm_pasid_table_alloc();
		if (!page)
			return -ENOMEM;
		table = page_address(page);
	}
	pte = &table[gpasid & (KVM_PASID_TABLE_ENTRIES - 1)];
	if (!page)
		old = *pte;
	if (kvm_pasid_pte_decode(old, &old_h) && old_h == hpasid)
		return 0;
	prev = xa_cmpxchg(&vm->by_host, hpasid, NULL, xa_mk_value(gpasid),
			  GFP_KERNEL_ACCOUNT);
	ret = xa_err(prev);
	if (!ret && prev)
		ret = -EBUSY;
	if (ret) {
		if (page)
			__free_page(page);
		return ret;
	}
	/* Step 1: the entry whole, then (new table) the directory entry. */
	WRITE_ONCE(*pte, kvm_pasid_pte_encode(hpasid));
	if (page) {
		/*
		 * The filled table before its pointers: each release pairs
		 * with its readers' address dependency.
		 */
		/* software walks: the mirror */
		smp_store_release(kvm_pasid_tables_ptr(vm, gpasid), table);
		/* the CPU: the directory entry */
		smp_store_release(pde, kvm_pasid_pde_encode(table));
		vm->nr_tables++;
	}
	if (kvm_pasid_pte_decode(old, &old_h)) {
		xa_erase(&vm->by_host, old_h);
	} else {
		vm->nr_valid[di]++;
		WRITE_ONCE(vm->nr_entries, vm->nr_entries + 1);
	}
	vm->updates++;
	/* Step 2. */
	kvm_pasid_kick(vm);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_set, KVM_PASID_KUNIT_NS);

/* Invalidate one entry; returns its table if that is now to be freed. */
static u32 *kvm_pasid_vm_invalidate(struct kvm_pasid_vm *vm, u32 gpasid,
				    u32 *pte, u32 hpasid)
{
	unsigned int di = gpasid >> KVM_PASID_TABLE_SHIFT;
	u64 *pde = kvm_pasid_pde(vm, gpasid);

	WRITE_ONCE(*pte, 0);
	xa_erase(&vm->by_host, hpasid);
	WRITE_ONCE(vm->nr_entries, vm->nr_entries - 1);
	vm->updates++;
	if (--vm->nr_valid[di])
		return NULL;
	WRITE_ONCE(*pde, kvm_pasid_pde_none());
	WRITE_ONCE(*kvm_pasid_tables_ptr(vm, gpasid), kvm_pasid_table_none());
	vm->nr_tables--;
	return (u32 *)((unsigned long)pte & PAGE_MASK);
}

/* Step 3, after the kick: software readers may still walk it. */
static void kvm_pasid_table_free(u32 *table)
{
	struct page *page = virt_to_page(table);

	call_rcu(&page->rcu_head, kvm_pasid_table_free_rcu);
}

/**
 * kvm_pasid_vm_unset() - remove the translation of a guest PASID
 * @vm: the attachment
 * @gpasid: guest PASID
 *
 * Unpublishes (a table whose last entry goes is unlinked from its
 * directory), kicks, then frees the emptied table after a grace period.
 *
 * Context: process context, may sleep; @vm->lock held.
 * Return: true if @gpasid translated.
 */
bool kvm_pasid_vm_unset(struct kvm_pasid_vm *vm, u32 gpasid)
{
	u32 *table, *pte, *empty, hpasid;

	lockdep_assert_held(&vm->lock);
	if (!gpasid || gpasid > KVM_PASID_MAX)
		return false;
	table = kvm_pasid_pde_decode(*kvm_pasid_pde(vm, gpasid));
	if (!table)
		return false;
	pte = &table[gpasid & (KVM_PASID_TABLE_ENTRIES - 1)];
	if (!kvm_pasid_pte_decode(*pte, &hpasid))
		return false;
	empty = kvm_pasid_vm_invalidate(vm, gpasid, pte, hpasid);
	kvm_pasid_kick(vm);
	if (empty)
		kvm_pasid_table_free(empty);
	return true;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_unset, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_unset_host() - remove the translation to a host PASID
 * @vm: the attachment
 * @hpasid: host PASID
 *
 * Context: process context, may sleep; @vm->lock held.
 * Return: true if a guest PASID translated to @hpasid.
 */
bool kvm_pasid_vm_unset_host(struct kvm_pasid_vm *vm, u32 hpasid)
{
	void *entry;

	lockdep_assert_held(&vm->lock);
	entry = xa_load(&vm->by_host, hpasid);
	if (!entry)
		return false;
	return kvm_pasid_vm_unset(vm, xa_to_value(entry));
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_unset_host, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_clear() - remove every translation
 * @vm: the attachment
 *
 * One kick for all, then the tables are freed after a grace period.
 *
 * Context: process context, may sleep; @vm->lock held.
 */
void kvm_pasid_vm_clear(struct kvm_pasid_vm *vm)
{
	struct page *page, *next;
	unsigned int di, i;
	LIST_HEAD(freed);

	lockdep_assert_held(&vm->lock);
	if (!vm->nr_entries)
		return;
	for (di = 0; di < KVM_PASID_NR_TABLES && vm->nr_tables; di++) {
		u32 gbase = di << KVM_PASID_TABLE_SHIFT, hpasid;
		u32 *table = kvm_pasid_pde_decode(*kvm_pasid_pde(vm, gbase));
		u32 *empty = NULL;

		if (!table)
			continue;
		for (i = 0; i < KVM_PASID_TABLE_ENTRIES && !empty; i++)
			if (kvm_pasid_pte_decode(table[i], &hpasid))
				empty = kvm_pasid_vm_invalidate(vm, gbase + i,
								&table[i], hpasid);
		if (!WARN_ON(!empty))
			list_add(&virt_to_page(empty)->lru, &freed);
	}
	kvm_pasid_kick(vm);
	/* call_rcu() reuses the list's room in struct page: _safe. */
	list_for_each_entry_safe(page, next, &freed, lru)
		call_rcu(&page->rcu_head, kvm_pasid_table_free_rcu);
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_clear, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_stats() - sum the per-CPU lookup counters
 * @vm: the attachment
 * @lookups: output
 * @misses: output
 */
void kvm_pasid_vm_stats(struct kvm_pasid_vm *vm, u64 *lookups, u64 *misses)
{
	int cpu;

	*lookups = 0;
	*misses = 0;
	for_each_possible_cpu(cpu) {
		struct kvm_pasid_stats *s = per_cpu_ptr(vm->pub.table.stats, cpu);

		*lookups += READ_ONCE(s->lookups);
		*misses += READ_ONCE(s->misses);
	}
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_stats, KVM_PASID_KUNIT_NS);

/**
 * kvm_pasid_vm_bytes() - memory of the table
 * @vm: the attachment
 *
 * Return: the directories, the table pointers and the PASID tables in
 * use, in bytes.
 */
size_t kvm_pasid_vm_bytes(struct kvm_pasid_vm *vm)
{
	return (PAGE_SIZE << KVM_PASID_DIR_ORDER) +
	       (PAGE_SIZE << KVM_PASID_TABLES_ORDER) +
	       (size_t)READ_ONCE(vm->nr_tables) * PAGE_SIZE;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_vm_bytes, KVM_PASID_KUNIT_NS);
