// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-proof: one selftest that passes and one that fails on
 * purpose. The runner must count exactly one failure.
 */
#include <unistd.h>

#include "kselftest_harness.h"

TEST(selfcheck_passes)
{
	ASSERT_EQ(getpid(), getpid());
}

TEST(selfcheck_fails_on_purpose)
{
	TH_LOG("planted failure: must be reported");
	ASSERT_EQ(4, 5);
}

TEST_HARNESS_MAIN
