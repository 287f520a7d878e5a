// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid core: the pool, ID allocation, free, references and lookup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "ioasid_private.h"

static unsigned int pasid_bits = IOASID_MAX_BITS;
module_param(pasid_bits, uint, 0444);
MODULE_PARM_DESC(pasid_bits, "Width of the host PASID space, 1 to 20 (default 20)");

/* Largest ID of the pool: (1 << pasid_bits) - 1. Set once at load. */
ioasid_t ioasid_capacity __read_mostly;

/* IDs held in the whole pool (free-pending ones too). */
struct percpu_counter ioasid_pool_held;

/* Chunk number -> &struct ioasid_chunk; an index is reserved while set up. */
static DEFINE_XARRAY_ALLOC(ioasid_chunks);
static struct kmem_cache *ioasid_chunk_cache __read_mostly;

/**
 * pvm_ioasid_pool_capacity() - largest ID of the pool
 *
 * IDs are handed out in [1, capacity]; PASID 0 is never allocated.
 * Context: any.
 * Return: (1 << pasid_bits) - 1.
 */
ioasid_t pvm_ioasid_pool_capacity(void)
{
	return ioasid_capacity;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_pool_capacity, PVM_IOASID_NS);

/**
 * pvm_ioasid_pool_used() - number of IDs held in the whole pool
 *
 * Counts free-pending IDs too: they are not reusable yet. Allocation and
 * reclaim update a per-CPU counter; this sums it over the CPUs (no walk of
 * the sets): meant for reporting, not for hot paths.
 * Context: any.
 * Return: the count, a snapshot.
 */
unsigned int pvm_ioasid_pool_used(void)
{
	return percpu_counter_sum_positive(&ioasid_pool_held);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_pool_used, PVM_IOASID_NS);

/* The bits of the chunk at @base for the IDs in [@min, @max]. */
static unsigned long ioasid_chunk_mask(ioasid_t base, ioasid_t min,
				       ioasid_t max)
{
	ioasid_t last = base + IOASID_CHUNK_IDS - 1;

	if (min > last || max < base)
		return 0;
	return GENMASK(min_t(ioasid_t, max, last) - base,
		       max_t(ioasid_t, min, base) - base);
}

static void ioasid_chunk_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(ioasid_chunk_cache,
			container_of(head, struct ioasid_chunk, rcu));
}

/*
 * Free @chunk if every ID of it is free. Zeroing the free word first means
 * nobody can claim an ID of it any more; a claim that won first keeps it.
 */
static void ioasid_chunk_try_free(struct ioasid_chunk *chunk)
{
	if (cmpxchg(&chunk->free, chunk->all, 0) != chunk->all)
		return;
	xa_erase(&ioasid_chunks, chunk->base >> IOASID_CHUNK_SHIFT);
	call_rcu(&chunk->rcu, ioasid_chunk_free_rcu);
}

/* Drop @set's lease on @chunk, freeing the chunk if it is empty. */
static void ioasid_chunk_unlease(struct pvm_ioasid_set *set,
				 struct ioasid_chunk *chunk)
{
	lockdep_assert_held(&set->lock);
	list_del(&chunk->node);
	set->nr_chunks--;
	WRITE_ONCE(chunk->lessee, NULL);
	/* Lessee cleared before the free bits are read: see ioasid_release(). */
	smp_mb();
	ioasid_chunk_try_free(chunk);
}

/* Give back every chunk @set leases; the set is dead, its IDs freed. */
void ioasid_set_unlease_all(struct pvm_ioasid_set *set)
{
	struct ioasid_chunk *chunk, *next;

	mutex_lock(&set->lock);
	list_splice_init(&set->full, &set->avail);
	list_for_each_entry_safe(chunk, next, &set->avail, node)
		ioasid_chunk_unlease(set, chunk);
	mutex_unlock(&set->lock);
}

/* Claim a free ID of @chunk among @mask; returns its bit or -1. */
static int ioasid_chunk_claim(struct ioasid_chunk *chunk, unsigned long mask)
{
	unsigned long avail;
	int bit;

	while ((avail = READ_ONCE(chunk->free) & mask)) {
		bit = __ffs(avail);
		/* Fully ordered: the data is ours after this. */
		if (test_and_clear_bit(bit, &chunk->free))
			return bit;
	}
	return -1;
}

/* Mark @data FREE, @set its last owner, and give its bit back. */
static __always_inline void ioasid_return_bit(struct pvm_ioasid_set *set,
					      struct ioasid_chunk *chunk,
					      struct ioasid_data *data)
{
	WRITE_ONCE(data->key, ioasid_key(set, IOASID_STATE_FREE));
	/* The data is written before the ID can be claimed again. */
	smp_mb__before_atomic();
	set_bit(data->id & (IOASID_CHUNK_IDS - 1), &chunk->free);
}

/*
 * Return a reclaimed ID to its chunk: it is FREE, keeps @set as last owner
 * and records the RCU state for whoever claims it for another set.
 */
static void ioasid_release(struct pvm_ioasid_set *set, struct ioasid_data *data)
{
	struct ioasid_chunk *chunk = ioasid_data_chunk(data);

	/* Once the bit is set, another release may free the chunk. */
	rcu_read_lock();
	data->freed_gp = get_state_synchronize_rcu();
	data->freed_gp_valid = true;
	ioasid_return_bit(set, chunk, data);
	/*
	 * Free bit set before the lessee is read, lessee cleared before the
	 * free bits are read (ioasid_chunk_unlease()): of the last release
	 * and the unlease, at least one sees the chunk empty and unleased.
	 */
	smp_mb__after_atomic();
	if (!READ_ONCE(chunk->lessee))
		ioasid_chunk_try_free(chunk);
	rcu_read_unlock();
}

/*
 * Return an ID the owner reclaimed to the chunk the set leases: the chunk
 * stays (only the lessee unleases it), so no RCU, no orphan check.
 */
static __always_inline void ioasid_release_leased(struct pvm_ioasid_set *set,
						  struct ioasid_chunk *chunk,
						  struct ioasid_data *data)
{
	lockdep_assert_held(&set->lock);
	data->freed_gp_valid = false;
	ioasid_return_bit(set, chunk, data);
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * Test hook: called with the chunk index reserved and not yet published,
 * so that a KUnit case can hold a lease there and race lookups with it.
 */
static void (*ioasid_kunit_lease_hook)(ioasid_t base);

/**
 * ioasid_kunit_set_lease_hook() - hold leases for a test (KUnit only)
 * @hook: called with the first ID of a chunk being leased, after its index
 *	is reserved and before the chunk is published, with the leasing
 *	set's lock held; may sleep. NULL to remove.
 */
void ioasid_kunit_set_lease_hook(void (*hook)(ioasid_t base))
{
	WRITE_ONCE(ioasid_kunit_lease_hook, hook);
}
EXPORT_SYMBOL_IF_KUNIT(ioasid_kunit_set_lease_hook);

static void ioasid_lease_hook(ioasid_t base)
{
	void (*hook)(ioasid_t base) = READ_ONCE(ioasid_kunit_lease_hook);

	if (unlikely(hook))
		hook(base);
}
#else
static inline void ioasid_lease_hook(ioasid_t base) { }
#endif

/* Set up and publish a new chunk in [@min, @max] for @set, one ID claimed. */
static struct ioasid_data *ioasid_lease_new(struct pvm_ioasid_set *set,
					    ioasid_t min, ioasid_t max)
{
	struct ioasid_chunk *chunk;
	unsigned long mask;
	u32 index;
	int i, bit, ret;

	lockdep_assert_held(&set->lock);
	/* A reservation: lookups see no chunk there yet. */
	ret = xa_alloc(&ioasid_chunks, &index, NULL,
		       XA_LIMIT(min >> IOASID_CHUNK_SHIFT,
				max >> IOASID_CHUNK_SHIFT), GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret == -EBUSY ? NULL : ERR_PTR(ret);
	ioasid_lease_hook(index << IOASID_CHUNK_SHIFT);
	chunk = kmem_cache_alloc(ioasid_chunk_cache, GFP_KERNEL_ACCOUNT);
	if (!chunk) {
		ret = -ENOMEM;
		goto err_erase;
	}
	chunk->base = index << IOASID_CHUNK_SHIFT;
	chunk->all = ioasid_chunk_mask(chunk->base, 1, ioasid_capacity);
	mask = ioasid_chunk_mask(chunk->base, min, max) & chunk->all;
	/* Every chunk in [min >> shift, max >> shift] has an ID in range. */
	bit = __ffs(mask);
	chunk->free = chunk->all & ~BIT(bit);
	chunk->lessee = set;
	chunk->on_full = false;
	for (i = 0; i < IOASID_CHUNK_IDS; i++) {
		chunk->data[i].key = ioasid_key(NULL, IOASID_STATE_FREE);
		chunk->data[i].id = chunk->base + i;
		atomic_set(&chunk->data[i].users, 0);
		chunk->data[i].freed_gp_valid = false;
	}
	/* Publishes the initialized chunk (xa_store() orders it). */
	ret = xa_err(xa_store(&ioasid_chunks, index, chunk, GFP_KERNEL_ACCOUNT));
	if (ret)
		goto err_free;
	list_add(&chunk->node, &set->avail);
	set->nr_chunks++;
	return &chunk->data[bit];

err_free:
	kmem_cache_free(ioasid_chunk_cache, chunk);
err_erase:
	xa_erase(&ioasid_chunks, index);
	return ERR_PTR(ret);
}

/* A leased chunk found without a free ID goes to the set's full list. */
static void ioasid_chunk_check_full(struct pvm_ioasid_set *set,
				    struct ioasid_chunk *chunk)
{
	if (!READ_ONCE(chunk->free) && !chunk->on_full) {
		list_move_tail(&chunk->node, &set->full);
		chunk->on_full = true;
	}
}

/* Claim an ID in [@min, @max] from @chunk of @set's leased ones. */
static struct ioasid_data *ioasid_claim_leased(struct pvm_ioasid_set *set,
					       struct ioasid_chunk *chunk,
					       ioasid_t min, ioasid_t max)
{
	int bit = ioasid_chunk_claim(chunk, ioasid_chunk_mask(chunk->base,
							      min, max));

	ioasid_chunk_check_full(set, chunk);
	return bit < 0 ? NULL : &chunk->data[bit];
}

/* An ID in [@min, @max] from the chunks @set leases; set->lock held. */
static struct ioasid_data *ioasid_alloc_leased(struct pvm_ioasid_set *set,
					       ioasid_t min, ioasid_t max)
{
	struct ioasid_chunk *chunk, *next;
	struct ioasid_data *data;
	unsigned int reclaims;

	lockdep_assert_held(&set->lock);
	/* Fast path: a range covering the first available chunk. */
	chunk = list_first_entry_or_null(&set->avail, struct ioasid_chunk, node);
	if (likely(chunk && min <= chunk->base &&
		   max >= chunk->base + IOASID_CHUNK_IDS - 1)) {
		int bit = ioasid_chunk_claim(chunk, ~0UL);

		if (likely(bit >= 0)) {
			ioasid_chunk_check_full(set, chunk);
			return &chunk->data[bit];
		}
	}
	list_for_each_entry_safe(chunk, next, &set->avail, node) {
		data = ioasid_claim_leased(set, chunk, min, max);
		if (data)
			return data;
	}
	/* Full chunks get IDs back outside set->lock only by consumers' puts. */
	reclaims = atomic_read(&set->nr_reclaimed);
	if (reclaims == set->reclaims_seen)
		return NULL;
	set->reclaims_seen = reclaims;
	list_for_each_entry_safe(chunk, next, &set->full, node) {
		if (!READ_ONCE(chunk->free))
			continue;
		list_move(&chunk->node, &set->avail);
		chunk->on_full = false;
		data = ioasid_claim_leased(set, chunk, min, max);
		if (data)
			return data;
	}
	return NULL;
}

/*
 * An ID in [@min, @max] from any chunk: the pool has no chunk left to
 * lease in the range. Takes no lock: a claimed bit keeps its chunk.
 */
static struct ioasid_data *ioasid_alloc_shared(ioasid_t min, ioasid_t max)
{
	struct ioasid_data *data = NULL;
	struct ioasid_chunk *chunk;
	unsigned long index;
	int bit;

	rcu_read_lock();
	xa_for_each_range(&ioasid_chunks, index, chunk,
			  min >> IOASID_CHUNK_SHIFT, max >> IOASID_CHUNK_SHIFT) {
		bit = ioasid_chunk_claim(chunk, ioasid_chunk_mask(chunk->base,
								  min, max));
		if (bit >= 0) {
			data = &chunk->data[bit];
			break;
		}
	}
	rcu_read_unlock();
	return data;
}

/**
 * pvm_ioasid_alloc() - allocate an ID in a set
 * @set: the owning set
 * @min: lowest acceptable ID; 0 is raised to 1
 * @max: highest acceptable ID; clamped to the pool's capacity
 * @private: consumer data returned by pvm_ioasid_find()
 * @id: where the new ID is written
 *
 * The caller owns the new ID (one reference) until pvm_ioasid_free(). Delivers
 * IOASID_NOTIFY_ALLOC to the set's and the global notifiers before
 * returning. IDs come from the chunks the set leases, else from a newly
 * leased chunk, else from any free ID of the range: the allocation fails
 * only when no ID of the range is free, or when the only free ones are in
 * a chunk another set is leasing at that instant (between its xarray
 * reservation and its publication, during which no ID of it is visible).
 *
 * The memory of new chunks is charged to the caller's memory cgroup. A
 * set of a /dev/ioasid file also charges the ID to the file's user, whose
 * files together hold at most user_max_pasids IDs.
 *
 * Context: process context, may sleep (for an RCU grace period when it
 * takes an ID another set freed an instant ago). Takes set->lock.
 * Return: 0 on success, -EINVAL for an empty range, -ENOSPC when the set's
 * quota is used up or no ID is free in the range, -EDQUOT when the set's
 * user reached its limit, -ENOENT if the set was freed by its owner,
 * -ENOMEM.
 */
int pvm_ioasid_alloc(struct pvm_ioasid_set *set, ioasid_t min, ioasid_t max,
		     void *private, ioasid_t *id)
{
	struct pvm_ioasid_set *last;
	struct ioasid_data *data;
	unsigned int quota;
	int ret;

	if (!set || !id)
		return -EINVAL;
	min = max_t(ioasid_t, min, 1);
	max = min_t(ioasid_t, max, ioasid_capacity);
	if (min > max)
		return -EINVAL;

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
	if (set->user && !ioasid_user_charge(set->user)) {
		ret = -EDQUOT;
		goto err_unlock;
	}

	data = ioasid_alloc_leased(set, min, max);
	if (!data)
		data = ioasid_lease_new(set, min, max);
	if (!data)
		data = ioasid_alloc_shared(min, max);
	if (IS_ERR_OR_NULL(data)) {
		ret = data ? PTR_ERR(data) : -ENOSPC;
		goto err_uncharge;
	}
	/*
	 * A lookup that saw the ID in another set must be over before the
	 * ID shows up in this one with other private data.
	 */
	last = ioasid_data_set(data);
	if (unlikely(last && last != set)) {
		if (data->freed_gp_valid)
			cond_synchronize_rcu(data->freed_gp);
		else
			synchronize_rcu();
	}

	data->spid = PVM_IOASID_INVALID;
	RCU_INIT_POINTER(data->private, private);
	atomic_set(&data->users, IOASID_OWNER_REF);
	/* Readers check the state last: publish the fields before it. */
	smp_store_release(&data->key, ioasid_key(set, IOASID_STATE_ACTIVE));
	WRITE_ONCE(set->nr_allocated, set->nr_allocated + 1);
	percpu_counter_inc(&ioasid_pool_held);
	list_add_tail(&data->node, &set->ids);
	ioasid_notify(set, IOASID_NOTIFY_ALLOC, data, PVM_IOASID_INVALID);
	mutex_unlock(&set->lock);
	*id = data->id;
	return 0;

err_uncharge:
	if (set->user)
		ioasid_user_uncharge(set->user);
err_unlock:
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_alloc, PVM_IOASID_NS);

/* An ID's held count goes back to the pool and to the set's user. */
static void ioasid_uncharge(struct pvm_ioasid_set *set)
{
	percpu_counter_dec(&ioasid_pool_held);
	if (set->user)
		ioasid_user_uncharge(set->user);
}

/*
 * Drop a consumer's reference; the last one of a free-pending ID returns
 * its quota to the set and the ID to its chunk. A put that finds no
 * consumer reference is refused: the owner's reference is never dropped
 * here. Takes no lock, or the xa_lock of ioasid_chunks to free an orphan
 * chunk (and of ioasid_users when the set is released with it).
 * Returns 1 if reclaimed, 0 if only dropped, -ENOENT if refused.
 */
int ioasid_put_data(struct ioasid_data *data)
{
	struct pvm_ioasid_set *set = ioasid_data_set(data);
	int old = atomic_read(&data->users);

	do {
		if (!(old & IOASID_CONSUMER_REFS))
			return -ENOENT;
		/* Fully ordered: all use of the ID happens before the drop. */
	} while (!atomic_try_cmpxchg(&data->users, &old, old - 1));
	if (old != 1)
		return 0;
	/* No owner's share left: pvm_ioasid_free() ran, the ID is pending. */
	atomic_inc(&set->nr_reclaimed);
	ioasid_uncharge(set);
	ioasid_release(set, data);
	pvm_ioasid_set_put(set);
	return 1;
}

/*
 * Take a reference on @data if it is an active ID of @set; caller in an
 * RCU read-side section.
 */
bool ioasid_data_tryget(struct ioasid_data *data, struct pvm_ioasid_set *set)
{
	int old = atomic_read(&data->users);

	do {
		/* Nobody holds it (free), or consumers would overflow. */
		if (!old || (old & IOASID_CONSUMER_REFS) == IOASID_CONSUMER_REFS)
			return false;
	} while (!atomic_try_cmpxchg(&data->users, &old, old + 1));
	/*
	 * The ID may have been freed and taken again since the caller saw
	 * it: look at the state after the reference is taken.
	 */
	smp_mb__after_atomic();
	if (ioasid_key_active(READ_ONCE(data->key), set))
		return true;
	ioasid_put_data(data);
	return false;
}

/* Owner's free: UNBIND if attached, FREE, then drop the owner's reference. */
static __always_inline void __ioasid_free_locked(struct pvm_ioasid_set *set,
						 struct ioasid_data *data)
{
	struct ioasid_chunk *chunk;

	lockdep_assert_held(&set->lock);

	if (data->spid != PVM_IOASID_INVALID)
		ioasid_detach_spid_locked(set, data);
	WRITE_ONCE(data->key, ioasid_key(set, IOASID_STATE_FREE_PENDING));
	list_del(&data->node);
	ioasid_notify(set, IOASID_NOTIFY_FREE, data, PVM_IOASID_INVALID);
	/* Nobody else holds it, the common case: reclaimed here. */
	if (atomic_cmpxchg(&data->users, IOASID_OWNER_REF, 0) != IOASID_OWNER_REF) {
		/* Free-pending: the set outlives the consumers' last put. */
		pvm_ioasid_set_get(set);
		if (atomic_sub_return(IOASID_OWNER_REF, &data->users))
			return;
		/* The last consumer let go meanwhile. */
		refcount_dec(&set->ref);
	}
	WRITE_ONCE(set->nr_freed, set->nr_freed + 1);
	ioasid_uncharge(set);
	chunk = ioasid_data_chunk(data);
	if (READ_ONCE(chunk->lessee) != set) {
		ioasid_release(set, data);
		return;
	}
	ioasid_release_leased(set, chunk, data);
	if (chunk->on_full) {
		list_move(&chunk->node, &set->avail);
		chunk->on_full = false;
	}
	/*
	 * An empty chunk goes back once the set uses less than a quarter of
	 * what it leases, and never its last one: a set that grows and
	 * shrinks again does not lease and free chunks all the time, and
	 * what it leases stays within four times what it holds.
	 */
	if (READ_ONCE(chunk->free) == chunk->all &&
	    (set->nr_chunks - 1) * IOASID_CHUNK_IDS >=
	    4 * ioasid_set_held(set) + IOASID_CHUNK_IDS)
		ioasid_chunk_unlease(set, chunk);
}

void ioasid_free_locked(struct pvm_ioasid_set *set, struct ioasid_data *data)
{
	__ioasid_free_locked(set, data);
}

/*
 * The data of @id, caller under RCU or holding a reference on its chunk.
 * An index reserved by ioasid_lease_new() holds a zero entry until its
 * chunk is published: no ID of it exists yet, so it reads as absent. It
 * must not be retried: xas_retry() is true on a zero entry without
 * resetting the walk, and the reload would find the same entry until the
 * leasing set, which may sleep meanwhile, publishes the chunk.
 */
static __always_inline struct ioasid_data *ioasid_slot(ioasid_t id)
{
	XA_STATE(xas, &ioasid_chunks, id >> IOASID_CHUNK_SHIFT);
	struct ioasid_chunk *chunk;

	do {
		chunk = xas_load(&xas);
		if (xa_is_zero(chunk))
			return NULL;
	} while (xas_retry(&xas, chunk));
	return chunk ? &chunk->data[id & (IOASID_CHUNK_IDS - 1)] : NULL;
}

static __always_inline struct ioasid_data *
ioasid_lookup_locked(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;

	lockdep_assert_held(&set->lock);
	rcu_read_lock();
	data = ioasid_slot(id);
	/* The set's own active ID stays put while set->lock is held. */
	if (data && READ_ONCE(data->key) != ioasid_key(set, IOASID_STATE_ACTIVE))
		data = NULL;
	rcu_read_unlock();
	return data;
}

/**
 * pvm_ioasid_free() - free an ID owned by a set
 * @set: the owning set
 * @id: the ID
 *
 * Always succeeds for an ID the set owns: an attached set-private ID is
 * detached (IOASID_NOTIFY_UNBIND), IOASID_NOTIFY_FREE is delivered and the
 * owner's reference dropped. If consumers still hold references the ID stays
 * free-pending, invisible to lookups and not reusable, until the last
 * pvm_ioasid_put().
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @id is 0 or above the pool's capacity, -ENOENT if
 * @set does not own an active @id.
 */
int pvm_ioasid_free(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	if (!set || !ioasid_in_pool(id))
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
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_free, PVM_IOASID_NS);

/**
 * pvm_ioasid_free_all_in_set() - free every ID of a set
 * @set: the set
 *
 * pvm_ioasid_free() on each active ID, with its notifications. The set stays
 * usable.
 *
 * Context: process context, may sleep. Takes set->lock.
 */
void pvm_ioasid_free_all_in_set(struct pvm_ioasid_set *set)
{
	struct ioasid_data *data, *next;

	might_sleep();
	mutex_lock(&set->lock);
	list_for_each_entry_safe(data, next, &set->ids, node)
		ioasid_free_locked(set, data);
	mutex_unlock(&set->lock);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_free_all_in_set, PVM_IOASID_NS);

/*
 * Lock-free lookup of an active ID; caller holds rcu_read_lock(). Inlined:
 * pvm_ioasid_find() costs one xarray walk (by chunk) and one load of the ID's
 * key.
 */
static __always_inline struct ioasid_data *
ioasid_lookup_rcu(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data = ioasid_slot(id);

	/* Pairs with the release in pvm_ioasid_alloc(): fields before the state. */
	if (!data || !ioasid_key_active(smp_load_acquire(&data->key), set))
		return NULL;
	return data;
}

/**
 * pvm_ioasid_get() - take a reference on an active ID
 * @set: the owning set
 * @id: the ID
 *
 * A referenced ID is not reused after its owner frees it until the reference
 * is dropped with pvm_ioasid_put() on the same set.
 *
 * Context: any but interrupt context; lock-free (RCU).
 * Return: 0, -EINVAL if @set is NULL, -ENOENT if @id is not active in @set
 * (or 2^30 - 1 references are held on it already).
 */
int pvm_ioasid_get(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	if (!set)
		return -EINVAL;
	rcu_read_lock();
	data = ioasid_lookup_rcu(set, id);
	if (data && ioasid_data_tryget(data, set))
		ret = 0;
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_get, PVM_IOASID_NS);

/**
 * pvm_ioasid_put() - drop a reference taken with pvm_ioasid_get()
 * @set: the set given to pvm_ioasid_get()
 * @id: the ID
 *
 * The last reference on a free-pending ID reclaims it: its quota returns to
 * the set and the ID to the pool. No notification is sent: FREE was sent
 * at pvm_ioasid_free().
 *
 * The owner's reference, taken by pvm_ioasid_alloc(), is dropped only by
 * pvm_ioasid_free(): a put on an ID that no consumer holds a reference to
 * (never taken, or dropped already) is refused and changes nothing, so a
 * stray put cannot free an allocated ID. References are not named: a
 * caller that puts more than it got drops another consumer's reference.
 *
 * Context: any but interrupt context; lock-free, but for the xa_lock of
 * the pool's chunks when the ID was the last one of a chunk without lessee.
 * Return: 1 if this put reclaimed the ID, 0 if it dropped a reference of
 * an ID still held, -EINVAL if @set is NULL, -ENOENT if no consumer holds
 * a reference on @id in @set (nothing changed).
 */
int pvm_ioasid_put(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	if (!set)
		return -EINVAL;
	rcu_read_lock();
	data = ioasid_slot(id);
	/*
	 * A referenced ID stays in @set until its last put: an ID of another
	 * set, or a free one, has no reference of the caller's.
	 */
	if (data && ioasid_data_set(data) == set &&
	    ioasid_state(data) != IOASID_STATE_FREE)
		ret = ioasid_put_data(data);
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_put, PVM_IOASID_NS);

/**
 * pvm_ioasid_find() - find the private data of an active ID
 * @set: the owning set
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
 * active in @set, ERR_PTR(-EBUSY) if @getter refused, ERR_PTR(-EINVAL) if
 * @set is NULL.
 */
void *pvm_ioasid_find(struct pvm_ioasid_set *set, ioasid_t id,
		      bool (*getter)(void *))
{
	struct ioasid_data *data;
	void *priv;

	if (!set)
		return ERR_PTR(-EINVAL);
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
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_find, PVM_IOASID_NS);

/**
 * pvm_ioasid_set_data() - replace the private data of an ID
 * @set: the owning set
 * @id: the ID
 * @data: new private data
 *
 * Readers in pvm_ioasid_find() see the old or the new pointer; the caller frees
 * old data only after an RCU grace period.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @id is 0 or above the pool's capacity, -ENOENT if
 * @set does not own an active @id.
 */
int pvm_ioasid_set_data(struct pvm_ioasid_set *set, ioasid_t id, void *data)
{
	struct ioasid_data *d;
	int ret = -ENOENT;

	if (!ioasid_in_pool(id))
		return -EINVAL;
	mutex_lock(&set->lock);
	d = ioasid_lookup_locked(set, id);
	if (d) {
		rcu_assign_pointer(d->private, data);
		ret = 0;
	}
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_data, PVM_IOASID_NS);

/* Used by spid.c: the active ID @id of @set, set->lock held. */
struct ioasid_data *ioasid_find_data_locked(struct pvm_ioasid_set *set,
					    ioasid_t id)
{
	return ioasid_lookup_locked(set, id);
}

/* Used by spid.c: lock-free lookup, caller in an RCU read-side section. */
struct ioasid_data *ioasid_find_data_rcu(struct pvm_ioasid_set *set, ioasid_t id)
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
	ret = percpu_counter_init(&ioasid_pool_held, 0, GFP_KERNEL);
	if (ret)
		return ret;
	ioasid_chunk_cache = KMEM_CACHE(ioasid_chunk, 0);
	if (!ioasid_chunk_cache) {
		ret = -ENOMEM;
		goto err_counter;
	}
	ret = ioasid_cdev_init();
	if (ret)
		goto err_cache;
	pr_debug("%u-bit PASID pool, IDs 1..%u\n", pasid_bits, ioasid_capacity);
	return 0;

err_cache:
	kmem_cache_destroy(ioasid_chunk_cache);
err_counter:
	percpu_counter_destroy(&ioasid_pool_held);
	return ret;
}

static void __exit ioasid_exit(void)
{
	ioasid_cdev_exit();
	/* Users hold module references: every set and ID is gone by now. */
	WARN_ON(!xa_empty(&ioasid_chunks));
	rcu_barrier();
	kmem_cache_destroy(ioasid_chunk_cache);
	percpu_counter_destroy(&ioasid_pool_held);
}

module_init(ioasid_init);
module_exit(ioasid_exit);
MODULE_DESCRIPTION("PASID allocator with per-VM sets, quotas, guest mapping and notifiers");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
