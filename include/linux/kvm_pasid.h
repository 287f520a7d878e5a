/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_pasid: a KVM VM's guest-to-host PASID translation table, kept by the
 * kvm_pasid module in step with the VM's ioasid set.
 *
 * Kernel API for devices that take ENQCMD-style submissions from a guest
 * (the simulated accelerator's portal): find a VM's attachment, translate
 * a guest PASID lock-free. Exported GPL-only in the KVM_PASID symbol
 * namespace: a consumer adds ``MODULE_IMPORT_NS(KVM_PASID_NS);``.
 */
#ifndef _LINUX_KVM_PASID_H
#define _LINUX_KVM_PASID_H

#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <asm/page.h>
#include <uapi/linux/kvm_pasid.h>

#ifdef HAVE_SYMBOL_NS_STRING
#define KVM_PASID_NS "KVM_PASID"
#else
#define KVM_PASID_NS KVM_PASID
#endif

/*
 * The layout of the table, as the Intel SDM gives it for the PASID
 * translation of ENQCMD in a guest: a 20-bit guest PASID selects with bit
 * 19 one of two PASID directories (4 KiB, 512 8-byte entries), with bits
 * 18:10 an entry of it, which points to a PASID table (4 KiB, 1024 4-byte
 * entries) indexed by bits 9:0. A directory entry holds a present bit and
 * the table's physical address; a table entry a valid bit and the 20-bit
 * host PASID. The two directories lie back to back (one 8 KiB block), so
 * that bits 19:10 index both as one array of KVM_PASID_NR_TABLES entries.
 */
#define KVM_PASID_BITS		20
#define KVM_PASID_MAX		((1U << KVM_PASID_BITS) - 1)
#define KVM_PASID_TABLE_SHIFT	10
#define KVM_PASID_TABLE_ENTRIES	BIT(KVM_PASID_TABLE_SHIFT)
#define KVM_PASID_DIR_SHIFT	9
#define KVM_PASID_DIR_ENTRIES	BIT(KVM_PASID_DIR_SHIFT)
#define KVM_PASID_NR_DIRS	2
/* Directory entries of both directories: PASID tables a VM may have. */
#define KVM_PASID_NR_TABLES	(KVM_PASID_NR_DIRS * KVM_PASID_DIR_ENTRIES)

#define KVM_PASID_PDE_PRESENT	BIT_ULL(0)
#define KVM_PASID_PDE_ADDR	GENMASK_ULL(51, 12)
#define KVM_PASID_PTE_VALID_SHIFT	31
#define KVM_PASID_PTE_VALID	BIT(KVM_PASID_PTE_VALID_SHIFT)
#define KVM_PASID_PTE_HPASID	GENMASK(19, 0)

/**
 * kvm_pasid_pte_encode() - a PASID-table entry translating to a host PASID
 * @hpasid: host PASID, 1 to KVM_PASID_MAX
 *
 * Return: the entry: valid bit and @hpasid.
 */
static inline u32 kvm_pasid_pte_encode(u32 hpasid)
{
	return KVM_PASID_PTE_VALID | (hpasid & KVM_PASID_PTE_HPASID);
}

/**
 * kvm_pasid_pte_decode() - the host PASID of a PASID-table entry
 * @pte: the entry
 * @hpasid: output, the host PASID when the entry is valid
 *
 * Return: true if @pte is valid.
 */
static inline bool kvm_pasid_pte_decode(u32 pte, u32 *hpasid)
{
	if (!(pte & KVM_PASID_PTE_VALID))
		return false;
	*hpasid = pte & KVM_PASID_PTE_HPASID;
	return true;
}

/**
 * kvm_pasid_pde_encode() - a PASID-directory entry pointing to a table
 * @table: the PASID table (a page of the direct map)
 *
 * Return: the entry: present bit and the table's physical address.
 */
static inline u64 kvm_pasid_pde_encode(const u32 *table)
{
	return KVM_PASID_PDE_PRESENT |
	       ((u64)__pa(table) & KVM_PASID_PDE_ADDR);
}

/**
 * kvm_pasid_pde_decode() - the PASID table of a PASID-directory entry
 * @pde: the entry
 *
 * Return: the table (its direct-map address), NULL if @pde is not present.
 */
static inline u32 *kvm_pasid_pde_decode(u64 pde)
{
	if (!(pde & KVM_PASID_PDE_PRESENT))
		return NULL;
	return __va(pde & KVM_PASID_PDE_ADDR);
}

/**
 * struct kvm_pasid_stats - per-CPU counters of the lock-free lookups
 * @lookups: translations asked
 * @misses: of those, guest PASIDs with no translation
 */
struct kvm_pasid_stats {
	u64 lookups;
	u64 misses;
};

/**
 * struct kvm_pasid_table - the two-level table of one VM
 * @dir: the two PASID directories, back to back (KVM_PASID_NR_TABLES
 *	entries, indexed by bits 19:10 of the guest PASID), allocated with
 *	the table and fixed for its life: the hardware format, what the CPU
 *	walks
 * @tables: what software walks: for each entry of @dir, the direct-map
 *	address of the PASID table it points to (KVM_PASID_NR_TABLES
 *	pointers, 8 KiB, allocated with the table and fixed for its life),
 *	written with @dir. It spares a software lookup the conversion of a
 *	physical address (a mask, and the direct map's base, a variable
 *	under KASLR)
 * @stats: lookup counters
 *
 * Written by the kvm_pasid module only, under its lock: a table entry is
 * written whole (one 32-bit store) before the directory entry and the
 * pointer to its table are published with release semantics, and a table
 * is freed only after both were unpublished, every vCPU of the VM forced
 * out of guest mode, and an RCU grace period. A directory entry that is
 * not present still holds an address (the hardware ignores it), and its
 * pointer in @tables the same: the zero page's, a table in which no entry
 * is valid. A software reader therefore needs nothing but an RCU read side
 * and two loads, with no test between them.
 */
struct kvm_pasid_table {
	u64 *dir;
	const u32 **tables;
	struct kvm_pasid_stats __percpu *stats;
};

/**
 * kvm_pasid_dir_walk() - the PASID-table entry of a guest PASID, as the CPU
 * finds it
 * @dir: the directories of a table (&kvm_pasid_table.dir)
 * @gpasid: guest PASID
 *
 * The walk the CPU does, directory entry then table entry, without the
 * present test (a directory entry that is not present leads to the zero
 * page). Counts nothing. Software uses kvm_pasid_tables_walk(), which
 * reads the same entry without converting a physical address.
 *
 * Context: any, inside an RCU read side (rcu_read_lock(), preemption off,
 * ...).
 * Return: the entry (kvm_pasid_pte_decode() tells the host PASID); 0 if
 * @gpasid is out of range.
 */
static __always_inline u32 kvm_pasid_dir_walk(const u64 *dir, u32 gpasid)
{
	const u32 *table;

	if (unlikely(gpasid > KVM_PASID_MAX))
		return 0;
	/* Address dependency: the entry is read after the table is seen. */
	table = __va(READ_ONCE(dir[gpasid >> KVM_PASID_TABLE_SHIFT]) &
		     KVM_PASID_PDE_ADDR);
	return READ_ONCE(table[gpasid & (KVM_PASID_TABLE_ENTRIES - 1)]);
}

/**
 * kvm_pasid_tables_walk() - the PASID-table entry of a guest PASID
 * @tables: the table pointers of a table (&kvm_pasid_table.tables)
 * @gpasid: guest PASID
 *
 * The software walk: the pointer to the PASID table, then its entry; the
 * same entry as kvm_pasid_dir_walk() at every instant (a range with no
 * table leads to the zero page). Counts nothing.
 *
 * Context: any, inside an RCU read side (rcu_read_lock(), preemption off,
 * ...).
 * Return: the entry (kvm_pasid_pte_decode() tells the host PASID); 0 if
 * @gpasid is out of range.
 */
static __always_inline u32 kvm_pasid_tables_walk(const u32 *const *tables,
						 u32 gpasid)
{
	const u32 *table;

	if (unlikely(gpasid > KVM_PASID_MAX))
		return 0;
	/* Address dependency: the entry is read after the table is seen. */
	table = READ_ONCE(tables[gpasid >> KVM_PASID_TABLE_SHIFT]);
	return READ_ONCE(table[gpasid & (KVM_PASID_TABLE_ENTRIES - 1)]);
}

/**
 * kvm_pasid_table_lookup() - translate in a table, lock-free
 * @t: the table
 * @gpasid: guest PASID
 * @hpasid: output, the host PASID on a hit
 *
 * kvm_pasid_tables_walk() and the decoding of the entry. Counts nothing.
 *
 * Context: any, inside an RCU read side (rcu_read_lock(), preemption off,
 * ...).
 * Return: true on a hit; false if @gpasid does not translate.
 */
static __always_inline bool kvm_pasid_table_lookup(const struct kvm_pasid_table *t,
						   u32 gpasid, u32 *hpasid)
{
	return kvm_pasid_pte_decode(kvm_pasid_tables_walk(t->tables, gpasid),
				    hpasid);
}

/**
 * struct kvm_pasid - a VM's attachment, as devices see it
 * @table: the VM's translation table
 *
 * Got with kvm_pasid_get(), which takes a reference; the rest of the
 * attachment is private to the kvm_pasid module. The reference keeps the
 * table's memory, not the attachment: once the attachment ends (the VMM
 * detached, closed its kvm_pasid file or freed the ioasid set) the table
 * is empty and every lookup misses.
 */
struct kvm_pasid {
	struct kvm_pasid_table table;
};

struct kvm;

struct kvm_pasid *kvm_pasid_get(struct kvm *kvm);
void kvm_pasid_put(struct kvm_pasid *kp);

/*
 * The most translations in one run. A run adds up the entries it read
 * (kvm_pasid_batch_translate()): a valid entry is bit 31 and a host PASID
 * below 2^20, an entry that does not translate is 0, so as long as the
 * 20-bit PASIDs of a run sum below 2^31 the sum's bits 63:31 are its hits.
 */
#define KVM_PASID_BATCH_MAX	BIT(31 - KVM_PASID_BITS)
static_assert(!(KVM_PASID_PTE_VALID ^ BIT(31)) &&
	      !(KVM_PASID_PTE_HPASID ^ GENMASK(KVM_PASID_BITS - 1, 0)));

/**
 * struct kvm_pasid_batch - a run of translations in one read side
 * @tables: the table pointers of the table (the attachment's, loaded once)
 * @kp: the attachment
 * @lookups: translations in this run
 * @sum: the entries this run read, added up (see KVM_PASID_BATCH_MAX)
 *
 * On the caller's stack, between kvm_pasid_batch_begin() and
 * kvm_pasid_batch_end(); its fields are private to those functions.
 */
struct kvm_pasid_batch {
	const u32 *const *tables;
	struct kvm_pasid *kp;
	unsigned int lookups;
	u64 sum;
};

/**
 * kvm_pasid_batch_begin() - start a run of translations
 * @b: the run (the caller's, uninitialized)
 * @kp: the VM's attachment, from kvm_pasid_get()
 *
 * For a device that takes several submissions in a row (drains a queue):
 * one RCU read side and one update of the counters for all of them.
 * Disables preemption until kvm_pasid_batch_end(): a preempt-disabled
 * section is an RCU read side (the flavours are one since 4.20:
 * call_rcu() waits for it) and, unlike rcu_read_lock(), costs no call on
 * a preemptible-RCU kernel nor lockdep bookkeeping (which costs far more
 * than the walk on a lockdep kernel).
 *
 * Context: any; no sleeping until kvm_pasid_batch_end(), which must
 * follow on the same CPU, in the same context; keep a run short (a
 * bounded budget of submissions, at most KVM_PASID_BATCH_MAX).
 */
static inline void kvm_pasid_batch_begin(struct kvm_pasid_batch *b,
					 struct kvm_pasid *kp)
{
	preempt_disable();
	b->tables = kp->table.tables;
	b->kp = kp;
	b->lookups = 0;
	b->sum = 0;
}

/**
 * kvm_pasid_batch_translate() - translate a guest PASID within a run
 * @b: the run, from kvm_pasid_batch_begin()
 * @gpasid: the guest PASID a submission carries
 * @hpasid: output, the host PASID to execute it with (set on a hit only)
 *
 * Two loads and two register additions (the entry is added to the run's
 * sum, which counts the hits), no branch but the range test: the run's
 * counters reach the attachment's at kvm_pasid_batch_end(). A miss must
 * be reported as kvm_pasid_translate() says.
 *
 * Context: between kvm_pasid_batch_begin() and kvm_pasid_batch_end().
 * Return: true if @gpasid translates (accepted), false if not (not
 * accepted).
 */
static __always_inline bool kvm_pasid_batch_translate(struct kvm_pasid_batch *b,
						      u32 gpasid, u32 *hpasid)
{
	u32 pte = kvm_pasid_tables_walk(b->tables, gpasid);

	b->lookups++;
	b->sum += pte;
	return kvm_pasid_pte_decode(pte, hpasid);
}

/**
 * kvm_pasid_batch_end() - end a run of translations
 * @b: the run, from kvm_pasid_batch_begin()
 *
 * Adds the run's lookups and misses to the attachment's counters and ends
 * the read side: the host PASIDs the run returned stay the caller's to
 * use, the table may change from here on.
 *
 * Context: the one of the kvm_pasid_batch_begin() it ends.
 */
static inline void kvm_pasid_batch_end(struct kvm_pasid_batch *b)
{
	struct kvm_pasid_stats __percpu *stats = b->kp->table.stats;
	unsigned int hits = b->sum >> KVM_PASID_PTE_VALID_SHIFT;

	WARN_ON_ONCE(b->lookups > KVM_PASID_BATCH_MAX);
	/*
	 * Interrupt-safe adds: a run may end in an interrupt handler that
	 * came in the middle of another's end on this CPU (one instruction
	 * on x86, as the preempt-safe variant would be).
	 */
	this_cpu_add(stats->lookups, b->lookups);
	if (unlikely(hits != b->lookups))
		this_cpu_add(stats->misses, b->lookups - hits);
	preempt_enable();
}

/**
 * kvm_pasid_translate() - translate a guest PASID of a VM, lock-free
 * @kp: the VM's attachment, from kvm_pasid_get()
 * @gpasid: the guest PASID a submission carries
 * @hpasid: output, the host PASID to execute it with
 *
 * O(1): two loads with preemption off (the read side), and the per-CPU
 * counters, as a run of one translation counts. A device that takes several
 * submissions in a row uses a run for them instead: the read side and the
 * counters are then paid once. A miss must be reported the way the
 * hardware reports a failed ENQCMD: the submission is not accepted
 * (ENQCMD's ZF set, "retry"), it is never executed, with any PASID. A
 * device's submission portal stays closed until the VM is attached
 * (kvm_pasid_get() returned the attachment).
 *
 * Context: any (no lock, no sleeping).
 * Return: true if @gpasid translates (accepted), false if not (not
 * accepted).
 */
static inline bool kvm_pasid_translate(struct kvm_pasid *kp, u32 gpasid,
				       u32 *hpasid)
{
	struct kvm_pasid_stats __percpu *stats = kp->table.stats;
	bool hit;

	preempt_disable();
	hit = kvm_pasid_pte_decode(kvm_pasid_tables_walk(kp->table.tables,
							 gpasid), hpasid);
	/* Interrupt-safe adds, as at the end of a run. */
	this_cpu_inc(stats->lookups);
	if (unlikely(!hit))
		this_cpu_inc(stats->misses);
	preempt_enable();
	return hit;
}

#endif /* _LINUX_KVM_PASID_H */
