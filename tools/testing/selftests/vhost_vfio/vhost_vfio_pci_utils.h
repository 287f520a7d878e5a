/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace virtio 1.x PCI driver for the virtio-pci personality of
 * vhost_vfio, written against the standard interfaces only: the VFIO PCI
 * device uAPI (regions per BAR and config space, MSI-X through
 * VFIO_DEVICE_SET_IRQS, VFIO_DEVICE_IOEVENTFD) and the virtio PCI transport
 * (vendor capabilities found by walking the capability list, common cfg,
 * notify with its multiplier, ISR, device cfg, split virtqueues).  The
 * guest memory is mapped with the container's VFIO_IOMMU_MAP_DMA, as a VMM
 * maps guest RAM.  Used by the selftest and the benchmark; rings, buffers
 * and the virtio-net frame helpers come from vhost_vfio_utils.h.
 */
#ifndef VHOST_VFIO_PCI_UTILS_H
#define VHOST_VFIO_PCI_UTILS_H

#include <endian.h>
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include "vhost_vfio_utils.h"

#ifndef VHOST_VFIO_MDEV_TYPE_PCI
#define VHOST_VFIO_MDEV_TYPE_PCI	"virtio_pci"
#endif

#define VP_CC(f)	offsetof(struct virtio_pci_common_cfg, f)
#define VP_NREG		VFIO_PCI_NUM_REGIONS

/* Where a virtio structure lives: BAR and offset/length inside it. */
struct vp_loc {
	int bar;		/* -1: no such capability */
	uint8_t pos;		/* the capability's offset in config space */
	uint32_t off, len;
};

struct vp_dev {
	struct vu_vfio v;
	int fd;
	struct vfio_device_info info;
	struct vfio_region_info reg[VP_NREG];
	struct vp_loc common, notify, isr, devcfg, pcicfg;
	uint32_t notify_mult;
	uint8_t msix_pos;	/* 0: no MSI-X capability */
	uint16_t msix_n;
	uint8_t *notify_map;	/* mmap of the notify window's page(s) or NULL */
	size_t notify_map_len;
	uint64_t notify_map_base; /* BAR offset of notify_map */
	int irq[64];		/* MSI-X vector eventfds, -1 if unset */
};

/* ---- sysfs: the personality's mdev ---------------------------------------- */

static inline int vp_type_path(char *buf, size_t len, const char *name,
			       const char *type, const char *attr)
{
	return snprintf(buf, len,
			"/sys/bus/vdpa/devices/%s/mdev_supported_types/vhost_vfio-%s/%s",
			name, type, attr);
}

/* Create an instance of the virtio-pci type @uuid on vDPA device @name. */
static inline int vp_mdev_create(const char *name, const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	if (vu_exists(path))
		return 0;
	vp_type_path(path, sizeof(path), name, VHOST_VFIO_MDEV_TYPE_PCI, "create");
	return vu_write_file(path, uuid);
}

/* available_instances of type @type on vDPA device @name, or -errno. */
static inline long vp_available(const char *name, const char *type)
{
	char path[256], buf[32];
	int ret;

	vp_type_path(path, sizeof(path), name, type, "available_instances");
	ret = vv_read_file(path, buf, sizeof(buf));
	return ret ? ret : strtol(buf, NULL, 0);
}

/* ---- config space and BAR access ---------------------------------------- */

static inline off_t vp_reg_off(struct vp_dev *d, int idx)
{
	return d->reg[idx].offset;
}

static inline int vp_cfg_read(struct vp_dev *d, uint32_t off, void *buf,
			      size_t len)
{
	ssize_t n = pread(d->fd, buf, len,
			  vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX) + off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static inline int vp_cfg_write(struct vp_dev *d, uint32_t off,
			       const void *buf, size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len,
			   vp_reg_off(d, VFIO_PCI_CONFIG_REGION_INDEX) + off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static inline uint32_t vp_cfg32(struct vp_dev *d, uint32_t off)
{
	uint32_t v = 0xffffffff;

	vp_cfg_read(d, off, &v, 4);
	return le32toh(v);
}

static inline uint16_t vp_cfg16(struct vp_dev *d, uint32_t off)
{
	uint16_t v = 0xffff;

	vp_cfg_read(d, off, &v, 2);
	return le16toh(v);
}

static inline uint8_t vp_cfg8(struct vp_dev *d, uint32_t off)
{
	uint8_t v = 0xff;

	vp_cfg_read(d, off, &v, 1);
	return v;
}

/* @len-byte little-endian access at offset @off of @loc (1, 2 or 4). */
static inline int vp_rd(struct vp_dev *d, struct vp_loc *loc, uint32_t off,
			unsigned int len, uint32_t *val)
{
	uint32_t v = 0;
	ssize_t n = pread(d->fd, &v, len,
			  vp_reg_off(d, loc->bar) + loc->off + off);

	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	*val = le32toh(v);
	return 0;
}

static inline int vp_wr(struct vp_dev *d, struct vp_loc *loc, uint32_t off,
			unsigned int len, uint32_t val)
{
	uint32_t v = htole32(val);
	ssize_t n = pwrite(d->fd, &v, len,
			   vp_reg_off(d, loc->bar) + loc->off + off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

/* Common cfg field reads: all-ones on failure, which no test expects. */
static inline uint32_t vp_cc(struct vp_dev *d, uint32_t off, unsigned int len)
{
	uint32_t v = 0;

	return vp_rd(d, &d->common, off, len, &v) ? 0xffffffff : v;
}

static inline int vp_cc_w(struct vp_dev *d, uint32_t off, unsigned int len,
			  uint32_t v)
{
	return vp_wr(d, &d->common, off, len, v);
}

/* 64-bit fields as two 32-bit halves, low first, as the virtio spec allows. */
static inline int vp_cc_w64(struct vp_dev *d, uint32_t off, uint64_t v)
{
	int ret = vp_cc_w(d, off, 4, (uint32_t)v);

	return ret ? ret : vp_cc_w(d, off + 4, 4, (uint32_t)(v >> 32));
}

static inline uint64_t vp_cc64(struct vp_dev *d, uint32_t off)
{
	return vp_cc(d, off, 4) | ((uint64_t)vp_cc(d, off + 4, 4) << 32);
}

/* ---- discovery ------------------------------------------------------------ */

/* Walk the capability list: the virtio vendor caps and MSI-X. */
static inline int vp_find_caps(struct vp_dev *d)
{
	unsigned int guard = 0;
	uint8_t pos;

	d->common.bar = -1;
	d->notify.bar = -1;
	d->isr.bar = -1;
	d->devcfg.bar = -1;
	d->pcicfg.bar = -1;
	d->msix_pos = 0;
	if (!(vp_cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return -ENOENT;
	for (pos = vp_cfg8(d, PCI_CAPABILITY_LIST) & ~3; pos && guard < 48;
	     pos = vp_cfg8(d, pos + PCI_CAP_LIST_NEXT) & ~3, guard++) {
		struct virtio_pci_cap c;
		struct vp_loc *loc = NULL;

		if (pos < 0x40)
			return -EINVAL;
		if (vp_cfg8(d, pos) == PCI_CAP_ID_MSIX) {
			d->msix_pos = pos;
			d->msix_n = (vp_cfg16(d, pos + PCI_MSIX_FLAGS) &
				     PCI_MSIX_FLAGS_QSIZE) + 1;
			continue;
		}
		if (vp_cfg8(d, pos) != PCI_CAP_ID_VNDR)
			continue;
		if (vp_cfg_read(d, pos, &c, sizeof(c)))
			return -EIO;
		switch (c.cfg_type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			loc = &d->common;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			loc = &d->notify;
			d->notify_mult = vp_cfg32(d, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			loc = &d->isr;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			loc = &d->devcfg;
			break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			loc = &d->pcicfg;
			break;
		}
		/* the first of each type is the one to use (spec 4.1.4) */
		if (!loc || loc->bar >= 0)
			continue;
		loc->bar = c.bar;
		loc->pos = pos;
		loc->off = le32toh(c.offset);
		loc->len = le32toh(c.length);
	}
	if (guard >= 48)
		return -ELOOP;
	if (d->common.bar < 0 || d->notify.bar < 0 || d->isr.bar < 0)
		return -ENOENT;
	if (d->common.bar > 5 || d->notify.bar > 5 || d->isr.bar > 5 ||
	    (d->devcfg.bar >= 0 && d->devcfg.bar > 5))
		return -EINVAL;
	return 0;
}

/*
 * Map the notify window's pages if the BAR says they may be mapped (the
 * whole BAR, or a sparse area covering the window).  0 if mapped, -ENOTSUP
 * if the region does not offer it, else -errno of mmap().
 */
static inline int vp_map_notify(struct vp_dev *d)
{
	char buf[1024];
	struct vfio_region_info *ri = (void *)buf;
	uint64_t lo = d->notify.off & ~(VV_PAGE - 1);
	uint64_t hi = (d->notify.off + d->notify.len + VV_PAGE - 1) & ~(VV_PAGE - 1);
	bool ok = false;
	void *p;

	memset(buf, 0, sizeof(buf));
	ri->argsz = sizeof(buf);
	ri->index = d->notify.bar;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri))
		return -errno;
	if (!(ri->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -ENOTSUP;
	if (ri->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		struct vfio_info_cap_header *h;
		uint32_t off;

		for (off = ri->cap_offset; off && off + sizeof(*h) <= sizeof(buf);
		     off = h->next) {
			struct vfio_region_info_cap_sparse_mmap *s;
			uint32_t i;

			h = (void *)(buf + off);
			if (h->id != VFIO_REGION_INFO_CAP_SPARSE_MMAP)
				continue;
			s = (void *)h;
			for (i = 0; i < s->nr_areas; i++)
				if (s->areas[i].offset <= lo &&
				    s->areas[i].offset + s->areas[i].size >= hi)
					ok = true;
			goto sparse;
		}
	}
	ok = hi <= ri->size;
sparse:
	if (!ok)
		return -ENOTSUP;
	p = mmap(NULL, hi - lo, PROT_WRITE, MAP_SHARED, d->fd, ri->offset + lo);
	if (p == MAP_FAILED)
		return -errno;
	d->notify_map = p;
	d->notify_map_len = hi - lo;
	d->notify_map_base = lo;
	return 0;
}

/*
 * Open mdev @uuid's group in a new container of IOMMU type @type
 * (VFIO_TYPE1v2_IOMMU as QEMU asks, or the nested type), get the device fd,
 * its info, every region's info, and walk the capabilities.
 */
static inline int vp_open(struct vp_dev *d, const char *uuid,
			  unsigned long type)
{
	unsigned int i;
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	for (i = 0; i < 64; i++)
		d->irq[i] = -1;
	ret = vu_open_group(uuid, &d->v);
	if (!ret)
		ret = vu_open_dev(uuid, &d->v, type);
	if (ret)
		return ret;
	d->fd = d->v.dev;
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info))
		return -errno;
	if (!(d->info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    d->info.num_regions < VP_NREG)
		return -ENODEV;
	for (i = 0; i < VP_NREG; i++) {
		d->reg[i].argsz = sizeof(d->reg[i]);
		d->reg[i].index = i;
		if (!ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &d->reg[i]))
			continue;
		/* as vfio-pci: no VGA region on a device that is no VGA */
		if (i != VFIO_PCI_VGA_REGION_INDEX || errno != EINVAL)
			return -errno;
		d->reg[i].size = 0;
		d->reg[i].offset = (uint64_t)i << 40;
	}
	return vp_find_caps(d);
}

/* Tear MSI-X down (if set) and close every fd. */
static inline void vp_close(struct vp_dev *d)
{
	unsigned int i;

	if (d->notify_map)
		munmap(d->notify_map, d->notify_map_len);
	d->notify_map = NULL;
	for (i = 0; i < 64; i++)
		if (d->irq[i] >= 0)
			close(d->irq[i]);
	for (i = 0; i < 64; i++)
		d->irq[i] = -1;
	vu_close(&d->v);
	d->fd = -1;
}

/* ---- DMA: the container's type1 map ------------------------------------- */

static inline int vp_map(struct vp_dev *d, uint64_t iova, void *p, size_t len,
			 uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = (uintptr_t)p, .iova = iova, .size = len,
	};

	return ioctl(d->v.container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

static inline int vp_unmap(struct vp_dev *d, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = len,
	};

	if (ioctl(d->v.container, VFIO_IOMMU_UNMAP_DMA, &u))
		return -errno;
	return u.size == len ? 0 : -EIO;
}

#define VP_RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ---- MSI-X ---------------------------------------------------------------- */

/* Give vectors [0, @n) one eventfd each (d->irq[]); @n = 0 disables. */
static inline int vp_msix(struct vp_dev *d, unsigned int n)
{
	char buf[sizeof(struct vfio_irq_set) + 64 * sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;
	unsigned int i;

	if (n > 64)
		return -EINVAL;
	is->argsz = sizeof(*is) + n * sizeof(int32_t);
	is->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		    (n ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	is->index = VFIO_PCI_MSIX_IRQ_INDEX;
	is->start = 0;
	is->count = n;
	for (i = 0; i < n; i++) {
		if (d->irq[i] < 0)
			d->irq[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->irq[i] < 0)
			return -errno;
		memcpy(is->data + i * sizeof(int32_t), &d->irq[i], sizeof(int32_t));
	}
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, is) ? -errno : 0;
}

/* Read and clear eventfd @fd: its count, 0 if not signalled. */
static inline uint64_t vp_irq_count(int fd)
{
	uint64_t c = 0;

	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return 0;
	return c;
}

/* ---- the virtio driver ---------------------------------------------------- */

static inline uint8_t vp_status(struct vp_dev *d)
{
	return (uint8_t)vp_cc(d, VP_CC(device_status), 1);
}

/* Write 0 and wait until the device reads back 0 (spec 4.1.4.3.2). */
static inline int vp_reset(struct vp_dev *d)
{
	unsigned int i;
	int ret = vp_cc_w(d, VP_CC(device_status), 1, 0);

	if (ret)
		return ret;
	for (i = 0; i < 1000; i++) {
		if (!vp_status(d))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static inline int vp_add_status(struct vp_dev *d, uint8_t bits)
{
	return vp_cc_w(d, VP_CC(device_status), 1, vp_status(d) | bits);
}

static inline uint64_t vp_device_features(struct vp_dev *d)
{
	uint64_t f;

	vp_cc_w(d, VP_CC(device_feature_select), 4, 0);
	f = vp_cc(d, VP_CC(device_feature), 4);
	vp_cc_w(d, VP_CC(device_feature_select), 4, 1);
	return f | (uint64_t)vp_cc(d, VP_CC(device_feature), 4) << 32;
}

static inline int vp_set_features(struct vp_dev *d, uint64_t f)
{
	int ret = vp_cc_w(d, VP_CC(guest_feature_select), 4, 0);

	ret = ret ? ret : vp_cc_w(d, VP_CC(guest_feature), 4, (uint32_t)f);
	ret = ret ? ret : vp_cc_w(d, VP_CC(guest_feature_select), 4, 1);
	return ret ? ret : vp_cc_w(d, VP_CC(guest_feature), 4, (uint32_t)(f >> 32));
}

/*
 * Reset, ACKNOWLEDGE|DRIVER, features (@want & offered), FEATURES_OK, and
 * the config vector.  -EPROTO if the device refused the features.
 */
static inline int vp_negotiate(struct vp_dev *d, uint64_t want,
			       uint16_t config_vector)
{
	int ret = vp_reset(d);

	ret = ret ? ret : vp_add_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ret = ret ? ret : vp_add_status(d, VIRTIO_CONFIG_S_DRIVER);
	ret = ret ? ret : vp_set_features(d, vp_device_features(d) & want);
	ret = ret ? ret : vp_add_status(d, VIRTIO_CONFIG_S_FEATURES_OK);
	if (ret)
		return ret;
	if (!(vp_status(d) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EPROTO;
	ret = vp_cc_w(d, VP_CC(msix_config), 2, config_vector);
	if (ret)
		return ret;
	return vp_cc(d, VP_CC(msix_config), 2) == config_vector ? 0 : -ENOSPC;
}

/*
 * Program queue @q (size q->num, its rings' IOVAs) on MSI-X vector @vec
 * (VIRTIO_MSI_NO_VECTOR for none) and enable it.  q->call becomes the
 * vector's eventfd (not owned), so vv_wait_used() waits for the interrupt.
 */
static inline int vp_vq_setup(struct vp_dev *d, struct vv_vq *q, uint16_t vec)
{
	int ret = vp_cc_w(d, VP_CC(queue_select), 2, q->idx);
	uint32_t max;

	if (ret)
		return ret;
	max = vp_cc(d, VP_CC(queue_size), 2);
	if (!max || max < q->num)
		return -ENOSPC;
	ret = vp_cc_w(d, VP_CC(queue_size), 2, q->num);
	ret = ret ? ret : vp_cc_w64(d, VP_CC(queue_desc_lo), q->desc_iova);
	ret = ret ? ret : vp_cc_w64(d, VP_CC(queue_avail_lo), q->avail_iova);
	ret = ret ? ret : vp_cc_w64(d, VP_CC(queue_used_lo), q->used_iova);
	ret = ret ? ret : vp_cc_w(d, VP_CC(queue_msix_vector), 2, vec);
	if (ret)
		return ret;
	if (vp_cc(d, VP_CC(queue_msix_vector), 2) != vec)
		return -ENOSPC;
	q->call = vec < 64 ? d->irq[vec] : -1;
	q->avail_idx = 0;
	q->last_used = 0;
	return vp_cc_w(d, VP_CC(queue_enable), 2, 1);
}

/* BAR offset of queue @idx's notify address. */
static inline uint64_t vp_notify_addr(struct vp_dev *d, uint16_t idx)
{
	uint32_t noff;

	vp_cc_w(d, VP_CC(queue_select), 2, idx);
	noff = vp_cc(d, VP_CC(queue_notify_off), 2);
	return d->notify.off + (uint64_t)noff * d->notify_mult;
}

/* How a kick reaches the device. */
enum vp_kick {
	VP_KICK_PWRITE,		/* trapped write to the notify window */
	VP_KICK_MMAP,		/* store to the mmap'ed notify page */
	VP_KICK_IOEVENTFD,	/* eventfd wired with VFIO_DEVICE_IOEVENTFD */
};

/* VFIO_DEVICE_IOEVENTFD: eventfd @fd writes @idx (16 bit) at BAR offset @addr. */
static inline int vp_ioeventfd_at(struct vp_dev *d, uint64_t addr, uint16_t idx,
				  int fd)
{
	struct vfio_device_ioeventfd e = {
		.argsz = sizeof(e), .flags = VFIO_DEVICE_IOEVENTFD_16,
		.offset = vp_reg_off(d, d->notify.bar) + addr,
		.data = idx, .fd = fd,
	};

	return ioctl(d->fd, VFIO_DEVICE_IOEVENTFD, &e) ? -errno : 0;
}

/* The same at queue @idx's notify address; @fd -1 removes it. */
static inline int vp_ioeventfd(struct vp_dev *d, uint16_t idx, int fd)
{
	return vp_ioeventfd_at(d, vp_notify_addr(d, idx), idx, fd);
}

/* Kick queue @q the way @how says (q->kick is the ioeventfd's eventfd). */
static inline int vp_kick(struct vp_dev *d, struct vv_vq *q, uint64_t addr,
			  enum vp_kick how)
{
	uint16_t v = htole16(q->idx);
	uint64_t one = 1;

	switch (how) {
	case VP_KICK_MMAP:
		__atomic_store_n((uint16_t *)(d->notify_map + addr - d->notify_map_base),
				 v, __ATOMIC_SEQ_CST);
		return 0;
	case VP_KICK_IOEVENTFD:
		return write(q->kick, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
	default:
		return pwrite(d->fd, &v, 2, vp_reg_off(d, d->notify.bar) + addr) == 2 ?
			0 : -errno;
	}
}

/* ---- virtio-net over the personality ------------------------------------ */

struct vp_net {
	struct vp_dev *d;
	struct vv_net n;	/* memory, rings, MAC: vhost_vfio_utils.h */
	uint64_t rx_addr, tx_addr;
	enum vp_kick how;
};

/*
 * Three mappings, as a VMM has RAM regions: rings, RX buffers (the device
 * writes them), TX buffers (read only).  An unmap of type1 v2 takes whole
 * mappings, so each part can be unmapped alone.
 */
static inline int vp_net_map(struct vp_net *pn, struct vp_dev *d)
{
	struct vv_net *n = &pn->n;
	size_t half = (size_t)VV_QSZ * VV_BUFSZ;
	int ret;

	ret = vp_map(d, VV_IOVA_BASE, n->mem.base, n->mem.ring_len, VP_RW);
	ret = ret ? ret : vp_map(d, vv_iova(&n->mem, vv_net_rxbuf(n, 0)),
				 vv_net_rxbuf(n, 0), half, VP_RW);
	return ret ? ret : vp_map(d, vv_iova(&n->mem, vv_net_txbuf(n, 0)),
				  vv_net_txbuf(n, 0), half, VFIO_DMA_MAP_FLAG_READ);
}

/* Vectors: 0 config, 1 RX, 2 TX. */
#define VP_NET_VECS	3

/*
 * Negotiate @want, map the memory (one MAP_DMA), set up RX and TX on
 * vectors 1 and 2 with kicks as @how says, DRIVER_OK.
 */
static inline int vp_net_setup(struct vp_net *pn, struct vp_dev *d,
			       uint64_t want, enum vp_kick how)
{
	struct vv_net *n = &pn->n;
	unsigned int i;
	int ret;

	if (n->mem.base && n->tx.kick >= 0) {	/* re-init: the old ioeventfd */
		if (pn->how == VP_KICK_IOEVENTFD)
			vp_ioeventfd(d, 1, -1);
		close(n->tx.kick);
		n->tx.kick = -1;
	}
	pn->d = d;
	pn->how = how;
	if (!n->mem.base) {
		ret = vv_mem_alloc(&n->mem, 2, 2 * VV_QSZ * VV_BUFSZ);
		if (ret)
			return ret;
		ret = vp_net_map(pn, d);
		if (ret)
			return ret;
	}
	ret = vp_msix(d, VP_NET_VECS);
	if (ret)
		return ret;
	ret = vp_negotiate(d, want, 0);
	if (ret)
		return ret;
	for (i = 0; i < 6; i++) {
		uint32_t b = 0;

		ret = vp_rd(d, &d->devcfg, i, 1, &b);
		if (ret)
			return ret;
		n->mac[i] = b;
	}
	memset(n->mem.base, 0, n->mem.ring_len);
	vv_vq_layout(&n->mem, &n->rx, 0, 0, VV_QSZ);
	vv_vq_layout(&n->mem, &n->tx, 1, 1, VV_QSZ);
	ret = vp_vq_setup(d, &n->rx, 1);
	ret = ret ? ret : vp_vq_setup(d, &n->tx, 2);
	if (ret)
		return ret;
	pn->rx_addr = vp_notify_addr(d, 0);
	pn->tx_addr = vp_notify_addr(d, 1);
	if (how == VP_KICK_MMAP && !d->notify_map) {
		ret = vp_map_notify(d);
		if (ret)
			return ret;
	}
	if (how == VP_KICK_IOEVENTFD) {
		n->tx.kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (n->tx.kick < 0)
			return -errno;
		ret = vp_ioeventfd(d, 1, n->tx.kick);
		if (ret)
			return ret;
	}
	return vp_add_status(d, VIRTIO_CONFIG_S_DRIVER_OK);
}

static inline void vp_net_close(struct vp_net *pn)
{
	struct vv_net *n = &pn->n;

	if (pn->how == VP_KICK_IOEVENTFD && pn->d && pn->d->fd >= 0 &&
	    n->tx.kick >= 0)
		vp_ioeventfd(pn->d, 1, -1);

	/* the call eventfds are the device's MSI-X ones: not ours to close */
	n->rx.call = -1;
	n->tx.call = -1;
	vv_net_close(n);
}

/* Queue @count frames of @len bytes from sequence @seq on TX and kick. */
static inline int vp_net_send(struct vp_net *pn, uint32_t seq,
			      unsigned int count, size_t len)
{
	vv_net_queue_tx(&pn->n, seq, count, len);
	return vp_kick(pn->d, &pn->n.tx, pn->tx_addr, pn->how);
}

/* Post @count RX buffers, send @count frames, wait, check every frame. */
static inline int vp_net_loop(struct vp_net *pn, uint32_t seq,
			      unsigned int count, size_t len, int ms,
			      bool check_all)
{
	struct vv_net *n = &pn->n;
	uint16_t rx0 = vv_used_idx(&n->rx), tx0 = vv_used_idx(&n->tx);
	unsigned int i;
	int ret;

	vv_net_post_rx(n, count);
	ret = vp_net_send(pn, seq, count, len);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->rx, rx0 + count, ms);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->tx, tx0 + count, ms);
	if (ret)
		return ret;
	for (i = check_all ? 0 : count - 1; i < count; i++) {
		ret = vv_net_check_rx(n, rx0 + i, seq + i, len);
		if (ret)
			return ret;
	}
	return 0;
}

#endif /* VHOST_VFIO_PCI_UTILS_H */
