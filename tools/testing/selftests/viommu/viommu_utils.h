/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the pvm_viommu selftests and benchmark. The test plays both
 * sides of an AMD vIOMMU:
 *
 * - the VMM: one VFIO_NESTED_IOMMU container ("the VM") holding one or
 *   more test mdevs, guest RAM mapped in its stage 2, the VM's /dev/ioasid
 *   file with guest PASIDs attached, and the vIOMMU files of
 *   /dev/pvm_viommu with their device-ID and domain-ID tables;
 * - the guest's IOMMU driver: a device table, GCR3 tables, v2 (x86-64)
 *   page tables, a command buffer, an event log and a PPR log, all in
 *   guest RAM, laid out as the AMD IOMMU specification lays them out, and
 *   the head/tail registers in the vIOMMU's mmap()ed page.
 *
 * Helpers return 0 (or a non-negative value) or -errno.
 */
#ifndef __VIOMMU_UTILS_H
#define __VIOMMU_UTILS_H

#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <linux/pvm_viommu.h>

#include "../vfio_iommu_nested/nested_pasid_utils.h"

#define VI_DEV		"/dev/pvm_viommu"

/*
 * Test mdev UUIDs of this directory: VN_UUID(0xa0 + n); viommu_test
 * 0xa0-0xaf, viommu_fail_nth_test 0xb0-0xb7, viommu_bench 0xb8-0xbf.
 */
#define VI_UUID_BASE	0xa0

static inline bool vi_present(void)
{
	return np_testdev_present() && vu_exists(VI_DEV) &&
	       vu_exists(IOASID_DEV);
}

/* ---- the VM: one container, its devices, guest RAM, /dev/ioasid ------------ */

#define VI_MAX_DEVS	4

/**
 * struct vi_vdev - a test mdev of the VM
 * @uuid: its UUID (removed at vi_vm_close())
 * @group_id: its IOMMU group number, the nested backend's dev_id
 * @group: the group fd
 * @fd: the device fd
 */
struct vi_vdev {
	struct vn_uuid uuid;
	int group_id;
	int group, fd;
};

/**
 * struct vi_vm - what a VMM holds for one VM
 * @container: the VFIO container, type VFIO_NESTED_IOMMU
 * @ioasid: the VM's /dev/ioasid file, tied to the container
 * @ndev: devices in @dev
 * @dev: the devices, all in @container
 * @g: guest RAM (and the bump allocator of guest pages)
 */
struct vi_vm {
	int container, ioasid;
	int ndev;
	struct vi_vdev dev[VI_MAX_DEVS];
	struct np_guest g;
};

/* Create mdev VN_UUID(@n) and put its group in @vm's container. */
static inline int vi_vm_add_dev(struct vi_vm *vm, unsigned int n)
{
	struct vi_vdev *d = &vm->dev[vm->ndev];
	char path[PATH_MAX], link[128];
	int ret;

	if (vm->ndev == VI_MAX_DEVS)
		return -ENOSPC;
	d->uuid = vn_uuid(n);
	d->group = -1;
	d->fd = -1;
	ret = vn_testdev_create(d->uuid.s);
	if (ret)
		return ret;
	vm->ndev++;
	/* its group: /dev/vfio/N for the N its iommu_group link ends in */
	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group",
		 d->uuid.s);
	if (!realpath(link, path))
		return -errno;
	d->group_id = strtol(basename(path), NULL, 10);
	snprintf(link, sizeof(link), "/dev/vfio/%d", d->group_id);
	d->group = open(link, O_RDWR);
	if (d->group < 0)
		return -errno;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &vm->container))
		return -errno;
	/* the type is set once, with the first group in */
	if (vm->ndev == 1 &&
	    ioctl(vm->container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU))
		return -errno;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid.s);
	return d->fd < 0 ? -errno : 0;
}

static inline void vi_vm_close(struct vi_vm *vm)
{
	int i;

	for (i = vm->ndev - 1; i >= 0; i--) {
		if (vm->dev[i].fd >= 0)
			close(vm->dev[i].fd);
		if (vm->dev[i].group >= 0)
			close(vm->dev[i].group);
	}
	if (vm->container >= 0)
		close(vm->container);
	if (vm->ioasid >= 0)
		close(vm->ioasid);
	for (i = 0; i < vm->ndev; i++)
		vu_mdev_remove(vm->dev[i].uuid.s);
	np_guest_fini(&vm->g);
	vm->ndev = 0;
	vm->container = -1;
	vm->ioasid = -1;
}

/*
 * A VM with @ndev test mdevs VN_UUID(@uuid0 ...), @ram bytes of guest RAM
 * at @gpa and a /dev/ioasid file tied to the container. On failure the
 * caller still calls vi_vm_close().
 */
static inline int vi_vm_open(struct vi_vm *vm, unsigned int uuid0, int ndev,
			     __u64 gpa, __u64 ram)
{
	int ret, i;

	memset(vm, 0, sizeof(*vm));
	vm->ioasid = -1;
	vm->container = open("/dev/vfio/vfio", O_RDWR);
	if (vm->container < 0)
		return -errno;
	for (i = 0; i < ndev; i++) {
		ret = vi_vm_add_dev(vm, uuid0 + i);
		if (ret)
			return ret;
	}
	ret = np_guest_init(&vm->g, vm->container, gpa, ram);
	if (ret)
		return ret;
	vm->ioasid = open(IOASID_DEV, O_RDWR);
	if (vm->ioasid < 0)
		return -errno;
	return np_set_ioasid_fd(vm->container, vm->ioasid);
}

/* Let the guest use PASID @gpasid: a host PASID attached to it. */
static inline int vi_vm_gpasid(struct vi_vm *vm, __u32 gpasid)
{
	__u32 host;
	int ret = ioasid_alloc_any(vm->ioasid, &host);

	return ret ? ret : ioasid_attach(vm->ioasid, host, gpasid);
}

/* DMA of device @i of @vm with guest PASID @gpasid (0: without PASID). */
static inline int vi_dma(struct vi_vm *vm, int i, __u32 gpasid, __u64 iova,
			 void *buf, __u64 len, bool write,
			 struct vfio_nested_test_dma *out)
{
	__u32 flags = gpasid ? VFIO_NESTED_PASID_GUEST : VFIO_NESTED_PASID_NONE;

	if (write)
		flags |= VFIO_NESTED_DMA_WRITE;
	return np_dma(vm->container, vm->dev[i].group_id, flags, gpasid, iova,
		      buf, len, out);
}

/**
 * struct vi_dma_bg - a DMA that may wait for a page response, in a thread
 * @vm: the VM
 * @i: the device (index in @vm)
 * @gpasid: the guest PASID
 * @iova: address
 * @buf: buffer
 * @len: bytes
 * @write: device write
 * @ret: vi_dma()'s return, once @finished
 * @out: its output
 * @finished: set (release) when the DMA returned
 * @t: the thread
 */
struct vi_dma_bg {
	struct vi_vm *vm;
	int i;
	__u32 gpasid;
	__u64 iova;
	void *buf;
	__u64 len;
	bool write;
	int ret;
	struct vfio_nested_test_dma out;
	int finished;
	pthread_t t;
};

static void *vi_dma_bg_main(void *arg)
{
	struct vi_dma_bg *b = arg;

	b->ret = vi_dma(b->vm, b->i, b->gpasid, b->iova, b->buf, b->len,
			b->write, &b->out);
	__atomic_store_n(&b->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline int vi_dma_bg_start(struct vi_dma_bg *b)
{
	b->finished = 0;
	return -pthread_create(&b->t, NULL, vi_dma_bg_main, b);
}

/* Has the background DMA returned within @ms? Joins it if so. */
static inline bool vi_dma_bg_done(struct vi_dma_bg *b, int ms)
{
	struct timespec ts = { 0, 2000000 };

	for (; ms >= 0; ms -= 2) {
		if (__atomic_load_n(&b->finished, __ATOMIC_ACQUIRE)) {
			pthread_join(b->t, NULL);
			return true;
		}
		nanosleep(&ts, NULL);
	}
	return false;
}

/* ---- the guest's x86-64 ("v2") page tables ------------------------------------ */

/* A new, empty top-level table in guest RAM: its GPA (0: out of RAM). */
static inline __u64 vi_pt_new(struct np_guest *g)
{
	return np_guest_page(g, NP_PAGE);
}

/* In the 4-level table at @root, map the 4 KiB page of @iova to @gpa. */
static inline void vi_pt_map(struct np_guest *g, __u64 root, __u64 iova,
			     __u64 gpa, __u64 bits)
{
	__u64 saved = g->root;

	g->root = root;
	*np_pte(g, iova, 1) = (gpa & PTE_ADDR) | bits;
	g->root = saved;
}

/* ---- guest device table entries (256 bits) ---------------------------------- */

/* qword 0 */
#define VI_DTE_V		0x0000000000000001ULL
#define VI_DTE_TV		0x0000000000000002ULL
#define VI_DTE_PPR		0x0010000000000000ULL
#define VI_DTE_GV		0x0080000000000000ULL
#define VI_DTE_GLX_SHIFT	56
#define VI_DTE_IR		0x2000000000000000ULL
#define VI_DTE_IW		0x4000000000000000ULL
/* qword 2: guest paging mode, 0 4-level, 1 5-level */
#define VI_DTE_GPM_SHIFT	54

/**
 * vi_dte_gt() - a device table entry with guest translation
 * @dte: the four qwords
 * @domid: DomainID
 * @gcr3_root: GPA of the GCR3 table (4 KiB aligned)
 * @glx: GCR3 table levels minus one (0: PASIDs 0-511, 1: two levels, 2:
 *	three levels)
 * @ppr: the device may send page requests (PPR)
 *
 * The GCR3 table root pointer is split over three fields: bits 14:12 in
 * qword 0 bits 60:58, bits 30:15 in qword 1 bits 31:16, bits 51:31 in
 * qword 1 bits 63:43.
 */
static inline void vi_dte_gt(__u64 dte[4], __u16 domid, __u64 gcr3_root,
			     unsigned int glx, bool ppr)
{
	dte[0] = VI_DTE_V | VI_DTE_TV | VI_DTE_GV | VI_DTE_IR | VI_DTE_IW |
		 ((__u64)(glx & 3) << VI_DTE_GLX_SHIFT) |
		 (((gcr3_root >> 12) & 0x7) << 58);
	if (ppr)
		dte[0] |= VI_DTE_PPR;
	dte[1] = domid | (((gcr3_root >> 15) & 0xffff) << 16) |
		 (((gcr3_root >> 31) & 0x1fffff) << 43);
	dte[2] = 0;
	dte[3] = 0;
}

/* The GCR3 table root a device table entry names. */
static inline __u64 vi_dte_gcr3(const __u64 dte[4])
{
	return (((dte[0] >> 58) & 0x7) << 12) |
	       (((dte[1] >> 16) & 0xffff) << 15) |
	       (((dte[1] >> 43) & 0x1fffff) << 31);
}

/* ---- GCR3 tables: per PASID the guest CR3 ------------------------------------- */

#define VI_GCR3_V	1ULL

/*
 * Set the entry of @pasid in the GCR3 table at @root of @glx + 1 levels
 * (lower levels made as needed) to guest CR3 @cr3; @cr3 == 0 clears it.
 * Index bits: 8:0 at the last level, 17:9 above it, 19:18 at the third.
 */
static inline int vi_gcr3_set(struct np_guest *g, __u64 root,
			      unsigned int glx, __u32 pasid, __u64 cr3)
{
	__u64 table = root, *e;
	int l;

	for (l = glx; l > 0; l--) {
		e = (__u64 *)np_hva(g, table) + ((pasid >> (9 * l)) & 511);
		if (!(*e & VI_GCR3_V)) {
			__u64 t = np_guest_page(g, NP_PAGE);

			if (!t)
				return -ENOMEM;
			*e = t | VI_GCR3_V;
		}
		table = *e & PTE_ADDR;
	}
	e = (__u64 *)np_hva(g, table) + (pasid & 511);
	*e = cr3 ? (cr3 & PTE_ADDR) | VI_GCR3_V : 0;
	return 0;
}

/* ---- commands (16 bytes: four little-endian dwords) --------------------------- */

struct vi_cmd {
	__u32 d[4];
};

static inline struct vi_cmd vi_cmd_op(unsigned int op)
{
	struct vi_cmd c = { { 0, op << 28, 0, 0 } };

	return c;
}

#define VI_CW_S		0x1U	/* store */
#define VI_CW_I		0x2U	/* interrupt */
#define VI_CW_F		0x4U	/* flush queue */

/*
 * COMPLETION_WAIT: with @s, store @data at @addr (8-byte aligned GPA,
 * bits 51:3 in dword 0 bits 31:3 and dword 1 bits 19:0); with @i, the
 * completion-wait interrupt.
 */
static inline struct vi_cmd vi_cmd_completion_wait(bool s, bool i, __u64 addr,
						   __u64 data)
{
	struct vi_cmd c = vi_cmd_op(PVM_VIOMMU_CMD_COMPLETION_WAIT);

	c.d[0] = (__u32)(addr & 0xfffffff8) | (s ? VI_CW_S : 0) |
		 (i ? VI_CW_I : 0);
	c.d[1] |= (__u32)(addr >> 32) & 0xfffff;
	c.d[2] = (__u32)data;
	c.d[3] = (__u32)(data >> 32);
	return c;
}

/* INVALIDATE_DEVTAB_ENTRY: DeviceID in dword 0 bits 15:0. */
static inline struct vi_cmd vi_cmd_inv_devtab(__u16 devid)
{
	struct vi_cmd c = vi_cmd_op(PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY);

	c.d[0] = devid;
	return c;
}

#define VI_INV_S	0x1U	/* the address encodes a size */
#define VI_INV_PDE	0x2U	/* page directory entries too */
#define VI_INV_GN	0x4U	/* guest: the PASID is valid */
/* the address that, with S, means "everything" */
#define VI_INV_ALL_ADDR	0x7ffffffffffff000ULL

/*
 * INVALIDATE_IOMMU_PAGES: PASID in dword 0 bits 19:0, DomainID in dword 1
 * bits 15:0, S/PDE/GN in dword 2 bits 2:0, the address bits 63:12 in
 * dword 2 bits 31:12 and dword 3.
 */
static inline struct vi_cmd vi_cmd_inv_pages(__u16 domid, __u32 pasid,
					     __u64 addr, __u32 sbits)
{
	struct vi_cmd c = vi_cmd_op(PVM_VIOMMU_CMD_INV_IOMMU_PAGES);

	c.d[0] = pasid & 0xfffff;
	c.d[1] |= domid;
	c.d[2] = ((__u32)addr & 0xfffff000) | (sbits & 7);
	c.d[3] = (__u32)(addr >> 32);
	return c;
}

/*
 * INVALIDATE_IOTLB_PAGES: DeviceID in dword 0 bits 15:0, PASID[15:8] in
 * dword 0 bits 23:16, Maxpend in dword 0 bits 31:24, QueueID in dword 1
 * bits 15:0, PASID[7:0] in dword 1 bits 23:16, PASID[19:16] in dword 1
 * bits 27:24; S and GN and the address as for INVALIDATE_IOMMU_PAGES.
 */
static inline struct vi_cmd vi_cmd_inv_iotlb(__u16 devid, __u32 pasid,
					     __u8 maxpend, __u64 addr,
					     __u32 sbits)
{
	struct vi_cmd c = vi_cmd_op(PVM_VIOMMU_CMD_INV_IOTLB_PAGES);

	c.d[0] = devid | ((pasid >> 8) & 0xff) << 16 | (__u32)maxpend << 24;
	c.d[1] |= devid | (pasid & 0xff) << 16 | ((pasid >> 16) & 0xf) << 24;
	c.d[2] = ((__u32)addr & 0xfffff000) | (sbits & (VI_INV_S | VI_INV_GN));
	c.d[3] = (__u32)(addr >> 32);
	return c;
}

static inline struct vi_cmd vi_cmd_inv_all(void)
{
	return vi_cmd_op(PVM_VIOMMU_CMD_INV_IOMMU_ALL);
}

/* PPR completion codes (the PCIe page response codes) */
#define VI_PPR_SUCCESS	0x0
#define VI_PPR_INVALID	0x1
#define VI_PPR_FAILURE	0xf

/*
 * COMPLETE_PPR_REQUEST: DeviceID in dword 0 bits 15:0, PASID in dword 1
 * bits 19:0, GN in dword 2 bit 2, the PRG index (tag) in dword 3 bits 8:0
 * and the completion code in dword 3 bits 15:12.
 */
static inline struct vi_cmd vi_cmd_complete_ppr(__u16 devid, __u32 pasid,
						bool gn, __u16 tag,
						unsigned int code)
{
	struct vi_cmd c = vi_cmd_op(PVM_VIOMMU_CMD_COMPLETE_PPR);

	c.d[0] = devid;
	c.d[1] |= pasid & 0xfffff;
	c.d[2] = gn ? VI_INV_GN : 0;
	c.d[3] = (tag & 0x1ff) | (code & 0xf) << 12;
	return c;
}

/* ---- event and PPR log entries ---------------------------------------------- */

/* IO_PAGE_FAULT flags (dword 1 bits 27:16, here shifted down) */
#define VI_EVF_GN	0x001
#define VI_EVF_NX	0x002
#define VI_EVF_US	0x004
#define VI_EVF_I	0x008
#define VI_EVF_PR	0x010
#define VI_EVF_RW	0x020
#define VI_EVF_PE	0x040
#define VI_EVF_RZ	0x080
#define VI_EVF_TR	0x100

/**
 * struct vi_event - an event log entry decoded
 * @code: EventCode, dword 1 bits 31:28
 * @devid: DeviceID, dword 0 bits 15:0
 * @id: dword 1 bits 15:0 with dword 0 bits 19:16 above them: the PASID
 *	when @flags has GN, else the DomainID (bits 15:0)
 * @flags: dword 1 bits 27:16
 * @addr: dwords 2 and 3
 */
struct vi_event {
	unsigned int code;
	__u16 devid;
	__u32 id;
	__u32 flags;
	__u64 addr;
};

static inline struct vi_event vi_event_decode(const void *entry)
{
	const __u32 *d = entry;
	struct vi_event e;

	e.code = d[1] >> 28;
	e.devid = d[0] & 0xffff;
	e.id = (d[0] & 0xf0000) | (d[1] & 0xffff);
	e.flags = (d[1] >> 16) & 0xfff;
	e.addr = d[2] | (__u64)d[3] << 32;
	return e;
}

/* PPR request flags (qword 0 bits 59:48, here shifted down) */
#define VI_PPRF_PMR	0x001
#define VI_PPRF_EXEC	0x002
#define VI_PPRF_READ	0x004
#define VI_PPRF_WRITE	0x020
#define VI_PPRF_US	0x040
#define VI_PPRF_RZ	0x080
#define VI_PPRF_GN	0x100

/**
 * struct vi_ppr - a PPR log entry decoded
 * @type: qword 0 bits 63:60 (PVM_VIOMMU_PPR_REQUEST)
 * @devid: qword 0 bits 15:0
 * @pasid: qword 0 bits 31:16 (PASID 15:0) and bits 45:42 (PASID 19:16)
 * @tag: the PRG index, qword 0 bits 40:32
 * @flags: qword 0 bits 59:48
 * @addr: qword 1, the page's address (bits 11:0 zero)
 */
struct vi_ppr {
	unsigned int type;
	__u16 devid;
	__u32 pasid;
	__u16 tag;
	__u32 flags;
	__u64 addr;
};

static inline struct vi_ppr vi_ppr_decode(const void *entry)
{
	const __u64 *q = entry;
	struct vi_ppr p;

	p.type = q[0] >> 60;
	p.devid = q[0] & 0xffff;
	p.pasid = ((q[0] >> 16) & 0xffff) | ((q[0] >> 42) & 0xf) << 16;
	p.tag = (q[0] >> 32) & 0x1ff;
	p.flags = (q[0] >> 48) & 0xfff;
	p.addr = q[1] & ~0xfffULL;
	return p;
}

/* ---- the vIOMMU file (VMM side) ----------------------------------------------- */

static inline int vi_open(void)
{
	int fd = open(VI_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int vi_create(int fd, int container, __u32 guest_id,
			    __u32 poll_us)
{
	struct pvm_viommu_create c = {
		.argsz = sizeof(c), .container_fd = container,
		.guest_id = guest_id, .poll_us = poll_us,
	};

	return np_ioctl(fd, PVM_VIOMMU_CREATE, &c);
}

/*
 * The device-ID table ioctls (SET, CLEAR, QUERY_DEVICE): @gdevid, the
 * device fd for SET; QUERY returns the host dev_id (group number).
 */
static inline int vi_devtab(int fd, unsigned long cmd, __u32 gdevid,
			    int device_fd)
{
	struct pvm_viommu_device d = {
		.argsz = sizeof(d), .guest_devid = gdevid, .device_fd = device_fd,
	};
	int ret = np_ioctl(fd, cmd, &d);

	if (ret || cmd != PVM_VIOMMU_QUERY_DEVICE)
		return ret;
	return d.host_dev_id;
}

#define vi_set_device(fd, gdevid, dfd)	\
	vi_devtab(fd, PVM_VIOMMU_SET_DEVICE, gdevid, dfd)
#define vi_clear_device(fd, gdevid)	\
	vi_devtab(fd, PVM_VIOMMU_CLEAR_DEVICE, gdevid, 0)
#define vi_query_device(fd, gdevid)	\
	vi_devtab(fd, PVM_VIOMMU_QUERY_DEVICE, gdevid, 0)

/* The domain-ID table ioctls; QUERY returns the host domain ID. */
static inline int vi_domtab(int fd, unsigned long cmd, __u32 gdomid,
			    __u32 hdomid)
{
	struct pvm_viommu_domain d = {
		.argsz = sizeof(d), .guest_domid = gdomid, .host_domid = hdomid,
	};
	int ret = np_ioctl(fd, cmd, &d);

	if (ret || cmd != PVM_VIOMMU_QUERY_DOMAIN)
		return ret;
	return d.host_domid;
}

#define vi_set_domain(fd, gdomid, hdomid)	\
	vi_domtab(fd, PVM_VIOMMU_SET_DOMAIN, gdomid, hdomid)
#define vi_clear_domain(fd, gdomid)	\
	vi_domtab(fd, PVM_VIOMMU_CLEAR_DOMAIN, gdomid, 0)
#define vi_query_domain(fd, gdomid)	\
	vi_domtab(fd, PVM_VIOMMU_QUERY_DOMAIN, gdomid, 0)

static inline int vi_reg_write(int fd, __u32 offset, __u64 value)
{
	struct pvm_viommu_reg r = {
		.argsz = sizeof(r), .offset = offset, .value = value,
	};

	return np_ioctl(fd, PVM_VIOMMU_REG_WRITE, &r);
}

static inline int vi_reg_read(int fd, __u32 offset, __u64 *value)
{
	struct pvm_viommu_reg r = { .argsz = sizeof(r), .offset = offset };
	int ret = np_ioctl(fd, PVM_VIOMMU_REG_READ, &r);

	*value = r.value;
	return ret;
}

static inline int vi_set_eventfd(int fd, __u32 index, int efd)
{
	struct pvm_viommu_eventfd e = {
		.argsz = sizeof(e), .index = index, .fd = efd,
	};

	return np_ioctl(fd, PVM_VIOMMU_SET_EVENTFD, &e);
}

/* Run the command processor; @out (may be NULL) gets its outputs. */
static inline int vi_doorbell(int fd, struct pvm_viommu_doorbell *out)
{
	struct pvm_viommu_doorbell d = { .argsz = sizeof(d) };
	int ret = np_ioctl(fd, PVM_VIOMMU_DOORBELL, &d);

	if (out)
		*out = d;
	return ret;
}

static inline int vi_get_stats(int fd, struct pvm_viommu_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->argsz = sizeof(*s);
	return np_ioctl(fd, PVM_VIOMMU_GET_STATS, s);
}

/* ---- one vIOMMU as its guest driver sees it ----------------------------------- */

/**
 * struct vi_iommu - a vIOMMU: the VMM's file and the guest's structures
 * @fd: the /dev/pvm_viommu file
 * @mmio: the head/tail page (mmap), as the guest sees it at BAR + 0x2000
 * @g: the guest RAM its structures are in
 * @dtb: GPA of the device table (@dtb_pages 4 KiB pages)
 * @dtb_pages: its size
 * @cmd: GPA of the command buffer, @cmd_len entries (a power of 2)
 * @cmd_len: entries
 * @evt: GPA of the event log, @evt_len entries
 * @evt_len: entries
 * @ppr: GPA of the PPR log, @ppr_len entries
 * @ppr_len: entries
 * @cw: GPA of an 8-byte word for COMPLETION_WAIT stores
 * @tail: the guest's command tail (bytes), not yet published when it
 *	differs from the page's
 */
struct vi_iommu {
	int fd;
	__u64 *mmio;
	struct np_guest *g;
	__u64 dtb;
	unsigned int dtb_pages;
	__u64 cmd, evt, ppr, cw;
	unsigned int cmd_len, evt_len, ppr_len;
	__u32 tail;
};

/* A head/tail register of the page: register offset in 0x2000-0x2fff. */
static inline __u64 vi_rd(struct vi_iommu *v, __u32 reg)
{
	return __atomic_load_n(v->mmio + (reg - PVM_VIOMMU_MMIO_PAGE2) / 8,
			       __ATOMIC_ACQUIRE);
}

static inline void vi_wr(struct vi_iommu *v, __u32 reg, __u64 val)
{
	__atomic_store_n(v->mmio + (reg - PVM_VIOMMU_MMIO_PAGE2) / 8, val,
			 __ATOMIC_RELEASE);
}

/* A 64-bit word of guest RAM the "hardware" may be writing. */
static inline __u64 vi_guest_rd64(struct np_guest *g, __u64 gpa)
{
	return __atomic_load_n((__u64 *)np_hva(g, gpa), __ATOMIC_ACQUIRE);
}

static inline __u64 vi_log_base(__u64 gpa, unsigned int len)
{
	unsigned int l2 = 0;

	while ((1U << l2) < len)
		l2++;
	return gpa | (__u64)l2 << PVM_VIOMMU_BASE_LEN_SHIFT;
}

#define VI_CTRL_ALL	(PVM_VIOMMU_CTRL_IOMMU_EN | PVM_VIOMMU_CTRL_EVT_LOG_EN | \
			 PVM_VIOMMU_CTRL_CMDBUF_EN | PVM_VIOMMU_CTRL_PPRLOG_EN | \
			 PVM_VIOMMU_CTRL_PPR_EN | PVM_VIOMMU_CTRL_GT_EN)

/*
 * Open and create a vIOMMU on @vm (guest ID @guest_id), map its head/tail
 * page, and let the guest driver allocate and register its structures in
 * guest RAM: a device table of @dtb_pages pages, command buffer, event
 * and PPR logs of @len entries each; then enable it all (control
 * register). On failure the caller still calls vi_iommu_close().
 */
static inline int vi_iommu_init(struct vi_iommu *v, struct vi_vm *vm,
				__u32 guest_id, unsigned int dtb_pages,
				unsigned int len)
{
	void *p;
	unsigned int i;
	int ret;

	memset(v, 0, sizeof(*v));
	v->g = &vm->g;
	v->mmio = NULL;
	v->fd = vi_open();
	if (v->fd < 0)
		return v->fd;
	ret = vi_create(v->fd, vm->container, guest_id, 0);
	if (ret)
		return ret;
	p = mmap(NULL, PVM_VIOMMU_MMAP_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, v->fd, PVM_VIOMMU_MMAP_OFFSET);
	if (p == MAP_FAILED)
		return -errno;
	v->mmio = p;
	v->dtb_pages = dtb_pages;
	v->dtb = np_guest_page(v->g, NP_PAGE);
	for (i = 1; i < dtb_pages; i++)
		np_guest_page(v->g, NP_PAGE);
	v->cmd_len = len;
	v->evt_len = len;
	v->ppr_len = len;
	v->cmd = np_guest_page(v->g, len * 16 > NP_PAGE ? len * 16 : NP_PAGE);
	v->evt = np_guest_page(v->g, len * 16 > NP_PAGE ? len * 16 : NP_PAGE);
	v->ppr = np_guest_page(v->g, len * 16 > NP_PAGE ? len * 16 : NP_PAGE);
	v->cw = np_guest_page(v->g, NP_PAGE);
	if (!v->dtb || !v->cmd || !v->evt || !v->ppr || !v->cw)
		return -ENOMEM;
	ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_DEV_TABLE_BASE,
			   v->dtb | (dtb_pages - 1));
	if (!ret)
		ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_CMD_BASE,
				   vi_log_base(v->cmd, len));
	if (!ret)
		ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_EVT_BASE,
				   vi_log_base(v->evt, len));
	if (!ret)
		ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_PPR_BASE,
				   vi_log_base(v->ppr, len));
	if (!ret)
		ret = vi_reg_write(v->fd, PVM_VIOMMU_MMIO_CONTROL, VI_CTRL_ALL);
	return ret;
}

static inline void vi_iommu_close(struct vi_iommu *v)
{
	if (v->mmio)
		munmap((void *)v->mmio, PVM_VIOMMU_MMAP_SIZE);
	if (v->fd >= 0)
		close(v->fd);
	v->mmio = NULL;
	v->fd = -1;
}

/* The guest's device table entry of @devid, in guest RAM. */
static inline __u64 *vi_dte(struct vi_iommu *v, __u16 devid)
{
	return (__u64 *)np_hva(v->g, v->dtb + 32ULL * devid);
}

/* Queue @c at the guest's tail (not yet published); -ENOSPC when full. */
static inline int vi_cmd_queue(struct vi_iommu *v, struct vi_cmd c)
{
	__u32 size = v->cmd_len * 16;
	__u32 head = vi_rd(v, PVM_VIOMMU_MMIO_CMD_HEAD) & PVM_VIOMMU_PTR_MASK;
	__u32 next = (v->tail + 16) % size;

	if (next == head)
		return -ENOSPC;
	memcpy(np_hva(v->g, v->cmd + v->tail), &c, sizeof(c));
	v->tail = next;
	return 0;
}

/* Publish the tail: the guest's store to its tail register (no trap). */
static inline void vi_cmd_publish(struct vi_iommu *v)
{
	vi_wr(v, PVM_VIOMMU_MMIO_CMD_TAIL, v->tail);
}

/*
 * Queue @n commands, publish the tail and ring the doorbell; @out (may be
 * NULL) gets the doorbell's outputs. -ENOSPC if the ring is full.
 */
static inline int vi_submit(struct vi_iommu *v, const struct vi_cmd *c,
			    unsigned int n, struct pvm_viommu_doorbell *out)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vi_cmd_queue(v, c[i]);
		if (ret)
			return ret;
	}
	vi_cmd_publish(v);
	return vi_doorbell(v->fd, out);
}

static inline int vi_submit1(struct vi_iommu *v, struct vi_cmd c,
			     struct pvm_viommu_doorbell *out)
{
	return vi_submit(v, &c, 1, out);
}

/* The guest's command head, as the page holds it (bytes). */
static inline __u32 vi_cmd_head(struct vi_iommu *v)
{
	return vi_rd(v, PVM_VIOMMU_MMIO_CMD_HEAD) & PVM_VIOMMU_PTR_MASK;
}

/*
 * The guest sets up @devid: a device table entry of domain @domid with
 * the GCR3 table at @gcr3 (one level), then INVALIDATE_DEVTAB_ENTRY and a
 * COMPLETION_WAIT that stores @seq; the processor's outputs in @out.
 * Returns -EIO if the completion store did not land.
 */
static inline int vi_guest_attach(struct vi_iommu *v, __u16 devid,
				  __u16 domid, __u64 gcr3, __u64 seq,
				  struct pvm_viommu_doorbell *out)
{
	struct vi_cmd c[2];
	int ret;

	vi_dte_gt(vi_dte(v, devid), domid, gcr3, 0, true);
	c[0] = vi_cmd_inv_devtab(devid);
	c[1] = vi_cmd_completion_wait(true, false, v->cw, seq);
	ret = vi_submit(v, c, 2, out);
	if (ret)
		return ret;
	return vi_guest_rd64(v->g, v->cw) == seq ? 0 : -EIO;
}

/* Pop the next entry of a log (@head_reg/@tail_reg), 16 bytes into @e. */
static inline bool vi_log_pop(struct vi_iommu *v, __u64 base, unsigned int len,
			      __u32 head_reg, __u32 tail_reg, void *e)
{
	__u32 head = vi_rd(v, head_reg) & PVM_VIOMMU_PTR_MASK;
	__u32 tail = vi_rd(v, tail_reg) & PVM_VIOMMU_PTR_MASK;

	if (head == tail)
		return false;
	memcpy(e, np_hva(v->g, base + head), 16);
	vi_wr(v, head_reg, (head + 16) % (len * 16));
	return true;
}

static inline bool vi_evt_pop(struct vi_iommu *v, struct vi_event *ev,
			      __u64 raw[2])
{
	__u64 e[2];

	if (!vi_log_pop(v, v->evt, v->evt_len, PVM_VIOMMU_MMIO_EVT_HEAD,
			PVM_VIOMMU_MMIO_EVT_TAIL, e))
		return false;
	if (raw)
		memcpy(raw, e, sizeof(e));
	*ev = vi_event_decode(e);
	return true;
}

static inline bool vi_ppr_pop(struct vi_iommu *v, struct vi_ppr *p)
{
	__u64 e[2];

	if (!vi_log_pop(v, v->ppr, v->ppr_len, PVM_VIOMMU_MMIO_PPR_HEAD,
			PVM_VIOMMU_MMIO_PPR_TAIL, e))
		return false;
	*p = vi_ppr_decode(e);
	return true;
}

/* Wait up to @ms for an entry in the event log (or PPR log with @ppr). */
static inline bool vi_log_wait(struct vi_iommu *v, bool ppr, int ms)
{
	__u32 h = ppr ? PVM_VIOMMU_MMIO_PPR_HEAD : PVM_VIOMMU_MMIO_EVT_HEAD;
	struct timespec ts = { 0, 1000000 };

	for (; ms >= 0; ms--) {
		if ((vi_rd(v, h) & PVM_VIOMMU_PTR_MASK) !=
		    (vi_rd(v, h + 8) & PVM_VIOMMU_PTR_MASK))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

#endif /* __VIOMMU_UTILS_H */
