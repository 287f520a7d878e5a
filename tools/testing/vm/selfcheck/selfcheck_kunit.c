// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-proof: a KUnit suite with one case that passes and one that
 * fails on purpose. The runner must report exactly one failure.
 */
#include <kunit/test.h>
#include <linux/module.h>

static void selfcheck_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 2 + 2, 4);
}

static void selfcheck_fails_on_purpose(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 2 + 2, 5, "planted failure: must be reported");
}

static struct kunit_case selfcheck_cases[] = {
	KUNIT_CASE(selfcheck_passes),
	KUNIT_CASE(selfcheck_fails_on_purpose),
	{}
};

static struct kunit_suite selfcheck_suite = {
	.name = "pasidvm_selfcheck",
	.test_cases = selfcheck_cases,
};

kunit_test_suite(selfcheck_suite);

MODULE_DESCRIPTION("Test VM harness self-proof: a deliberately failing KUnit case");
MODULE_LICENSE("GPL");
