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

#include <linux/vfio_iommu_nested.h>

#include "nested_utils.h"
#include "../ioasid/ioasid_utils.h"

/* ioctl() as 0 (or its non-negative value) or -errno. */
static inline int np_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* ---- the device and its container ---------------------------------------- */

/**
 * struct np_dev - one test mdev in its own VFIO_NESTED_IOMMU container
 * @uuid: the mdev (VN_UUID of the test program's range)
 * @group_id: its IOMMU group number: the uAPI's dev_id
 * @container: the container fd
 * @group: the group fd
 * @dev: the device fd (open: the device is registered with the container)
 */
struct np_dev {
	struct vn_uuid uuid;
	int group_id;
	int container, group, dev;
};

static inline bool np_testdev_present(void)
{
	return vn_testdev_present() && vn_backend_present() &&
	       access("/dev/vfio/vfio", R_OK | W_OK) == 0;
}

static inline bool np_test_dma_on(void)
{
	return vn_param("allow_test_dma", NULL) == 1;
}

static inline void np_dev_close(struct np_dev *d)
{
	struct vu_vfio v = {
		.container = d->container, .group = d->group, .dev = d->dev,
	};

	vu_close(&v);
	d->dev = -1;
	d->group = -1;
	d->container = -1;
	if (d->uuid.s[0]) {
		vu_mdev_remove(d->uuid.s);
		d->uuid.s[0] = 0;
	}
}

/* Test mdev VN_UUID(@n), its group in a new nested container, device open. */
static inline int np_dev_open(struct np_dev *d, unsigned int n)
{
	char path[128], link[256];
	struct vu_vfio v;
	ssize_t len;
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->dev = -1;
	d->uuid = vn_uuid(n);
	ret = vn_testdev_create(d->uuid.s);
	if (ret) {
		d->uuid.s[0] = 0;
		return ret;
	}
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 d->uuid.s);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -errno;
	link[len] = 0;
	d->group_id = atoi(strrchr(link, '/') + 1);
	ret = vn_open_dev(d->uuid.s, &v);
	d->container = v.container;
	d->group = v.group;
	d->dev = v.dev;
	return ret;
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

/*
 * np_dma_repeat() - VFIO_NESTED_TEST_DMA with VFIO_NESTED_TEST_DMA_REPEAT:
 * the same DMA @repeat times in one call; as np_dma() otherwise (@out's
 * repeat: the repetitions that moved every byte).
 */
static inline int np_dma_repeat(int container, int dev_id, __u32 flags,
				__u32 pasid, __u64 iova, void *buf, __u64 len,
				__u32 repeat, struct vfio_nested_test_dma *out)
{
	struct vfio_nested_test_dma cmd = {
		.size = sizeof(cmd),
		.flags = flags | VFIO_NESTED_TEST_DMA_REPEAT,
		.dev_id = dev_id,
		.pasid = pasid,
		.iova = iova,
		.length = len,
		.uptr = (uintptr_t)buf,
		.repeat = repeat,
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
#define PTE_P		0x001ULL
#define PTE_RW		0x002ULL
#define PTE_US		0x004ULL
#define PTE_A		0x020ULL
#define PTE_D		0x040ULL
#define PTE_PS		0x080ULL
#define PTE_NX		0x8000000000000000ULL
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
	__u8 *ram;
	__u64 gpa;
	__u64 size;
	__u64 next;
	__u64 root;
};

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
	return vn_map(container, gpa, g->ram, size, VN_RW);
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
