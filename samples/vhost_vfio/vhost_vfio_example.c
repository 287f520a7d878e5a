// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio_example: what a VMM does with a vhost_vfio mdev to give its
 * guest a vDPA network device.
 *
 *   vhost_vfio_example <mdev-uuid> [frames [expected-feature-mask]]
 *
 * The admin has created the mdev instance (mdevctl or sysfs) on a
 * vdpa_sim_net device. The VMM finds the instance's IOMMU group, opens the
 * VFIO container, group and device fd, then speaks vhost on the device fd
 * the way a VMM speaks it to vhost-vdpa: owner, features, status, IOTLB
 * mappings of guest memory (messages written to the IOTLB region), rings
 * with kick and interrupt eventfds, DRIVER_OK. It then plays the guest's
 * virtio-net driver: sends frames on the TX ring, kicks through the
 * doorbell region, and takes each frame back from the RX ring (the
 * simulator loops TX to RX), checking every byte; and tears it all down.
 * Each step prints what it achieved.
 *
 * Exits 0 when every step behaved as expected, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <linux/vhost_vfio.h>

#define QSZ		256		/* descriptors per ring */
#define BUFSZ		2048		/* one frame buffer */
#define RING_BYTES	(4 * 4096)	/* desc 4K | avail | used at +8K */
#define IOVA_BASE	0x40000000ULL	/* where the guest's memory sits */
#define RXQ		0
#define TXQ		1
#define HDR		sizeof(struct virtio_net_hdr_v1)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define die(fmt, ...) do {						\
		fprintf(stderr, "FAIL: " fmt "\n", ##__VA_ARGS__);	\
		exit(1);						\
	} while (0)
#define xioctl(fd, cmd, arg, what) do {					\
		if (ioctl(fd, cmd, arg) < 0)				\
			die("%s: %s", what, strerror(errno));		\
	} while (0)

struct vq {
	unsigned int idx;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	__u64 desc_iova, avail_iova, used_iova;
	__u16 avail_idx;
	int kick, call;
	__u64 irqs;		/* interrupts taken (eventfd signals) */
};

static int dev;			/* the VFIO device fd */
static off_t iotlb_off, db_off;	/* region offsets on it */
static __u8 *mem;		/* the guest's memory */
static size_t mem_len;
static long page;

static const struct { int bit; const char *name; } fnames[] = {
	{ VIRTIO_NET_F_CSUM, "CSUM" }, { VIRTIO_NET_F_GUEST_CSUM, "GUEST_CSUM" },
	{ VIRTIO_NET_F_MTU, "MTU" }, { VIRTIO_NET_F_MAC, "MAC" },
	{ VIRTIO_NET_F_MRG_RXBUF, "MRG_RXBUF" }, { VIRTIO_NET_F_STATUS, "STATUS" },
	{ VIRTIO_NET_F_CTRL_VQ, "CTRL_VQ" }, { VIRTIO_NET_F_CTRL_RX, "CTRL_RX" },
	{ VIRTIO_NET_F_MQ, "MQ" }, { VIRTIO_NET_F_CTRL_MAC_ADDR, "CTRL_MAC_ADDR" },
	{ VHOST_F_LOG_ALL, "LOG_ALL" }, { VIRTIO_RING_F_INDIRECT_DESC, "INDIRECT_DESC" },
	{ VIRTIO_RING_F_EVENT_IDX, "EVENT_IDX" }, { VIRTIO_F_VERSION_1, "VERSION_1" },
	{ VIRTIO_F_ACCESS_PLATFORM, "ACCESS_PLATFORM" },
	{ VIRTIO_F_RING_PACKED, "RING_PACKED" }, { VIRTIO_F_IN_ORDER, "IN_ORDER" },
	{ VIRTIO_F_ORDER_PLATFORM, "ORDER_PLATFORM" },
};

static const char *features_str(__u64 f)
{
	static char buf[4][512];
	static int n;
	char *s = buf[n++ % 4];
	size_t len = 0;
	unsigned int i, b;

	s[0] = 0;
	for (b = 0; b < 64; b++) {
		const char *name = NULL;

		if (!(f & (1ULL << b)))
			continue;
		for (i = 0; i < ARRAY_SIZE(fnames); i++)
			if (fnames[i].bit == (int)b)
				name = fnames[i].name;
		if (name)
			len += snprintf(s + len, 512 - len, " %s", name);
		else
			len += snprintf(s + len, 512 - len, " bit%u", b);
		if (len >= 500)
			break;
	}
	return s[0] ? s + 1 : "(none)";
}

static long vmpin_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A region of the device, found by its type capability (never by index). */
static int find_region(__u32 subtype, struct vfio_region_info *out)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	__u32 i;

	xioctl(dev, VFIO_DEVICE_GET_INFO, &di, "VFIO_DEVICE_GET_INFO");
	for (i = 0; i < di.num_regions; i++) {
		char buf[512] = {};
		struct vfio_region_info *ri = (void *)buf;
		struct vfio_info_cap_header *h;
		__u32 off;

		ri->argsz = sizeof(buf);
		ri->index = i;
		xioctl(dev, VFIO_DEVICE_GET_REGION_INFO, ri, "GET_REGION_INFO");
		if (!(ri->flags & VFIO_REGION_INFO_FLAG_CAPS))
			continue;
		for (off = ri->cap_offset;
		     off && off + sizeof(struct vfio_region_info_cap_type) <= sizeof(buf);
		     off = h->next) {
			struct vfio_region_info_cap_type *t = (void *)(buf + off);

			h = &t->header;
			if (h->id == VFIO_REGION_INFO_CAP_TYPE &&
			    t->type == VHOST_VFIO_REGION_TYPE && t->subtype == subtype) {
				*out = *ri;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static const char *rflags(__u32 f)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s%s%s", f & VFIO_REGION_INFO_FLAG_READ ? "read " : "",
		 f & VFIO_REGION_INFO_FLAG_WRITE ? "write " : "",
		 f & VFIO_REGION_INFO_FLAG_MMAP ? "mmap" : "no-mmap");
	return s;
}

/* One IOTLB message, written to the IOTLB region as vhost-vdpa reads it. */
static void iotlb(__u8 type, __u64 iova, __u64 size, void *uaddr,
		  __u8 perm)
{
	struct vhost_msg_v2 m = { .type = VHOST_IOTLB_MSG_V2 };

	m.iotlb.type = type;
	m.iotlb.iova = iova;
	m.iotlb.size = size;
	m.iotlb.uaddr = (uintptr_t)uaddr;
	m.iotlb.perm = perm;
	if (pwrite(dev, &m, sizeof(m), iotlb_off) != sizeof(m))
		die("IOTLB message type %u at iova %#llx: %s", type,
		    (unsigned long long)iova, strerror(errno));
}

static __u64 iova_of(void *p)
{
	return IOVA_BASE + ((__u8 *)p - mem);
}

static __u8 *rxbuf(unsigned int i) { return mem + 2 * RING_BYTES + (i % QSZ) * BUFSZ; }
static __u8 *txbuf(unsigned int i) { return mem + 2 * RING_BYTES + (QSZ + i % QSZ) * BUFSZ; }

static void setup_vq(struct vq *q, unsigned int idx, __u16 base)
{
	__u8 *r = mem + idx * RING_BYTES;
	struct vhost_vring_state s = { .index = idx, .num = QSZ };
	struct vhost_vring_addr a = { .index = idx };
	struct vhost_vring_file f = { .index = idx };

	q->idx = idx;
	q->desc = (void *)r;
	q->avail = (void *)(r + 16 * QSZ);
	q->used = (void *)(r + 8192);
	q->desc_iova = iova_of(q->desc);
	q->avail_iova = iova_of(q->avail);
	q->used_iova = iova_of(q->used);
	q->avail_idx = base;
	xioctl(dev, VHOST_SET_VRING_NUM, &s, "VHOST_SET_VRING_NUM");
	a.desc_user_addr = q->desc_iova;
	a.avail_user_addr = q->avail_iova;
	a.used_user_addr = q->used_iova;
	xioctl(dev, VHOST_SET_VRING_ADDR, &a, "VHOST_SET_VRING_ADDR");
	s.num = base;
	xioctl(dev, VHOST_SET_VRING_BASE, &s, "VHOST_SET_VRING_BASE");
	q->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick < 0 || q->call < 0)
		die("eventfd: %s", strerror(errno));
	f.fd = q->kick;
	xioctl(dev, VHOST_SET_VRING_KICK, &f, "VHOST_SET_VRING_KICK");
}

/* The guest's interrupts: one VFIO vring vector per queue, an eventfd each. */
static void set_irqs(struct vq *rx, struct vq *tx)
{
	char buf[sizeof(struct vfio_irq_set) + 2 * sizeof(__s32)];
	struct vfio_irq_set *is = (void *)buf;
	__s32 fds[2] = { rx->call, tx->call };

	is->argsz = sizeof(buf);
	is->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = VHOST_VFIO_VRING_IRQ_INDEX;
	is->start = RXQ;
	is->count = 2;
	memcpy(is->data, fds, sizeof(fds));
	xioctl(dev, VFIO_DEVICE_SET_IRQS, is, "VFIO_DEVICE_SET_IRQS");
}

static void enable_vq(struct vq *q)
{
	struct vhost_vring_state s = { .index = q->idx, .num = 1 };

	xioctl(dev, VHOST_VDPA_SET_VRING_ENABLE, &s, "VHOST_VDPA_SET_VRING_ENABLE");
}

static void add_buf(struct vq *q, void *p, __u32 len, int device_writes)
{
	__u16 slot = q->avail_idx % QSZ;

	q->desc[slot].addr = iova_of(p);
	q->desc[slot].len = len;
	q->desc[slot].flags = device_writes ? VRING_DESC_F_WRITE : 0;
	q->avail->ring[slot] = slot;
	q->avail_idx++;
}

static void publish(struct vq *q)
{
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

static __u16 used_idx(struct vq *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

/* The guest's notification: a write at the start of the queue's doorbell page. */
static void kick(struct vq *q)
{
	__u32 v = q->idx;

	if (pwrite(dev, &v, sizeof(v), db_off + (off_t)q->idx * page) != sizeof(v))
		die("doorbell of queue %u: %s", q->idx, strerror(errno));
}

/* Wait for the device to use up to @target, taking its interrupts. */
static void wait_used(struct vq *q, __u16 target)
{
	struct pollfd p = { .fd = q->call, .events = POLLIN };
	__u64 cnt;

	while ((__u16)(used_idx(q) - target) > 0x8000) {
		int r = poll(&p, 1, 5000);

		if (r <= 0)
			die("queue %u: no interrupt within 5 s (used %u, want %u)",
			    q->idx, used_idx(q), target);
		if (read(q->call, &cnt, sizeof(cnt)) == sizeof(cnt))
			q->irqs += cnt;
	}
}

static void drain_irqs(struct vq *q)
{
	__u64 cnt;

	if (read(q->call, &cnt, sizeof(cnt)) == sizeof(cnt))
		q->irqs += cnt;
}

/* Frame @seq: virtio-net header, dst = device MAC, src, type 0x88b5, pattern. */
static size_t frame(__u8 *p, const __u8 *mac, __u32 seq)
{
	size_t len = HDR + 60 + (seq * 97) % 1455, i;

	memset(p, 0, HDR);
	memcpy(p + HDR, mac, 6);
	memcpy(p + HDR + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[HDR + 12] = 0x88;
	p[HDR + 13] = 0xb5;
	memcpy(p + HDR + 14, &seq, 4);
	for (i = HDR + 18; i < len; i++)
		p[i] = (__u8)(seq * 7 + i);
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const __u64 want = (1ULL << VIRTIO_F_VERSION_1) |
			      (1ULL << VIRTIO_F_ACCESS_PLATFORM) |
			      (1ULL << VIRTIO_NET_F_MAC);
	unsigned int frames = argc > 2 ? strtoul(argv[2], NULL, 0) : 256;
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vhost_vfio_info info = { .size = sizeof(info) };
	struct vhost_vdpa_iova_range range;
	struct vfio_region_info cfg, db, tlb;
	char path[256], link[256], cbuf[sizeof(struct vhost_vdpa_config) + 6];
	struct vhost_vdpa_config *c = (void *)cbuf;
	__u64 bf, f, bytes = 0, kicks = 0;
	unsigned int done = 0, i;
	struct vq rx = {}, tx = {};
	int container, group, memfd;
	const char *uuid, *grp;
	long pin0, pin;
	__u8 s, mac[6];
	double t0;
	ssize_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <mdev-uuid> [frames [expected-feature-mask]]\n",
			argv[0]);
		return 2;
	}
	uuid = argv[1];
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin0 = vmpin_kb();

	/* 1. The instance's IOMMU group: an emulated one, of its own. */
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("no mdev %s (%s): did the admin create it?", uuid, strerror(errno));
	link[n] = 0;
	grp = strrchr(link, '/') + 1;
	printf("[vmm] 1. mdev %s is in IOMMU group %s (/dev/vfio/%s)\n", uuid, grp, grp);

	/* 2. A container, the VFIO object that holds the IOMMU context. */
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		die("no VFIO type1v2 IOMMU (is vfio_iommu_type1 loaded?)");
	printf("[vmm] 2. container /dev/vfio/vfio opened: VFIO API %d, type1v2 IOMMU available\n",
	       VFIO_API_VERSION);

	/* 3. The group joins the container, which gets its IOMMU model. */
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	group = open(path, O_RDWR);
	if (group < 0)
		die("open %s: %s", path, strerror(errno));
	xioctl(group, VFIO_GROUP_GET_STATUS, &gs, "VFIO_GROUP_GET_STATUS");
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s is not viable", grp);
	xioctl(group, VFIO_GROUP_SET_CONTAINER, &container, "VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU: %s", strerror(errno));
	printf("[vmm] 3. group %s viable, in the container; VFIO_SET_IOMMU(TYPE1v2) done\n"
	       "         (an emulated group: the container maps nothing for it, the\n"
	       "         IOTLB messages of step 9 do)\n", grp);

	/* 4. The device fd, its regions and interrupts. */
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
	xioctl(dev, VFIO_DEVICE_GET_INFO, &di, "VFIO_DEVICE_GET_INFO");
	if (find_region(VHOST_VFIO_REGION_SUBTYPE_CONFIG, &cfg) ||
	    find_region(VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &db) ||
	    find_region(VHOST_VFIO_REGION_SUBTYPE_IOTLB, &tlb))
		die("a vhost_vfio region is missing");
	iotlb_off = tlb.offset;
	db_off = db.offset;
	ii.index = VHOST_VFIO_VRING_IRQ_INDEX;
	xioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &ii, "VFIO_DEVICE_GET_IRQ_INFO");
	printf("[vmm] 4. device fd %d: %u regions, %u interrupt indexes\n", dev,
	       di.num_regions, di.num_irqs);
	printf("         config   region %u: %llu bytes, %s\n", cfg.index,
	       (unsigned long long)cfg.size, rflags(cfg.flags));
	printf("         doorbell region %u: %llu pages (one per queue), %s\n", db.index,
	       (unsigned long long)db.size / page, rflags(db.flags));
	printf("         IOTLB    region %u: %llu bytes, %s\n", tlb.index,
	       (unsigned long long)tlb.size, rflags(tlb.flags));
	printf("         vring interrupts: %u vectors (index %d)\n", ii.count,
	       VHOST_VFIO_VRING_IRQ_INDEX);

	/* 5. Ownership, then what the device is and offers. */
	xioctl(dev, VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER");
	xioctl(dev, VHOST_VFIO_GET_INFO, &info, "VHOST_VFIO_GET_INFO");
	printf("[vmm] 5. VHOST_SET_OWNER: this process (pid %d) owns the device; it is\n"
	       "         virtio device id %u%s, %u virtqueues, %u group(s), %u address space(s)\n",
	       getpid(), info.device_id, info.device_id == VIRTIO_ID_NET ? " (net)" : "",
	       info.nvqs, info.ngroups, info.nas);
	printf("         device features: %s\n", features_str(info.device_features));
	printf("         admin's mask %#018llx hides: %s\n",
	       (unsigned long long)info.feature_mask,
	       features_str(info.device_features & ~info.feature_mask));
	if (argc > 3 && info.feature_mask != strtoull(argv[3], NULL, 0))
		die("the instance's feature mask is %#llx, the admin set %s",
		    (unsigned long long)info.feature_mask, argv[3]);
	if (info.device_id != VIRTIO_ID_NET || info.nvqs < 2)
		die("not a virtio-net device");

	/* 6. Backend features: how IOTLB messages look. */
	xioctl(dev, VHOST_GET_BACKEND_FEATURES, &bf, "VHOST_GET_BACKEND_FEATURES");
	bf &= (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) | (1ULL << VHOST_BACKEND_F_IOTLB_BATCH);
	xioctl(dev, VHOST_SET_BACKEND_FEATURES, &bf, "VHOST_SET_BACKEND_FEATURES");
	printf("[vmm] 6. backend features accepted: IOTLB_MSG_V2%s\n",
	       bf & (1ULL << VHOST_BACKEND_F_IOTLB_BATCH) ? " IOTLB_BATCH" : "");

	/* 7. Feature negotiation, driven by the virtio status. */
	s = 0;
	xioctl(dev, VHOST_VDPA_SET_STATUS, &s, "reset");
	s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	xioctl(dev, VHOST_VDPA_SET_STATUS, &s, "status ACKNOWLEDGE|DRIVER");
	xioctl(dev, VHOST_GET_FEATURES, &f, "VHOST_GET_FEATURES");
	if (f & info.device_features & ~info.feature_mask & ~(1ULL << VHOST_F_LOG_ALL))
		die("features hidden by the admin's mask are offered: %s",
		    features_str(f & ~info.feature_mask));
	printf("[vmm] 7. offered to the guest: %s\n", features_str(f));
	f &= want;
	xioctl(dev, VHOST_SET_FEATURES, &f, "VHOST_SET_FEATURES");
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	xioctl(dev, VHOST_VDPA_SET_STATUS, &s, "status FEATURES_OK");
	xioctl(dev, VHOST_VDPA_GET_STATUS, &s, "VHOST_VDPA_GET_STATUS");
	if (!(s & VIRTIO_CONFIG_S_FEATURES_OK))
		die("the device refused the features");
	printf("         negotiated: %s; status ACKNOWLEDGE|DRIVER|FEATURES_OK\n",
	       features_str(f));

	/* 8. The config space (the MAC) and the IOVA range the device takes. */
	c->off = offsetof(struct virtio_net_config, mac);
	c->len = 6;
	xioctl(dev, VHOST_VDPA_GET_CONFIG, c, "VHOST_VDPA_GET_CONFIG");
	memcpy(mac, c->buf, 6);
	xioctl(dev, VHOST_VDPA_GET_IOVA_RANGE, &range, "VHOST_VDPA_GET_IOVA_RANGE");
	printf("[vmm] 8. config space: MAC %02x:%02x:%02x:%02x:%02x:%02x; IOVA range %#llx-%#llx\n",
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       (unsigned long long)range.first, (unsigned long long)range.last);

	/* 9. Guest memory, shared like a VMM's RAM, mapped for the device. */
	mem_len = 2 * RING_BYTES + 2 * QSZ * BUFSZ;
	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, mem_len))
		die("guest memory: %s", strerror(errno));
	mem = mmap(NULL, mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory: %s", strerror(errno));
	printf("[vmm] 9. guest memory: %zu KiB at IOVA %#llx, mapped for the device\n",
	       mem_len / 1024, IOVA_BASE);
	printf("         by IOTLB messages written to the IOTLB region%s:\n",
	       bf & (1ULL << VHOST_BACKEND_F_IOTLB_BATCH) ? ", in one batch" : "");
	if (bf & (1ULL << VHOST_BACKEND_F_IOTLB_BATCH))
		iotlb(VHOST_IOTLB_BATCH_BEGIN, 0, 0, NULL, 0);
	iotlb(VHOST_IOTLB_UPDATE, IOVA_BASE, 2 * RING_BYTES, mem, VHOST_ACCESS_RW);
	iotlb(VHOST_IOTLB_UPDATE, iova_of(rxbuf(0)), QSZ * BUFSZ, rxbuf(0), VHOST_ACCESS_WO);
	iotlb(VHOST_IOTLB_UPDATE, iova_of(txbuf(0)), QSZ * BUFSZ, txbuf(0), VHOST_ACCESS_RO);
	if (bf & (1ULL << VHOST_BACKEND_F_IOTLB_BATCH))
		iotlb(VHOST_IOTLB_BATCH_END, 0, 0, NULL, 0);
	printf("         UPDATE iova %#llx +%6u KiB  rings       read-write\n",
	       IOVA_BASE, 2 * RING_BYTES / 1024);
	printf("         UPDATE iova %#llx +%6u KiB  RX buffers  device writes only\n",
	       (unsigned long long)iova_of(rxbuf(0)), QSZ * BUFSZ / 1024);
	printf("         UPDATE iova %#llx +%6u KiB  TX buffers  device reads only\n",
	       (unsigned long long)iova_of(txbuf(0)), QSZ * BUFSZ / 1024);
	pin = vmpin_kb();
	printf("         pages pinned for the device: VmPin %ld kB -> %ld kB\n", pin0, pin);

	/* 10. The rings: addresses are IOVAs, kicks and interrupts eventfds. */
	setup_vq(&rx, RXQ, 0);
	setup_vq(&tx, TXQ, 0);
	set_irqs(&rx, &tx);
	enable_vq(&rx);
	enable_vq(&tx);
	for (i = 0; i < 2; i++) {
		struct vq *q = i ? &tx : &rx;

		printf("[vmm] %s vring %u (%s): %u descriptors, desc/avail/used at IOVA\n"
		       "         %#llx/%#llx/%#llx, kick eventfd %d, interrupt eventfd %d\n"
		       "         on VFIO vring vector %u; enabled\n",
		       i ? "   " : "10.", q->idx, i ? "TX" : "RX", QSZ,
		       (unsigned long long)q->desc_iova, (unsigned long long)q->avail_iova,
		       (unsigned long long)q->used_iova, q->kick, q->call, q->idx);
	}

	/* 11. The device starts. */
	s |= VIRTIO_CONFIG_S_DRIVER_OK;
	xioctl(dev, VHOST_VDPA_SET_STATUS, &s, "status DRIVER_OK");
	printf("[vmm] 11. status DRIVER_OK: the device runs the rings\n");

	/* 12. The guest's driver: frames out on TX, back in on RX. */
	t0 = now();
	while (done < frames) {
		unsigned int batch = frames - done > 64 ? 64 : frames - done;
		__u16 rx0 = used_idx(&rx), tx0 = used_idx(&tx);

		for (i = 0; i < batch; i++)
			add_buf(&rx, rxbuf(rx.avail_idx), BUFSZ, 1);
		publish(&rx);
		for (i = 0; i < batch; i++) {
			__u8 *b = txbuf(tx.avail_idx);

			add_buf(&tx, b, frame(b, mac, done + i), 0);
		}
		publish(&tx);
		kick(&tx);
		kicks++;
		wait_used(&tx, tx0 + batch);
		wait_used(&rx, rx0 + batch);
		for (i = 0; i < batch; i++) {
			struct vring_used_elem *e = &rx.used->ring[(__u16)(rx0 + i) % QSZ];
			__u8 expect[BUFSZ];
			size_t len = frame(expect, mac, done + i);

			if (e->len != len || memcmp(rxbuf(e->id), expect, len))
				die("frame %u came back wrong (%u bytes, want %zu)",
				    done + i, e->len, len);
			bytes += len - HDR;
		}
		done += batch;
	}
	drain_irqs(&rx);
	drain_irqs(&tx);
	printf("[vmm] 12. data path: %u frames, %llu bytes sent on TX and received back on RX\n"
	       "         intact (simulator loopback) in %.3f s; %llu kicks through the doorbell\n"
	       "         region, %llu RX and %llu TX interrupts\n", done,
	       (unsigned long long)bytes, now() - t0, (unsigned long long)kicks,
	       (unsigned long long)rx.irqs, (unsigned long long)tx.irqs);

	/* 13. Shut down: reset, unmap, close. */
	s = 0;
	xioctl(dev, VHOST_VDPA_SET_STATUS, &s, "reset");
	iotlb(VHOST_IOTLB_INVALIDATE, IOVA_BASE, mem_len, NULL, 0);
	pin = vmpin_kb();
	close(dev);
	close(group);
	close(container);
	close(rx.kick);
	close(rx.call);
	close(tx.kick);
	close(tx.call);
	munmap(mem, mem_len);
	close(memfd);
	printf("[vmm] 13. device reset, mappings invalidated (VmPin %ld kB),\n", pin);
	printf("         fds closed (VmPin %ld kB)\n", vmpin_kb());
	if (vmpin_kb() != pin0)
		die("pinned pages not released: VmPin %ld kB, was %ld kB", vmpin_kb(), pin0);
	return 0;
}
