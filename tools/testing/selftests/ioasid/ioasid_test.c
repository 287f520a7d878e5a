// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ioasid selftests: every ioctl, its length/extensibility rules,
 * ownership between files, quota, close-frees-all and bad input errnos.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "ioasid_utils.h"

FIXTURE(ioasid_dev) {
	int fd;
	long pool_before;
};

FIXTURE_SETUP(ioasid_dev)
{
	self->pool_before = ioasid_pool_used();
	if (self->pool_before < 0)
		SKIP(return, "%s not available (ioasid module not loaded?)",
		     IOASID_DEV);
	self->fd = open(IOASID_DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ioasid_dev)
{
	if (self->pool_before < 0)
		return;
	close(self->fd);
	/* Nothing leaked: closing the file freed everything it owned. */
	ASSERT_EQ(self->pool_before, ioasid_pool_used());
}

TEST_F(ioasid_dev, info)
{
	struct ioasid_info info;
	char buf[32] = "";
	int pfd;

	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(20, info.pasid_bits);
	EXPECT_EQ((1U << 20) - 1, info.max_pasid);
	EXPECT_EQ(0, info.used);
	EXPECT_EQ(self->pool_before, info.pool_used);
	/* The quota of a new file is the default_quota parameter. */
	pfd = open("/sys/module/pvm_ioasid/parameters/default_quota", O_RDONLY);
	ASSERT_LE(0, pfd);
	ASSERT_LT(0, read(pfd, buf, sizeof(buf) - 1));
	close(pfd);
	EXPECT_EQ(strtoul(buf, NULL, 0), info.quota);
	/* The per-user limit is the user_max_pasids parameter. */
	memset(buf, 0, sizeof(buf));
	pfd = open("/sys/module/pvm_ioasid/parameters/user_max_pasids", O_RDONLY);
	ASSERT_LE(0, pfd);
	ASSERT_LT(0, read(pfd, buf, sizeof(buf) - 1));
	close(pfd);
	EXPECT_EQ(strtoul(buf, NULL, 0), info.user_quota);
	EXPECT_EQ(0, info.user_used);
}

/* The user's count spans its files; a file's close gives its part back. */
TEST_F(ioasid_dev, user_count_spans_files)
{
	int other = open(IOASID_DEV, O_RDWR);
	struct ioasid_info info;
	int i;

	ASSERT_LE(0, other);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ioasid_alloc_any(self->fd, NULL));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, ioasid_alloc_any(other, NULL));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(3, info.used);
	EXPECT_EQ(8, info.user_used);
	close(other);
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(3, info.user_used);
}

TEST_F(ioasid_dev, alloc_free)
{
	struct ioasid_info info;
	__u32 p1, p2;

	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p1));
	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p2));
	EXPECT_NE(p1, p2);
	EXPECT_LE(1, p1);
	EXPECT_GE((1U << 20) - 1, p1);
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(2, info.used);
	EXPECT_EQ(self->pool_before + 2, info.pool_used);

	EXPECT_EQ(0, ioasid_free_pasid(self->fd, p1));
	EXPECT_EQ(-ENOENT, ioasid_free_pasid(self->fd, p1));
	EXPECT_EQ(-EINVAL, ioasid_free_pasid(self->fd, 0));
	EXPECT_EQ(-EINVAL, ioasid_free_pasid(self->fd, ~0U));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(1, info.used);
	EXPECT_EQ(0, ioasid_free_pasid(self->fd, p2));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(0, info.used);
}

TEST_F(ioasid_dev, alloc_range)
{
	struct ioasid_alloc cmd = { .size = sizeof(cmd) };
	__u32 max = (1U << 20) - 1, p;

	ASSERT_EQ(0, ioasid_alloc_range(self->fd, 4000, 4000, &p));
	EXPECT_EQ(4000, p);
	EXPECT_EQ(-ENOSPC, ioasid_alloc_range(self->fd, 4000, 4000, &p));
	ASSERT_EQ(0, ioasid_alloc_range(self->fd, max, max, &p));
	EXPECT_EQ(max, p);
	EXPECT_EQ(-EINVAL, ioasid_alloc_range(self->fd, 0, 10, &p));
	EXPECT_EQ(-EINVAL, ioasid_alloc_range(self->fd, 11, 10, &p));
	EXPECT_EQ(-EINVAL, ioasid_alloc_range(self->fd, 1, max + 1, &p));
	/* Without the range flag, min and max must be zero. */
	cmd.min = 5;
	EXPECT_EQ(-EINVAL, ioasid_ioctl(self->fd, IOASID_ALLOC, &cmd));
	cmd.min = 0;
	cmd.max = 5;
	EXPECT_EQ(-EINVAL, ioasid_ioctl(self->fd, IOASID_ALLOC, &cmd));
}

TEST_F(ioasid_dev, flags_and_reserved)
{
	struct ioasid_info info = { .size = sizeof(info), .flags = 1 };
	struct ioasid_alloc alloc = { .size = sizeof(alloc), .flags = 1 << 1 };
	struct ioasid_free fr = { .size = sizeof(fr), .flags = 1 };
	struct ioasid_gpasid gp = { .size = sizeof(gp), .flags = 1 };
	struct ioasid_translate tr = { .size = sizeof(tr), .flags = 1 };
	struct ioasid_quota q = { .size = sizeof(q), .flags = 1 };

	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_GET_INFO, &info));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_ALLOC, &alloc));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_FREE, &fr));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_ATTACH_GPASID, &gp));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_DETACH_GPASID, &gp));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_TRANSLATE_GPASID, &tr));
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_SET_QUOTA, &q));

	info.flags = 0;
	info.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_GET_INFO, &info));
	alloc.flags = 0;
	alloc.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_ALLOC, &alloc));
	fr.flags = 0;
	fr.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_FREE, &fr));
	q.flags = 0;
	q.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, ioasid_ioctl(self->fd, IOASID_SET_QUOTA, &q));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(0, info.used);
}

TEST_F(ioasid_dev, bad_ioctl_and_pointers)
{
	struct ioasid_alloc *ro;
	struct ioasid_info info;
	long page = sysconf(_SC_PAGESIZE);

	EXPECT_EQ(-ENOTTY, ioasid_ioctl(self->fd, _IO(IOASID_TYPE, 0x7f), NULL));
	EXPECT_EQ(-ENOTTY, ioasid_ioctl(self->fd, _IO(IOASID_TYPE, 0xa0), NULL));
	EXPECT_EQ(-ENOTTY, ioasid_ioctl(self->fd, _IO('x', IOASID_CMD_ALLOC), NULL));
	EXPECT_EQ(-EFAULT, ioasid_ioctl(self->fd, IOASID_ALLOC, NULL));
	EXPECT_EQ(-EFAULT, ioasid_ioctl(self->fd, IOASID_GET_INFO, (void *)8));

	/* Readable but not writable: the PASID must not be left allocated. */
	ro = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap((char *)ro + page, page));
	ro->size = sizeof(*ro);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_EQ(-EFAULT, ioasid_ioctl(self->fd, IOASID_ALLOC, ro));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(0, info.used);
	EXPECT_EQ(self->pool_before, info.pool_used);

	/* A structure running off the end of the mapping. */
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ | PROT_WRITE));
	*(__u32 *)((char *)ro + page - 4) = sizeof(info);
	EXPECT_EQ(-EFAULT, ioasid_ioctl(self->fd, IOASID_GET_INFO,
					(char *)ro + page - 4));
	munmap(ro, page);
}

/* ---- length and extensibility, one variant per ioctl ---------------- */

struct len_ctx {
	__u32 pasid;
};

FIXTURE(ioasid_len) {
	int fd;
	struct len_ctx ctx;
	unsigned char buf[256];
};

FIXTURE_VARIANT(ioasid_len) {
	unsigned long cmd;
	__u32 ksize;	/* sizeof the structure this test was built with */
	__u32 min_size;	/* first published size */
	/* Fill @buf (after size) for a call that succeeds. */
	void (*prepare)(int fd, struct len_ctx *ctx, void *buf);
};

static void prep_info(int fd, struct len_ctx *ctx, void *buf)
{
}

static void prep_alloc(int fd, struct len_ctx *ctx, void *buf)
{
}

static void prep_free(int fd, struct len_ctx *ctx, void *buf)
{
	ioasid_alloc_any(fd, &ctx->pasid);
	((struct ioasid_free *)buf)->pasid = ctx->pasid;
}

static void prep_attach(int fd, struct len_ctx *ctx, void *buf)
{
	ioasid_alloc_any(fd, &ctx->pasid);
	((struct ioasid_gpasid *)buf)->pasid = ctx->pasid;
	((struct ioasid_gpasid *)buf)->gpasid = 77;
}

static void prep_detach(int fd, struct len_ctx *ctx, void *buf)
{
	ioasid_alloc_any(fd, &ctx->pasid);
	ioasid_attach(fd, ctx->pasid, 77);
	((struct ioasid_gpasid *)buf)->pasid = ctx->pasid;
}

static void prep_translate(int fd, struct len_ctx *ctx, void *buf)
{
	ioasid_alloc_any(fd, &ctx->pasid);
	ioasid_attach(fd, ctx->pasid, 77);
	((struct ioasid_translate *)buf)->gpasid = 77;
}

static void prep_quota(int fd, struct len_ctx *ctx, void *buf)
{
	((struct ioasid_quota *)buf)->quota = 100;
}

FIXTURE_VARIANT_ADD(ioasid_len, get_info) {
	.cmd = IOASID_GET_INFO, .ksize = sizeof(struct ioasid_info),
	.min_size = 32, .prepare = prep_info,
};

FIXTURE_VARIANT_ADD(ioasid_len, alloc) {
	.cmd = IOASID_ALLOC, .ksize = sizeof(struct ioasid_alloc),
	.min_size = 24, .prepare = prep_alloc,
};

FIXTURE_VARIANT_ADD(ioasid_len, free) {
	.cmd = IOASID_FREE, .ksize = sizeof(struct ioasid_free),
	.min_size = 16, .prepare = prep_free,
};

FIXTURE_VARIANT_ADD(ioasid_len, attach_gpasid) {
	.cmd = IOASID_ATTACH_GPASID, .ksize = sizeof(struct ioasid_gpasid),
	.min_size = 16, .prepare = prep_attach,
};

FIXTURE_VARIANT_ADD(ioasid_len, detach_gpasid) {
	.cmd = IOASID_DETACH_GPASID, .ksize = sizeof(struct ioasid_gpasid),
	.min_size = 16, .prepare = prep_detach,
};

FIXTURE_VARIANT_ADD(ioasid_len, translate_gpasid) {
	.cmd = IOASID_TRANSLATE_GPASID, .ksize = sizeof(struct ioasid_translate),
	.min_size = 16, .prepare = prep_translate,
};

FIXTURE_VARIANT_ADD(ioasid_len, set_quota) {
	.cmd = IOASID_SET_QUOTA, .ksize = sizeof(struct ioasid_quota),
	.min_size = 16, .prepare = prep_quota,
};

FIXTURE_SETUP(ioasid_len)
{
	self->fd = open(IOASID_DEV, O_RDWR);
	if (self->fd < 0)
		SKIP(return, "%s not available", IOASID_DEV);
	memset(self->buf, 0, sizeof(self->buf));
	memset(&self->ctx, 0, sizeof(self->ctx));
}

FIXTURE_TEARDOWN(ioasid_len)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The harness's names for FIXTURE_DATA() and FIXTURE_VARIANT(). */
static void len_prepare(struct _test_data_ioasid_len *self,
			const struct _fixture_variant_ioasid_len *variant,
			__u32 size)
{
	close(self->fd);
	self->fd = open(IOASID_DEV, O_RDWR);
	memset(self->buf, 0, sizeof(self->buf));
	memset(&self->ctx, 0, sizeof(self->ctx));
	variant->prepare(self->fd, &self->ctx, self->buf);
	*(__u32 *)self->buf = size;
}

TEST_F(ioasid_len, too_small)
{
	__u32 size;

	ASSERT_LE(variant->min_size, variant->ksize);
	for (size = 0; size < variant->min_size; size += 4) {
		len_prepare(self, variant, size);
		EXPECT_EQ(-EINVAL, ioasid_ioctl(self->fd, variant->cmd, self->buf));
	}
	/* Odd sizes too. */
	len_prepare(self, variant, variant->min_size - 1);
	EXPECT_EQ(-EINVAL, ioasid_ioctl(self->fd, variant->cmd, self->buf));
}

/* The first published size still works; nothing beyond it is written. */
TEST_F(ioasid_len, first_size)
{
	unsigned int i;

	len_prepare(self, variant, variant->min_size);
	memset(self->buf + variant->min_size, 0xa5,
	       sizeof(self->buf) - variant->min_size);
	ASSERT_EQ(0, ioasid_ioctl(self->fd, variant->cmd, self->buf));
	for (i = variant->min_size; i < sizeof(self->buf); i++)
		ASSERT_EQ(0xa5, self->buf[i]);
}

TEST_F(ioasid_len, nonzero_tail)
{
	unsigned int off;

	for (off = variant->ksize; off < variant->ksize + 16; off += 5) {
		len_prepare(self, variant, variant->ksize + 16);
		self->buf[off] = 0x5a;
		EXPECT_EQ(-E2BIG, ioasid_ioctl(self->fd, variant->cmd, self->buf));
	}
	/* A non-zero byte at the very end of a large size. */
	len_prepare(self, variant, sizeof(self->buf));
	self->buf[sizeof(self->buf) - 1] = 1;
	EXPECT_EQ(-E2BIG, ioasid_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_F(ioasid_len, zero_tail)
{
	struct ioasid_info info;
	unsigned int i;

	len_prepare(self, variant, sizeof(self->buf));
	ASSERT_EQ(0, ioasid_ioctl(self->fd, variant->cmd, self->buf));
	/* Output is written for the kernel's size only: the tail stays 0. */
	for (i = variant->ksize; i < sizeof(self->buf); i++)
		ASSERT_EQ(0, self->buf[i]);
	if (variant->cmd == IOASID_TRANSLATE_GPASID)
		EXPECT_EQ(self->ctx.pasid,
			  ((struct ioasid_translate *)self->buf)->out_pasid);
	if (variant->cmd == IOASID_GET_INFO)
		EXPECT_EQ(20, ((struct ioasid_info *)self->buf)->pasid_bits);
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	if (variant->cmd == IOASID_ALLOC)
		EXPECT_EQ(1, info.used);
	if (variant->cmd == IOASID_FREE)
		EXPECT_EQ(0, info.used);
	if (variant->cmd == IOASID_SET_QUOTA)
		EXPECT_EQ(100, info.quota);

	/* The exact size works as well. */
	len_prepare(self, variant, variant->ksize);
	EXPECT_EQ(0, ioasid_ioctl(self->fd, variant->cmd, self->buf));
}

/* Host PASIDs outside [1, max_pasid]: EINVAL wherever one is named. */
TEST_F(ioasid_dev, pasid_out_of_bounds)
{
	struct ioasid_info info;
	__u32 bad[3];
	unsigned int i;
	__u32 p;

	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	bad[0] = 0;
	bad[1] = info.max_pasid + 1;
	bad[2] = 0xffffffff;
	/* An owned PASID with a guest PASID: nothing may touch it. */
	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p));
	ASSERT_EQ(0, ioasid_attach(self->fd, p, 7));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("host PASID %#x", bad[i]);
		EXPECT_EQ(-EINVAL, ioasid_free_pasid(self->fd, bad[i]));
		EXPECT_EQ(-EINVAL, ioasid_attach(self->fd, bad[i], 5));
		EXPECT_EQ(-EINVAL, ioasid_detach(self->fd, bad[i]));
	}
	/* The largest PASID is in bounds: not owned, so ENOENT. */
	EXPECT_EQ(-ENOENT, ioasid_free_pasid(self->fd, info.max_pasid));
	EXPECT_EQ(-ENOENT, ioasid_attach(self->fd, info.max_pasid, 5));
	EXPECT_EQ(-ENOENT, ioasid_detach(self->fd, info.max_pasid));
	ASSERT_EQ(0, ioasid_translate(self->fd, 7, &p));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(1, info.used);
}

/* ---- ownership ------------------------------------------------------- */

TEST_F(ioasid_dev, ownership)
{
	int other = open(IOASID_DEV, O_RDWR);
	struct ioasid_info info;
	__u32 p, q, t;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p));
	ASSERT_EQ(0, ioasid_attach(self->fd, p, 5));

	/* The other file can neither free, attach, detach nor see p. */
	EXPECT_EQ(-ENOENT, ioasid_free_pasid(other, p));
	EXPECT_EQ(-ENOENT, ioasid_attach(other, p, 6));
	EXPECT_EQ(-ENOENT, ioasid_detach(other, p));
	EXPECT_EQ(-ENOENT, ioasid_translate(other, 5, &t));
	ASSERT_EQ(0, ioasid_get_info(other, &info));
	EXPECT_EQ(0, info.used);
	/* It cannot get p in a range either. */
	EXPECT_EQ(-ENOSPC, ioasid_alloc_range(other, p, p, &t));

	/* Guest PASID spaces are per file. */
	ASSERT_EQ(0, ioasid_alloc_any(other, &q));
	EXPECT_EQ(0, ioasid_attach(other, q, 5));
	ASSERT_EQ(0, ioasid_translate(other, 5, &t));
	EXPECT_EQ(q, t);
	ASSERT_EQ(0, ioasid_translate(self->fd, 5, &t));
	EXPECT_EQ(p, t);

	/* Still owned and mapped after the other file closes. */
	close(other);
	ASSERT_EQ(0, ioasid_translate(self->fd, 5, &t));
	EXPECT_EQ(p, t);
	EXPECT_EQ(0, ioasid_free_pasid(self->fd, p));
}

/* ---- guest PASIDs ---------------------------------------------------- */

TEST_F(ioasid_dev, gpasid)
{
	struct ioasid_gpasid gp = { .size = sizeof(gp) };
	__u32 p, q, t;

	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p));
	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &q));

	EXPECT_EQ(-EINVAL, ioasid_attach(self->fd, p, 0));
	EXPECT_EQ(-EINVAL, ioasid_attach(self->fd, p, GPASID_MAX + 1));
	EXPECT_EQ(-EINVAL, ioasid_attach(self->fd, 0, 9));
	EXPECT_EQ(-ENOENT, ioasid_detach(self->fd, p));
	EXPECT_EQ(-ENOENT, ioasid_translate(self->fd, 9, &t));
	EXPECT_EQ(-EINVAL, ioasid_translate(self->fd, 0, &t));
	EXPECT_EQ(-EINVAL, ioasid_translate(self->fd, GPASID_MAX + 1, &t));

	ASSERT_EQ(0, ioasid_attach(self->fd, p, GPASID_MAX));
	EXPECT_EQ(-EBUSY, ioasid_attach(self->fd, p, 10));
	EXPECT_EQ(-EBUSY, ioasid_attach(self->fd, q, GPASID_MAX));
	ASSERT_EQ(0, ioasid_translate(self->fd, GPASID_MAX, &t));
	EXPECT_EQ(p, t);

	/* Detach takes no guest PASID. */
	gp.pasid = p;
	gp.gpasid = GPASID_MAX;
	EXPECT_EQ(-EINVAL, ioasid_ioctl(self->fd, IOASID_DETACH_GPASID, &gp));
	EXPECT_EQ(0, ioasid_detach(self->fd, p));
	EXPECT_EQ(-ENOENT, ioasid_translate(self->fd, GPASID_MAX, &t));
	EXPECT_EQ(0, ioasid_attach(self->fd, q, GPASID_MAX));
	ASSERT_EQ(0, ioasid_translate(self->fd, GPASID_MAX, &t));
	EXPECT_EQ(q, t);

	/* Freeing an attached PASID detaches it. */
	EXPECT_EQ(0, ioasid_free_pasid(self->fd, q));
	EXPECT_EQ(-ENOENT, ioasid_translate(self->fd, GPASID_MAX, &t));
	EXPECT_EQ(0, ioasid_attach(self->fd, p, GPASID_MAX));
}

/* ---- quota ------------------------------------------------------------ */

TEST_F(ioasid_dev, quota_exhaustion)
{
	struct ioasid_info info;
	__u32 p[4], extra;
	int i;

	ASSERT_EQ(0, ioasid_set_quota(self->fd, 4));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p[i]));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->fd, &extra));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_range(self->fd, 1, 1U << 19, &extra));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(4, info.quota);
	EXPECT_EQ(4, info.used);

	EXPECT_EQ(-EBUSY, ioasid_set_quota(self->fd, 3));
	EXPECT_EQ(-EINVAL, ioasid_set_quota(self->fd, 1U << 20));
	EXPECT_EQ(0, ioasid_free_pasid(self->fd, p[0]));
	EXPECT_EQ(0, ioasid_set_quota(self->fd, 3));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_any(self->fd, &extra));

	/* Unlimited (0): bounded by the pool only. */
	EXPECT_EQ(0, ioasid_set_quota(self->fd, 0));
	EXPECT_EQ(0, ioasid_alloc_any(self->fd, &extra));
	ASSERT_EQ(0, ioasid_get_info(self->fd, &info));
	EXPECT_EQ(0, info.quota);
	EXPECT_EQ(4, info.used);
}

/* An unlimited file does not starve one opened later. */
TEST_F(ioasid_dev, unlimited_does_not_reserve)
{
	int later;
	__u32 p;
	int i;

	ASSERT_EQ(0, ioasid_set_quota(self->fd, 0));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p));
	later = open(IOASID_DEV, O_RDWR);
	ASSERT_LE(0, later);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, ioasid_alloc_any(later, &p));
	close(later);
}

TEST_F(ioasid_dev, set_quota_needs_cap_sys_admin)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setuid(65534))
			_exit(2);
		/* The open file keeps working, quota changes do not. */
		if (ioasid_set_quota(self->fd, 8) != -EPERM)
			_exit(3);
		fd = open(IOASID_DEV, O_RDWR);
		if (fd >= 0 && ioasid_set_quota(fd, 8) != -EPERM)
			_exit(4);
		_exit(ioasid_alloc_any(self->fd, NULL) ? 5 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ---- close frees all --------------------------------------------------- */

TEST_F(ioasid_dev, close_frees_all)
{
	int fd = open(IOASID_DEV, O_RDWR);
	__u32 p;
	int i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, ioasid_alloc_range(fd, 9000, 9015, &p));
	ASSERT_EQ(0, ioasid_attach(fd, 9003, 3));
	EXPECT_EQ(-ENOSPC, ioasid_alloc_range(self->fd, 9000, 9015, &p));
	EXPECT_EQ(self->pool_before + 16, ioasid_pool_used());
	close(fd);
	EXPECT_EQ(self->pool_before, ioasid_pool_used());
	/* Every one of them is free again, and the guest mapping went too. */
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, ioasid_alloc_range(self->fd, 9000, 9015, &p));
	EXPECT_EQ(-ENOENT, ioasid_translate(self->fd, 3, &p));
}

/* A file handed to a child (fork) is the same set. */
TEST_F(ioasid_dev, shared_after_fork)
{
	pid_t pid;
	int status;
	__u32 p;

	ASSERT_EQ(0, ioasid_alloc_any(self->fd, &p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ioasid_free_pasid(self->fd, p) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ENOENT, ioasid_free_pasid(self->fd, p));
}

/* ---- lookups racing leases ----------------------------------------- */

#define RACE_SECONDS	3

static bool race_running(time_t end)
{
	return time(NULL) < end;
}

/* Open, allocate enough to lease new chunks, close: chunks come and go. */
static int race_churn(time_t end)
{
	while (race_running(end)) {
		int fd = open(IOASID_DEV, O_RDWR);
		int i;

		if (fd < 0)
			return 1;
		for (i = 0; i < 130; i++)
			if (ioasid_alloc_any(fd, NULL))
				return 2;
		close(fd);
	}
	return 0;
}

/* Free PASIDs this file never owned: ENOENT, at once, every time. */
static int race_free_foreign(time_t end)
{
	int fd = open(IOASID_DEV, O_RDWR);
	__u32 p;

	if (fd < 0)
		return 1;
	while (race_running(end))
		for (p = 1; p <= 256; p++)
			if (ioasid_free_pasid(fd, p) != -ENOENT)
				return 3;
	close(fd);
	return 0;
}

/*
 * Two processes lease and give back chunks while two others name PASIDs
 * of those chunks: a lookup that meets a chunk being leased must not wait
 * for it (it used to spin a CPU there).
 */
TEST(lookup_races_lease)
{
	time_t end = time(NULL) + RACE_SECONDS;
	long pool_before = ioasid_pool_used();
	pid_t pids[4];
	int i, status;

	if (pool_before < 0)
		SKIP(return, "%s not available", IOASID_DEV);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(i < 2 ? race_churn(end) : race_free_foreign(end));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_EQ(pool_before, ioasid_pool_used());
}

TEST_HARNESS_MAIN
