/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-task fault injection for the fail-nth sweeps of every selftest
 * directory (included as "../fail_nth.h"). Needs CONFIG_FAULT_INJECTION,
 * failslab, fail_page_alloc and fail_usercopy with their debugfs knobs.
 */
#ifndef __PASIDVM_FAIL_NTH_H
#define __PASIDVM_FAIL_NTH_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Per-task fault injection: write N to fail-nth and the N-th injectable
 * call (slab, page allocation, user copy) of this thread fails. Reading it
 * back gives 0 once the fault fired.
 */
static inline int fail_nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	return open(path, O_RDWR);
}

static inline int fail_nth_set(int fd, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

/*
 * Disarm; true if the armed fault fired before this call. The value is
 * read before the read's own user copy, which may consume the fault: then
 * the read fails with EFAULT, and the fault had not fired before.
 */
static inline bool fail_nth_fired(int fd)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	/* Writing may consume a still-armed fault too; then it is 0 anyway. */
	while (pwrite(fd, "0", 1, 0) != 1 && errno == EFAULT)
		;
	return n > 0 && atoi(buf) == 0;
}

/* Make every allocation injectable and quiet the injection reports. */
static inline bool fault_injection_setup(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
		{ "/sys/kernel/debug/fail_usercopy/verbose", "0" },
	};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		int fd = open(knobs[i][0], O_WRONLY);

		if (fd < 0) {
			if (i == 0)
				ok = false;
			continue;
		}
		if (write(fd, knobs[i][1], strlen(knobs[i][1])) < 0 && i == 0)
			ok = false;
		close(fd);
	}
	return ok;
}

/*
 * The fail-nth part of a sweep fixture's set-up: make every allocation
 * injectable and open this task's fail-nth in *@fd (-1 if not opened).
 * Returns NULL, or why the sweep cannot run, for the test's SKIP().
 */
static inline const char *fail_nth_prepare(int *fd)
{
	*fd = -1;
	if (!fault_injection_setup())
		return "fault injection (debugfs failslab) not available";
	*fd = fail_nth_open();
	if (*fd < 0)
		return "no per-task fail-nth";
	return NULL;
}

/* The fail-nth part of the fixture's teardown. */
static inline void fail_nth_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

#endif /* __PASIDVM_FAIL_NTH_H */
