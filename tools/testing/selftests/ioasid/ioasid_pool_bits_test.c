// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's width: ioasid reloaded with small pasid_bits values, where the
 * pool is one partial chunk or a few, and filled to the last PASID from
 * two files. The module is put back with its defaults after each test.
 *
 * This test removes and reloads the ioasid module (and ioasid_kunit, which
 * depends on it): it skips when that is not possible, e.g. when another
 * user holds /dev/ioasid or ioasid is built in.
 */
#include "ioasid_utils.h"

FIXTURE(pool) {
	int a, b;
};

FIXTURE_VARIANT(pool) {
	unsigned int bits;
};

FIXTURE_VARIANT_ADD(pool, bits_1) { .bits = 1 };
FIXTURE_VARIANT_ADD(pool, bits_5) { .bits = 5 };
FIXTURE_VARIANT_ADD(pool, bits_7) { .bits = 7 };

FIXTURE_SETUP(pool)
{
	char params[64];
	int ret;

	self->a = -1;
	self->b = -1;
	if (geteuid())
		SKIP(return, "needs root to reload ioasid");
	snprintf(params, sizeof(params), "pasid_bits=%u default_quota=0",
		 variant->bits);
	ret = reload_ioasid(params);
	if (ret == -EBUSY)
		SKIP(return, "cannot remove the ioasid module");
	ASSERT_EQ(0, ret);
	self->a = open(IOASID_DEV, O_RDWR);
	self->b = open(IOASID_DEV, O_RDWR);
	ASSERT_LE(0, self->a);
	ASSERT_LE(0, self->b);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->a >= 0)
		close(self->a);
	if (self->b >= 0)
		close(self->b);
	/* back to the defaults for the tests that follow */
	if (!geteuid() && reload_ioasid(""))
		TH_LOG("could not reload ioasid with its defaults");
}

/* Every PASID of [1, 2^bits - 1] once, from two files, then nothing. */
TEST_F(pool, fill_from_two_files)
{
	unsigned int cap = (1U << variant->bits) - 1, i, n;
	struct ioasid_info info;
	bool seen[128] = {};
	__u32 ids[128], id;

	ASSERT_EQ(0, ioasid_get_info(self->a, &info));
	ASSERT_EQ(variant->bits, info.pasid_bits);
	ASSERT_EQ(cap, info.max_pasid);
	ASSERT_EQ(0, info.quota);

	/* a takes about half, b the rest: b's come out of a's chunk too */
	for (n = 0; n < cap; n++) {
		ASSERT_EQ(0, ioasid_alloc_any(n < cap / 2 + 1 ? self->a : self->b,
					      &ids[n]));
		ASSERT_LE(1, ids[n]);
		ASSERT_GE(cap, ids[n]);
		ASSERT_FALSE(seen[ids[n]]);
		seen[ids[n]] = true;
	}
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->a, &id));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->b, &id));
	EXPECT_EQ(cap, ioasid_pool_used());
	/* above the pool: no ID there at all */
	EXPECT_EQ(-EINVAL, ioasid_alloc_range(self->a, cap + 1, cap + 64, &id));

	/* what a frees, b gets, exactly those */
	for (i = 0; i < cap / 2 + 1; i++)
		ASSERT_EQ(0, ioasid_free_pasid(self->a, ids[i]));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < cap / 2 + 1; i++) {
		ASSERT_EQ(0, ioasid_alloc_any(self->b, &id));
		ASSERT_FALSE(seen[id]);
		seen[id] = true;
	}
	for (i = 0; i < cap / 2 + 1; i++)
		EXPECT_TRUE(seen[ids[i]]);
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->b, &id));

	/* closing b gives the whole pool back to a */
	close(self->b);
	self->b = -1;
	EXPECT_EQ(0, ioasid_pool_used());
	for (i = 0; i < cap; i++)
		ASSERT_EQ(0, ioasid_alloc_any(self->a, &id));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->a, &id));
}

/* Out-of-range widths are refused at load. */
TEST(pasid_bits_out_of_range)
{
	if (geteuid())
		SKIP(return, "needs root to reload ioasid");
	if (remove_ioasid())
		SKIP(return, "cannot remove the ioasid module");
	EXPECT_NE(0, system("modprobe pvm_ioasid pasid_bits=0 2>/dev/null"));
	EXPECT_NE(0, system("modprobe pvm_ioasid pasid_bits=21 2>/dev/null"));
	ASSERT_EQ(0, reload_ioasid(""));
}

TEST_HARNESS_MAIN
