// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the fault queue, page request groups and the fault fd's read and
 * write (drivers/vfio_iommu_nested/fault.c).
 *
 * Reporters that wait for a page response run as kthreads; the test plays
 * the VMM reading the fault fd and writing responses, through the same
 * functions the fd's read_iter and write_iter use, on kernel buffers.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uio.h>
#include <linux/vfio_iommu_nested.h>
#include "../fault.h"

#define REC_SIZE	sizeof(struct vfio_nested_fault)
#define RESP_SIZE	sizeof(struct vfio_nested_page_response)
/* How long a test waits for a kthread to reach a state, at most. */
#define FK_TIMEOUT_MS	5000

/* A device raising one page request group and waiting for its answer. */
struct fk_req {
	struct vn_fault_queue *q;
	struct vn_fault_info pages[VN_FAULT_GROUP_MAX + 1];
	unsigned int n;
	bool killable;
	int ret;
	struct completion done;
	struct task_struct *task;
};

static int fk_req_fn(void *data)
{
	struct fk_req *r = data;

	/* A kthread ignores SIGKILL unless told otherwise. */
	if (r->killable)
		kernel_sigaction(SIGKILL, SIG_DFL);
	r->ret = vn_fault_page_request(r->q, r->pages, r->n);
	complete(&r->done);
	return 0;
}

static struct fk_req *fk_req_new(struct kunit *test, struct vn_fault_queue *q,
				 unsigned int n, u32 pasid, bool has_pasid,
				 u64 addr)
{
	struct fk_req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->q = q;
	r->n = n;
	init_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(r->pages); i++) {
		r->pages[i].dev_id = 7;
		r->pages[i].pasid = pasid;
		r->pages[i].has_pasid = has_pasid;
		r->pages[i].perm = VFIO_NESTED_FAULT_PERM_WRITE;
		r->pages[i].reason = VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT;
		r->pages[i].grpid = 0x3c5;	/* wider than 9 bits */
		r->pages[i].addr = addr + i * 0x1000 + 0x123;
	}
	return r;
}

static void fk_req_start(struct kunit *test, struct fk_req *r)
{
	r->task = kthread_run(fk_req_fn, r, "fault_kunit_req");
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->task));
	get_task_struct(r->task);
}

/* Wait for @done; false if it is still not done after @ms. */
static bool fk_done(struct completion *done, unsigned int ms)
{
	return wait_for_completion_timeout(done, msecs_to_jiffies(ms)) != 0;
}

/* Wait for the reporter's return; false if it still waits after @ms. */
static bool fk_req_wait(struct fk_req *r, unsigned int ms)
{
	return fk_done(&r->done, ms);
}

static void fk_req_end(struct kunit *test, struct fk_req *r)
{
	KUNIT_EXPECT_TRUE(test, fk_req_wait(r, FK_TIMEOUT_MS));
	put_task_struct(r->task);
}

/* Wait until the queue holds @groups unanswered groups. */
static bool fk_wait_groups(struct vn_fault_queue *q, unsigned int groups)
{
	struct vn_fault_stats st;
	unsigned int ms;

	for (ms = 0; ms < FK_TIMEOUT_MS; ms++) {
		vn_fault_queue_stats(q, &st);
		if (st.groups == groups)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

static ssize_t fk_read(struct vn_fault_queue *q, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	return vn_fault_read_records(q, &it, true);
}

static ssize_t fk_write(struct vn_fault_queue *q, const void *buf, size_t len)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
	return vn_fault_write_responses(q, &it);
}

static ssize_t fk_respond(struct vn_fault_queue *q, u32 cookie, u32 code)
{
	struct vfio_nested_page_response r = {
		.size = RESP_SIZE, .cookie = cookie, .code = code,
	};

	return fk_write(q, &r, sizeof(r));
}

/* Read exactly one record. */
static void fk_read1(struct kunit *test, struct vn_fault_queue *q,
		     struct vfio_nested_fault *rec)
{
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, REC_SIZE), (ssize_t)REC_SIZE);
}

static struct vn_fault_queue *fk_queue(struct kunit *test, unsigned int depth)
{
	struct vn_fault_queue *q = vn_fault_queue_alloc(depth);

	KUNIT_ASSERT_FALSE(test, IS_ERR(q));
	return q;
}

static struct file *fk_open(struct kunit *test, struct vn_fault_queue *q)
{
	struct file *f = vn_fault_queue_get_file(q);

	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	return f;
}

static void fk_test_alloc(struct kunit *test)
{
	struct vn_fault_queue *q;

	KUNIT_EXPECT_EQ(test, PTR_ERR(vn_fault_queue_alloc(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vn_fault_queue_alloc(VN_FAULT_DEPTH_MAX + 1)),
			-EINVAL);
	q = fk_queue(test, VN_FAULT_DEPTH_MAX);
	KUNIT_EXPECT_EQ(test, vn_fault_queue_depth(q), VN_FAULT_DEPTH_MAX);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Unrecoverable records: every field, the masks, whole records only. */
static void fk_test_record(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct vfio_nested_fault recs[2];
	struct vn_fault_info f = {
		.dev_id = 3, .pasid = 0x12345, .has_pasid = true,
		.has_gpa = true, .gpa = 0xabc000,
		.perm = VFIO_NESTED_FAULT_PERM_READ |
			VFIO_NESTED_FAULT_PERM_EXEC | 0x100,
		.reason = VFIO_NESTED_FAULT_REASON_S2_WALK,
		.grpid = 9, .addr = 0x7fff12345678,
	};
	u8 small[REC_SIZE - 1];

	KUNIT_EXPECT_EQ(test, fk_read(q, recs, REC_SIZE), -EAGAIN);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	f.has_pasid = false;
	f.has_gpa = false;
	f.perm = VFIO_NESTED_FAULT_PERM_PRIV;
	f.reason = VFIO_NESTED_FAULT_REASON_NO_S1;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);

	KUNIT_EXPECT_EQ(test, fk_read(q, small, sizeof(small)), -EINVAL);
	/* Room for one and a half: one record. */
	KUNIT_ASSERT_EQ(test, fk_read(q, recs, REC_SIZE + REC_SIZE / 2),
			(ssize_t)REC_SIZE);
	KUNIT_EXPECT_EQ(test, recs[0].size, REC_SIZE);
	KUNIT_EXPECT_EQ(test, recs[0].kind, VFIO_NESTED_FAULT_UNRECOVERABLE);
	KUNIT_EXPECT_EQ(test, recs[0].flags, VFIO_NESTED_FAULT_PASID_VALID |
			VFIO_NESTED_FAULT_GPA_VALID);
	KUNIT_EXPECT_EQ(test, recs[0].dev_id, 3);
	KUNIT_EXPECT_EQ(test, recs[0].pasid, 0x12345);
	KUNIT_EXPECT_EQ(test, recs[0].perm, VFIO_NESTED_FAULT_PERM_READ |
			VFIO_NESTED_FAULT_PERM_EXEC);
	KUNIT_EXPECT_EQ(test, recs[0].reason, VFIO_NESTED_FAULT_REASON_S2_WALK);
	KUNIT_EXPECT_EQ(test, recs[0].addr, 0x7fff12345678ULL);
	KUNIT_EXPECT_EQ(test, recs[0].gpa, 0xabc000ULL);
	/* Page request fields stay 0 in an unrecoverable record. */
	KUNIT_EXPECT_EQ(test, recs[0].grpid, 0);
	KUNIT_EXPECT_EQ(test, recs[0].cookie, 0);
	KUNIT_EXPECT_EQ(test, recs[0].lost, 0);
	KUNIT_EXPECT_EQ(test, recs[0].refused, 0);
	KUNIT_EXPECT_EQ(test, recs[0].__reserved, 0);

	fk_read1(test, q, &recs[1]);
	KUNIT_EXPECT_EQ(test, recs[1].flags, 0);
	KUNIT_EXPECT_EQ(test, recs[1].pasid, 0);
	KUNIT_EXPECT_EQ(test, recs[1].gpa, 0);
	KUNIT_EXPECT_EQ(test, recs[1].perm, VFIO_NESTED_FAULT_PERM_PRIV);
	KUNIT_EXPECT_EQ(test, recs[1].reason, VFIO_NESTED_FAULT_REASON_NO_S1);
	KUNIT_EXPECT_EQ(test, fk_read(q, recs, sizeof(recs)), -EAGAIN);

	vn_fault_queue_shutdown(q);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), -ESHUTDOWN);
	/* End of file once shut down and empty. */
	KUNIT_EXPECT_EQ(test, fk_read(q, recs, sizeof(recs)), 0);
	vn_fault_queue_put(q);
}

/* A group of three pages: shared cookie and grpid, the last flag, page addresses. */
static void fk_test_group(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct file *f = fk_open(test, q);
	struct vfio_nested_fault rec[3];
	struct fk_req *r;
	unsigned int i;

	r = fk_req_new(test, q, 3, 42, true, 0x40000000);
	fk_req_start(test, r);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));

	/* Read a record at a time: the group is not pending before its last. */
	fk_read1(test, q, &rec[0]);
	KUNIT_EXPECT_NE(test, rec[0].cookie, 0);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	KUNIT_ASSERT_EQ(test, fk_read(q, &rec[1], 2 * REC_SIZE),
			(ssize_t)(2 * REC_SIZE));
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, rec[i].kind, VFIO_NESTED_FAULT_PAGE_REQ);
		KUNIT_EXPECT_EQ(test, rec[i].cookie, rec[0].cookie);
		KUNIT_EXPECT_EQ(test, rec[i].grpid, 0x1c5);
		KUNIT_EXPECT_EQ(test, rec[i].pasid, 42);
		KUNIT_EXPECT_EQ(test, rec[i].dev_id, 7);
		KUNIT_EXPECT_EQ(test, rec[i].perm, VFIO_NESTED_FAULT_PERM_WRITE);
		KUNIT_EXPECT_EQ(test, rec[i].reason,
				VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
		KUNIT_EXPECT_EQ(test, rec[i].addr, 0x40000000ULL + i * 0x1000);
		KUNIT_EXPECT_EQ(test, rec[i].flags,
				VFIO_NESTED_FAULT_PASID_VALID |
				(i == 2 ? VFIO_NESTED_FAULT_LAST_PAGE : 0));
	}
	/* Still waiting until answered. */
	KUNIT_EXPECT_FALSE(test, fk_req_wait(r, 50));
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS),
			(ssize_t)RESP_SIZE);
	fk_req_end(test, r);
	KUNIT_EXPECT_EQ(test, r->ret, VFIO_NESTED_PAGE_RESP_SUCCESS);

	/* Group sizes out of bounds are refused before anything is queued. */
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, r->pages, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, r->pages,
						    VN_FAULT_GROUP_MAX + 1),
			-EINVAL);
	r->pages[1].pasid = 43;
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, r->pages, 2), -EINVAL);

	__fput_sync(f);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Responses: the right group wakes, wrong cookies and double answers don't. */
static void fk_test_response(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct file *f = fk_open(test, q);
	struct vfio_nested_page_response resp[2];
	struct vfio_nested_fault rec[2];
	struct fk_req *a, *b;
	u8 big[RESP_SIZE + 8];
	struct vn_fault_stats st;

	a = fk_req_new(test, q, 1, 1, true, 0x1000);
	b = fk_req_new(test, q, 1, 2, true, 0x2000);
	fk_req_start(test, a);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	fk_req_start(test, b);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 2));
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)sizeof(rec));
	KUNIT_EXPECT_EQ(test, rec[0].pasid, 1);
	KUNIT_EXPECT_EQ(test, rec[1].pasid, 2);
	KUNIT_EXPECT_NE(test, rec[0].cookie, rec[1].cookie);

	/* Malformed responses consume nothing. */
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[1].cookie + rec[0].cookie + 100,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	KUNIT_EXPECT_EQ(test, fk_respond(q, 0, VFIO_NESTED_PAGE_RESP_SUCCESS),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[1].cookie, 3), -EINVAL);
	memset(resp, 0, sizeof(resp));
	resp[0].size = RESP_SIZE;
	resp[0].cookie = rec[1].cookie;
	resp[0].flags = 1;
	KUNIT_EXPECT_EQ(test, fk_write(q, resp, RESP_SIZE), -EOPNOTSUPP);
	resp[0].flags = 0;
	KUNIT_EXPECT_EQ(test, fk_write(q, resp, RESP_SIZE - 1), -EINVAL);
	resp[0].size = RESP_SIZE - 1;
	KUNIT_EXPECT_EQ(test, fk_write(q, resp, RESP_SIZE), -EINVAL);
	resp[0].size = RESP_SIZE + 4;	/* runs past the buffer */
	KUNIT_EXPECT_EQ(test, fk_write(q, resp, RESP_SIZE), -EINVAL);
	memset(big, 0, sizeof(big));
	resp[0].size = sizeof(big);
	memcpy(big, &resp[0], RESP_SIZE);
	big[RESP_SIZE + 3] = 1;
	KUNIT_EXPECT_EQ(test, fk_write(q, big, sizeof(big)), -E2BIG);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.groups, 2);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(a, 10));
	KUNIT_EXPECT_FALSE(test, fk_req_wait(b, 10));

	/* A longer response with a zero tail answers b, and only b. */
	big[RESP_SIZE + 3] = 0;
	memcpy(big, &resp[0], RESP_SIZE);
	((struct vfio_nested_page_response *)big)->code =
		VFIO_NESTED_PAGE_RESP_INVALID;
	KUNIT_EXPECT_EQ(test, fk_write(q, big, sizeof(big)), (ssize_t)sizeof(big));
	fk_req_end(test, b);
	KUNIT_EXPECT_EQ(test, b->ret, VFIO_NESTED_PAGE_RESP_INVALID);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(a, 50));

	/* Twice: refused. A batch stops at the bad one and reports the good. */
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[1].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	resp[0].size = RESP_SIZE;
	resp[0].cookie = rec[0].cookie;
	resp[0].code = VFIO_NESTED_PAGE_RESP_FAILURE;
	resp[1] = resp[0];
	KUNIT_EXPECT_EQ(test, fk_write(q, resp, sizeof(resp)), (ssize_t)RESP_SIZE);
	fk_req_end(test, a);
	KUNIT_EXPECT_EQ(test, a->ret, VFIO_NESTED_PAGE_RESP_FAILURE);
	KUNIT_EXPECT_EQ(test, fk_write(q, &resp[1], RESP_SIZE), -EINVAL);

	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.groups, 0);
	KUNIT_EXPECT_EQ(test, st.answered, 2);
	__fput_sync(f);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Unrecoverable overflow: counted, reported once, in its place. */
static void fk_test_overflow(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 2);
	struct vn_fault_info f = { .dev_id = 1 };
	struct vfio_nested_fault rec[4];
	struct vn_fault_stats st;

	f.addr = 0xa000;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	f.addr = 0xb000;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	f.addr = 0xc000;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), -ENOSPC);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.queued, 2);
	KUNIT_EXPECT_EQ(test, st.lost, 2);

	/* Reading one frees a slot; the next fault goes after the loss. */
	fk_read1(test, q, &rec[0]);
	KUNIT_EXPECT_EQ(test, rec[0].addr, 0xa000ULL);
	f.addr = 0xd000;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)(3 * REC_SIZE));
	KUNIT_EXPECT_EQ(test, rec[0].addr, 0xb000ULL);
	KUNIT_EXPECT_EQ(test, rec[1].kind, VFIO_NESTED_FAULT_OVERFLOW);
	KUNIT_EXPECT_EQ(test, rec[1].size, REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec[1].lost, 2);
	KUNIT_EXPECT_EQ(test, rec[1].refused, 0);
	KUNIT_EXPECT_EQ(test, rec[2].kind, VFIO_NESTED_FAULT_UNRECOVERABLE);
	KUNIT_EXPECT_EQ(test, rec[2].addr, 0xd000ULL);
	KUNIT_EXPECT_EQ(test, fk_read(q, rec, sizeof(rec)), -EAGAIN);

	/* A loss on an empty queue is readable by itself. */
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), -ENOSPC);
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)(3 * REC_SIZE));
	KUNIT_EXPECT_EQ(test, rec[2].kind, VFIO_NESTED_FAULT_OVERFLOW);
	KUNIT_EXPECT_EQ(test, rec[2].lost, 1);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.lost, 3);
	KUNIT_EXPECT_EQ(test, st.queued, 0);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Page requests beyond the depth fail at once and are reported. */
static void fk_test_prq_overflow(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 1);
	struct file *f = fk_open(test, q);
	struct vfio_nested_fault rec[3];
	struct vn_fault_stats st;
	struct fk_req *a;

	a = fk_req_new(test, q, 1, 5, true, 0x5000);
	fk_req_start(test, a);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	/* The test itself is the second device: no wait, -ENOSPC. */
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, a->pages, 1), -ENOSPC);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.refused, 1);
	KUNIT_EXPECT_EQ(test, st.groups, 1);

	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)(2 * REC_SIZE));
	KUNIT_EXPECT_EQ(test, rec[0].kind, VFIO_NESTED_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, rec[1].kind, VFIO_NESTED_FAULT_OVERFLOW);
	KUNIT_EXPECT_EQ(test, rec[1].refused, 1);
	KUNIT_EXPECT_EQ(test, rec[1].lost, 0);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS),
			(ssize_t)RESP_SIZE);
	fk_req_end(test, a);
	KUNIT_EXPECT_EQ(test, a->ret, VFIO_NESTED_PAGE_RESP_SUCCESS);
	__fput_sync(f);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Unbind answers its PASID's requests INVALID, read or not; shutdown the rest. */
static void fk_test_abort_shutdown(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 8);
	struct file *f = fk_open(test, q);
	struct fk_req *read5, *unread5, *other6, *rid;
	struct vfio_nested_fault rec[2];
	struct vn_fault_stats st;

	read5 = fk_req_new(test, q, 2, 5, true, 0x1000);
	unread5 = fk_req_new(test, q, 1, 5, true, 0x9000);
	other6 = fk_req_new(test, q, 1, 6, true, 0x1000);
	rid = fk_req_new(test, q, 1, 5, false, 0x1000);
	fk_req_start(test, read5);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)sizeof(rec));
	KUNIT_EXPECT_EQ(test, rec[0].flags, VFIO_NESTED_FAULT_PASID_VALID);
	fk_req_start(test, unread5);
	fk_req_start(test, other6);
	fk_req_start(test, rid);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 4));

	vn_fault_abort(q, 5, true);
	fk_req_end(test, read5);
	fk_req_end(test, unread5);
	KUNIT_EXPECT_EQ(test, read5->ret, VFIO_NESTED_PAGE_RESP_INVALID);
	KUNIT_EXPECT_EQ(test, unread5->ret, VFIO_NESTED_PAGE_RESP_INVALID);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(other6, 20));
	KUNIT_EXPECT_FALSE(test, fk_req_wait(rid, 20));
	/* The answered group's cookie is no longer pending. */
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[1].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);

	/* Without PASID: the RID's requests only, not PASID 5's or 6's. */
	vn_fault_abort(q, 0, false);
	fk_req_end(test, rid);
	KUNIT_EXPECT_EQ(test, rid->ret, VFIO_NESTED_PAGE_RESP_INVALID);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(other6, 20));

	/* Of the unread groups, only other6's records are left to read. */
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec[0].pasid, 6);

	vn_fault_queue_shutdown(q);
	fk_req_end(test, other6);
	KUNIT_EXPECT_EQ(test, other6->ret, VFIO_NESTED_PAGE_RESP_FAILURE);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.groups, 0);
	KUNIT_EXPECT_EQ(test, st.answered, 4);

	/* Shut down: nothing new is taken. */
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, rid->pages, 1), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &rid->pages[0]), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vn_fault_queue_get_file(q)), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, fk_read(q, rec, sizeof(rec)), 0);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLHUP);
	__fput_sync(f);
	vn_fault_queue_put(q);
}

/* A group withdrawn after part of it was read: the reader goes on after it. */
/*
 * vn_fault_abort_dev(): the groups of one device end with -EINTR, read or
 * not, whatever their PASID; another device's stay; a response to an
 * aborted group is refused.
 */
static void fk_test_abort_dev(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 8);
	struct file *f = fk_open(test, q);
	struct fk_req *read7, *unread7, *other;
	struct vfio_nested_fault rec[2];
	struct vn_fault_stats st;
	unsigned int i;

	read7 = fk_req_new(test, q, 1, 5, true, 0x1000);
	unread7 = fk_req_new(test, q, 1, 6, true, 0x2000);
	other = fk_req_new(test, q, 1, 5, true, 0x3000);
	for (i = 0; i < ARRAY_SIZE(other->pages); i++)
		other->pages[i].dev_id = 8;
	fk_req_start(test, read7);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, REC_SIZE), (ssize_t)REC_SIZE);
	fk_req_start(test, unread7);
	fk_req_start(test, other);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 3));

	KUNIT_EXPECT_EQ(test, vn_fault_abort_dev(q, 7), 2);
	fk_req_end(test, read7);
	fk_req_end(test, unread7);
	KUNIT_EXPECT_EQ(test, read7->ret, -EINTR);
	KUNIT_EXPECT_EQ(test, unread7->ret, -EINTR);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(other, 20));
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	/* Nothing of device 7 is left; device 8's record is still there. */
	KUNIT_EXPECT_EQ(test, vn_fault_abort_dev(q, 7), 0);
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec[0].dev_id, 8);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec[0].cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS),
			(ssize_t)sizeof(struct vfio_nested_page_response));
	fk_req_end(test, other);
	KUNIT_EXPECT_EQ(test, other->ret, VFIO_NESTED_PAGE_RESP_SUCCESS);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.groups, 0);
	KUNIT_EXPECT_EQ(test, st.answered, 3);
	__fput_sync(f);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

static void fk_test_withdrawn_partial(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct vn_fault_info f = { .dev_id = 2, .addr = 0x8000 };
	struct file *file = fk_open(test, q);
	struct vfio_nested_fault rec[3];
	struct fk_req *a;

	a = fk_req_new(test, q, 3, 9, true, 0x9000);
	fk_req_start(test, a);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	fk_read1(test, q, &rec[0]);
	KUNIT_EXPECT_EQ(test, rec[0].kind, VFIO_NESTED_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, rec[0].flags, VFIO_NESTED_FAULT_PASID_VALID);

	vn_fault_abort(q, 9, true);
	fk_req_end(test, a);
	KUNIT_EXPECT_EQ(test, a->ret, VFIO_NESTED_PAGE_RESP_INVALID);
	/* The rest of the group is gone; the record after it comes next. */
	KUNIT_ASSERT_EQ(test, fk_read(q, rec, sizeof(rec)), (ssize_t)REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec[0].kind, VFIO_NESTED_FAULT_UNRECOVERABLE);
	KUNIT_EXPECT_EQ(test, rec[0].addr, 0x8000ULL);
	__fput_sync(file);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* Closing the fd answers FAILURE; records survive for the next fd. */
static void fk_test_close(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct vn_fault_info f = { .dev_id = 9, .addr = 0xe000 };
	struct vfio_nested_fault rec;
	struct file *file, *file2;
	struct fk_req *a;

	/* No fault fd: a page request fails at once. */
	a = fk_req_new(test, q, 1, 1, true, 0x1000);
	KUNIT_EXPECT_EQ(test, vn_fault_page_request(q, a->pages, 1), -ENOTCONN);

	file = fk_open(test, q);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vn_fault_queue_get_file(q)), -EBUSY);
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	fk_req_start(test, a);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_EXPECT_FALSE(test, fk_req_wait(a, 20));
	__fput_sync(file);
	fk_req_end(test, a);
	KUNIT_EXPECT_EQ(test, a->ret, VFIO_NESTED_PAGE_RESP_FAILURE);

	file2 = fk_open(test, q);
	fk_read1(test, q, &rec);
	KUNIT_EXPECT_EQ(test, rec.kind, VFIO_NESTED_FAULT_UNRECOVERABLE);
	KUNIT_EXPECT_EQ(test, rec.addr, 0xe000ULL);
	/* The answered group is gone: nothing else to read. */
	KUNIT_EXPECT_EQ(test, fk_read(q, &rec, REC_SIZE), -EAGAIN);
	__fput_sync(file2);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* A reporter killed while waiting returns, and its group is withdrawn. */
static void fk_test_killable(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct file *f = fk_open(test, q);
	struct vfio_nested_fault rec;
	struct vn_fault_stats st;
	struct fk_req *a;

	a = fk_req_new(test, q, 1, 3, true, 0x3000);
	a->killable = true;
	fk_req_start(test, a);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	fk_read1(test, q, &rec);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(a, 20));

	send_sig(SIGKILL, a->task, 1);
	fk_req_end(test, a);
	KUNIT_EXPECT_EQ(test, a->ret, -EINTR);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.groups, 0);
	KUNIT_EXPECT_EQ(test, fk_respond(q, rec.cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS), -EINVAL);
	__fput_sync(f);
	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

/* A blocking reader is woken by a report, and by shutdown (end of file). */
struct fk_reader {
	struct vn_fault_queue *q;
	struct vfio_nested_fault rec;
	ssize_t ret;
	struct completion done;
};

static int fk_reader_fn(void *data)
{
	struct fk_reader *rd = data;
	struct kvec kv = { .iov_base = &rd->rec, .iov_len = REC_SIZE };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, REC_SIZE);
	rd->ret = vn_fault_read_records(rd->q, &it, false);
	complete(&rd->done);
	return 0;
}

static void fk_test_blocking_read(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct vn_fault_info f = { .addr = 0xf000 };
	struct file *file = fk_open(test, q);
	struct fk_reader rd = { .q = q };
	struct task_struct *t;

	KUNIT_EXPECT_FALSE(test, vfs_poll(file, NULL) & EPOLLIN);
	KUNIT_EXPECT_TRUE(test, vfs_poll(file, NULL) & EPOLLOUT);

	init_completion(&rd.done);
	t = kthread_run(fk_reader_fn, &rd, "fault_kunit_rd");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_FALSE(test, fk_done(&rd.done, 50));
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_ASSERT_TRUE(test, fk_done(&rd.done, FK_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, rd.ret, (ssize_t)REC_SIZE);
	KUNIT_EXPECT_EQ(test, rd.rec.addr, 0xf000ULL);

	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_EXPECT_TRUE(test, vfs_poll(file, NULL) & EPOLLIN);
	KUNIT_EXPECT_FALSE(test, vfs_poll(file, NULL) & EPOLLHUP);
	fk_read1(test, q, &rd.rec);

	reinit_completion(&rd.done);
	t = kthread_run(fk_reader_fn, &rd, "fault_kunit_rd");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_FALSE(test, fk_done(&rd.done, 50));
	vn_fault_queue_shutdown(q);
	KUNIT_ASSERT_TRUE(test, fk_done(&rd.done, FK_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, rd.ret, 0);
	__fput_sync(file);
	vn_fault_queue_put(q);
}

/* ---- fault sinks (the vIOMMU's kapi) ---- */

struct fk_sink {
	unsigned int faults, prs;
	struct vfio_nested_fault last;
};

static void fk_sink_fault(void *priv, const struct vfio_nested_fault *rec)
{
	struct fk_sink *s = priv;

	s->faults++;
	s->last = *rec;
}

static void fk_sink_page_request(void *priv,
				 const struct vfio_nested_fault *recs,
				 unsigned int n)
{
	struct fk_sink *s = priv;

	s->prs += n;
	s->last = recs[n - 1];
}

static const struct vfio_nested_fault_sink_ops fk_sink_ops = {
	.fault = fk_sink_fault,
	.page_request = fk_sink_page_request,
};

static void fk_test_sink(struct kunit *test)
{
	struct vn_fault_queue *q = fk_queue(test, 4);
	struct fk_sink s = {};
	struct vfio_nested_fault_sink sink = { .ops = &fk_sink_ops, .priv = &s };
	struct vn_fault_info f = {
		.dev_id = 7,
		.reason = VFIO_NESTED_FAULT_REASON_S1_RESERVED,
		.addr = 0x1000,
	};
	struct vn_fault_stats st;
	struct fk_req *r;
	struct file *file;

	KUNIT_ASSERT_EQ(test, vn_fault_set_sink(q, 7, &sink), 0);
	KUNIT_EXPECT_EQ(test, vn_fault_set_sink(q, 7, &sink), -EBUSY);
	/* the device's unrecoverable faults are the sink's, not the queue's */
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_EXPECT_EQ(test, s.faults, 1U);
	KUNIT_EXPECT_EQ(test, s.last.dev_id, 7U);
	KUNIT_EXPECT_EQ(test, s.last.addr, 0x1000ULL);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.queued, 0U);
	f.dev_id = 8;
	KUNIT_EXPECT_EQ(test, vn_fault_report(q, &f), 0);
	KUNIT_EXPECT_EQ(test, s.faults, 1U);
	vn_fault_queue_stats(q, &st);
	KUNIT_EXPECT_EQ(test, st.queued, 1U);

	/* a page request with no fault fd open goes to the sink, pending */
	r = fk_req_new(test, q, 1, 3, true, 0x5000);
	fk_req_start(test, r);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_EXPECT_EQ(test, s.prs, 1U);
	KUNIT_EXPECT_TRUE(test, s.last.flags & VFIO_NESTED_FAULT_LAST_PAGE);
	KUNIT_EXPECT_NE(test, s.last.cookie, 0U);
	/* the fault fd cannot answer it, nor does closing it */
	file = fk_open(test, q);
	KUNIT_EXPECT_EQ(test, fk_respond(q, s.last.cookie,
					 VFIO_NESTED_PAGE_RESP_SUCCESS),
			(ssize_t)-EINVAL);
	__fput_sync(file);
	KUNIT_EXPECT_FALSE(test, fk_req_wait(r, 100));
	KUNIT_EXPECT_EQ(test, vn_fault_respond(q, s.last.cookie + 1,
					       VFIO_NESTED_PAGE_RESP_SUCCESS),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vn_fault_respond(q, s.last.cookie, 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, vn_fault_respond(q, s.last.cookie,
					       VFIO_NESTED_PAGE_RESP_SUCCESS), 0);
	fk_req_end(test, r);
	KUNIT_EXPECT_EQ(test, r->ret, (int)VFIO_NESTED_PAGE_RESP_SUCCESS);
	KUNIT_EXPECT_EQ(test, vn_fault_respond(q, s.last.cookie,
					       VFIO_NESTED_PAGE_RESP_SUCCESS),
			-EINVAL);

	/* clearing the sink answers what it holds with failure */
	r = fk_req_new(test, q, 1, 3, true, 0x6000);
	fk_req_start(test, r);
	KUNIT_ASSERT_TRUE(test, fk_wait_groups(q, 1));
	KUNIT_EXPECT_EQ(test, vn_fault_set_sink(q, 7, NULL), 0);
	fk_req_end(test, r);
	KUNIT_EXPECT_EQ(test, r->ret, (int)VFIO_NESTED_PAGE_RESP_FAILURE);
	KUNIT_EXPECT_EQ(test, vn_fault_set_sink(q, 7, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, s.prs, 2U);

	/* without it, and no fault fd, a page request is refused */
	r = fk_req_new(test, q, 1, 3, true, 0x7000);
	fk_req_start(test, r);
	fk_req_end(test, r);
	KUNIT_EXPECT_EQ(test, r->ret, -ENOTCONN);
	KUNIT_EXPECT_EQ(test, s.prs, 2U);

	vn_fault_queue_shutdown(q);
	vn_fault_queue_put(q);
}

static struct kunit_case fk_cases[] = {
	KUNIT_CASE(fk_test_alloc),
	KUNIT_CASE(fk_test_record),
	KUNIT_CASE(fk_test_group),
	KUNIT_CASE(fk_test_response),
	KUNIT_CASE(fk_test_overflow),
	KUNIT_CASE(fk_test_prq_overflow),
	KUNIT_CASE(fk_test_abort_shutdown),
	KUNIT_CASE(fk_test_abort_dev),
	KUNIT_CASE(fk_test_withdrawn_partial),
	KUNIT_CASE(fk_test_close),
	KUNIT_CASE(fk_test_killable),
	KUNIT_CASE(fk_test_blocking_read),
	KUNIT_CASE(fk_test_sink),
	{}
};

static struct kunit_suite fk_suite = {
	.name = "vfio_iommu_nested_fault",
	.test_cases = fk_cases,
};

kunit_test_suite(fk_suite);

#ifdef HAVE_SYMBOL_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
