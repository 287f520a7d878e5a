/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's "edu" PCI device driven from userspace through VFIO, for the
 * physical-path selftest and the benchmark of vfio_iommu_nested.
 *
 * The test VM has edu behind QEMU's emulated VT-d (intel-iommu). The
 * helpers find it in sysfs, bind it to vfio-pci, open its VFIO group in a
 * container the caller owns (any IOMMU backend: type1 or the nested one),
 * map BAR0 through the VFIO device fd and run edu's DMA engine:
 *
 *   edu_bind()        find edu, bind it to vfio-pci, learn its group
 *   edu_group_open()  open the group and add it to a container
 *   (the caller sets the container's IOMMU backend: VFIO_SET_IOMMU)
 *   edu_dev_open()    device fd, BAR0 mmap, liveness check, bus mastering
 *   edu_dma()         one transfer between edu's buffer and an IOVA
 *   edu_close()       undo edu_dev_open() and edu_group_open()
 *
 * What edu does (QEMU 7.2, hw/misc/edu.c): a 4 KiB buffer at device
 * address 0x40000; a DMA moves CNT bytes between that buffer and a bus
 * address, 100 ms of virtual time after the command register is written,
 * then clears the command's RUN bit. The bus address is masked to 28 bits
 * (IOVAs must be below 256 MiB). QEMU 7.2 aborts the whole VM on a
 * transfer that reaches the buffer's last byte (its range check is off by
 * one): edu_dma() refuses those before touching the device. A DMA that
 * the IOMMU refuses is dropped by QEMU (and reported as a DMAR fault to
 * the guest kernel); edu still completes the command.
 */
#ifndef NESTED_EDU_H
#define NESTED_EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "../vfio_utils.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_RUN		0x1
#define EDU_CMD_TO_RAM		0x2
#define EDU_ID_VALUE		0x010000edu
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
#define EDU_DMA_MASK		((1ULL << 28) - 1)
#define EDU_DMA_TIMEOUT_MS	20000

struct edu {
	char bdf[32];		/* PCI address, e.g. 0000:00:03.0 */
	int group_id;		/* /dev/vfio/<group_id> */
	int group;		/* group fd, or -1 */
	int dev;		/* VFIO device fd, or -1 */
	__u64 bar_off;		/* BAR0's offset on the device fd */
	__u64 bar_size;
	__u8 *bar;		/* BAR0 mapped, or NULL: pread/pwrite */
};

static inline double edu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int edu_read_hex(const char *path, unsigned int *val)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -errno;
	ret = fscanf(f, "%x", val) == 1 ? 0 : -EINVAL;
	fclose(f);
	return ret;
}

/*
 * Find edu in sysfs, bind it to vfio-pci (driver_override, then a probe)
 * unless it is bound already, and read its IOMMU group number.
 * Returns 0, -ENODEV without an edu device, or another -errno.
 */
static inline int edu_bind(struct edu *e)
{
	char path[600], link[512];
	unsigned int v, d;
	struct dirent *de;
	ssize_t n;
	DIR *dir;
	int ret;

	memset(e, 0, sizeof(*e));
	e->group = -1;
	e->dev = -1;
	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -errno;
	ret = -ENODEV;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", de->d_name);
		if (edu_read_hex(path, &v) || v != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", de->d_name);
		if (edu_read_hex(path, &d) || d != EDU_DEVICE)
			continue;
		snprintf(e->bdf, sizeof(e->bdf), "%.31s", de->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	if (ret)
		return ret;

	/* vfio-pci is a module on distribution kernels */
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK) &&
	    system("modprobe vfio_pci 2>/dev/null") != 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", e->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n >= 0)
		link[n] = '\0';
	if (n < 0 || strcmp(strrchr(link, '/'), "/vfio-pci")) {
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver_override", e->bdf);
		ret = vu_write_file(path, "vfio-pci");
		if (ret)
			return ret;
		if (n >= 0) {
			snprintf(path, sizeof(path),
				 "/sys/bus/pci/devices/%s/driver/unbind", e->bdf);
			ret = vu_write_file(path, e->bdf);
			if (ret)
				return ret;
		}
		ret = vu_write_file("/sys/bus/pci/drivers_probe", e->bdf);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", e->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	e->group_id = atoi(strrchr(link, '/') + 1);
	return 0;
}

/* Open edu's group and add it to @container. Returns 0 or -errno. */
static inline int edu_group_open(struct edu *e, int container)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", e->group_id);
	e->group = open(path, O_RDWR);
	if (e->group < 0)
		return -errno;
	if (ioctl(e->group, VFIO_GROUP_GET_STATUS, &st))
		goto fail;
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto fail;
	}
	if (ioctl(e->group, VFIO_GROUP_SET_CONTAINER, &container))
		goto fail;
	return 0;
fail:
	close(e->group);
	e->group = -1;
	return -errno;
}

/*
 * BAR0 registers: relaxed atomic accesses of the register's size on the
 * mapping (never torn, merged or left out by the compiler), else pread and
 * pwrite on the device fd.
 */
static inline __u64 edu_rd(struct edu *e, unsigned int off, unsigned int size)
{
	__u64 v = 0;

	if (e->bar)
		return size == 8 ?
		       __atomic_load_n((__u64 *)(e->bar + off), __ATOMIC_RELAXED) :
		       __atomic_load_n((__u32 *)(e->bar + off), __ATOMIC_RELAXED);
	if (pread(e->dev, &v, size, e->bar_off + off) != (ssize_t)size)
		return ~0ULL;
	return v;
}

static inline int edu_wr(struct edu *e, unsigned int off, __u64 v,
			 unsigned int size)
{
	if (e->bar) {
		if (size == 8)
			__atomic_store_n((__u64 *)(e->bar + off), v,
					 __ATOMIC_RELAXED);
		else
			__atomic_store_n((__u32 *)(e->bar + off), (__u32)v,
					 __ATOMIC_RELAXED);
		return 0;
	}
	return pwrite(e->dev, &v, size, e->bar_off + off) == (ssize_t)size ?
	       0 : -EIO;
}

/*
 * After VFIO_SET_IOMMU on the container: the device fd, BAR0 (mmapped
 * when VFIO offers it, else read and written through the fd), edu's
 * identification and liveness registers, and bus mastering on through the
 * config space VFIO emulates. Returns 0 or -errno.
 */
static inline int edu_dev_open(struct edu *e)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg) };
	__u16 cmd;
	int err;
	void *p;

	e->dev = ioctl(e->group, VFIO_GROUP_GET_DEVICE_FD, e->bdf);
	if (e->dev < 0)
		return -errno;
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(e->dev, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto fail;
	e->bar_off = reg.offset;
	e->bar_size = reg.size;
	if (reg.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 e->dev, reg.offset);
		if (p != MAP_FAILED)
			e->bar = p;
	}
	if (edu_rd(e, EDU_REG_ID, 4) != EDU_ID_VALUE ||
	    edu_wr(e, EDU_REG_LIVENESS, 0x5a5aa5a5, 4) ||
	    edu_rd(e, EDU_REG_LIVENESS, 4) != (__u32)~0x5a5aa5a5u) {
		errno = EIO;
		goto fail;
	}
	cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(e->dev, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		goto fail;
	if (pread(e->dev, &cmd, 2, cfg.offset + 4) != 2)
		goto fail;
	cmd |= 0x4;	/* PCI_COMMAND_MASTER */
	if (pwrite(e->dev, &cmd, 2, cfg.offset + 4) != 2)
		goto fail;
	return 0;
fail:
	err = errno ? errno : EIO;
	if (e->bar)
		munmap(e->bar, e->bar_size);
	e->bar = NULL;
	close(e->dev);
	e->dev = -1;
	return -err;
}

/* Undo edu_dev_open() and edu_group_open(), whichever were done. */
static inline void edu_close(struct edu *e)
{
	if (e->bar)
		munmap(e->bar, e->bar_size);
	e->bar = NULL;
	if (e->dev >= 0)
		close(e->dev);
	e->dev = -1;
	if (e->group >= 0) {
		ioctl(e->group, VFIO_GROUP_UNSET_CONTAINER);
		close(e->group);
	}
	e->group = -1;
}

/*
 * One DMA of @len bytes between edu's buffer at offset @off and bus
 * address @iova: to RAM (the device writes @iova) when @to_ram, from RAM
 * otherwise. Waits for edu to finish. Returns 0, -EINVAL for a transfer
 * edu cannot make (or that would make QEMU 7.2 abort), -ETIMEDOUT when
 * edu never finishes, -EIO when BAR0 access fails.
 */
static inline int edu_dma(struct edu *e, __u64 iova, unsigned int off,
			  unsigned int len, bool to_ram)
{
	__u64 buf = EDU_BUF_ADDR + off;
	double t0;

	if (!len || off >= EDU_BUF_SIZE || len >= EDU_BUF_SIZE - off ||
	    iova > EDU_DMA_MASK || len > EDU_DMA_MASK + 1 - iova)
		return -EINVAL;
	if (edu_wr(e, EDU_REG_DMA_SRC, to_ram ? buf : iova, 8) ||
	    edu_wr(e, EDU_REG_DMA_DST, to_ram ? iova : buf, 8) ||
	    edu_wr(e, EDU_REG_DMA_CNT, len, 8) ||
	    edu_wr(e, EDU_REG_DMA_CMD,
		   EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0), 8))
		return -EIO;
	t0 = edu_now();
	while (edu_rd(e, EDU_REG_DMA_CMD, 8) & EDU_CMD_RUN) {
		if ((edu_now() - t0) * 1000 > EDU_DMA_TIMEOUT_MS)
			return -ETIMEDOUT;
		usleep(2000);
	}
	return 0;
}

/* A VFIO container fd with edu's group in it and @type set; or -errno. */
static inline int edu_container(struct edu *e, unsigned long type)
{
	int c, ret;

	c = open("/dev/vfio/vfio", O_RDWR);
	if (c < 0)
		return -errno;
	if (ioctl(c, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		close(c);
		return -EINVAL;
	}
	ret = edu_group_open(e, c);
	if (ret) {
		close(c);
		return ret;
	}
	if (ioctl(c, VFIO_SET_IOMMU, type)) {
		ret = -errno;
		edu_close(e);
		close(c);
		return ret;
	}
	return c;
}

static inline int edu_map(int container, void *vaddr, __u64 iova, __u64 size,
			  __u32 flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

/* Unmap [iova, iova + size); returns the bytes unmapped or -errno. */
static inline long long edu_unmap(int container, __u64 iova, __u64 size,
				  __u32 flags)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u) ? -errno :
	       (long long)u.size;
}

/*
 * How many DMAR fault records for the page of bus address @iova the kernel
 * log holds ("DMAR: [DMA Write NO_PASID] Request device [..] fault addr
 * 0x<page> ..."), or -errno. The intel-iommu driver rate-limits these
 * lines (ten a five-second window, about three per fault), so a caller
 * that must see one leaves five seconds after the previous fault.
 */
static inline int edu_dmar_faults(__u64 iova)
{
	char line[512], needle[64];
	int n = 0;
	FILE *f;

	snprintf(needle, sizeof(needle), "fault addr 0x%llx ",
		 (unsigned long long)(iova & ~0xfffULL));
	f = popen("dmesg", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "DMAR") && strstr(line, needle))
			n++;
	pclose(f);
	return n;
}

/* Wait up to @ms for more than @before fault records for @iova's page. */
static inline bool edu_dmar_fault_new(__u64 iova, int before, int ms)
{
	double t0 = edu_now();

	do {
		if (edu_dmar_faults(iova) > before)
			return true;
		usleep(50000);
	} while ((edu_now() - t0) * 1000 < ms);
	return false;
}

#endif /* NESTED_EDU_H */
