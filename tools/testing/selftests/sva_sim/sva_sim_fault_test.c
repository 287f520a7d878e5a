// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: the descriptors that wait. A non-present stage-1 page becomes
 * a page request on the nested container's fault fd; the VMM's success
 * response lets the descriptor complete, a failure response completes it
 * with a page-fault status and the faulting address. A descriptor stuck on
 * an unanswered page request is what makes a queue full (retry status, as
 * ENQCMD reports it, then accepted once there is room), and what drain
 * with abort, disable, VFIO_DEVICE_RESET, closing the device fd and
 * removing the mdev must end without hanging. Several submitters (threads
 * and processes, pwrite and the mapped page) share one queue.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "sva_utils.h"

/* Test mdevs of this program: SVA_UUID(0x20) to (0x3f). */
#define UUID_FAULT	0x20
#define UUID_SUBMIT	0x21
#define RAM_SIZE	(4ULL << 20)
#define QD		0
#define QS		1
/* Bound on how long an abort, a reset, a close or a removal may take. */
#define END_MS		10000

FIXTURE(flt) {
	struct sva_env e;
	int ffd;
	int irq;
	__u64 src, a;		/* a source page, and page A (then a hole) */
	__u8 *src_hva, *a_hva;
};

FIXTURE_SETUP(flt)
{
	/* the shared queue holds two descriptors: easy to fill */
	static const struct sva_cfg cfg = { .sizes = "4,2" };
	int ret;

	self->e.ioasid = -1;
	self->ffd = -1;
	self->irq = -1;
	sva_dev_init(&self->e.d);
	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	ret = sva_env_setup(&self->e, UUID_FAULT, &cfg, RAM_SIZE);
	ASSERT_EQ(0, ret) TH_LOG("set-up: %s", strerror(-ret));
	self->ffd = np_get_fault_fd(self->e.d.container);
	ASSERT_LE(0, self->ffd);
	self->irq = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->irq);
	ASSERT_EQ(0, sva_set_irq(self->e.d.dev, SVA_SIM_IRQ_COMPLETION, QS,
				 self->irq));
	ASSERT_EQ(0, sva_env_enable(&self->e, QD, true));
	ASSERT_EQ(0, sva_env_enable(&self->e, QS, false));
	self->src = sva_buf(&self->e, 4096, (void **)&self->src_hva);
	self->a = sva_buf(&self->e, 4096, (void **)&self->a_hva);
	ASSERT_NE(0, self->a);
	for (ret = 0; ret < 4096; ret++)
		self->src_hva[ret] = (__u8)(ret * 3 + 1);
}

FIXTURE_TEARDOWN(flt)
{
	/* closing the fault fd first answers whatever a failed test left */
	if (self->ffd >= 0)
		close(self->ffd);
	sva_env_teardown(&self->e);
	if (self->irq >= 0)
		close(self->irq);
}

#define HOLE(self)	((self)->a + NP_PAGE)	/* not present in stage 1 */

/*
 * Submit a memmove of a page from the source to A + 0x800, half of which
 * lands in the hole, and read the page request it raises.
 */
static void fault_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(flt) * self, __u32 q, __u64 cr,
			struct vfio_nested_fault *rec)
{
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_MEMMOVE, self->e.pasid,
					 4096, self->src, self->a + 0x800, cr);

	d.flags |= SVA_SIM_F_RCI;
	ASSERT_EQ(0, sva_submit(&self->e.d, q, &d));
	ASSERT_EQ(0, sva_fault_read(self->ffd, rec, SVA_WAIT_MS));
	EXPECT_EQ(VFIO_NESTED_FAULT_PAGE_REQ, rec->kind);
	EXPECT_TRUE(rec->flags & VFIO_NESTED_FAULT_PASID_VALID);
	EXPECT_EQ(self->e.pasid, rec->pasid);
	EXPECT_EQ(self->e.d.group_id, rec->dev_id);
	EXPECT_EQ(HOLE(self), rec->addr);
	EXPECT_TRUE(rec->perm & VFIO_NESTED_FAULT_PERM_WRITE);
	EXPECT_EQ(VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT, rec->reason);
}

/* The guest's fault handler: map the hole and invalidate. */
static void fix_hole(struct __test_metadata *_metadata,
		     FIXTURE_DATA(flt) * self, void **hva)
{
	__u64 gpa = np_guest_page(&self->e.g, NP_PAGE);

	ASSERT_NE(0, gpa);
	np_map_4k(&self->e.g, HOLE(self), gpa, PTE_USER_RW);
	ASSERT_EQ(0, np_inv_addr(self->e.d.container, self->e.pasid,
				 HOLE(self), 1));
	*hva = np_hva(&self->e.g, gpa);
}

/* Flow 1's fault: page request, response, the descriptor completes. */
TEST_F(flt, page_request_success)
{
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	struct vfio_nested_fault rec;
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;
	__u8 *hole;

	fault_start(_metadata, self, QS, c, &rec);
	/* it waits for the answer */
	EXPECT_EQ(0, sva_wait_cr(cr, 100));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(1, qi.occupancy);
	fix_hole(_metadata, self, (void **)&hole);
	ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
				       VFIO_NESTED_PAGE_RESP_SUCCESS));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr, SVA_WAIT_MS));
	EXPECT_LT(0, sva_eventfd_wait(self->irq, SVA_WAIT_MS));
	EXPECT_EQ(4096, cr->bytes_done);
	EXPECT_EQ(0, memcmp(self->a_hva + 0x800, self->src_hva, 0x800));
	EXPECT_EQ(0, memcmp(hole, self->src_hva + 0x800, 0x800));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(1, st.page_requests);
	EXPECT_EQ(1, st.success);
	/* answered once: a second answer is refused */
	EXPECT_EQ(-EINVAL, sva_page_response(self->ffd, rec.cookie,
					     VFIO_NESTED_PAGE_RESP_SUCCESS));
}

/*
 * "failure" (and "invalid"): the descriptor completes with a page-fault
 * status, the faulting address and the direction; the queue goes on.
 */
TEST_F(flt, page_request_failure)
{
	static const __u32 codes[] = {
		VFIO_NESTED_PAGE_RESP_FAILURE, VFIO_NESTED_PAGE_RESP_INVALID,
	};
	struct sva_sim_completion *cr, *cr2;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	__u64 c2 = sva_buf(&self->e, 32, (void **)&cr2);
	struct vfio_nested_fault rec;
	struct sva_sim_desc d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		memset(cr, 0, 32);
		memset(cr2, 0, 32);
		memset(self->a_hva, 0, 4096);
		fault_start(_metadata, self, QD, c, &rec);
		/* a second descriptor waits behind it */
		d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0, 0, c2);
		ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
		ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
					       codes[i]));
		ASSERT_EQ(SVA_SIM_COMP_PAGE_FAULT, sva_wait_cr(cr, SVA_WAIT_MS));
		EXPECT_EQ(HOLE(self), cr->fault_addr);
		EXPECT_EQ(SVA_SIM_FAULT_WRITE, cr->fault_info);
		EXPECT_GE(0x800, cr->bytes_done);
		/* what it reports done did land */
		EXPECT_EQ(0, memcmp(self->a_hva + 0x800, self->src_hva,
				    cr->bytes_done));
		EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr2, SVA_WAIT_MS));
	}

	/* a read fault of a memmove (page to page): the source side */
	memset(cr, 0, 32);
	d = sva_desc(SVA_SIM_OP_MEMMOVE, self->e.pasid, 4096, self->a + 0x800,
		     self->src, c);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
	ASSERT_EQ(0, sva_fault_read(self->ffd, &rec, SVA_WAIT_MS));
	EXPECT_EQ(HOLE(self), rec.addr);
	EXPECT_EQ(VFIO_NESTED_FAULT_PERM_READ, rec.perm);
	ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
				       VFIO_NESTED_PAGE_RESP_FAILURE));
	ASSERT_EQ(SVA_SIM_COMP_PAGE_FAULT, sva_wait_cr(cr, SVA_WAIT_MS));
	EXPECT_EQ(HOLE(self), cr->fault_addr);
	EXPECT_EQ(0, cr->fault_info);
	EXPECT_GE(0x800, cr->bytes_done);

	/* a read fault: a CRC over the hole, refused */
	memset(cr, 0, 32);
	d = sva_desc(SVA_SIM_OP_CRC32C, self->e.pasid, 8192, self->a, 0, c);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
	ASSERT_EQ(0, sva_fault_read(self->ffd, &rec, SVA_WAIT_MS));
	EXPECT_EQ(HOLE(self), rec.addr);
	EXPECT_EQ(VFIO_NESTED_FAULT_PERM_READ, rec.perm);
	ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
				       VFIO_NESTED_PAGE_RESP_FAILURE));
	ASSERT_EQ(SVA_SIM_COMP_PAGE_FAULT, sva_wait_cr(cr, SVA_WAIT_MS));
	EXPECT_EQ(HOLE(self), cr->fault_addr);
	EXPECT_EQ(0, cr->fault_info);
	EXPECT_EQ(0, cr->crc);
}

/* Closing the fault fd answers the waiting request with a failure. */
TEST_F(flt, fault_fd_closed)
{
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	struct vfio_nested_fault rec;

	fault_start(_metadata, self, QS, c, &rec);
	close(self->ffd);
	self->ffd = -1;
	ASSERT_EQ(SVA_SIM_COMP_PAGE_FAULT, sva_wait_cr(cr, SVA_WAIT_MS));
	EXPECT_EQ(HOLE(self), cr->fault_addr);
}

/*
 * A full shared queue refuses with the retry status (pwrite's EAGAIN, the
 * mapped slot's RETRY) and accepts the same descriptor once there is room.
 */
TEST_F(flt, queue_full_retry)
{
	struct sva_sim_completion *cr[3];
	struct vfio_nested_fault rec;
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;
	struct sva_sim_desc d;
	struct sva_sim_info info;
	__u64 c[3];
	int i, tries = 0, kick = -1;
	__u8 *hole;
	double end;

	for (i = 0; i < 3; i++)
		c[i] = sva_buf(&self->e, 32, (void **)&cr[i]);
	fault_start(_metadata, self, QS, c[0], &rec);
	d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0, 0, c[1]);
	ASSERT_EQ(0, sva_submit(&self->e.d, QS, &d));
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(2, qi.size);
	EXPECT_EQ(2, qi.occupancy);
	d.completion = c[2];
	EXPECT_EQ(-EAGAIN, sva_submit(&self->e.d, QS, &d));
	EXPECT_EQ(-EAGAIN, sva_submit(&self->e.d, QS, &d));
	ASSERT_EQ(0, sva_get_info(self->e.d.dev, &info));
	if (info.out_flags & SVA_SIM_INFO_MMAP) {
		kick = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, kick);
		ASSERT_EQ(0, sva_set_kick(self->e.d.dev, QS, kick));
		ASSERT_EQ(0, sva_portal_map(&self->e.d));
		EXPECT_EQ(-EAGAIN, sva_submit_mapped(&self->e.d, QS, kick, &d));
	}
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(kick >= 0 ? 3 : 2, st.retry);
	EXPECT_EQ(2, st.accepted);
	usleep(10000);
	EXPECT_EQ(0, cr[2]->status);	/* never executed */

	fix_hole(_metadata, self, (void **)&hole);
	ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
				       VFIO_NESTED_PAGE_RESP_SUCCESS));
	/* what a submitter does on ZF: retry until accepted */
	end = sva_now() + SVA_WAIT_MS / 1000.0;
	do {
		i = kick >= 0 ? sva_submit_mapped(&self->e.d, QS, kick, &d) :
				sva_submit(&self->e.d, QS, &d);
		tries++;
	} while (i == -EAGAIN && sva_now() < end);
	EXPECT_EQ(0, i);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr[i], SVA_WAIT_MS));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
	EXPECT_EQ(3, st.accepted);
	EXPECT_EQ(3, st.success);
	if (kick >= 0)
		close(kick);
}

/* A drain waits for the fault's answer; with abort it does not. */
TEST_F(flt, drain)
{
	struct sva_sim_completion *cr[2];
	struct vfio_nested_fault rec;
	struct sva_sim_desc d;
	__u64 c[2];
	double t;
	pid_t pid;
	int status, i;
	__u8 *hole;

	for (i = 0; i < 2; i++)
		c[i] = sva_buf(&self->e, 32, (void **)&cr[i]);
	fault_start(_metadata, self, QD, c[0], &rec);
	d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0, 0, c[1]);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));

	/* a drain in a child: it waits until the answer */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(sva_drain(self->e.d.dev, QD, 0) ? 1 : 0);
	usleep(100000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	fix_hole(_metadata, self, (void **)&hole);
	ASSERT_EQ(0, sva_page_response(self->ffd, rec.cookie,
				       VFIO_NESTED_PAGE_RESP_SUCCESS));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, cr[0]->status);
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, cr[1]->status);

	/* drain with abort: the unanswered request and the one behind it */
	for (i = 0; i < 2; i++)
		memset(cr[i], 0, 32);
	np_map_4k(&self->e.g, HOLE(self), 0, 0);
	ASSERT_EQ(0, np_inv_addr(self->e.d.container, self->e.pasid,
				 HOLE(self), 1));
	fault_start(_metadata, self, QD, c[0], &rec);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
	t = sva_now();
	ASSERT_EQ(0, sva_drain(self->e.d.dev, QD, SVA_SIM_DRAIN_F_ABORT));
	EXPECT_GT(END_MS / 1000.0, sva_now() - t);
	/* every descriptor has its record when the drain returns */
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, cr[0]->status);
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, cr[1]->status);
	EXPECT_GE(0x800, cr[0]->bytes_done);
	/* the request was withdrawn: its answer is refused */
	EXPECT_EQ(-EINVAL, sva_page_response(self->ffd, rec.cookie,
					     VFIO_NESTED_PAGE_RESP_SUCCESS));
	/* the queue stays open and works */
	memset(cr[1], 0, 32);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr[1], SVA_WAIT_MS));
}

/* Disable with abort: closed first, then the waiting descriptor ends. */
TEST_F(flt, disable_abort)
{
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	struct vfio_nested_fault rec;
	struct sva_sim_queue_info qi;
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0,
					 0, 0);

	fault_start(_metadata, self, QS, c, &rec);
	ASSERT_EQ(0, sva_disable(self->e.d.dev, QS, SVA_SIM_DRAIN_F_ABORT));
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, cr->status);
	ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
	EXPECT_EQ(0, qi.occupancy);
	EXPECT_EQ(-ENXIO, sva_submit(&self->e.d, QS, &d));
}

/* VFIO_DEVICE_RESET with descriptors in flight: all end, portals close. */
TEST_F(flt, reset_in_flight)
{
	struct sva_sim_completion *cr[3];
	struct vfio_nested_fault rec;
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;
	struct sva_sim_desc d;
	__u64 c[3];
	double t;
	int i;

	for (i = 0; i < 3; i++)
		c[i] = sva_buf(&self->e, 32, (void **)&cr[i]);
	fault_start(_metadata, self, QS, c[0], &rec);
	d = sva_desc(SVA_SIM_OP_FILL, self->e.pasid, 4096, 0, self->src, c[1]);
	ASSERT_EQ(0, sva_submit(&self->e.d, QS, &d));
	d = sva_desc(SVA_SIM_OP_NOOP, self->e.pasid, 0, 0, 0, c[2]);
	ASSERT_EQ(0, sva_submit(&self->e.d, QD, &d));
	t = sva_now();
	ASSERT_EQ(0, ioctl(self->e.d.dev, VFIO_DEVICE_RESET));
	EXPECT_GT(END_MS / 1000.0, sva_now() - t);
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, cr[0]->status);
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, cr[1]->status);
	/* the dedicated queue's noop may have completed before the reset */
	EXPECT_TRUE(cr[2]->status == SVA_SIM_COMP_SUCCESS ||
		    cr[2]->status == SVA_SIM_COMP_ABORTED);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sva_queue_info(self->e.d.dev, i, &qi));
		EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
		EXPECT_EQ(0, qi.occupancy);
	}
	EXPECT_EQ(-ENXIO, sva_submit(&self->e.d, QD, &d));
	ASSERT_EQ(0, sva_stats(self->e.d.dev, SVA_SIM_ALL_QUEUES, &st));
	EXPECT_EQ(st.accepted, st.completed);
	/* the device works again once the VMM sets it up again */
	ASSERT_EQ(0, sva_env_enable(&self->e, QS, false));
	memset(cr[2], 0, 32);
	ASSERT_EQ(0, sva_submit(&self->e.d, QS, &d));
	EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr[2], SVA_WAIT_MS));
}

/* Closing the device fd with a descriptor waiting for a page response. */
TEST_F(flt, close_in_flight)
{
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	struct vfio_nested_fault rec;
	double t;

	fault_start(_metadata, self, QS, c, &rec);
	t = sva_now();
	close(self->e.d.dev);
	self->e.d.dev = -1;
	EXPECT_GT(END_MS / 1000.0, sva_now() - t);
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, sva_wait_cr(cr, SVA_WAIT_MS));
	/* open again: a fresh device, queues disabled */
	ASSERT_EQ(0, sva_dev_open_fd(&self->e.d));
	{
		struct sva_sim_queue_info qi;
		struct sva_sim_stats st;

		ASSERT_EQ(0, sva_queue_info(self->e.d.dev, QS, &qi));
		EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);
		ASSERT_EQ(0, sva_stats(self->e.d.dev, QS, &st));
		EXPECT_EQ(0, st.accepted);
	}
}

struct remover {
	pthread_t t;
	char uuid[40];
	int ret;
	int done;
};

static void *remove_fn(void *arg)
{
	struct remover *r = arg;

	r->ret = sva_mdev_remove(r->uuid);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Removing the mdev while its fd is open and a descriptor waits: the
 * device aborts it, asks the VMM to close the fd (SVA_SIM_IRQ_REQ), and
 * the removal ends once it did.
 */
TEST_F(flt, remove_in_flight)
{
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(&self->e, 32, (void **)&cr);
	struct vfio_nested_fault rec;
	struct remover r = { 0 };
	char path[128];
	int req;

	req = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, sva_set_irq(self->e.d.dev, SVA_SIM_IRQ_REQ, 0, req));
	fault_start(_metadata, self, QS, c, &rec);
	snprintf(r.uuid, sizeof(r.uuid), "%s", self->e.d.uuid.s);
	ASSERT_EQ(0, pthread_create(&r.t, NULL, remove_fn, &r));
	ASSERT_LT(0, sva_eventfd_wait(req, END_MS));
	EXPECT_EQ(SVA_SIM_COMP_ABORTED, sva_wait_cr(cr, SVA_WAIT_MS));
	/* the removal waits for the fd */
	usleep(50000);
	EXPECT_EQ(0, __atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-ENODEV, sva_enable(self->e.d.dev, QS, 0));
	sva_dev_close_fds(&self->e.d);
	pthread_join(r.t, NULL);
	EXPECT_EQ(0, r.ret);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", r.uuid);
	EXPECT_FALSE(vu_exists(path));
	self->e.d.uuid.s[0] = 0;
	close(req);
}

/* ---- several submitters on one shared queue ------------------------------- */

#define SUB_THREADS	4
#define SUB_PROCS	3
#define SUB_EACH	24
#define SUB_LEN		256

struct sub_ctx {
	struct sva_dev *d;
	int kick;
	__u32 pasid;
	__u64 src, dst, cr;	/* arrays of SUB_EACH */
	bool mapped;
	unsigned long retries;
	int err;
};

/* Submit SUB_EACH memmoves, retrying on a full queue. */
static void *sub_fn(void *arg)
{
	struct sub_ctx *c = arg;
	int i, ret;

	for (i = 0; i < SUB_EACH; i++) {
		struct sva_sim_desc d = sva_desc(SVA_SIM_OP_MEMMOVE, c->pasid,
						 SUB_LEN, c->src + i * SUB_LEN,
						 c->dst + i * SUB_LEN,
						 c->cr + i * 32);

		for (;;) {
			ret = c->mapped ? sva_submit_mapped(c->d, QS, c->kick, &d) :
					  sva_submit(c->d, QS, &d);
			if (ret != -EAGAIN && ret != -EBUSY)
				break;
			c->retries++;
			sched_yield();
		}
		if (ret) {
			c->err = ret;
			break;
		}
	}
	return NULL;
}

TEST(submitters)
{
	static const struct sva_cfg cfg = { .sizes = "4,8" };
	struct sub_ctx ctx[SUB_THREADS + SUB_PROCS];
	pthread_t t[SUB_THREADS];
	struct sva_sim_info info;
	struct sva_sim_stats st;
	struct sva_env e;
	unsigned long *shared, retries = 0;
	int i, j, kick = -1, n = SUB_THREADS + SUB_PROCS;
	__u8 *src[SUB_THREADS + SUB_PROCS], *dst[SUB_THREADS + SUB_PROCS];
	struct sva_sim_completion *cr[SUB_THREADS + SUB_PROCS];

	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	ASSERT_EQ(0, sva_env_setup(&e, UUID_SUBMIT, &cfg, RAM_SIZE));
	ASSERT_EQ(0, sva_env_enable(&e, QS, false));
	ASSERT_EQ(0, sva_get_info(e.d.dev, &info));
	if (info.out_flags & SVA_SIM_INFO_MMAP) {
		kick = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, kick);
		ASSERT_EQ(0, sva_set_kick(e.d.dev, QS, kick));
		ASSERT_EQ(0, sva_portal_map(&e.d));
	}
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	for (i = 0; i < n; i++) {
		memset(&ctx[i], 0, sizeof(ctx[i]));
		ctx[i].d = &e.d;
		ctx[i].kick = kick;
		ctx[i].pasid = e.pasid;
		ctx[i].mapped = kick >= 0 && (i & 1);
		ctx[i].src = sva_buf(&e, SUB_EACH * SUB_LEN, (void **)&src[i]);
		ctx[i].dst = sva_buf(&e, SUB_EACH * SUB_LEN, (void **)&dst[i]);
		ctx[i].cr = sva_buf(&e, SUB_EACH * 32, (void **)&cr[i]);
		ASSERT_NE(0, ctx[i].cr);
		for (j = 0; j < SUB_EACH * SUB_LEN; j++)
			src[i][j] = (__u8)(i * 37 + j * 11 + (j >> 8));
	}
	/* processes first: they share the device fd and the mapped page */
	for (i = SUB_THREADS; i < n; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			sub_fn(&ctx[i]);
			shared[i] = ctx[i].retries;
			_exit(ctx[i].err ? 1 : 0);
		}
	}
	for (i = 0; i < SUB_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, sub_fn, &ctx[i]));
	for (i = 0; i < SUB_THREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, ctx[i].err);
		retries += ctx[i].retries;
	}
	for (i = SUB_THREADS; i < n; i++) {
		int status;

		ASSERT_LT(0, wait(&status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	for (i = SUB_THREADS; i < n; i++)
		retries += shared[i];
	ASSERT_EQ(0, sva_drain(e.d.dev, QS, 0));
	for (i = 0; i < n; i++) {
		for (j = 0; j < SUB_EACH; j++)
			EXPECT_EQ(SVA_SIM_COMP_SUCCESS, cr[i][j].status)
				TH_LOG("submitter %d, descriptor %d", i, j);
		EXPECT_EQ(0, memcmp(src[i], dst[i], SUB_EACH * SUB_LEN))
			TH_LOG("submitter %d", i);
	}
	ASSERT_EQ(0, sva_stats(e.d.dev, QS, &st));
	EXPECT_EQ(n * SUB_EACH, st.accepted);
	EXPECT_EQ(n * SUB_EACH, st.success);
	EXPECT_EQ(n * SUB_EACH * SUB_LEN, st.bytes);
	/* every refusal was a retry the submitters saw (EBUSY is ours) */
	EXPECT_GE(retries, st.retry);
	TH_LOG("%d submitters x %d descriptors, %llu retries (queue of 8)",
	       n, SUB_EACH, (unsigned long long)st.retry);
	munmap(shared, 4096);
	sva_env_teardown(&e);
	if (kick >= 0)
		close(kick);
}

TEST_HARNESS_MAIN
