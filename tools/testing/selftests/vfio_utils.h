/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests that drive VFIO devices (included as
 * "../vfio_utils.h" by the vfio_iommu_nested and vhost_vfio helpers):
 * sysfs writes, the pinned/locked memory of this process, mdev removal,
 * and the VFIO container/group/device fds. Every int helper returns 0 or
 * -errno.
 */
#ifndef __PASIDVM_VFIO_UTILS_H
#define __PASIDVM_VFIO_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/vfio.h>

/* ---- sysfs, /proc ----------------------------------------------------- */

/* Write @s to the file @path (a sysfs attribute). */
static inline int vu_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static inline bool vu_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * A /proc/self/status field in kB, or -1: @field with its colon, e.g.
 * "VmPin:" (pages pinned and charged to the mm) or "VmLck:".
 */
static inline long vu_status_kb(const char *field)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, field);
	return p ? strtol(p + strlen(field) + 1, NULL, 10) : -1;
}

/* Remove mdev @uuid. */
static inline int vu_mdev_remove(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	return vu_write_file(path, "1");
}

/* ---- VFIO ------------------------------------------------------------- */

/* The fds of one device; -1 where not open. */
struct vu_vfio {
	int container, group, dev;
};

/*
 * Open a container and mdev @uuid's group, and put the group in it (no
 * IOMMU type set yet, no device fd). -EINVAL if the group is not viable.
 * On failure what was opened stays in @v: vu_close() it.
 */
static inline int vu_open_group(const char *uuid, struct vu_vfio *v)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[256], link[256];
	ssize_t n;

	v->container = -1;
	v->group = -1;
	v->dev = -1;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		return -errno;
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		return -errno;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EINVAL;
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		return -errno;
	return 0;
}

/* Set the container's IOMMU type, then get mdev @uuid's device fd. */
static inline int vu_open_dev(const char *uuid, struct vu_vfio *v,
			      unsigned long iommu_type)
{
	if (ioctl(v->container, VFIO_SET_IOMMU, iommu_type))
		return -errno;
	v->dev = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return v->dev < 0 ? -errno : 0;
}

static inline void vu_close(struct vu_vfio *v)
{
	if (v->dev >= 0)
		close(v->dev);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->dev = -1;
	v->group = -1;
	v->container = -1;
}

#endif /* __PASIDVM_VFIO_UTILS_H */
