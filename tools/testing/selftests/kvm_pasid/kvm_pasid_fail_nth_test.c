// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over every kvm_pasid path: for each operation,
 * fail its 1st, 2nd, ... injectable call (slab, page allocation, user copy)
 * until it runs clean. A failed call returns ENOMEM or EFAULT and changes
 * nothing. IOASID_ATTACH_GPASID on an attached VM's set is swept too: a
 * failed table-page allocation makes kvm_pasid refuse the BIND, and the
 * attach must then fail with ENOMEM with the guest PASID translating
 * neither in the set nor in the VM's table. The VM's log scan catches any
 * WARN, KASAN, lockdep or leak report.
 */
#include "kvm_pasid_utils.h"
#include "kselftest_harness.h"
#include "../fail_nth.h"

enum sweep_kind {
	SWEEP_OPEN,
	SWEEP_INFO,
	SWEEP_ATTACH,
	SWEEP_ATTACH_REPLAY,
	SWEEP_BIND,
	SWEEP_UNBIND,
	SWEEP_FREE,
	SWEEP_TRANSLATE,
	SWEEP_DUMP,
	SWEEP_DETACH,
	SWEEP_CLOSE_IOASID,
	SWEEP_CLOSE,
};

/* In a PASID table of its own: a BIND needs a new table page. */
#define G1	0x12345
#define G_OLD	0x00777

FIXTURE(fail_nth) {
	int nth_fd;
	struct kp_vm vm;
	char min_order[16];
};

/*
 * fail_page_alloc fails only allocations of min-order and up (1 by
 * default): 0 lets the sweep reach the PASID table's single page.
 */
#define MIN_ORDER "/sys/kernel/debug/fail_page_alloc/min-order"

static void min_order_set(const char *val, char *old, size_t len)
{
	ssize_t n;
	int fd;

	/* 7.x makes these files streams: no pwrite(), so open twice */
	if (old) {
		fd = open(MIN_ORDER, O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, old, len - 1);
		old[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	fd = open(MIN_ORDER, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		perror(MIN_ORDER);
	close(fd);
}

FIXTURE_VARIANT(fail_nth) {
	enum sweep_kind kind;
};

FIXTURE_VARIANT_ADD(fail_nth, open) { .kind = SWEEP_OPEN };
FIXTURE_VARIANT_ADD(fail_nth, get_info) { .kind = SWEEP_INFO };
FIXTURE_VARIANT_ADD(fail_nth, attach) { .kind = SWEEP_ATTACH };
FIXTURE_VARIANT_ADD(fail_nth, attach_replay) { .kind = SWEEP_ATTACH_REPLAY };
FIXTURE_VARIANT_ADD(fail_nth, ioasid_attach_gpasid) { .kind = SWEEP_BIND };
FIXTURE_VARIANT_ADD(fail_nth, ioasid_detach_gpasid) { .kind = SWEEP_UNBIND };
FIXTURE_VARIANT_ADD(fail_nth, ioasid_free) { .kind = SWEEP_FREE };
FIXTURE_VARIANT_ADD(fail_nth, translate) { .kind = SWEEP_TRANSLATE };
FIXTURE_VARIANT_ADD(fail_nth, dump) { .kind = SWEEP_DUMP };
FIXTURE_VARIANT_ADD(fail_nth, detach) { .kind = SWEEP_DETACH };
FIXTURE_VARIANT_ADD(fail_nth, close_ioasid) { .kind = SWEEP_CLOSE_IOASID };
FIXTURE_VARIANT_ADD(fail_nth, close) { .kind = SWEEP_CLOSE };

FIXTURE_SETUP(fail_nth)
{
	const char *skip;
	int kp;

	self->nth_fd = -1;
	self->vm.fd = -1;
	self->vm.kvm = -1;
	if (!kp_have_kvm())
		SKIP(return, "no /dev/kvm");
	kp = open(KP_DEV, O_RDWR);
	if (kp < 0)
		SKIP(return, "%s: %s", KP_DEV, strerror(errno));
	close(kp);
	skip = fail_nth_prepare(&self->nth_fd);
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_EQ(0, kp_vm_create(&self->vm, 1));
	min_order_set("0", self->min_order, sizeof(self->min_order));
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->min_order[0])
		min_order_set(self->min_order, NULL, 0);
	kp_vm_destroy(&self->vm);
	fail_nth_close(self->nth_fd);
}

struct sweep_state {
	int kp, io;
	__u32 h, h_old;
};

/* The state the operation needs, with no fault armed. */
static int sweep_setup(enum sweep_kind kind, struct kp_vm *vm,
		       struct sweep_state *st)
{
	int ret;

	st->kp = -1;
	st->io = open(IOASID_DEV, O_RDWR);
	if (st->io < 0)
		return -errno;
	ret = io_alloc(st->io, &st->h);
	if (!ret)
		ret = io_alloc(st->io, &st->h_old);
	if (!ret)
		ret = io_bind(st->io, st->h_old, G_OLD);
	if (ret || kind == SWEEP_OPEN)
		return ret;
	st->kp = open(KP_DEV, O_RDWR);
	if (st->kp < 0)
		return -errno;
	if (kind == SWEEP_ATTACH_REPLAY)
		ret = io_bind(st->io, st->h, G1);
	if (ret || kind == SWEEP_ATTACH || kind == SWEEP_ATTACH_REPLAY)
		return ret;
	ret = kp_attach(st->kp, vm->fd, st->io);
	if (!ret && kind != SWEEP_BIND)
		ret = io_bind(st->io, st->h, G1);
	return ret;
}

static int sweep_op(enum sweep_kind kind, struct kp_vm *vm,
		    struct sweep_state *st)
{
	struct kvm_pasid_entry e[4];
	struct kvm_pasid_info info;
	int ret;

	switch (kind) {
	case SWEEP_OPEN:
		st->kp = open(KP_DEV, O_RDWR);
		return st->kp < 0 ? -errno : 0;
	case SWEEP_INFO:
		return kp_info(st->kp, &info);
	case SWEEP_ATTACH:
	case SWEEP_ATTACH_REPLAY:
		return kp_attach(st->kp, vm->fd, st->io);
	case SWEEP_BIND:
		return io_bind(st->io, st->h, G1);
	case SWEEP_UNBIND:
		return io_unbind(st->io, st->h);
	case SWEEP_FREE:
		return io_free(st->io, st->h);
	case SWEEP_TRANSLATE:
		ret = kp_translate(st->kp, G1);
		return ret < 0 ? ret : 0;
	case SWEEP_DUMP:
		ret = kp_dump(st->kp, 0, e, 4, NULL);
		return ret < 0 ? ret : 0;
	case SWEEP_DETACH:
		return kp_detach(st->kp);
	case SWEEP_CLOSE_IOASID:
		ret = close(st->io);
		st->io = -1;
		return ret;
	case SWEEP_CLOSE:
		ret = close(st->kp);
		st->kp = -1;
		return ret;
	}
	return -EINVAL;
}

/* What must hold after the operation failed (nothing changed) or not. */
static void sweep_check(struct __test_metadata *_metadata,
			enum sweep_kind kind, struct sweep_state *st,
			bool failed)
{
	struct kvm_pasid_info info;

	if (kind == SWEEP_CLOSE || kind == SWEEP_OPEN) {
		/* A fresh file can attach and see the old bind. */
		return;
	}
	ASSERT_EQ(0, kp_info(st->kp, &info));
	switch (kind) {
	case SWEEP_ATTACH:
	case SWEEP_ATTACH_REPLAY:
		if (failed) {
			EXPECT_EQ(0, info.out_flags & KVM_PASID_INFO_ATTACHED);
			EXPECT_EQ(-ENOTCONN, kp_translate(st->kp, G_OLD));
		} else {
			EXPECT_EQ(st->h_old, kp_translate(st->kp, G_OLD));
		}
		if (kind == SWEEP_ATTACH_REPLAY && !failed)
			EXPECT_EQ(st->h, kp_translate(st->kp, G1));
		break;
	case SWEEP_BIND:
		if (failed) {
			/* Nothing changed, in the set and in the table. */
			EXPECT_EQ(-ENOENT, io_translate(st->io, G1));
			EXPECT_EQ(-ENOENT, kp_translate(st->kp, G1));
			EXPECT_EQ(1, info.nr_entries);
			EXPECT_EQ(1, info.nr_tables);
		} else {
			EXPECT_EQ(st->h, io_translate(st->io, G1));
			EXPECT_EQ(st->h, kp_translate(st->kp, G1));
		}
		break;
	case SWEEP_UNBIND:
	case SWEEP_FREE:
		/* Only the ioctl's copy can fail: then nothing happened. */
		EXPECT_EQ(failed ? (long)st->h : -ENOENT, kp_translate(st->kp, G1));
		EXPECT_EQ(st->h_old, kp_translate(st->kp, G_OLD));
		break;
	case SWEEP_CLOSE_IOASID:
		EXPECT_EQ(-ENOTCONN, kp_translate(st->kp, G_OLD));
		break;
	case SWEEP_DETACH:
		if (!failed)
			EXPECT_EQ(-ENOTCONN, kp_translate(st->kp, G_OLD));
		break;
	default:
		EXPECT_EQ(st->h_old, kp_translate(st->kp, G_OLD));
		break;
	}
}

TEST_F(fail_nth, sweep)
{
	enum sweep_kind kind = variant->kind;
	unsigned int nth, failures = 0;
	struct kvm_pasid_info info;
	__u64 refused = 0;
	bool fired;
	int ret;

	for (nth = 1; nth < 200; nth++) {
		struct sweep_state st;

		ASSERT_EQ(0, sweep_setup(kind, &self->vm, &st));
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		ret = sweep_op(kind, &self->vm, &st);
		fired = fail_nth_fired(self->nth_fd);
		if (ret) {
			/* Only an injected fault may make a valid call fail. */
			ASSERT_TRUE(fired) TH_LOG("nth %u: %s", nth, strerror(-ret));
			ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT)
				TH_LOG("nth %u: %s", nth, strerror(-ret));
			failures++;
		}
		sweep_check(_metadata, kind, &st, ret != 0);
		if (st.kp >= 0 && !kp_info(st.kp, &info))
			refused += info.refused;
		if (st.kp >= 0)
			close(st.kp);
		if (st.io >= 0)
			close(st.io);
		if (!fired)
			break;
	}
	ASSERT_LT(nth, 200);
	TH_LOG("%u injected failures, clean at nth %u; %llu BIND(s) refused by kvm_pasid",
	       failures, nth, (unsigned long long)refused);
	/* The table's page allocation was met: a refusal, attach failed. */
	if (kind == SWEEP_BIND || kind == SWEEP_ATTACH_REPLAY)
		EXPECT_LT(0, refused);
}

/* One VM held for the whole program: see kp_hold_kvm(). */
static void __attribute__((constructor)) kp_test_init(void)
{
	kp_hold_kvm();
}

TEST_HARNESS_MAIN
