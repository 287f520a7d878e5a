// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: PASID ownership through ioasid and the stage-1
 * bindings of a container. Objects and lock order: pasid.h.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/pvm_ioasid.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "fault.h"
#include "pasid.h"

MODULE_IMPORT_NS(PVM_IOASID_NS);

/* Every bound host PASID of every container: a PASID is bound once. */
static DEFINE_XARRAY(vn_bindings);

/* How long unbinding waits between two answers to a DMA's page request. */
#define VN_DRAIN_WAIT	(HZ / 100)

static void vn_pasid_state_free(struct vn_pasid_state *ps)
{
	vn_fault_queue_put(ps->faultq);
	xa_destroy(&ps->names);
	mutex_destroy(&ps->lock);
	mutex_destroy(&ps->setup_lock);
	kfree(ps);
}

/**
 * vn_pasid_state_get_or_alloc() - the PASID state of a container
 * @c: the container
 *
 * Makes the state and its fault queue on the first call.
 *
 * Context: process context, may sleep.
 * Return: the state, ERR_PTR(-ENOMEM).
 */
struct vn_pasid_state *vn_pasid_state_get_or_alloc(struct vn_container *c)
{
	struct vn_pasid_state *ps = vn_pasid_state(c), *old;
	struct vn_fault_queue *q;

	if (ps)
		return ps;
	ps = kzalloc(sizeof(*ps), GFP_KERNEL_ACCOUNT);
	if (!ps)
		return ERR_PTR(-ENOMEM);
	q = vn_fault_queue_alloc(VN_FAULT_DEPTH_DEFAULT);
	if (IS_ERR(q)) {
		kfree(ps);
		return ERR_CAST(q);
	}
	ps->c = c;
	ps->faultq = q;
	mutex_init(&ps->setup_lock);
	mutex_init(&ps->lock);
	xa_init(&ps->names);
	init_waitqueue_head(&ps->drain_wq);
	old = cmpxchg(&c->pasid_state, NULL, ps);
	if (old) {
		/* Another ioctl made it first. */
		vn_fault_queue_shutdown(q);
		vn_pasid_state_free(ps);
		return old;
	}
	return ps;
}

/* Last reference: nothing can reach the binding any more. */
static void vn_binding_free(struct vn_binding *b)
{
	vn_s1_free(b->s1);
	if (b->set) {
		pvm_ioasid_put(b->set, b->pasid);
		pvm_ioasid_set_put(b->set);
	}
	kfree_rcu(b, rcu);
}

/**
 * vn_binding_put() - drop a reference on a binding
 * @b: the binding
 *
 * Context: process context (the last one frees the stage 1).
 */
void vn_binding_put(struct vn_binding *b)
{
	if (refcount_dec_and_test(&b->ref))
		vn_binding_free(b);
}

/* The binding named by an ioctl's PASID flags, under ps->lock or RCU. */
static struct vn_binding *vn_binding_lookup(struct vn_pasid_state *ps,
					    u32 flags, u32 pasid)
{
	struct vn_binding *b;

	if (flags & VFIO_NESTED_PASID_NONE)
		return rcu_dereference_check(ps->rid,
					     lockdep_is_held(&ps->lock));
	if (flags & VFIO_NESTED_PASID_GUEST) {
		b = xa_load(&ps->names, pasid);
		return b && b->guest ? b : NULL;
	}
	b = xa_load(&vn_bindings, pasid);
	return b && b->ps == ps ? b : NULL;
}

static struct vn_binding *vn_binding_tryget(struct vn_binding *b)
{
	return b && refcount_inc_not_zero(&b->ref) ? b : NULL;
}

/**
 * vn_binding_get_by_flags() - a reference on a binding named by an ioctl
 * @ps: the container's state
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID as @flags names it
 *
 * Context: any but interrupt context; lock-free.
 * Return: the binding (vn_binding_put() it) or NULL.
 */
struct vn_binding *vn_binding_get_by_flags(struct vn_pasid_state *ps,
					   u32 flags, u32 pasid)
{
	struct vn_binding *b;

	rcu_read_lock();
	b = vn_binding_tryget(vn_binding_lookup(ps, flags, pasid));
	rcu_read_unlock();
	return b;
}

/**
 * vn_binding_get_by_name() - a reference on a binding named as it was bound
 * @ps: the container's state
 * @name: the host or guest PASID given at bind time
 * @no_pasid: the RID binding instead (@name is ignored)
 *
 * Context: any but interrupt context; lock-free.
 * Return: the binding (vn_binding_put() it) or NULL.
 */
struct vn_binding *vn_binding_get_by_name(struct vn_pasid_state *ps,
					  u32 name, bool no_pasid)
{
	struct vn_binding *b;

	rcu_read_lock();
	if (no_pasid)
		b = rcu_dereference(ps->rid);
	else
		b = xa_load(&ps->names, name);
	b = vn_binding_tryget(b);
	rcu_read_unlock();
	return b;
}

/**
 * vn_binding_get_host() - a reference on the binding a DMA uses
 * @ps: the container's state
 * @pasid: host PASID, or VFIO_NESTED_NO_PASID for the RID binding
 *
 * Context: any but interrupt context; lock-free.
 * Return: the binding (vn_binding_put() it) or NULL.
 */
struct vn_binding *vn_binding_get_host(struct vn_pasid_state *ps, u32 pasid)
{
	struct vn_binding *b;

	rcu_read_lock_sched();
	b = vn_binding_tryget(vn_binding_find(ps, pasid));
	rcu_read_unlock_sched();
	return b;
}

/**
 * vn_binding_find_slow() - vn_binding_find() of a binding not in the table
 * @ps: the container's state
 * @pasid: host PASID
 *
 * Context: in rcu_read_lock_sched().
 * Return: the binding or NULL.
 */
struct vn_binding *vn_binding_find_slow(struct vn_pasid_state *ps, u32 pasid)
{
	struct vn_binding *b = xa_load(&vn_bindings, pasid);

	return b && b->ps == ps ? b : NULL;
}

/*
 * A DMA of @b may be between its check of @b->dead and the queueing of its
 * page request, which the first answer would then miss: answer again until
 * no DMA of @b is left in the fault queue. The DMA path raises @waiters
 * before it reads @dead (with a full barrier between), we set @dead before
 * we read @waiters: one of the two sees the other.
 */
static void vn_binding_drain(struct vn_pasid_state *ps, struct vn_binding *b)
{
	bool has_pasid = b->pasid != VFIO_NESTED_NO_PASID;

	lockdep_assert_held(&ps->lock);
	WRITE_ONCE(b->dead, true);
	/* @dead before @waiters; pairs with vn_dma_page_request()'s barrier. */
	smp_mb();
	while (atomic_read(&b->waiters)) {
		vn_fault_abort(ps->faultq, b->name, has_pasid);
		wait_event_timeout(ps->drain_wq, !atomic_read(&b->waiters),
				   VN_DRAIN_WAIT);
	}
}

/*
 * Take @b out of the indexes and stop its DMAs. The caller drops the
 * indexes' reference once it released ps->lock.
 */
static void vn_binding_unlink(struct vn_pasid_state *ps, struct vn_binding *b)
{
	lockdep_assert_held(&ps->lock);
	if (b->pasid == VFIO_NESTED_NO_PASID) {
		RCU_INIT_POINTER(ps->rid, NULL);
	} else {
		xa_erase(&vn_bindings, b->pasid);
		xa_erase(&ps->names, b->name);
		if (rcu_access_pointer(ps->hot[vn_binding_hot(b->pasid)]) == b)
			RCU_INIT_POINTER(ps->hot[vn_binding_hot(b->pasid)], NULL);
		ps->nr_bindings--;
	}
	vn_binding_drain(ps, b);
	/* Page requests raised before the DMAs saw @dead, read or not. */
	vn_fault_abort(ps->faultq, b->name, b->pasid != VFIO_NESTED_NO_PASID);
}

/*
 * The FREE notification of the container's set: the owner freed a host
 * PASID. Runs with the set's lock held (pasid.h: lock 2), so it calls
 * nothing that takes it; it only unbinds.
 */
static int vn_ioasid_notify(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	struct vn_pasid_state *ps = container_of(nb, struct vn_pasid_state, nb);
	struct pvm_ioasid_nb_args *args = data;
	struct vn_binding *b = NULL;

	if (event != IOASID_NOTIFY_FREE)
		return NOTIFY_DONE;
	mutex_lock(&ps->lock);
	if (ps->set && args->set == ps->set) {
		b = vn_binding_lookup(ps, 0, args->id);
		if (b)
			vn_binding_unlink(ps, b);
	}
	mutex_unlock(&ps->lock);
	if (b)
		vn_binding_put(b);
	return NOTIFY_OK;
}

/**
 * vn_pasid_set_ioasid_fd() - VFIO_NESTED_SET_IOASID_FD
 * @ps: the container's state
 * @fd: a /dev/ioasid file descriptor
 *
 * Context: process context, may sleep.
 * Return: 0, -EBADF (@fd not open), -EINVAL (not /dev/ioasid), -EBUSY
 * (done already), -ENOMEM.
 */
int vn_pasid_set_ioasid_fd(struct vn_pasid_state *ps, int fd)
{
	struct pvm_ioasid_set *set;
	struct file *file;
	int ret;

	file = fget(fd);
	if (!file)
		return -EBADF;
	set = pvm_ioasid_set_get_from_file(file);
	fput(file);
	if (IS_ERR(set))
		return -EINVAL;

	mutex_lock(&ps->setup_lock);
	if (ps->set) {
		ret = -EBUSY;
		goto out_put;
	}
	ps->nb.notifier_call = vn_ioasid_notify;
	ps->nb.priority = IOASID_PRIO_IOMMU;
	ret = pvm_ioasid_register_notifier(set, &ps->nb);
	if (ret)
		goto out_put;
	mutex_lock(&ps->lock);
	ps->set = set;
	mutex_unlock(&ps->lock);
	mutex_unlock(&ps->setup_lock);
	return 0;

out_put:
	mutex_unlock(&ps->setup_lock);
	pvm_ioasid_set_put(set);
	return ret;
}

/**
 * vn_pasid_check() - common checks of the PASID an ioctl names
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID
 *
 * Return: 0, -EOPNOTSUPP (unknown flags), -EINVAL (both flags, a PASID with
 * VFIO_NESTED_PASID_NONE, a PASID of 0 or wider than 20 bits).
 */
int vn_pasid_check(u32 flags, u32 pasid)
{
	if (flags & ~(VFIO_NESTED_PASID_GUEST | VFIO_NESTED_PASID_NONE))
		return -EOPNOTSUPP;
	if (flags & VFIO_NESTED_PASID_NONE)
		return flags & VFIO_NESTED_PASID_GUEST || pasid ? -EINVAL : 0;
	if (!pasid || pasid > IOASID_SPID_MAX)
		return -EINVAL;
	return 0;
}

/* Bind a PASID: resolve its host PASID in the set, take it, index it. */
static int vn_pasid_bind_locked(struct vn_pasid_state *ps,
				struct vn_binding *b, u32 flags, u32 pasid)
{
	struct pvm_ioasid_set *set = ps->set;
	ioasid_t host;
	int ret;

	lockdep_assert_held(&ps->lock);
	if (!set)
		return -ENXIO;
	/*
	 * The reference is taken under ps->lock: a FREE of the PASID either
	 * came before (its handler released ps->lock before we took it, so
	 * the PASID is no longer active and the get fails) or comes after
	 * and finds the binding to remove.
	 */
	if (flags & VFIO_NESTED_PASID_GUEST) {
		host = pvm_ioasid_find_by_spid(set, pasid, true);
		if (host == PVM_IOASID_INVALID)
			return -ENOENT;
	} else {
		host = pasid;
		ret = pvm_ioasid_get(set, host);
		if (ret)
			return -ENOENT;
	}
	b->pasid = host;
	b->name = pasid;
	b->guest = flags & VFIO_NESTED_PASID_GUEST;

	ret = xa_insert(&ps->names, pasid, b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_put;
	ret = xa_insert(&vn_bindings, host, b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_name;
	pvm_ioasid_set_get(set);
	b->set = set;
	ps->nr_bindings++;
	if (!rcu_access_pointer(ps->hot[vn_binding_hot(host)]))
		rcu_assign_pointer(ps->hot[vn_binding_hot(host)], b);
	return 0;

err_name:
	xa_erase(&ps->names, pasid);
err_put:
	pvm_ioasid_put(set, host);
	return ret;
}

/**
 * vn_pasid_bind() - VFIO_NESTED_BIND_S1
 * @ps: the container's state
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID as @flags names it
 * @cfg: the stage 1
 *
 * Context: process context, may sleep.
 * Return: 0, -EOPNOTSUPP, -EINVAL (bad flags, PASID or @cfg), -ENXIO (no
 * /dev/ioasid file), -ENOENT (not the file's PASID), -EBUSY (bound already
 * or name in use), -ENOMEM.
 */
int vn_pasid_bind(struct vn_pasid_state *ps, u32 flags, u32 pasid,
		  const struct vn_s1_cfg *cfg)
{
	struct vn_binding *b;
	int ret;

	ret = vn_pasid_check(flags, pasid);
	if (ret)
		return ret;
	ret = vn_s1_cfg_check(cfg);
	if (ret)
		return ret;
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	b->s1 = vn_s1_alloc(cfg);
	if (!b->s1) {
		kfree(b);
		return -ENOMEM;
	}
	refcount_set(&b->ref, 1);
	b->ps = ps;
	atomic_set(&b->waiters, 0);

	mutex_lock(&ps->lock);
	if (!(flags & VFIO_NESTED_PASID_NONE)) {
		ret = vn_pasid_bind_locked(ps, b, flags, pasid);
	} else if (rcu_access_pointer(ps->rid)) {
		ret = -EBUSY;
	} else {
		b->pasid = VFIO_NESTED_NO_PASID;
		rcu_assign_pointer(ps->rid, b);
	}
	mutex_unlock(&ps->lock);
	if (ret) {
		vn_s1_free(b->s1);
		kfree(b);
	}
	return ret;
}

/**
 * vn_pasid_unbind() - VFIO_NESTED_UNBIND_S1
 * @ps: the container's state
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID as @flags names it
 *
 * Context: process context, may sleep.
 * Return: 0, -EOPNOTSUPP, -EINVAL, -ENXIO (a PASID named, no /dev/ioasid
 * file), -ENOENT (nothing bound by that name).
 */
int vn_pasid_unbind(struct vn_pasid_state *ps, u32 flags, u32 pasid)
{
	struct vn_binding *b;
	int ret;

	ret = vn_pasid_check(flags, pasid);
	if (ret)
		return ret;
	mutex_lock(&ps->lock);
	if (!(flags & VFIO_NESTED_PASID_NONE) && !ps->set) {
		mutex_unlock(&ps->lock);
		return -ENXIO;
	}
	b = vn_binding_lookup(ps, flags, pasid);
	if (b)
		vn_binding_unlink(ps, b);
	mutex_unlock(&ps->lock);
	if (!b)
		return -ENOENT;
	vn_binding_put(b);
	return 0;
}

/**
 * vn_pasid_invalidate_all() - drop every cached translation of a container
 * @ps: the container's state
 *
 * Context: process context, may sleep; takes ps->lock.
 */
void vn_pasid_invalidate_all(struct vn_pasid_state *ps)
{
	struct vn_binding *b;
	unsigned long index;

	mutex_lock(&ps->lock);
	b = rcu_dereference_protected(ps->rid, lockdep_is_held(&ps->lock));
	if (b)
		vn_s1_invalidate_all(b->s1);
	xa_for_each(&ps->names, index, b)
		vn_s1_invalidate_all(b->s1);
	mutex_unlock(&ps->lock);
}

/**
 * vn_pasid_bits() - width of the host PASID space
 *
 * Return: the number of bits of ioasid's largest PASID.
 */
u32 vn_pasid_bits(void)
{
	return fls(pvm_ioasid_pool_capacity());
}

/**
 * vn_nested_release() - free the PASID state of a container
 * @c: the container, going away
 *
 * Called first in the container's release, with no lock of ours held:
 * stops the notifications, answers what the fault queue holds, unbinds
 * everything and frees the state.
 *
 * Context: process context, may sleep.
 */
void vn_nested_release(struct vn_container *c)
{
	struct vn_pasid_state *ps = vn_pasid_state(c);
	struct vn_binding *b;
	unsigned long index;

	if (!ps)
		return;
	/* No FREE handler runs once this returns. */
	if (ps->set)
		pvm_ioasid_unregister_notifier(ps->set, &ps->nb);
	vn_fault_queue_shutdown(ps->faultq);

	mutex_lock(&ps->lock);
	xa_for_each(&ps->names, index, b) {
		vn_binding_unlink(ps, b);
		vn_binding_put(b);
	}
	b = rcu_dereference_protected(ps->rid, lockdep_is_held(&ps->lock));
	if (b) {
		vn_binding_unlink(ps, b);
		vn_binding_put(b);
	}
	mutex_unlock(&ps->lock);

	if (ps->set)
		pvm_ioasid_set_put(ps->set);
	c->pasid_state = NULL;
	vn_pasid_state_free(ps);
}
