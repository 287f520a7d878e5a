// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over every /dev/ioasid path: for each ioctl (and
 * open and close), fail its 1st, 2nd, ... injectable call (slab, page
 * allocation, user copy) until the call runs clean. Each failed call must
 * return ENOMEM or EFAULT and change nothing; every file must free all it
 * owned. The VM's log scan catches any WARN, KASAN, lockdep or leak.
 */
#include "ioasid_utils.h"

enum sweep_kind {
	SWEEP_OPEN,
	SWEEP_INFO,
	SWEEP_ALLOC,
	SWEEP_ALLOC_RANGE,
	SWEEP_FREE,
	SWEEP_ATTACH,
	SWEEP_DETACH,
	SWEEP_TRANSLATE,
	SWEEP_SET_QUOTA,
	SWEEP_CLOSE,
};

#define GP 5

FIXTURE(fail_nth) {
	int nth_fd;
	long pool_before;
};

FIXTURE_VARIANT(fail_nth) {
	enum sweep_kind kind;
};

FIXTURE_VARIANT_ADD(fail_nth, open) { .kind = SWEEP_OPEN };
FIXTURE_VARIANT_ADD(fail_nth, get_info) { .kind = SWEEP_INFO };
FIXTURE_VARIANT_ADD(fail_nth, alloc) { .kind = SWEEP_ALLOC };
FIXTURE_VARIANT_ADD(fail_nth, alloc_range) { .kind = SWEEP_ALLOC_RANGE };
FIXTURE_VARIANT_ADD(fail_nth, free) { .kind = SWEEP_FREE };
FIXTURE_VARIANT_ADD(fail_nth, attach_gpasid) { .kind = SWEEP_ATTACH };
FIXTURE_VARIANT_ADD(fail_nth, detach_gpasid) { .kind = SWEEP_DETACH };
FIXTURE_VARIANT_ADD(fail_nth, translate_gpasid) { .kind = SWEEP_TRANSLATE };
FIXTURE_VARIANT_ADD(fail_nth, set_quota) { .kind = SWEEP_SET_QUOTA };
FIXTURE_VARIANT_ADD(fail_nth, close) { .kind = SWEEP_CLOSE };

FIXTURE_SETUP(fail_nth)
{
	const char *skip;

	self->nth_fd = -1;
	self->pool_before = ioasid_pool_used();
	if (self->pool_before < 0)
		SKIP(return, "%s not available", IOASID_DEV);
	skip = fail_nth_prepare(&self->nth_fd);
	if (skip)
		SKIP(return, "%s", skip);
}

FIXTURE_TEARDOWN(fail_nth)
{
	fail_nth_close(self->nth_fd);
}

struct sweep_state {
	int fd;
	__u32 pasid;
	__u32 out;
	struct ioasid_info info;
};

/* Build the state the operation needs, with no fault armed. */
static int sweep_setup(enum sweep_kind kind, struct sweep_state *st)
{
	st->fd = -1;
	if (kind == SWEEP_OPEN)
		return 0;
	st->fd = open(IOASID_DEV, O_RDWR);
	if (st->fd < 0)
		return -errno;
	if (kind == SWEEP_INFO || kind == SWEEP_ALLOC ||
	    kind == SWEEP_ALLOC_RANGE || kind == SWEEP_SET_QUOTA)
		return 0;
	if (ioasid_alloc_any(st->fd, &st->pasid))
		return -1;
	if (kind == SWEEP_FREE || kind == SWEEP_ATTACH)
		return 0;
	return ioasid_attach(st->fd, st->pasid, GP);
}

static int sweep_op(enum sweep_kind kind, struct sweep_state *st)
{
	switch (kind) {
	case SWEEP_OPEN:
		st->fd = open(IOASID_DEV, O_RDWR);
		return st->fd < 0 ? -errno : 0;
	case SWEEP_INFO:
		return ioasid_get_info(st->fd, &st->info);
	case SWEEP_ALLOC:
		return ioasid_alloc_any(st->fd, &st->out);
	case SWEEP_ALLOC_RANGE:
		return ioasid_alloc_range(st->fd, 3000, 3999, &st->out);
	case SWEEP_FREE:
		return ioasid_free_pasid(st->fd, st->pasid);
	case SWEEP_ATTACH:
		return ioasid_attach(st->fd, st->pasid, GP);
	case SWEEP_DETACH:
		return ioasid_detach(st->fd, st->pasid);
	case SWEEP_TRANSLATE:
		return ioasid_translate(st->fd, GP, &st->out);
	case SWEEP_SET_QUOTA:
		return ioasid_set_quota(st->fd, 64);
	case SWEEP_CLOSE:
		close(st->fd);
		st->fd = -1;
		return 0;
	}
	return -1;
}

/* With the fault disarmed: did the operation do all or nothing? */
static void sweep_check(struct __test_metadata *_metadata,
			enum sweep_kind kind, struct sweep_state *st, int ret)
{
	struct ioasid_info info;
	bool mapped;
	__u32 t;

	if (ret)
		ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT) {
			TH_LOG("kind %d failed with %d", kind, ret);
		}
	if (st->fd < 0)
		return;
	ASSERT_EQ(0, ioasid_get_info(st->fd, &info));
	switch (kind) {
	case SWEEP_OPEN:
	case SWEEP_CLOSE:
		EXPECT_EQ(0, info.used);
		break;
	case SWEEP_INFO:
		if (!ret)
			EXPECT_EQ(20, st->info.pasid_bits);
		break;
	case SWEEP_ALLOC:
	case SWEEP_ALLOC_RANGE:
		EXPECT_EQ(ret ? 0 : 1, info.used);
		if (!ret)
			EXPECT_EQ(0, ioasid_free_pasid(st->fd, st->out));
		if (!ret && kind == SWEEP_ALLOC_RANGE)
			EXPECT_TRUE(st->out >= 3000 && st->out <= 3999);
		break;
	case SWEEP_FREE:
		EXPECT_EQ(ret ? 1 : 0, info.used);
		EXPECT_EQ(ret ? 0 : -ENOENT, ioasid_attach(st->fd, st->pasid, GP));
		break;
	case SWEEP_ATTACH:
	case SWEEP_DETACH:
		mapped = kind == SWEEP_ATTACH ? !ret : !!ret;
		if (mapped) {
			ASSERT_EQ(0, ioasid_translate(st->fd, GP, &t));
			EXPECT_EQ(st->pasid, t);
		} else {
			EXPECT_EQ(-ENOENT, ioasid_translate(st->fd, GP, &t));
		}
		break;
	case SWEEP_TRANSLATE:
		if (!ret)
			EXPECT_EQ(st->pasid, st->out);
		break;
	case SWEEP_SET_QUOTA:
		EXPECT_EQ(!ret, info.quota == 64);
		break;
	}
}

TEST_F(fail_nth, sweep)
{
	unsigned int nth, injected = 0;
	struct sweep_state st;
	bool fired;
	int ret;

	for (nth = 1; nth < 500; nth++) {
		memset(&st, 0, sizeof(st));
		ASSERT_EQ(0, sweep_setup(variant->kind, &st));
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = sweep_op(variant->kind, &st);
		fired = fail_nth_fired(self->nth_fd);
		sweep_check(_metadata, variant->kind, &st, ret);
		if (st.fd >= 0)
			close(st.fd);
		/* Nothing leaked, whatever failed. */
		ASSERT_EQ(self->pool_before, ioasid_pool_used());
		if (!fired) {
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret)
			injected++;
	}
	ASSERT_LT(nth, 500);
	TH_LOG("%u injection points, %u made the call fail", nth - 1, injected);
	/* Every path copies from the user at least once. */
	if (variant->kind != SWEEP_CLOSE)
		EXPECT_LT(0, injected);
}

TEST_HARNESS_MAIN
