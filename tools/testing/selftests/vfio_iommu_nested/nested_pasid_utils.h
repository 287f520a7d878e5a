/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the PASID selftests of vfio_iommu_nested (nested_test,
 * nested_fail_nth_test): a VMM's side of the container (an mdev of the
 * test device in a VFIO_NESTED_IOMMU container, /dev/ioasid), guest RAM
 * mapped with VFIO_IOMMU_MAP_DMA, and an x86-64 guest page table built in
 * that RAM.
 */
#ifndef __NESTED_PASID_UTILS_H
#define __NESTED_PASID_UTILS_H

#include <errno.h>
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

#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>

#include "../ioasid/ioasid_utils.h"

#define NP_MDEV_TYPES	"/sys/class/vfio_nested_testdev/vnt0/mdev_supported_types"
#define NP_MDEV_CREATE	NP_MDEV_TYPES "/vfio_nested_testdev-vnt/create"
#define NP_TEST_DMA_PARAM "/sys/module/vfio_iommu_nested/parameters/allow_test_dma"

/* ioctl() as 0 (or its non-negative value) or -errno. */
static inline int np_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int np_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int np_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* ---- the device and its container ---------------------------------------- */

/**
 * struct np_dev - one test mdev in its own VFIO_NESTED_IOMMU container
 * @uuid: the mdev
 * @group_id: its IOMMU group number: the uAPI's dev_id
 * @container: the container fd
 * @group: the group fd
 * @dev: the device fd (open: the device is registered with the container)
 */
struct np_dev {
	char uuid[40];
	int group_id;
	int container, group, dev;
};

static inline bool np_testdev_present(void)
{
	return access(NP_MDEV_CREATE, W_OK) == 0 &&
	       access("/dev/vfio/vfio", R_OK | W_OK) == 0;
}

static inline void np_uuid(char *buf, size_t len)
{
	static unsigned int seq;

	snprintf(buf, len, "7076d000-0000-4000-8000-%04x%08x",
		 getpid() & 0xffff, ++seq);
}

static inline void np_dev_close(struct np_dev *d)
{
	char path[128];

	if (d->dev >= 0)
		close(d->dev);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->dev = d->group = d->container = -1;
	if (d->uuid[0]) {
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove",
			 d->uuid);
		np_write_file(path, "1");
		d->uuid[0] = 0;
	}
}

/* Open the group and the container; set the backend; no device fd yet. */
static inline int np_container_open(struct np_dev *d)
{
	int type = VFIO_NESTED_IOMMU;
	char path[128];

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group_id);
	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		return -errno;
	d->group = open(path, O_RDWR);
	if (d->group < 0)
		return -errno;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return -errno;
	if (ioctl(d->container, VFIO_SET_IOMMU, type))
		return -errno;
	return 0;
}

/* A new mdev, its group in a new nested container, its device fd open. */
static inline int np_dev_open(struct np_dev *d)
{
	char path[128], link[256];
	ssize_t n;
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->dev = -1;
	np_uuid(d->uuid, sizeof(d->uuid));
	ret = np_write_file(NP_MDEV_CREATE, d->uuid);
	if (ret) {
		d->uuid[0] = 0;
		return ret;
	}
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 d->uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	d->group_id = atoi(strrchr(link, '/') + 1);
	ret = np_container_open(d);
	if (ret)
		return ret;
	d->dev = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);
	return d->dev < 0 ? -errno : 0;
}

/* ---- the backend's ioctls -------------------------------------------------- */

static inline int np_get_caps(int container, struct vfio_nested_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	return np_ioctl(container, VFIO_NESTED_GET_CAPS, caps);
}

static inline int np_set_ioasid_fd(int container, int fd)
{
	struct vfio_nested_ioasid_fd cmd = { .size = sizeof(cmd), .fd = fd };

	return np_ioctl(container, VFIO_NESTED_SET_IOASID_FD, &cmd);
}

#define NP_FMT_4L	VFIO_NESTED_S1_FMT_X86_64_4L

static inline int np_bind(int container, __u32 flags, __u32 pasid,
			  __u64 root_gpa)
{
	struct vfio_nested_bind_s1 cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.pasid = pasid,
		.format = NP_FMT_4L,
		.addr_width = 0,
		.s1_flags = VFIO_NESTED_S1_F_NXE,
		.root_gpa = root_gpa,
	};

	return np_ioctl(container, VFIO_NESTED_BIND_S1, &cmd);
}

static inline int np_unbind(int container, __u32 flags, __u32 pasid)
{
	struct vfio_nested_unbind_s1 cmd = {
		.size = sizeof(cmd), .flags = flags, .pasid = pasid,
	};

	return np_ioctl(container, VFIO_NESTED_UNBIND_S1, &cmd);
}

/* A batch of @n entries; *@done gets the entries handled. */
static inline int np_invalidate(int container,
				const struct vfio_nested_inv_entry *e,
				__u32 n, __u32 *done)
{
	struct vfio_nested_invalidate cmd = {
		.argsz = sizeof(cmd),
		.entry_len = sizeof(*e),
		.entry_num = n,
		.entries = (uintptr_t)e,
	};
	int ret = np_ioctl(container, VFIO_NESTED_INVALIDATE, &cmd);

	if (done)
		*done = cmd.entry_num;
	return ret;
}

static inline int np_inv_addr(int container, __u32 pasid, __u64 addr,
			      __u32 npages)
{
	struct vfio_nested_inv_entry e = {
		.type = VFIO_NESTED_INV_ADDR,
		.pasid = pasid,
		.granule = 12,
		.addr = addr,
		.npages = npages,
	};

	return np_invalidate(container, &e, 1, NULL);
}

static inline int np_inv_pasid(int container, __u32 pasid)
{
	struct vfio_nested_inv_entry e = {
		.type = VFIO_NESTED_INV_PASID,
		.pasid = pasid,
	};

	return np_invalidate(container, &e, 1, NULL);
}

/**
 * np_dma() - VFIO_NESTED_TEST_DMA
 * @container: the container
 * @dev_id: the device's group number
 * @flags: PASID naming and VFIO_NESTED_DMA_*
 * @pasid: the PASID
 * @iova: DMA address
 * @buf: user buffer
 * @len: bytes
 * @out: the ioctl's structure after the call (may be NULL)
 *
 * Return: 0 or -errno.
 */
static inline int np_dma(int container, int dev_id, __u32 flags, __u32 pasid,
			 __u64 iova, void *buf, __u64 len,
			 struct vfio_nested_test_dma *out)
{
	struct vfio_nested_test_dma cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pasid = pasid,
		.iova = iova,
		.length = len,
		.uptr = (uintptr_t)buf,
	};
	int ret = np_ioctl(container, VFIO_NESTED_TEST_DMA, &cmd);

	if (out)
		*out = cmd;
	return ret;
}

static inline int np_get_fault_fd(int container)
{
	struct vfio_nested_fault_fd cmd = { .size = sizeof(cmd) };

	return np_ioctl(container, VFIO_NESTED_GET_FAULT_FD, &cmd);
}

/* ---- guest RAM and its x86-64 page table ----------------------------------- */

#define NP_PAGE		4096ULL
#define NP_2M		(2ULL << 20)
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE_USER_RW	(PTE_P | PTE_RW | PTE_US)

/**
 * struct np_guest - guest RAM at @gpa, mapped in the container's stage 2
 * @ram: our mapping of it
 * @gpa: its first GPA (2 MiB aligned)
 * @size: bytes
 * @next: bump allocator of page-table and data pages (offset)
 * @root: GPA of the PML4 (0 until np_guest_root())
 */
struct np_guest {
	uint8_t *ram;
	__u64 gpa;
	__u64 size;
	__u64 next;
	__u64 root;
};

static inline int np_map_dma(int container, void *vaddr, __u64 iova,
			     __u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return np_ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

/* Map @size bytes of new guest RAM at @gpa, readable and writable. */
static inline int np_guest_init(struct np_guest *g, int container, __u64 gpa,
				__u64 size)
{
	memset(g, 0, sizeof(*g));
	g->ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (g->ram == MAP_FAILED) {
		g->ram = NULL;
		return -errno;
	}
	g->gpa = gpa;
	g->size = size;
	return np_map_dma(container, g->ram, gpa, size,
			  VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
}

static inline void np_guest_fini(struct np_guest *g)
{
	if (g->ram)
		munmap(g->ram, g->size);
	g->ram = NULL;
}

static inline void *np_hva(struct np_guest *g, __u64 gpa)
{
	return g->ram + (gpa - g->gpa);
}

/* A zeroed page of guest RAM (@align bytes aligned); its GPA, 0 if none. */
static inline __u64 np_guest_page(struct np_guest *g, __u64 align)
{
	__u64 off = (g->next + align - 1) & ~(align - 1);

	if (off + align > g->size)
		return 0;
	g->next = off + (align > NP_PAGE ? align : NP_PAGE);
	memset(g->ram + off, 0, align > NP_PAGE ? align : NP_PAGE);
	return g->gpa + off;
}

static inline __u64 *np_pte_slot(struct np_guest *g, __u64 table, int level,
				 __u64 iova)
{
	unsigned int idx = (iova >> (12 + 9 * (level - 1))) & 511;

	return (__u64 *)np_hva(g, table) + idx;
}

/*
 * The entry that maps @iova at @level (1: 4 KiB, 2: 2 MiB), making the
 * upper tables as needed (present, writable, user).
 */
static inline __u64 *np_pte(struct np_guest *g, __u64 iova, int level)
{
	__u64 table, *slot;
	int l;

	if (!g->root)
		g->root = np_guest_page(g, NP_PAGE);
	table = g->root;
	for (l = 4; l > level; l--) {
		slot = np_pte_slot(g, table, l, iova);
		if (!(*slot & PTE_P))
			*slot = np_guest_page(g, NP_PAGE) | PTE_USER_RW;
		table = *slot & PTE_ADDR;
	}
	return np_pte_slot(g, table, level, iova);
}

/* Map the 4 KiB page of @iova to @gpa with the entry bits @bits. */
static inline void np_map_4k(struct np_guest *g, __u64 iova, __u64 gpa,
			     __u64 bits)
{
	*np_pte(g, iova, 1) = (gpa & PTE_ADDR) | bits;
}

static inline void np_map_2m(struct np_guest *g, __u64 iova, __u64 gpa,
			     __u64 bits)
{
	*np_pte(g, iova, 2) = (gpa & PTE_ADDR) | bits | PTE_PS;
}

/* ---- /dev/ioasid ------------------------------------------------------------ */

static inline int np_ioasid_open_alloc(__u32 *pasid)
{
	int fd = open(IOASID_DEV, O_RDWR);

	if (fd < 0)
		return -errno;
	if (pasid && ioasid_alloc_any(fd, pasid)) {
		close(fd);
		return -ENOSPC;
	}
	return fd;
}

#endif /* __NESTED_PASID_UTILS_H */
