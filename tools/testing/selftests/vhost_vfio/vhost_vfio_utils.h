/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vhost_vfio selftests, benchmark and sample: vDPA device and
 * mdev set-up through sysfs, the VFIO container/group/device dance, and a
 * small userspace virtio driver (split rings in our own memory) that talks
 * vhost to either a vhost_vfio device fd or a /dev/vhost-vdpa-N fd.
 */
#ifndef VHOST_VFIO_UTILS_H
#define VHOST_VFIO_UTILS_H

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/vfio.h>
#include <linux/iommufd.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <linux/vhost_vfio.h>
#include "../vfio_utils.h"

#define VV_MAC		"52:54:00:12:34:56"
#define VV_IOVA_BASE	0x40000000ULL
#define VV_QSZ		256
#define VV_BUFSZ	2048
#define VV_PAGE		4096UL

/* ---- sysfs ------------------------------------------------------------ */

static inline int vv_read_file(const char *path, char *buf, size_t len)
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

/* VmPin of this process in kB (pages pinned and charged to its mm), or -1. */
static inline long vv_vmpin_kb(void)
{
	return vu_status_kb("VmPin:");
}

/*
 * Do the vDPA simulators take user virtual addresses (vdpa_sim's use_va,
 * default on)?  Without it the bridge hands them physical addresses, one
 * IOTLB entry per physically contiguous run of an update rather than one
 * per update, so an invalidation drops the run it hits, not the update.
 * The test VM boots with use_va=0 (the virtio-pci personality needs it).
 */
static inline bool vv_sim_use_va(void)
{
	char buf[8] = "";

	if (vv_read_file("/sys/module/vdpa_sim/parameters/use_va", buf, sizeof(buf)))
		return true;
	return buf[0] == 'Y' || buf[0] == '1';
}

/* Create vDPA device @name of @mgmt (if missing) and bind it to @drv. */
static inline int vv_vdpa_add(const char *mgmt, const char *name,
			      const char *drv)
{
	char path[256], cmd[256], cur[256] = "";
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s", name);
	if (!vu_exists(path)) {
		if (!strcmp(mgmt, "vdpasim_net"))
			snprintf(cmd, sizeof(cmd),
				 "vdpa dev add mgmtdev %s name %s mac %s", mgmt,
				 name, VV_MAC);
		else
			snprintf(cmd, sizeof(cmd), "vdpa dev add mgmtdev %s name %s",
				 mgmt, name);
		if (system(cmd))
			return -ENODEV;
	}
	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/driver", name);
	ret = readlink(path, cur, sizeof(cur) - 1);
	if (ret > 0) {
		cur[ret] = 0;
		if (!strcmp(strrchr(cur, '/') + 1, drv))
			return 0;
		snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/driver/unbind",
			 name);
		ret = vu_write_file(path, name);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/driver_override",
		 name);
	ret = vu_write_file(path, drv);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/vdpa/drivers/%s/bind", drv);
	return vu_write_file(path, name);
}

static inline int vv_vdpa_del(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "vdpa dev del %s 2>/dev/null", name);
	return system(cmd) ? -EIO : 0;
}

/* Create mdev @uuid on vDPA device @name (if missing). */
static inline int vv_mdev_create(const char *name, const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	if (vu_exists(path))
		return 0;
	snprintf(path, sizeof(path),
		 "/sys/bus/vdpa/devices/%s/mdev_supported_types/vhost_vfio-%s/create",
		 name, VHOST_VFIO_MDEV_TYPE);
	return vu_write_file(path, uuid);
}

static inline int vv_mdev_attr(const char *uuid, const char *attr, char *buf,
			       size_t len, const char *set)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vhost_vfio/%s",
		 uuid, attr);
	return set ? vu_write_file(path, set) : vv_read_file(path, buf, len);
}

/* ---- VFIO ------------------------------------------------------------- */

static inline int vv_vfio_open(const char *uuid, struct vu_vfio *v)
{
	int ret = vu_open_group(uuid, v);

	return ret ? ret : vu_open_dev(uuid, v, VFIO_TYPE1v2_IOMMU);
}

/*
 * The iommufd path of newer VMMs: the device's cdev /dev/vfio/devices/vfioN
 * (N from /sys/bus/mdev/devices/<uuid>/vfio-dev/), bound to /dev/iommu and
 * attached to a fresh IOAS.  The bridge's mappings are made with IOTLB
 * messages on the device fd, as on the container path: the IOAS stays
 * empty.  The iommufd fd is kept in v->container (closed the same way).
 * -ENODEV when the kernel has no cdev or no iommufd.
 */
static inline int vv_vfio_open_cdev(const char *uuid, struct vu_vfio *v)
{
#ifdef VFIO_DEVICE_BIND_IOMMUFD
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[512], name[256] = "";
	struct dirent *d;
	DIR *dir;

	v->container = -1;
	v->group = -1;
	v->dev = -1;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	dir = opendir(path);
	if (!dir)
		return -ENODEV;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%.200s", d->d_name);
	closedir(dir);
	if (!name[0])
		return -ENODEV;
	v->container = open("/dev/iommu", O_RDWR);
	if (v->container < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	v->dev = open(path, O_RDWR);
	if (v->dev < 0)
		return -errno;
	bind.iommufd = v->container;
	if (ioctl(v->dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	if (ioctl(v->container, IOMMU_IOAS_ALLOC, &ioas))
		return -errno;
	at.pt_id = ioas.out_ioas_id;
	if (ioctl(v->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		return -errno;
	return 0;
#else
	v->container = -1;
	v->group = -1;
	v->dev = -1;
	return -ENODEV;
#endif
}

/* Find a region by its capability subtype; returns 0 and fills @info. */
static inline int vv_find_region(int dev, uint32_t subtype,
				 struct vfio_region_info *out)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	uint32_t i;

	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &di))
		return -errno;
	for (i = 0; i < di.num_regions; i++) {
		char buf[512];
		struct vfio_region_info *ri = (void *)buf;
		struct vfio_info_cap_header *h;
		uint32_t off;

		memset(buf, 0, sizeof(buf));
		ri->argsz = sizeof(buf);
		ri->index = i;
		if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, ri))
			return -errno;
		if (!(ri->flags & VFIO_REGION_INFO_FLAG_CAPS))
			continue;
		for (off = ri->cap_offset; off; off = h->next) {
			struct vfio_region_info_cap_type *t;

			if (off + sizeof(*t) > sizeof(buf))
				break;
			h = (void *)(buf + off);
			if (h->id != VFIO_REGION_INFO_CAP_TYPE)
				continue;
			t = (void *)h;
			if (t->type == VHOST_VFIO_REGION_TYPE &&
			    t->subtype == subtype) {
				*out = *ri;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* ---- a backend: vhost_vfio device fd or /dev/vhost-vdpa-N -------------- */

struct vv_be {
	int fd;
	bool vfio;
	off_t iotlb_off;	/* vfio: the IOTLB region */
	off_t db_off;		/* vfio: the doorbell region */
	struct vu_vfio v;
};

static inline int vv_be_open_vfio_how(struct vv_be *be, const char *uuid,
				      bool cdev)
{
	struct vfio_region_info ri = {};
	int ret;

	memset(be, 0, sizeof(*be));
	be->vfio = true;
	ret = cdev ? vv_vfio_open_cdev(uuid, &be->v) : vv_vfio_open(uuid, &be->v);
	if (ret) {
		vu_close(&be->v);
		return ret;
	}
	be->fd = be->v.dev;
	ret = vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_IOTLB, &ri);
	if (ret)
		return ret;
	be->iotlb_off = ri.offset;
	ret = vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &ri);
	if (ret)
		return ret;
	be->db_off = ri.offset;
	return 0;
}

/* The container/group path. */
static inline int vv_be_open_vfio(struct vv_be *be, const char *uuid)
{
	return vv_be_open_vfio_how(be, uuid, false);
}

/* The vhost-vdpa char device of vDPA device @name. */
static inline int vv_be_open_vdpa(struct vv_be *be, const char *name)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	memset(be, 0, sizeof(*be));
	be->fd = -1;
	be->v.container = -1;
	be->v.group = -1;
	be->v.dev = -1;
	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s", name);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vhost-vdpa-", 11))
			break;
	if (d)
		snprintf(path, sizeof(path), "/dev/%s", d->d_name);
	closedir(dir);
	if (!d)
		return -ENOENT;
	be->fd = open(path, O_RDWR);
	return be->fd < 0 ? -errno : 0;
}

static inline void vv_be_close(struct vv_be *be)
{
	if (be->vfio)
		vu_close(&be->v);
	else if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
}

static inline int vv_iotlb(struct vv_be *be, uint32_t asid, uint8_t type,
			   uint64_t iova, uint64_t size, uint64_t uaddr,
			   uint8_t perm)
{
	struct vhost_msg_v2 m;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.type = VHOST_IOTLB_MSG_V2;
	m.asid = asid;
	m.iotlb.type = type;
	m.iotlb.iova = iova;
	m.iotlb.size = size;
	m.iotlb.uaddr = uaddr;
	m.iotlb.perm = perm;
	if (be->vfio)
		n = pwrite(be->fd, &m, sizeof(m), be->iotlb_off);
	else
		n = write(be->fd, &m, sizeof(m));
	if (n < 0)
		return -errno;
	return n == sizeof(m) ? 0 : -EIO;
}

static inline int vv_map(struct vv_be *be, uint64_t iova, void *p, size_t len,
			 uint8_t perm)
{
	return vv_iotlb(be, 0, VHOST_IOTLB_UPDATE, iova, len,
			(uintptr_t)p, perm);
}

static inline int vv_unmap(struct vv_be *be, uint64_t iova, size_t len)
{
	return vv_iotlb(be, 0, VHOST_IOTLB_INVALIDATE, iova, len, 0, 0);
}

/* ---- a split virtqueue in our memory ------------------------------------ */

struct vv_vq {
	uint16_t idx, num, avail_idx, last_used;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_iova, avail_iova, used_iova;
	int kick, call;
};

/*
 * Memory of a device: [rings | buffers], one anonymous mapping, IOVA =
 * VV_IOVA_BASE + offset.  Rings are mapped RW, RX buffers WO... the caller
 * decides the permissions of the buffer part.
 */
struct vv_mem {
	uint8_t *base;
	size_t len;
	size_t ring_len;	/* rings part at the start */
};

#define VV_RING_BYTES	(4 * VV_PAGE)	/* desc 4K + avail + used, one queue */

static inline int vv_mem_alloc(struct vv_mem *m, unsigned int nq,
			       size_t buf_len)
{
	int fd;

	m->ring_len = nq * VV_RING_BYTES;
	m->len = m->ring_len + buf_len;
	/*
	 * Shared file-backed memory, as a VMM's guest RAM: vhost-vdpa maps
	 * only such memory for devices that take virtual addresses.
	 */
	fd = memfd_create("vv_mem", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, m->len)) {
		close(fd);
		return -errno;
	}
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->base == MAP_FAILED)
		return -errno;
	memset(m->base, 0, m->len);
	return 0;
}

static inline uint64_t vv_iova(struct vv_mem *m, void *p)
{
	return VV_IOVA_BASE + ((uint8_t *)p - m->base);
}

static inline uint8_t *vv_buf(struct vv_mem *m, size_t off)
{
	return m->base + m->ring_len + off;
}

static inline void vv_vq_layout(struct vv_mem *m, struct vv_vq *q,
				unsigned int slot, uint16_t idx, uint16_t num)
{
	uint8_t *r = m->base + slot * VV_RING_BYTES;

	memset(q, 0, sizeof(*q));
	q->idx = idx;
	q->num = num;
	q->desc = (void *)r;
	q->avail = (void *)(r + 16 * num);
	q->used = (void *)(r + 2 * VV_PAGE);
	q->desc_iova = vv_iova(m, q->desc);
	q->avail_iova = vv_iova(m, q->avail);
	q->used_iova = vv_iova(m, q->used);
	q->kick = -1;
	q->call = -1;
}

static inline int vv_ioctl(struct vv_be *be, unsigned long cmd, void *arg)
{
	return ioctl(be->fd, cmd, arg) ? -errno : 0;
}

/* VFIO_DEVICE_SET_IRQS: eventfd @fd is ring @idx's interrupt. */
static inline int vv_set_vring_irq(struct vv_be *be, uint32_t idx, int32_t fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;

	is->argsz = sizeof(buf);
	is->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = VHOST_VFIO_VRING_IRQ_INDEX;
	is->start = idx;
	is->count = 1;
	memcpy(is->data, &fd, sizeof(int32_t));
	return vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is);
}

static inline int vv_add_status(struct vv_be *be, uint8_t bits)
{
	uint8_t s;
	int ret = vv_ioctl(be, VHOST_VDPA_GET_STATUS, &s);

	if (ret)
		return ret;
	s |= bits;
	return vv_ioctl(be, VHOST_VDPA_SET_STATUS, &s);
}

/* Owner, backend features, status ACK|DRIVER, features, FEATURES_OK. */
static inline int vv_negotiate(struct vv_be *be, uint64_t want)
{
	uint64_t f, bf;
	uint8_t s = 0;
	int ret;

	ret = vv_ioctl(be, VHOST_SET_OWNER, NULL);
	if (ret)
		return ret;
	ret = vv_ioctl(be, VHOST_GET_BACKEND_FEATURES, &bf);
	if (ret)
		return ret;
	bf &= (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
	      (1ULL << VHOST_BACKEND_F_IOTLB_BATCH) |
	      (1ULL << VHOST_BACKEND_F_IOTLB_ASID) |
	      (1ULL << VHOST_BACKEND_F_SUSPEND) |
	      (1ULL << VHOST_BACKEND_F_RESUME);
	ret = vv_ioctl(be, VHOST_SET_BACKEND_FEATURES, &bf);
	if (ret)
		return ret;
	ret = vv_ioctl(be, VHOST_VDPA_SET_STATUS, &s);
	if (ret)
		return ret;
	ret = vv_add_status(be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			    VIRTIO_CONFIG_S_DRIVER);
	if (ret)
		return ret;
	ret = vv_ioctl(be, VHOST_GET_FEATURES, &f);
	if (ret)
		return ret;
	f &= want;
	ret = vv_ioctl(be, VHOST_SET_FEATURES, &f);
	if (ret)
		return ret;
	ret = vv_add_status(be, VIRTIO_CONFIG_S_FEATURES_OK);
	if (ret)
		return ret;
	ret = vv_ioctl(be, VHOST_VDPA_GET_STATUS, &s);
	if (ret)
		return ret;
	return (s & VIRTIO_CONFIG_S_FEATURES_OK) ? 0 : -EPROTO;
}

/* Program queue @q into the device; call through SET_IRQS if @irqs. */
static inline int vv_vq_start(struct vv_be *be, struct vv_vq *q, bool irqs,
			      uint16_t base)
{
	struct vhost_vring_state s = { .index = q->idx, .num = q->num };
	struct vhost_vring_addr a = {
		.index = q->idx,
		.desc_user_addr = q->desc_iova,
		.avail_user_addr = q->avail_iova,
		.used_user_addr = q->used_iova,
	};
	struct vhost_vring_file f = { .index = q->idx };
	int ret;

	ret = vv_ioctl(be, VHOST_SET_VRING_NUM, &s);
	if (ret)
		return ret;
	ret = vv_ioctl(be, VHOST_SET_VRING_ADDR, &a);
	if (ret)
		return ret;
	s.num = base;
	ret = vv_ioctl(be, VHOST_SET_VRING_BASE, &s);
	if (ret)
		return ret;
	q->avail_idx = base;
	q->last_used = base;
	if (q->kick < 0)
		q->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->call < 0)
		q->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick < 0 || q->call < 0)
		return -errno;
	f.fd = q->kick;
	ret = vv_ioctl(be, VHOST_SET_VRING_KICK, &f);
	if (ret)
		return ret;
	if (irqs && be->vfio) {
		ret = vv_set_vring_irq(be, q->idx, q->call);
	} else {
		f.fd = q->call;
		ret = vv_ioctl(be, VHOST_SET_VRING_CALL, &f);
	}
	if (ret)
		return ret;
	s.num = 1;
	return vv_ioctl(be, VHOST_VDPA_SET_VRING_ENABLE, &s);
}

static inline void vv_vq_close(struct vv_vq *q)
{
	if (q->kick >= 0)
		close(q->kick);
	if (q->call >= 0)
		close(q->call);
	q->kick = -1;
	q->call = -1;
}

/* Put a one-descriptor buffer on the ring (not yet published). */
static inline void vv_vq_add(struct vv_vq *q, uint64_t iova, uint32_t len,
			     bool device_writes)
{
	uint16_t slot = q->avail_idx % q->num;

	q->desc[slot].addr = iova;
	q->desc[slot].len = len;
	q->desc[slot].flags = device_writes ? VRING_DESC_F_WRITE : 0;
	q->desc[slot].next = 0;
	q->avail->ring[slot] = slot;
	q->avail_idx++;
}

/*
 * A chain of @n descriptors in the (avail_idx % (num / n))-th group of @n
 * slots: a chain never runs past the end of the table.
 */
static inline void vv_vq_add_chain(struct vv_vq *q, const uint64_t *iova,
				   const uint32_t *len, const bool *wr,
				   unsigned int n)
{
	uint16_t head = (q->avail_idx % (q->num / n)) * n;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vring_desc *d = &q->desc[head + i];

		d->addr = iova[i];
		d->len = len[i];
		d->flags = (wr[i] ? VRING_DESC_F_WRITE : 0) |
			   (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d->next = head + i + 1;
	}
	q->avail->ring[q->avail_idx % q->num] = head;
	q->avail_idx++;
}

static inline void vv_vq_publish(struct vv_vq *q)
{
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

static inline int vv_kick(struct vv_be *be, struct vv_vq *q, bool doorbell)
{
	uint64_t one = 1;
	uint32_t v = q->idx;

	if (doorbell && be->vfio)
		return pwrite(be->fd, &v, sizeof(v),
			      be->db_off + (off_t)q->idx * VV_PAGE) ==
			sizeof(v) ? 0 : -errno;
	return write(q->kick, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static inline uint16_t vv_used_idx(struct vv_vq *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

/* Wait until the used index reaches @target (via the call eventfd). */
static inline int vv_wait_used(struct vv_vq *q, uint16_t target, int ms)
{
	struct pollfd p = { .fd = q->call, .events = POLLIN };
	uint64_t cnt;

	while ((uint16_t)(vv_used_idx(q) - target) > 0x8000) {
		int r = poll(&p, 1, ms);

		if (r <= 0)
			return r ? -errno : -ETIMEDOUT;
		if (read(q->call, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

static inline double vv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a virtio-net driver on vdpa_sim_net (RX 0, TX 1, loopback) -------- */

#define VV_NET_FEATURES	((1ULL << VIRTIO_F_VERSION_1) | \
			 (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
			 (1ULL << VIRTIO_NET_F_MAC))
#define VV_NET_HDR	sizeof(struct virtio_net_hdr_v1)

struct vv_net {
	struct vv_be *be;
	struct vv_mem mem;
	struct vv_vq rx, tx;
	uint8_t mac[6];
	bool doorbell, irqs;
};

/* Buffers: RX slots [0, QSZ), TX slots [QSZ, 2 QSZ), VV_BUFSZ each. */
static inline uint8_t *vv_net_rxbuf(struct vv_net *n, unsigned int i)
{
	return vv_buf(&n->mem, (size_t)(i % VV_QSZ) * VV_BUFSZ);
}

static inline uint8_t *vv_net_txbuf(struct vv_net *n, unsigned int i)
{
	return vv_buf(&n->mem, (size_t)(VV_QSZ + i % VV_QSZ) * VV_BUFSZ);
}

/* Map memory: rings RW, RX buffers WO, TX buffers RO. */
static inline int vv_net_map(struct vv_net *n)
{
	size_t half = (size_t)VV_QSZ * VV_BUFSZ;
	int ret;

	ret = vv_map(n->be, VV_IOVA_BASE, n->mem.base, n->mem.ring_len,
		     VHOST_ACCESS_RW);
	if (ret)
		return ret;
	ret = vv_map(n->be, vv_iova(&n->mem, vv_net_rxbuf(n, 0)),
		     vv_net_rxbuf(n, 0), half, VHOST_ACCESS_WO);
	if (ret)
		return ret;
	return vv_map(n->be, vv_iova(&n->mem, vv_net_txbuf(n, 0)),
		      vv_net_txbuf(n, 0), half, VHOST_ACCESS_RO);
}

/* Everything up to DRIVER_OK with @base as both rings' base index. */
static inline int vv_net_setup(struct vv_net *n, struct vv_be *be,
			       uint16_t base, bool negotiate)
{
	struct vhost_vdpa_config *c;
	char buf[sizeof(*c) + 6];
	int ret;

	n->be = be;
	if (!n->mem.base) {
		ret = vv_mem_alloc(&n->mem, 2, 2 * VV_QSZ * VV_BUFSZ);
		if (ret)
			return ret;
	}
	if (negotiate) {
		ret = vv_negotiate(be, VV_NET_FEATURES);
		if (ret)
			return ret;
	}
	c = (void *)buf;
	c->off = 0;
	c->len = 6;
	ret = vv_ioctl(be, VHOST_VDPA_GET_CONFIG, c);
	if (ret)
		return ret;
	memcpy(n->mac, c->buf, 6);
	ret = vv_net_map(n);
	if (ret)
		return ret;
	vv_vq_layout(&n->mem, &n->rx, 0, 0, VV_QSZ);
	vv_vq_layout(&n->mem, &n->tx, 1, 1, VV_QSZ);
	ret = vv_vq_start(be, &n->rx, n->irqs, base);
	if (ret)
		return ret;
	ret = vv_vq_start(be, &n->tx, n->irqs, base);
	if (ret)
		return ret;
	return vv_add_status(be, VIRTIO_CONFIG_S_DRIVER_OK);
}

static inline void vv_net_close(struct vv_net *n)
{
	vv_vq_close(&n->rx);
	vv_vq_close(&n->tx);
	if (n->mem.base)
		munmap(n->mem.base, n->mem.len);
	n->mem.base = NULL;
}

/* Frame @seq: hdr, dst = device MAC, src, ethertype 0x88b5, pattern. */
static inline size_t vv_net_frame(struct vv_net *n, uint8_t *p, uint32_t seq,
				  size_t len)
{
	size_t i;

	memset(p, 0, VV_NET_HDR);
	memcpy(p + VV_NET_HDR, n->mac, 6);
	memcpy(p + VV_NET_HDR + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[VV_NET_HDR + 12] = 0x88;
	p[VV_NET_HDR + 13] = 0xb5;
	memcpy(p + VV_NET_HDR + 14, &seq, 4);
	for (i = VV_NET_HDR + 18; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	return len;
}

static inline void vv_net_post_rx(struct vv_net *n, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint8_t *b = vv_net_rxbuf(n, n->rx.avail_idx);

		vv_vq_add(&n->rx, vv_iova(&n->mem, b), VV_BUFSZ, true);
	}
	vv_vq_publish(&n->rx);
}

/* Queue @count frames of @len bytes starting at sequence @seq and kick. */
/* Queue and publish @count TX frames seq, seq+1...; the caller kicks. */
static inline void vv_net_queue_tx(struct vv_net *n, uint32_t seq,
				   unsigned int count, size_t len)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint8_t *b = vv_net_txbuf(n, n->tx.avail_idx);

		vv_net_frame(n, b, seq + i, len);
		vv_vq_add(&n->tx, vv_iova(&n->mem, b), len, false);
	}
	vv_vq_publish(&n->tx);
}

static inline int vv_net_send(struct vv_net *n, uint32_t seq,
			      unsigned int count, size_t len)
{
	vv_net_queue_tx(n, seq, count, len);
	return vv_kick(n->be, &n->tx, n->doorbell);
}

/* Check received frame number @k (used ring order) is @seq of @len. */
static inline int vv_net_check_rx(struct vv_net *n, uint16_t used_pos,
				  uint32_t seq, size_t len)
{
	struct vring_used_elem *e = &n->rx.used->ring[used_pos % n->rx.num];
	uint8_t want[VV_BUFSZ];
	uint8_t *b;

	if (e->len != len)
		return -EMSGSIZE;
	b = vv_net_rxbuf(n, e->id);
	vv_net_frame(n, want, seq, len);
	return memcmp(b, want, len) ? -EBADMSG : 0;
}

#endif /* VHOST_VFIO_UTILS_H */
