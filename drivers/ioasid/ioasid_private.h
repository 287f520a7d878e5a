/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid internals.
 *
 * Objects
 * -------
 * The pool is cut into chunks of IOASID_CHUNK_IDS consecutive IDs (one
 * word of bits). A &struct ioasid_chunk holds the &struct ioasid_data of
 * every ID it covers and a word of free bits; ioasid_chunks, an xarray
 * indexed by chunk number, holds the chunks in use. Chunks are made on
 * demand and freed when empty: host PASID 0 and IDs above the capacity
 * (pasid_bits parameter) are never free in any chunk, so never handed out.
 *
 * A &struct pvm_ioasid_set groups the IDs of one owner: a /dev/ioasid
 * file (a VM's set, reached by other modules through the file with
 * pvm_ioasid_set_get_from_file()) or a kernel user that allocated it.
 * There is no lookup by token or address: a set is named only by a
 * pointer its holder got with a reference. It is refcounted: the owner's
 * reference is dropped by pvm_ioasid_set_free(), each free-pending ID
 * holds one (its reclaim touches the set), and consumers take more with
 * pvm_ioasid_set_get(). Freeing by the owner (teardown: free every ID,
 * SET_FREE) and releasing the memory (last put) are separate, so a
 * consumer holding a reference never blocks a VM's teardown.
 *
 * A set of a /dev/ioasid file is charged to the opener's user (&struct
 * ioasid_user, one per kuid with open files): every ID the set holds
 * counts in the user's @held, bounded by the user_max_pasids parameter
 * across all that user's files. The pool keeps one per-CPU counter of
 * the IDs held, for pvm_ioasid_pool_used().
 *
 * A set leases chunks (&ioasid_chunk.lessee) and allocates from them
 * first, under set->lock and one atomic bit operation: no global lock, no
 * memory allocation, no xarray update per ID. When its leased chunks have
 * no free ID in the requested range it leases a new chunk (one xarray
 * reservation and one slab object per IOASID_CHUNK_IDS IDs). Leasing
 * reserves nothing: when no chunk is left to lease in the range, the
 * allocation takes any free ID of any chunk in the range (other sets'
 * leased ones included), so a free ID never makes an allocation fail. A
 * set gives back a leased chunk that its owner's frees empty once it holds
 * less than a quarter of what it leases (never its last chunk), and every
 * leased chunk when the set is freed; a chunk with no lessee (an orphan)
 * is freed by whoever returns its last ID. A set's own frees move its
 * chunks between @avail and @full; a consumer's put does not (it holds no
 * set lock), so @full is searched again only after such reclaims. Chunks
 * emptied by other sets' frees stay on @full until the pool runs out of
 * chunks to lease and the shared path finds their free IDs.
 *
 * Free bits are claimed with test_and_clear_bit() and returned with
 * set_bit(), so chunks shared under pressure need no lock. A chunk is
 * freed only by whoever turns its free word from "all free" to zero with
 * cmpxchg(), which no claim can race with; it is then erased from
 * ioasid_chunks and its memory freed after an RCU grace period.
 *
 * An ID is ACTIVE from allocation until its owner frees it, then
 * FREE_PENDING until its last reference is put; then it is reclaimed: its
 * quota returns to the set (and its user) and its bit to the chunk (FREE).
 * The owner's reference is IOASID_OWNER_REF in @users, each consumer's
 * is 1: a consumer's put that finds no consumer reference is refused, so
 * a stray put can never drop the owner's reference. A FREE
 * &struct ioasid_data keeps the address of its last owner in @key and the
 * RCU state of when it was freed: a set that claims an ID last owned by
 * another set waits for that grace period before publishing it, so a
 * lock-free lookup never pairs one set's ownership with another set's
 * private data. Lookups see only ACTIVE IDs; an &struct ioasid_data keeps
 * its ID for life.
 *
 * Guest mapping: set->spids is an xarray keyed by set-private ID (guest
 * PASID) whose entries are the &struct ioasid_data; the data keeps its spid.
 * Both directions are one xarray lookup.
 *
 * Lock order (outer first)
 * ------------------------
 * 1. ioasid_users_mutex (mutex): creation of &struct ioasid_user, at
 *    open of /dev/ioasid only; taken with no other lock held.
 * 2. set->lock (mutex): the set's state, quota, counts, ID list, its
 *    leased chunks' lists and their @lessee, writes to set->spids, the
 *    set's notifier list; held while the set's events are delivered, so
 *    events of one set are serialized and ordered, and delivery takes no
 *    global lock. Never two sets' locks at once.
 * 3. the xa_lock of ioasid_chunks, of set->spids and of ioasid_users
 *    (spinlocks, inside the xarray calls, and for ioasid_users around the
 *    erase of a user whose last reference goes).
 *
 * A chunk's free word, a user's @held and the pool's counter take no
 * lock (atomic operations, a per-CPU counter).
 *
 * Read side: pvm_ioasid_find(), pvm_ioasid_get(), pvm_ioasid_find_by_spid(),
 * pvm_ioasid_get_spid() take no lock at all, only rcu_read_lock(). The last
 * pvm_ioasid_put() (reclaim) takes no lock either, or the xa_lock of
 * ioasid_chunks when it frees an orphan chunk.
 *
 * Contexts
 * --------
 * Everything that allocates, frees, attaches, detaches, changes quota or
 * (un)registers notifiers sleeps: process context only. Lookups and
 * get/put may run in atomic context (RCU read side, spinlock held), but not
 * in hard or soft interrupt context since reclaim may take the xa_lock of
 * ioasid_chunks or of ioasid_users without disabling interrupts. Notifier
 * handlers run in process context with set->lock held: they may sleep and
 * may call the lookup functions and pvm_ioasid_get()/pvm_ioasid_put(), but
 * must not allocate or free IDs, change any set, free sets or
 * (un)register notifiers.
 */
#ifndef _IOASID_PRIVATE_H
#define _IOASID_PRIVATE_H

#include <linux/pvm_ioasid.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

enum ioasid_state {
	IOASID_STATE_ACTIVE,
	IOASID_STATE_FREE_PENDING,
	IOASID_STATE_FREE,
};

#define IOASID_STATE_MASK	3UL

/*
 * The owner's share of &ioasid_data.users; consumers' references count
 * 1 each below it.
 */
#define IOASID_OWNER_REF	BIT(30)
#define IOASID_CONSUMER_REFS	(IOASID_OWNER_REF - 1)

/**
 * struct ioasid_data - one host ID, in its chunk
 * @key: the owning set's address (the last owner's while FREE) ORed with
 *	the enum ioasid_state, so that a lookup checks owner and state with
 *	one load (written under the owner's set->lock, or by the reclaiming
 *	put; read with acquire by lookups). First, next to @private:
 *	pvm_ioasid_find() reads these two only, in one 16-byte block that never
 *	straddles a cache line.
 * @private: consumer data, RCU-published
 * @id: the host ID, for life
 * @spid: attached set-private ID, PVM_IOASID_INVALID if none (set->lock for
 *	writes, READ_ONCE for lock-free readers)
 * @users: references: IOASID_OWNER_REF from allocation until
 *	pvm_ioasid_free(), plus one per consumer reference
 * @freed_gp_valid: while FREE, @freed_gp is set: the ID was freed by a set
 *	other than its chunk's lessee or by a consumer's put; otherwise
 *	whoever takes it for another set waits for a full grace period
 * @node: in set->ids while ACTIVE (set->lock)
 * @freed_gp: while FREE, the RCU state when it was freed
 */
struct ioasid_data {
	unsigned long key;
	void __rcu *private;
	ioasid_t id;
	ioasid_t spid;
	atomic_t users;
	bool freed_gp_valid;
	union {
		struct list_head node;
		unsigned long freed_gp;
	};
};

/* IDs per chunk: one word of free bits. */
#define IOASID_CHUNK_SHIFT	ilog2(BITS_PER_LONG)
#define IOASID_CHUNK_IDS	BIT(IOASID_CHUNK_SHIFT)

/**
 * struct ioasid_chunk - IOASID_CHUNK_IDS consecutive IDs and their data
 * @free: bit i set if ID @base + i is free (atomic bit operations); zero
 *	for good once the chunk is being freed
 * @all: @free when every ID of the chunk is free: the chunk's IDs in
 *	[1, capacity]
 * @lessee: the set allocating from it first, NULL for an orphan (written
 *	under the lessee's set->lock; read locklessly only against NULL)
 * @node: in the lessee's @avail or @full list (the lessee's set->lock)
 * @base: first ID
 * @on_full: on the lessee's @full list (the lessee's set->lock)
 * @rcu: delayed free
 * @data: one per ID
 */
struct ioasid_chunk {
	unsigned long free;
	unsigned long all;
	struct pvm_ioasid_set *lessee;
	struct list_head node;
	ioasid_t base;
	bool on_full;
	struct rcu_head rcu;
	struct ioasid_data data[IOASID_CHUNK_IDS];
};

/* The chunk holding @data. */
static inline struct ioasid_chunk *ioasid_data_chunk(struct ioasid_data *data)
{
	return container_of(data - (data->id & (IOASID_CHUNK_IDS - 1)),
			    struct ioasid_chunk, data[0]);
}

/* The owning set (the last owner while FREE). */
static inline struct pvm_ioasid_set *ioasid_data_set(struct ioasid_data *data)
{
	return (struct pvm_ioasid_set *)(READ_ONCE(data->key) & ~IOASID_STATE_MASK);
}

static inline unsigned long ioasid_key(struct pvm_ioasid_set *set,
				       enum ioasid_state state)
{
	return (unsigned long)set | state;
}

static inline enum ioasid_state ioasid_state(struct ioasid_data *data)
{
	return READ_ONCE(data->key) & IOASID_STATE_MASK;
}

/* Is @key an active ID of @set? */
static inline bool ioasid_key_active(unsigned long key, struct pvm_ioasid_set *set)
{
	return key == ioasid_key(set, IOASID_STATE_ACTIVE);
}

/**
 * struct ioasid_user - the IDs held by the /dev/ioasid files of one user
 * @ref: one per set charged to the user
 * @uid: the user
 * @held: IDs held by those sets together (free-pending ones too), at
 *	most ioasid_user_max when charged
 */
struct ioasid_user {
	refcount_t ref;
	kuid_t uid;
	atomic_t held;
};

/**
 * struct pvm_ioasid_set - a group of IDs with a quota
 * @lock: see the lock order
 * @ref: memory references
 * @user: the user charged for the set's IDs, NULL for a kernel user's set
 * @dead: freed by its owner; no new IDs, no caching (set->lock)
 * @quota: most IDs at once, IOASID_QUOTA_UNLIMITED for the pool's capacity
 *	(set->lock for writes)
 * @nr_allocated: IDs ever handed out (set->lock for writes)
 * @nr_freed: of those, reclaimed by the owner's pvm_ioasid_free() (set->lock
 *	for writes)
 * @nr_reclaimed: of those, reclaimed on a consumer's last pvm_ioasid_put(),
 *	lock-free. The IDs held (quota use, free-pending ones included) are
 *	@nr_allocated - @nr_freed - @nr_reclaimed: the owner's alloc and
 *	free paths touch no shared atomic for the count. Read without
 *	set->lock, the three make a count only when the frees did not move
 *	around the read of @nr_allocated (pvm_ioasid_set_used()).
 * @ids: ACTIVE IDs of the set (set->lock)
 * @spids: set-private ID -> &struct ioasid_data
 * @notifiers: &struct ioasid_nb_entry sorted by priority (set->lock)
 * @avail: leased chunks that had a free ID when last looked at (set->lock)
 * @full: leased chunks with no free ID but what consumers' puts returned
 *	since (set->lock)
 * @nr_chunks: leased chunks (set->lock)
 * @reclaims_seen: @nr_reclaimed when @full was last searched (set->lock)
 * @rcu: delayed free
 */
struct pvm_ioasid_set {
	struct mutex lock;	/* see the lock order above */
	refcount_t ref;
	struct ioasid_user *user;
	bool dead;
	unsigned int quota;
	unsigned int nr_allocated;
	unsigned int nr_freed;
	atomic_t nr_reclaimed;
	struct list_head ids;
	struct xarray spids;
	struct list_head notifiers;
	struct list_head avail;
	struct list_head full;
	unsigned int nr_chunks;
	unsigned int reclaims_seen;
	struct rcu_head rcu;
};

/* IDs @set gave back: by its owner's frees and by consumers' last puts. */
static inline unsigned int ioasid_set_gone(struct pvm_ioasid_set *set)
{
	return READ_ONCE(set->nr_freed) + atomic_read(&set->nr_reclaimed);
}

/*
 * IDs @set holds, for set->lock holders: @nr_allocated and @nr_freed stay
 * put, only consumers' reclaims move, so the count is the one of the
 * instant @nr_reclaimed was read. Without the lock use
 * pvm_ioasid_set_used(): frees and allocations between the reads would
 * give a count the set never had.
 */
static inline unsigned int ioasid_set_held(struct pvm_ioasid_set *set)
{
	unsigned int gone = ioasid_set_gone(set);

	/* Every reclaim follows its allocation: never negative. */
	smp_rmb();
	return READ_ONCE(set->nr_allocated) - gone;
}

/**
 * struct ioasid_nb_entry - one notifier registration
 * @nb: the consumer's block (priority in nb->priority)
 * @node: in set->notifiers
 */
struct ioasid_nb_entry {
	struct notifier_block *nb;
	struct list_head node;
};

extern ioasid_t ioasid_capacity;
extern struct percpu_counter ioasid_pool_held;
extern unsigned int ioasid_user_max;

/* Is @id a host ID the pool can hold at all? */
static inline bool ioasid_in_pool(ioasid_t id)
{
	return id && id <= ioasid_capacity;
}

/* The IDs of @set that its user has charged. */
static inline unsigned int ioasid_user_held(struct ioasid_user *user)
{
	return atomic_read(&user->held);
}

/* core.c */
void ioasid_free_locked(struct pvm_ioasid_set *set, struct ioasid_data *data);
int ioasid_put_data(struct ioasid_data *data);
struct ioasid_data *ioasid_find_data_locked(struct pvm_ioasid_set *set,
					    ioasid_t id);
struct ioasid_data *ioasid_find_data_rcu(struct pvm_ioasid_set *set, ioasid_t id);
bool ioasid_data_tryget(struct ioasid_data *data, struct pvm_ioasid_set *set);
void ioasid_set_unlease_all(struct pvm_ioasid_set *set);

#if IS_ENABLED(CONFIG_KUNIT)
/* Test only: @hook runs between a lease's reservation and publication. */
void ioasid_kunit_set_lease_hook(void (*hook)(ioasid_t base));
#endif

/* set.c */
struct pvm_ioasid_set *ioasid_set_alloc_user(unsigned int quota, kuid_t uid);
bool ioasid_user_charge(struct ioasid_user *user);
void ioasid_user_uncharge(struct ioasid_user *user);

/* notify.c */
void ioasid_set_free_nbs(struct pvm_ioasid_set *set);

/* spid.c */
void ioasid_detach_spid_locked(struct pvm_ioasid_set *set,
			       struct ioasid_data *data);

/* cdev.c */
int ioasid_cdev_init(void);
void ioasid_cdev_exit(void);

/*
 * Deliver one event to every registration of the set, in priority order,
 * exactly once each. Inline: the alloc and free paths make no extra call
 * for it. A BIND may be refused: a handler returning
 * notifier_from_errno(-E...) stops the delivery, the registrations that
 * accepted it get IOASID_NOTIFY_BIND_ROLLBACK (latest first) and the errno
 * is returned; the caller then undoes the attach. Every other event is
 * delivered to all and returns 0.
 */
static inline int ioasid_notify(struct pvm_ioasid_set *set,
				enum pvm_ioasid_notify_event event,
				struct ioasid_data *data, ioasid_t spid)
{
	struct ioasid_nb_entry *entry;
	struct pvm_ioasid_nb_args args;
	int ret;

	lockdep_assert_held(&set->lock);
	if (list_empty(&set->notifiers))
		return 0;
	args.set = set;
	args.id = data ? data->id : PVM_IOASID_INVALID;
	args.spid = spid;
	args.pdata = data ? rcu_dereference_protected(data->private,
			lockdep_is_held(&set->lock)) : NULL;
	list_for_each_entry(entry, &set->notifiers, node) {
		ret = notifier_to_errno(entry->nb->notifier_call(entry->nb, event,
								 &args));
		/* Only a BIND can be refused; other events reach everybody. */
		if (!ret || event != IOASID_NOTIFY_BIND)
			continue;
		list_for_each_entry_continue_reverse(entry, &set->notifiers, node)
			entry->nb->notifier_call(entry->nb,
						 IOASID_NOTIFY_BIND_ROLLBACK,
						 &args);
		return ret;
	}
	return 0;
}

#endif /* _IOASID_PRIVATE_H */
