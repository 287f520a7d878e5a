// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over the backend's own container ioctls (type
 * 0xBD) and the paths they start: for each, fail its 1st, 2nd, ...
 * injectable call (slab, page allocation, user copy) until the call runs
 * clean. A failed call must return ENOMEM or EFAULT and change nothing
 * (a failed bind leaves nothing bound, a failed unbind leaves the binding);
 * a closed container and a closed /dev/ioasid file leave no PASID held.
 * The VM's log scan catches any WARN, KASAN, lockdep or leak report.
 */
#include "nested_pasid_utils.h"

#define RAM_GPA		(4ULL << 30)
#define RAM_SIZE	(2ULL << 20)
#define IOVA		0x00007f1234560000ULL
#define GPASID		7

/* Test mdev of this program: VN_UUID(0x60). */
#define UUID_SWEEP	0x60

enum sweep_kind {
	SWEEP_CAPS,		/* GET_CAPS, the first ioctl: makes the state */
	SWEEP_SET_IOASID_FD,
	SWEEP_BIND,
	SWEEP_BIND_GUEST,
	SWEEP_BIND_RID,
	SWEEP_UNBIND,
	SWEEP_INVALIDATE,
	SWEEP_GET_FAULT_FD,
	SWEEP_TEST_DMA,
	SWEEP_TEST_DMA_REPEAT,	/* TEST_DMA with VFIO_NESTED_TEST_DMA_REPEAT */
	SWEEP_IOASID_FREE,	/* the FREE notification of a bound PASID */
	SWEEP_CLOSE,		/* container release with a binding */
};

FIXTURE(fail_nth) {
	int nth_fd;
	long pool_before;
};

FIXTURE_VARIANT(fail_nth) {
	enum sweep_kind kind;
};

FIXTURE_VARIANT_ADD(fail_nth, get_caps) { .kind = SWEEP_CAPS };
FIXTURE_VARIANT_ADD(fail_nth, set_ioasid_fd) { .kind = SWEEP_SET_IOASID_FD };
FIXTURE_VARIANT_ADD(fail_nth, bind_s1) { .kind = SWEEP_BIND };
FIXTURE_VARIANT_ADD(fail_nth, bind_s1_guest) { .kind = SWEEP_BIND_GUEST };
FIXTURE_VARIANT_ADD(fail_nth, bind_s1_rid) { .kind = SWEEP_BIND_RID };
FIXTURE_VARIANT_ADD(fail_nth, unbind_s1) { .kind = SWEEP_UNBIND };
FIXTURE_VARIANT_ADD(fail_nth, invalidate) { .kind = SWEEP_INVALIDATE };
FIXTURE_VARIANT_ADD(fail_nth, get_fault_fd) { .kind = SWEEP_GET_FAULT_FD };
FIXTURE_VARIANT_ADD(fail_nth, test_dma) { .kind = SWEEP_TEST_DMA };
FIXTURE_VARIANT_ADD(fail_nth, test_dma_repeat) { .kind = SWEEP_TEST_DMA_REPEAT };
FIXTURE_VARIANT_ADD(fail_nth, ioasid_free) { .kind = SWEEP_IOASID_FREE };
FIXTURE_VARIANT_ADD(fail_nth, close) { .kind = SWEEP_CLOSE };

FIXTURE_SETUP(fail_nth)
{
	const char *skip;

	self->nth_fd = -1;
	if (!np_testdev_present())
		SKIP(return, "vfio_nested_testdev or VFIO not available");
	self->pool_before = ioasid_pool_used();
	if (self->pool_before < 0)
		SKIP(return, "%s not available", IOASID_DEV);
	if ((variant->kind == SWEEP_TEST_DMA ||
	     variant->kind == SWEEP_TEST_DMA_REPEAT) && !np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	skip = fail_nth_prepare(&self->nth_fd);
	if (skip)
		SKIP(return, "%s", skip);
}

FIXTURE_TEARDOWN(fail_nth)
{
	fail_nth_close(self->nth_fd);
}

struct sweep_state {
	struct np_dev d;
	struct np_guest g;
	int ioasid;
	int fault_fd;
	__u32 pasid;
	__u32 done;
	unsigned char buf[64];
};

/* Build what the operation needs, with no fault armed. */
static int sweep_setup(enum sweep_kind kind, struct sweep_state *st)
{
	int ret;

	st->ioasid = -1;
	st->fault_fd = -1;
	ret = np_dev_open(&st->d, UUID_SWEEP);
	if (ret)
		return ret;
	ret = np_guest_init(&st->g, st->d.container, RAM_GPA, RAM_SIZE);
	if (ret)
		return ret;
	np_map_4k(&st->g, IOVA, np_guest_page(&st->g, NP_PAGE), PTE_USER_RW);
	st->ioasid = np_ioasid_open_alloc(&st->pasid);
	if (st->ioasid < 0)
		return st->ioasid;
	if (ioasid_attach(st->ioasid, st->pasid, GPASID))
		return -EIO;
	if (kind == SWEEP_CAPS)
		return 0;
	/* the state exists: faults hit the ioctl, not its first use */
	ret = np_get_fault_fd(st->d.container);
	if (ret < 0)
		return ret;
	close(ret);
	if (kind == SWEEP_SET_IOASID_FD)
		return 0;
	ret = np_set_ioasid_fd(st->d.container, st->ioasid);
	if (ret || kind == SWEEP_BIND || kind == SWEEP_BIND_GUEST ||
	    kind == SWEEP_BIND_RID || kind == SWEEP_GET_FAULT_FD)
		return ret;
	return np_bind(st->d.container, 0, st->pasid, st->g.root);
}

static int sweep_op(enum sweep_kind kind, struct sweep_state *st)
{
	struct vfio_nested_inv_entry e[3] = {
		{ .type = VFIO_NESTED_INV_ADDR, .pasid = st->pasid,
		  .granule = 12, .addr = IOVA, .npages = 1 },
		{ .type = VFIO_NESTED_INV_PASID, .pasid = st->pasid },
		{ .type = VFIO_NESTED_INV_ALL },
	};
	struct vfio_nested_caps caps;
	int c = st->d.container;

	switch (kind) {
	case SWEEP_CAPS:
		return np_get_caps(c, &caps);
	case SWEEP_SET_IOASID_FD:
		return np_set_ioasid_fd(c, st->ioasid);
	case SWEEP_BIND:
		return np_bind(c, 0, st->pasid, st->g.root);
	case SWEEP_BIND_GUEST:
		return np_bind(c, VFIO_NESTED_PASID_GUEST, GPASID, st->g.root);
	case SWEEP_BIND_RID:
		return np_bind(c, VFIO_NESTED_PASID_NONE, 0, st->g.root);
	case SWEEP_UNBIND:
		return np_unbind(c, 0, st->pasid);
	case SWEEP_INVALIDATE:
		return np_invalidate(c, e, 3, &st->done);
	case SWEEP_GET_FAULT_FD:
		st->fault_fd = np_get_fault_fd(c);
		return st->fault_fd < 0 ? st->fault_fd : 0;
	case SWEEP_TEST_DMA:
		return np_dma(c, st->d.group_id, VFIO_NESTED_DMA_WRITE,
			      st->pasid, IOVA, st->buf, sizeof(st->buf), NULL);
	case SWEEP_TEST_DMA_REPEAT:
		return np_dma_repeat(c, st->d.group_id, VFIO_NESTED_DMA_WRITE,
				     st->pasid, IOVA, st->buf, sizeof(st->buf),
				     3, NULL);
	case SWEEP_IOASID_FREE:
		return ioasid_free_pasid(st->ioasid, st->pasid);
	case SWEEP_CLOSE:
		np_dev_close(&st->d);
		return 0;
	}
	return -1;
}

/* With the fault disarmed: did the operation do all or nothing? */
static void sweep_check(struct __test_metadata *_metadata,
			enum sweep_kind kind, struct sweep_state *st, int ret)
{
	int c = st->d.container;
	bool bound;

	if (ret)
		ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT) {
			TH_LOG("kind %d failed with %d", kind, ret);
		}
	switch (kind) {
	case SWEEP_CAPS:
		/* the container works */
		EXPECT_EQ(0, np_set_ioasid_fd(c, st->ioasid));
		EXPECT_EQ(0, np_bind(c, 0, st->pasid, st->g.root));
		break;
	case SWEEP_TEST_DMA:
	case SWEEP_TEST_DMA_REPEAT:
		/* the binding still works */
		EXPECT_EQ(0, np_dma(c, st->d.group_id, 0, st->pasid, IOVA,
				    st->buf, sizeof(st->buf), NULL));
		EXPECT_EQ(0, np_unbind(c, 0, st->pasid));
		break;
	case SWEEP_SET_IOASID_FD:
		/* set, or not at all */
		EXPECT_EQ(ret ? 0 : -EBUSY, np_set_ioasid_fd(c, st->ioasid));
		EXPECT_EQ(0, np_bind(c, 0, st->pasid, st->g.root));
		break;
	case SWEEP_BIND:
	case SWEEP_BIND_GUEST:
	case SWEEP_UNBIND:
		bound = kind == SWEEP_UNBIND ? !!ret : !ret;
		EXPECT_EQ(bound ? 0 : -ENOENT, np_unbind(c, 0, st->pasid));
		EXPECT_EQ(-ENOENT, np_unbind(c, 0, st->pasid));
		/* and the name is free again */
		EXPECT_EQ(0, np_bind(c, VFIO_NESTED_PASID_GUEST, GPASID,
				     st->g.root));
		break;
	case SWEEP_BIND_RID:
		EXPECT_EQ(ret ? -ENOENT : 0,
			  np_unbind(c, VFIO_NESTED_PASID_NONE, 0));
		EXPECT_EQ(0, np_bind(c, VFIO_NESTED_PASID_NONE, 0, st->g.root));
		break;
	case SWEEP_INVALIDATE:
		/*
		 * Entries handled before a failure are counted (unless the
		 * count's own write-back failed: then it reads as given).
		 */
		EXPECT_GE(3, st->done);
		if (!ret)
			EXPECT_EQ(3, st->done);
		EXPECT_EQ(0, np_unbind(c, 0, st->pasid));
		break;
	case SWEEP_GET_FAULT_FD:
		if (st->fault_fd >= 0)
			close(st->fault_fd);
		st->fault_fd = np_get_fault_fd(c);
		EXPECT_LE(0, st->fault_fd);
		break;
	case SWEEP_IOASID_FREE:
		/* freed (the binding went with it), or not at all */
		EXPECT_EQ(ret ? 0 : -ENOENT, np_unbind(c, 0, st->pasid));
		break;
	case SWEEP_CLOSE:
		break;
	}
}

static void sweep_teardown(struct sweep_state *st)
{
	if (st->fault_fd >= 0)
		close(st->fault_fd);
	np_dev_close(&st->d);
	np_guest_fini(&st->g);
	if (st->ioasid >= 0)
		close(st->ioasid);
}

TEST_F(fail_nth, sweep)
{
	unsigned int nth, injected = 0;
	static struct sweep_state st;
	bool fired;
	int ret;

	for (nth = 1; nth < 1000; nth++) {
		memset(&st, 0, sizeof(st));
		ret = sweep_setup(variant->kind, &st);
		ASSERT_EQ(0, ret) TH_LOG("set-up: %s", strerror(-ret));
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = sweep_op(variant->kind, &st);
		fired = fail_nth_fired(self->nth_fd);
		sweep_check(_metadata, variant->kind, &st, ret);
		sweep_teardown(&st);
		/* Nothing held: no binding kept a PASID from the pool. */
		ASSERT_EQ(self->pool_before, ioasid_pool_used());
		if (!fired) {
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret)
			injected++;
	}
	ASSERT_LT(nth, 1000);
	TH_LOG("%u injection points, %u made the call fail", nth - 1, injected);
	/* Every ioctl copies from the user at least once. */
	if (variant->kind != SWEEP_CLOSE && variant->kind != SWEEP_IOASID_FREE)
		EXPECT_LT(0, injected);
}

TEST_HARNESS_MAIN
