// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid core: the pool, ID allocation, free, references and lookup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "ioasid_private.h"

static unsigned int pasid_bits = IOASID_MAX_BITS;
module_param(pasid_bits, uint, 0444);
MODULE_PARM_DESC(pasid_bits, "Width of the host PASID space, 1 to 20 (default 20)");

/* Largest ID of the pool: (1 << pasid_bits) - 1. Set once at load. */
ioasid_t ioasid_capacity __read_mostly;

static unsigned int set_cache = 64;
module_param(set_cache, uint, 0644);
MODULE_PARM_DESC(set_cache,
		 "Reclaimed IDs a set keeps for reuse, 0 to disable (default 64)");

static DEFINE_XARRAY_ALLOC(ioasid_xa);
static struct kmem_cache *ioasid_cache __read_mostly;

/**
 * ioasid_pool_capacity() - largest ID of the pool
 *
 * IDs are handed out in [1, capacity]; PASID 0 is never allocated.
 * Context: any.
 * Return: (1 << pasid_bits) - 1.
 */
ioasid_t ioasid_pool_capacity(void)
{
	return ioasid_capacity;
}
EXPORT_SYMBOL_NS_GPL(ioasid_pool_capacity, IOASID_NS);

/**
 * ioasid_pool_used() - number of IDs held in the whole pool
 *
 * Counts free-pending IDs too: they are not reusable yet. Sums the counts
 * of every set, so that allocation and free touch no pool-wide counter:
 * meant for reporting, not for hot paths.
 * Context: any but interrupt context. Takes ioasid_all_sets_lock.
 * Return: the count, a snapshot.
 */
unsigned int ioasid_pool_used(void)
{
	struct ioasid_set *set;
	unsigned int used = 0;

	spin_lock(&ioasid_all_sets_lock);
	list_for_each_entry(set, &ioasid_all_sets, all_node)
		used += ioasid_set_held(set);
	spin_unlock(&ioasid_all_sets_lock);
	return used;
}
EXPORT_SYMBOL_NS_GPL(ioasid_pool_used, IOASID_NS);

static void ioasid_data_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(ioasid_cache, container_of(head, struct ioasid_data, rcu));
}

/* Take an ID out of the pool for good (no cache). */
static void ioasid_evict(struct ioasid_data *data)
{
	struct ioasid_set *set = ioasid_data_set(data);

	xa_erase(&ioasid_xa, data->id);
	call_rcu(&data->rcu, ioasid_data_free_rcu);
	ioasid_set_put(set);
}

static void ioasid_evict_list(struct ioasid_data *data)
{
	struct ioasid_data *next;

	for (; data; data = next) {
		next = data->next_cached;
		ioasid_evict(data);
	}
}

/* Take every cached ID of @set off its cache; set->lock held. */
static struct ioasid_data *ioasid_cache_take(struct ioasid_set *set)
{
	struct ioasid_data *list = set->cache;

	lockdep_assert_held(&set->lock);
	set->cache = NULL;
	set->ncached = 0;
	return list;
}

/* Return every cached ID of @set to the pool. */
void ioasid_cache_drain(struct ioasid_set *set)
{
	struct ioasid_data *list;

	mutex_lock(&set->lock);
	list = ioasid_cache_take(set);
	mutex_unlock(&set->lock);
	ioasid_evict_list(list);
}

/*
 * Empty every live set's cache, when the pool looks full. The caller holds
 * no set's lock: they are taken one at a time, under ioasid_sets_lock
 * (sets freed by their owner have an empty cache). Returns how many.
 */
static unsigned int ioasid_cache_drain_all(void)
{
	struct ioasid_data *all = NULL, *list, *last;
	struct ioasid_set *set;
	unsigned int n = 0;

	mutex_lock(&ioasid_sets_lock);
	list_for_each_entry(set, &ioasid_sets, node) {
		mutex_lock(&set->lock);
		n += set->ncached;
		list = ioasid_cache_take(set);
		mutex_unlock(&set->lock);
		if (!list)
			continue;
		for (last = list; last->next_cached; last = last->next_cached)
			;
		last->next_cached = all;
		all = list;
	}
	mutex_unlock(&ioasid_sets_lock);
	ioasid_evict_list(all);
	return n;
}

/**
 * ioasid_alloc() - allocate an ID in a set
 * @set: the owning set
 * @min: lowest acceptable ID; 0 is raised to 1
 * @max: highest acceptable ID; clamped to the pool's capacity
 * @private: consumer data returned by ioasid_find()
 * @id: where the new ID is written
 *
 * The caller owns the new ID (one reference) until ioasid_free(). Delivers
 * IOASID_NOTIFY_ALLOC to the set's and the global notifiers before
 * returning. When no ID is free in the range, the IDs parked in every
 * set's cache are returned to the pool and the allocation is retried.
 *
 * Context: process context, may sleep. Takes set->lock; when the pool
 * looks full, also ioasid_sets_lock and each live set's lock in turn, with
 * @set's lock dropped: so not from a notifier handler, and the caller must
 * not hold a lock that any set's notifier handler takes.
 * Return: 0 on success, -EINVAL for an empty range, -ENOSPC when the set's
 * quota is used up or no ID is free in the range, -ENOENT if the set was
 * freed by its owner, -ENOMEM.
 */
int ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		 void *private, ioasid_t *id)
{
	struct ioasid_data *data;
	bool drained = false;
	unsigned int quota;
	u32 new;
	int ret;

	if (!set || !id)
		return -EINVAL;
	min = max_t(ioasid_t, min, 1);
	max = min_t(ioasid_t, max, ioasid_capacity);
	if (min > max)
		return -EINVAL;

retry:
	/* mutex_lock() checks might_sleep(). */
	mutex_lock(&set->lock);
	if (set->dead) {
		ret = -ENOENT;
		goto err_unlock;
	}
	quota = set->quota ? set->quota : ioasid_capacity;
	if (ioasid_set_held(set) >= quota) {
		ret = -ENOSPC;
		goto err_unlock;
	}

	/* Fast path: the ID this set freed last, still in the pool. */
	data = set->cache;
	if (data && data->id >= min && data->id <= max) {
		set->cache = data->next_cached;
		set->ncached--;
		new = data->id;
		goto activate;
	}

	data = kmem_cache_alloc(ioasid_cache, GFP_KERNEL);
	if (!data) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	data->key = ioasid_key(set, IOASID_STATE_FREE_PENDING);
	refcount_set(&data->users, 0);
	ret = xa_alloc(&ioasid_xa, &new, data, XA_LIMIT(min, max), GFP_KERNEL);
	if (ret) {
		kmem_cache_free(ioasid_cache, data);
		if (ret != -EBUSY)
			goto err_unlock;
		ret = -ENOSPC;
		if (drained)
			goto err_unlock;
		/* IDs may only be parked in sets' caches: try once more. */
		mutex_unlock(&set->lock);
		drained = true;
		if (ioasid_cache_drain_all())
			goto retry;
		return ret;
	}
	data->id = new;
	ioasid_set_get(set);

activate:
	data->spid = INVALID_IOASID;
	RCU_INIT_POINTER(data->private, private);
	refcount_set(&data->users, 1);
	/* Readers check the state last: publish the fields before it. */
	smp_store_release(&data->key, ioasid_key(set, IOASID_STATE_ACTIVE));
	WRITE_ONCE(set->nr_allocated, set->nr_allocated + 1);
	list_add_tail(&data->node, &set->ids);
	ioasid_notify(set, IOASID_NOTIFY_ALLOC, data, INVALID_IOASID);
	mutex_unlock(&set->lock);
	*id = new;
	return 0;

err_unlock:
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ioasid_alloc, IOASID_NS);

/*
 * Drop a consumer's reference; the last one of a free-pending ID returns
 * its quota to the set and the ID to the pool. Lock-free apart from the
 * pool's xa_lock.
 */
bool ioasid_put_data(struct ioasid_data *data)
{
	struct ioasid_set *set = ioasid_data_set(data);

	if (!refcount_dec_and_test(&data->users))
		return false;
	/* The owner's reference is the last one only after ioasid_free(). */
	WARN_ON_ONCE(ioasid_state(data) != IOASID_STATE_FREE_PENDING);
	atomic_inc(&set->nr_reclaimed);
	ioasid_evict(data);
	return true;
}

/* Owner's free: UNBIND if attached, FREE, then drop the owner's reference. */
static __always_inline void __ioasid_free_locked(struct ioasid_set *set,
						 struct ioasid_data *data)
{
	lockdep_assert_held(&set->lock);

	if (data->spid != INVALID_IOASID)
		ioasid_detach_spid_locked(set, data);
	WRITE_ONCE(data->key, ioasid_key(set, IOASID_STATE_FREE_PENDING));
	list_del(&data->node);
	ioasid_notify(set, IOASID_NOTIFY_FREE, data, INVALID_IOASID);
	if (!refcount_dec_and_test(&data->users))
		return;		/* the consumers' last put reclaims it */
	/* Reclaimed by its owner: park it in the set's cache if there is room. */
	WRITE_ONCE(set->nr_freed, set->nr_freed + 1);
	if (!set->dead && set->ncached < READ_ONCE(set_cache)) {
		WRITE_ONCE(data->key, ioasid_key(set, IOASID_STATE_CACHED));
		data->next_cached = set->cache;
		set->cache = data;
		set->ncached++;
		return;
	}
	ioasid_evict(data);
}

void ioasid_free_locked(struct ioasid_set *set, struct ioasid_data *data)
{
	__ioasid_free_locked(set, data);
}

static struct ioasid_data *ioasid_lookup_locked(struct ioasid_set *set,
						ioasid_t id)
{
	struct ioasid_data *data;

	lockdep_assert_held(&set->lock);
	data = xa_load(&ioasid_xa, id);
	if (!data || data->key != ioasid_key(set, IOASID_STATE_ACTIVE))
		return NULL;
	return data;
}

/**
 * ioasid_free() - free an ID owned by a set
 * @set: the owning set
 * @id: the ID
 *
 * Always succeeds for an ID the set owns: an attached set-private ID is
 * detached (IOASID_NOTIFY_UNBIND), IOASID_NOTIFY_FREE is delivered and the
 * owner's reference dropped. If consumers still hold references the ID stays
 * free-pending, invisible to lookups and not reusable, until the last
 * ioasid_put().
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, or -ENOENT if @set does not own an active @id.
 */
int ioasid_free(struct ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	if (!set)
		return -EINVAL;
	/* mutex_lock() checks might_sleep(). */
	mutex_lock(&set->lock);
	data = ioasid_lookup_locked(set, id);
	if (data) {
		/* Inlined: the owner's free is one call deep. */
		__ioasid_free_locked(set, data);
		ret = 0;
	}
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ioasid_free, IOASID_NS);

/**
 * ioasid_free_all_in_set() - free every ID of a set
 * @set: the set
 *
 * ioasid_free() on each active ID, with its notifications. The set stays
 * usable.
 *
 * Context: process context, may sleep. Takes set->lock.
 */
void ioasid_free_all_in_set(struct ioasid_set *set)
{
	struct ioasid_data *data, *next;

	might_sleep();
	mutex_lock(&set->lock);
	list_for_each_entry_safe(data, next, &set->ids, node)
		ioasid_free_locked(set, data);
	mutex_unlock(&set->lock);
}
EXPORT_SYMBOL_NS_GPL(ioasid_free_all_in_set, IOASID_NS);

/*
 * Lock-free lookup of an active ID; caller holds rcu_read_lock(). Inlined:
 * ioasid_find() costs one xarray walk and one load of the ID's key.
 */
static __always_inline struct ioasid_data *
ioasid_lookup_rcu(struct ioasid_set *set, ioasid_t id)
{
	XA_STATE(xas, &ioasid_xa, id);
	struct ioasid_data *data;

	do {
		data = xas_load(&xas);
	} while (xas_retry(&xas, data));
	/* Pairs with the release in ioasid_alloc(): fields before the state. */
	if (!data || !ioasid_key_active(smp_load_acquire(&data->key), set))
		return NULL;
	return data;
}

/**
 * ioasid_get() - take a reference on an active ID
 * @set: the owning set, or NULL to accept any set
 * @id: the ID
 *
 * A referenced ID is not reused after its owner frees it until the reference
 * is dropped with ioasid_put().
 *
 * Context: any but interrupt context; lock-free (RCU).
 * Return: 0, or -ENOENT if @id is not active (or not in @set).
 */
int ioasid_get(struct ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	rcu_read_lock();
	data = ioasid_lookup_rcu(set, id);
	if (data && refcount_inc_not_zero(&data->users)) {
		if (ioasid_state(data) == IOASID_STATE_ACTIVE)
			ret = 0;
		else
			ioasid_put_data(data);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ioasid_get, IOASID_NS);

/**
 * ioasid_put() - drop a reference taken with ioasid_get()
 * @set: the owning set, or NULL
 * @id: the ID
 *
 * The last reference on a free-pending ID reclaims it: its quota returns to
 * the set and the ID to the pool. No notification is sent: FREE was sent
 * at ioasid_free().
 *
 * Context: any but interrupt context; takes only the pool's xa_lock.
 * Return: true if the ID was reclaimed.
 */
bool ioasid_put(struct ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	bool last;

	rcu_read_lock();
	data = xa_load(&ioasid_xa, id);
	if (WARN_ON_ONCE(!data || (set && ioasid_data_set(data) != set))) {
		rcu_read_unlock();
		return false;
	}
	last = ioasid_put_data(data);
	rcu_read_unlock();
	return last;
}
EXPORT_SYMBOL_NS_GPL(ioasid_put, IOASID_NS);

/**
 * ioasid_find() - find the private data of an active ID
 * @set: the owning set, or NULL to accept any set
 * @id: the ID
 * @getter: optional, called under RCU on the private data to take the
 *	caller's own reference on it; a false return fails the lookup
 *
 * O(1) and lock-free: one xarray walk under RCU. Without @getter the caller
 * must hold rcu_read_lock() for as long as it uses the returned pointer, or
 * know the data's lifetime otherwise.
 *
 * Context: any but interrupt context.
 * Return: the private data (may be NULL), or ERR_PTR(-ENOENT) if @id is not
 * active in @set, ERR_PTR(-EBUSY) if @getter refused.
 */
void *ioasid_find(struct ioasid_set *set, ioasid_t id,
		  bool (*getter)(void *))
{
	struct ioasid_data *data;
	void *priv;

	rcu_read_lock();
	data = ioasid_lookup_rcu(set, id);
	if (!data) {
		priv = ERR_PTR(-ENOENT);
		goto out;
	}
	priv = rcu_dereference(data->private);
	if (getter && !getter(priv))
		priv = ERR_PTR(-EBUSY);
out:
	rcu_read_unlock();
	return priv;
}
EXPORT_SYMBOL_NS_GPL(ioasid_find, IOASID_NS);

/**
 * ioasid_set_data() - replace the private data of an ID
 * @set: the owning set
 * @id: the ID
 * @data: new private data
 *
 * Readers in ioasid_find() see the old or the new pointer; the caller frees
 * old data only after an RCU grace period.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, or -ENOENT if @set does not own an active @id.
 */
int ioasid_set_data(struct ioasid_set *set, ioasid_t id, void *data)
{
	struct ioasid_data *d;
	int ret = -ENOENT;

	mutex_lock(&set->lock);
	d = ioasid_lookup_locked(set, id);
	if (d) {
		rcu_assign_pointer(d->private, data);
		ret = 0;
	}
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ioasid_set_data, IOASID_NS);

/* Used by spid.c: the active ID @id of @set, set->lock held. */
struct ioasid_data *ioasid_find_data_locked(struct ioasid_set *set,
					    ioasid_t id)
{
	return ioasid_lookup_locked(set, id);
}

/* Used by spid.c: lock-free lookup, caller in an RCU read-side section. */
struct ioasid_data *ioasid_find_data_rcu(struct ioasid_set *set, ioasid_t id)
{
	return ioasid_lookup_rcu(set, id);
}

static int __init ioasid_init(void)
{
	int ret;

	if (pasid_bits < 1 || pasid_bits > IOASID_MAX_BITS) {
		pr_err("pasid_bits=%u out of range 1..%u\n", pasid_bits,
		       IOASID_MAX_BITS);
		return -EINVAL;
	}
	ioasid_capacity = (1U << pasid_bits) - 1;
	ioasid_cache = KMEM_CACHE(ioasid_data, 0);
	if (!ioasid_cache)
		return -ENOMEM;
	ret = ioasid_cdev_init();
	if (ret)
		goto err_cache;
	pr_debug("%u-bit PASID pool, IDs 1..%u\n", pasid_bits, ioasid_capacity);
	return 0;

err_cache:
	kmem_cache_destroy(ioasid_cache);
	return ret;
}

static void __exit ioasid_exit(void)
{
	ioasid_cdev_exit();
	/* Users hold module references: every set and ID is gone by now. */
	WARN_ON(!xa_empty(&ioasid_xa));
	rcu_barrier();
	kmem_cache_destroy(ioasid_cache);
}

module_init(ioasid_init);
module_exit(ioasid_exit);
MODULE_DESCRIPTION("PASID allocator with per-VM sets, quotas, guest mapping and notifiers");
MODULE_LICENSE("GPL");
