/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_pasid internals.
 *
 * Objects
 * -------
 * A &struct kvm_pasid_vm is one attachment of a KVM VM to an ioasid set,
 * made by KVM_PASID_ATTACH on a /dev/kvm_pasid file. It holds the VM's
 * translation table (&struct kvm_pasid, the part devices see), a reference
 * on the VM (kvm_get_kvm_safe()) and on the set (pvm_ioasid_set_get()),
 * and its notifier registration on the set. It is refcounted: the file
 * holds one reference, each device that found it with kvm_pasid_get() one,
 * a queued end-of-set work one. The attachment ends (kvm_pasid_vm_end():
 * out of the registry, notifier unregistered, table emptied, VM and set
 * references dropped) at KVM_PASID_DETACH, at the file's release, or after
 * the set's SET_FREE; the memory goes with the last reference, after an
 * RCU grace period (lock-free readers).
 *
 * The table: two PASID directories (one 8 KiB block, every entry not
 * present and pointing to the zero page) and their mirror of table
 * pointers for software walks (8 KiB) allocated with the attachment, PASID
 * tables (pages) allocated on the first guest PASID of their range and
 * freed when their last entry goes. @nr_valid counts the valid entries of
 * each table, @by_host maps a host PASID back to its guest PASID (FREE
 * before UNBIND, should it ever come, still finds the entry).
 *
 * Update protocol (kvm_pasid_vm_set(), kvm_pasid_vm_clear()):
 * 1. a new table page is filled (its one entry written) before the
 *    table pointer and the directory entry pointing to it are published
 *    with smp_store_release();
 *    an entry in a published table is written with one 32-bit store: no
 *    reader ever sees a half-written entry or an unfilled table; an
 *    unpublished directory entry is kvm_pasid_pde_none() again, and its
 *    table pointer kvm_pasid_table_none() (the zero page: readers do not
 *    test the present bit);
 * 2. every vCPU of the VM is forced out of guest mode and the kick waits
 *    for it (kvm_make_all_cpus_request(KVM_REQ_OUTSIDE_GUEST_MODE) where
 *    KVM exports it, else kick_all_cpus_sync(): an IPI to every CPU, which
 *    makes a CPU in guest mode exit): when it returns no vCPU still runs
 *    with a translation it read before step 1 (it re-enters guest mode,
 *    and walks the table again, after the stores);
 * 3. only then is an unpublished table freed, after an RCU grace period
 *    for the software readers (kvm_pasid_translate()).
 *
 * Lock order (outer first)
 * ------------------------
 * 1. &kvm_pasid_file.lock (mutex): the file's attachment pointer and
 *    counters of ended attachments; ioctls and release.
 * 2. kvm_pasid_vms_lock (mutex): the registry of attached VMs (writers;
 *    readers use RCU), @attached; attach and end.
 * 3. the ioasid set's mutex (taken by ioasid around our handler, and by
 *    (un)registering the notifier: never with 4 held).
 * 4. &kvm_pasid_vm.lock (mutex): the table, @by_host, @nr_valid and the
 *    counters; taken by the notifier handler and the query ioctls. Under
 *    it: page and xarray allocations, IPIs (the kick), call_rcu().
 *
 * The notifier handler runs with 3 held: it takes 4 only, never 1 or 2,
 * and does not wait for the end-of-set work (it queues it).
 */
#ifndef _KVM_PASID_PRIVATE_H
#define _KVM_PASID_PRIVATE_H

#include <linux/kvm_pasid.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct pvm_ioasid_set;

/**
 * struct kvm_pasid_vm - an attachment
 * @pub: what devices see (the table)
 * @ref: references (file, devices, queued work)
 * @lock: see the lock order
 * @kvm: the VM, referenced while @attached; NULL for a KUnit table
 * @set: the ioasid set, referenced while @attached
 * @nb: registration on @set (priority IOASID_PRIO_CPU)
 * @attached: in the registry, notifier registered (kvm_pasid_vms_lock)
 * @set_freed: the set sent SET_FREE (@lock)
 * @kick_vcpus: kicks use KVM's request (else every CPU gets an IPI)
 * @node: in kvm_pasid_vms (kvm_pasid_vms_lock; RCU readers)
 * @end_work: ends the attachment after SET_FREE, outside the set's mutex
 * @by_host: host PASID -> xa_mk_value(guest PASID) (@lock)
 * @nr_valid: valid entries per PASID table (@lock)
 * @nr_entries: valid entries (@lock, READ_ONCE for GET_INFO)
 * @nr_tables: PASID tables in use (@lock)
 * @updates: entries installed or removed (@lock)
 * @kicks: kicks (@lock)
 * @refused: BINDs refused (@lock)
 * @rcu: delayed free
 */
struct kvm_pasid_vm {
	struct kvm_pasid pub;
	refcount_t ref;
	struct mutex lock;	/* see the lock order above */
	struct kvm *kvm;
	struct pvm_ioasid_set *set;
	struct notifier_block nb;
	bool attached;
	bool set_freed;
	bool kick_vcpus;
	struct hlist_node node;
	struct work_struct end_work;
	struct xarray by_host;
	u16 nr_valid[KVM_PASID_NR_TABLES];
	unsigned int nr_entries;
	unsigned int nr_tables;
	u64 updates;
	u64 kicks;
	u64 refused;
	struct rcu_head rcu;
};

static inline struct kvm_pasid_vm *to_kvm_pasid_vm(struct kvm_pasid *kp)
{
	return container_of(kp, struct kvm_pasid_vm, pub);
}

/* The PASID table of @gpasid's range, NULL if none (writers, @vm->lock). */
static inline u32 *kvm_pasid_vm_table(struct kvm_pasid_vm *vm, u32 gpasid)
{
	return kvm_pasid_pde_decode(vm->pub.table.dir[gpasid >> KVM_PASID_TABLE_SHIFT]);
}

/* table.c: the table and its update protocol; exported to the KUnit suite. */
u64 kvm_pasid_pde_none(void);
const u32 *kvm_pasid_table_none(void);
struct kvm_pasid_vm *kvm_pasid_vm_alloc(void);
void kvm_pasid_vm_get(struct kvm_pasid_vm *vm);
void kvm_pasid_vm_put(struct kvm_pasid_vm *vm);
int kvm_pasid_vm_set(struct kvm_pasid_vm *vm, u32 gpasid, u32 hpasid);
bool kvm_pasid_vm_unset(struct kvm_pasid_vm *vm, u32 gpasid);
bool kvm_pasid_vm_unset_host(struct kvm_pasid_vm *vm, u32 hpasid);
void kvm_pasid_vm_clear(struct kvm_pasid_vm *vm);
void kvm_pasid_vm_stats(struct kvm_pasid_vm *vm, u64 *lookups, u64 *misses);
size_t kvm_pasid_vm_bytes(struct kvm_pasid_vm *vm);
void kvm_pasid_table_fault_init(void);

#endif /* _KVM_PASID_PRIVATE_H */
