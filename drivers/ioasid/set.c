// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid sets: quota, token lookup, lifetime.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "ioasid_private.h"

/* Outermost lock: see the lock order in ioasid_private.h. */
DEFINE_MUTEX(ioasid_sets_lock);
/* Live sets (not yet freed by their owner), by token too (ioasid_sets_lock). */
LIST_HEAD(ioasid_sets);
/* Every set not yet released, for pvm_ioasid_pool_used() (ioasid_all_sets_lock). */
DEFINE_SPINLOCK(ioasid_all_sets_lock);
LIST_HEAD(ioasid_all_sets);

struct pvm_ioasid_set *ioasid_find_set_by_token_locked(void *token,
						   enum pvm_ioasid_set_token_type type)
{
	struct pvm_ioasid_set *set;

	lockdep_assert_held(&ioasid_sets_lock);
	if (type == IOASID_SET_TOKEN_NONE)
		return NULL;
	list_for_each_entry(set, &ioasid_sets, node)
		if (set->token == token && set->type == type)
			return set;
	return NULL;
}

/**
 * pvm_ioasid_set_alloc() - allocate a set
 * @token: the mm or kvm the set belongs to, NULL for IOASID_SET_TOKEN_NONE
 * @type: what @token is
 * @quota: most IDs the set may hold at once, or IOASID_QUOTA_UNLIMITED
 *
 * A quota is a limit, not a reservation: nothing is taken from the pool
 * when a set is created, so an unlimited set never starves a later one; the
 * sum of quotas may exceed the pool, in which case allocation fails with
 * -ENOSPC once the pool is full. At most one set exists per token. Token
 * notifier registrations waiting for @token are attached to the new set.
 *
 * Context: process context, may sleep. Takes ioasid_sets_lock.
 * Return: the set holding the owner's reference, to be released with
 * pvm_ioasid_set_free(); ERR_PTR(-EINVAL) for a bad type, token or quota above
 * the pool's capacity, ERR_PTR(-EEXIST) if @token already has a set,
 * ERR_PTR(-ENOMEM).
 */
struct pvm_ioasid_set *pvm_ioasid_set_alloc(void *token,
				    enum pvm_ioasid_set_token_type type,
				    unsigned int quota)
{
	bool needs_token = type != IOASID_SET_TOKEN_NONE;
	struct pvm_ioasid_set *set;
	int ret;

	might_sleep();
	if (type >= IOASID_SET_TOKEN_NR || quota > ioasid_capacity ||
	    needs_token != !!token)
		return ERR_PTR(-EINVAL);

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	mutex_init(&set->lock);
	refcount_set(&set->ref, 1);
	set->token = token;
	set->type = type;
	set->quota = quota;
	atomic_set(&set->nr_reclaimed, 0);
	INIT_LIST_HEAD(&set->ids);
	xa_init(&set->spids);
	INIT_LIST_HEAD(&set->notifiers);
	INIT_LIST_HEAD(&set->node);
	INIT_LIST_HEAD(&set->avail);
	INIT_LIST_HEAD(&set->full);

	mutex_lock(&ioasid_sets_lock);
	if (ioasid_find_set_by_token_locked(token, type)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = ioasid_copy_global_nbs(set);
	if (ret)
		goto err_unlock;
	list_add_tail(&set->node, &ioasid_sets);
	ioasid_attach_token_nbs(set);
	mutex_unlock(&ioasid_sets_lock);

	spin_lock(&ioasid_all_sets_lock);
	list_add_tail(&set->all_node, &ioasid_all_sets);
	spin_unlock(&ioasid_all_sets_lock);
	return set;

err_unlock:
	mutex_unlock(&ioasid_sets_lock);
	ioasid_set_free_nbs(set);
	mutex_destroy(&set->lock);
	kfree(set);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_alloc, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_free() - owner's teardown of a set
 * @set: the set, from pvm_ioasid_set_alloc()
 *
 * Frees every ID of the set (UNBIND and FREE notifications), makes the set
 * unreachable by token, delivers IOASID_NOTIFY_SET_FREE exactly once, moves
 * token registrations back to pending and drops the owner's reference. The
 * memory lives on while consumers or free-pending IDs hold references; any
 * further pvm_ioasid_alloc() on it fails with -ENOENT.
 *
 * Context: process context, may sleep. Takes set->lock, ioasid_sets_lock.
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

	mutex_lock(&ioasid_sets_lock);
	list_del_init(&set->node);
	mutex_lock(&set->lock);
	ioasid_notify(set, IOASID_NOTIFY_SET_FREE, NULL, PVM_IOASID_INVALID);
	ioasid_detach_token_nbs(set);
	mutex_unlock(&set->lock);
	mutex_unlock(&ioasid_sets_lock);

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
	spin_lock(&ioasid_all_sets_lock);
	list_del(&set->all_node);
	spin_unlock(&ioasid_all_sets_lock);
	xa_destroy(&set->spids);
	ioasid_set_free_nbs(set);
	mutex_destroy(&set->lock);
	call_rcu(&set->rcu, ioasid_set_free_rcu);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_put, PVM_IOASID_NS);

/**
 * pvm_ioasid_find_set_by_token() - look a set up by its token
 * @token: the mm or kvm
 * @type: what @token is
 *
 * Context: process context, may sleep. Takes ioasid_sets_lock.
 * Return: the set with a reference the caller drops with pvm_ioasid_set_put(),
 * or NULL when @token has no live set.
 */
struct pvm_ioasid_set *pvm_ioasid_find_set_by_token(void *token,
					    enum pvm_ioasid_set_token_type type)
{
	struct pvm_ioasid_set *set;

	mutex_lock(&ioasid_sets_lock);
	set = ioasid_find_set_by_token_locked(token, type);
	if (set)
		pvm_ioasid_set_get(set);
	mutex_unlock(&ioasid_sets_lock);
	return set;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_find_set_by_token, PVM_IOASID_NS);

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
 * Counts free-pending IDs, which still use the quota.
 * Context: any.
 * Return: the count, a snapshot.
 */
unsigned int pvm_ioasid_set_used(struct pvm_ioasid_set *set)
{
	return ioasid_set_held(set);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_used, PVM_IOASID_NS);
