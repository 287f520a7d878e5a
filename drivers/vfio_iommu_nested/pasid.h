/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: the PASID part of a container (ioctl.c, pasid.c,
 * dma.c): the /dev/ioasid set it is tied to, the stage-1 bindings, the
 * fault queue, and the DMA path that walks them.
 *
 * Objects
 * -------
 * A container's &struct vn_pasid_state is made by the first ioctl of type
 * VFIO_NESTED_TYPE that needs it and freed by vn_nested_release(). With it
 * comes the container's fault queue (fault.c), alive as long as the state.
 *
 * A &struct vn_binding is one bound stage 1: for a host PASID, or the
 * container's PASID-less (RID) one. Bindings of host PASIDs are in
 * vn_bindings, one xarray for the whole module indexed by host PASID, so
 * that a host PASID is bound in at most one container; each container also
 * indexes its PASID bindings by the name they were bound with
 * (&vn_pasid_state.names: a host or a guest PASID) and keeps its RID
 * binding in &vn_pasid_state.rid. A binding holds a consumer reference on
 * its host PASID (pvm_ioasid_get()), so that the PASID is not reused while
 * a DMA may still use the binding, and a reference on the set.
 *
 * Bindings are refcounted: the indexes hold one, a DMA in progress holds
 * one. Lookups on the DMA path take no lock: xa_load() or
 * rcu_dereference() under RCU and refcount_inc_not_zero(); the memory (and
 * the stage 1's, vn_s1_free()) goes after an RCU grace period. A
 * container also keeps its first bindings in a small table indexed by the
 * low bits of the host PASID (&vn_pasid_state.hot, written under the lock
 * at bind and unbind), so that the DMA path finds them without an xarray
 * walk. A DMA whose one page is an IOTLB hit (vn_dma()'s fast path) takes
 * no reference at all: it finds the binding and the translation in an
 * RCU-sched read side and needs neither once it moves the bytes.
 * Unbinding (the ioctl, the ioasid FREE
 * notification, release) takes the binding out of the indexes, marks it
 * @dead (a DMA stops at its next page), answers the page requests of its
 * PASID pending in the fault queue and drops the indexes' reference.
 *
 * Lock order (outer first; the container's own locks are in
 * nested_private.h: none of them is held here, and none is taken but
 * vn_container.dev_lock for the device lookup of TEST_DMA, before any of
 * these, and vn_container.s2_lock inside the vn_s2_*() calls)
 * ------------------------------------------------------------------------
 * 1. &vn_pasid_state.setup_lock (mutex): SET_IOASID_FD; held while the
 *    notifier is registered on the set (which takes set->lock).
 * 2. ioasid's set->lock (mutex, in pvm_ioasid.ko): held while our FREE
 *    handler runs.
 * 3. &vn_pasid_state.lock (mutex): the indexes (writers), @set once
 *    published, a binding's @dead. Taken by the FREE handler: nothing
 *    under it calls a pvm_ioasid function that takes set->lock (only the
 *    lock-free lookups and get/put). May be held while waiting for a DMA
 *    of a dead binding to leave the fault queue (vn_binding_drain()).
 * 4. the fault queue's locks (fault.c), the stage 1's lock (s1.c), the
 *    xa_lock of the indexes, vn_container.s2_lock (s2.c).
 *
 * No lock of ours is held across vn_fault_page_request(): the DMA path
 * holds only a binding reference while it waits for the VMM's answer.
 */
#ifndef _VFIO_IOMMU_NESTED_PASID_H
#define _VFIO_IOMMU_NESTED_PASID_H

#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <linux/vfio_iommu_nested.h>

#include "nested_private.h"
#include "s1.h"

struct pvm_ioasid_set;
struct vfio_device;
struct vn_fault_queue;

/* Bindings a container finds without an xarray walk (a power of 2). */
#define VN_BINDING_HOT		8

/* Most page requests one page of a DMA raises before it fails. */
#define VN_DMA_MAX_RETRIES	4

/**
 * struct vn_binding - one bound stage 1
 * @ref: references: the indexes' one, one per DMA using it
 * @ps: the container's state it belongs to
 * @set: the ioasid set @pasid belongs to (referenced); NULL for the RID
 * @pasid: host PASID; VFIO_NESTED_NO_PASID for the RID binding
 * @name: the PASID as bound (host or guest PASID); 0 for the RID
 * @guest: @name is a guest PASID
 * @dead: unbound: a DMA stops at its next page (written under
 *	&vn_pasid_state.lock, read without)
 * @waiters: DMAs of this binding raising or waiting for a page request
 * @s1: the stage 1
 * @rcu: delayed free of the memory
 */
struct vn_binding {
	refcount_t ref;
	struct vn_pasid_state *ps;
	struct pvm_ioasid_set *set;
	u32 pasid;
	u32 name;
	bool guest;
	bool dead;
	atomic_t waiters;
	struct vn_s1 *s1;
	struct rcu_head rcu;
};

/**
 * struct vn_pasid_state - the PASID part of a container
 * @c: the container
 * @setup_lock: lock 1
 * @lock: lock 3
 * @set: the set of the container's /dev/ioasid file (referenced), NULL
 *	until VFIO_NESTED_SET_IOASID_FD; written once under both locks
 * @nb: our registration on @set's notifier chain
 * @names: PASID bindings of the container by name (writers under @lock)
 * @nr_bindings: entries of @names (@lock)
 * @rid: the RID binding or NULL (writers under @lock, RCU readers)
 * @hot: PASID bindings by host PASID modulo VN_BINDING_HOT, the first bound
 *	in a slot while it stays bound (writers under @lock, RCU readers)
 * @faultq: the container's fault queue (for the state's life)
 * @drain_wq: unbinding waits here for @waiters of a dead binding to go
 * @devtlb_invs: device-TLB invalidation entries handled
 * @grpid: the page request group index of the next page request
 */
struct vn_pasid_state {
	struct vn_container *c;
	struct mutex setup_lock;	/* lock 1 */
	struct mutex lock;		/* lock 3 */
	struct pvm_ioasid_set *set;
	struct notifier_block nb;
	struct xarray names;
	unsigned int nr_bindings;
	struct vn_binding __rcu *rid;
	struct vn_binding __rcu *hot[VN_BINDING_HOT];
	struct vn_fault_queue *faultq;
	wait_queue_head_t drain_wq;
	atomic64_t devtlb_invs;
	atomic_t grpid;
};

/**
 * vn_pasid_state() - the PASID state of a container, if made yet
 * @c: the container
 *
 * Inline: every DMA asks.
 *
 * Return: the state or NULL. Lock-free.
 */
static inline struct vn_pasid_state *vn_pasid_state(struct vn_container *c)
{
	/* Pairs with the cmpxchg() that publishes it. */
	return smp_load_acquire(&c->pasid_state);
}

/* pasid.c */
struct vn_pasid_state *vn_pasid_state_get_or_alloc(struct vn_container *c);
int vn_pasid_check(u32 flags, u32 pasid);
int vn_pasid_set_ioasid_fd(struct vn_pasid_state *ps, int fd);
int vn_pasid_bind(struct vn_pasid_state *ps, u32 flags, u32 pasid,
		  const struct vn_s1_cfg *cfg);
int vn_pasid_unbind(struct vn_pasid_state *ps, u32 flags, u32 pasid);
struct vn_binding *vn_binding_get_by_name(struct vn_pasid_state *ps,
					  u32 name, bool no_pasid);
struct vn_binding *vn_binding_get_by_flags(struct vn_pasid_state *ps,
					   u32 flags, u32 pasid);
struct vn_binding *vn_binding_get_host(struct vn_pasid_state *ps, u32 pasid);
struct vn_binding *vn_binding_find_slow(struct vn_pasid_state *ps, u32 pasid);
void vn_binding_put(struct vn_binding *b);
void vn_pasid_invalidate_all(struct vn_pasid_state *ps);
u32 vn_pasid_bits(void);

/* The slot of &vn_pasid_state.hot of a host PASID. */
static inline unsigned int vn_binding_hot(u32 pasid)
{
	return pasid & (VN_BINDING_HOT - 1);
}

/**
 * vn_binding_find() - the binding a DMA uses, without a reference
 * @ps: the container's state
 * @pasid: host PASID, or VFIO_NESTED_NO_PASID for the RID binding
 *
 * Context: in rcu_read_lock_sched(); the binding stays valid (not alive:
 * check @dead) until its end.
 * Return: the binding or NULL.
 */
static inline struct vn_binding *vn_binding_find(struct vn_pasid_state *ps,
						 u32 pasid)
{
	struct vn_binding *b;

	if (pasid == VFIO_NESTED_NO_PASID)
		return rcu_dereference_sched(ps->rid);
	b = rcu_dereference_sched(ps->hot[vn_binding_hot(pasid)]);
	if (likely(b && b->pasid == pasid))
		return b;
	return vn_binding_find_slow(ps, pasid);
}

/* dma.c */
int vn_dma(struct vn_container *c, struct vfio_device *vdev, u32 pasid,
	   u64 iova, void *buf, size_t len, unsigned int flags,
	   struct vfio_nested_dma_result *res);

#endif /* _VFIO_IOMMU_NESTED_PASID_H */
