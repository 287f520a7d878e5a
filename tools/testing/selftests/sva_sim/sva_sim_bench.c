// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim benchmark (not a test); tools/testing/vm/bench.d/50-sva_sim.sh
 * runs it and turns its samples into medians and ratios.
 *
 *   sva_sim_bench memmove <rounds> <seconds>
 *	Memmove descriptors through the nested translation (a PASID of
 *	/dev/ioasid bound to a 4-level guest table, guest RAM in stage 2)
 *	against memmove() of the same bytes in this process, for 4 KiB and
 *	64 KiB, IOTLB-hit-heavy (the same source and destination every time)
 *	and miss-heavy (a working set of 2 x 8 MiB walked in order, the
 *	PASID's IOTLB invalidated at the start of every pass: every page
 *	misses). The device is measured three ways: one descriptor per
 *	pwrite(2) on one shared queue ("dev"), the same spread over both
 *	shared queues, whose workers run in parallel ("dev2q"), and batches
 *	of 16 memmoves per pwrite(2) on both queues ("batch"). Each
 *	measurement runs for <seconds>, then drains; completion records are
 *	requested and written for every descriptor and checked at the end.
 *	A submission that finds its queue full sleeps until the queue's
 *	completion interrupt (requested on every 16th descriptor of a queue)
 *	and tries again, as a driver would: a submitter spinning on a full
 *	queue takes host CPU time from the device's worker when the VM's two
 *	vCPUs share a busy host. For scale, the CPU also copies the bytes by
 *	memmove() of 4 KiB pieces ("cpu4k"): at 64 KiB glibc's memmove()
 *	takes the rep movsb way (ERMS), which TCG runs byte by byte, while
 *	4 KiB pieces take its vector loop. Every round runs each measurement
 *	once, in an order that rotates. One line per round and case,
 *	microseconds per memmove:
 *	    mm <hit|miss> <4k|64k> cpu_us <c> dev_us <d> dev2q_us <q> batch_us <b> cpu4k_us <p>
 *
 *   sva_sim_bench submit <rounds> <seconds>
 *	What one submission through the portal costs: noop descriptors
 *	without a completion record, by pwrite(2) and by the mapped page
 *	(slot, status, kick eventfd), and for scale a system call that does
 *	nothing (getppid). One line per round, microseconds per submission:
 *	    sub pwrite_us <p> mapped_us <m> syscall_us <s>
 */
#include <pthread.h>
#include <sched.h>

/* its helpers come with kselftest_harness.h, whose runner is not used here */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "sva_utils.h"

#define UUID_BENCH	0x70
#define RAM_SIZE	(64ULL << 20)	/* 8 + 16 MiB working sets, aligned */
#define WSET		(8ULL << 20)	/* miss-heavy working set, each side */
#define BATCH		16
#define NCR		512		/* completion records, reused in turn */

#define die(fmt, ...) do {						\
		fprintf(stderr, "sva_sim_bench: " fmt "\n", ##__VA_ARGS__); \
		exit(1);						\
	} while (0)

static struct sva_env env;
static int kick[2];
static int cirq[2];		/* completion interrupts of queues 0 and 1 */
static __u64 hit_src, hit_dst, ws_src, ws_dst, cr_base, list_base;
static __u8 *hit_src_hva, *hit_dst_hva, *ws_src_hva, *ws_dst_hva;
static struct sva_sim_completion *crs;
static struct sva_sim_desc *lists;
static unsigned int cr_next;
static unsigned long cr_bad;

static void setup(void)
{
	static const struct sva_cfg cfg = {
		.nr_queues = "2", .sizes = "256", .modes = "shared",
	};
	int ret, q;

	if (!sva_present())
		die("sva_sim, the nested backend or /dev/ioasid missing");
	ret = sva_env_setup(&env, UUID_BENCH, &cfg, RAM_SIZE);
	if (ret)
		die("set-up: %s", strerror(-ret));
	for (q = 0; q < 2; q++) {
		ret = sva_env_enable(&env, q, false);
		if (ret)
			die("enable: %s", strerror(-ret));
		cirq[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (cirq[q] < 0 ||
		    sva_set_irq(env.d.dev, SVA_SIM_IRQ_COMPLETION, q, cirq[q]))
			die("completion interrupt: %s", strerror(errno));
	}
	cr_base = sva_buf(&env, NCR * 32, (void **)&crs);
	list_base = sva_buf(&env, NCR * BATCH * 64, (void **)&lists);
	hit_src = sva_buf(&env, 64 << 10, (void **)&hit_src_hva);
	hit_dst = sva_buf(&env, 64 << 10, (void **)&hit_dst_hva);
	ws_src = sva_buf(&env, WSET, (void **)&ws_src_hva);
	/*
	 * Not a power of two after the source (3 pages more): under QEMU's TCG, addresses a
	 * power of two apart share a slot of its software TLB, and a copy
	 * between them misses it at every access (memmove() measured 26 MB/s
	 * that way on the miss-heavy case).
	 */
	ws_dst = sva_buf(&env, WSET + 16 * 4096, (void **)&ws_dst_hva);
	if (!ws_dst)
		die("guest RAM too small");
	ws_dst += 3 * 4096;
	ws_dst_hva += 3 * 4096;
	memset(hit_src_hva, 0x5a, 64 << 10);
	memset(ws_src_hva, 0xa5, WSET);
}

static double now(void)
{
	return sva_now();
}

/* A completion record's address, the record zeroed. */
static __u64 next_cr(void)
{
	unsigned int i = cr_next++ % NCR;

	if (crs[i].status && crs[i].status != SVA_SIM_COMP_SUCCESS)
		cr_bad++;
	memset(&crs[i], 0, sizeof(crs[i]));
	return cr_base + i * 32;
}

static void submit_retry(__u32 q, const struct sva_sim_desc *d)
{
	int ret;

	/* full: sleep until descriptors complete (or 20 ms) */
	while ((ret = sva_submit(&env.d, q, d)) == -EAGAIN)
		if (sva_eventfd_wait(cirq[q], 20) < 0)
			die("completion interrupt: %s", strerror(errno));
	if (ret)
		die("submission refused: %s", strerror(-ret));
}

static void drain_all(void)
{
	if (sva_drain(env.d.dev, 0, 0) || sva_drain(env.d.dev, 1, 0))
		die("drain: %s", strerror(errno));
}

/* Where the n-th memmove of @len goes in the case. */
static void addrs(bool miss, __u64 len, unsigned long n, __u64 *s, __u64 *t)
{
	if (!miss) {
		*s = hit_src;
		*t = hit_dst;
		return;
	}
	*s = ws_src + (n * len) % WSET;
	*t = ws_dst + (n * len) % WSET;
	/* a new pass: nothing of the working set stays cached */
	if ((n * len) % WSET == 0 &&
	    np_inv_pasid(env.d.container, env.pasid))
		die("invalidate: %s", strerror(errno));
}

/* Device: @queues queues, @batch memmoves per descriptor (1: none). */
static double dev_run(bool miss, __u64 len, int queues, int batch, double secs)
{
	unsigned long n = 0, descs = 0, per_q[2] = { 0, 0 };
	double t0 = now(), end = t0 + secs, t;
	struct sva_sim_desc d;
	__u64 s, tt;
	int i;

	do {
		__u32 q = descs % queues;

		if (batch == 1) {
			addrs(miss, len, n++, &s, &tt);
			d = sva_desc(SVA_SIM_OP_MEMMOVE, env.pasid, len, s, tt,
				     next_cr());
		} else {
			unsigned int slot = descs % NCR;
			struct sva_sim_desc *l = lists + slot * BATCH;

			for (i = 0; i < batch; i++) {
				addrs(miss, len, n++, &s, &tt);
				l[i] = sva_desc(SVA_SIM_OP_MEMMOVE, 0, len, s,
						tt, 0);
			}
			d = sva_desc(SVA_SIM_OP_BATCH, env.pasid, batch,
				     list_base + slot * BATCH * 64, 0,
				     next_cr());
		}
		/* an interrupt now and then, for a submitter to wait on */
		if (per_q[q]++ % 16 == 15)
			d.flags |= SVA_SIM_F_RCI;
		submit_retry(q, &d);
		descs++;
	} while (now() < end);
	drain_all();
	t = now() - t0;
	return t * 1e6 / n;
}

/* CPU: memmove() of @len, or of @len in @piece pieces (@piece < @len) */
static double cpu_run(bool miss, __u64 len, __u64 piece, double secs)
{
	unsigned long n = 0;
	double t0 = now(), end = t0 + secs;

	do {
		int k;

		for (k = 0; k < 16; k++, n++) {
			__u8 *s = miss ? ws_src_hva + (n * len) % WSET : hit_src_hva;
			__u8 *t = miss ? ws_dst_hva + (n * len) % WSET : hit_dst_hva;
			__u64 o;

			for (o = 0; o < len; o += piece)
				memmove(t + o, s + o, piece);
			__asm__ volatile("" : : "r"(t) : "memory");
		}
	} while (now() < end);
	return (now() - t0) * 1e6 / n;
}

static void memmove_bench(int rounds, double secs)
{
	static const struct {
		bool miss;
		__u64 len;
		const char *p, *s;
	} cases[] = {
		{ false, 4096, "hit", "4k" }, { false, 65536, "hit", "64k" },
		{ true, 4096, "miss", "4k" }, { true, 65536, "miss", "64k" },
	};
	struct sva_sim_stats st;
	unsigned int c;
	int r, k;

	for (r = 0; r < rounds; r++) {
		for (c = 0; c < ARRAY_SIZE(cases); c++) {
			double v[5];

			for (k = 0; k < 5; k++) {
				int m = (k + r + c) % 5;
				bool miss = cases[c].miss;
				__u64 len = cases[c].len;

				v[m] = m == 0 ? cpu_run(miss, len, len, secs) :
				       m == 1 ? dev_run(miss, len, 1, 1, secs) :
				       m == 2 ? dev_run(miss, len, 2, 1, secs) :
				       m == 3 ? dev_run(miss, len, 2, BATCH, secs) :
						cpu_run(miss, len, 4096, secs);
			}
			printf("mm %s %s cpu_us %.3f dev_us %.3f dev2q_us %.3f",
			       cases[c].p, cases[c].s, v[0], v[1], v[2]);
			printf(" batch_us %.3f cpu4k_us %.3f\n", v[3], v[4]);
			fflush(stdout);
		}
	}
	/* every descriptor completed well, the bytes are there */
	for (c = 0; c < NCR; c++)
		if (crs[c].status && crs[c].status != SVA_SIM_COMP_SUCCESS)
			cr_bad++;
	if (cr_bad)
		die("%lu completion records without success", cr_bad);
	if (memcmp(hit_src_hva, hit_dst_hva, 64 << 10) ||
	    memcmp(ws_src_hva, ws_dst_hva, 64 << 10))
		die("the bytes moved are wrong");
	for (c = 0; c < WSET; c++)	/* moved, or not reached by then */
		if (ws_dst_hva[c] != 0xa5 && ws_dst_hva[c])
			die("the bytes moved are wrong at %u", c);
	if (sva_stats(env.d.dev, SVA_SIM_ALL_QUEUES, &st))
		die("stats");
	printf("stats descriptors %llu page_requests %llu faults %llu bytes %llu\n",
	       (unsigned long long)st.completed,
	       (unsigned long long)st.page_requests,
	       (unsigned long long)st.faults, (unsigned long long)st.bytes);
}

static double sub_run(bool mapped, double secs)
{
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_NOOP, env.pasid, 0, 0, 0, 0);
	unsigned long n = 0, refused = 0;
	double t0 = now(), end = t0 + secs, t;
	int ret;

	do {
		int k;

		for (k = 0; k < 16; k++) {
			ret = mapped ? sva_submit_mapped(&env.d, 0, kick[0], &d) :
				       sva_submit(&env.d, 0, &d);
			if (ret == -EAGAIN)
				refused++;
			else if (ret)
				die("submission: %s", strerror(-ret));
			n++;
		}
	} while (now() < end);
	t = now() - t0;
	drain_all();
	if (refused > n / 2)
		fprintf(stderr, "sva_sim_bench: %lu of %lu submissions found the queue full\n",
			refused, n);
	return t * 1e6 / n;
}

static double syscall_run(double secs)
{
	unsigned long n = 0;
	double t0 = now(), end = t0 + secs;

	do {
		int k;

		for (k = 0; k < 64; k++, n++)
			syscall(SYS_getppid);
	} while (now() < end);
	return (now() - t0) * 1e6 / n;
}

static void submit_bench(int rounds, double secs)
{
	struct sva_sim_info info;
	int r, k;

	if (sva_get_info(env.d.dev, &info))
		die("info");
	kick[0] = -1;
	if (info.out_flags & SVA_SIM_INFO_MMAP) {
		kick[0] = eventfd(0, EFD_CLOEXEC);
		if (kick[0] < 0 || sva_set_kick(env.d.dev, 0, kick[0]) ||
		    sva_portal_map(&env.d))
			die("mapped portal");
	}
	for (r = 0; r < rounds; r++) {
		double v[3] = { 0, -1, 0 };

		for (k = 0; k < 3; k++) {
			int m = (k + r) % 3;

			if (m == 0)
				v[0] = sub_run(false, secs);
			else if (m == 1 && kick[0] >= 0)
				v[1] = sub_run(true, secs);
			else if (m == 2)
				v[2] = syscall_run(secs);
		}
		if (v[1] < 0)
			printf("sub pwrite_us %.3f mapped_us nan syscall_us %.3f\n",
			       v[0], v[2]);
		else
			printf("sub pwrite_us %.3f mapped_us %.3f syscall_us %.3f\n",
			       v[0], v[1], v[2]);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	int rounds;
	double secs;

	if (argc != 4)
		die("usage: sva_sim_bench memmove|submit <rounds> <seconds>");
	rounds = atoi(argv[2]);
	secs = atof(argv[3]);
	setup();
	if (!strcmp(argv[1], "memmove"))
		memmove_bench(rounds, secs);
	else if (!strcmp(argv[1], "submit"))
		submit_bench(rounds, secs);
	else
		die("unknown mode %s", argv[1]);
	sva_env_teardown(&env);
	return 0;
}
