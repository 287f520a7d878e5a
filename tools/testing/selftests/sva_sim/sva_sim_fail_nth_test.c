// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over sva_sim's call paths, bounded for the CI
 * budget: one instance per path, each call with its 1st, 2nd, ...
 * injectable call (slab, page allocation, user copy) failed until it runs
 * clean. Covered: opening the device fd (the queues are built),
 * SVA_SIM_QUEUE_SET_PASID (the PASID resolved through the nested
 * backend), SVA_SIM_QUEUE_ENABLE, SVA_SIM_QUEUE_SET_KICK,
 * VFIO_DEVICE_SET_IRQS, a pwrite(2) submission (and the execution it
 * starts), SVA_SIM_GET_STATS, VFIO_DEVICE_RESET and the last close. A
 * failed call must return ENOMEM or EFAULT (a refused submission: the
 * errno of the portal) and change nothing; the VM's log scan catches any
 * WARN, KASAN, lockdep or leak report. Not covered here: the execution
 * worker's own allocations (another task; fail-nth is per task), the
 * guest-PASID mode (a KVM VM per step costs seconds under TCG), creating
 * the mdev (the mdev and driver core's path: over 150 injection points at
 * 0.2 s each under TCG, past the CI budget; SWEEP_CREATE is kept for a
 * manual run with FIXTURE_VARIANT_ADD).
 */
#include "sva_utils.h"

/* Test mdevs of this program: SVA_UUID(0x60) to (0x6f). */
#define UUID_SWEEP	0x60
#define UUID_CREATE	0x61
#define RAM_SIZE	0x100000ULL	/* 1 MiB */
#define QD		0
#define QS		1
#define MAX_NTH		400

enum sweep_kind {
	SWEEP_CREATE,
	SWEEP_OPEN,
	SWEEP_SET_PASID,
	SWEEP_ENABLE,
	SWEEP_SET_KICK,
	SWEEP_SET_IRQS,
	SWEEP_SUBMIT,
	SWEEP_STATS,
	SWEEP_RESET,
	SWEEP_CLOSE,
};

FIXTURE(fail_nth) {
	struct sva_env e;
	int nth_fd;
	int efd;
	__u64 buf, cr_iova;
	struct sva_sim_completion *cr;
	struct sva_sim_queue_info before;
};

FIXTURE_VARIANT(fail_nth) {
	enum sweep_kind kind;
};

FIXTURE_VARIANT_ADD(fail_nth, open) { .kind = SWEEP_OPEN };
FIXTURE_VARIANT_ADD(fail_nth, set_pasid) { .kind = SWEEP_SET_PASID };
FIXTURE_VARIANT_ADD(fail_nth, enable) { .kind = SWEEP_ENABLE };
FIXTURE_VARIANT_ADD(fail_nth, set_kick) { .kind = SWEEP_SET_KICK };
FIXTURE_VARIANT_ADD(fail_nth, set_irqs) { .kind = SWEEP_SET_IRQS };
FIXTURE_VARIANT_ADD(fail_nth, submit) { .kind = SWEEP_SUBMIT };
FIXTURE_VARIANT_ADD(fail_nth, stats) { .kind = SWEEP_STATS };
FIXTURE_VARIANT_ADD(fail_nth, reset) { .kind = SWEEP_RESET };
FIXTURE_VARIANT_ADD(fail_nth, close) { .kind = SWEEP_CLOSE };

FIXTURE_SETUP(fail_nth)
{
	const char *why;
	int ret;

	self->nth_fd = -1;
	self->efd = -1;
	self->e.ioasid = -1;
	sva_dev_init(&self->e.d);
	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	why = fail_nth_prepare(&self->nth_fd);
	if (why)
		SKIP(return, "%s", why);
	if (variant->kind == SWEEP_CREATE)
		return;
	ret = sva_env_setup(&self->e, UUID_SWEEP, NULL, RAM_SIZE);
	ASSERT_EQ(0, ret) TH_LOG("set-up: %s", strerror(-ret));
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	self->buf = sva_buf(&self->e, 4096, NULL);
	self->cr_iova = sva_buf(&self->e, 32, (void **)&self->cr);
	ASSERT_NE(0, self->cr_iova);
}

FIXTURE_TEARDOWN(fail_nth)
{
	fail_nth_close(self->nth_fd);
	if (self->efd >= 0)
		close(self->efd);
	sva_env_teardown(&self->e);
}

/* Bring the instance to the state the operation starts from. */
static int prepare(FIXTURE_DATA(fail_nth) * self, enum sweep_kind kind)
{
	struct sva_env *e = &self->e;
	int ret = 0;

	switch (kind) {
	case SWEEP_CREATE:
		return 0;
	case SWEEP_OPEN:
		sva_dev_close_fds(&e->d);
		ret = sva_dev_open_group(&e->d);
		if (!ret)
			ret = np_set_ioasid_fd(e->d.container, e->ioasid);
		if (!ret)
			ret = np_bind(e->d.container, 0, e->pasid, e->g.root);
		return ret;
	case SWEEP_CLOSE:
	case SWEEP_SUBMIT:
	case SWEEP_RESET:
		if (e->d.dev < 0)
			ret = sva_dev_open_fd(&e->d);
		/* the close has a kick and an irq to release */
		if (!ret && kind == SWEEP_CLOSE)
			ret = sva_set_kick(e->d.dev, QS, self->efd);
		if (!ret && kind == SWEEP_CLOSE)
			ret = sva_set_irq(e->d.dev, SVA_SIM_IRQ_COMPLETION, QS,
					  self->efd);
		if (!ret)
			ret = sva_env_enable(e, QS, false);
		if (!ret)
			ret = sva_env_enable(e, QD, true);
		return ret == -EBUSY ? 0 : ret;
	case SWEEP_SET_PASID:
	case SWEEP_ENABLE:
		ret = sva_disable(e->d.dev, QD, 0);
		if (!ret && kind == SWEEP_ENABLE)
			ret = sva_set_pasid(e->d.dev, QD, 0, e->pasid);
		if (!ret)
			ret = sva_queue_info(e->d.dev, QD, &self->before);
		return ret;
	default:
		return 0;
	}
}

static int operate(FIXTURE_DATA(fail_nth) * self, enum sweep_kind kind)
{
	struct sva_env *e = &self->e;
	struct sva_sim_desc d;
	struct sva_sim_stats st;
	struct sva_dev tmp;

	switch (kind) {
	case SWEEP_CREATE:
		tmp.uuid = sva_uuid(UUID_CREATE);
		return sva_mdev_create(tmp.uuid.s);
	case SWEEP_OPEN:
		e->d.dev = ioctl(e->d.group, VFIO_GROUP_GET_DEVICE_FD,
				 e->d.uuid.s);
		return e->d.dev < 0 ? -errno : 0;
	case SWEEP_SET_PASID:
		return sva_set_pasid(e->d.dev, QD, 0, e->pasid);
	case SWEEP_ENABLE:
		return sva_enable(e->d.dev, QD, 0);
	case SWEEP_SET_KICK:
		return sva_set_kick(e->d.dev, QS, self->efd);
	case SWEEP_SET_IRQS:
		return sva_set_irq(e->d.dev, SVA_SIM_IRQ_COMPLETION, QS,
				   self->efd);
	case SWEEP_SUBMIT:
		memset(self->cr, 0, sizeof(*self->cr));
		d = sva_desc(SVA_SIM_OP_FILL, e->pasid, 4096, 0, self->buf,
			     self->cr_iova);
		d.pattern = 7;
		return sva_submit(&e->d, QS, &d);
	case SWEEP_STATS:
		return sva_stats(e->d.dev, SVA_SIM_ALL_QUEUES, &st);
	case SWEEP_RESET:
		return ioctl(e->d.dev, VFIO_DEVICE_RESET) ? -errno : 0;
	case SWEEP_CLOSE:
		close(e->d.dev);
		e->d.dev = -1;
		return 0;
	}
	return -1;
}

/* With the fault disarmed: all or nothing. */
static void check(struct __test_metadata *_metadata,
		  FIXTURE_DATA(fail_nth) * self, enum sweep_kind kind, int ret)
{
	struct sva_env *e = &self->e;
	struct sva_sim_queue_info qi;
	char path[128];

	if (ret)
		ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT) {
			TH_LOG("kind %d failed with %d", kind, ret);
		}
	switch (kind) {
	case SWEEP_CREATE:
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s",
			 sva_uuid(UUID_CREATE).s);
		EXPECT_EQ(!ret, vu_exists(path));
		if (vu_exists(path))
			EXPECT_EQ(0, sva_mdev_remove(sva_uuid(UUID_CREATE).s));
		break;
	case SWEEP_OPEN:
		EXPECT_EQ(!ret, e->d.dev >= 0);
		if (e->d.dev >= 0) {
			EXPECT_EQ(0, sva_find_portal(&e->d));
			EXPECT_EQ(0, sva_queue_info(e->d.dev, QS, &qi));
		}
		break;
	case SWEEP_SET_PASID:
		ASSERT_EQ(0, sva_queue_info(e->d.dev, QD, &qi));
		/* set, or as it was */
		EXPECT_EQ(ret ? self->before.pasid : e->pasid, qi.pasid);
		EXPECT_EQ(ret ? self->before.out_flags : SVA_SIM_QUEUE_F_PASID_SET,
			  qi.out_flags);
		break;
	case SWEEP_ENABLE:
		ASSERT_EQ(0, sva_queue_info(e->d.dev, QD, &qi));
		EXPECT_EQ(ret ? SVA_SIM_QUEUE_DISABLED : SVA_SIM_QUEUE_ENABLED,
			  qi.state);
		break;
	case SWEEP_SET_KICK:
		ASSERT_EQ(0, sva_queue_info(e->d.dev, QS, &qi));
		EXPECT_EQ(ret ? 0 : SVA_SIM_QUEUE_F_KICK,
			  qi.out_flags & SVA_SIM_QUEUE_F_KICK);
		EXPECT_EQ(0, sva_set_kick(e->d.dev, QS, -1));
		break;
	case SWEEP_SUBMIT:
		if (!ret) {
			EXPECT_EQ(SVA_SIM_COMP_SUCCESS,
				  sva_wait_cr(self->cr, SVA_WAIT_MS));
		} else {
			EXPECT_EQ(0, sva_wait_cr(self->cr, 20));
		}
		EXPECT_EQ(0, sva_drain(e->d.dev, QS, 0));
		break;
	case SWEEP_RESET:
		ASSERT_EQ(0, sva_queue_info(e->d.dev, QS, &qi));
		if (!ret)
			EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
		break;
	default:
		break;
	}
}

TEST_F(fail_nth, sweep)
{
	unsigned int nth, injected = 0;
	bool fired;
	int ret;

	for (nth = 1; nth < MAX_NTH; nth++) {
		ret = prepare(self, variant->kind);
		ASSERT_EQ(0, ret) TH_LOG("prepare: %s", strerror(-ret));
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = operate(self, variant->kind);
		fired = fail_nth_fired(self->nth_fd);
		check(_metadata, self, variant->kind, ret);
		if (!fired) {
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret)
			injected++;
	}
	ASSERT_LT(nth, MAX_NTH);
	TH_LOG("%u injection points, %u made the call fail", nth - 1, injected);
	if (variant->kind != SWEEP_CLOSE && variant->kind != SWEEP_RESET)
		EXPECT_LT(0, injected);
}

TEST_HARNESS_MAIN
