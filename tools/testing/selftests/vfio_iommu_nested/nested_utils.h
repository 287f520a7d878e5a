/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vfio_iommu_nested selftests: the test mdev
 * (vfio_nested_testdev) created and removed through sysfs, the VFIO
 * container/group/device fds with the nested IOMMU type set, stage-2
 * MAP/UNMAP, and the test device's ioctls (pin, unpin, dma_rw, unmap log).
 * Every helper returns 0 or -errno (pin/unpin: the count or -errno).
 */
#ifndef NESTED_UTILS_H
#define NESTED_UTILS_H

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>
#include "vfio_nested_testdev.h"
#include "../vfio_utils.h"

#define VN_PAGE		4096UL

/*
 * Test mdev UUIDs: VN_UUID(n) for n in 0..255; each test program uses its
 * own range (nested_s2_test 0x00-0x1f, nested_test 0x20-0x3f,
 * nested_fault_test 0x40-0x5f, nested_fail_nth_test 0x60-0x7f).
 */
#define VN_UUID_FMT	"6e657374-6564-4000-8000-0000000000%02x"

struct vn_uuid {
	char s[40];
};

static inline struct vn_uuid vn_uuid(unsigned int n)
{
	struct vn_uuid u;

	snprintf(u.s, sizeof(u.s), VN_UUID_FMT, n & 0xff);
	return u;
}

/* ---- sysfs ------------------------------------------------------------ */

/* Is the test mdev's parent there (vfio_nested_testdev loaded)? */
static inline bool vn_testdev_present(void)
{
	return vu_exists("/sys/class/mdev_bus/" VNT_PARENT);
}

/* Is the backend loaded? */
static inline bool vn_backend_present(void)
{
	return vu_exists("/sys/module/vfio_iommu_nested");
}

/* Create test mdev @uuid (nothing when it exists). */
static inline int vn_testdev_create(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	if (vu_exists(path))
		return 0;
	return vu_write_file("/sys/class/mdev_bus/" VNT_PARENT
			     "/mdev_supported_types/" VNT_TYPE "/create", uuid);
}

/* A parameter of vfio_nested_testdev (write). */
static inline int vn_testdev_param(const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/vfio_nested_testdev/parameters/%s",
		 name);
	return vu_write_file(path, val);
}

/* Create mdev @uuid as a map client (or not); -ENODEV: modules missing. */
static inline int vn_mc_create(const char *uuid, bool client)
{
	int ret;

	if (!vn_backend_present() || !vn_testdev_present())
		return -ENODEV;
	vu_mdev_remove(uuid);
	ret = vn_testdev_param("map_client", client ? "1" : "0");
	if (ret)
		return ret;
	ret = vn_testdev_create(uuid);
	vn_testdev_param("map_client", "0");
	return ret;
}

/* A module parameter of vfio_iommu_nested: read (set == NULL) or write. */
static inline long vn_param(const char *name, const char *set)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/vfio_iommu_nested/parameters/%s",
		 name);
	if (set)
		return vu_write_file(path, set);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	if (buf[0] == 'Y')
		return 1;
	if (buf[0] == 'N')
		return 0;
	return strtol(buf, NULL, 0);
}

/* ---- VFIO ------------------------------------------------------------- */

static inline int vn_set_iommu(struct vu_vfio *v)
{
	return ioctl(v->container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU) ? -errno : 0;
}

/* Container, group, nested IOMMU type, and the device fd of @uuid. */
static inline int vn_open_dev(const char *uuid, struct vu_vfio *v)
{
	int ret = vu_open_group(uuid, v);

	return ret ? ret : vu_open_dev(uuid, v, VFIO_NESTED_IOMMU);
}

/* ---- stage 2 ----------------------------------------------------------- */

static inline int vn_map(int container, uint64_t iova, const void *vaddr,
			 uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = flags,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

#define VN_RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* Unmap; *@unmapped (may be NULL) gets the bytes the kernel reports. */
static inline int vn_unmap(int container, uint64_t iova, uint64_t size,
			   uint32_t flags, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u))
		return -errno;
	if (unmapped)
		*unmapped = u.size;
	return 0;
}

/* Anonymous private memory of @len bytes, every byte @fill. */
static inline uint8_t *vn_anon(size_t len, int fill)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, fill, len);
	return p;
}

/* Drop CAP_IPC_LOCK, which lets a process pin past RLIMIT_MEMLOCK. */
static inline int vn_drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].permitted &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* ---- the test device ------------------------------------------------------ */

static inline int vn_pin(int dev, uint64_t iova, uint32_t npage, uint32_t flags)
{
	struct vnt_pin p = {
		.argsz = sizeof(p), .flags = flags, .iova = iova, .npage = npage,
	};
	int ret = ioctl(dev, VNT_PIN, &p);

	return ret < 0 ? -errno : ret;
}

static inline int vn_unpin(int dev, uint64_t iova, uint32_t npage)
{
	struct vnt_pin p = { .argsz = sizeof(p), .iova = iova, .npage = npage };
	int ret = ioctl(dev, VNT_UNPIN, &p);

	return ret < 0 ? -errno : ret;
}

static inline int vn_rw(int dev, unsigned long cmd, uint64_t iova, void *buf,
			uint32_t len, bool write)
{
	struct vnt_rw r = {
		.argsz = sizeof(r), .flags = write ? VNT_WRITE : 0,
		.iova = iova, .len = len, .data = (uintptr_t)buf,
	};

	return ioctl(dev, cmd, &r) ? -errno : 0;
}

/* vfio_dma_rw() through the test device */
static inline int vn_dma_rw(int dev, uint64_t iova, void *buf, uint32_t len,
			    bool write)
{
	return vn_rw(dev, VNT_DMA_RW, iova, buf, len, write);
}

/* the pages the test device pinned, through their kernel mapping */
static inline int vn_pinned_rw(int dev, uint64_t iova, void *buf, uint32_t len,
			       bool write)
{
	return vn_rw(dev, VNT_PINNED_RW, iova, buf, len, write);
}

/* Read (and empty) the device's dma_unmap log: the count, or -errno. */
static inline int vn_unmap_log(int dev, struct vnt_unmap_entry *e,
			       unsigned int n, uint32_t *dropped)
{
	struct vnt_unmap_log l = {
		.argsz = sizeof(l), .count = n, .entries = (uintptr_t)e,
	};

	if (ioctl(dev, VNT_GET_UNMAP_LOG, &l))
		return -errno;
	if (dropped)
		*dropped = l.dropped;
	return l.count;
}

#endif /* NESTED_UTILS_H */
