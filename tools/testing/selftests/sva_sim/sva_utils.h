/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the sva_sim selftests, its benchmark and nothing else:
 * the VMM's side of a simulated SVA accelerator. An sva_sim mdev (created
 * and configured through sysfs) in a VFIO_NESTED_IOMMU container tied to a
 * /dev/ioasid file, guest RAM mapped in stage 2 and a guest stage-1 table
 * built in it (the nested selftests' helpers, included), the portal found
 * by its region capability, submissions by pwrite(2) and by the mapped
 * page, completion records polled in guest RAM, eventfd interrupts, and
 * the device's own ioctls. Every helper returns 0 (or a count) or -errno.
 */
#ifndef __SVA_UTILS_H
#define __SVA_UTILS_H

#include <poll.h>
#include <time.h>
#include <sys/eventfd.h>
#include <linux/kvm.h>
#include <linux/sva_sim.h>

#include "../vfio_iommu_nested/nested_pasid_utils.h"

/*
 * Test mdev UUIDs: SVA_UUID(n); each program has its own range
 * (sva_sim_test 0x00-0x3f, sva_sim_kvm_test 0x40-0x5f,
 * sva_sim_fail_nth_test 0x60-0x6f, sva_sim_bench 0x70-0x7f).
 */
#define SVA_UUID_FMT	"73766173-696d-4000-8000-0000000000%02x"
#define SVA_PARENT_DIR	"/sys/class/mdev_bus/" SVA_SIM_PARENT
#define SVA_TYPE_DIR	SVA_PARENT_DIR "/mdev_supported_types/" \
			SVA_SIM_PARENT "-" SVA_SIM_MDEV_TYPE
#define SVA_WAIT_MS	5000

static inline struct vn_uuid sva_uuid(unsigned int n)
{
	struct vn_uuid u;

	snprintf(u.s, sizeof(u.s), SVA_UUID_FMT, n & 0xff);
	return u;
}

/* The module, the nested backend, VFIO and /dev/ioasid are all there. */
static inline bool sva_present(void)
{
	return vu_exists(SVA_PARENT_DIR) && vn_backend_present() &&
	       !access("/dev/vfio/vfio", R_OK | W_OK) &&
	       !access(IOASID_DEV, R_OK | W_OK);
}

static inline double sva_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the mdev and its sysfs configuration -------------------------------- */

static inline int sva_mdev_create(const char *uuid)
{
	return vu_write_file(SVA_TYPE_DIR "/create", uuid);
}

static inline int sva_mdev_remove(const char *uuid)
{
	return vu_mdev_remove(uuid);
}

/* Write attribute @name of the instance. */
static inline int sva_attr_set(const char *uuid, const char *name,
			       const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s", uuid, name);
	return vu_write_file(path, val);
}

/* Read it into @buf of @len bytes, without the newline. */
static inline int sva_attr_get(const char *uuid, const char *name, char *buf,
			       size_t len)
{
	char path[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s", uuid, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/**
 * struct sva_cfg - an instance's sysfs configuration (NULL: the default)
 * @nr_queues: "nr_queues"
 * @sizes: "queue_sizes"
 * @modes: "queue_modes"
 */
struct sva_cfg {
	const char *nr_queues, *sizes, *modes;
};

/**
 * struct sva_dev - one sva_sim instance, the VMM's fds for it
 * @uuid: the mdev (empty: none created)
 * @group_id: its IOMMU group number, the nested backend's dev_id
 * @container: container fd (VFIO_NESTED_IOMMU)
 * @group: group fd
 * @dev: device fd
 * @portal_off: the portal region's offset in the device fd
 * @portal_size: its size (SVA_SIM_PORTAL_SIZE per queue)
 * @portal_flags: its VFIO_REGION_INFO_FLAG_*
 * @map: the mapped portal, NULL until sva_portal_map()
 * @nr_queues: from SVA_SIM_GET_INFO
 */
struct sva_dev {
	struct vn_uuid uuid;
	int group_id;
	int container, group, dev;
	__u64 portal_off, portal_size;
	__u32 portal_flags;
	struct sva_sim_portal *map;
	__u32 nr_queues;
};

static inline void sva_dev_init(struct sva_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->dev = -1;
}

/* An instance that exists (@uuid): its IOMMU group. */
static inline int sva_dev_attach(struct sva_dev *d, const char *uuid)
{
	char path[128], *group;

	sva_dev_init(d);
	snprintf(d->uuid.s, sizeof(d->uuid.s), "%s", uuid);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 d->uuid.s);
	group = realpath(path, NULL);	/* .../kernel/iommu_groups/<N> */
	if (!group)
		return -errno;
	d->group_id = atoi(strrchr(group, '/') + 1);
	free(group);
	return 0;
}

/* Create instance SVA_UUID(@n) configured as @cfg (may be NULL). */
static inline int sva_dev_create(struct sva_dev *d, unsigned int n,
				 const struct sva_cfg *cfg)
{
	struct vn_uuid u = sva_uuid(n);
	char path[128];
	int ret;

	sva_dev_init(d);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", u.s);
	if (vu_exists(path))	/* a crashed earlier run's */
		sva_mdev_remove(u.s);
	ret = sva_mdev_create(u.s);
	if (ret)
		return ret;
	d->uuid = u;
	if (cfg && cfg->nr_queues)
		ret = sva_attr_set(u.s, "nr_queues", cfg->nr_queues);
	if (!ret && cfg && cfg->sizes)
		ret = sva_attr_set(u.s, "queue_sizes", cfg->sizes);
	if (!ret && cfg && cfg->modes)
		ret = sva_attr_set(u.s, "queue_modes", cfg->modes);
	if (ret)
		return ret;
	return sva_dev_attach(d, u.s);
}

/* A new container with the nested backend, the group in it. */
static inline int sva_dev_open_group(struct sva_dev *d)
{
	struct vu_vfio v;
	int ret = vu_open_group(d->uuid.s, &v);

	d->container = v.container;
	d->group = v.group;
	return ret ? ret : vn_set_iommu(&v);
}

/* The portal region, found by its capability, never by index. */
static inline int sva_find_portal(struct sva_dev *d)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	__u32 i;

	if (ioctl(d->dev, VFIO_DEVICE_GET_INFO, &di))
		return -errno;
	for (i = 0; i < di.num_regions; i++) {
		union {
			struct vfio_region_info ri;
			char buf[512];
		} u = { .ri = { .argsz = sizeof(u), .index = i } };
		__u32 off;

		if (ioctl(d->dev, VFIO_DEVICE_GET_REGION_INFO, &u.ri))
			continue;
		if (!(u.ri.flags & VFIO_REGION_INFO_FLAG_CAPS) ||
		    u.ri.argsz > sizeof(u))
			continue;
		for (off = u.ri.cap_offset; off && off + 16 <= sizeof(u);) {
			struct vfio_region_info_cap_type *t =
				(void *)(u.buf + off);

			if (t->header.id == VFIO_REGION_INFO_CAP_TYPE &&
			    t->type == SVA_SIM_REGION_TYPE &&
			    t->subtype == SVA_SIM_REGION_SUBTYPE_PORTAL) {
				d->portal_off = u.ri.offset;
				d->portal_size = u.ri.size;
				d->portal_flags = u.ri.flags;
				return 0;
			}
			off = t->header.next;
		}
	}
	return -ENOENT;
}

static inline int sva_get_info(int dev, struct sva_sim_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return np_ioctl(dev, SVA_SIM_GET_INFO, info);
}

/* The device fd (the group already in its container), and its portal. */
static inline int sva_dev_open_fd(struct sva_dev *d)
{
	struct sva_sim_info info;
	int ret;

	d->dev = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid.s);
	if (d->dev < 0)
		return -errno;
	ret = sva_find_portal(d);
	if (ret)
		return ret;
	ret = sva_get_info(d->dev, &info);
	d->nr_queues = info.nr_queues;
	return ret;
}

static inline int sva_dev_open(struct sva_dev *d, unsigned int n,
			       const struct sva_cfg *cfg)
{
	int ret = sva_dev_create(d, n, cfg);

	if (!ret)
		ret = sva_dev_open_group(d);
	if (!ret)
		ret = sva_dev_open_fd(d);
	return ret;
}

static inline void sva_dev_close_fds(struct sva_dev *d)
{
	struct vu_vfio v = {
		.container = d->container, .group = d->group, .dev = d->dev,
	};

	if (d->map)
		munmap(d->map, d->portal_size);
	d->map = NULL;
	vu_close(&v);
	d->dev = -1;
	d->group = -1;
	d->container = -1;
}

static inline void sva_dev_close(struct sva_dev *d)
{
	sva_dev_close_fds(d);
	if (d->uuid.s[0])
		sva_mdev_remove(d->uuid.s);
	d->uuid.s[0] = 0;
}

/* ---- the device's ioctls ------------------------------------------------- */

/* An ioctl whose argument is argsz, flags, queue, then outputs. */
static inline int sva_query(int dev, unsigned long cmd, __u32 q, void *arg,
			    __u32 size)
{
	__u32 *w = arg;

	memset(arg, 0, size);
	w[0] = size;
	w[2] = q;
	return np_ioctl(dev, cmd, arg);
}

static inline int sva_queue_info(int dev, __u32 q, struct sva_sim_queue_info *qi)
{
	return sva_query(dev, SVA_SIM_QUEUE_INFO, q, qi, sizeof(*qi));
}

static inline int sva_set_pasid(int dev, __u32 q, __u32 flags, __u32 pasid)
{
	struct sva_sim_queue_pasid c = {
		.argsz = sizeof(c), .flags = flags, .queue = q, .pasid = pasid,
	};

	return np_ioctl(dev, SVA_SIM_QUEUE_SET_PASID, &c);
}

static inline int sva_enable(int dev, __u32 q, __u32 flags)
{
	struct sva_sim_queue_enable c = {
		.argsz = sizeof(c), .flags = flags, .queue = q,
	};

	return np_ioctl(dev, SVA_SIM_QUEUE_ENABLE, &c);
}

/* SVA_SIM_QUEUE_DRAIN or SVA_SIM_QUEUE_DISABLE (@cmd). */
static inline int sva_drain_cmd(int dev, unsigned long cmd, __u32 q,
				__u32 flags)
{
	struct sva_sim_queue_drain c = {
		.argsz = sizeof(c), .flags = flags, .queue = q,
	};

	return np_ioctl(dev, cmd, &c);
}

static inline int sva_drain(int dev, __u32 q, __u32 flags)
{
	return sva_drain_cmd(dev, SVA_SIM_QUEUE_DRAIN, q, flags);
}

static inline int sva_disable(int dev, __u32 q, __u32 flags)
{
	return sva_drain_cmd(dev, SVA_SIM_QUEUE_DISABLE, q, flags);
}

static inline int sva_set_kick(int dev, __u32 q, int fd)
{
	struct sva_sim_queue_kick c = {
		.argsz = sizeof(c), .queue = q, .fd = fd,
	};

	return np_ioctl(dev, SVA_SIM_QUEUE_SET_KICK, &c);
}

static inline int sva_stats(int dev, __u32 q, struct sva_sim_stats *st)
{
	return sva_query(dev, SVA_SIM_GET_STATS, q, st, sizeof(*st));
}

/* Queue @q's vector of IRQ index @index to eventfd @fd (-1: none). */
static inline int sva_set_irq(int dev, __u32 index, __u32 q, int fd)
{
	struct {
		struct vfio_irq_set s;
		__s32 fd;
	} a = {
		.s = {
			.argsz = sizeof(a),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = index, .start = q, .count = 1,
		},
		.fd = fd,
	};

	return np_ioctl(dev, VFIO_DEVICE_SET_IRQS, &a.s);
}

/* Wait up to @ms for eventfd @fd; its count, 0 on timeout, or -errno. */
static inline long sva_eventfd_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	__u64 v;
	int ret = poll(&p, 1, ms);

	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -errno;
	return (long)v;
}

/* ---- descriptors and submission ------------------------------------------ */

static inline struct sva_sim_desc sva_desc(__u32 op, __u32 pasid, __u32 size,
					   __u64 src, __u64 dst, __u64 comp)
{
	struct sva_sim_desc d = {
		.pasid = pasid, .opcode = op, .size = size,
		.src = src, .dst = dst, .completion = comp,
		.flags = comp ? SVA_SIM_F_RCR : 0,
	};

	return d;
}

/* The portal offset of queue @q's slot @slot in the device fd. */
static inline __u64 sva_slot_off(const struct sva_dev *d, __u32 q, __u32 slot)
{
	return d->portal_off + (__u64)q * SVA_SIM_PORTAL_SIZE +
	       slot * sizeof(struct sva_sim_desc);
}

/* ENQCMD by pwrite(2): 0 accepted, or the errno of the refusal. */
static inline int sva_submit(const struct sva_dev *d, __u32 q,
			     const struct sva_sim_desc *desc)
{
	ssize_t n = pwrite(d->dev, desc, sizeof(*desc), sva_slot_off(d, q, 0));

	if (n < 0)
		return -errno;
	return n == sizeof(*desc) ? 0 : -EIO;
}

static inline int sva_portal_map(struct sva_dev *d)
{
	void *p = mmap(NULL, d->portal_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, d->dev, d->portal_off);

	if (p == MAP_FAILED)
		return -errno;
	d->map = p;
	return 0;
}

/* A mapped slot's answer as the errno pwrite(2) gives for it. */
static inline int sva_slot_errno(__u32 status)
{
	switch (status) {
	case SVA_SIM_SLOT_ACCEPTED:
		return 0;
	case SVA_SIM_SLOT_RETRY:
		return -EAGAIN;
	case SVA_SIM_SLOT_REFUSED:
		return -EACCES;
	case SVA_SIM_SLOT_INVALID:
		return -EINVAL;
	case SVA_SIM_SLOT_CLOSED:
		return -ENXIO;
	}
	return -EPROTO;		/* the device left it as it was */
}

/*
 * ENQCMD through the mapped page: take a free slot of queue @q, write the
 * descriptor, mark it submitted, kick eventfd @kick, read the answer and
 * free the slot. 0 accepted, or the errno pwrite(2) would give; -EBUSY
 * when no slot is free.
 */
static inline int sva_submit_mapped(struct sva_dev *d, __u32 q, int kick,
				    const struct sva_sim_desc *desc)
{
	struct sva_sim_portal *p = (void *)((char *)d->map +
					    q * SVA_SIM_PORTAL_SIZE);
	__u64 one = 1;
	__u32 s, st;

	for (s = 0; s < SVA_SIM_PORTAL_SLOTS; s++) {
		__u32 free = SVA_SIM_SLOT_FREE;

		if (__atomic_compare_exchange_n(&p->status[s], &free,
						SVA_SIM_SLOT_BUSY, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
	}
	if (s == SVA_SIM_PORTAL_SLOTS)
		return -EBUSY;
	memcpy(&p->slot[s], desc, sizeof(*desc));
	__atomic_store_n(&p->status[s], SVA_SIM_SLOT_SUBMIT, __ATOMIC_RELEASE);
	if (write(kick, &one, sizeof(one)) != sizeof(one)) {
		__atomic_store_n(&p->status[s], SVA_SIM_SLOT_FREE,
				 __ATOMIC_RELEASE);
		return -errno;
	}
	st = __atomic_load_n(&p->status[s], __ATOMIC_ACQUIRE);
	__atomic_store_n(&p->status[s], SVA_SIM_SLOT_FREE, __ATOMIC_RELEASE);
	return sva_slot_errno(st);
}

/* Wait up to @ms for a completion record; its status (0: none yet). */
static inline int sva_wait_cr(const struct sva_sim_completion *cr, int ms)
{
	double end = sva_now() + ms / 1000.0;
	__u8 st;

	do {
		st = __atomic_load_n(&cr->status, __ATOMIC_ACQUIRE);
		if (st)
			return st;
		usleep(200);
	} while (sva_now() < end);
	return __atomic_load_n(&cr->status, __ATOMIC_ACQUIRE);
}

/* CRC32C as the device computes it (reflected, no inversion). */
static inline __u32 sva_crc32c(__u32 crc, const void *buf, size_t len)
{
	const __u8 *p = buf;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return crc;
}

/* ---- a VMM with one instance: container, ioasid, guest RAM, stage 1 ------ */

/**
 * struct sva_env - the usual set-up of a test
 * @d: the instance, open, in its nested container
 * @g: guest RAM in the container's stage 2, with a 4-level stage 1
 * @ioasid: the /dev/ioasid file tied to the container
 * @pasid: a host PASID of that file, bound to @g's table
 * @next_iova: where sva_buf() maps the next buffer
 */
struct sva_env {
	struct sva_dev d;
	struct np_guest g;
	int ioasid;
	__u32 pasid;
	__u64 next_iova;
};

#define SVA_RAM_GPA	(4ULL << 30)
#define SVA_IOVA	0x00007f5500000000ULL

/* A KVM-VFIO device of the VM @vm_fd (what gives the device its VM). */
static inline int sva_kvm_vfio_dev(int vm_fd)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	return ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) ? -errno : (int)cd.fd;
}

static inline int sva_kvm_vfio_add(int kvm_vfio, int group)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE, .attr = KVM_DEV_VFIO_FILE_ADD,
		.addr = (uintptr_t)&group,
	};

	return np_ioctl(kvm_vfio, KVM_SET_DEVICE_ATTR, &a);
}

/*
 * For instance @e->d (created): its group in a new container (and, with
 * @kvm_vfio >= 0, added to that KVM-VFIO device before the device fd is
 * opened), the container tied to a new /dev/ioasid file, @ram bytes of
 * guest RAM, a PASID allocated and bound to an (empty) 4-level table in
 * that RAM.
 */
static inline int sva_env_open(struct sva_env *e, __u64 ram, int kvm_vfio)
{
	int ret;

	e->ioasid = -1;
	e->next_iova = SVA_IOVA;
	ret = sva_dev_open_group(&e->d);
	if (!ret && kvm_vfio >= 0)
		ret = sva_kvm_vfio_add(kvm_vfio, e->d.group);
	if (!ret)
		ret = sva_dev_open_fd(&e->d);
	if (ret)
		return ret;
	ret = np_guest_init(&e->g, e->d.container, SVA_RAM_GPA, ram);
	if (ret)
		return ret;
	e->ioasid = np_ioasid_open_alloc(&e->pasid);
	if (e->ioasid < 0)
		return e->ioasid;
	ret = np_set_ioasid_fd(e->d.container, e->ioasid);
	if (ret)
		return ret;
	np_guest_page(&e->g, NP_PAGE);	/* never a buffer at the RAM's start */
	e->g.root = np_guest_page(&e->g, NP_PAGE);
	return np_bind(e->d.container, 0, e->pasid, e->g.root);
}

/* Instance @n as @cfg says, then sva_env_open(). */
static inline int sva_env_setup_kvm(struct sva_env *e, unsigned int n,
				    const struct sva_cfg *cfg, __u64 ram,
				    int kvm_vfio)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->ioasid = -1;
	ret = sva_dev_create(&e->d, n, cfg);
	return ret ? ret : sva_env_open(e, ram, kvm_vfio);
}

static inline int sva_env_setup(struct sva_env *e, unsigned int n,
				const struct sva_cfg *cfg, __u64 ram)
{
	return sva_env_setup_kvm(e, n, cfg, ram, -1);
}

static inline void sva_env_teardown(struct sva_env *e)
{
	sva_dev_close(&e->d);
	np_guest_fini(&e->g);
	if (e->ioasid >= 0)
		close(e->ioasid);
	e->ioasid = -1;
}

/*
 * A buffer of @len bytes of guest RAM (zeroed), mapped by stage 1 at the
 * next free DMA address (returned, 0 if RAM ran out); *@hva (may be NULL)
 * gets our view of it. The pages are physically contiguous in the guest.
 */
static inline __u64 sva_buf(struct sva_env *e, __u64 len, void **hva)
{
	__u64 pages = (len + NP_PAGE - 1) / NP_PAGE, align = NP_PAGE, i, gpa;
	__u64 iova = e->next_iova;

	if (hva)
		*hva = NULL;
	while (align < pages * NP_PAGE)
		align <<= 1;
	gpa = np_guest_page(&e->g, align);
	if (!gpa)
		return 0;
	memset(np_hva(&e->g, gpa), 0, align);
	for (i = 0; i < pages; i++)
		np_map_4k(&e->g, iova + i * NP_PAGE, gpa + i * NP_PAGE,
			  PTE_USER_RW | PTE_A | PTE_D);
	e->next_iova += (pages + 1) * NP_PAGE;	/* a hole after each */
	if (hva)
		*hva = np_hva(&e->g, gpa);
	return iova;
}

/* Our view of the guest page stage 1 maps at @iova (4 KiB pages). */
static inline void *sva_iova_hva(struct sva_env *e, __u64 iova)
{
	__u64 pte = *np_pte(&e->g, iova, 1);

	return np_hva(&e->g, (pte & PTE_ADDR) + (iova & (NP_PAGE - 1)));
}

/* Dedicated queue @q with the env's PASID, or shared queue @q: enable. */
static inline int sva_env_enable(struct sva_env *e, __u32 q, bool dedicated)
{
	int ret = 0;

	if (dedicated)
		ret = sva_set_pasid(e->d.dev, q, 0, e->pasid);
	return ret ? ret : sva_enable(e->d.dev, q, 0);
}

/* The fault fd: one record (waiting up to @ms), 0 or -errno. */
static inline int sva_fault_read(int ffd, struct vfio_nested_fault *rec, int ms)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN };
	int ret = poll(&p, 1, ms);

	if (ret <= 0)
		return ret ? -errno : -ETIMEDOUT;
	return read(ffd, rec, sizeof(*rec)) == sizeof(*rec) ? 0 : -EIO;
}

static inline int sva_page_response(int ffd, __u32 cookie, __u32 code)
{
	struct vfio_nested_page_response r = {
		.size = sizeof(r), .cookie = cookie, .code = code,
	};

	return write(ffd, &r, sizeof(r)) == sizeof(r) ? 0 : -errno;
}

#endif /* __SVA_UTILS_H */
