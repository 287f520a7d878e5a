/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/ioasid selftests.
 */
#ifndef __IOASID_UTILS_H
#define __IOASID_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/ioasid.h>

#include "kselftest_harness.h"
#include "../fail_nth.h"

#define IOASID_DEV "/dev/ioasid"
#define GPASID_MAX ((1U << 20) - 1)

/* ioctl() as 0 or -errno. */
static inline int ioasid_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int ioasid_get_info(int fd, struct ioasid_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioasid_ioctl(fd, IOASID_GET_INFO, info);
}

static inline int ioasid_alloc_range(int fd, __u32 min, __u32 max,
				     __u32 *pasid)
{
	struct ioasid_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOASID_ALLOC_RANGE,
		.min = min,
		.max = max,
	};
	int ret = ioasid_ioctl(fd, IOASID_ALLOC, &cmd);

	if (!ret && pasid)
		*pasid = cmd.out_pasid;
	return ret;
}

static inline int ioasid_alloc_any(int fd, __u32 *pasid)
{
	struct ioasid_alloc cmd = { .size = sizeof(cmd) };
	int ret = ioasid_ioctl(fd, IOASID_ALLOC, &cmd);

	if (!ret && pasid)
		*pasid = cmd.out_pasid;
	return ret;
}

static inline int ioasid_free_pasid(int fd, __u32 pasid)
{
	struct ioasid_free cmd = { .size = sizeof(cmd), .pasid = pasid };

	return ioasid_ioctl(fd, IOASID_FREE, &cmd);
}

static inline int ioasid_attach(int fd, __u32 pasid, __u32 gpasid)
{
	struct ioasid_gpasid cmd = {
		.size = sizeof(cmd), .pasid = pasid, .gpasid = gpasid,
	};

	return ioasid_ioctl(fd, IOASID_ATTACH_GPASID, &cmd);
}

static inline int ioasid_detach(int fd, __u32 pasid)
{
	struct ioasid_gpasid cmd = { .size = sizeof(cmd), .pasid = pasid };

	return ioasid_ioctl(fd, IOASID_DETACH_GPASID, &cmd);
}

static inline int ioasid_translate(int fd, __u32 gpasid, __u32 *pasid)
{
	struct ioasid_translate cmd = { .size = sizeof(cmd), .gpasid = gpasid };
	int ret = ioasid_ioctl(fd, IOASID_TRANSLATE_GPASID, &cmd);

	if (!ret && pasid)
		*pasid = cmd.out_pasid;
	return ret;
}

static inline int ioasid_set_quota(int fd, __u32 quota)
{
	struct ioasid_quota cmd = { .size = sizeof(cmd), .quota = quota };

	return ioasid_ioctl(fd, IOASID_SET_QUOTA, &cmd);
}

/* Whole-pool use as reported by a fresh file; -1 on error. */
static inline long ioasid_pool_used(void)
{
	struct ioasid_info info;
	int fd = open(IOASID_DEV, O_RDWR);
	long used = -1;

	if (fd < 0)
		return -1;
	if (!ioasid_get_info(fd, &info))
		used = info.pool_used;
	close(fd);
	return used;
}

/*
 * Module reloads, for tests that need other parameters. ioasid_kunit
 * depends on ioasid: it goes first (it may not be loaded).
 */
static inline int remove_ioasid(void)
{
	return system("modprobe -r ioasid_kunit 2>/dev/null; modprobe -r pvm_ioasid") ?
		-EBUSY : 0;
}

static inline int reload_ioasid(const char *params)
{
	char cmd[128];
	struct stat st;
	int i;

	if (remove_ioasid())
		return -EBUSY;
	snprintf(cmd, sizeof(cmd), "modprobe pvm_ioasid %s", params);
	if (system(cmd))
		return -EINVAL;
	/* devtmpfs creates the node as the misc device registers */
	for (i = 0; i < 100 && stat(IOASID_DEV, &st); i++)
		usleep(10000);
	return stat(IOASID_DEV, &st) ? -ENODEV : 0;
}

#endif /* __IOASID_UTILS_H */
