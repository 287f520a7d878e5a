/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid internals.
 *
 * Objects
 * -------
 * The pool is one xarray, ioasid_xa, indexed by host PASID; its entries are
 * &struct ioasid_data. Allocation is xa_alloc() in [1, capacity]: PASID 0 is
 * never handed out and the capacity comes from the pasid_bits parameter.
 *
 * A &struct ioasid_set groups the IDs of one owner (a VM, an mm, a
 * /dev/ioasid file). It is refcounted: the owner's reference is dropped by
 * ioasid_set_free(), each ID in the set holds one, and consumers take more
 * with ioasid_set_get()/ioasid_find_set_by_token(). Freeing by the owner
 * (teardown: free every ID, SET_FREE) and releasing the memory (last put)
 * are separate, so a consumer holding a reference never blocks a VM's
 * teardown.
 *
 * An ID is ACTIVE from allocation until its owner frees it, then
 * FREE_PENDING until its last reference is put; then it is reclaimed: its
 * quota returns to the set. An ID whose last reference is the owner's
 * (reclaimed inside ioasid_free(), under set->lock) waits in the set's
 * cache (CACHED: still in the pool's xarray with the same &struct
 * ioasid_data, at most set_cache of them per set) for the set's next
 * allocation; one reclaimed by a consumer's last ioasid_put() is erased
 * from the pool, and its memory freed after an RCU grace period. The cache
 * is owned by set->lock alone, so the owner's alloc and free take no
 * other lock. Caches are emptied when their set is freed and, all of
 * them, when an allocation finds no free ID: that allocation drops its own
 * set->lock, takes ioasid_sets_lock and each live set's lock in turn (one
 * at a time, in the lock order below), then retries once; so a cached ID
 * never makes an allocation fail for long. Lookups see only ACTIVE IDs;
 * an &struct ioasid_data keeps its ID and set for life, so a reader racing
 * with cache reuse sees the same ID.
 *
 * Guest mapping: set->spids is an xarray keyed by set-private ID (guest
 * PASID) whose entries are the &struct ioasid_data; the data keeps its spid.
 * Both directions are one xarray lookup.
 *
 * Lock order (outer first)
 * ------------------------
 * 1. ioasid_sets_lock (mutex): the list of live sets (lookup by token),
 *    the list of token notifier registrations (pending or attached), the
 *    list of global notifier registrations.
 * 2. set->lock (mutex): the set's state, quota, counts, ID list, cache,
 *    writes to set->spids, the set's notifier list (its own
 *    registrations, its token's and a copy of each global one); held while
 *    the set's events are delivered, so events of one set are serialized
 *    and ordered, and delivery takes no global lock. Never two sets' locks
 *    at once: the cache drain of a full pool takes them one by one under
 *    ioasid_sets_lock, with the allocating set's own lock dropped.
 * 3. ioasid_all_sets_lock (spinlock): the list of every set not yet
 *    released, for ioasid_pool_used().
 * 4. the xa_lock of ioasid_xa and of set->spids (spinlocks, inside the
 *    xarray calls only).
 *
 * Read side: ioasid_find(), ioasid_get(), ioasid_find_by_spid(),
 * ioasid_get_spid() take no lock at all, only rcu_read_lock(). The last
 * ioasid_put() (reclaim) takes only the xa_lock of ioasid_xa.
 *
 * Contexts
 * --------
 * Everything that allocates, frees, attaches, detaches, changes quota or
 * (un)registers notifiers sleeps: process context only. Lookups and
 * get/put may run in atomic context (RCU read side, spinlock held), but not
 * in hard or soft interrupt context since reclaim takes the pool's xa_lock
 * without disabling interrupts. Notifier handlers run in process context
 * with set->lock held: they may sleep and may
 * call the lookup functions and ioasid_get()/ioasid_put(), but must not
 * allocate or free IDs, change any set, free sets, look sets up by token
 * or (un)register notifiers.
 */
#ifndef _IOASID_PRIVATE_H
#define _IOASID_PRIVATE_H

#include <linux/ioasid.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

enum ioasid_state {
	IOASID_STATE_ACTIVE,
	IOASID_STATE_FREE_PENDING,
	IOASID_STATE_CACHED,
};

#define IOASID_STATE_MASK	3UL

/**
 * struct ioasid_data - one allocated host ID
 * @key: the owning set's address (it holds a reference on the set) ORed
 *	with the enum ioasid_state, so that a lookup checks owner and state
 *	with one load (written under set->lock; read with acquire by
 *	lookups). First, next to @private: ioasid_find() reads these two
 *	only, in one 16-byte block that never straddles a cache line.
 * @private: consumer data, RCU-published
 * @id: the host ID (its index in ioasid_xa)
 * @spid: attached set-private ID, INVALID_IOASID if none (set->lock for
 *	writes, READ_ONCE for lock-free readers)
 * @users: references; the owner holds one until ioasid_free()
 * @node: in set->ids while ACTIVE (set->lock)
 * @next_cached: next in set->cache while CACHED (set->lock)
 * @rcu: delayed free, once out of every list
 */
struct ioasid_data {
	unsigned long key;
	void __rcu *private;
	ioasid_t id;
	ioasid_t spid;
	refcount_t users;
	union {
		struct list_head node;
		struct ioasid_data *next_cached;
		struct rcu_head rcu;
	};
};

/* The owning set, for life (it holds a reference on the set). */
static inline struct ioasid_set *ioasid_data_set(struct ioasid_data *data)
{
	return (struct ioasid_set *)(READ_ONCE(data->key) & ~IOASID_STATE_MASK);
}

static inline unsigned long ioasid_key(struct ioasid_set *set,
				       enum ioasid_state state)
{
	return (unsigned long)set | state;
}

static inline enum ioasid_state ioasid_state(struct ioasid_data *data)
{
	return READ_ONCE(data->key) & IOASID_STATE_MASK;
}

/* Is @key an active ID of @set (of any set if @set is NULL)? */
static inline bool ioasid_key_active(unsigned long key, struct ioasid_set *set)
{
	if (set)
		return key == ioasid_key(set, IOASID_STATE_ACTIVE);
	return (key & IOASID_STATE_MASK) == IOASID_STATE_ACTIVE;
}

/**
 * struct ioasid_set - a group of IDs with a quota and an optional token
 * @lock: see the lock order
 * @ref: memory references
 * @token: mm, kvm or NULL
 * @type: enum ioasid_set_token_type
 * @dead: freed by its owner; no new IDs, no caching (set->lock)
 * @quota: most IDs at once, IOASID_QUOTA_UNLIMITED for the pool's capacity
 *	(set->lock for writes)
 * @nr_allocated: IDs ever handed out (set->lock for writes)
 * @nr_freed: of those, reclaimed by the owner's ioasid_free() (set->lock
 *	for writes)
 * @nr_reclaimed: of those, reclaimed on a consumer's last ioasid_put(),
 *	lock-free. The IDs held (quota use, free-pending ones included) are
 *	@nr_allocated - @nr_freed - @nr_reclaimed: the owner's alloc and
 *	free paths touch no shared atomic for the count.
 * @ids: ACTIVE IDs of the set (set->lock)
 * @spids: set-private ID -> &struct ioasid_data
 * @notifiers: &struct ioasid_nb_entry sorted by priority (set->lock)
 * @node: in ioasid_sets (ioasid_sets_lock) until freed by the owner
 * @all_node: in ioasid_all_sets (ioasid_all_sets_lock) until released
 * @cache: IDs the owner freed, kept for reuse, most recent first, linked by
 *	&ioasid_data.next_cached (set->lock)
 * @ncached: entries in @cache (set->lock)
 * @rcu: delayed free
 */
struct ioasid_set {
	struct mutex lock;	/* see the lock order above */
	refcount_t ref;
	void *token;
	enum ioasid_set_token_type type;
	bool dead;
	unsigned int quota;
	unsigned int nr_allocated;
	unsigned int nr_freed;
	atomic_t nr_reclaimed;
	struct list_head ids;
	struct xarray spids;
	struct list_head notifiers;
	struct list_head node;
	struct list_head all_node;
	struct ioasid_data *cache;
	unsigned int ncached;
	struct rcu_head rcu;
};

/* IDs @set holds; exact under set->lock, a snapshot otherwise. */
static inline unsigned int ioasid_set_held(struct ioasid_set *set)
{
	unsigned int gone = READ_ONCE(set->nr_freed) +
			    atomic_read(&set->nr_reclaimed);

	/* Every reclaim follows its allocation: never negative. */
	smp_rmb();
	return READ_ONCE(set->nr_allocated) - gone;
}

/**
 * struct ioasid_nb_entry - one notifier registration
 * @nb: the consumer's block (priority in nb->priority)
 * @node: in the global list or in set->notifiers
 * @token_node: in ioasid_token_nbs for registrations by token
 * @token: token of a registration by token
 * @type: token type of a registration by token
 * @global: a global registration or a set's copy of one
 * @set: set a token registration is attached to, NULL while pending
 */
struct ioasid_nb_entry {
	struct notifier_block *nb;
	struct list_head node;
	struct list_head token_node;
	void *token;
	enum ioasid_set_token_type type;
	bool global;
	struct ioasid_set *set;
};

extern struct mutex ioasid_sets_lock;
extern struct list_head ioasid_sets;
extern spinlock_t ioasid_all_sets_lock;
extern struct list_head ioasid_all_sets;
extern ioasid_t ioasid_capacity;

/* core.c */
void ioasid_free_locked(struct ioasid_set *set, struct ioasid_data *data);
bool ioasid_put_data(struct ioasid_data *data);
struct ioasid_data *ioasid_find_data_locked(struct ioasid_set *set,
					    ioasid_t id);
struct ioasid_data *ioasid_find_data_rcu(struct ioasid_set *set, ioasid_t id);
void ioasid_cache_drain(struct ioasid_set *set);

/* set.c */
struct ioasid_set *ioasid_find_set_by_token_locked(void *token,
						   enum ioasid_set_token_type type);

/* notify.c */
int ioasid_copy_global_nbs(struct ioasid_set *set);
void ioasid_attach_token_nbs(struct ioasid_set *set);
void ioasid_detach_token_nbs(struct ioasid_set *set);
void ioasid_set_free_nbs(struct ioasid_set *set);

/* spid.c */
void ioasid_detach_spid_locked(struct ioasid_set *set,
			       struct ioasid_data *data);

/* cdev.c */
int ioasid_cdev_init(void);
void ioasid_cdev_exit(void);

/*
 * Deliver one event to every registration of the set (its own, its
 * token's and the global ones), in priority order, exactly once each.
 * Inline: the alloc and free paths make no extra call for it.
 */
static inline void ioasid_notify(struct ioasid_set *set,
				 enum ioasid_notify_event event,
				 struct ioasid_data *data, ioasid_t spid)
{
	struct ioasid_nb_entry *entry;
	struct ioasid_nb_args args;

	lockdep_assert_held(&set->lock);
	if (list_empty(&set->notifiers))
		return;
	args.set = set;
	args.id = data ? data->id : INVALID_IOASID;
	args.spid = spid;
	args.pdata = data ? rcu_dereference_protected(data->private,
			lockdep_is_held(&set->lock)) : NULL;
	/* Return values are ignored: every consumer sees every event. */
	list_for_each_entry(entry, &set->notifiers, node)
		entry->nb->notifier_call(entry->nb, event, &args);
}

#endif /* _IOASID_PRIVATE_H */
