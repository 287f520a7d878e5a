// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: I/O page faults end to end, the VMM's side of the
 * fault fd. A DMA by PASID (VFIO_NESTED_TEST_DMA, issued from a thread or
 * a child since it waits) hits a non-present or read-only page of the
 * guest's stage 1: a page request appears on the fault fd, the test fixes
 * the guest table and answers, and the DMA completes with the right bytes,
 * or fails with the faulting address after a failure or invalid response.
 * Wrong responses are refused; poll and O_NONBLOCK; closing the fault fd,
 * unbinding, freeing the PASID and killing the DMA's task never leave a
 * DMA waiting; a full queue reports its overflow.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "nested_pasid_utils.h"

/* Guest RAM: 8 MiB at 4 GiB; the DMA addresses are canonical user ones. */
#define RAM_GPA		(4ULL << 30)
#define RAM_SIZE	(8ULL << 20)
#define IOVA		0x00007f2345600000ULL
/*
 * IOVA: page A; +1: not present; +2: page B read-only; +3: page B for
 * supervisor requests only; +4: a GPA outside guest RAM.
 */
#define IOVA_MISSING	(IOVA + NP_PAGE)
#define IOVA_RO		(IOVA + 2 * NP_PAGE)
#define IOVA_SUPER	(IOVA + 3 * NP_PAGE)
#define IOVA_NO_RAM	(IOVA + 4 * NP_PAGE)
#define GPA_NO_RAM	(RAM_GPA + RAM_SIZE + 5 * NP_PAGE)

/* Test mdev of this program: VN_UUID(0x40). */
#define UUID_FAULT	0x40
#define GPASID		321
/* How long the test waits for what must happen (a record, a DMA's end). */
#define WAIT_MS		5000

#define REC_SIZE	sizeof(struct vfio_nested_fault)

/* A DMA running in its own thread, since it may wait for a response. */
struct dma_thread {
	pthread_t t;
	int container, dev_id;
	__u32 flags, pasid;
	__u64 iova, len;
	void *buf;
	int ret;
	struct vfio_nested_test_dma out;
	int done;
	bool joined;
};

static void *dma_fn(void *arg)
{
	struct dma_thread *d = arg;

	d->ret = np_dma(d->container, d->dev_id, d->flags, d->pasid, d->iova,
			d->buf, d->len, &d->out);
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait up to @ms for the DMA to end; true (and joined) if it did. */
static bool dma_wait(struct dma_thread *d, int ms)
{
	int i;

	for (i = 0; i < ms; i++) {
		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE)) {
			if (!d->joined)
				pthread_join(d->t, NULL);
			d->joined = true;
			return true;
		}
		usleep(1000);
	}
	return false;
}

/* Up to @max records, waiting up to @ms for the first; how many, or -errno. */
static int read_recs(int fd, struct vfio_nested_fault *rec, int max, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	ret = poll(&p, 1, ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	n = read(fd, rec, max * REC_SIZE);
	if (n < 0)
		return -errno;
	return n / REC_SIZE;
}

/* One page response; 0 or -errno. */
static int respond(int fd, __u32 cookie, __u32 code)
{
	struct vfio_nested_page_response r = {
		.size = sizeof(r), .cookie = cookie, .code = code,
	};
	ssize_t n = write(fd, &r, sizeof(r));

	if (n < 0)
		return -errno;
	return n == sizeof(r) ? 0 : -EIO;
}

static void fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 151 + i * 13 + (i >> 8));
}

FIXTURE(fault) {
	struct np_dev d;
	struct np_guest g;
	struct vfio_nested_caps caps;
	int ioasid, ffd;
	__u32 pasid;
	__u32 flags, name;	/* how the DMA names the PASID */
	__u64 page_a, page_b, page_c;
};

FIXTURE_VARIANT(fault) {
	bool guest;	/* bind and DMA by guest PASID */
};

FIXTURE_VARIANT_ADD(fault, host_pasid) { .guest = false };
FIXTURE_VARIANT_ADD(fault, guest_pasid) { .guest = true };

FIXTURE_SETUP(fault)
{
	int c, ret;

	self->d.container = -1;
	self->d.group = -1;
	self->d.dev = -1;
	self->ioasid = -1;
	self->ffd = -1;
	if (!np_testdev_present())
		SKIP(return, "vfio_nested_testdev or VFIO not available");
	if (access(IOASID_DEV, R_OK | W_OK))
		SKIP(return, "%s not available", IOASID_DEV);
	if (!np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ret = np_dev_open(&self->d, UUID_FAULT);
	ASSERT_EQ(0, ret) TH_LOG("test mdev in a nested container: %s",
				 strerror(-ret));
	c = self->d.container;
	ASSERT_EQ(0, np_guest_init(&self->g, c, RAM_GPA, RAM_SIZE));
	self->ioasid = np_ioasid_open_alloc(&self->pasid);
	ASSERT_LE(0, self->ioasid);
	self->page_a = np_guest_page(&self->g, NP_PAGE);
	self->page_b = np_guest_page(&self->g, NP_PAGE);
	self->page_c = np_guest_page(&self->g, NP_PAGE);
	ASSERT_NE(0, self->page_c);

	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	/* IOVA_MISSING: its table exists, the entry is not present */
	*np_pte(&self->g, IOVA_MISSING, 1) = 0;
	np_map_4k(&self->g, IOVA_RO, self->page_b, PTE_P | PTE_US);
	np_map_4k(&self->g, IOVA_SUPER, self->page_b, PTE_P | PTE_RW);
	np_map_4k(&self->g, IOVA_NO_RAM, GPA_NO_RAM, PTE_USER_RW);

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	self->flags = 0;
	self->name = self->pasid;
	if (variant->guest) {
		ASSERT_EQ(0, ioasid_attach(self->ioasid, self->pasid, GPASID));
		self->flags = VFIO_NESTED_PASID_GUEST;
		self->name = GPASID;
	}
	ASSERT_EQ(0, np_bind(c, self->flags, self->name, self->g.root));
	ASSERT_EQ(0, np_get_caps(c, &self->caps));
	ASSERT_EQ(REC_SIZE, self->caps.fault_record_size);
	self->ffd = np_get_fault_fd(c);
	ASSERT_LE(0, self->ffd);
}

FIXTURE_TEARDOWN(fault)
{
	/* Answers whatever a failed test left waiting. */
	if (self->ffd >= 0)
		close(self->ffd);
	np_dev_close(&self->d);
	np_guest_fini(&self->g);
	if (self->ioasid >= 0)
		close(self->ioasid);
}

static void dma_start(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) * self, struct dma_thread *d,
		      __u32 dma_flags, __u64 iova, void *buf, __u64 len)
{
	memset(d, 0, sizeof(*d));
	d->container = self->d.container;
	d->dev_id = self->d.group_id;
	d->flags = self->flags | dma_flags;
	d->pasid = self->name;
	d->iova = iova;
	d->buf = buf;
	d->len = len;
	ASSERT_EQ(0, pthread_create(&d->t, NULL, dma_fn, d));
}

/* The one page request a DMA raised: read it and check what it says. */
static void read_request(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) * self,
			 struct vfio_nested_fault *rec, __u64 addr, __u32 perm,
			 __u32 reason)
{
	ASSERT_EQ(1, read_recs(self->ffd, rec, 1, WAIT_MS));
	EXPECT_EQ(REC_SIZE, rec->size);
	EXPECT_EQ(VFIO_NESTED_FAULT_PAGE_REQ, rec->kind);
	EXPECT_EQ(VFIO_NESTED_FAULT_PASID_VALID | VFIO_NESTED_FAULT_LAST_PAGE,
		  rec->flags);
	EXPECT_EQ(self->name, rec->pasid);
	EXPECT_EQ(self->d.group_id, rec->dev_id);
	EXPECT_EQ(addr, rec->addr);
	EXPECT_EQ(perm, rec->perm);
	EXPECT_EQ(reason, rec->reason);
	EXPECT_NE(0, rec->cookie);
	EXPECT_GE(0x1ff, rec->grpid);
	EXPECT_EQ(0, rec->gpa);
	EXPECT_EQ(0, rec->lost);
	EXPECT_EQ(0, rec->refused);
}

/* Flow 1's fault: the guest makes the page present, the DMA completes. */
TEST_F(fault, page_request_success)
{
	static unsigned char buf[4096], back[4096];
	struct vfio_nested_fault rec;
	struct dma_thread d;

	/* half in A, half in the missing page */
	fill(buf, sizeof(buf), 1);
	dma_start(_metadata, self, &d, VFIO_NESTED_DMA_WRITE, IOVA + 0x800,
		  buf, sizeof(buf));
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_WRITE,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
	/* the DMA waits for the answer */
	EXPECT_FALSE(dma_wait(&d, 100));

	/* the guest's fault handler maps the page and invalidates */
	np_map_4k(&self->g, IOVA_MISSING, self->page_c, PTE_USER_RW);
	ASSERT_EQ(0, np_inv_addr(self->d.container, self->name, IOVA_MISSING,
				 1));
	ASSERT_EQ(0, respond(self->ffd, rec.cookie,
			     VFIO_NESTED_PAGE_RESP_SUCCESS));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(0, d.ret);
	EXPECT_EQ(VFIO_NESTED_DMA_OK, d.out.out_status);
	EXPECT_EQ(sizeof(buf), d.out.out_done);
	EXPECT_EQ(1, d.out.out_page_requests);
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a) + 0x800, buf,
			    0x800));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_c), buf + 0x800,
			    0x800));

	/* answered: a second answer is refused, nothing more to read */
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
	/* and the page reads back without a fault */
	ASSERT_EQ(0, np_dma(self->d.container, self->d.group_id, self->flags,
			    self->name, IOVA + 0x800, back, sizeof(back),
			    &d.out));
	EXPECT_EQ(0, d.out.out_page_requests);
	EXPECT_EQ(0, memcmp(back, buf, sizeof(back)));
}

/* A write to a read-only page: the request says write, the fix lets it land. */
TEST_F(fault, page_request_not_writable)
{
	static unsigned char buf[256], back[256];
	struct vfio_nested_fault rec;
	struct dma_thread d;

	/* reads do not fault */
	ASSERT_EQ(0, np_dma(self->d.container, self->d.group_id, self->flags,
			    self->name, IOVA_RO + 0x40, back, sizeof(back),
			    NULL));
	fill(buf, sizeof(buf), 2);
	dma_start(_metadata, self, &d, VFIO_NESTED_DMA_WRITE, IOVA_RO + 0x40,
		  buf, sizeof(buf));
	read_request(_metadata, self, &rec, IOVA_RO,
		     VFIO_NESTED_FAULT_PERM_WRITE,
		     VFIO_NESTED_FAULT_REASON_S1_WRITE);
	EXPECT_FALSE(dma_wait(&d, 50));
	np_map_4k(&self->g, IOVA_RO, self->page_b, PTE_USER_RW);
	ASSERT_EQ(0, np_inv_addr(self->d.container, self->name, IOVA_RO, 1));
	ASSERT_EQ(0, respond(self->ffd, rec.cookie,
			     VFIO_NESTED_PAGE_RESP_SUCCESS));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(0, d.ret);
	EXPECT_EQ(sizeof(buf), d.out.out_done);
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_b) + 0x40, buf,
			    sizeof(buf)));
}

/* "failure" and "invalid" fail the DMA at the faulting address. */
TEST_F(fault, page_request_refused)
{
	static const struct {
		__u32 code, status;
		int err;
	} c[] = {
		{ VFIO_NESTED_PAGE_RESP_FAILURE, VFIO_NESTED_DMA_RESP_FAILURE,
		  -EIO },
		{ VFIO_NESTED_PAGE_RESP_INVALID, VFIO_NESTED_DMA_RESP_INVALID,
		  -EACCES },
	};
	static unsigned char buf[4096];
	struct vfio_nested_fault rec;
	struct dma_thread d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		fill(buf, sizeof(buf), 3 + i);
		dma_start(_metadata, self, &d, VFIO_NESTED_DMA_WRITE,
			  IOVA + 0x800, buf, sizeof(buf));
		read_request(_metadata, self, &rec, IOVA_MISSING,
			     VFIO_NESTED_FAULT_PERM_WRITE,
			     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
		ASSERT_EQ(0, respond(self->ffd, rec.cookie, c[i].code));
		ASSERT_TRUE(dma_wait(&d, WAIT_MS));
		EXPECT_EQ(c[i].err, d.ret);
		EXPECT_EQ(c[i].status, d.out.out_status);
		EXPECT_EQ(IOVA_MISSING, d.out.out_fault_addr);
		/* the bytes before the faulting page landed */
		EXPECT_EQ(0x800, d.out.out_done);
		EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a) + 0x800,
				    buf, 0x800));
	}
	/* a reader that is done finds nothing */
	ASSERT_EQ(0, fcntl(self->ffd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->ffd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
}

/* Responses that name no pending group are refused and consume nothing. */
TEST_F(fault, response_wrong_group)
{
	struct vfio_nested_page_response r[2];
	static unsigned char buf[64];
	struct vfio_nested_fault rec;
	struct dma_thread d;

	dma_start(_metadata, self, &d, 0, IOVA_MISSING + 8, buf, sizeof(buf));
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_READ,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);

	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie + 1,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
	EXPECT_EQ(-EINVAL, respond(self->ffd, 0, VFIO_NESTED_PAGE_RESP_SUCCESS));
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie, 3));
	memset(r, 0, sizeof(r));
	r[0].size = sizeof(r[0]);
	r[0].cookie = rec.cookie;
	r[0].flags = 1;
	EXPECT_EQ(-1, write(self->ffd, r, sizeof(r[0])));
	EXPECT_EQ(EOPNOTSUPP, errno);
	r[0].flags = 0;
	/* not a whole response */
	EXPECT_EQ(-1, write(self->ffd, r, sizeof(r[0]) - 4));
	EXPECT_EQ(EINVAL, errno);
	r[0].size = 8;
	EXPECT_EQ(-1, write(self->ffd, r, sizeof(r[0])));
	EXPECT_EQ(EINVAL, errno);
	/* the DMA still waits */
	EXPECT_FALSE(dma_wait(&d, 50));

	/* two answers in one write: the first is taken, the second refused */
	r[0].size = sizeof(r[0]);
	r[0].code = VFIO_NESTED_PAGE_RESP_INVALID;
	r[1] = r[0];
	EXPECT_EQ(sizeof(r[0]), write(self->ffd, r, sizeof(r)));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(VFIO_NESTED_DMA_RESP_INVALID, d.out.out_status);
	EXPECT_EQ(IOVA_MISSING + 8, d.out.out_fault_addr);
	EXPECT_EQ(-1, write(self->ffd, &r[1], sizeof(r[1])));
	EXPECT_EQ(EINVAL, errno);
}

/* poll, O_NONBLOCK, whole records only, no offsets. */
TEST_F(fault, poll_nonblock)
{
	struct pollfd p = { .fd = self->ffd, .events = POLLIN | POLLOUT };
	struct vfio_nested_fault rec[2];
	static unsigned char buf[64];
	struct dma_thread d;

	ASSERT_EQ(0, fcntl(self->ffd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->ffd, rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	/* the fd is close-on-exec */
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->ffd, F_GETFD) & FD_CLOEXEC);

	dma_start(_metadata, self, &d, 0, IOVA_MISSING, buf, sizeof(buf));
	/* wait for POLLIN alone (POLLOUT is always there) */
	p.events = POLLIN;
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(POLLIN, p.revents);
	p.events = POLLIN | POLLOUT;
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, p.revents);
	/* smaller than a record */
	EXPECT_EQ(-1, read(self->ffd, rec, REC_SIZE - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->ffd, rec, REC_SIZE, 0));
	EXPECT_EQ(ESPIPE, errno);
	/* room for one and a half: one */
	EXPECT_EQ(REC_SIZE, read(self->ffd, rec, REC_SIZE + REC_SIZE / 2));
	EXPECT_EQ(VFIO_NESTED_FAULT_PAGE_REQ, rec[0].kind);
	EXPECT_EQ(-1, read(self->ffd, rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);

	ASSERT_EQ(0, respond(self->ffd, rec[0].cookie,
			     VFIO_NESTED_PAGE_RESP_FAILURE));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(-EIO, d.ret);
}

/* Closing the fault fd answers "failure" to what waits, read or not. */
TEST_F(fault, close_answers_pending)
{
	static unsigned char buf1[64], buf2[64];
	struct vfio_nested_fault rec;
	struct dma_thread d1, d2;

	dma_start(_metadata, self, &d1, 0, IOVA_MISSING, buf1, sizeof(buf1));
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_READ,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
	dma_start(_metadata, self, &d2, VFIO_NESTED_DMA_WRITE, IOVA_RO, buf2,
		  sizeof(buf2));
	/* d2's request is queued, not read */
	EXPECT_FALSE(dma_wait(&d2, 100));
	EXPECT_FALSE(dma_wait(&d1, 0));

	ASSERT_EQ(0, close(self->ffd));
	self->ffd = -1;
	ASSERT_TRUE(dma_wait(&d1, WAIT_MS));
	ASSERT_TRUE(dma_wait(&d2, WAIT_MS));
	EXPECT_EQ(-EIO, d1.ret);
	EXPECT_EQ(VFIO_NESTED_DMA_RESP_FAILURE, d1.out.out_status);
	EXPECT_EQ(IOVA_MISSING, d1.out.out_fault_addr);
	EXPECT_EQ(-EIO, d2.ret);
	EXPECT_EQ(VFIO_NESTED_DMA_RESP_FAILURE, d2.out.out_status);
	EXPECT_EQ(IOVA_RO, d2.out.out_fault_addr);

	/* without a fault fd nothing can answer: the DMA fails at once */
	EXPECT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
				  self->flags, self->name, IOVA_MISSING, buf1,
				  sizeof(buf1), &d1.out));
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, d1.out.out_status);

	/* a new fault fd: the old groups are gone, nothing to read */
	self->ffd = np_get_fault_fd(self->d.container);
	ASSERT_LE(0, self->ffd);
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, fcntl(self->ffd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->ffd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
}

/* Unbinding the PASID answers "invalid" to its waiting DMA. */
TEST_F(fault, unbind_answers_pending)
{
	static unsigned char buf[64];
	struct vfio_nested_fault rec;
	struct dma_thread d;

	dma_start(_metadata, self, &d, 0, IOVA_MISSING, buf, sizeof(buf));
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_READ,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
	EXPECT_FALSE(dma_wait(&d, 50));
	ASSERT_EQ(0, np_unbind(self->d.container, self->flags, self->name));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(-EACCES, d.ret);
	EXPECT_EQ(VFIO_NESTED_DMA_RESP_INVALID, d.out.out_status);
	EXPECT_EQ(IOVA_MISSING, d.out.out_fault_addr);
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
}

/* Freeing the PASID in /dev/ioasid unbinds it: the same answer. */
TEST_F(fault, free_answers_pending)
{
	static unsigned char buf[64];
	struct vfio_nested_fault rec;
	struct dma_thread d;

	dma_start(_metadata, self, &d, 0, IOVA_MISSING, buf, sizeof(buf));
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_READ,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
	ASSERT_EQ(0, ioasid_free_pasid(self->ioasid, self->pasid));
	ASSERT_TRUE(dma_wait(&d, WAIT_MS));
	EXPECT_EQ(-EACCES, d.ret);
	EXPECT_EQ(VFIO_NESTED_DMA_RESP_INVALID, d.out.out_status);
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
}

/* A task killed while its DMA waits goes away; its request is withdrawn. */
TEST_F(fault, kill_waiting_dma)
{
	static unsigned char buf[64];
	struct vfio_nested_fault rec;
	int status, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* only the parent answers (or closes the fd to answer) */
		close(self->ffd);
		np_dma(self->d.container, self->d.group_id, self->flags,
		       self->name, IOVA_MISSING, buf, sizeof(buf), NULL);
		_exit(0);
	}
	read_request(_metadata, self, &rec, IOVA_MISSING,
		     VFIO_NESTED_FAULT_PERM_READ,
		     VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	for (i = 0; i < WAIT_MS; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(1000);
	}
	ASSERT_GT(WAIT_MS, i) TH_LOG("the killed DMA's task did not exit");
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	EXPECT_EQ(-EINVAL, respond(self->ffd, rec.cookie,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
}

/* Unrecoverable faults: the DMA fails at once, the record says why. */
TEST_F(fault, unrecoverable_records)
{
	struct vfio_nested_test_dma out;
	struct vfio_nested_fault rec[3];
	static unsigned char buf[16];

	/* a user request to a supervisor page */
	EXPECT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
				  self->flags | VFIO_NESTED_DMA_WRITE,
				  self->name, IOVA_SUPER + 0x10, buf,
				  sizeof(buf), &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);
	/* stage 2 has nothing at the GPA stage 1 gives */
	EXPECT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
				  self->flags, self->name, IOVA_NO_RAM + 0x20,
				  buf, sizeof(buf), &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S2_FAULT, out.out_status);

	ASSERT_EQ(2, read_recs(self->ffd, rec, 3, WAIT_MS));
	EXPECT_EQ(REC_SIZE, rec[0].size);
	EXPECT_EQ(VFIO_NESTED_FAULT_UNRECOVERABLE, rec[0].kind);
	EXPECT_EQ(VFIO_NESTED_FAULT_PASID_VALID, rec[0].flags);
	EXPECT_EQ(self->name, rec[0].pasid);
	EXPECT_EQ(self->d.group_id, rec[0].dev_id);
	EXPECT_EQ(IOVA_SUPER + 0x10, rec[0].addr);
	EXPECT_EQ(VFIO_NESTED_FAULT_PERM_WRITE, rec[0].perm);
	EXPECT_EQ(VFIO_NESTED_FAULT_REASON_S1_PRIV, rec[0].reason);
	EXPECT_EQ(0, rec[0].cookie);
	EXPECT_EQ(0, rec[0].grpid);

	EXPECT_EQ(VFIO_NESTED_FAULT_UNRECOVERABLE, rec[1].kind);
	EXPECT_EQ(VFIO_NESTED_FAULT_PASID_VALID | VFIO_NESTED_FAULT_GPA_VALID,
		  rec[1].flags);
	EXPECT_EQ(IOVA_NO_RAM + 0x20, rec[1].addr);
	EXPECT_EQ(GPA_NO_RAM + 0x20, rec[1].gpa);
	EXPECT_EQ(VFIO_NESTED_FAULT_PERM_READ, rec[1].perm);
	EXPECT_EQ(VFIO_NESTED_FAULT_REASON_S2, rec[1].reason);
	/* nothing to answer: a response is refused */
	EXPECT_EQ(-EINVAL, respond(self->ffd, 0,
				   VFIO_NESTED_PAGE_RESP_SUCCESS));
}

/* A full queue: the faults it cannot hold are counted and reported. */
TEST_F(fault, unrecoverable_overflow)
{
	unsigned int depth = self->caps.fault_depth, extra = 3, i, n = 0;
	struct vfio_nested_fault *rec;
	struct vfio_nested_test_dma out;
	static unsigned char buf[16];
	int got;

	ASSERT_LT(0, depth);
	rec = calloc(depth + 8, REC_SIZE);
	ASSERT_NE(NULL, rec);
	for (i = 0; i < depth + extra; i++) {
		ASSERT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
					  self->flags, self->name,
					  IOVA_SUPER + i % NP_PAGE, buf,
					  1, &out));
		ASSERT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);
	}
	ASSERT_EQ(0, fcntl(self->ffd, F_SETFL, O_NONBLOCK));
	while ((got = read_recs(self->ffd, rec + n, depth + 8 - n, 0)) > 0)
		n += got;
	EXPECT_EQ(-ETIMEDOUT, got);
	ASSERT_EQ(depth + 1, n);
	for (i = 0; i < depth; i++) {
		EXPECT_EQ(VFIO_NESTED_FAULT_UNRECOVERABLE, rec[i].kind);
		EXPECT_EQ(IOVA_SUPER + i % NP_PAGE, rec[i].addr);
		EXPECT_EQ(VFIO_NESTED_FAULT_REASON_S1_PRIV, rec[i].reason);
	}
	EXPECT_EQ(VFIO_NESTED_FAULT_OVERFLOW, rec[depth].kind);
	EXPECT_EQ(extra, rec[depth].lost);
	EXPECT_EQ(0, rec[depth].refused);

	/* reported once: the next fault comes alone */
	EXPECT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
				  self->flags, self->name, IOVA_SUPER, buf, 1,
				  NULL));
	EXPECT_EQ(1, read_recs(self->ffd, rec, depth + 8, 0));
	EXPECT_EQ(VFIO_NESTED_FAULT_UNRECOVERABLE, rec[0].kind);
	free(rec);
}

/* Page requests beyond the depth are refused at once and reported. */
TEST_F(fault, page_request_overflow)
{
	unsigned int depth = self->caps.fault_depth, i, n = 0;
	struct vfio_nested_test_dma out;
	struct vfio_nested_fault *rec;
	static unsigned char buf[16];
	struct dma_thread *d;
	int got;

	ASSERT_LT(0, depth);
	d = calloc(depth, sizeof(*d));
	rec = calloc(depth + 1, REC_SIZE);
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, rec);
	/* depth DMAs wait, each with its own group */
	for (i = 0; i < depth; i++)
		dma_start(_metadata, self, &d[i], 0, IOVA_MISSING + i % NP_PAGE,
			  buf, 1);
	while (n < depth) {
		got = read_recs(self->ffd, rec + n, depth - n, WAIT_MS);
		ASSERT_LT(0, got) TH_LOG("%u of %u requests read: %d", n,
					 depth, got);
		n += got;
	}
	for (i = 0; i < depth; i++)
		EXPECT_EQ(VFIO_NESTED_FAULT_PAGE_REQ, rec[i].kind);

	/* one more: refused without waiting, as nobody could answer it */
	EXPECT_EQ(-EFAULT, np_dma(self->d.container, self->d.group_id,
				  self->flags, self->name, IOVA_MISSING, buf, 1,
				  &out));
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, out.out_status);
	ASSERT_EQ(1, read_recs(self->ffd, rec, 1, WAIT_MS));
	EXPECT_EQ(VFIO_NESTED_FAULT_OVERFLOW, rec[0].kind);
	EXPECT_EQ(1, rec[0].refused);
	EXPECT_EQ(0, rec[0].lost);

	/* closing the fd answers them all */
	ASSERT_EQ(0, close(self->ffd));
	self->ffd = -1;
	for (i = 0; i < depth; i++) {
		ASSERT_TRUE(dma_wait(&d[i], WAIT_MS));
		EXPECT_EQ(VFIO_NESTED_DMA_RESP_FAILURE, d[i].out.out_status);
	}
	free(rec);
	free(d);
}

TEST_HARNESS_MAIN
