// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-proof: on load, raise a kernel WARN and leak one allocation,
 * so that the log scan must catch both a WARNING and a kmemleak report.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool warn = true;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "raise a WARN on load (default: yes)");

static bool leak = true;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak one allocation on load (default: yes)");

/*
 * The leaked object starts with a marker that the self-proof looks for in
 * kmemleak's hex dump, so no other leak can pass for this one.
 */
static noinline void selfcheck_leak(void)
{
	static const char marker[] = "pasidvm-selfcheck-leak";
	char *p = kmemdup(marker, sizeof(marker), GFP_KERNEL);

	/* %p prints a hash, so the log holds no reference to the object */
	pr_info("pasidvm selfcheck: leaking the object at %p\n", p);
}

static int __init selfcheck_faults_init(void)
{
	WARN(warn, "pasidvm selfcheck: planted warning\n");
	if (leak)
		selfcheck_leak();
	return 0;
}

static void __exit selfcheck_faults_exit(void)
{
}

module_init(selfcheck_faults_init);
module_exit(selfcheck_faults_exit);

MODULE_DESCRIPTION("Test VM harness self-proof: a planted WARN and a planted leak");
MODULE_LICENSE("GPL");
