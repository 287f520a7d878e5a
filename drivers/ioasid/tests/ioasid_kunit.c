// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the ioasid kernel API.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pvm_ioasid.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/version.h>

#include "../ioasid_private.h"

/* ioasid_kunit_lease_hook is exported for KUnit only. */
#if LINUX_VERSION_MAJOR > 6 || \
	(LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 13)
#define IOASID_KUNIT_NS "EXPORTED_FOR_KUNIT_TESTING"
#else
#define IOASID_KUNIT_NS EXPORTED_FOR_KUNIT_TESTING
#endif

static struct pvm_ioasid_set *new_set(struct kunit *test, unsigned int quota)
{
	struct pvm_ioasid_set *set = pvm_ioasid_set_alloc(quota);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	return set;
}

/* ---- allocation ---------------------------------------------------- */

static void ioasid_test_alloc_free(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	unsigned int pool = pvm_ioasid_pool_used();
	int priv = 42;
	ioasid_t id;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 0, ~0U, &priv, &id), 0);
	KUNIT_EXPECT_GE(test, id, 1U);
	KUNIT_EXPECT_LE(test, id, pvm_ioasid_pool_capacity());
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), (void *)&priv);
	/* No wildcard: a lookup names its set. */
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(NULL, id, NULL), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool + 1);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(set, id), -ENOENT);
	pvm_ioasid_set_free(set);
}

static void ioasid_test_range_edges(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	ioasid_t cap = pvm_ioasid_pool_capacity(), id, id2;

	/* PASID 0 is never handed out: [0, 1] yields 1, then nothing. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 0, 1, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 0, 1, NULL, &id2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 0, 0, NULL, &id2), -EINVAL);

	/* The top of the pool is usable, nothing above it. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, cap, cap, NULL, &id2), 0);
	KUNIT_EXPECT_EQ(test, id2, cap);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, cap, ~0U, NULL, &id2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, cap + 1, ~0U, NULL, &id2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 10, 9, NULL, &id2), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(NULL, 1, 9, NULL, &id2), -EINVAL);

	/* A freed ID is reusable at once when nobody holds it. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, cap), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, cap, cap, NULL, &id2), 0);
	KUNIT_EXPECT_EQ(test, id2, cap);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 2U);
	pvm_ioasid_set_free(set);
}

/* ---- quota and capacity -------------------------------------------- */

static void ioasid_test_quota(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 3);
	ioasid_t ids[3], id;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &ids[i]), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 3U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_set_quota(set, 2), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_quota(set), 3U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_set_quota(set, pvm_ioasid_pool_capacity() + 1),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, ids[1]), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_set_quota(set, 2), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_set_quota(set, 4), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), -ENOSPC);
	/* Unlimited: bounded by the pool only. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_set_quota(set, IOASID_QUOTA_UNLIMITED), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 5U);
	pvm_ioasid_set_free(set);

	set = pvm_ioasid_set_alloc(pvm_ioasid_pool_capacity() + 1);
	KUNIT_EXPECT_PTR_EQ(test, set, ERR_PTR(-EINVAL));
}

/* An unlimited set reserves nothing: a later quota'd set gets its quota. */
static void ioasid_test_unlimited_no_reserve(struct kunit *test)
{
	struct pvm_ioasid_set *big = new_set(test, IOASID_QUOTA_UNLIMITED);
	struct pvm_ioasid_set *small;
	ioasid_t id;
	int i;

	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(big, 1, ~0U, NULL, &id), 0);
	small = new_set(test, 8);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(small, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(small, 1, ~0U, NULL, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(big), 64U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(small), 8U);
	pvm_ioasid_set_free(small);
	pvm_ioasid_set_free(big);
}

/* Capacity: a range that the pool cannot satisfy fails, sets compete. */
static void ioasid_test_capacity(struct kunit *test)
{
	struct pvm_ioasid_set *a = new_set(test, 0);
	struct pvm_ioasid_set *b = new_set(test, 0);
	ioasid_t cap = pvm_ioasid_pool_capacity(), ida, idb, id;

	KUNIT_EXPECT_EQ(test, fls(cap), 20);	/* default pasid_bits */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(a, cap - 1, cap, NULL, &ida), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(b, cap - 1, cap, NULL, &idb), 0);
	KUNIT_EXPECT_NE(test, ida, idb);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(a, cap - 1, cap, NULL, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(b, cap - 1, cap, NULL, &id), -ENOSPC);
	/* Neither set can free, attach or reference the other's ID. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(b, ida), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(a, idb), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(a, idb, 1), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(a, idb, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(a), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(b), 1U);
	pvm_ioasid_set_free(a);
	pvm_ioasid_set_free(b);
}

/* ---- free-pending and reclaim --------------------------------------- */

static void ioasid_test_free_pending(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	struct pvm_ioasid_set *other = new_set(test, 0);
	ioasid_t id, id2;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1000, 1000, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(other, id), -ENOENT);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);

	/* Invisible and not reusable, still charged. */
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1000, 1000, NULL, &id2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(other, 1000, 1000, NULL, &id2), -ENOSPC);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(other, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);	/* reclaimed */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(other, 1000, 1000, NULL, &id2), 0);
	KUNIT_EXPECT_EQ(test, id2, 1000U);
	pvm_ioasid_set_free(other);
	pvm_ioasid_set_free(set);
}

/* Freed IDs are reused by their set, never kept from another set. */
static void ioasid_test_reuse(struct kunit *test)
{
	struct pvm_ioasid_set *a = new_set(test, 0);
	struct pvm_ioasid_set *b = new_set(test, 0);
	unsigned int pool = pvm_ioasid_pool_used();
	int pa = 1, pb = 2;
	unsigned long gp;
	ioasid_t id, id2;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(a, 2000, 2001, &pa, &id), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_attach_spid(a, id, 9), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_free(a, id), 0);
	/* Free: invisible, not counted, not referencable. */
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(a, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(a, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(a), 0U);

	/* The set gets it back, fresh: new private data, no guest PASID. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(a, 2000, 2001, &pb, &id2), 0);
	KUNIT_EXPECT_EQ(test, id2, id);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(a, id, NULL), (void *)&pb);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(a, id), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(a, 9, false), PVM_IOASID_INVALID);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_free(a, id), 0);

	/*
	 * Another set asking for exactly that ID gets it, out of a's chunk,
	 * but only after a grace period since a freed it: a lookup that saw
	 * it in a never sees b's data.
	 */
	gp = get_state_synchronize_rcu();
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(b, id, id, &pb, &id2), 0);
	KUNIT_EXPECT_TRUE(test, poll_state_synchronize_rcu(gp));
	KUNIT_EXPECT_EQ(test, id2, id);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(a, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(b, id, NULL), (void *)&pb);
	/* And a's next allocation does not see it. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(a, 2000, 2001, &pa, &id2), 0);
	KUNIT_EXPECT_NE(test, id2, id);
	/* Same after a consumer's last put reclaimed it. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(a, id2), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_free(a, id2), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_put(a, id2), 1);
	gp = get_state_synchronize_rcu();
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(b, id2, id2, &pb, &id), 0);
	KUNIT_EXPECT_TRUE(test, poll_state_synchronize_rcu(gp));
	/* a goes first: b's IDs now sit in a chunk nobody leases. */
	pvm_ioasid_set_free(a);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(b, id, NULL), (void *)&pb);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(b, id), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(b, id, id, &pb, &id2), 0);
	pvm_ioasid_set_free(b);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
}

/*
 * Leasing reserves nothing: in a range of two chunks (BITS_PER_LONG IDs
 * each), a set that took the first chunk whole and one ID of the second
 * leaves the rest to others.
 */
static void ioasid_test_lease_no_reserve(struct kunit *test)
{
	const ioasid_t c = BITS_PER_LONG, base = c * 101, n = 2 * c;
	struct pvm_ioasid_set *a = new_set(test, 0);
	struct pvm_ioasid_set *b = new_set(test, 0);
	unsigned int pool = pvm_ioasid_pool_used();
	ioasid_t id, i;

	for (i = 0; i <= c; i++) {
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(a, base, base + n - 1, NULL,
						       &id), 0);
		KUNIT_EXPECT_EQ(test, id, base + i);	/* lowest first */
	}
	/* b finds no chunk to lease: it gets the IDs a's lease left. */
	for (i = c + 1; i < n; i++) {
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(b, base, base + n - 1, &b,
						       &id), 0);
		KUNIT_EXPECT_EQ(test, id, base + i);
	}
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(a, base, base + n - 1, NULL, &id),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(b, base, base + n - 1, NULL, &id),
			-ENOSPC);
	/* a's IDs freed and its leases given back: b gets them all. */
	pvm_ioasid_set_free(a);
	for (i = 0; i <= c; i++)
		KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(b, base, base + n - 1, &b,
						       &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(b), n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(b, base + i, NULL),
				    (void *)&b);
	pvm_ioasid_set_free(b);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
}

static void ioasid_test_free_all_and_set_free(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	unsigned int pool = pvm_ioasid_pool_used();
	ioasid_t ids[10], id;
	int i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &ids[i]), 0);
	pvm_ioasid_free_all_in_set(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, ids[i], NULL),
				    ERR_PTR(-ENOENT));

	/* Set freed while a consumer holds an ID and the set. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);
	pvm_ioasid_set_get(set);
	pvm_ioasid_set_free(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &ids[0]), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
	pvm_ioasid_set_put(set);
}

/*
 * No wildcards: every call names its set, and a NULL set is refused, so
 * no in-kernel caller acts on another set's ID without holding that set.
 */
static void ioasid_test_no_wildcards(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	static struct notifier_block nb;
	ioasid_t id;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, &nb, &id), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_attach_spid(set, id, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(NULL, id, NULL), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(NULL, id), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(NULL, id), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(NULL, id), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(NULL, id), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(NULL, 1, ~0U, NULL, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier(NULL, &nb), -EINVAL);
	/* Its own set still sees everything. */
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), (void *)&nb);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(set, id), 3U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	pvm_ioasid_set_free(set);
}

/* Host IDs outside [1, capacity] are invalid input, not unknown IDs. */
static void ioasid_test_out_of_pool(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	ioasid_t cap = pvm_ioasid_pool_capacity();
	const ioasid_t bad[] = { 0, cap + 1, ~0U };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, bad[i]), -EINVAL);
		KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, bad[i], 1), -EINVAL);
		KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, bad[i]), -EINVAL);
		KUNIT_EXPECT_EQ(test, pvm_ioasid_set_data(set, bad[i], set), -EINVAL);
		/* Lookups find nothing there. */
		KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, bad[i], NULL),
				    ERR_PTR(-ENOENT));
		KUNIT_EXPECT_EQ(test, pvm_ioasid_get(set, bad[i]), -ENOENT);
		KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, bad[i]), -ENOENT);
	}
	/* In bounds but not owned: -ENOENT. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, cap), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, cap), -ENOENT);
	pvm_ioasid_set_free(set);
}

/*
 * A put needs a reference a consumer took: the owner's, taken at
 * allocation, is dropped by pvm_ioasid_free() only. A stray put is
 * refused and changes nothing.
 */
static void ioasid_test_stray_put(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	struct pvm_ioasid_set *other = new_set(test, 0);
	int priv;
	ioasid_t id, id2;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, &priv, &id), 0);
	/* Never got: refused; the ID stays allocated and owned. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(other, id), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), (void *)&priv);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(other, id, id, NULL, &id2), -ENOSPC);

	/* One get, one put; the second put is refused. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), (void *)&priv);

	/* Free-pending: the consumer's put reclaims, one more is refused. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);

	/* Reused by another set: the old owner's stray put does not reach it. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(other, id, id, &priv, &id2), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(other, id, NULL), (void *)&priv);
	pvm_ioasid_set_free(other);
	pvm_ioasid_set_free(set);
}

/*
 * A VM's set is the set of the VMM's /dev/ioasid file, reached through the
 * file; any other file is refused. Closing the file frees the set while a
 * consumer's references keep its memory and its referenced ID.
 */
static void ioasid_test_set_from_file(struct kunit *test)
{
	struct pvm_ioasid_set *set, *again;
	struct file *f, *null;
	ioasid_t id, id2;

	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_set_get_from_file(NULL),
			    ERR_PTR(-EBADF));
	null = filp_open("/dev/null", O_RDWR, 0);
	if (!IS_ERR(null)) {
		KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_set_get_from_file(null),
				    ERR_PTR(-EBADF));
		__fput_sync(null);
	}
	f = filp_open("/dev/ioasid", O_RDWR, 0);
	if (IS_ERR(f))
		kunit_skip(test, "cannot open /dev/ioasid: %ld", PTR_ERR(f));
	set = pvm_ioasid_set_get_from_file(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	again = pvm_ioasid_set_get_from_file(f);
	KUNIT_EXPECT_PTR_EQ(test, again, set);
	if (!IS_ERR(again))
		pvm_ioasid_set_put(again);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_get(set, id), 0);

	/* The last reference, released here and now (not deferred). */
	__fput_sync(f);
	/* Freed by its owner: nothing new, the ID pending on our reference. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id2), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(set, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	pvm_ioasid_set_put(set);
}

/* ---- guest mapping -------------------------------------------------- */

static void ioasid_test_spid(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	struct pvm_ioasid_set *other = new_set(test, 0);
	ioasid_t h1, h2, h3;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &h1), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &h2), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(other, 1, ~0U, NULL, &h3), 0);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(set, h1), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h1, 100), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 100, false), h1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(set, h1), 100U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(NULL, h1), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(other, h1), PVM_IOASID_INVALID);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h1, 101), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h2, 100), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h2, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h2, IOASID_SPID_MAX + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h3, 7), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h2, IOASID_SPID_MAX), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, IOASID_SPID_MAX, false), h2);

	/* Each set has its own guest PASID space. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(other, h3, 100), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(other, 100, false), h3);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 100, false), h1);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, h1), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, h1), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 100, false), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(set, h1), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h1, 100), 0);

	/* find with a reference keeps the host ID past its free. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_find_by_spid(set, 100, true), h1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, h1), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 100, false), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 2U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, h1), 1);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	/* The guest PASID is free again after its host ID went away. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &h1), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, h1, 100), 0);
	pvm_ioasid_set_free(other);
	pvm_ioasid_set_free(set);
}

/* ---- notifiers ------------------------------------------------------ */

#define REC_MAX 64

struct rec_nb {
	struct notifier_block nb;
	int tag;
	unsigned int count[IOASID_NOTIFY_BIND_ROLLBACK + 1];
	int refuse_bind;	/* errno a BIND gets, 0 to accept */
	ioasid_t refuse_spid;	/* refuse only this one, 0 for any */
};

struct rec_log {
	spinlock_t lock;	/* events of different sets may interleave */
	unsigned int n;
	int tag[REC_MAX];
	unsigned long event[REC_MAX];
	ioasid_t id[REC_MAX], spid[REC_MAX];
	struct pvm_ioasid_set *only;	/* ignore other sets' events if set */
};

static struct rec_log rec_log;

static int rec_call(struct notifier_block *nb, unsigned long event, void *arg)
{
	struct rec_nb *r = container_of(nb, struct rec_nb, nb);
	struct pvm_ioasid_nb_args *args = arg;

	if (rec_log.only && args->set != rec_log.only)
		return NOTIFY_DONE;
	spin_lock(&rec_log.lock);
	if (event <= IOASID_NOTIFY_BIND_ROLLBACK)
		r->count[event]++;
	if (rec_log.n < REC_MAX) {
		rec_log.tag[rec_log.n] = r->tag;
		rec_log.event[rec_log.n] = event;
		rec_log.id[rec_log.n] = args->id;
		rec_log.spid[rec_log.n] = args->spid;
		rec_log.n++;
	}
	spin_unlock(&rec_log.lock);
	if (event == IOASID_NOTIFY_BIND && r->refuse_bind &&
	    (!r->refuse_spid || r->refuse_spid == args->spid))
		return notifier_from_errno(r->refuse_bind);
	return NOTIFY_OK;
}

static void rec_reset(struct pvm_ioasid_set *only)
{
	memset(&rec_log, 0, sizeof(rec_log));
	spin_lock_init(&rec_log.lock);
	rec_log.only = only;
}

static void rec_init(struct rec_nb *r, int tag, int prio)
{
	memset(r, 0, sizeof(*r));
	r->nb.notifier_call = rec_call;
	r->nb.priority = prio;
	r->tag = tag;
}

static void ioasid_test_notify_order(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	static struct rec_nb g_dev, g_cpu, s_iommu, s_cpu, s_dev;
	ioasid_t id = 0;
	unsigned int i;

	rec_reset(set);
	rec_init(&g_dev, 1, IOASID_PRIO_DEVICE);
	rec_init(&g_cpu, 2, IOASID_PRIO_CPU);
	rec_init(&s_iommu, 3, IOASID_PRIO_IOMMU);
	rec_init(&s_cpu, 4, IOASID_PRIO_CPU);
	rec_init(&s_dev, 5, IOASID_PRIO_DEVICE);
	/* Registered in an order unlike the delivery order. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &g_dev.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &s_dev.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &s_iommu.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &g_cpu.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &s_cpu.nb), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier(set, &s_cpu.nb), -EEXIST);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier(set, &g_cpu.nb), -EEXIST);

	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	/* CPU, IOMMU, DEVICE; registration order within a priority. */
	KUNIT_EXPECT_EQ(test, rec_log.n, 5U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 2);
	KUNIT_EXPECT_EQ(test, rec_log.tag[1], 4);
	KUNIT_EXPECT_EQ(test, rec_log.tag[2], 3);
	KUNIT_EXPECT_EQ(test, rec_log.tag[3], 1);
	KUNIT_EXPECT_EQ(test, rec_log.tag[4], 5);
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, rec_log.event[i], (unsigned long)IOASID_NOTIFY_ALLOC);
		KUNIT_EXPECT_EQ(test, rec_log.id[i], id);
	}

	/* The same order for FREE. */
	rec_reset(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 5U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 2);
	KUNIT_EXPECT_EQ(test, rec_log.tag[4], 5);
	KUNIT_EXPECT_EQ(test, rec_log.event[0], (unsigned long)IOASID_NOTIFY_FREE);

	pvm_ioasid_unregister_notifier(set, &g_dev.nb);
	pvm_ioasid_unregister_notifier(set, &g_cpu.nb);
	pvm_ioasid_unregister_notifier(set, &s_iommu.nb);
	pvm_ioasid_unregister_notifier(set, &s_cpu.nb);
	rec_reset(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 1U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 5);
	pvm_ioasid_unregister_notifier(set, &s_dev.nb);
	pvm_ioasid_set_free(set);
}

static void ioasid_test_notify_exactly_once(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 1);
	static struct rec_nb s, g;
	ioasid_t id = 0, id2;

	rec_reset(set);
	rec_init(&s, 1, IOASID_PRIO_IOMMU);
	rec_init(&g, 2, IOASID_PRIO_DEVICE);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &s.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &g.nb), 0);
	pvm_ioasid_set_get(set);	/* keep it to unregister after SET_FREE */

	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	/* Failures change nothing and notify nothing. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 5), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 6), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 6), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);	/* UNBIND + FREE */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);	/* reclaim: silent */
	pvm_ioasid_set_free(set);

	KUNIT_EXPECT_EQ(test, s.count[IOASID_NOTIFY_ALLOC], 1U);
	KUNIT_EXPECT_EQ(test, s.count[IOASID_NOTIFY_BIND], 2U);
	KUNIT_EXPECT_EQ(test, s.count[IOASID_NOTIFY_UNBIND], 2U);
	KUNIT_EXPECT_EQ(test, s.count[IOASID_NOTIFY_FREE], 1U);
	KUNIT_EXPECT_EQ(test, s.count[IOASID_NOTIFY_SET_FREE], 1U);
	KUNIT_EXPECT_EQ(test, memcmp(s.count, g.count, sizeof(s.count)), 0);
	/*
	 * The events in order, each to both: ALLOC, BIND 5, UNBIND 5, BIND 6,
	 * UNBIND 6 (by the free), FREE, SET_FREE.
	 */
	KUNIT_EXPECT_EQ(test, rec_log.n, 14U);
	KUNIT_EXPECT_EQ(test, rec_log.event[0], (unsigned long)IOASID_NOTIFY_ALLOC);
	KUNIT_EXPECT_EQ(test, rec_log.id[0], id);
	KUNIT_EXPECT_EQ(test, rec_log.spid[0], PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, rec_log.event[2], (unsigned long)IOASID_NOTIFY_BIND);
	KUNIT_EXPECT_EQ(test, rec_log.spid[2], 5U);
	KUNIT_EXPECT_EQ(test, rec_log.event[4], (unsigned long)IOASID_NOTIFY_UNBIND);
	KUNIT_EXPECT_EQ(test, rec_log.spid[4], 5U);
	KUNIT_EXPECT_EQ(test, rec_log.event[6], (unsigned long)IOASID_NOTIFY_BIND);
	KUNIT_EXPECT_EQ(test, rec_log.spid[6], 6U);
	KUNIT_EXPECT_EQ(test, rec_log.event[8], (unsigned long)IOASID_NOTIFY_UNBIND);
	KUNIT_EXPECT_EQ(test, rec_log.spid[8], 6U);
	KUNIT_EXPECT_EQ(test, rec_log.event[10], (unsigned long)IOASID_NOTIFY_FREE);
	KUNIT_EXPECT_EQ(test, rec_log.id[10], id);
	KUNIT_EXPECT_EQ(test, rec_log.event[12], (unsigned long)IOASID_NOTIFY_SET_FREE);
	KUNIT_EXPECT_EQ(test, rec_log.id[12], PVM_IOASID_INVALID);
	/* Within each event the set's IOMMU handler ran before the device one. */
	KUNIT_EXPECT_EQ(test, rec_log.tag[12], 1);
	KUNIT_EXPECT_EQ(test, rec_log.tag[13], 2);

	pvm_ioasid_unregister_notifier(set, &s.nb);
	pvm_ioasid_unregister_notifier(set, &g.nb);
	pvm_ioasid_set_put(set);
}

/*
 * A refused BIND: the earlier registrations get a rollback (latest first),
 * the later ones nothing, the attach fails with the refusal's errno and
 * nothing changed: the guest PASID does not translate and can be attached
 * again once the listener accepts.
 */
static void ioasid_test_notify_refuse_bind(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	static struct rec_nb cpu, iommu, dev;
	ioasid_t id = 0;

	rec_reset(set);
	rec_init(&cpu, 1, IOASID_PRIO_CPU);
	rec_init(&iommu, 2, IOASID_PRIO_IOMMU);
	rec_init(&dev, 3, IOASID_PRIO_DEVICE);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &dev.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &cpu.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &iommu.nb), 0);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);

	rec_reset(set);
	iommu.refuse_bind = -ENOMEM;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 7), -ENOMEM);
	/* BIND to cpu, BIND refused by iommu, ROLLBACK to cpu; dev: nothing. */
	KUNIT_EXPECT_EQ(test, rec_log.n, 3U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 1);
	KUNIT_EXPECT_EQ(test, rec_log.event[0], (unsigned long)IOASID_NOTIFY_BIND);
	KUNIT_EXPECT_EQ(test, rec_log.tag[1], 2);
	KUNIT_EXPECT_EQ(test, rec_log.event[1], (unsigned long)IOASID_NOTIFY_BIND);
	KUNIT_EXPECT_EQ(test, rec_log.tag[2], 1);
	KUNIT_EXPECT_EQ(test, rec_log.event[2],
			(unsigned long)IOASID_NOTIFY_BIND_ROLLBACK);
	KUNIT_EXPECT_EQ(test, rec_log.id[2], id);
	KUNIT_EXPECT_EQ(test, rec_log.spid[2], 7U);
	KUNIT_EXPECT_EQ(test, dev.count[IOASID_NOTIFY_BIND], 0U);
	KUNIT_EXPECT_EQ(test, iommu.count[IOASID_NOTIFY_BIND_ROLLBACK], 0U);
	/* Nothing changed. */
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 7, false),
			PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_get_spid(set, id), PVM_IOASID_INVALID);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id), -ENOENT);

	/* The first listener refusing: nobody is rolled back. */
	rec_reset(set);
	iommu.refuse_bind = 0;
	cpu.refuse_bind = -ENOSPC;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 7), -ENOSPC);
	KUNIT_EXPECT_EQ(test, rec_log.n, 1U);

	/* Accepted again: a normal bind, UNBIND on detach. */
	rec_reset(set);
	cpu.refuse_bind = 0;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_attach_spid(set, id, 7), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 3U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_find_by_spid(set, 7, false), id);
	/* Only BIND can be refused: UNBIND and FREE always happen. */
	dev.refuse_bind = -ENOMEM;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(set, id), 0);
	KUNIT_EXPECT_EQ(test, cpu.count[IOASID_NOTIFY_UNBIND], 1U);
	KUNIT_EXPECT_EQ(test, dev.count[IOASID_NOTIFY_FREE], 1U);

	pvm_ioasid_unregister_notifier(set, &dev.nb);
	pvm_ioasid_unregister_notifier(set, &cpu.nb);
	pvm_ioasid_unregister_notifier(set, &iommu.nb);
	pvm_ioasid_set_free(set);
}

/*
 * Registration with replay: the binds made before are delivered to the new
 * registration alone; a refusal rolls back what it accepted and leaves it
 * unregistered.
 */
static void ioasid_test_notify_replay(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	static struct rec_nb old, late;
	ioasid_t id[3] = {};
	unsigned int i;

	rec_reset(set);
	rec_init(&old, 1, IOASID_PRIO_IOMMU);
	rec_init(&late, 2, IOASID_PRIO_CPU);
	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &old.nb), 0);
	for (i = 0; i < ARRAY_SIZE(id); i++) {
		KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id[i]), 0);
		KUNIT_ASSERT_EQ(test, pvm_ioasid_attach_spid(set, id[i], 30 - i), 0);
	}
	/* Refuses the second guest PASID in order (29): 28 is rolled back. */
	rec_reset(set);
	late.refuse_bind = -ENOMEM;
	late.refuse_spid = 29;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier_replay(set, &late.nb),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, rec_log.n, 3U);
	KUNIT_EXPECT_EQ(test, rec_log.event[0], (unsigned long)IOASID_NOTIFY_BIND);
	KUNIT_EXPECT_EQ(test, rec_log.spid[0], 28U);
	KUNIT_EXPECT_EQ(test, rec_log.id[0], id[2]);
	KUNIT_EXPECT_EQ(test, rec_log.spid[1], 29U);
	KUNIT_EXPECT_EQ(test, rec_log.event[2],
			(unsigned long)IOASID_NOTIFY_BIND_ROLLBACK);
	KUNIT_EXPECT_EQ(test, rec_log.spid[2], 28U);
	KUNIT_EXPECT_EQ(test, old.count[IOASID_NOTIFY_BIND], 3U);
	/* Not registered: a new event does not reach it. */
	rec_reset(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id[0]), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 1U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 1);

	/* Accepted: the two remaining binds, then live events. */
	rec_reset(set);
	late.refuse_bind = 0;
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier_replay(set, &late.nb), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 2U);
	KUNIT_EXPECT_EQ(test, rec_log.spid[0], 28U);
	KUNIT_EXPECT_EQ(test, rec_log.spid[1], 29U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_register_notifier_replay(set, &late.nb),
			-EEXIST);
	rec_reset(set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_detach_spid(set, id[1]), 0);
	KUNIT_EXPECT_EQ(test, rec_log.n, 2U);
	KUNIT_EXPECT_EQ(test, rec_log.tag[0], 2);

	pvm_ioasid_unregister_notifier(set, &old.nb);
	pvm_ioasid_unregister_notifier(set, &late.nb);
	pvm_ioasid_set_free(set);
}

/* A handler may take a reference: the FREE'd ID stays pending for it. */
static ioasid_t held_id = PVM_IOASID_INVALID;

static int holder_call(struct notifier_block *nb, unsigned long event,
		       void *arg)
{
	struct pvm_ioasid_nb_args *args = arg;

	if (event == IOASID_NOTIFY_ALLOC && !pvm_ioasid_get(args->set, args->id))
		held_id = args->id;
	/* After FREE the ID is no longer visible, even to its handlers. */
	if (event == IOASID_NOTIFY_FREE && pvm_ioasid_get(args->set, args->id) == 0)
		held_id = PVM_IOASID_INVALID;
	return NOTIFY_OK;
}

static void ioasid_test_notify_handler_ref(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, 0);
	static struct notifier_block nb = { .notifier_call = holder_call };
	ioasid_t id = 0;

	KUNIT_ASSERT_EQ(test, pvm_ioasid_register_notifier(set, &nb), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(set, 1, ~0U, NULL, &id), 0);
	KUNIT_EXPECT_EQ(test, held_id, id);
	pvm_ioasid_set_get(set);
	pvm_ioasid_set_free(set);
	KUNIT_EXPECT_EQ(test, held_id, id);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 1U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_put(set, id), 1);
	pvm_ioasid_unregister_notifier(set, &nb);
	pvm_ioasid_set_put(set);
}

/* ---- lookups racing a lease ---------------------------------------- */

/* A chunk no other case touches. */
#define LEASE_BASE	((ioasid_t)BITS_PER_LONG * 777)

struct lease_race {
	struct pvm_ioasid_set *set;
	struct pvm_ioasid_set *other;
	struct completion reserved;
	struct completion release;
	struct completion leased;
	struct completion looked;
	ioasid_t id;
	int alloc_ret;
	int errors;
};

static struct lease_race *lease_race;

/* Hold the lease of LEASE_BASE's chunk between reservation and publication. */
static void lease_hold(ioasid_t base)
{
	struct lease_race *r = READ_ONCE(lease_race);

	if (!r || base != LEASE_BASE)
		return;
	complete(&r->reserved);
	wait_for_completion_timeout(&r->release, 60 * HZ);
}

static int lease_leaser(void *arg)
{
	struct lease_race *r = arg;

	r->alloc_ret = pvm_ioasid_alloc(r->set, LEASE_BASE, LEASE_BASE + 1, r,
					&r->id);
	complete(&r->leased);
	return 0;
}

/* Every lookup of an ID of the chunk being leased finds nothing. */
static int lease_looker(void *arg)
{
	struct lease_race *r = arg;
	ioasid_t id;

	for (id = LEASE_BASE; id < LEASE_BASE + 2; id++) {
		if (pvm_ioasid_find(r->other, id, NULL) != ERR_PTR(-ENOENT))
			r->errors++;
		if (pvm_ioasid_get(r->other, id) != -ENOENT)
			r->errors++;
		if (pvm_ioasid_get_spid(r->other, id) != PVM_IOASID_INVALID)
			r->errors++;
		if (pvm_ioasid_free(r->other, id) != -ENOENT)
			r->errors++;
		if (pvm_ioasid_attach_spid(r->other, id, 1) != -ENOENT)
			r->errors++;
		if (pvm_ioasid_detach_spid(r->other, id) != -ENOENT)
			r->errors++;
		if (pvm_ioasid_set_data(r->other, id, r) != -ENOENT)
			r->errors++;
	}
	complete(&r->looked);
	return 0;
}

/*
 * A set leasing a chunk reserves its index in the pool's xarray, then
 * allocates and publishes the chunk. The hook holds the leasing thread in
 * between: lookups of the chunk's IDs from another thread must return at
 * once, without waiting for the publication. The looking thread is bound
 * to one CPU and nothing on it lets the leaser progress: on one CPU
 * without preemption, a lookup that waited for the publication would
 * never return.
 */
static void ioasid_test_lookup_during_lease(struct kunit *test)
{
	struct lease_race *r;
	struct task_struct *leaser, *looker;
	bool in_time;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->set = new_set(test, 0);
	r->other = new_set(test, 0);
	init_completion(&r->reserved);
	init_completion(&r->release);
	init_completion(&r->leased);
	init_completion(&r->looked);
	WRITE_ONCE(lease_race, r);
	ioasid_kunit_set_lease_hook(lease_hold);

	leaser = kthread_run(lease_leaser, r, "ioasid_leaser");
	KUNIT_ASSERT_FALSE(test, IS_ERR(leaser));
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->reserved, 30 * HZ),
			0UL);

	looker = kthread_create(lease_looker, r, "ioasid_looker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(looker));
	kthread_bind(looker, cpumask_first(cpu_online_mask));
	wake_up_process(looker);
	in_time = wait_for_completion_timeout(&r->looked, 5 * HZ);
	/* Let the lease finish either way, so that a spinning lookup ends. */
	complete_all(&r->release);
	if (!in_time)
		wait_for_completion(&r->looked);
	wait_for_completion(&r->leased);
	ioasid_kunit_set_lease_hook(NULL);
	WRITE_ONCE(lease_race, NULL);

	KUNIT_EXPECT_TRUE_MSG(test, in_time,
			      "a lookup waited for a chunk being leased");
	KUNIT_EXPECT_EQ(test, r->errors, 0);
	/* Published now: the leaser's ID is there, still not the other's. */
	KUNIT_ASSERT_EQ(test, r->alloc_ret, 0);
	KUNIT_EXPECT_EQ(test, r->id, LEASE_BASE);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(r->set, r->id, NULL), (void *)r);
	KUNIT_EXPECT_PTR_EQ(test, pvm_ioasid_find(r->other, r->id, NULL),
			    ERR_PTR(-ENOENT));
	pvm_ioasid_set_free(r->other);
	pvm_ioasid_set_free(r->set);
}

/* ---- concurrency ---------------------------------------------------- */

#define CONC_THREADS	4
#define CONC_ITERS	400
#define CONC_QUOTA	16
/* Each worker holds up to this many at once: two of them exceed the quota. */
#define CONC_HOLD	12

struct conc_ctx {
	struct pvm_ioasid_set *set;
	struct completion done;
	int index;
	int errors;
	const char *first_error;
	unsigned int allocs;
	unsigned int nospc;
};

static atomic_t conc_stop;

/* Count an error, naming the first one for the report. */
static void conc_error(struct conc_ctx *c, const char *what)
{
	if (!c->errors++)
		c->first_error = what;
}

/* A guest PASID of its own for each worker, iteration and slot. */
static ioasid_t conc_spid(struct conc_ctx *c, int i, int n)
{
	return 1 + (c->index * CONC_ITERS + i) * CONC_HOLD + n;
}

static int conc_worker(void *arg)
{
	struct conc_ctx *c = arg;
	ioasid_t ids[CONC_HOLD], got;
	int i, j, n, ret;

	for (i = 0; i < CONC_ITERS; i++) {
		for (n = 0; n < CONC_HOLD; n++) {
			ret = pvm_ioasid_alloc(c->set, 1, ~0U, c, &ids[n]);
			if (ret == -ENOSPC) {
				c->nospc++;
				break;
			}
			if (ret) {
				conc_error(c, "pvm_ioasid_alloc() failed");
				break;
			}
			c->allocs++;
			/* Never more than the quota, whoever allocates. */
			if (pvm_ioasid_set_used(c->set) > CONC_QUOTA)
				conc_error(c, "set used above the quota");
			if (pvm_ioasid_find(c->set, ids[n], NULL) != c)
				conc_error(c, "find: not the owner's data");
			if (pvm_ioasid_attach_spid(c->set, ids[n], conc_spid(c, i, n)))
				conc_error(c, "attach_spid failed");
			got = pvm_ioasid_find_by_spid(c->set, conc_spid(c, i, n), true);
			if (got != ids[n])
				conc_error(c, "find_by_spid: wrong ID");
			else
				pvm_ioasid_put(c->set, got);
			/* Let the other workers in while this one holds IDs. */
			cond_resched();
		}
		for (j = 0; j < n; j++)
			if (pvm_ioasid_free(c->set, ids[j]))
				conc_error(c, "free failed");
	}
	complete(&c->done);
	return 0;
}

/* Random lookups on a live pool: must never crash or see freed data. */
static int conc_reader(void *arg)
{
	struct conc_ctx *c = arg, *base = c - c->index;
	unsigned int lookups = 0;
	void *priv;

	while (!atomic_read(&conc_stop)) {
		ioasid_t id = 1 + get_random_u32_below(4096);

		priv = pvm_ioasid_find(c->set, id, NULL);
		if (!IS_ERR(priv) &&
		    (priv < (void *)base || priv >= (void *)(base + CONC_THREADS)))
			conc_error(c, "lookup: foreign data");
		if (!pvm_ioasid_get(c->set, id))
			pvm_ioasid_put(c->set, id);
		if ((++lookups & 255) == 0)
			cond_resched();
	}
	c->allocs = lookups;
	complete(&c->done);
	return 0;
}

/*
 * Workers of one set with a quota of CONC_QUOTA each hold up to CONC_HOLD
 * IDs at once: together they run into the quota, which must hold exactly
 * while allocations, attaches and frees race.
 */
static void ioasid_test_concurrent(struct kunit *test)
{
	struct pvm_ioasid_set *set = new_set(test, CONC_QUOTA);
	unsigned int pool = pvm_ioasid_pool_used(), total = 0, nospc = 0;
	struct conc_ctx *ctx;
	struct task_struct *t;
	int i;

	ctx = kunit_kcalloc(test, CONC_THREADS + 1, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	atomic_set(&conc_stop, 0);
	for (i = 0; i <= CONC_THREADS; i++) {
		ctx[i].set = set;
		ctx[i].index = i;
		init_completion(&ctx[i].done);
		t = kthread_run(i < CONC_THREADS ? conc_worker : conc_reader,
				&ctx[i], "ioasid_kunit/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < CONC_THREADS; i++) {
		wait_for_completion(&ctx[i].done);
		KUNIT_EXPECT_EQ_MSG(test, ctx[i].errors, 0, "worker %d, first: %s", i,
				    ctx[i].first_error);
		total += ctx[i].allocs;
		nospc += ctx[i].nospc;
	}
	atomic_set(&conc_stop, 1);
	wait_for_completion(&ctx[CONC_THREADS].done);
	KUNIT_EXPECT_EQ_MSG(test, ctx[CONC_THREADS].errors, 0, "reader: %s",
			    ctx[CONC_THREADS].first_error);
	KUNIT_EXPECT_GT(test, ctx[CONC_THREADS].allocs, 0U);
	/* The quota was hit, and yet IDs kept flowing. */
	KUNIT_EXPECT_GT(test, nospc, 0U);
	KUNIT_EXPECT_GE(test, total, CONC_THREADS * CONC_ITERS);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(set), 0U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
	kunit_info(test, "%u alloc/attach/find/free cycles, %u -ENOSPC, %u lookups\n",
		   total, nospc, ctx[CONC_THREADS].allocs);
	pvm_ioasid_set_free(set);
}

/*
 * Several sets churn a range barely large enough for all of them, inside
 * one chunk: one set leases it, the others take IDs out of it, all of
 * them with atomic bit operations and no common lock. A consumer takes
 * and drops references (so some IDs are reclaimed by its put instead,
 * outside any set lock) and checks that a lookup in a set never returns
 * another set's private data while IDs move between sets.
 */
#define SHARE_SETS	3
#define SHARE_HOLD	2
#define SHARE_BASE	3000U
#define SHARE_IDS	(SHARE_SETS * SHARE_HOLD)
#define SHARE_ITERS	1500

struct share_ctx {
	struct pvm_ioasid_set *set;
	struct share_ctx *all;
	struct completion done;
	unsigned int allocs;
	unsigned int nospc;
	int errors;
};

static int share_worker(void *arg)
{
	struct share_ctx *c = arg;
	ioasid_t ids[SHARE_HOLD];
	int i, j, n, ret;

	for (i = 0; i < SHARE_ITERS; i++) {
		for (n = 0; n < SHARE_HOLD; n++) {
			ret = pvm_ioasid_alloc(c->set, SHARE_BASE,
					       SHARE_BASE + SHARE_IDS - 1, c,
					       &ids[n]);
			if (ret == -ENOSPC) {
				c->nospc++;
				break;
			}
			if (ret) {
				c->errors++;
				break;
			}
			c->allocs++;
			/* Never handed to two sets: only its owner sees it. */
			if (pvm_ioasid_find(c->set, ids[n], NULL) != c)
				c->errors++;
		}
		for (j = 0; j < n; j++)
			if (pvm_ioasid_free(c->set, ids[j]))
				c->errors++;
		if ((i & 31) == 0)
			cond_resched();
	}
	complete(&c->done);
	return 0;
}

static int share_consumer(void *arg)
{
	struct share_ctx *c = arg;
	unsigned int n = 0, loops = 0;
	void *priv;
	int s;

	while (!atomic_read(&conc_stop)) {
		ioasid_t id = SHARE_BASE + get_random_u32_below(SHARE_IDS);

		for (s = 0; s < SHARE_SETS; s++) {
			/* The owner may free it meanwhile: this put reclaims. */
			if (!pvm_ioasid_get(c->all[s].set, id)) {
				n++;
				if (pvm_ioasid_put(c->all[s].set, id) < 0)
					c->errors++;
			}
			priv = pvm_ioasid_find(c->all[s].set, id, NULL);
			if (!IS_ERR(priv) && priv != &c->all[s])
				c->errors++;
		}
		/*
		 * By loops, not by references taken: this thread never
		 * sleeps, and a CPU it kept would starve the workers and the
		 * RCU grace-period kthread their allocations wait for.
		 */
		if ((++loops & 63) == 0)
			cond_resched();
	}
	c->allocs = n;
	complete(&c->done);
	return 0;
}

static void ioasid_test_shared_chunk_concurrent(struct kunit *test)
{
	struct share_ctx ctx[SHARE_SETS + 1] = {};
	unsigned int pool = pvm_ioasid_pool_used(), allocs = 0, nospc = 0;
	ioasid_t ids[SHARE_IDS];
	struct task_struct *t;
	int i;

	atomic_set(&conc_stop, 0);
	for (i = 0; i < SHARE_SETS; i++)
		ctx[i].set = new_set(test, SHARE_HOLD);
	for (i = 0; i <= SHARE_SETS; i++) {
		ctx[i].all = ctx;
		init_completion(&ctx[i].done);
		t = kthread_run(i < SHARE_SETS ? share_worker : share_consumer,
				&ctx[i], "ioasid_share/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < SHARE_SETS; i++) {
		wait_for_completion(&ctx[i].done);
		KUNIT_EXPECT_EQ(test, ctx[i].errors, 0);
		KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(ctx[i].set), 0U);
		allocs += ctx[i].allocs;
		nospc += ctx[i].nospc;
	}
	atomic_set(&conc_stop, 1);
	wait_for_completion(&ctx[SHARE_SETS].done);
	KUNIT_EXPECT_EQ(test, ctx[SHARE_SETS].errors, 0);
	/* -ENOSPC needs a consumer's reference to hold an ID: rare. */
	KUNIT_EXPECT_GT(test, allocs, SHARE_SETS * SHARE_ITERS * SHARE_HOLD / 2U);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);

	/* Quiet now: one set gets the whole range, whoever leases what. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_set_set_quota(ctx[0].set, SHARE_IDS), 0);
	for (i = 0; i < SHARE_IDS; i++)
		KUNIT_EXPECT_EQ(test, pvm_ioasid_alloc(ctx[0].set, SHARE_BASE,
						       SHARE_BASE + SHARE_IDS - 1,
						       NULL, &ids[i]), 0);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(ctx[0].set), SHARE_IDS);
	for (i = 0; i < SHARE_SETS; i++)
		pvm_ioasid_set_free(ctx[i].set);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_pool_used(), pool);
	kunit_info(test, "%u allocs, %u -ENOSPC, %u consumer references\n",
		   allocs, nospc, ctx[SHARE_SETS].allocs);
}

/*
 * pvm_ioasid_set_used() reads a set's counters without its lock while the
 * owner allocates and frees: the count it returns must be one the set had
 * at some instant, so never above the quota. A checker kthread on one CPU
 * reads it in a loop; a churner kthread on another CPU keeps the set at
 * its quota, freeing and allocating, and before each round sends the
 * checker's CPU an interrupt that holds it there until two more
 * allocations went through. An interrupt that lands between the reads of
 * one count turns a count built from two instants into one above the
 * quota. As a control, the checker also computes the count the way the
 * set's lock holders do (ioasid_set_held(), exact only under set->lock):
 * its overshoots show how often an interrupt hit such a window.
 */
#define USED_QUOTA	2
#define USED_ROUNDS	1000
#define USED_HOLD_NS	(20 * NSEC_PER_MSEC)

struct used_ctx {
	struct pvm_ioasid_set *set;
	struct completion checker_done;
	struct completion churner_done;
	unsigned int checker_cpu;
	atomic_t allocs;
	atomic_t stop;
	unsigned int reads;
	unsigned int max_used;
	unsigned int over;
	unsigned int naive_over;
	unsigned int holds;
	int errors;
};

/* In an interrupt on the checker's CPU: wait for two more allocations. */
static void used_hold(void *arg)
{
	struct used_ctx *c = arg;
	int start = atomic_read(&c->allocs);
	u64 end = ktime_get_ns() + USED_HOLD_NS;

	while (atomic_read(&c->allocs) - start < 2) {
		/* The churner may be off its CPU: a lost round, no more. */
		if (ktime_get_ns() > end)
			return;
		cpu_relax();
	}
	c->holds++;
}

static int used_checker(void *arg)
{
	struct used_ctx *c = arg;
	unsigned int used;

	while (!atomic_read(&c->stop)) {
		used = pvm_ioasid_set_used(c->set);
		if (used > c->max_used)
			c->max_used = used;
		if (used > USED_QUOTA)
			c->over++;
		if (ioasid_set_held(c->set) > USED_QUOTA)
			c->naive_over++;
		if ((++c->reads & 1023) == 0)
			cond_resched();
	}
	complete(&c->checker_done);
	return 0;
}

static int used_churner(void *arg)
{
	struct used_ctx *c = arg;
	ioasid_t id;
	int i, j;

	for (i = 0; i < USED_ROUNDS && !c->errors; i++) {
		smp_call_function_single(c->checker_cpu, used_hold, c, 0);
		for (j = 0; j < 3; j++) {
			if (pvm_ioasid_alloc(c->set, 1, ~0U, NULL, &id)) {
				c->errors++;
				break;
			}
			atomic_inc(&c->allocs);
			if (pvm_ioasid_free(c->set, id))
				c->errors++;
		}
		if ((i & 15) == 0)
			cond_resched();
	}
	complete(&c->churner_done);
	return 0;
}

static void ioasid_test_used_snapshot(struct kunit *test)
{
	unsigned int cpu0 = cpumask_first(cpu_online_mask);
	unsigned int cpu1 = cpumask_next(cpu0, cpu_online_mask);
	struct task_struct *checker, *churner;
	struct used_ctx *c;
	ioasid_t id;

	if (cpu1 >= nr_cpu_ids)
		kunit_skip(test, "needs two CPUs");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->set = new_set(test, USED_QUOTA);
	c->checker_cpu = cpu0;
	init_completion(&c->checker_done);
	init_completion(&c->churner_done);
	/* Held throughout: the churner's ID fills the quota. */
	KUNIT_ASSERT_EQ(test, pvm_ioasid_alloc(c->set, 1, ~0U, NULL, &id), 0);

	checker = kthread_create(used_checker, c, "ioasid_used/c");
	KUNIT_ASSERT_FALSE(test, IS_ERR(checker));
	kthread_bind(checker, cpu0);
	churner = kthread_create(used_churner, c, "ioasid_used/w");
	if (IS_ERR(churner)) {
		atomic_set(&c->stop, 1);
		wake_up_process(checker);
		wait_for_completion(&c->checker_done);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(churner));
		pvm_ioasid_set_free(c->set);
		return;
	}
	kthread_bind(churner, cpu1);
	wake_up_process(checker);
	wake_up_process(churner);
	wait_for_completion(&c->churner_done);
	atomic_set(&c->stop, 1);
	wait_for_completion(&c->checker_done);

	KUNIT_EXPECT_EQ(test, c->errors, 0);
	KUNIT_EXPECT_GT(test, c->reads, 0U);
	KUNIT_EXPECT_EQ_MSG(test, c->over, 0U,
			    "pvm_ioasid_set_used() above the quota %u times (max %u, quota %u)",
			    c->over, c->max_used, USED_QUOTA);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_set_used(c->set), 1U);
	kunit_info(test, "%u reads, %u interrupts held for two allocations, max %u; control (one-pass read): %u above the quota\n",
		   c->reads, c->holds, c->max_used, c->naive_over);
	KUNIT_EXPECT_EQ(test, pvm_ioasid_free(c->set, id), 0);
	pvm_ioasid_set_free(c->set);
}

static struct kunit_case ioasid_alloc_cases[] = {
	KUNIT_CASE(ioasid_test_alloc_free),
	KUNIT_CASE(ioasid_test_range_edges),
	KUNIT_CASE(ioasid_test_quota),
	KUNIT_CASE(ioasid_test_unlimited_no_reserve),
	KUNIT_CASE(ioasid_test_capacity),
	KUNIT_CASE(ioasid_test_free_pending),
	KUNIT_CASE(ioasid_test_reuse),
	KUNIT_CASE(ioasid_test_lease_no_reserve),
	KUNIT_CASE(ioasid_test_free_all_and_set_free),
	KUNIT_CASE(ioasid_test_no_wildcards),
	KUNIT_CASE(ioasid_test_out_of_pool),
	KUNIT_CASE(ioasid_test_stray_put),
	KUNIT_CASE(ioasid_test_set_from_file),
	{}
};

static struct kunit_suite ioasid_alloc_suite = {
	.name = "pvm_ioasid_alloc",
	.test_cases = ioasid_alloc_cases,
};

static struct kunit_case ioasid_spid_cases[] = {
	KUNIT_CASE(ioasid_test_spid),
	{}
};

static struct kunit_suite ioasid_spid_suite = {
	.name = "ioasid_spid",
	.test_cases = ioasid_spid_cases,
};

static struct kunit_case ioasid_notify_cases[] = {
	KUNIT_CASE(ioasid_test_notify_order),
	KUNIT_CASE(ioasid_test_notify_exactly_once),
	KUNIT_CASE(ioasid_test_notify_handler_ref),
	KUNIT_CASE(ioasid_test_notify_refuse_bind),
	KUNIT_CASE(ioasid_test_notify_replay),
	{}
};

static struct kunit_suite ioasid_notify_suite = {
	.name = "ioasid_notify",
	.test_cases = ioasid_notify_cases,
};

static struct kunit_case ioasid_concurrency_cases[] = {
	KUNIT_CASE(ioasid_test_lookup_during_lease),
	KUNIT_CASE_SLOW(ioasid_test_concurrent),
	KUNIT_CASE_SLOW(ioasid_test_shared_chunk_concurrent),
	KUNIT_CASE_SLOW(ioasid_test_used_snapshot),
	{}
};

static struct kunit_suite ioasid_concurrency_suite = {
	.name = "ioasid_concurrency",
	.test_cases = ioasid_concurrency_cases,
};

kunit_test_suites(&ioasid_alloc_suite, &ioasid_spid_suite,
		  &ioasid_notify_suite, &ioasid_concurrency_suite);

MODULE_IMPORT_NS(PVM_IOASID_NS);
MODULE_IMPORT_NS(IOASID_KUNIT_NS);
MODULE_DESCRIPTION("KUnit tests of the ioasid PASID allocator");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
