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
#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
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
 * host PASID.
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
#define KVM_PASID_PTE_VALID	BIT(31)
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
 * @dir: the two PASID directories (bit 19 of the guest PASID chooses),
 *	allocated with the table and fixed for its life
 * @stats: lookup counters
 *
 * Written by the kvm_pasid module only, under its lock: a table entry is
 * written whole (one 32-bit store) before the directory entry pointing to
 * its table is published with release semantics, and a table is freed only
 * after it was unpublished, every vCPU of the VM forced out of guest mode,
 * and an RCU grace period. A reader therefore needs nothing but
 * an RCU read side (rcu_read_lock(), or preemption off) and two loads.
 */
struct kvm_pasid_table {
	u64 *dir[KVM_PASID_NR_DIRS];
	struct kvm_pasid_stats __percpu *stats;
};

/**
 * kvm_pasid_table_lookup() - translate in a table, lock-free
 * @t: the table
 * @gpasid: guest PASID
 * @hpasid: output, the host PASID on a hit
 *
 * The walk the CPU does: directory entry, then table entry. Counts nothing.
 *
 * Context: any, inside rcu_read_lock() (or another RCU read side).
 * Return: true on a hit; false if @gpasid does not translate.
 */
static inline bool kvm_pasid_table_lookup(const struct kvm_pasid_table *t,
					  u32 gpasid, u32 *hpasid)
{
	unsigned int di = gpasid >> KVM_PASID_TABLE_SHIFT;
	u32 *table;

	if (unlikely(gpasid > KVM_PASID_MAX))
		return false;
	/* Address dependency: the entry is read after the table is seen. */
	table = kvm_pasid_pde_decode(READ_ONCE(t->dir[di >> KVM_PASID_DIR_SHIFT]
					       [di & (KVM_PASID_DIR_ENTRIES - 1)]));
	if (!table)
		return false;
	return kvm_pasid_pte_decode(READ_ONCE(table[gpasid &
					      (KVM_PASID_TABLE_ENTRIES - 1)]),
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

/**
 * kvm_pasid_translate() - translate a guest PASID of a VM, lock-free
 * @kp: the VM's attachment, from kvm_pasid_get()
 * @gpasid: the guest PASID a submission carries
 * @hpasid: output, the host PASID to execute it with
 *
 * O(1): two loads in an RCU-sched read side (preemption off), and the
 * per-CPU counters. A miss must be reported the way the hardware reports
 * a failed ENQCMD: the submission is not accepted (ENQCMD's ZF set,
 * "retry"), it is never executed, with any PASID. A device's submission
 * portal stays closed until the VM is attached (kvm_pasid_get() returned
 * the attachment).
 *
 * Context: any (no lock, no sleeping).
 * Return: true if @gpasid translates (accepted), false if not (not
 * accepted).
 */
static inline bool kvm_pasid_translate(struct kvm_pasid *kp, u32 gpasid,
				       u32 *hpasid)
{
	bool hit;

	/*
	 * A preempt-disabled section is an RCU read side (the flavours are
	 * one since 4.20: call_rcu() waits for it), cheaper than
	 * rcu_read_lock() on a preemptible-RCU kernel, and it lets the
	 * counters use the non-preempt-safe per-CPU increments.
	 */
	rcu_read_lock_sched();
	hit = kvm_pasid_table_lookup(&kp->table, gpasid, hpasid);
	__this_cpu_inc(kp->table.stats->lookups);
	if (unlikely(!hit))
		__this_cpu_inc(kp->table.stats->misses);
	rcu_read_unlock_sched();
	return hit;
}

#endif /* _LINUX_KVM_PASID_H */
