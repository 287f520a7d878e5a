// SPDX-License-Identifier: GPL-2.0
/*
 * Stress target /dev/ioasid. Every thread owns its files (up to IO_FILES at
 * a time) and knows exactly which PASIDs and guest PASIDs each holds, so it
 * checks every answer: its own PASIDs are found, freed and foreign ones are
 * not (ENOENT), GET_INFO counts what it holds, bad sizes, tails and flags
 * get their errno and change nothing. Between threads and processes the
 * files race: leases of new chunks (a burst of allocations in a fresh file,
 * then close) against lookups of PASIDs the caller never owned, the pattern
 * that once made a lookup spin on a reserved chunk slot.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/ioasid.h>

#include "stress.h"

#define IO_DEV		"/dev/ioasid"
#define IO_FILES	2
#define IO_MAXP		160	/* PASIDs tracked per file */
#define IO_BURST	130	/* a burst leases new chunks */
#define IO_LOW		300	/* "foreign" lookups go to [0, IO_LOW] */
#define IO_GPASIDS	48	/* guest PASIDs drawn from [1, IO_GPASIDS] */
#define IO_GPASID_MAX	((1U << 20) - 1)

struct io_file {
	int fd;
	unsigned int n;
	uint32_t pasid[IO_MAXP];
	uint32_t gpasid[IO_MAXP];	/* 0: none attached */
};

struct io_state {
	struct io_file f[IO_FILES];
	uint32_t max_pasid;
	uint32_t freed[8];		/* recently freed by this thread */
	unsigned int nfreed;
};

static uint32_t io_max_pasid;

static int io_setup(char *why, size_t len)
{
	struct ioasid_info info = { .size = sizeof(info) };
	int fd = open(IO_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "%s: %s (pvm_ioasid not loaded?)", IO_DEV,
			 strerror(errno));
		return -errno;
	}
	if (ioctl(fd, IOASID_GET_INFO, &info)) {
		snprintf(why, len, "IOASID_GET_INFO: %s", strerror(errno));
		close(fd);
		return -EIO;
	}
	close(fd);
	io_max_pasid = info.max_pasid;
	return 0;
}

static void *io_thread_init(struct stress_ctx *ctx)
{
	struct io_state *s = calloc(1, sizeof(*s));
	int i;

	if (!s) {
		stress_fail(ctx, "out of memory");
		return NULL;
	}
	for (i = 0; i < IO_FILES; i++)
		s->f[i].fd = -1;
	s->max_pasid = io_max_pasid;
	return s;
}

/* ---- one ioctl with a random size mode ---------------------------------- */

enum io_mode { IO_EXACT, IO_BIGZERO, IO_SMALL, IO_BIGNZ, IO_FLAGS, IO_HUGE };

/* The buffer ends at a page that is not mapped: huge sizes read into it. */
static __thread uint8_t *io_page;

static uint8_t *io_buffer(void)
{
	if (!io_page) {
		io_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (io_page == MAP_FAILED || mprotect(io_page + 4096, 4096, PROT_NONE)) {
			io_page = NULL;
			return NULL;
		}
	}
	return io_page + 4096 - 64;
}

/*
 * The first published size of @cmd's struct: smaller sizes get EINVAL.
 * struct ioasid_info grew after it was first published.
 */
static size_t io_min_size(unsigned long cmd, size_t len)
{
	if (cmd == IOASID_GET_INFO)
		return offsetof(struct ioasid_info, user_quota);
	return len;
}

/*
 * Issue @cmd with @arg (a struct of @len bytes, @size and @flags first) in
 * a random size mode; the struct is copied back. *@bad says whether the
 * mode must fail; then the errno is checked here and the caller only has
 * to return.
 */
static int io_call(struct stress_ctx *ctx, int fd, unsigned long cmd,
		   const char *what, void *arg, size_t len, bool *bad)
{
	uint32_t *hdr = arg;
	uint8_t *buf = io_buffer();
	unsigned int pick = rnd_below(&ctx->rng, 100);
	enum io_mode mode;
	uint32_t *bh;
	int ret;

	if (!buf) {
		stress_fail(ctx, "out of memory");
		return -ENOMEM;
	}
	if (pick < 80)
		mode = IO_EXACT;
	else if (pick < 88)
		mode = IO_BIGZERO;
	else if (pick < 92)
		mode = IO_SMALL;
	else if (pick < 96)
		mode = IO_BIGNZ;
	else if (pick < 98)
		mode = IO_FLAGS;
	else
		mode = IO_HUGE;

	memset(buf, 0, 64);
	memcpy(buf, arg, len);
	bh = (uint32_t *)buf;
	bh[0] = len;
	switch (mode) {
	case IO_EXACT:
		break;
	case IO_BIGZERO:
		bh[0] = len + 4 * rnd_range(&ctx->rng, 1, (64 - len) / 4);
		break;
	case IO_SMALL:
		bh[0] = rnd_below(&ctx->rng, io_min_size(cmd, len));
		break;
	case IO_BIGNZ:
		bh[0] = len + 4 * rnd_range(&ctx->rng, 1, (64 - len) / 4);
		buf[len + rnd_below(&ctx->rng, bh[0] - len)] = 1 + rnd_below(&ctx->rng, 255);
		break;
	case IO_FLAGS:
		/* bit 0 is IOASID_ALLOC_RANGE; every other bit is unknown */
		bh[1] |= 1U << rnd_range(&ctx->rng, 1, 31);
		break;
	case IO_HUGE:
		bh[0] = rnd_pct(&ctx->rng, 50) ? 0xffffffffU : 4096 + 64;
		break;
	}
	ret = stress_ioctl(ctx, what, fd, cmd, buf);
	memcpy(arg, buf, len);
	hdr[0] = len;
	*bad = mode >= IO_SMALL;
	if (!*bad)
		return ret;
	switch (mode) {
	case IO_SMALL:
		if (ret != -EINVAL)
			stress_fail(ctx, "%s with size %u (< %zu): %s, want EINVAL",
				    what, bh[0], io_min_size(cmd, len),
				    strerror(-ret));
		break;
	case IO_BIGNZ:
		if (ret != -E2BIG)
			stress_fail(ctx, "%s with a non-zero tail: %s, want E2BIG",
				    what, strerror(-ret));
		break;
	case IO_FLAGS:
		if (ret != -EOPNOTSUPP)
			stress_fail(ctx, "%s with flags 0x%x: %s, want EOPNOTSUPP",
				    what, bh[1], strerror(-ret));
		break;
	default:
		/* the tail runs into the unmapped page */
		if (ret != -E2BIG && ret != -EFAULT)
			stress_fail(ctx, "%s with size 0x%x: %s, want E2BIG or EFAULT",
				    what, bh[0], strerror(-ret));
		break;
	}
	return ret;
}

/* ---- bookkeeping ------------------------------------------------------- */

static int io_find(struct io_file *f, uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (f->pasid[i] == pasid)
			return i;
	return -1;
}

static int io_find_gpasid(struct io_file *f, uint32_t gpasid)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (f->gpasid[i] == gpasid)
			return i;
	return -1;
}

static void io_forget(struct io_state *s, struct io_file *f, int i)
{
	s->freed[s->nfreed++ % 8] = f->pasid[i];
	f->n--;
	f->pasid[i] = f->pasid[f->n];
	f->gpasid[i] = f->gpasid[f->n];
}

/* Does any file of this thread own @pasid? */
static bool io_owned_here(struct io_state *s, uint32_t pasid)
{
	int i;

	for (i = 0; i < IO_FILES; i++)
		if (s->f[i].fd >= 0 && io_find(&s->f[i], pasid) >= 0)
			return true;
	return false;
}

static void io_close(struct stress_ctx *ctx, struct io_file *f)
{
	stress_close(ctx, f->fd);
	f->fd = -1;
	f->n = 0;
}

static struct io_file *io_any_file(struct stress_ctx *ctx, struct io_state *s)
{
	int i = rnd_below(&ctx->rng, IO_FILES);
	int fd;

	if (s->f[i].fd >= 0)
		return &s->f[i];
	fd = stress_open(ctx, IO_DEV, O_RDWR);
	if (fd < 0) {
		stress_fail(ctx, "open %s: %s", IO_DEV, strerror(-fd));
		return NULL;
	}
	s->f[i].fd = fd;
	s->f[i].n = 0;
	return &s->f[i];
}

/* ---- operations -------------------------------------------------------- */

static void io_op_alloc(struct stress_ctx *ctx, struct io_state *s,
			struct io_file *f)
{
	struct ioasid_alloc a = { .size = sizeof(a) };
	unsigned int kind = rnd_below(&ctx->rng, 10);
	bool bad, invalid = false;
	int ret;

	switch (kind) {
	case 0: case 1: case 2: case 3:
		break;			/* anywhere */
	case 4: case 5: case 6:	/* the low chunks every set fights for */
		a.flags = IOASID_ALLOC_RANGE;
		a.min = rnd_range(&ctx->rng, 1, IO_LOW);
		a.max = rnd_range(&ctx->rng, a.min, IO_LOW + 64);
		break;
	case 7:
		a.flags = IOASID_ALLOC_RANGE;
		a.min = rnd_range(&ctx->rng, 1, s->max_pasid);
		a.max = rnd_range(&ctx->rng, a.min, s->max_pasid);
		break;
	default:		/* invalid ranges */
		invalid = true;
		switch (rnd_below(&ctx->rng, 4)) {
		case 0:
			a.flags = IOASID_ALLOC_RANGE;
			a.min = 0;
			a.max = rnd_range(&ctx->rng, 0, 100);
			break;
		case 1:
			a.flags = IOASID_ALLOC_RANGE;
			a.min = rnd_range(&ctx->rng, 2, 1000);
			a.max = a.min - 1;
			break;
		case 2:
			a.flags = IOASID_ALLOC_RANGE;
			a.min = 1;
			a.max = s->max_pasid + rnd_range(&ctx->rng, 1, 1000);
			if (a.max <= s->max_pasid)
				a.max = 0xffffffff;
			break;
		default:
			a.min = 1;	/* bounds without the RANGE flag */
			a.max = 100;
			break;
		}
	}
	if (f->n >= IO_MAXP)
		return;
	ret = io_call(ctx, f->fd, IOASID_ALLOC, "IOASID_ALLOC", &a, sizeof(a), &bad);
	if (bad)
		return;
	if (invalid) {
		if (ret != -EINVAL)
			stress_fail(ctx, "IOASID_ALLOC flags %u [%u, %u]: %s, want EINVAL",
				    a.flags, a.min, a.max, ret ? strerror(-ret) : "success");
		if (!ret)
			f->pasid[f->n++] = a.out_pasid;
		return;
	}
	/* the file's quota or the pool; EDQUOT: all the user's files */
	if (ret == -ENOSPC || ret == -EDQUOT)
		return;
	if (ret) {
		stress_fail(ctx, "IOASID_ALLOC [%u, %u]: %s", a.min, a.max, strerror(-ret));
		return;
	}
	if (!a.out_pasid || a.out_pasid > s->max_pasid ||
	    ((a.flags & IOASID_ALLOC_RANGE) && (a.out_pasid < a.min || a.out_pasid > a.max)))
		stress_fail(ctx, "IOASID_ALLOC [%u, %u] gave PASID %u", a.min, a.max,
			    a.out_pasid);
	if (io_owned_here(s, a.out_pasid))
		stress_fail(ctx, "IOASID_ALLOC gave PASID %u, which this thread already holds",
			    a.out_pasid);
	f->gpasid[f->n] = 0;
	f->pasid[f->n++] = a.out_pasid;
	stress_tally(ctx, "allocations");
}

/* Free one of ours, or a PASID we do not own (ENOENT), or a bad one. */
static void io_op_free(struct stress_ctx *ctx, struct io_state *s,
		       struct io_file *f)
{
	struct ioasid_free fr = { .size = sizeof(fr) };
	unsigned int kind = rnd_below(&ctx->rng, 10);
	bool bad;
	int ret, i;

	if (kind < 4 && f->n)
		fr.pasid = f->pasid[rnd_below(&ctx->rng, f->n)];
	else if (kind < 8)
		fr.pasid = rnd_range(&ctx->rng, 0, IO_LOW);
	else if (kind < 9 && s->nfreed)
		fr.pasid = s->freed[rnd_below(&ctx->rng, s->nfreed < 8 ? s->nfreed : 8)];
	else
		fr.pasid = rnd_pct(&ctx->rng, 50) ? 0xffffffff :
			   s->max_pasid + 1 + rnd_below(&ctx->rng, 16);
	ret = io_call(ctx, f->fd, IOASID_FREE, "IOASID_FREE", &fr, sizeof(fr), &bad);
	if (bad)
		return;
	i = io_find(f, fr.pasid);
	if (i >= 0) {
		if (ret)
			stress_fail(ctx, "IOASID_FREE of own PASID %u: %s", fr.pasid,
				    strerror(-ret));
		io_forget(s, f, i);
	} else if (!fr.pasid || fr.pasid > s->max_pasid) {
		if (ret != -EINVAL)
			stress_fail(ctx, "IOASID_FREE of PASID 0x%x: %s, want EINVAL",
				    fr.pasid, ret ? strerror(-ret) : "success");
	} else if (ret != -ENOENT) {
		stress_fail(ctx, "IOASID_FREE of PASID %u this file does not own: %s, want ENOENT",
			    fr.pasid, ret ? strerror(-ret) : "success");
	}
}

/* A sweep of lookups over consecutive low PASIDs, mostly not ours. */
static void io_op_sweep(struct stress_ctx *ctx, struct io_state *s,
			struct io_file *f)
{
	uint32_t first = rnd_range(&ctx->rng, 1, IO_LOW);
	unsigned int i, n = rnd_range(&ctx->rng, 8, 64);

	for (i = 0; i < n && !stress_stopping(ctx); i++) {
		struct ioasid_free fr = { .size = sizeof(fr), .pasid = first + i };
		int ret = stress_ioctl(ctx, "IOASID_FREE", f->fd, IOASID_FREE, &fr);
		int j = io_find(f, fr.pasid);

		if (j >= 0) {
			if (ret)
				stress_fail(ctx, "IOASID_FREE of own PASID %u: %s", fr.pasid,
					    strerror(-ret));
			io_forget(s, f, j);
		} else if (ret != -ENOENT) {
			stress_fail(ctx, "IOASID_FREE of PASID %u not owned: %s, want ENOENT",
				    fr.pasid, ret ? strerror(-ret) : "success");
		} else {
			stress_tally(ctx, "frees of PASIDs not owned");
		}
	}
}

/* A burst: a fresh file leases chunks for IO_BURST PASIDs, then closes. */
static void io_op_burst(struct stress_ctx *ctx, struct io_state *s)
{
	struct io_file *f = &s->f[rnd_below(&ctx->rng, IO_FILES)];
	unsigned int i, want = rnd_range(&ctx->rng, IO_BURST / 2, IO_BURST);

	if (f->fd >= 0)
		io_close(ctx, f);
	f->fd = stress_open(ctx, IO_DEV, O_RDWR);
	if (f->fd < 0) {
		stress_fail(ctx, "open %s: %s", IO_DEV, strerror(-f->fd));
		f->fd = -1;
		return;
	}
	for (i = 0; i < want && !stress_stopping(ctx); i++) {
		struct ioasid_alloc a = { .size = sizeof(a) };
		int ret = stress_ioctl(ctx, "IOASID_ALLOC", f->fd, IOASID_ALLOC, &a);

		if (ret == -ENOSPC || ret == -EDQUOT)
			break;
		if (ret) {
			stress_fail(ctx, "IOASID_ALLOC: %s", strerror(-ret));
			break;
		}
		if (io_owned_here(s, a.out_pasid))
			stress_fail(ctx, "IOASID_ALLOC gave PASID %u twice", a.out_pasid);
		f->gpasid[f->n] = 0;
		f->pasid[f->n++] = a.out_pasid;
		stress_tally(ctx, "allocations in bursts");
	}
	if (rnd_pct(&ctx->rng, 70))
		io_close(ctx, f);
}

/* Attach, translate, detach; guest PASIDs collide on purpose. */
static void io_op_gpasid(struct stress_ctx *ctx, struct io_state *s,
			 struct io_file *f)
{
	struct ioasid_gpasid g = { .size = sizeof(g) };
	struct ioasid_translate t = { .size = sizeof(t) };
	unsigned int kind = rnd_below(&ctx->rng, 10);
	bool bad, own;
	int ret, i, j;

	if (f->n && rnd_pct(&ctx->rng, 80))
		g.pasid = f->pasid[rnd_below(&ctx->rng, f->n)];
	else
		g.pasid = rnd_range(&ctx->rng, 0, IO_LOW);
	i = io_find(f, g.pasid);
	own = i >= 0;
	if (kind < 5) {
		g.gpasid = rnd_pct(&ctx->rng, 90) ? rnd_range(&ctx->rng, 1, IO_GPASIDS) :
			   rnd_pct(&ctx->rng, 50) ? 0 : IO_GPASID_MAX + 1 +
			   rnd_below(&ctx->rng, 1000);
		ret = io_call(ctx, f->fd, IOASID_ATTACH_GPASID, "IOASID_ATTACH_GPASID",
			      &g, sizeof(g), &bad);
		if (bad)
			return;
		if (!g.gpasid || g.gpasid > IO_GPASID_MAX) {
			if (ret != -EINVAL)
				stress_fail(ctx, "ATTACH guest PASID 0x%x: %s, want EINVAL",
					    g.gpasid, ret ? strerror(-ret) : "success");
			return;
		}
		if (!own) {
			if (ret != -ENOENT && !(ret == -EINVAL && !g.pasid))
				stress_fail(ctx, "ATTACH to PASID %u not owned: %s, want ENOENT",
					    g.pasid, ret ? strerror(-ret) : "success");
			return;
		}
		j = io_find_gpasid(f, g.gpasid);
		if (f->gpasid[i] || j >= 0) {
			if (ret != -EBUSY)
				stress_fail(ctx, "ATTACH %u -> %u (busy): %s, want EBUSY",
					    g.gpasid, g.pasid, ret ? strerror(-ret) : "success");
			return;
		}
		if (ret) {
			stress_fail(ctx, "IOASID_ATTACH_GPASID %u -> own PASID %u: %s",
				    g.gpasid, g.pasid, strerror(-ret));
			return;
		}
		f->gpasid[i] = g.gpasid;
		stress_tally(ctx, "guest PASIDs attached");
	} else if (kind < 8) {
		t.gpasid = rnd_pct(&ctx->rng, 95) ? rnd_range(&ctx->rng, 1, IO_GPASIDS) : 0;
		ret = io_call(ctx, f->fd, IOASID_TRANSLATE_GPASID, "IOASID_TRANSLATE_GPASID",
			      &t, sizeof(t), &bad);
		if (bad)
			return;
		j = t.gpasid ? io_find_gpasid(f, t.gpasid) : -1;
		if (!t.gpasid) {
			if (ret != -EINVAL)
				stress_fail(ctx, "IOASID_TRANSLATE_GPASID 0: %s, want EINVAL",
					    ret ? strerror(-ret) : "success");
		} else if (j < 0) {
			if (ret != -ENOENT)
				stress_fail(ctx, "TRANSLATE %u (not attached): %s, want ENOENT",
					    t.gpasid, ret ? strerror(-ret) : "success");
		} else if (ret || t.out_pasid != f->pasid[j]) {
			stress_fail(ctx, "IOASID_TRANSLATE_GPASID %u: %s, PASID %u, want %u",
				    t.gpasid, ret ? strerror(-ret) : "success", t.out_pasid,
				    f->pasid[j]);
		}
	} else {
		ret = io_call(ctx, f->fd, IOASID_DETACH_GPASID, "IOASID_DETACH_GPASID",
			      &g, sizeof(g), &bad);
		if (bad)
			return;
		if (own && f->gpasid[i]) {
			if (ret)
				stress_fail(ctx, "IOASID_DETACH_GPASID of own PASID %u: %s",
					    g.pasid, strerror(-ret));
			f->gpasid[i] = 0;
		} else if (ret != -ENOENT && !(ret == -EINVAL && !g.pasid)) {
			stress_fail(ctx, "DETACH of PASID %u (%s, none attached): %s, want ENOENT",
				    g.pasid, own ? "own" : "not owned",
				    ret ? strerror(-ret) : "success");
		}
	}
}

static void io_op_info(struct stress_ctx *ctx, struct io_state *s,
		       struct io_file *f)
{
	struct ioasid_info info = { .size = sizeof(info) };
	bool bad;
	int ret;

	ret = io_call(ctx, f->fd, IOASID_GET_INFO, "IOASID_GET_INFO", &info,
		      sizeof(info), &bad);
	if (bad)
		return;
	if (ret) {
		stress_fail(ctx, "IOASID_GET_INFO: %s", strerror(-ret));
		return;
	}
	if (info.used != f->n || info.max_pasid != s->max_pasid ||
	    info.pool_used < f->n)
		stress_fail(ctx, "GET_INFO: used %u (file holds %u), max %u (was %u), pool used %u",
			    info.used, f->n, info.max_pasid, s->max_pasid, info.pool_used);
}

static void io_op_quota(struct stress_ctx *ctx, struct io_file *f)
{
	struct ioasid_quota q = { .size = sizeof(q) };
	bool bad;
	int ret;

	q.quota = rnd_pct(&ctx->rng, 20) ? 0 : rnd_range(&ctx->rng, 1, 2 * IO_MAXP);
	ret = io_call(ctx, f->fd, IOASID_SET_QUOTA, "IOASID_SET_QUOTA", &q,
		      sizeof(q), &bad);
	if (bad)
		return;
	if (q.quota && q.quota < f->n && ret != -EBUSY)
		stress_fail(ctx, "IOASID_SET_QUOTA %u below the %u PASIDs held: %s, want EBUSY",
			    q.quota, f->n, ret ? strerror(-ret) : "success");
	else if ((!q.quota || q.quota >= f->n) && ret && ret != -ENOSPC && ret != -EPERM)
		stress_fail(ctx, "IOASID_SET_QUOTA %u (%u held): %s", q.quota, f->n,
			    strerror(-ret));
}

/* Unknown numbers and unreadable arguments. */
static void io_op_junk(struct stress_ctx *ctx, struct io_file *f)
{
	unsigned long cmd;
	int ret;

	switch (rnd_below(&ctx->rng, 4)) {
	case 0:
		cmd = _IO(IOASID_TYPE, IOASID_CMD_BASE + 7 + rnd_below(&ctx->rng, 100));
		ret = stress_ioctl(ctx, "unknown ioctl", f->fd, cmd, NULL);
		if (ret != -ENOTTY)
			stress_fail(ctx, "ioctl 0x%lx: %s, want ENOTTY", cmd,
				    ret ? strerror(-ret) : "success");
		break;
	case 1:
		cmd = _IO(IOASID_TYPE, IOASID_CMD_BASE - 1 - rnd_below(&ctx->rng, 0x80));
		ret = stress_ioctl(ctx, "unknown ioctl", f->fd, cmd, NULL);
		if (ret != -ENOTTY)
			stress_fail(ctx, "ioctl 0x%lx: %s, want ENOTTY", cmd,
				    ret ? strerror(-ret) : "success");
		break;
	default:
		cmd = IOASID_GET_INFO + rnd_below(&ctx->rng, 7);
		ret = stress_ioctl(ctx, "ioctl on a bad pointer", f->fd, cmd,
				   rnd_pct(&ctx->rng, 50) ? NULL : (void *)-4096L);
		if (ret != -EFAULT)
			stress_fail(ctx, "ioctl 0x%lx on a bad pointer: %s, want EFAULT",
				    cmd, ret ? strerror(-ret) : "success");
		break;
	}
}

static void io_op(struct stress_ctx *ctx, void *state)
{
	struct io_state *s = state;
	unsigned int kind = rnd_below(&ctx->rng, 100);
	struct io_file *f;
	int i;

	if (!s)
		return;
	if (kind < 6) {
		i = rnd_below(&ctx->rng, IO_FILES);
		if (s->f[i].fd >= 0)
			io_close(ctx, &s->f[i]);
		else
			io_any_file(ctx, s);
		return;
	}
	if (kind < 14) {
		io_op_burst(ctx, s);
		return;
	}
	f = io_any_file(ctx, s);
	if (!f)
		return;
	if (kind < 24)
		io_op_sweep(ctx, s, f);
	else if (kind < 44)
		io_op_alloc(ctx, s, f);
	else if (kind < 68)
		io_op_free(ctx, s, f);
	else if (kind < 85)
		io_op_gpasid(ctx, s, f);
	else if (kind < 92)
		io_op_info(ctx, s, f);
	else if (kind < 95)
		io_op_quota(ctx, f);
	else
		io_op_junk(ctx, f);
}

static void io_thread_fini(struct stress_ctx *ctx, void *state)
{
	struct io_state *s = state;
	int i;

	if (!s)
		return;
	for (i = 0; i < IO_FILES; i++)
		if (s->f[i].fd >= 0)
			io_close(ctx, &s->f[i]);
	free(s);
	if (io_page)
		munmap(io_page, 8192);
	io_page = NULL;
}

static const struct stress_target stress_target_ioasid = {
	.name = "ioasid",
	.weight = 1,
	.setup = io_setup,
	.thread_init = io_thread_init,
	.op = io_op,
	.thread_fini = io_thread_fini,
};

STRESS_TARGET(stress_target_ioasid);
