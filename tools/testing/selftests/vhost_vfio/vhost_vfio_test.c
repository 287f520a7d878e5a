// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio selftests: a userspace virtio driver drives vdpa_sim_net and
 * vdpa_sim_blk through the bridge; every ioctl's bad inputs; struct
 * extensibility; suspend/resume and migration to a second instance; dirty
 * log; feature mask; removal under an open fd; a fail-nth sweep.
 */
#include <endian.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/kvm.h>
#include "vhost_vfio_utils.h"
#include "vhost_vfio_testdev.h"
#include "kselftest_harness.h"

#define NET0		"vvnet0"
#define NET1		"vvnet1"
#define BLK0		"vvblk0"
#define UUID_NET0	"8f0b6a52-1f05-4e6a-9a3e-000000000001"
#define UUID_NET1	"8f0b6a52-1f05-4e6a-9a3e-000000000002"
#define UUID_BLK0	"8f0b6a52-1f05-4e6a-9a3e-000000000003"
#define UUID_GONE	"8f0b6a52-1f05-4e6a-9a3e-000000000009"
#define UUID_CTL	"8f0b6a52-1f05-4e6a-9a3e-00000000000c"
#define NFRAMES		64

static int vv_wait_ms = 5000;

#define VV_MODPROBE	\
	"modprobe -q vfio_iommu_type1; modprobe -q vdpa_sim_net; modprobe -q vdpa_sim_blk; true"

static int vv_prepare(const char *mgmt, const char *name, const char *uuid)
{
	static bool loaded;
	int ret;

	/* built in on the test kernel, modules on a distribution kernel */
	if (!loaded && !system(VV_MODPROBE))
		loaded = true;
	ret = vv_vdpa_add(mgmt, name, "vhost_vfio");

	return ret ? ret : vv_mdev_create(name, uuid);
}

/* ---- the net fixture: an opened device, nothing negotiated -------------- */

FIXTURE(net) {
	struct vv_be be;
	struct vv_net n;
};

FIXTURE_VARIANT(net) {
	bool doorbell;	/* kick by writing the doorbell region */
	bool irqs;	/* call eventfds through VFIO_DEVICE_SET_IRQS */
	bool cdev;	/* /dev/vfio/devices/vfioN + /dev/iommu, not a container */
};

FIXTURE_VARIANT_ADD(net, eventfds) {
	.doorbell = false, .irqs = false,
};

FIXTURE_VARIANT_ADD(net, vfio_regions_irqs) {
	.doorbell = true, .irqs = true,
};

FIXTURE_VARIANT_ADD(net, cdev_iommufd) {
	.doorbell = false, .irqs = true, .cdev = true,
};

#define VV_NO_CDEV	\
	"no VFIO device cdev or no iommufd (CONFIG_VFIO_DEVICE_CDEV, CONFIG_IOMMUFD)"

FIXTURE_SETUP(net)
{
	int ret;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", NET0, UUID_NET0));
	ret = vv_be_open_vfio_how(&self->be, UUID_NET0, variant->cdev);
	if (ret == -ENODEV && variant->cdev)
		SKIP(return, "%s", VV_NO_CDEV);
	ASSERT_EQ(0, ret);
	memset(&self->n, 0, sizeof(self->n));
	self->n.doorbell = variant->doorbell;
	self->n.irqs = variant->irqs;
}

FIXTURE_TEARDOWN(net)
{
	vv_net_close(&self->n);
	vv_be_close(&self->be);
}

/* Send @count frames, expect them back in order, contents checked. */
static int vv_loop(struct vv_net *n, uint32_t seq, unsigned int count,
		   size_t len)
{
	uint16_t rx0 = vv_used_idx(&n->rx), tx0 = vv_used_idx(&n->tx);
	unsigned int i;
	int ret;

	vv_net_post_rx(n, count);
	ret = vv_net_send(n, seq, count, len);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->rx, rx0 + count, vv_wait_ms);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->tx, tx0 + count, vv_wait_ms);
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		ret = vv_net_check_rx(n, rx0 + i, seq + i, len);
		if (ret)
			return ret;
	}
	return 0;
}

TEST_F(net, loopback_frames)
{
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	ASSERT_EQ(0, memcmp(self->n.mac, "\x52\x54\x00\x12\x34\x56", 6));
	ASSERT_EQ(0, vv_loop(&self->n, 1000, NFRAMES, 60 + VV_NET_HDR));
	/* more than a ring's worth, various sizes */
	ASSERT_EQ(0, vv_loop(&self->n, 5000, 200, 1500));
	ASSERT_EQ(0, vv_loop(&self->n, 9000, 100, 1500));
	/* ring state as the device sees it */
	{
		struct vhost_vring_state s = { .index = 1 };

		ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
		ASSERT_EQ(NFRAMES + 300, s.num);
	}
}

/*
 * The RX vring interrupt routed into a KVM VM the way a VMM does it: the
 * queue's call eventfd (from VHOST_SET_VRING_CALL, or from
 * VFIO_DEVICE_SET_IRQS in the other variant) becomes a KVM irqfd on a GSI
 * routed as an MSI to vCPU 0. A looped-back frame must leave the vector
 * pending in that vCPU's local APIC, and KVM, not us, must have consumed
 * the eventfd.
 */
#define VV_KVM_GSI	30
#define VV_KVM_VECTOR	0x61

static bool vv_lapic_irr(int vcpu, unsigned int vector)
{
	struct kvm_lapic_state st;
	uint32_t irr;

	if (ioctl(vcpu, KVM_GET_LAPIC, &st))
		return false;
	memcpy(&irr, &st.regs[0x200 + (vector / 32) * 0x10], sizeof(irr));
	return irr & (1U << (vector % 32));
}

/* A VM with an in-kernel irqchip, vCPU 0, and GSI routed as an MSI to it. */
static int vv_kvm_vm(int kvm, int *vcpu)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e;
	} route = {};
	struct kvm_lapic_state st;
	uint32_t svr;
	int vm;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return -errno;
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		goto err;
	*vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (*vcpu < 0)
		goto err;
	/* A local APIC accepts fixed interrupts once software-enabled. */
	if (ioctl(*vcpu, KVM_GET_LAPIC, &st))
		goto err_vcpu;
	memcpy(&svr, &st.regs[0xf0], sizeof(svr));
	svr |= 0x100;
	memcpy(&st.regs[0xf0], &svr, sizeof(svr));
	if (ioctl(*vcpu, KVM_SET_LAPIC, &st))
		goto err_vcpu;
	/* GSI -> MSI to APIC ID 0, fixed delivery, the test's vector. */
	route.r.nr = 1;
	route.e.gsi = VV_KVM_GSI;
	route.e.type = KVM_IRQ_ROUTING_MSI;
	route.e.u.msi.address_lo = 0xfee00000;
	route.e.u.msi.data = VV_KVM_VECTOR;
	if (ioctl(vm, KVM_SET_GSI_ROUTING, &route))
		goto err_vcpu;
	return vm;

err_vcpu:
	close(*vcpu);
err:
	close(vm);
	return -errno;
}

TEST_F(net, vring_irq_to_kvm_irqfd)
{
	struct kvm_irqfd irqfd = {};
	int kvm, vm, vcpu = -1, i;
	uint16_t rx0;
	uint64_t cnt;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		SKIP(return, "no /dev/kvm: %s", strerror(errno));
	vm = vv_kvm_vm(kvm, &vcpu);
	ASSERT_LE(0, vm) TH_LOG("KVM VM set-up: %s", strerror(-vm));

	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	irqfd.fd = self->n.rx.call;
	irqfd.gsi = VV_KVM_GSI;
	ASSERT_EQ(0, ioctl(vm, KVM_IRQFD, &irqfd));
	ASSERT_FALSE(vv_lapic_irr(vcpu, VV_KVM_VECTOR));

	rx0 = vv_used_idx(&self->n.rx);
	vv_net_post_rx(&self->n, 1);
	ASSERT_EQ(0, vv_net_send(&self->n, 77, 1, 60 + VV_NET_HDR));
	/* KVM takes the eventfd's signal: watch the used ring and the APIC. */
	for (i = 0; i < 2000 && (vv_used_idx(&self->n.rx) == rx0 ||
				 !vv_lapic_irr(vcpu, VV_KVM_VECTOR)); i++)
		usleep(1000);
	ASSERT_EQ(rx0 + 1, vv_used_idx(&self->n.rx));
	ASSERT_EQ(0, vv_net_check_rx(&self->n, rx0, 77, 60 + VV_NET_HDR));
	EXPECT_TRUE(vv_lapic_irr(vcpu, VV_KVM_VECTOR));
	EXPECT_EQ(-1, read(self->n.rx.call, &cnt, sizeof(cnt)));
	EXPECT_EQ(EAGAIN, errno);

	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	EXPECT_EQ(0, ioctl(vm, KVM_IRQFD, &irqfd));
	close(vcpu);
	close(vm);
	close(kvm);
}

/*
 * SET_IRQS DATA_EVENTFD sets every vector named or none: a bad fd after a
 * good one leaves the good one's vector unset (DATA_NONE signals nothing).
 */
static void vv_set_irqs_all_or_nothing(struct __test_metadata *_metadata,
				       struct vv_be *be)
{
	char buf[sizeof(struct vfio_irq_set) + 2 * sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int32_t fds[2] = { efd, -2 };
	uint64_t n;

	ASSERT_LE(0, efd);
#define SETIRQ(_flags, _count) ({					\
	is->argsz = sizeof(buf); is->flags = (_flags) | VFIO_IRQ_SET_ACTION_TRIGGER; \
	is->index = VHOST_VFIO_VRING_IRQ_INDEX; is->start = 0;		\
	is->count = (_count); memcpy(is->data, fds, sizeof(fds));	\
	vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is); })
	EXPECT_EQ(-EINVAL, SETIRQ(VFIO_IRQ_SET_DATA_EVENTFD, 2));
	EXPECT_EQ(0, SETIRQ(VFIO_IRQ_SET_DATA_NONE, 1));
	EXPECT_EQ(-1, read(efd, &n, sizeof(n)));
	EXPECT_EQ(EAGAIN, errno);
	/* both good: both set, vector 0 signals */
	fds[1] = efd;
	EXPECT_EQ(0, SETIRQ(VFIO_IRQ_SET_DATA_EVENTFD, 2));
	EXPECT_EQ(0, SETIRQ(VFIO_IRQ_SET_DATA_NONE, 1));
	EXPECT_EQ(sizeof(n), read(efd, &n, sizeof(n)));
	EXPECT_EQ(1, n);
	/* count 0 tears them down */
	EXPECT_EQ(0, SETIRQ(VFIO_IRQ_SET_DATA_NONE, 0));
#undef SETIRQ
	close(efd);
}

TEST_F(net, info_regions_irqs)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_region_info ri = {};
	struct vhost_vdpa_config *c;
	char buf[sizeof(*c) + 32], rbuf[32];
	uint32_t v32;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(sizeof(info), info.size);
	ASSERT_EQ(1, info.device_id);
	ASSERT_EQ(3, info.nvqs);
	ASSERT_EQ(2, info.nas);
	ASSERT_TRUE(info.features & (1ULL << VIRTIO_F_VERSION_1));
	ASSERT_TRUE(info.features & (1ULL << VIRTIO_F_ACCESS_PLATFORM));
	ASSERT_TRUE(info.features & (1ULL << VHOST_F_LOG_ALL));
	ASSERT_EQ(~0ULL, info.feature_mask);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_DEVICE_ID, &v32));
	ASSERT_EQ(1, v32);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_VQS_COUNT, &v32));
	ASSERT_EQ(3, v32);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_CONFIG_SIZE, &v32));
	ASSERT_EQ(info.config_size, v32);

	/* config region found by capability, same bytes as GET_CONFIG */
	ASSERT_EQ(0, vv_find_region(self->be.fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG,
				    &ri));
	ASSERT_EQ(info.config_size, ri.size);
	ASSERT_TRUE(ri.flags & VFIO_REGION_INFO_FLAG_READ);
	ASSERT_EQ(8, pread(self->be.fd, rbuf, 8, ri.offset));
	c = (void *)buf;
	c->off = 0;
	c->len = 8;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_CONFIG, c));
	ASSERT_EQ(0, memcmp(rbuf, c->buf, 8));
	ASSERT_EQ(0, memcmp(rbuf, "\x52\x54\x00\x12\x34\x56", 6));
	/* beyond the region, empty, and reads of write-only regions */
	ASSERT_EQ(-1, pread(self->be.fd, rbuf, 8, ri.offset + ri.size - 4));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->be.fd, rbuf, 4, self->be.iotlb_off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->be.fd, rbuf, 4, self->be.db_off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vv_find_region(self->be.fd,
				    VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &ri));
	ASSERT_EQ(3 * VV_PAGE, ri.size);
	/* the simulators have no notification area: no doorbell mmap */
	ASSERT_FALSE(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED,
				   self->be.fd, ri.offset));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-ENOENT, vv_find_region(self->be.fd, 99, &ri));
	/* the doorbell takes 2 or 4 bytes at the start of a page */
	ASSERT_EQ(-1, pwrite(self->be.fd, rbuf, 8, self->be.db_off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pwrite(self->be.fd, rbuf, 4, self->be.db_off + 2));
	ASSERT_EQ(EINVAL, errno);
	ri.index = 3;
	ri.argsz = sizeof(ri);
	ASSERT_EQ(-1, ioctl(self->be.fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	ASSERT_EQ(EINVAL, errno);
	/* a too small argsz gets the size it needs */
	ri.index = 0;
	ri.argsz = sizeof(ri);
	ASSERT_EQ(0, ioctl(self->be.fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	ASSERT_GT(ri.argsz, sizeof(ri));
	ASSERT_EQ(0, ri.cap_offset);

	ii.index = VHOST_VFIO_VRING_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->be.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	ASSERT_EQ(3, ii.count);
	ASSERT_TRUE(ii.flags & VFIO_IRQ_INFO_EVENTFD);
	ii.index = VHOST_VFIO_NUM_IRQS;
	ASSERT_EQ(-1, ioctl(self->be.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	ASSERT_EQ(EINVAL, errno);
	vv_set_irqs_all_or_nothing(_metadata, &self->be);
}

/* Every change the owner alone may make; 0 when each one got EPERM. */
static int vv_non_owner_changes(struct vv_be *be)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	char cbuf[sizeof(struct vhost_vdpa_config) + 4];
	struct vhost_vdpa_config *c = (void *)cbuf;
	struct vfio_irq_set *is = (void *)buf;
	struct vhost_vring_file f = { .index = 0 };
	struct vfio_region_info cfg = {};
	uint64_t u64v = VV_NET_FEATURES, page[512];
	uint32_t v = 0;
	uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	int efd = eventfd(0, EFD_CLOEXEC), bad = 0, n = 0;

	if (efd < 0 || vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG,
				      &cfg))
		return 100;
	f.fd = efd;
	c->off = 0;
	c->len = 4;
	memset(c->buf, 0, 4);
#define VV_EPERM(expr) do { n++; if ((expr) != -EPERM) bad = n; } while (0)
	VV_EPERM(vv_ioctl(be, VHOST_SET_FEATURES, &u64v));
	VV_EPERM(vv_ioctl(be, VHOST_VDPA_SET_STATUS, &st));
	VV_EPERM(vv_ioctl(be, VHOST_VDPA_SET_CONFIG, c));
	VV_EPERM(vv_ioctl(be, VHOST_SET_VRING_CALL, &f));
	VV_EPERM(vv_ioctl(be, VHOST_VDPA_SET_CONFIG_CALL, &efd));
	u64v = (uintptr_t)page;
	VV_EPERM(vv_ioctl(be, VHOST_SET_LOG_BASE, &u64v));
	VV_EPERM(vv_ioctl(be, VFIO_DEVICE_RESET, NULL));
	VV_EPERM(vv_map(be, VV_IOVA_BASE, page, VV_PAGE, VHOST_ACCESS_RW));
	VV_EPERM(pwrite(be->fd, &v, 4, cfg.offset) < 0 ? -errno : 0);
	VV_EPERM(pwrite(be->fd, &v, 4, be->db_off) < 0 ? -errno : 0);
	is->argsz = sizeof(buf);
	is->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->start = 0;
	is->count = 1;
	memcpy(is->data, &efd, sizeof(int32_t));
	is->index = VHOST_VFIO_VRING_IRQ_INDEX;
	VV_EPERM(vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is));
	is->index = VHOST_VFIO_CONFIG_IRQ_INDEX;
	VV_EPERM(vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is));
	/* triggering the owner's vectors, or tearing them down, too */
	is->argsz = sizeof(*is);
	is->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = VHOST_VFIO_VRING_IRQ_INDEX;
	VV_EPERM(vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is));
	is->count = 0;
	VV_EPERM(vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is));
#undef VV_EPERM
	close(efd);
	return bad;
}

/* The queries vhost-vdpa answers to anyone; 0 when each one worked. */
static int vv_queries(struct vv_be *be)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	char cbuf[sizeof(struct vhost_vdpa_config) + 6];
	struct vhost_vdpa_config *c = (void *)cbuf;
	struct vhost_vdpa_iova_range r;
	struct vfio_region_info cfg;
	uint64_t f, bf;
	uint32_t v32, id;
	uint16_t num;
	uint8_t st, mac[6];

	c->off = 0;
	c->len = 6;
	if (vv_ioctl(be, VHOST_GET_FEATURES, &f) ||
	    !(f & (1ULL << VIRTIO_F_VERSION_1)))
		return 1;
	if (vv_ioctl(be, VHOST_GET_BACKEND_FEATURES, &bf) ||
	    !(bf & (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2)))
		return 2;
	if (vv_ioctl(be, VHOST_VDPA_GET_DEVICE_ID, &id) || id != 1)
		return 3;
	if (vv_ioctl(be, VHOST_VDPA_GET_STATUS, &st))
		return 4;
	if (vv_ioctl(be, VHOST_VDPA_GET_CONFIG, c) ||
	    memcmp(c->buf, "\x52\x54\x00\x12\x34\x56", 6))
		return 5;
	if (vv_ioctl(be, VHOST_VDPA_GET_CONFIG_SIZE, &v32) || !v32)
		return 6;
	if (vv_ioctl(be, VHOST_VDPA_GET_VRING_NUM, &num) || !num)
		return 7;
	if (vv_ioctl(be, VHOST_VDPA_GET_VQS_COUNT, &v32) || v32 != 3)
		return 8;
	if (vv_ioctl(be, VHOST_VDPA_GET_GROUP_NUM, &v32) || v32 != 2)
		return 9;
	if (vv_ioctl(be, VHOST_VDPA_GET_AS_NUM, &v32) || v32 != 2)
		return 10;
	if (vv_ioctl(be, VHOST_VDPA_GET_IOVA_RANGE, &r) || r.first > r.last)
		return 11;
	if (vv_ioctl(be, VHOST_VFIO_GET_INFO, &info) || info.nvqs != 3)
		return 12;
	if (vv_find_region(be->fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG, &cfg) ||
	    pread(be->fd, mac, 6, cfg.offset) != 6 ||
	    memcmp(mac, "\x52\x54\x00\x12\x34\x56", 6))
		return 13;
	return 0;
}

TEST_F(net, owner_rules)
{
	struct vhost_vring_state s = { .index = 0 };
	uint8_t st;
	pid_t pid;
	int ret, wst;

	/* before VHOST_SET_OWNER: the queries, and nothing else */
	ASSERT_EQ(0, vv_queries(&self->be));
	ASSERT_EQ(0, vv_non_owner_changes(&self->be));
	ASSERT_EQ(-EPERM, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER));
	/* another process with the same fd (a forked child) is not the owner */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		ret = vv_queries(&self->be);
		if (!ret) {
			ret = vv_non_owner_changes(&self->be);
			ret = ret ? 50 + ret : 0;
		}
		if (!ret && vv_ioctl(&self->be, VHOST_SET_OWNER, NULL) != -EBUSY)
			ret = 99;
		_exit(ret);
	}
	ASSERT_EQ(pid, waitpid(pid, &wst, 0));
	ASSERT_TRUE(WIFEXITED(wst));
	EXPECT_EQ(0, WEXITSTATUS(wst)) TH_LOG("check %d failed in the child",
					      WEXITSTATUS(wst));
	/* the child's reset and status changes did not happen */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_STATUS, &st));
	ASSERT_EQ(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, st);
	/* the owner may reset */
	ASSERT_EQ(0, vv_ioctl(&self->be, VFIO_DEVICE_RESET, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_STATUS, &st));
	ASSERT_EQ(0, st);
	ASSERT_EQ(-ENOTTY, vv_ioctl(&self->be, _IO(VHOST_VIRTIO, 0xEE), NULL));
	/* the bridge's ioctls moved out of the vhost range */
	ASSERT_EQ(-ENOTTY, vv_ioctl(&self->be, _IO(VHOST_VIRTIO, 0xF0), NULL));
	ASSERT_EQ(-ENOTTY, vv_ioctl(&self->be, _IO(VHOST_VIRTIO, 0xF1), NULL));
	ASSERT_NE(VHOST_VIRTIO, _IOC_TYPE(VHOST_VFIO_GET_INFO));
	ASSERT_NE(VFIO_TYPE, _IOC_TYPE(VHOST_VFIO_LOG_SYNC));
}

TEST_F(net, feature_rules)
{
	uint64_t f, all;
	uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_FEATURES, &all));
	ASSERT_TRUE(all & (1ULL << VIRTIO_F_VERSION_1));
	ASSERT_FALSE(all & (1ULL << VIRTIO_F_ORDER_PLATFORM));
	f = all & ~(1ULL << VIRTIO_F_VERSION_1);
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	f = all & ~(1ULL << VIRTIO_F_ACCESS_PLATFORM);
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	f = all | (1ULL << VIRTIO_F_ORDER_PLATFORM);	/* not offered */
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	f = all | (1ULL << 50);
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	f = VV_NET_FEATURES;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_FEATURES_OK));
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	/* status bits only grow; 0 resets */
	s = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &s));
	s = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_STATUS, &s));
	ASSERT_EQ(0, s);
	/* backend features */
	f = 1ULL << 63;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &f));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_BACKEND_FEATURES, &f));
	ASSERT_TRUE(f & (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2));
	ASSERT_TRUE(f & (1ULL << VHOST_BACKEND_F_SUSPEND));
	ASSERT_EQ(-EFAULT, vv_ioctl(&self->be, VHOST_SET_FEATURES, (void *)8));
}

TEST_F(net, vring_and_config_errors)
{
	struct vhost_vring_state s = { .index = 3, .num = 256 };
	struct vhost_vring_addr a = { .index = 0 };
	struct vhost_vring_file f = { .index = 0, .fd = 0 };
	struct vhost_vdpa_config *c;
	char buf[sizeof(*c) + 8];
	struct vhost_vdpa_iova_range r;
	uint16_t max;
	int efd;

	ASSERT_EQ(0, vv_negotiate(&self->be, VV_NET_FEATURES));
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	s.index = 0xffffffff;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	s.index = 0;
	s.num = 0;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	s.num = 100;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_VRING_NUM, &max));
	/*
	 * vdpa_sim with batched maps (the default) has no get_vq_size: no
	 * answer, as from vhost-vdpa, rather than an invented one
	 */
	s.num = 0x5555;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_VDPA_GET_VRING_SIZE, &s));
	ASSERT_EQ(0x5555, s.num);
	s.num = max * 2;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	s.num = 0x10000;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	s.num = 2;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_VRING_ENABLE, &s));
	a.flags = 2;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_SET_VRING_ADDR, &a));
	a.flags = 0;
	a.desc_user_addr = 8;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_ADDR, &a));
	/* kick and call must be eventfds */
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_KICK, &f));
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_CALL, &f));
	f.fd = 9999;
	ASSERT_EQ(-EBADF, vv_ioctl(&self->be, VHOST_SET_VRING_KICK, &f));
	ASSERT_EQ(-EBADF, vv_ioctl(&self->be, VHOST_SET_VRING_CALL, &f));
	efd = eventfd(0, 0);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_CONFIG_CALL, &efd));
	f.fd = -1;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_KICK, &f));
	close(efd);
	/* config space bounds */
	c = (void *)buf;
	c->off = 0;
	c->len = 0;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_GET_CONFIG, c));
	c->off = 4096;
	c->len = 4;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_GET_CONFIG, c));
	c->off = 0xffffffff;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_CONFIG, c));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_IOVA_RANGE, &r));
	ASSERT_LT(r.first, r.last);
	/* group/ASID */
	s.index = 5;
	s.num = 0;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_GROUP_ASID, &s));
	s.index = 0;
	s.num = 7;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_GROUP_ASID, &s));
	/* after DRIVER_OK the ring layout is fixed */
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, false));
	s.index = 0;
	s.num = 64;
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
}

TEST_F(net, iotlb_errors)
{
	size_t len = 16 * VV_PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vhost_msg_v2 m;
	struct rlimit rl, small = { 8 * VV_PAGE, 8 * VV_PAGE };
	uint64_t bf;
	uint64_t iova = 0x100000;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	/* unaligned, empty, wrapping, bad permission, bad type */
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova + 1, p, VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova, p + 1, VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova, p, 100, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova, p, 0, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, -VV_PAGE, p, 2 * VV_PAGE,
				  VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova, p, VV_PAGE, 0));
	ASSERT_EQ(-EINVAL, vv_map(&self->be, iova, p, VV_PAGE, 4));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 0, 77, iova, VV_PAGE,
				    (uintptr_t)p, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 0, VHOST_IOTLB_INVALIDATE, iova, 0,
				    0, 0));
	/* unmapped user memory */
	ASSERT_EQ(-EFAULT, vv_map(&self->be, iova, (void *)VV_PAGE, VV_PAGE,
				  VHOST_ACCESS_RW));
	/* a second ASID needs the backend feature, and must exist */
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 1, VHOST_IOTLB_UPDATE, iova, VV_PAGE,
				    (uintptr_t)p, VHOST_ACCESS_RW));
	bf = (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
	     (1ULL << VHOST_BACKEND_F_IOTLB_ASID);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_iotlb(&self->be, 1, VHOST_IOTLB_UPDATE, iova, VV_PAGE,
			      (uintptr_t)p, VHOST_ACCESS_RW));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 2, VHOST_IOTLB_UPDATE, iova, VV_PAGE,
				    (uintptr_t)p, VHOST_ACCESS_RW));
	/* batches need their backend feature */
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0));
	bf |= 1ULL << VHOST_BACKEND_F_IOTLB_BATCH;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_iotlb(&self->be, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	ASSERT_EQ(-EBUSY, vv_iotlb(&self->be, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	ASSERT_EQ(0, vv_map(&self->be, iova, p, 4 * VV_PAGE, VHOST_ACCESS_RW));
	/* overlap */
	ASSERT_EQ(-EEXIST, vv_map(&self->be, iova + 3 * VV_PAGE, p, VV_PAGE,
				  VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_map(&self->be, iova + 4 * VV_PAGE, p + 4 * VV_PAGE,
			    4 * VV_PAGE, VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_iotlb(&self->be, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0));
	/*
	 * Invalidating one byte drops its whole entry: the update with a
	 * use_va device, the physically contiguous run holding the byte
	 * otherwise (which may be that page alone).
	 */
	ASSERT_EQ(0, vv_unmap(&self->be, iova + VV_PAGE, 1));
	if (vv_sim_use_va()) {
		ASSERT_EQ(0, vv_map(&self->be, iova, p, VV_PAGE, VHOST_ACCESS_RW));
	} else {
		ASSERT_EQ(0, vv_map(&self->be, iova + VV_PAGE, p + VV_PAGE, VV_PAGE,
				    VHOST_ACCESS_RW));
	}
	ASSERT_EQ(-EEXIST, vv_map(&self->be, iova + 4 * VV_PAGE, p, VV_PAGE,
				  VHOST_ACCESS_RW));
	/* message size and offset in the IOTLB region */
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(-1, pwrite(self->be.fd, &m, sizeof(m) - 1, self->be.iotlb_off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pwrite(self->be.fd, &m, 8, self->be.iotlb_off + 8));
	ASSERT_EQ(EINVAL, errno);
	m.type = 1;	/* VHOST_IOTLB_MSG (v1) is not taken */
	ASSERT_EQ(-1, pwrite(self->be.fd, &m, sizeof(m), self->be.iotlb_off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pwrite(self->be.fd, &m, sizeof(m), 7ULL << 40));
	ASSERT_EQ(EINVAL, errno);
	/* RLIMIT_MEMLOCK: pinned pages are charged */
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &small));
	ASSERT_EQ(-ENOMEM, vv_map(&self->be, 0x800000, p, 16 * VV_PAGE,
				  VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_unmap(&self->be, 0, ~0ULL));
	ASSERT_EQ(0, vv_iotlb(&self->be, 1, VHOST_IOTLB_INVALIDATE, 0, ~0ULL, 0, 0));
	ASSERT_EQ(0, vv_map(&self->be, 0x800000, p, 8 * VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(-ENOMEM, vv_map(&self->be, 0x900000, p + 8 * VV_PAGE, VV_PAGE,
				  VHOST_ACCESS_RW));
	/* (one page drops the whole update only where it is one entry) */
	ASSERT_EQ(0, vv_unmap(&self->be, 0x800000,
			      vv_sim_use_va() ? VV_PAGE : 8 * VV_PAGE));
	ASSERT_EQ(0, vv_map(&self->be, 0x900000, p + 8 * VV_PAGE, 8 * VV_PAGE,
			    VHOST_ACCESS_RW));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	munmap(p, len);
}

/* Every new struct: short, long with zero tail, long with junk, flags. */
TEST_F(net, struct_extensibility)
{
	struct {
		struct vhost_vfio_info info;
		uint8_t tail[16];
	} big;
	struct {
		struct vhost_vfio_log_sync ls;
		uint8_t tail[8];
	} lbig;
	struct vhost_vfio_info info;
	struct vhost_vfio_log_sync ls;
	uint32_t tiny[2] = { 8, 0 };
	uint64_t f = VV_NET_FEATURES | (1ULL << VHOST_F_LOG_ALL);
	uint64_t log[64] = {};
	uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
	/* oldest userspace: only size and flags */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, tiny));
	ASSERT_EQ(sizeof(info), tiny[0]);
	/* a truncated struct gets what fits */
	memset(&info, 0xaa, sizeof(info));
	info.size = offsetof(struct vhost_vfio_info, features);
	info.flags = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(1, info.device_id);
	ASSERT_EQ(0xaaaaaaaaaaaaaaaaULL, info.features);
	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &big));
	ASSERT_EQ(3, big.info.nvqs);
	ASSERT_EQ(sizeof(info), big.info.size);	/* the kernel's size back */
	big.info.size = sizeof(big);
	big.tail[15] = 1;
	ASSERT_EQ(-E2BIG, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &big));
	big.tail[15] = 0;
	big.info.flags = 1;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &big));
	info.size = 4;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(-EFAULT, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, NULL));

	/* LOG_SYNC: needs LOG_ALL and a base */
	memset(&ls, 0, sizeof(ls));
	ls.size = sizeof(ls);
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &ls));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	f = (uintptr_t)log;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &f));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &ls));
	ASSERT_EQ(0, ls.marked);
	ls.size = offsetof(struct vhost_vfio_log_sync, marked);
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &ls));
	memset(&lbig, 0, sizeof(lbig));
	lbig.ls.size = sizeof(lbig);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &lbig));
	lbig.tail[0] = 1;
	ASSERT_EQ(-E2BIG, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &lbig));
	lbig.tail[0] = 0;
	lbig.ls.flags = 0x80000000;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &lbig));
	lbig.ls.flags = 0;
	lbig.ls.iova = ~0ULL;
	lbig.ls.length = 2;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &lbig));
}

/* The device writes only RX buffers and the used rings: log exactly those. */
TEST_F(net, dirty_log)
{
	uint64_t f = VV_NET_FEATURES | (1ULL << VHOST_F_LOG_ALL);
	size_t nbits = (VV_IOVA_BASE >> 12) + 4096;
	uint8_t *log = calloc(nbits / 8, 1);
	struct vhost_vfio_log_sync ls = { .size = sizeof(ls) };
	uint64_t base = (uintptr_t)log, b, rx_first, rx_last, tx_first;
	uint64_t expect;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, vv_negotiate(&self->be, f));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &base));
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, false));
	ASSERT_EQ(0, vv_loop(&self->n, 1, 16, 200));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &ls));

	rx_first = vv_iova(&self->n.mem, vv_net_rxbuf(&self->n, 0)) >> 12;
	rx_last = rx_first + (VV_QSZ * VV_BUFSZ) / 4096 - 1;
	tx_first = vv_iova(&self->n.mem, vv_net_txbuf(&self->n, 0)) >> 12;
	/* rings (RW) + RX buffers (WO) are writable; TX buffers (RO) not */
	expect = self->n.mem.ring_len / 4096 + (rx_last - rx_first + 1);
	ASSERT_EQ(expect, ls.marked);
	for (b = VV_IOVA_BASE >> 12; b < (VV_IOVA_BASE + self->n.mem.len) >> 12; b++) {
		bool set = log[b / 8] & (1 << (b % 8));
		bool want = b < tx_first;

		ASSERT_EQ(want, set) TH_LOG("page %llx", (unsigned long long)b);
	}
	/* nothing outside the mapped range */
	ASSERT_EQ(0, log[0]);
	ASSERT_EQ(0, log[(VV_IOVA_BASE >> 12) / 8 - 1]);

	/* a range restricts it; invalidating a writable entry logs it */
	memset(log, 0, nbits / 8);
	ls.iova = vv_iova(&self->n.mem, vv_net_rxbuf(&self->n, 0));
	ls.length = 4096;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_LOG_SYNC, &ls));
	ASSERT_EQ(1, ls.marked);
	ASSERT_TRUE(log[rx_first / 8] & (1 << (rx_first % 8)));
	memset(log, 0, nbits / 8);
	ASSERT_EQ(0, vv_unmap(&self->be, ls.iova, 1));
	/* the entry: the whole update, or the physical run holding the byte */
	for (b = rx_first; b <= (vv_sim_use_va() ? rx_last : rx_first); b++)
		ASSERT_TRUE(log[b / 8] & (1 << (b % 8)));
	ASSERT_FALSE(log[tx_first / 8] & (1 << (tx_first % 8)));
	free(log);
}

TEST_F(net, suspend_resume)
{
	struct vhost_vring_state s = { .index = 1 };
	uint16_t tx0;

	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	ASSERT_EQ(0, vv_loop(&self->n, 1, 10, 100));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SUSPEND, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(10, s.num);
	s.index = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(10, s.num);
	/* suspended: a kick makes no progress */
	tx0 = vv_used_idx(&self->n.tx);
	vv_net_post_rx(&self->n, 4);
	ASSERT_EQ(0, vv_net_send(&self->n, 100, 4, 100));
	ASSERT_EQ(-ETIMEDOUT, vv_wait_used(&self->n.tx, tx0 + 4, 300));
	ASSERT_EQ(tx0, vv_used_idx(&self->n.tx));
	/* resumed: the pending frames go, then more */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_RESUME, NULL));
	ASSERT_EQ(0, vv_kick(&self->be, &self->n.tx, false));
	ASSERT_EQ(0, vv_wait_used(&self->n.rx, 14, 5000));
	ASSERT_EQ(0, vv_net_check_rx(&self->n, 13, 103, 100));
	ASSERT_EQ(0, vv_loop(&self->n, 200, 10, 100));
}

/* Resume after a migration sets vring address and base on a suspended device. */
TEST_F(net, vring_settable_while_suspended)
{
	struct vhost_vring_state s = { .index = 1 };
	struct vhost_vring_addr a = {
		.index = 1,
		.desc_user_addr = 0, /* set below */
	};

	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	a.desc_user_addr = self->n.tx.desc_iova;
	a.avail_user_addr = self->n.tx.avail_iova;
	a.used_user_addr = self->n.tx.used_iova;
	ASSERT_EQ(0, vv_loop(&self->n, 1, 10, 100));
	/* running: fixed */
	s.num = 10;
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_ADDR, &a));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SUSPEND, NULL));
	/* suspended: settable, and the device takes the base */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_ADDR, &a));
	s.num = 7;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(7, s.num);
	s.num = 10;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	/* the size stays fixed after DRIVER_OK */
	s.num = 64;
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_RESUME, NULL));
	s.num = 10;
	ASSERT_EQ(-EBUSY, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_loop(&self->n, 100, 10, 100));
}

/* VHOST_BACKEND_F_IOTLB_PERSIST: a reset keeps the mappings, as vhost-vdpa. */
TEST_F(net, iotlb_persist_keeps_mappings_over_reset)
{
	uint64_t bf, f = VV_NET_FEATURES;
	uint8_t st = 0, *p;
	uint16_t base;

	ASSERT_EQ(0, vv_negotiate(&self->be, VV_NET_FEATURES));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_BACKEND_FEATURES, &bf));
	/* vdpa_sim has reset_map: vhost-vdpa offers it there too */
	ASSERT_TRUE(bf & (1ULL << VHOST_BACKEND_F_IOTLB_PERSIST));

	/* without it, a reset drops every mapping: the same map succeeds */
	p = mmap(NULL, VV_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, p, VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, p, VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));

	/* with it: the mappings stay; the device works without a new map */
	bf &= (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
	      (1ULL << VHOST_BACKEND_F_IOTLB_PERSIST);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_FEATURES_OK));
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, false));
	ASSERT_EQ(0, vv_loop(&self->n, 1, 16, 100));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));
	ASSERT_EQ(-EEXIST, vv_map(&self->be, VV_IOVA_BASE, self->n.mem.base,
				  VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_FEATURES, &f));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_FEATURES_OK));
	base = self->n.tx.avail_idx;
	ASSERT_EQ(0, vv_vq_start(&self->be, &self->n.rx, self->n.irqs, base));
	ASSERT_EQ(0, vv_vq_start(&self->be, &self->n.tx, self->n.irqs, base));
	ASSERT_EQ(0, vv_add_status(&self->be, VIRTIO_CONFIG_S_DRIVER_OK));
	ASSERT_EQ(0, vv_loop(&self->n, 100, 16, 100));

	/* VFIO_DEVICE_RESET is the same reset; without the feature, all goes */
	bf &= ~(1ULL << VHOST_BACKEND_F_IOTLB_PERSIST);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_ioctl(&self->be, VFIO_DEVICE_RESET, NULL));
	ASSERT_EQ(0, vv_map(&self->be, VV_IOVA_BASE, self->n.mem.base,
			    VV_PAGE, VHOST_ACCESS_RW));
	munmap(p, VV_PAGE);
}

/* A suspend before DRIVER_OK succeeds, as on vhost-vdpa, and logs. */
TEST_F(net, suspend_before_driver_ok_logs)
{
	uint64_t f = VV_NET_FEATURES | (1ULL << VHOST_F_LOG_ALL);
	uint8_t log[64] = {}, *p;
	uint64_t base = (uintptr_t)log, page = 0x40;	/* IOVA 0x40000 */

	p = mmap(NULL, 2 * VV_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vv_negotiate(&self->be, f));
	ASSERT_EQ(0, vv_map(&self->be, page << 12, p, VV_PAGE, VHOST_ACCESS_WO));
	ASSERT_EQ(0, vv_map(&self->be, (page + 1) << 12, p + VV_PAGE, VV_PAGE,
			    VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &base));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SUSPEND, NULL));
	ASSERT_EQ(1, log[page / 8]);	/* the writable page, not the other */
	memset(log, 0, sizeof(log));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_RESUME, NULL));
	ASSERT_EQ(0, log[page / 8]);
	munmap(p, 2 * VV_PAGE);
}

/* The highest user address + 1 (47 or 56 bits on x86-64). */
static uint64_t vv_user_top(void)
{
	void *hint = (void *)(1ULL << 50);
	void *m = mmap(hint, VV_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (m == MAP_FAILED)
		return 1ULL << 47;
	munmap(m, VV_PAGE);
	return m == hint ? 1ULL << 56 : 1ULL << 47;
}

/* The log of every device-writable mapping must be in user space. */
TEST_F(net, log_base_covers_writable_mappings)
{
	uint64_t top = vv_user_top(), base;
	uint8_t *p = mmap(NULL, VV_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vv_negotiate(&self->be, VV_NET_FEATURES |
				  (1ULL << VHOST_F_LOG_ALL)));
	/* IOVA 2^55: its log bit is in byte 2^40 of the log */
	ASSERT_EQ(0, vv_map(&self->be, 1ULL << 55, p, VV_PAGE, VHOST_ACCESS_RW));
	/* the base itself is a user address, its byte 2^40 is not */
	base = top - (1ULL << 40);
	ASSERT_EQ(-EFAULT, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &base));
	base = top - (1ULL << 41);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &base));
	/* with that base, a writable page at 2^56 is refused, a read-only one not */
	ASSERT_EQ(-EFAULT, vv_map(&self->be, 1ULL << 56, p, VV_PAGE,
				  VHOST_ACCESS_WO));
	ASSERT_EQ(0, vv_map(&self->be, 1ULL << 56, p, VV_PAGE, VHOST_ACCESS_RO));
	/* no log: anything goes; 0 clears it */
	base = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_LOG_BASE, &base));
	ASSERT_EQ(0, vv_map(&self->be, (1ULL << 56) + VV_PAGE, p, VV_PAGE,
			    VHOST_ACCESS_WO));
	munmap(p, VV_PAGE);
}

/* Suspend on one instance, read the bases, resume on another device. */
TEST_F(net, migrate_to_second_instance)
{
	struct vhost_vring_state s = { .index = 1 };
	struct vv_be be1;
	struct vv_net n1;
	uint16_t base;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", NET1, UUID_NET1));
	ASSERT_EQ(0, vv_net_setup(&self->n, &self->be, 0, true));
	ASSERT_EQ(0, vv_loop(&self->n, 1, 20, 128));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SUSPEND, NULL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	base = s.num;
	ASSERT_EQ(20, base);

	/* the peer shares our memory (same process): keep the rings */
	ASSERT_EQ(0, vv_be_open_vfio(&be1, UUID_NET1));
	n1 = self->n;
	n1.rx.kick = -1;
	n1.rx.call = -1;
	n1.tx.kick = -1;
	n1.tx.call = -1;
	ASSERT_EQ(0, vv_negotiate(&be1, VV_NET_FEATURES));
	n1.be = &be1;
	ASSERT_EQ(0, vv_net_map(&n1));
	{
		struct vv_vq rx = n1.rx, tx = n1.tx;

		ASSERT_EQ(0, vv_vq_start(&be1, &n1.rx, false, base));
		ASSERT_EQ(0, vv_vq_start(&be1, &n1.tx, false, base));
		/* the ring contents stay as the first device left them */
		ASSERT_EQ(rx.used->idx, n1.rx.used->idx);
		ASSERT_EQ(tx.used->idx, n1.tx.used->idx);
	}
	ASSERT_EQ(0, vv_add_status(&be1, VIRTIO_CONFIG_S_DRIVER_OK));
	/* the first instance is independent and stays suspended */
	ASSERT_EQ(0, vv_loop(&n1, 500, 30, 128));
	ASSERT_EQ(50, vv_used_idx(&n1.tx));
	ASSERT_EQ(0, vv_ioctl(&be1, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(50, s.num);
	s.index = 1;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(20, s.num);
	vv_vq_close(&n1.rx);
	vv_vq_close(&n1.tx);
	vv_be_close(&be1);
}

TEST(feature_mask_sysfs)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	char buf[64];
	uint64_t f, mask;
	struct vv_be be;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", NET1, UUID_NET1));
	ASSERT_EQ(0, vv_mdev_attr(UUID_NET1, "feature_mask", buf, sizeof(buf), NULL));
	ASSERT_EQ(~0ULL, strtoull(buf, NULL, 0));
	/* VERSION_1 and ACCESS_PLATFORM cannot be hidden */
	ASSERT_EQ(-EINVAL, vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0,
					"0xfffffffeffffffff"));
	ASSERT_EQ(-EINVAL, vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0,
					"0xfffffffdffffffff"));
	ASSERT_EQ(-EINVAL, vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0, "junk"));
	mask = ~(1ULL << VIRTIO_NET_F_MAC);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)mask);
	ASSERT_EQ(0, vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0, buf));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_NET1));
	/* not while open */
	ASSERT_EQ(-EBUSY,
		  vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0, "0xffffffffffffffff"));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_GET_FEATURES, &f));
	ASSERT_FALSE(f & (1ULL << VIRTIO_NET_F_MAC));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(mask, info.feature_mask);
	ASSERT_TRUE(info.device_features & (1ULL << VIRTIO_NET_F_MAC));
	f = VV_NET_FEATURES;
	ASSERT_EQ(-EINVAL, vv_ioctl(&be, VHOST_SET_FEATURES, &f));
	f &= ~(1ULL << VIRTIO_NET_F_MAC);
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_FEATURES, &f));
	vv_be_close(&be);
	ASSERT_EQ(0, vv_mdev_attr(UUID_NET1, "feature_mask", NULL, 0,
				  "0xffffffffffffffff"));
}

#define AVAIL_CTL	\
	"/sys/bus/vdpa/devices/vvctl/mdev_supported_types/vhost_vfio-vhost-vfio/available_instances"

#define MDEVCTL_DIRS	\
	"mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers"

/* mdevctl creates and removes instances as for any mdev parent. */
TEST(mdevctl_lifecycle)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	char avail[16];
	struct vv_be be;

	if (system("command -v mdevctl >/dev/null 2>&1"))
		SKIP(return, "no mdevctl");
	/* mdevctl wants its configuration directory, even for start/stop */
	if (system(MDEVCTL_DIRS))
		SKIP(return, "cannot create /etc/mdevctl.d");
	if (!vu_exists("/etc/mdevctl.d/scripts.d/callouts"))
		SKIP(return, "no /etc/mdevctl.d and cannot create it");
	ASSERT_EQ(0, vv_vdpa_add("vdpasim_net", "vvctl", "vhost_vfio"));
	ASSERT_EQ(0, vv_read_file(AVAIL_CTL, avail, sizeof(avail)));
	ASSERT_EQ(1, atoi(avail));
	ASSERT_EQ(0, system("mdevctl start -u " UUID_CTL
			    " -p vvctl -t vhost_vfio-vhost-vfio"));
	ASSERT_TRUE(vu_exists("/sys/bus/mdev/devices/" UUID_CTL));
	ASSERT_EQ(0, system("mdevctl list | grep -q " UUID_CTL));
	ASSERT_EQ(0, vv_read_file(AVAIL_CTL, avail, sizeof(avail)));
	ASSERT_EQ(0, atoi(avail));
	/* a second instance on the same vDPA device is refused */
	ASSERT_NE(0, vv_mdev_create("vvctl", UUID_GONE));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_CTL));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(1, info.device_id);
	vv_be_close(&be);
	ASSERT_EQ(0, system("mdevctl stop -u " UUID_CTL));
	ASSERT_FALSE(vu_exists("/sys/bus/mdev/devices/" UUID_CTL));
	ASSERT_EQ(0, vv_vdpa_del("vvctl"));
}

/* The mdev and its vDPA device go away under an open fd. */
struct vv_remover {
	char cmd[160];
	int ret;
};

static void *vv_remove_thread(void *arg)
{
	struct vv_remover *r = arg;

	r->ret = system(r->cmd);
	return NULL;
}

static void vv_removal(struct __test_metadata *_metadata, bool whole_vdpa)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;
	struct vv_remover r = { .ret = -1 };
	struct pollfd p = { .events = POLLIN };
	struct vv_be be;
	struct vv_net n = {};
	pthread_t th;
	uint64_t f;
	int req;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", "vvgone", UUID_GONE));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_GONE));
	ASSERT_EQ(0, vv_net_setup(&n, &be, 0, true));
	ASSERT_EQ(0, vv_loop(&n, 1, 4, 64));
	req = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(req, 0);
	is->argsz = sizeof(buf);
	is->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = VHOST_VFIO_REQ_IRQ_INDEX;
	is->start = 0;
	is->count = 1;
	memcpy(is->data, &req, sizeof(int32_t));
	ASSERT_EQ(0, vv_ioctl(&be, VFIO_DEVICE_SET_IRQS, is));

	/* delete the vDPA device (its mdev goes) or just the mdev */
	if (whole_vdpa)
		snprintf(r.cmd, sizeof(r.cmd), "vdpa dev del vvgone");
	else
		snprintf(r.cmd, sizeof(r.cmd),
			 "echo 1 > /sys/bus/mdev/devices/%s/remove", UUID_GONE);
	ASSERT_EQ(0, pthread_create(&th, NULL, vv_remove_thread, &r));
	p.fd = req;
	ASSERT_EQ(1, poll(&p, 1, 20000));
	/* userspace gets errors, not hangs */
	ASSERT_EQ(-ENODEV, vv_ioctl(&be, VHOST_GET_FEATURES, &f));
	ASSERT_EQ(-ENODEV, vv_map(&be, 0x1000000, n.mem.base, VV_PAGE,
				  VHOST_ACCESS_RW));
	ASSERT_EQ(-1, pread(be.fd, buf, 4, 0));
	ASSERT_EQ(ENODEV, errno);
	vv_be_close(&be);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(whole_vdpa, !vu_exists("/sys/bus/vdpa/devices/vvgone"));
	ASSERT_FALSE(vu_exists("/sys/bus/mdev/devices/" UUID_GONE));
	close(req);
	vv_net_close(&n);
	if (!whole_vdpa) {
		/* the parent still works: a new instance moves frames */
		ASSERT_EQ(0, vv_prepare("vdpasim_net", "vvgone", UUID_GONE));
		ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_GONE));
		ASSERT_EQ(0, vv_net_setup(&n, &be, 0, true));
		ASSERT_EQ(0, vv_loop(&n, 1, 4, 64));
		vv_net_close(&n);
		vv_be_close(&be);
		ASSERT_EQ(0, vv_vdpa_del("vvgone"));
	}
}

TEST(removal_of_mdev_under_open_fd)
{
	vv_removal(_metadata, false);
}

TEST(removal_of_vdpa_device_under_open_fd)
{
	vv_removal(_metadata, true);
}

/* vdpa_sim_blk: write sectors, read them back. */
struct vv_blk_req {
	struct virtio_blk_outhdr hdr;
	uint8_t status;
};

static int vv_blk_io(struct vv_be *be, struct vv_mem *m, struct vv_vq *q,
		     uint32_t type, uint64_t sector, uint8_t *data, size_t len)
{
	struct vv_blk_req *r = (void *)vv_buf(m, 0);
	uint64_t iova[3] = { vv_iova(m, &r->hdr), vv_iova(m, data),
			     vv_iova(m, &r->status) };
	uint32_t lens[3] = { sizeof(r->hdr), len, 1 };
	bool wr[3] = { false, type == VIRTIO_BLK_T_IN, true };
	uint16_t u0 = vv_used_idx(q);
	int ret;

	r->hdr.type = type;
	r->hdr.ioprio = 0;
	r->hdr.sector = sector;
	r->status = 0xff;
	vv_vq_add_chain(q, iova, lens, wr, 3);
	vv_vq_publish(q);
	ret = vv_kick(be, q, false);
	if (ret)
		return ret;
	ret = vv_wait_used(q, u0 + 1, 5000);
	if (ret)
		return ret;
	return r->status == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

TEST(blk_write_read_back)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	struct vv_be be;
	struct vv_mem m;
	struct vv_vq q;
	uint8_t *wbuf, *rbuf;
	uint64_t cap = 0;
	size_t i, len = 8 * 512;

	ASSERT_EQ(0, vv_prepare("vdpasim_blk", BLK0, UUID_BLK0));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_BLK0));
	ASSERT_EQ(0, vv_negotiate(&be, (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_F_ACCESS_PLATFORM)));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(2, info.device_id);
	{
		struct vfio_region_info ri = {};

		ASSERT_EQ(0, vv_find_region(be.fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG,
					    &ri));
		ASSERT_EQ(8, pread(be.fd, &cap, 8, ri.offset));
		ASSERT_EQ(0x40000, cap);
	}
	ASSERT_EQ(0, vv_mem_alloc(&m, 1, 4 * VV_PAGE + 2 * len));
	ASSERT_EQ(0, vv_map(&be, VV_IOVA_BASE, m.base, m.len, VHOST_ACCESS_RW));
	vv_vq_layout(&m, &q, 0, 0, 128);
	ASSERT_EQ(0, vv_vq_start(&be, &q, false, 0));
	ASSERT_EQ(0, vv_add_status(&be, VIRTIO_CONFIG_S_DRIVER_OK));
	wbuf = vv_buf(&m, VV_PAGE);
	rbuf = wbuf + len;
	for (i = 0; i < len; i++)
		wbuf[i] = (uint8_t)(i * 13 + 5);
	ASSERT_EQ(0, vv_blk_io(&be, &m, &q, VIRTIO_BLK_T_OUT, 100, wbuf, len));
	ASSERT_EQ(0, vv_blk_io(&be, &m, &q, VIRTIO_BLK_T_IN, 100, rbuf, len));
	ASSERT_EQ(0, memcmp(wbuf, rbuf, len));
	/* a different sector reads different (zero) data */
	ASSERT_EQ(0, vv_blk_io(&be, &m, &q, VIRTIO_BLK_T_IN, 5000, rbuf, len));
	ASSERT_NE(0, memcmp(wbuf, rbuf, len));
	/* past the end: the device reports an error */
	ASSERT_EQ(-EIO, vv_blk_io(&be, &m, &q, VIRTIO_BLK_T_IN, cap, rbuf, len));
	vv_vq_close(&q);
	vv_be_close(&be);
	munmap(m.base, m.len);
}

/* ---- a second address space: the CVQ of vdpa_sim_net in ASID 1 ---------- */

#define NETAS		"vvnetas"
#define UUID_NETAS	"8f0b6a52-1f05-4e6a-9a3e-00000000000a"
#define VV_CVQ_FEATURES	(VV_NET_FEATURES | (1ULL << VIRTIO_NET_F_CTRL_VQ) | \
			 (1ULL << VIRTIO_NET_F_CTRL_MAC_ADDR))

/* The control queue: its ring and one page of buffers, in its own memory. */
struct vv_cvq {
	struct vv_mem mem;
	struct vv_vq q;
	uint64_t shift;		/* IOVA = vv_iova() + shift */
};

/* Allocate the CVQ's memory and map it in address space @asid at @iova. */
static int vv_cvq_init(struct vv_be *be, struct vv_cvq *c, uint32_t asid,
		       uint64_t iova)
{
	int ret = vv_mem_alloc(&c->mem, 1, VV_PAGE);

	if (ret)
		return ret;
	c->shift = iova - VV_IOVA_BASE;
	vv_vq_layout(&c->mem, &c->q, 0, 2, 64);
	c->q.desc_iova += c->shift;
	c->q.avail_iova += c->shift;
	c->q.used_iova += c->shift;
	return vv_iotlb(be, asid, VHOST_IOTLB_UPDATE, iova, c->mem.len,
			(uintptr_t)c->mem.base, VHOST_ACCESS_RW);
}

static void vv_cvq_close(struct vv_cvq *c)
{
	vv_vq_close(&c->q);
	if (c->mem.base)
		munmap(c->mem.base, c->mem.len);
	c->mem.base = NULL;
}

/*
 * VIRTIO_NET_CTRL_MAC_ADDR_SET as a driver sends it: header, MAC, ack, in
 * three descriptors.  Returns 0 with the ack byte in @ack, or -errno
 * (-ETIMEDOUT when the device did not use the buffer within @ms).
 */
static int vv_cvq_set_mac(struct vv_be *be, struct vv_cvq *c,
			  const uint8_t *mac, uint8_t *ack, int ms)
{
	uint8_t *b = vv_buf(&c->mem, 0);
	struct virtio_net_ctrl_hdr *h = (void *)b;
	uint64_t iova[3] = { vv_iova(&c->mem, b) + c->shift,
			     vv_iova(&c->mem, b + 16) + c->shift,
			     vv_iova(&c->mem, b + 64) + c->shift };
	uint32_t len[3] = { sizeof(*h), 6, 1 };
	bool wr[3] = { false, false, true };
	uint16_t u0 = vv_used_idx(&c->q);
	int ret;

	h->class = VIRTIO_NET_CTRL_MAC;
	h->cmd = VIRTIO_NET_CTRL_MAC_ADDR_SET;
	memcpy(b + 16, mac, 6);
	b[64] = 0xff;
	vv_vq_add_chain(&c->q, iova, len, wr, 3);
	vv_vq_publish(&c->q);
	ret = vv_kick(be, &c->q, false);
	if (ret)
		return ret;
	ret = vv_wait_used(&c->q, u0 + 1, ms);
	if (ret)
		return ret;
	if (c->q.used->ring[u0 % c->q.num].len != 1)
		return -EMSGSIZE;
	*ack = b[64];
	return 0;
}

static int vv_get_mac(struct vv_be *be, uint8_t *mac)
{
	char buf[sizeof(struct vhost_vdpa_config) + 6];
	struct vhost_vdpa_config *c = (void *)buf;
	int ret;

	c->off = 0;
	c->len = 6;
	ret = vv_ioctl(be, VHOST_VDPA_GET_CONFIG, c);
	if (!ret)
		memcpy(mac, c->buf, 6);
	return ret;
}

/*
 * The new address differs from the old one in its first byte: vdpa_sim_net's
 * receive filter compares addresses with strncmp(), so two addresses that
 * agree up to a zero byte (52:54:00:...) would both pass it.
 */
static const uint8_t vv_mac2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

TEST(asid_cvq_in_second_address_space)
{
	static const uint8_t mac0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint8_t *mac2 = vv_mac2;
	struct vhost_vring_state s;
	struct vv_net n = {};
	struct vv_cvq c = {};
	struct vv_be be;
	uint8_t mac[6], ack;
	uint32_t v32;
	uint64_t bf;
	uint16_t rx0;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", NETAS, UUID_NETAS));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_NETAS));
	/* vv_negotiate() acks IOTLB_ASID when offered; it must be */
	ASSERT_EQ(0, vv_negotiate(&be, VV_CVQ_FEATURES));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_GET_BACKEND_FEATURES, &bf));
	ASSERT_TRUE(bf & (1ULL << VHOST_BACKEND_F_IOTLB_ASID));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VDPA_GET_GROUP_NUM, &v32));
	ASSERT_EQ(2, v32);
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VDPA_GET_AS_NUM, &v32));
	ASSERT_EQ(2, v32);
	/* RX and TX in group 0, the CVQ alone in group 1 */
	for (s.index = 0; s.index < 3; s.index++) {
		uint32_t q = s.index;

		s.num = 99;
		ASSERT_EQ(0, vv_ioctl(&be, VHOST_VDPA_GET_VRING_GROUP, &s));
		ASSERT_EQ(q, s.index);
		ASSERT_EQ(q == 2 ? 1 : 0, s.num);
	}
	ASSERT_EQ(-EINVAL, vv_ioctl(&be, VHOST_VDPA_GET_VRING_GROUP, &s));
	s.index = 2;	/* no group 2 */
	s.num = 1;
	ASSERT_EQ(-EINVAL, vv_ioctl(&be, VHOST_VDPA_SET_GROUP_ASID, &s));
	s.index = 1;	/* no address space 2 */
	s.num = 2;
	ASSERT_EQ(-EINVAL, vv_ioctl(&be, VHOST_VDPA_SET_GROUP_ASID, &s));
	/* an IOTLB message for address space 2 */
	ASSERT_EQ(-EINVAL, vv_iotlb(&be, 2, VHOST_IOTLB_UPDATE, VV_IOVA_BASE,
				    VV_PAGE, (uintptr_t)&bf, VHOST_ACCESS_RO));
	s.num = 1;
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VDPA_SET_GROUP_ASID, &s));

	/*
	 * The CVQ's ring and buffers at the very IOVAs the data queues use in
	 * address space 0, but mapped in address space 1 only: a device that
	 * looked in the wrong space would read the RX ring as commands.
	 */
	ASSERT_EQ(0, vv_cvq_init(&be, &c, 1, VV_IOVA_BASE));
	ASSERT_EQ(0, vv_vq_start(&be, &c.q, false, 0));
	ASSERT_EQ(0, vv_net_setup(&n, &be, 0, false));
	ASSERT_EQ(0, memcmp(n.mac, mac0, 6));
	ASSERT_EQ(0, vv_loop(&n, 1, 8, 60 + VV_NET_HDR));

	ASSERT_EQ(0, vv_cvq_set_mac(&be, &c, mac2, &ack, vv_wait_ms));
	ASSERT_EQ(VIRTIO_NET_OK, ack);
	ASSERT_EQ(0, vv_get_mac(&be, mac));
	ASSERT_EQ(0, memcmp(mac, mac2, 6));
	/* the ASID 0 memory was not touched by the command */
	ASSERT_EQ(0, vv_used_idx(&n.rx) - 8);

	/* the data queues in ASID 0 follow the new address... */
	memcpy(n.mac, mac2, 6);
	ASSERT_EQ(0, vv_loop(&n, 100, 8, 60 + VV_NET_HDR));
	/* ...and a frame to the old one is sent but filtered, not received */
	memcpy(n.mac, mac0, 6);
	rx0 = vv_used_idx(&n.rx);
	vv_net_post_rx(&n, 1);
	ASSERT_EQ(0, vv_net_send(&n, 200, 1, 60 + VV_NET_HDR));
	ASSERT_EQ(0, vv_wait_used(&n.tx, n.tx.avail_idx, vv_wait_ms));
	ASSERT_EQ(rx0, vv_used_idx(&n.rx));

	/* put the address back: a second command on the same queue */
	ASSERT_EQ(0, vv_cvq_set_mac(&be, &c, mac0, &ack, vv_wait_ms));
	ASSERT_EQ(VIRTIO_NET_OK, ack);
	ASSERT_EQ(0, vv_get_mac(&be, mac));
	ASSERT_EQ(0, memcmp(mac, mac0, 6));

	vv_cvq_close(&c);
	vv_net_close(&n);
	vv_be_close(&be);
}

TEST(asid_cvq_left_in_first_address_space)
{
	struct vv_net n = {};
	struct vv_cvq c = {};
	struct vv_be be;
	uint8_t mac0[6], mac[6], ack = 0x55;

	ASSERT_EQ(0, vv_prepare("vdpasim_net", NETAS, UUID_NETAS));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_NETAS));
	ASSERT_EQ(0, vv_negotiate(&be, VV_CVQ_FEATURES));
	ASSERT_EQ(0, vv_get_mac(&be, mac0));
	/*
	 * CVQ memory mapped in ASID 1 only, at IOVAs nothing uses in ASID 0,
	 * and its group left in ASID 0: the device cannot reach its ring.
	 */
	ASSERT_EQ(0, vv_cvq_init(&be, &c, 1, 2 * VV_IOVA_BASE));
	ASSERT_EQ(0, vv_vq_start(&be, &c.q, false, 0));
	ASSERT_EQ(0, vv_net_setup(&n, &be, 0, false));
	ASSERT_EQ(-ETIMEDOUT, vv_cvq_set_mac(&be, &c, vv_mac2, &ack, 500));
	ASSERT_EQ(0x55, ack);
	ASSERT_EQ(0xff, vv_buf(&c.mem, 0)[64]);
	ASSERT_EQ(0, vv_get_mac(&be, mac));
	ASSERT_EQ(0, memcmp(mac, mac0, 6));
	/* the data queues still work */
	ASSERT_EQ(0, vv_loop(&n, 1, 8, 60 + VV_NET_HDR));
	vv_cvq_close(&c);
	vv_net_close(&n);
	vv_be_close(&be);
}

/* ---- the test vDPA parent: doorbell mmap, kicks, config interrupts ------ */

#define TD0		"vvtest0"
#define UUID_TD0	"8f0b6a52-1f05-4e6a-9a3e-00000000000d"
#define UUID_TGONE	"8f0b6a52-1f05-4e6a-9a3e-00000000000e"
#define VVT_OFF(f)	offsetof(struct vvt_config, f)

FIXTURE(testdev) {
	struct vv_be be;
	struct vfio_region_info cfg, db;
};

FIXTURE_SETUP(testdev)
{
	/* loaded by modules.list in the VM; try anyway elsewhere */
	if (system("modprobe -q vhost_vfio_testdev"))
		TH_LOG("modprobe vhost_vfio_testdev failed");
	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, TD0, UUID_TD0));
	ASSERT_EQ(0, vv_be_open_vfio(&self->be, UUID_TD0));
	ASSERT_EQ(0, vv_find_region(self->be.fd,
				    VHOST_VFIO_REGION_SUBTYPE_CONFIG, &self->cfg));
	ASSERT_EQ(0, vv_find_region(self->be.fd,
				    VHOST_VFIO_REGION_SUBTYPE_DOORBELL, &self->db));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_OWNER, NULL));
}

FIXTURE_TEARDOWN(testdev)
{
	vv_be_close(&self->be);
}

/* One 32-bit field of the test device's config space, via the region. */
static uint32_t vvt_get(struct vv_be *be, const struct vfio_region_info *cfg,
			size_t off)
{
	uint32_t v = 0xdeadbeef;

	if (pread(be->fd, &v, sizeof(v), cfg->offset + off) != sizeof(v))
		return 0xdeadbeef;
	return le32toh(v);
}

/* Poll eventfd @fd for @ms; its count, or -ETIMEDOUT. */
static int vv_wait_eventfd(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t cnt;
	int r = poll(&p, 1, ms);

	if (r < 0)
		return -errno;
	if (!r)
		return -ETIMEDOUT;
	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return -errno;
	return (int)cnt;
}

static int vv_set_irq(struct vv_be *be, uint32_t index, uint32_t start,
		      uint32_t flags, int32_t fd, uint32_t count)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *is = (void *)buf;

	is->argsz = sizeof(*is) + (flags & VFIO_IRQ_SET_DATA_EVENTFD ?
				   sizeof(int32_t) : 0);
	is->flags = flags | VFIO_IRQ_SET_ACTION_TRIGGER;
	is->index = index;
	is->start = start;
	is->count = count;
	memcpy(is->data, &fd, sizeof(fd));
	return vv_ioctl(be, VFIO_DEVICE_SET_IRQS, is);
}

static bool vv_is_x86(void)
{
	struct utsname u;

	return !uname(&u) && (!strcmp(u.machine, "x86_64") ||
			      !strncmp(u.machine, "i686", 4));
}

TEST_F(testdev, doorbell_mmap_reaches_notification_area)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	uint32_t *p[VVT_NVQS];
	unsigned int q, o;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_EQ(VVT_DEVICE_ID, info.device_id);
	ASSERT_EQ(VVT_NVQS, info.nvqs);
	ASSERT_EQ(sizeof(struct vvt_config), info.config_size);
	/* one page per queue, write-only, mmap-able (config is not) */
	ASSERT_EQ(VVT_NVQS * VV_PAGE, self->db.size);
	ASSERT_TRUE(self->db.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_TRUE(self->db.flags & VFIO_REGION_INFO_FLAG_WRITE);
	ASSERT_FALSE(self->db.flags & VFIO_REGION_INFO_FLAG_READ);
	ASSERT_FALSE(self->cfg.flags & VFIO_REGION_INFO_FLAG_MMAP);

	for (q = 0; q < VVT_NVQS; q++) {
		p[q] = mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED, self->be.fd,
			    self->db.offset + q * VV_PAGE);
		ASSERT_NE(MAP_FAILED, (void *)p[q]);
		ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(doorbell[q])));
	}
	/* page q reaches queue q's notification area and no other */
	for (q = 0; q < VVT_NVQS; q++) {
		__atomic_store_n(p[q], htole32(0xd00d0000 + q), __ATOMIC_RELEASE);
		for (o = 0; o < VVT_NVQS; o++)
			ASSERT_EQ(o <= q ? 0xd00d0000 + o : 0,
				  vvt_get(&self->be, &self->cfg,
					  VVT_OFF(doorbell[o])));
	}
	/*
	 * x86 has no write-only pages: a PROT_WRITE mapping is readable by
	 * the CPU, and a load returns what the device's page holds.
	 */
	if (vv_is_x86())
		ASSERT_EQ(htole32(0xd00d0001),
			  __atomic_load_n(p[1], __ATOMIC_ACQUIRE));
	/* a 16-bit write, as of a queue index, replaces the low half */
	__atomic_store_n((uint16_t *)p[1], htole16(0xbeef), __ATOMIC_RELEASE);
	ASSERT_EQ(0xd00dbeef, vvt_get(&self->be, &self->cfg,
				      VVT_OFF(doorbell[1])));
	/* the write went to the device, not through the bridge's kick_vq() */
	for (q = 0; q < VVT_NVQS; q++)
		ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[q])));
	/* the pages stay the device's across a reset, which clears them */
	{
		uint8_t st = 0;

		ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));
		ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(doorbell[1])));
		__atomic_store_n(p[2], htole32(7), __ATOMIC_RELEASE);
		ASSERT_EQ(7, vvt_get(&self->be, &self->cfg, VVT_OFF(doorbell[2])));
	}
	for (q = 0; q < VVT_NVQS; q++)
		ASSERT_EQ(0, munmap(p[q], VV_PAGE));
}

TEST_F(testdev, doorbell_mmap_errors)
{
	const size_t pg = VV_PAGE;
	struct {
		off_t off;
		size_t len;
		int prot, flags;
	} bad[] = {
		/* past the last queue */
		{ self->db.offset + VVT_NVQS * pg, pg, PROT_WRITE, MAP_SHARED },
		{ self->db.offset + 64 * pg, pg, PROT_WRITE, MAP_SHARED },
		/* more than one page */
		{ self->db.offset, 2 * pg, PROT_WRITE, MAP_SHARED },
		{ self->db.offset + pg, (VVT_NVQS - 1) * pg, PROT_WRITE, MAP_SHARED },
		/* readable, executable, inaccessible, or private */
		{ self->db.offset, pg, PROT_READ | PROT_WRITE, MAP_SHARED },
		{ self->db.offset, pg, PROT_READ, MAP_SHARED },
		{ self->db.offset, pg, PROT_WRITE | PROT_EXEC, MAP_SHARED },
		{ self->db.offset, pg, PROT_EXEC, MAP_SHARED },
		{ self->db.offset, pg, PROT_NONE, MAP_SHARED },
		{ self->db.offset, pg, PROT_WRITE, MAP_PRIVATE },
		/* more than one page, from a length that is not whole pages */
		{ self->db.offset, pg + pg / 2, PROT_WRITE, MAP_SHARED },
		/* the other regions are never mmap-able */
		{ self->cfg.offset, pg, PROT_WRITE, MAP_SHARED },
		{ self->be.iotlb_off, pg, PROT_WRITE, MAP_SHARED },
	};
	unsigned int i;
	void *m;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		m = mmap(NULL, bad[i].len, bad[i].prot, bad[i].flags,
			 self->be.fd, bad[i].off);
		EXPECT_EQ(MAP_FAILED, m) TH_LOG("case %u mapped", i);
		/*
		 * Newer kernels (7.2 here) refuse PROT_EXEC on any
		 * anonymous-inode file, a VFIO device fd too, with EPERM
		 * before the driver is asked.
		 */
		if (m == MAP_FAILED && errno == EPERM &&
		    (bad[i].prot & PROT_EXEC))
			continue;
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
		if (m != MAP_FAILED)
			munmap(m, bad[i].len);
	}
	/* a good mapping cannot be made readable or executable later */
	m = mmap(NULL, pg, PROT_WRITE, MAP_SHARED, self->be.fd,
		 self->db.offset + pg);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, mprotect(m, pg, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(-1, mprotect(m, pg, PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(EACCES, errno);
	/* taking the write permission away and back is harmless */
	ASSERT_EQ(0, mprotect(m, pg, PROT_NONE));
	ASSERT_EQ(0, mprotect(m, pg, PROT_WRITE));
	ASSERT_EQ(0, munmap(m, pg));
	/*
	 * mmap() rounds a length up to whole pages before the driver sees it:
	 * half a page maps the whole doorbell page, as for any file.
	 */
	m = mmap(NULL, pg / 2, PROT_WRITE, MAP_SHARED, self->be.fd,
		 self->db.offset + 2 * pg);
	ASSERT_NE(MAP_FAILED, m);
	__atomic_store_n((uint32_t *)m, htole32(0x5a5a), __ATOMIC_RELEASE);
	ASSERT_EQ(0x5a5a, vvt_get(&self->be, &self->cfg, VVT_OFF(doorbell[2])));
	ASSERT_EQ(0, munmap(m, pg / 2));
}

/* Only the owner maps doorbells; a forked child cannot. */
TEST_F(testdev, doorbell_mmap_needs_owner)
{
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		void *m = mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED,
			       self->be.fd, self->db.offset);

		_exit(m == MAP_FAILED && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
}

TEST_F(testdev, doorbell_writes_and_eventfds_kick)
{
	struct vhost_vring_file f = { .index = 1 };
	uint64_t one = 1;
	uint32_t v = 2;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(efd, 0);
	/* a 4- or 2-byte write at the start of page N kicks queue N only */
	ASSERT_EQ(4, pwrite(self->be.fd, &v, 4, self->db.offset + 2 * VV_PAGE));
	ASSERT_EQ(2, pwrite(self->be.fd, &v, 2, self->db.offset));
	ASSERT_EQ(2, pwrite(self->be.fd, &v, 2, self->db.offset));
	ASSERT_EQ(2, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[0])));
	ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[1])));
	ASSERT_EQ(1, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[2])));
	/* such a write kicks; it does not store the value in the device */
	ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(doorbell[2])));
	/* past the last queue */
	ASSERT_EQ(-1, pwrite(self->be.fd, &v, 4,
			     self->db.offset + VVT_NVQS * VV_PAGE));
	ASSERT_EQ(EINVAL, errno);

	/* every write to a kick eventfd is one kick_vq() */
	f.fd = efd;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_KICK, &f));
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_EQ(2, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[1])));
	f.fd = VHOST_FILE_UNBIND;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_KICK, &f));
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_EQ(2, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[1])));
	ASSERT_EQ(2, vvt_get(&self->be, &self->cfg, VVT_OFF(kicks[0])));
	close(efd);
}

/* A device without groups: one group, one address space, fixed. */
TEST_F(testdev, one_group_one_address_space)
{
	struct vhost_vring_state s = { .index = 0, .num = 0 };
	uint32_t v32;
	uint64_t bf = (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
		      (1ULL << VHOST_BACKEND_F_IOTLB_ASID);

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_GROUP_NUM, &v32));
	ASSERT_EQ(1, v32);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_AS_NUM, &v32));
	ASSERT_EQ(1, v32);
	/* No get_vq_group: no answer, as from vhost-vdpa. */
	for (s.index = 0; s.index < VVT_NVQS; s.index++)
		ASSERT_EQ(-EOPNOTSUPP,
			  vv_ioctl(&self->be, VHOST_VDPA_GET_VRING_GROUP, &s));
	s.index = 0;
	s.num = 1;	/* no address space 1 */
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_VDPA_SET_GROUP_ASID, &s));
	s.num = 0;	/* the device cannot move groups at all */
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_VDPA_SET_GROUP_ASID, &s));
	ASSERT_EQ(-EINVAL, vv_iotlb(&self->be, 1, VHOST_IOTLB_UPDATE,
				    VV_IOVA_BASE, VV_PAGE, (uintptr_t)&bf,
				    VHOST_ACCESS_RO));
}

TEST_F(testdev, config_change_interrupt)
{
	char buf[sizeof(struct vhost_vdpa_config) + 4];
	struct vhost_vdpa_config *c = (void *)buf;
	uint32_t one = htole32(1);
	int a = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int b = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	/* no callback yet: a trigger is not delivered */
	ASSERT_EQ(4, pwrite(self->be.fd, &one, 4,
			    self->cfg.offset + VVT_OFF(trigger)));
	usleep(200 * 1000);
	ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));
	ASSERT_EQ(1, vvt_get(&self->be, &self->cfg, VVT_OFF(trigger)));

	/* VHOST_VDPA_SET_CONFIG_CALL; the device raises it from a work item */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_CONFIG_CALL, &a));
	ASSERT_EQ(4, pwrite(self->be.fd, &one, 4,
			    self->cfg.offset + VVT_OFF(trigger)));
	ASSERT_EQ(1, vv_wait_eventfd(a, vv_wait_ms));
	ASSERT_EQ(1, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));

	/* the VFIO config interrupt replaces it: the last one set wins */
	ASSERT_EQ(0, vv_set_irq(&self->be, VHOST_VFIO_CONFIG_IRQ_INDEX, 0,
				VFIO_IRQ_SET_DATA_EVENTFD, b, 1));
	c->off = VVT_OFF(trigger);
	c->len = 4;
	memcpy(c->buf, &one, 4);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_CONFIG, c));
	ASSERT_EQ(1, vv_wait_eventfd(b, vv_wait_ms));
	ASSERT_EQ(-ETIMEDOUT, vv_wait_eventfd(a, 0));
	ASSERT_EQ(2, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));
	/* twice more: one signal each (counts may merge, never get lost) */
	ASSERT_EQ(4, pwrite(self->be.fd, &one, 4,
			    self->cfg.offset + VVT_OFF(trigger)));
	ASSERT_EQ(1, vv_wait_eventfd(b, vv_wait_ms));
	ASSERT_EQ(3, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));

	/* torn down: the device has no callback and delivers nothing */
	ASSERT_EQ(0, vv_set_irq(&self->be, VHOST_VFIO_CONFIG_IRQ_INDEX, 0,
				VFIO_IRQ_SET_DATA_NONE, -1, 0));
	ASSERT_EQ(4, pwrite(self->be.fd, &one, 4,
			    self->cfg.offset + VVT_OFF(trigger)));
	ASSERT_EQ(-ETIMEDOUT, vv_wait_eventfd(b, 300));
	ASSERT_EQ(-ETIMEDOUT, vv_wait_eventfd(a, 0));
	ASSERT_EQ(3, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));

	/* a reset keeps the eventfd (as vhost-vdpa does) */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_CONFIG_CALL, &a));
	{
		uint8_t st = 0;

		ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SET_STATUS, &st));
	}
	ASSERT_EQ(0, vvt_get(&self->be, &self->cfg, VVT_OFF(config_irqs)));
	ASSERT_EQ(4, pwrite(self->be.fd, &one, 4,
			    self->cfg.offset + VVT_OFF(trigger)));
	ASSERT_EQ(1, vv_wait_eventfd(a, vv_wait_ms));
	close(a);
	close(b);
}

/* Negotiate on the testdev fixture's device (owner set already). */
static int vvt_negotiate(struct vv_be *be, uint64_t features)
{
	uint8_t st = 0;
	int ret;

	ret = vv_ioctl(be, VHOST_VDPA_SET_STATUS, &st);
	if (!ret)
		ret = vv_add_status(be, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				    VIRTIO_CONFIG_S_DRIVER);
	if (!ret)
		ret = vv_ioctl(be, VHOST_SET_FEATURES, &features);
	if (!ret)
		ret = vv_add_status(be, VIRTIO_CONFIG_S_FEATURES_OK);
	return ret;
}

/*
 * Packed rings (the simulators have none): bits 0-15 of the vring base are
 * the avail index and its wrap counter, bits 16-31 the used index and its
 * wrap counter, both ways, as vhost and vhost-vdpa have them.
 */
TEST_F(testdev, packed_ring_base)
{
	const uint64_t base_f = (1ULL << VIRTIO_F_VERSION_1) |
				(1ULL << VIRTIO_F_ACCESS_PLATFORM);
	struct vhost_vring_state s = { .index = 1 };
	uint64_t f;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_FEATURES, &f));
	ASSERT_TRUE(f & (1ULL << VIRTIO_F_RING_PACKED));
	ASSERT_EQ(0, vvt_negotiate(&self->be, base_f |
				   (1ULL << VIRTIO_F_RING_PACKED)));
	/* avail 0x321 wrap 1, used 0x1234 wrap 0; then the other way round */
	s.num = 0x12348321;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	s.num = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0x12348321, s.num);
	s.num = 0x80050003;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0x80050003, s.num);
	s.index = 2;	/* queues are independent */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0, s.num);

	/* split rings: one 16-bit avail index, more is refused */
	ASSERT_EQ(0, vvt_negotiate(&self->be, base_f));
	s.index = 1;
	s.num = 0x10000;
	ASSERT_EQ(-EINVAL, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	s.num = 0xfffe;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_BASE, &s));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_VRING_BASE, &s));
	ASSERT_EQ(0xfffe, s.num);
}

/*
 * A device that reports queue sizes has its answer passed on; one that
 * cannot suspend is offered no dirty logging (a migration could not be made
 * safe).
 */
TEST_F(testdev, vring_size_no_log_all_without_suspend)
{
	struct vhost_vfio_info info = { .size = sizeof(info) };
	struct vhost_vring_state s = { .index = 1, .num = 0x5555 };
	uint64_t f, bf;

	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_VRING_SIZE, &s));
	ASSERT_EQ(1, s.index);
	ASSERT_EQ(VVT_VQ_NUM_MAX, s.num);
	s.num = 64;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_SET_VRING_NUM, &s));
	s.num = 0;
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_GET_VRING_SIZE, &s));
	ASSERT_EQ(64, s.num);
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_BACKEND_FEATURES, &bf));
	ASSERT_FALSE(bf & (1ULL << VHOST_BACKEND_F_SUSPEND));
	/* no reset_map either: no IOTLB_PERSIST, as from vhost-vdpa */
	ASSERT_FALSE(bf & (1ULL << VHOST_BACKEND_F_IOTLB_PERSIST));
	bf = 1ULL << VHOST_BACKEND_F_IOTLB_PERSIST;
	ASSERT_EQ(-EOPNOTSUPP, vv_ioctl(&self->be, VHOST_SET_BACKEND_FEATURES, &bf));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_GET_FEATURES, &f));
	ASSERT_FALSE(f & (1ULL << VHOST_F_LOG_ALL));
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VFIO_GET_INFO, &info));
	ASSERT_FALSE(info.features & (1ULL << VHOST_F_LOG_ALL));
	ASSERT_EQ(-EINVAL, vvt_negotiate(&self->be, (1ULL << VIRTIO_F_VERSION_1) |
					 (1ULL << VIRTIO_F_ACCESS_PLATFORM) |
					 (1ULL << VHOST_F_LOG_ALL)));
	/* without DRIVER_OK a suspend has nothing to stop, as on vhost-vdpa */
	ASSERT_EQ(0, vv_ioctl(&self->be, VHOST_VDPA_SUSPEND, NULL));
}

#define TDBOTH		"vvtboth"
#define UUID_TBOTH	"8f0b6a52-1f05-4e6a-9a3e-00000000000f"
#define BOTH_MAPS	"/sys/module/vhost_vfio_testdev/parameters/both_maps"

/* A parent with dma_map and set_map gets dma_map only, as from vhost-vdpa. */
TEST(testdev_both_map_ops_dma_map_wins)
{
	struct vfio_region_info cfg;
	struct vv_be be;
	uint8_t st = 0, *p;
	int ret;

	if (system("modprobe -q vhost_vfio_testdev"))
		TH_LOG("modprobe vhost_vfio_testdev failed");
	ASSERT_EQ(0, vu_write_file(BOTH_MAPS, "1"));
	ret = vv_prepare(VVT_MGMTDEV, TDBOTH, UUID_TBOTH);
	ASSERT_EQ(0, vu_write_file(BOTH_MAPS, "0"));
	ASSERT_EQ(0, ret);
	p = mmap(NULL, VV_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_TBOTH));
	ASSERT_EQ(0, vv_find_region(be.fd, VHOST_VFIO_REGION_SUBTYPE_CONFIG,
				    &cfg));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_OWNER, NULL));
	ASSERT_EQ(0, vv_map(&be, VV_IOVA_BASE, p, VV_PAGE, VHOST_ACCESS_RW));
	ASSERT_EQ(0, vv_unmap(&be, VV_IOVA_BASE, VV_PAGE));
	ASSERT_EQ(0, vv_map(&be, VV_IOVA_BASE, p, VV_PAGE, VHOST_ACCESS_RO));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_VDPA_SET_STATUS, &st));
	EXPECT_EQ(2, vvt_get(&be, &cfg, VVT_OFF(dma_maps)));
	/* not on open, map, unmap or reset */
	EXPECT_EQ(0, vvt_get(&be, &cfg, VVT_OFF(set_maps)));
	vv_be_close(&be);
	munmap(p, VV_PAGE);
	ASSERT_EQ(0, vv_vdpa_del(TDBOTH));
}

/*
 * Removal with a doorbell mapped: new mappings fail with ENODEV at once, the
 * old one stays usable (the device is still there), and the removal waits
 * for the mapping as for the fd, since the mapping holds the file.
 */
TEST(testdev_removal_with_doorbell_mapped)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vv_remover r = { .ret = -1 };
	struct vfio_region_info db = {};
	uint32_t *p;
	struct vv_be be;
	pthread_t th;
	void *m;
	int req;

	if (system("modprobe -q vhost_vfio_testdev"))
		TH_LOG("modprobe vhost_vfio_testdev failed");
	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, "vvtgone", UUID_TGONE));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_TGONE));
	ASSERT_EQ(0, vv_find_region(be.fd, VHOST_VFIO_REGION_SUBTYPE_DOORBELL,
				    &db));
	ASSERT_EQ(0, vv_ioctl(&be, VHOST_SET_OWNER, NULL));
	p = mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED, be.fd, db.offset);
	ASSERT_NE(MAP_FAILED, p);
	req = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_GE(req, 0);
	ASSERT_EQ(0, vv_set_irq(&be, VHOST_VFIO_REQ_IRQ_INDEX, 0,
				VFIO_IRQ_SET_DATA_EVENTFD, req, 1));

	snprintf(r.cmd, sizeof(r.cmd),
		 "echo 1 > /sys/bus/mdev/devices/%s/remove", UUID_TGONE);
	ASSERT_EQ(0, pthread_create(&th, NULL, vv_remove_thread, &r));
	ASSERT_EQ(1, vv_wait_eventfd(req, 20000));
	m = mmap(NULL, VV_PAGE, PROT_WRITE, MAP_SHARED, be.fd,
		 db.offset + VV_PAGE);
	ASSERT_EQ(MAP_FAILED, m);
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, pread(be.fd, buf, 4, 0));
	ASSERT_EQ(ENODEV, errno);
	__atomic_store_n(p, htole32(1), __ATOMIC_RELEASE);
	/* closed, but still mapped: the removal keeps waiting */
	vv_be_close(&be);
	usleep(300 * 1000);
	ASSERT_EQ(-1, __atomic_load_n(&r.ret, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, munmap(p, VV_PAGE));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, r.ret);
	ASSERT_FALSE(vu_exists("/sys/bus/mdev/devices/" UUID_TGONE));
	close(req);
	/* the parent takes a new instance, then goes */
	ASSERT_EQ(0, vv_prepare(VVT_MGMTDEV, "vvtgone", UUID_TGONE));
	ASSERT_EQ(0, vv_be_open_vfio(&be, UUID_TGONE));
	vv_be_close(&be);
	ASSERT_EQ(0, vv_vdpa_del("vvtgone"));
}

TEST_HARNESS_MAIN
