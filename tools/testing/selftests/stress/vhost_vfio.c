// SPDX-License-Identifier: GPL-2.0
/*
 * Stress target vhost_vfio: VV_NDEV vdpa_sim_net devices bound to the
 * bridge, one mdev each. A worker process holds at most one of them open
 * (container, group, device fd; the group is exclusive, so processes take
 * turns) and its threads share the device fd: vhost and vhost-vdpa ioctls
 * with good and bad arguments, IOTLB messages written with pwrite() on the
 * IOTLB region (updates of the process' own memory, invalidations, batches,
 * bad ranges, permissions, address spaces and lengths), VFIO ioctls, region
 * reads and writes, doorbell mappings, close and reopen. The main process'
 * chaos thread removes an mdev under its users and creates it again; a user
 * closes when the request eventfd fires or a call fails with ENODEV.
 *
 * Invariant: once the device is closed, the process' pinned pages (VmPin)
 * are back at their baseline.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "stress.h"
#include "vhost_vfio_utils.h"

#define VV_NDEV		2
#define VV_NAME		"vvstress%d"
#define VV_UUID		"8f0b6a52-1f05-4e6a-9a3e-0000000005%02d"
#define VV_MEM_PAGES	256
#define VV_IOVA		0x40000000ULL
#define VV_NQ		3		/* queue indexes drawn: 0..VV_NQ-1 */

#define VV_MODPROBE_ALL	\
	"modprobe -q vfio_iommu_type1; modprobe -q vdpa_sim_net; true"

struct vv_proc {
	pthread_rwlock_t lock;	/* write: open and close */
	int dev;		/* index of the mdev held, -1: none */
	int gone;		/* the device asked to be closed */
	struct vv_be be;
	off_t cfg_off;
	size_t cfg_size, db_size;
	int req;		/* request eventfd (removal) */
	int efd[4];		/* eventfds for kicks and calls */
	uint8_t *mem;		/* memfd-backed, what IOTLB updates map */
	size_t mem_len;
	long vmpin_base;
};

static struct vv_proc vp;	/* one per worker process */

static void vv_names(int i, char *name, size_t nlen, char *uuid, size_t ulen)
{
	snprintf(name, nlen, VV_NAME, i);
	snprintf(uuid, ulen, VV_UUID, i);
}

static int vvs_setup(char *why, size_t len)
{
	char name[32], uuid[64];
	int i, ret;

	if (system(VV_MODPROBE_ALL))
		return -ENODEV;
	if (!vu_exists("/sys/bus/vdpa/drivers/vhost_vfio")) {
		snprintf(why, len, "no vhost_vfio vDPA driver (module not loaded?)");
		return -ENODEV;
	}
	for (i = 0; i < VV_NDEV; i++) {
		vv_names(i, name, sizeof(name), uuid, sizeof(uuid));
		ret = vv_vdpa_add("vdpasim_net", name, "vhost_vfio");
		if (!ret)
			ret = vv_mdev_create(name, uuid);
		if (ret) {
			snprintf(why, len, "creating %s / mdev %s: %s", name, uuid,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void vvs_teardown(void)
{
	char name[32], uuid[64];
	int i;

	for (i = 0; i < VV_NDEV; i++) {
		vv_names(i, name, sizeof(name), uuid, sizeof(uuid));
		vu_mdev_remove(uuid);
		vv_vdpa_del(name);
	}
}

static void vvs_proc_init(struct stress_ctx *ctx)
{
	int i, fd;

	pthread_rwlock_init(&vp.lock, NULL);
	vp.dev = -1;
	vp.req = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	for (i = 0; i < 4; i++)
		vp.efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vp.mem_len = VV_MEM_PAGES * VV_PAGE;
	fd = memfd_create("vvstress", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, vp.mem_len)) {
		stress_fail(ctx, "memfd: %s", strerror(errno));
		return;
	}
	vp.mem = mmap(NULL, vp.mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (vp.mem == MAP_FAILED) {
		vp.mem = NULL;
		stress_fail(ctx, "mmap: %s", strerror(errno));
		return;
	}
	memset(vp.mem, 0, vp.mem_len);
	vp.vmpin_base = stress_vmpin_kb();
}

/* Close the device (write lock held) and check the pinned pages. */
static void vvs_close_locked(struct stress_ctx *ctx)
{
	long pin;

	if (vp.dev < 0)
		return;
	stress_begin(ctx, "close of the vhost_vfio device");
	vv_be_close(&vp.be);
	stress_end(ctx);
	vp.dev = -1;
	vp.gone = 0;
	pin = stress_vmpin_kb();
	if (pin != vp.vmpin_base)
		stress_fail(ctx, "VmPin %ld kB after closing the device, baseline %ld kB",
			    pin, vp.vmpin_base);
}

/* Open a random mdev (write lock held); EBUSY and ENOENT are normal. */
static void vvs_open_locked(struct stress_ctx *ctx)
{
	char name[32], uuid[64];
	struct vfio_region_info ri = {};
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;
	uint64_t cnt;
	int i = rnd_below(&ctx->rng, VV_NDEV), ret;

	vv_names(i, name, sizeof(name), uuid, sizeof(uuid));
	if (read(vp.req, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		stress_fail(ctx, "read of the request eventfd: %s", strerror(errno));
	stress_begin(ctx, "open of the vhost_vfio device");
	ret = vv_be_open_vfio(&vp.be, uuid);
	if (!ret)
		ret = vv_find_region(vp.be.fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG, &ri);
	stress_end(ctx);
	stress_tally(ctx, ret ? "opens refused (busy or removed)" : "opens");
	if (ret) {
		stress_begin(ctx, "close after a failed open");
		vv_be_close(&vp.be);
		stress_end(ctx);
		return;
	}
	vp.cfg_off = ri.offset;
	vp.cfg_size = ri.size;
	vp.db_size = 0;
	if (!vv_find_region(vp.be.fd, VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &ri))
		vp.db_size = ri.size;
	vp.dev = i;
	vp.gone = 0;
	is->argsz = sizeof(buf);
	is->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = VHOST_VFIO_REQ_IRQ_INDEX;
	is->start = 0;
	is->count = 1;
	memcpy(is->data, &vp.req, sizeof(int32_t));
	ret = stress_ioctl(ctx, "VFIO_DEVICE_SET_IRQS (request)", vp.be.fd,
			   VFIO_DEVICE_SET_IRQS, is);
	if (ret == -ENODEV)
		vp.gone = 1;
	else if (ret)
		stress_fail(ctx, "VFIO_DEVICE_SET_IRQS on the request index: %s",
			    strerror(-ret));
}

static bool vvs_req_fired(void)
{
	struct pollfd p = { .fd = vp.req, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* ---- operations on an open device (read lock held) ---------------------- */

static void vvs_note(struct stress_ctx *ctx, int ret)
{
	if (ret == -ENODEV) {
		__atomic_store_n(&vp.gone, 1, __ATOMIC_RELEASE);
		stress_tally(ctx, "ENODEV (device going)");
	} else {
		stress_tally(ctx, ret < 0 ? "calls refused" : "calls accepted");
	}
}

static uint64_t vvs_rnd_u64(struct stress_ctx *ctx)
{
	switch (rnd_below(&ctx->rng, 6)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return rnd_below(&ctx->rng, 0x10000);
	case 3:
		return 1ULL << rnd_below(&ctx->rng, 64);
	default:
		return rnd(&ctx->rng);
	}
}

static void vvs_op_iotlb(struct stress_ctx *ctx, int fd)
{
	struct {
		struct vhost_msg_v2 m;
		uint8_t tail[16];
	} b;
	struct vhost_iotlb_msg *t = &b.m.iotlb;
	unsigned int kind = rnd_below(&ctx->rng, 100);
	size_t len = sizeof(b.m);
	off_t off = vp.be.iotlb_off;
	ssize_t ret;
	uint64_t pg;

	memset(&b, 0, sizeof(b));
	b.m.type = rnd_pct(&ctx->rng, 97) ? VHOST_IOTLB_MSG_V2 :
		   rnd_pct(&ctx->rng, 50) ? VHOST_IOTLB_MSG : rnd_below(&ctx->rng, 256);
	b.m.asid = rnd_pct(&ctx->rng, 90) ? 0 : rnd_pct(&ctx->rng, 70) ?
		   rnd_range(&ctx->rng, 1, 3) : (uint32_t)rnd(&ctx->rng);
	if (kind < 45) {
		t->type = VHOST_IOTLB_UPDATE;
		pg = rnd_below(&ctx->rng, VV_MEM_PAGES);
		t->iova = VV_IOVA + rnd_below(&ctx->rng, VV_MEM_PAGES) * VV_PAGE;
		t->size = rnd_range(&ctx->rng, 1, 16) * VV_PAGE;
		if (pg * VV_PAGE + t->size > vp.mem_len)
			t->size = vp.mem_len - pg * VV_PAGE;
		t->uaddr = (uintptr_t)vp.mem + pg * VV_PAGE;
		t->perm = rnd_range(&ctx->rng, VHOST_ACCESS_RO, VHOST_ACCESS_RW);
		if (rnd_pct(&ctx->rng, 20)) {
			switch (rnd_below(&ctx->rng, 10)) {
			case 0:
				t->iova += rnd_range(&ctx->rng, 1, VV_PAGE - 1);
				break;
			case 1:
				t->size = rnd_pct(&ctx->rng, 50) ? 0 :
					  t->size + rnd_range(&ctx->rng, 1, VV_PAGE - 1);
				break;
			case 2:
				t->uaddr += rnd_range(&ctx->rng, 1, VV_PAGE - 1);
				break;
			case 3:
				t->size = 1ULL << rnd_range(&ctx->rng, 30, 63);
				break;
			case 4:
				t->iova = ~0ULL - rnd_below(&ctx->rng, 4) * VV_PAGE -
					  VV_PAGE + 1;
				break;
			case 5:
				t->uaddr = rnd_pct(&ctx->rng, 50) ? 0 : 0xffff800000000000ULL;
				break;
			case 6:
				t->size = vp.mem_len + VV_PAGE;	/* past our memory */
				t->uaddr = (uintptr_t)vp.mem;
				break;
			case 7:
				t->perm = rnd_pct(&ctx->rng, 50) ? 0 : rnd_range(&ctx->rng, 4, 255);
				break;
			default:
				t->iova = vvs_rnd_u64(ctx);
				t->size = vvs_rnd_u64(ctx);
				break;
			}
		}
	} else if (kind < 75) {
		t->type = VHOST_IOTLB_INVALIDATE;
		if (rnd_pct(&ctx->rng, 85)) {
			t->iova = VV_IOVA + rnd_below(&ctx->rng, VV_MEM_PAGES) * VV_PAGE;
			t->size = rnd_range(&ctx->rng, 1, 64) * VV_PAGE;
		} else if (rnd_pct(&ctx->rng, 50)) {
			t->iova = 0;
			t->size = ~0ULL;
		} else {
			t->iova = vvs_rnd_u64(ctx);
			t->size = vvs_rnd_u64(ctx);
		}
	} else if (kind < 85) {
		t->type = VHOST_IOTLB_BATCH_BEGIN;
	} else if (kind < 95) {
		t->type = VHOST_IOTLB_BATCH_END;
	} else {
		/* MISS, ACCESS_FAIL and unknown types come from the device side */
		t->type = rnd_pct(&ctx->rng, 50) ? VHOST_IOTLB_MISS :
			  rnd_below(&ctx->rng, 256);
		t->iova = vvs_rnd_u64(ctx);
		t->size = vvs_rnd_u64(ctx);
	}
	if (rnd_pct(&ctx->rng, 4)) {
		switch (rnd_below(&ctx->rng, 4)) {
		case 0:
			len = rnd_below(&ctx->rng, sizeof(b.m));
			break;
		case 1:
			len = sizeof(b);
			break;
		case 2:
			off += rnd_range(&ctx->rng, 1, 64);
			break;
		default:
			off = rnd_pct(&ctx->rng, 50) ? vp.be.iotlb_off + 0x10000000000LL :
			      (off_t)rnd_below(&ctx->rng, 1ULL << 44);
			break;
		}
	}
	ret = stress_pwrite(ctx, "pwrite of an IOTLB message", fd, &b, len, off);
	vvs_note(ctx, ret);
	if (ret == (ssize_t)sizeof(b.m) && t->type == VHOST_IOTLB_UPDATE)
		stress_tally(ctx, "IOTLB updates accepted");
	else if (ret == (ssize_t)sizeof(b.m) && t->type == VHOST_IOTLB_INVALIDATE)
		stress_tally(ctx, "IOTLB invalidations accepted");
	else if (ret == (ssize_t)sizeof(b.m))
		stress_tally(ctx, "IOTLB batch messages accepted");
}

static void vvs_op_vring(struct stress_ctx *ctx, int fd)
{
	unsigned int idx = rnd_pct(&ctx->rng, 90) ? rnd_below(&ctx->rng, VV_NQ) :
			   (unsigned int)vvs_rnd_u64(ctx);
	struct vhost_vring_state s = { .index = idx };
	struct vhost_vring_file f = { .index = idx };
	struct vhost_vring_addr a = { .index = idx };
	int ret = 0;

	switch (rnd_below(&ctx->rng, 10)) {
	case 0:
		s.num = rnd_pct(&ctx->rng, 70) ? 1U << rnd_below(&ctx->rng, 10) :
			(unsigned int)vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VHOST_SET_VRING_NUM", fd, VHOST_SET_VRING_NUM, &s);
		break;
	case 1:
		a.desc_user_addr = VV_IOVA + rnd_below(&ctx->rng, 64) * 64;
		a.avail_user_addr = VV_IOVA + 0x1000 + rnd_below(&ctx->rng, 64) * 2;
		a.used_user_addr = VV_IOVA + 0x2000 + rnd_below(&ctx->rng, 64) * 4;
		if (rnd_pct(&ctx->rng, 20)) {
			a.desc_user_addr = vvs_rnd_u64(ctx);
			a.flags = rnd_below(&ctx->rng, 4);
			a.log_guest_addr = vvs_rnd_u64(ctx);
		}
		ret = stress_ioctl(ctx, "VHOST_SET_VRING_ADDR", fd, VHOST_SET_VRING_ADDR, &a);
		break;
	case 2:
		s.num = rnd_pct(&ctx->rng, 70) ? rnd_below(&ctx->rng, 256) :
			(unsigned int)vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VHOST_SET_VRING_BASE", fd, VHOST_SET_VRING_BASE, &s);
		break;
	case 3:
		ret = stress_ioctl(ctx, "VHOST_GET_VRING_BASE", fd, VHOST_GET_VRING_BASE, &s);
		break;
	case 4:
		s.num = rnd_below(&ctx->rng, 3);
		ret = stress_ioctl(ctx, "VHOST_VDPA_SET_VRING_ENABLE", fd,
				   VHOST_VDPA_SET_VRING_ENABLE, &s);
		break;
	case 5:
		f.fd = rnd_pct(&ctx->rng, 70) ? vp.efd[rnd_below(&ctx->rng, 4)] :
		       rnd_pct(&ctx->rng, 50) ? -1 : (int)rnd_below(&ctx->rng, 1024);
		ret = stress_ioctl(ctx, "VHOST_SET_VRING_KICK", fd, VHOST_SET_VRING_KICK, &f);
		break;
	case 6:
		f.fd = rnd_pct(&ctx->rng, 70) ? vp.efd[rnd_below(&ctx->rng, 4)] :
		       rnd_pct(&ctx->rng, 50) ? -1 : (int)rnd_below(&ctx->rng, 1024);
		ret = stress_ioctl(ctx, "VHOST_SET_VRING_CALL", fd, VHOST_SET_VRING_CALL, &f);
		break;
	case 7:
		ret = stress_ioctl(ctx, "VHOST_VDPA_GET_VRING_GROUP", fd,
				   VHOST_VDPA_GET_VRING_GROUP, &s);
		break;
	case 8:
		ret = stress_ioctl(ctx, "VHOST_VDPA_GET_VRING_SIZE", fd,
				   VHOST_VDPA_GET_VRING_SIZE, &s);
		break;
	default:
		s.num = rnd_pct(&ctx->rng, 80) ? rnd_below(&ctx->rng, 2) :
			(unsigned int)vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VHOST_VDPA_SET_GROUP_ASID", fd,
				   VHOST_VDPA_SET_GROUP_ASID, &s);
		break;
	}
	vvs_note(ctx, ret);
}

static void vvs_op_control(struct stress_ctx *ctx, int fd)
{
	uint64_t u = 0;
	uint8_t st;
	int ret = 0;

	switch (rnd_below(&ctx->rng, 12)) {
	case 0:
		ret = stress_ioctl(ctx, "VHOST_SET_OWNER", fd, VHOST_SET_OWNER, NULL);
		break;
	case 1:
		ret = stress_ioctl(ctx, "VHOST_GET_FEATURES", fd, VHOST_GET_FEATURES, &u);
		break;
	case 2:
		ret = stress_ioctl(ctx, "VHOST_GET_FEATURES", fd, VHOST_GET_FEATURES, &u);
		if (ret)
			break;
		if (rnd_pct(&ctx->rng, 80))
			u &= rnd(&ctx->rng) | (1ULL << VIRTIO_F_VERSION_1) |
			     (1ULL << VIRTIO_F_ACCESS_PLATFORM);
		else
			u = vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VHOST_SET_FEATURES", fd, VHOST_SET_FEATURES, &u);
		break;
	case 3:
		ret = stress_ioctl(ctx, "VHOST_GET_BACKEND_FEATURES", fd,
				   VHOST_GET_BACKEND_FEATURES, &u);
		if (ret)
			break;
		if (rnd_pct(&ctx->rng, 80))
			u &= rnd(&ctx->rng) | (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2);
		else
			u = vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VHOST_SET_BACKEND_FEATURES", fd,
				   VHOST_SET_BACKEND_FEATURES, &u);
		break;
	case 4: case 5: {
		static const uint8_t steps[] = {
			0, VIRTIO_CONFIG_S_ACKNOWLEDGE,
			VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER,
			VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK,
			VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK,
		};

		st = rnd_pct(&ctx->rng, 85) ? steps[rnd_below(&ctx->rng, 5)] :
		     (uint8_t)rnd(&ctx->rng);
		ret = stress_ioctl(ctx, "VHOST_VDPA_SET_STATUS", fd, VHOST_VDPA_SET_STATUS, &st);
		break;
	}
	case 6:
		ret = stress_ioctl(ctx, "VHOST_VDPA_GET_STATUS", fd, VHOST_VDPA_GET_STATUS, &st);
		break;
	case 7: {
		static const unsigned long getters[] = {
			VHOST_VDPA_GET_DEVICE_ID, VHOST_VDPA_GET_CONFIG_SIZE,
			VHOST_VDPA_GET_VRING_NUM, VHOST_VDPA_GET_VQS_COUNT,
			VHOST_VDPA_GET_GROUP_NUM, VHOST_VDPA_GET_AS_NUM,
			VHOST_VDPA_GET_IOVA_RANGE,
		};
		uint64_t b[4] = {};

		ret = stress_ioctl(ctx, "a vhost-vdpa getter", fd,
				   getters[rnd_below(&ctx->rng, 7)], b);
		break;
	}
	case 8: {
		struct {
			struct vhost_vdpa_config c;
			uint8_t buf[256];
		} c = {};
		bool set = rnd_pct(&ctx->rng, 40);

		c.c.off = rnd_pct(&ctx->rng, 80) ? rnd_below(&ctx->rng, 16) :
			  (uint32_t)vvs_rnd_u64(ctx);
		c.c.len = rnd_pct(&ctx->rng, 90) ? rnd_below(&ctx->rng, 64) :
			  rnd_pct(&ctx->rng, 50) ? 256 : 0xffffffff;
		/* a get longer than c would write past it, if it succeeded */
		if (c.c.len > 256 && !set)
			c.c.len = 256;
		ret = stress_ioctl(ctx, set ? "VHOST_VDPA_SET_CONFIG" : "VHOST_VDPA_GET_CONFIG",
				   fd, set ? VHOST_VDPA_SET_CONFIG : VHOST_VDPA_GET_CONFIG, &c);
		break;
	}
	case 9:
		ret = stress_ioctl(ctx, rnd_pct(&ctx->rng, 50) ? "VHOST_VDPA_SUSPEND" :
				   "VHOST_VDPA_RESUME", fd, rnd_pct(&ctx->rng, 50) ?
				   VHOST_VDPA_SUSPEND : VHOST_VDPA_RESUME, NULL);
		break;
	case 10: {
		/* the log: our memory, or a bad address */
		uint64_t base = rnd_pct(&ctx->rng, 70) ? (uintptr_t)vp.mem : vvs_rnd_u64(ctx);
		struct vhost_vfio_log_sync ls = { .size = sizeof(ls) };

		if (rnd_pct(&ctx->rng, 50)) {
			ret = stress_ioctl(ctx, "VHOST_SET_LOG_BASE", fd, VHOST_SET_LOG_BASE,
					   &base);
			break;
		}
		ls.iova = rnd_pct(&ctx->rng, 50) ? VV_IOVA : vvs_rnd_u64(ctx);
		ls.length = rnd_pct(&ctx->rng, 50) ? 0 : vvs_rnd_u64(ctx);
		if (rnd_pct(&ctx->rng, 10))
			ls.flags = 1U << rnd_below(&ctx->rng, 32);
		ret = stress_ioctl(ctx, "VHOST_VFIO_LOG_SYNC", fd, VHOST_VFIO_LOG_SYNC, &ls);
		break;
	}
	default: {
		struct {
			struct vhost_vfio_info i;
			uint8_t tail[64];
		} b = {};

		b.i.size = sizeof(b.i);
		switch (rnd_below(&ctx->rng, 5)) {
		case 0:
			b.i.size = rnd_below(&ctx->rng, sizeof(b.i));
			break;
		case 1:
			b.i.size = sizeof(b);
			break;
		case 2:
			b.i.size = sizeof(b);
			b.tail[rnd_below(&ctx->rng, 64)] = 1;
			break;
		case 3:
			b.i.flags = 1U << rnd_below(&ctx->rng, 32);
			break;
		default:
			break;
		}
		ret = stress_ioctl(ctx, "VHOST_VFIO_GET_INFO", fd, VHOST_VFIO_GET_INFO, &b);
		break;
	}
	}
	vvs_note(ctx, ret);
}

static void vvs_op_vfio(struct stress_ctx *ctx, int fd)
{
	char buf[512];
	int ret = 0;

	memset(buf, 0, sizeof(buf));
	switch (rnd_below(&ctx->rng, 6)) {
	case 0: {
		struct vfio_device_info *di = (void *)buf;

		di->argsz = rnd_pct(&ctx->rng, 80) ? sizeof(buf) : rnd_below(&ctx->rng, 64);
		ret = stress_ioctl(ctx, "VFIO_DEVICE_GET_INFO", fd, VFIO_DEVICE_GET_INFO, di);
		break;
	}
	case 1: {
		struct vfio_region_info *ri = (void *)buf;

		ri->argsz = rnd_pct(&ctx->rng, 80) ? sizeof(buf) : rnd_below(&ctx->rng, 128);
		ri->index = rnd_pct(&ctx->rng, 80) ? rnd_below(&ctx->rng, 12) :
			    (uint32_t)vvs_rnd_u64(ctx);
		ret = stress_ioctl(ctx, "VFIO_DEVICE_GET_REGION_INFO", fd,
				   VFIO_DEVICE_GET_REGION_INFO, ri);
		break;
	}
	case 2: {
		struct vfio_irq_info *ii = (void *)buf;

		ii->argsz = sizeof(*ii);
		ii->index = rnd_below(&ctx->rng, 5);
		ret = stress_ioctl(ctx, "VFIO_DEVICE_GET_IRQ_INFO", fd,
				   VFIO_DEVICE_GET_IRQ_INFO, ii);
		break;
	}
	case 3: {
		struct vfio_irq_set *is = (void *)buf;
		int32_t *fds = (int32_t *)is->data;
		unsigned int i;

		/* never the request index: that is how removal reaches us */
		is->index = rnd_pct(&ctx->rng, 70) ? VHOST_VFIO_VRING_IRQ_INDEX :
			    rnd_pct(&ctx->rng, 70) ? VHOST_VFIO_CONFIG_IRQ_INDEX :
			    VHOST_VFIO_NUM_IRQS + rnd_below(&ctx->rng, 4);
		is->start = rnd_below(&ctx->rng, VV_NQ + 1);
		is->count = rnd_pct(&ctx->rng, 90) ? rnd_below(&ctx->rng, VV_NQ + 1) :
			    (uint32_t)vvs_rnd_u64(ctx);
		is->flags = VFIO_IRQ_SET_ACTION_TRIGGER;
		switch (rnd_below(&ctx->rng, 4)) {
		case 0:
			is->flags |= VFIO_IRQ_SET_DATA_NONE;
			break;
		case 1:
			is->flags |= VFIO_IRQ_SET_DATA_BOOL;
			memset(is->data, 1, 16);
			break;
		case 2:
			is->flags = 1U << rnd_below(&ctx->rng, 32);
			break;
		default:
			is->flags |= VFIO_IRQ_SET_DATA_EVENTFD;
			for (i = 0; i < 16; i++)
				fds[i] = rnd_pct(&ctx->rng, 70) ?
					 vp.efd[rnd_below(&ctx->rng, 4)] :
					 rnd_pct(&ctx->rng, 50) ? -1 :
					 (int)rnd_below(&ctx->rng, 512);
			break;
		}
		is->argsz = rnd_pct(&ctx->rng, 90) ? sizeof(*is) + 4 * 16 :
			    rnd_below(&ctx->rng, sizeof(buf));
		ret = stress_ioctl(ctx, "VFIO_DEVICE_SET_IRQS", fd, VFIO_DEVICE_SET_IRQS, is);
		break;
	}
	case 4:
		ret = stress_ioctl(ctx, "VFIO_DEVICE_RESET", fd, VFIO_DEVICE_RESET, NULL);
		break;
	default:
		/* unknown vhost and VFIO numbers */
		ret = stress_ioctl(ctx, "unknown ioctl", fd, rnd_pct(&ctx->rng, 50) ?
				   _IO(VHOST_VIRTIO, 0xe0 + rnd_below(&ctx->rng, 16)) :
				   _IO(VFIO_TYPE, VFIO_BASE + 30 + rnd_below(&ctx->rng, 30)), buf);
		break;
	}
	vvs_note(ctx, ret);
}

static void vvs_op_regions(struct stress_ctx *ctx, int fd)
{
	uint8_t buf[64] = {};
	size_t len = rnd_pct(&ctx->rng, 70) ? 1U << rnd_below(&ctx->rng, 4) :
		     rnd_below(&ctx->rng, sizeof(buf) + 1);
	off_t off;
	ssize_t ret = 0;

	switch (rnd_below(&ctx->rng, 6)) {
	case 0:
		off = vp.cfg_off + (rnd_pct(&ctx->rng, 90) ?
				    rnd_below(&ctx->rng, vp.cfg_size + 8) : vvs_rnd_u64(ctx) >> 20);
		ret = stress_pread(ctx, "pread of the config region", fd, buf, len, off);
		break;
	case 1:
		off = vp.cfg_off + rnd_below(&ctx->rng, vp.cfg_size + 8);
		ret = stress_pwrite(ctx, "pwrite of the config region", fd, buf, len, off);
		break;
	case 2:
		/* a kick: 2 or 4 bytes at the start of a queue's page, or junk */
		off = vp.be.db_off + rnd_below(&ctx->rng, VV_NQ + 1) * VV_PAGE;
		if (rnd_pct(&ctx->rng, 20))
			off += rnd_below(&ctx->rng, VV_PAGE);
		len = rnd_pct(&ctx->rng, 80) ? 2 + 2 * rnd_below(&ctx->rng, 2) : len;
		ret = stress_pwrite(ctx, "pwrite of a doorbell", fd, buf, len, off);
		break;
	case 3:
		ret = stress_pread(ctx, "pread of the IOTLB region", fd, buf, len,
				   vp.be.iotlb_off + rnd_below(&ctx->rng, 64));
		break;
	case 4:
		off = (off_t)(vvs_rnd_u64(ctx) & ((1ULL << 48) - 1));
		ret = rnd_pct(&ctx->rng, 50) ?
		      stress_pread(ctx, "pread at a random offset", fd, buf, len, off) :
		      stress_pwrite(ctx, "pwrite at a random offset", fd, buf, len, off);
		break;
	default: {
		/* map the doorbells (or try to), kick through the mapping */
		static const int prots[] = {
			PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
			PROT_WRITE | PROT_EXEC,
		};
		int prot = prots[rnd_pct(&ctx->rng, 60) ? 0 : rnd_below(&ctx->rng, 5)];
		size_t mlen = rnd_pct(&ctx->rng, 80) ? VV_PAGE *
			      rnd_range(&ctx->rng, 1, VV_NQ) : rnd_range(&ctx->rng, 1, VV_PAGE);
		off_t moff = vp.be.db_off + (rnd_pct(&ctx->rng, 90) ? 0 :
					     rnd_below(&ctx->rng, 4) * VV_PAGE);
		uint16_t *p;

		stress_begin(ctx, "mmap of the doorbells");
		p = mmap(NULL, mlen, prot, MAP_SHARED, fd, moff);
		stress_end(ctx);
		if (p == MAP_FAILED) {
			ret = -errno;
			break;
		}
		/* a store may fault if the kernel refuses it: only PROT_WRITE */
		if ((prot & PROT_WRITE) && !(prot & PROT_EXEC) && mlen >= VV_PAGE &&
		    moff == vp.be.db_off && vp.db_size >= VV_PAGE)
			__atomic_store_n(p, 0, __ATOMIC_RELAXED);
		stress_begin(ctx, "munmap of the doorbells");
		munmap(p, mlen);
		stress_end(ctx);
		break;
	}
	}
	vvs_note(ctx, ret);
}

/* ---- the operation ----------------------------------------------------- */

static void vvs_op(struct stress_ctx *ctx, void *state)
{
	unsigned int kind = rnd_below(&ctx->rng, 100);
	bool reopen;
	int fd;

	if (!vp.mem)
		return;
	pthread_rwlock_rdlock(&vp.lock);
	reopen = vp.dev < 0 || __atomic_load_n(&vp.gone, __ATOMIC_ACQUIRE) ||
		 vvs_req_fired() || kind < 3;
	if (reopen) {
		pthread_rwlock_unlock(&vp.lock);
		pthread_rwlock_wrlock(&vp.lock);
		if (vp.dev >= 0 && (vp.gone || vvs_req_fired() || kind < 3)) {
			stress_tally(ctx, kind < 3 ? "closes" : "closes on removal");
			vvs_close_locked(ctx);
		} else if (vp.dev < 0 && kind >= 3) {
			vvs_open_locked(ctx);
		}
		pthread_rwlock_unlock(&vp.lock);
		return;
	}
	fd = vp.be.fd;
	if (kind < 50)
		vvs_op_iotlb(ctx, fd);
	else if (kind < 65)
		vvs_op_control(ctx, fd);
	else if (kind < 80)
		vvs_op_vring(ctx, fd);
	else if (kind < 90)
		vvs_op_vfio(ctx, fd);
	else
		vvs_op_regions(ctx, fd);
	pthread_rwlock_unlock(&vp.lock);
}

static void vvs_proc_fini(struct stress_ctx *ctx)
{
	long pin;
	int i;

	pthread_rwlock_wrlock(&vp.lock);
	vvs_close_locked(ctx);
	pthread_rwlock_unlock(&vp.lock);
	if (vp.mem)
		munmap(vp.mem, vp.mem_len);
	vp.mem = NULL;
	pin = stress_vmpin_kb();
	if (pin != vp.vmpin_base)
		stress_fail(ctx, "VmPin %ld kB at the end, baseline %ld kB", pin,
			    vp.vmpin_base);
	close(vp.req);
	for (i = 0; i < 4; i++)
		close(vp.efd[i]);
}

/* Remove an mdev under its users, then create it again. */
static void vvs_chaos(struct stress_ctx *ctx)
{
	char name[32], uuid[64], path[256];
	int i = rnd_below(&ctx->rng, VV_NDEV), ret;

	vv_names(i, name, sizeof(name), uuid, sizeof(uuid));
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	if (vu_exists(path)) {
		ret = stress_write_file(ctx, path, "1");
		stress_tally(ctx, "mdev removals");
		if (ret && ret != -ENOENT && ret != -ENODEV)
			stress_fail(ctx, "mdev %s remove: %s", uuid, strerror(-ret));
		if (rnd_pct(&ctx->rng, 30))
			return;		/* leave it missing for a while */
	}
	snprintf(path, sizeof(path),
		 "/sys/bus/vdpa/devices/%s/mdev_supported_types/vhost_vfio-%s/create",
		 name, VHOST_VFIO_MDEV_TYPE);
	ret = stress_write_file(ctx, path, uuid);
	if (ret && ret != -EEXIST)
		stress_fail(ctx, "mdev %s create: %s", uuid, strerror(-ret));
}

static const struct stress_target stress_target_vhost_vfio = {
	.name = "vhost_vfio",
	.weight = 1,
	.setup = vvs_setup,
	.teardown = vvs_teardown,
	.proc_init = vvs_proc_init,
	.proc_fini = vvs_proc_fini,
	.op = vvs_op,
	.chaos = vvs_chaos,
};

STRESS_TARGET(stress_target_vhost_vfio);
