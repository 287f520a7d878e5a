// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid sets: quota, the per-user limit, lifetime.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "ioasid_private.h"

/*
 * Most IDs the /dev/ioasid files of one user may hold together; 0 for no
 * limit. Read at each allocation: lowering it refuses new IDs, takes none
 * back.
 */
unsigned int ioasid_user_max = 16384;
module_param_named(user_max_pasids, ioasid_user_max, uint, 0644);
MODULE_PARM_DESC(user_max_pasids,
		 "Most PASIDs the /dev/ioasid files of one user hold together, 0 = no limit (default 16384)");

/* kuid (in the initial namespace) -> &struct ioasid_user. */
static DEFINE_XARRAY(ioasid_users);
/* Serializes the creation of users; see the lock order. */
static DEFINE_MUTEX(ioasid_users_mutex);

/* The user of @uid with a new reference, created if it has none yet. */
static struct ioasid_user *ioasid_user_get(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct ioasid_user *user;
	int ret;

	mutex_lock(&ioasid_users_mutex);
	/*
	 * A user in the xarray has a reference: its last put erases it
	 * under the xa_lock, where this lookup takes its own.
	 */
	xa_lock(&ioasid_users);
	user = xa_load(&ioasid_users, key);
	if (user)
		refcount_inc(&user->ref);
	xa_unlock(&ioasid_users);
	if (user)
		goto out;

	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (!user) {
		user = ERR_PTR(-ENOMEM);
		goto out;
	}
	refcount_set(&user->ref, 1);
	user->uid = uid;
	atomic_set(&user->held, 0);
	ret = xa_insert(&ioasid_users, key, user, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(user);
		user = ERR_PTR(ret);
	}
out:
	mutex_unlock(&ioasid_users_mutex);
	return user;
}

/* Context: any but interrupt context (a set's last put may be atomic). */
static void ioasid_user_put(struct ioasid_user *user)
{
	/* Under the lock that ioasid_user_get() finds it with. */
	xa_lock(&ioasid_users);
	if (!refcount_dec_and_test(&user->ref)) {
		xa_unlock(&ioasid_users);
		return;
	}
	__xa_erase(&ioasid_users, from_kuid(&init_user_ns, user->uid));
	xa_unlock(&ioasid_users);
	WARN_ON(atomic_read(&user->held));
	kfree(user);
}

/* Count one more ID of @user, unless that passes ioasid_user_max. */
bool ioasid_user_charge(struct ioasid_user *user)
{
	unsigned int max = READ_ONCE(ioasid_user_max);
	int held = atomic_read(&user->held);

	do {
		if (max && held >= max)
			return false;
	} while (!atomic_try_cmpxchg(&user->held, &held, held + 1));
	return true;
}

void ioasid_user_uncharge(struct ioasid_user *user)
{
	atomic_dec(&user->held);
}

static struct pvm_ioasid_set *__ioasid_set_alloc(unsigned int quota,
						 struct ioasid_user *user)
{
	struct pvm_ioasid_set *set;

	if (quota > ioasid_capacity)
		return ERR_PTR(-EINVAL);
	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	mutex_init(&set->lock);
	refcount_set(&set->ref, 1);
	set->user = user;
	set->quota = quota;
	atomic_set(&set->nr_reclaimed, 0);
	INIT_LIST_HEAD(&set->ids);
	xa_init(&set->spids);
	INIT_LIST_HEAD(&set->notifiers);
	INIT_LIST_HEAD(&set->avail);
	INIT_LIST_HEAD(&set->full);
	return set;
}

/**
 * pvm_ioasid_set_alloc() - allocate a set for a kernel user
 * @quota: most IDs the set may hold at once, or IOASID_QUOTA_UNLIMITED
 *
 * A quota is a limit, not a reservation: nothing is taken from the pool
 * when a set is created, so an unlimited set never starves a later one; the
 * sum of quotas may exceed the pool, in which case allocation fails with
 * -ENOSPC once the pool is full. The set is reached only through the
 * pointer returned (and references taken on it): there is no lookup of
 * sets. A VM's set is the one of the VMM's /dev/ioasid file, see
 * pvm_ioasid_set_get_from_file(); a set allocated here is charged to no
 * user (the caller accounts for it), its memory to the caller's memory
 * cgroup.
 *
 * Context: process context, may sleep.
 * Return: the set holding the owner's reference, to be released with
 * pvm_ioasid_set_free(); ERR_PTR(-EINVAL) for a quota above the pool's
 * capacity, ERR_PTR(-ENOMEM).
 */
struct pvm_ioasid_set *pvm_ioasid_set_alloc(unsigned int quota)
{
	might_sleep();
	return __ioasid_set_alloc(quota, NULL);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_alloc, PVM_IOASID_NS);

/* A set whose IDs count against @uid's user_max_pasids: /dev/ioasid. */
struct pvm_ioasid_set *ioasid_set_alloc_user(unsigned int quota, kuid_t uid)
{
	struct ioasid_user *user = ioasid_user_get(uid);
	struct pvm_ioasid_set *set;

	if (IS_ERR(user))
		return ERR_CAST(user);
	set = __ioasid_set_alloc(quota, user);
	if (IS_ERR(set))
		ioasid_user_put(user);
	return set;
}

/**
 * pvm_ioasid_set_free() - owner's teardown of a set
 * @set: the set, from pvm_ioasid_set_alloc()
 *
 * Frees every ID of the set (UNBIND and FREE notifications), delivers
 * IOASID_NOTIFY_SET_FREE exactly once and drops the owner's reference. The
 * memory lives on while consumers or free-pending IDs hold references; any
 * further pvm_ioasid_alloc() on it fails with -ENOENT.
 *
 * Context: process context, may sleep. Takes set->lock.
 */
void pvm_ioasid_set_free(struct pvm_ioasid_set *set)
{
	struct ioasid_data *data, *next;

	might_sleep();
	mutex_lock(&set->lock);
	if (WARN_ON(set->dead)) {
		mutex_unlock(&set->lock);
		return;
	}
	/* Dead: no more allocations, so no more chunks leased. */
	set->dead = true;
	list_for_each_entry_safe(data, next, &set->ids, node)
		ioasid_free_locked(set, data);
	mutex_unlock(&set->lock);
	/* IDs still referenced go back to the pool on their last put. */
	ioasid_set_unlease_all(set);

	mutex_lock(&set->lock);
	ioasid_notify(set, IOASID_NOTIFY_SET_FREE, NULL, PVM_IOASID_INVALID);
	mutex_unlock(&set->lock);

	pvm_ioasid_set_put(set);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_free, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_get() - take a reference on a set's memory
 * @set: the set
 *
 * Context: any.
 */
void pvm_ioasid_set_get(struct pvm_ioasid_set *set)
{
	refcount_inc(&set->ref);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_get, PVM_IOASID_NS);

static void ioasid_set_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct pvm_ioasid_set, rcu));
}

/**
 * pvm_ioasid_set_put() - drop a reference on a set's memory
 * @set: the set
 *
 * The last reference frees the memory (after pvm_ioasid_set_free() by the
 * owner, which holds one reference). It sends no notification.
 *
 * Context: any but interrupt context.
 */
void pvm_ioasid_set_put(struct pvm_ioasid_set *set)
{
	if (!refcount_dec_and_test(&set->ref))
		return;
	WARN_ON(!set->dead || ioasid_set_held(set) ||
		!list_empty(&set->ids) || set->nr_chunks);
	if (set->user)
		ioasid_user_put(set->user);
	xa_destroy(&set->spids);
	ioasid_set_free_nbs(set);
	mutex_destroy(&set->lock);
	call_rcu(&set->rcu, ioasid_set_free_rcu);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_put, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_set_quota() - change a set's quota
 * @set: the set
 * @quota: new quota, or IOASID_QUOTA_UNLIMITED
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @quota exceeds the pool's capacity, -EBUSY if the
 * set already holds more than @quota IDs.
 */
int pvm_ioasid_set_set_quota(struct pvm_ioasid_set *set, unsigned int quota)
{
	int ret = 0;

	if (quota > ioasid_capacity)
		return -EINVAL;
	mutex_lock(&set->lock);
	if (quota != IOASID_QUOTA_UNLIMITED &&
	    ioasid_set_held(set) > quota)
		ret = -EBUSY;
	else
		WRITE_ONCE(set->quota, quota);
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_set_quota, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_quota() - a set's quota
 * @set: the set
 *
 * Context: any.
 * Return: the quota, IOASID_QUOTA_UNLIMITED (0) for unlimited.
 */
unsigned int pvm_ioasid_set_quota(struct pvm_ioasid_set *set)
{
	return READ_ONCE(set->quota);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_quota, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_used() - IDs a set holds
 * @set: the set
 *
 * Counts free-pending IDs, which still use the quota. Lock-free: the count
 * is one the set had at an instant during the call, so never above its
 * quota, although the owner may allocate and free meanwhile.
 * Context: any.
 * Return: the count, a snapshot.
 */
unsigned int pvm_ioasid_set_used(struct pvm_ioasid_set *set)
{
	unsigned int gone, allocated;

	/*
	 * The owner may free and allocate between two reads: frees read
	 * before and allocations read after would count each ID freed and
	 * allocated again in between twice. The frees only grow: unchanged
	 * around the read of @nr_allocated, they are those of that instant.
	 */
	do {
		gone = ioasid_set_gone(set);
		/* Every reclaim follows its allocation: never negative. */
		smp_rmb();
		allocated = READ_ONCE(set->nr_allocated);
		/* The allocations before the frees' second read. */
		smp_rmb();
	} while (unlikely(ioasid_set_gone(set) != gone));
	return allocated - gone;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_used, PVM_IOASID_NS);
