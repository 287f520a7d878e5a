// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test: bounded, seeded, multi-process and multi-threaded random
 * ioctl stress of the project's device files.
 *
 *   stress_test [--seconds N] [--seed N] [--procs N] [--threads N]
 *               [--targets a,b] [--op-timeout N] [--no-panic-on-stall]
 *
 * Defaults come from the environment when set (STRESS_SECONDS, STRESS_SEED,
 * STRESS_PROCS, STRESS_THREADS, STRESS_TARGETS, STRESS_OP_TIMEOUT), so the
 * test VM's kernel command line can pass them; without them the run is the
 * short one of "make check".
 *
 * Each thread of each worker process has its own PRNG, seeded from the
 * printed seed and its process and thread numbers: "--seed N" replays the
 * same operation sequences (their interleaving is up to the scheduler).
 *
 * The main process is the watchdog: it fails the run when a system call of
 * a worker does not return within --op-timeout seconds (and asks the kernel
 * for the blocked tasks and CPU backtraces), when the kernel log gets a
 * report (WARN, BUG, KASAN, lockdep, RCU stall, hung task...), when a
 * target's invariant does not hold, or when a worker dies. It ends the run
 * itself after --seconds, and an alarm ends the process if even that hangs.
 * While it runs, kernel.panic_on_rcu_stall is set, so a CPU stuck in the
 * kernel ends the VM at once with the stall report instead of hanging it.
 * Output is TAP: one line per target and one per global check.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stress.h"

static const struct stress_target *targets[STRESS_MAX_TARGETS];
static int ntargets;
#define CHAOS_ROW	STRESS_MAX_PROCS

/* Watchdog slot of one thread, in memory shared by all processes. */
struct stress_slot {
	uint64_t start;		/* ns of the current system call, 0: none */
	const char *what;	/* a literal: same address in every process */
	int tid;
	int target;
	int reported;
};

struct stress_tally {
	const char *name;	/* a literal: same address in every process */
	int target;
	uint64_t n;
};

#define STRESS_TALLIES	96

struct stress_shared {
	int stop;		/* 1: time is up, 2: failure */
	int failures;
	uint64_t ops[STRESS_MAX_TARGETS];
	uint64_t fails[STRESS_MAX_TARGETS];
	uint64_t chaos[STRESS_MAX_TARGETS];
	struct stress_tally tally[STRESS_TALLIES];
	struct stress_slot slots[STRESS_MAX_PROCS + 1][STRESS_MAX_THREADS];
};

static struct stress_shared *sh;
static uint64_t seed;
static int seconds = 20, nprocs = 4, nthreads = 2, op_timeout = 30;
static bool panic_on_stall = true;
static bool enabled[STRESS_MAX_TARGETS];
static char skip_why[STRESS_MAX_TARGETS][128];

void stress_register(const struct stress_target *t)
{
	int i;

	if (ntargets == STRESS_MAX_TARGETS) {
		fprintf(stderr, "too many targets\n");
		exit(2);
	}
	/* sorted by name: the numbering of the TAP output stays put */
	for (i = ntargets; i > 0 && strcmp(targets[i - 1]->name, t->name) > 0; i--)
		targets[i] = targets[i - 1];
	targets[i] = t;
	ntargets++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One write() per line, so lines of several processes do not mix. */
static void out_line(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);

	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static __printf(1, 2) void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_line(fmt, ap);
	va_end(ap);
}

void stress_note(const char *fmt, ...)
{
	char f[256];
	va_list ap;

	snprintf(f, sizeof(f), "# %s", fmt);
	va_start(ap, fmt);
	out_line(f, ap);
	va_end(ap);
}

void stress_begin(struct stress_ctx *ctx, const char *what)
{
	struct stress_slot *s = ctx->slot;

	s->what = what;
	s->target = ctx->target;
	__atomic_store_n(&s->start, now_ns(), __ATOMIC_RELEASE);
}

void stress_end(struct stress_ctx *ctx)
{
	__atomic_store_n(&ctx->slot->start, 0, __ATOMIC_RELEASE);
}

static void stop_run(int why)
{
	int old = 0;

	if (!__atomic_compare_exchange_n(&sh->stop, &old, why, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
	    why > old)
		__atomic_store_n(&sh->stop, why, __ATOMIC_SEQ_CST);
}

void stress_fail(struct stress_ctx *ctx, const char *fmt, ...)
{
	char f[384];
	va_list ap;

	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_SEQ_CST);
	if (ctx->target >= 0)
		__atomic_add_fetch(&sh->fails[ctx->target], 1, __ATOMIC_SEQ_CST);
	snprintf(f, sizeof(f), "# FAIL %s proc %d thread %d (seed %llu): %s",
		 ctx->target >= 0 ? targets[ctx->target]->name : "core",
		 ctx->proc, ctx->thread, (unsigned long long)seed, fmt);
	va_start(ap, fmt);
	out_line(f, ap);
	va_end(ap);
	stop_run(2);
}

bool stress_stopping(struct stress_ctx *ctx)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) ||
	       now_ns() >= ctx->deadline;
}

uint64_t stress_seed(void)
{
	return seed;
}

int stress_nprocs(void)
{
	return nprocs;
}

void stress_count(struct stress_ctx *ctx)
{
	__atomic_add_fetch(&sh->ops[ctx->target], 1, __ATOMIC_RELAXED);
}

void stress_tally(struct stress_ctx *ctx, const char *name)
{
	int i;

	for (i = 0; i < STRESS_TALLIES; i++) {
		struct stress_tally *t = &sh->tally[i];
		const char *cur = __atomic_load_n(&t->name, __ATOMIC_ACQUIRE);

		if (!cur) {
			t->target = ctx->target;
			if (__atomic_compare_exchange_n(&t->name, &cur, name, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				cur = name;
		}
		if (cur == name) {
			__atomic_add_fetch(&t->n, 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

int stress_ioctl(struct stress_ctx *ctx, const char *what, int fd,
		 unsigned long cmd, void *arg)
{
	int ret;

	stress_begin(ctx, what);
	ret = ioctl(fd, cmd, arg);
	ret = ret < 0 ? -errno : ret;
	stress_end(ctx);
	return ret;
}

ssize_t stress_pwrite(struct stress_ctx *ctx, const char *what, int fd,
		      const void *buf, size_t len, off_t off)
{
	ssize_t ret;

	stress_begin(ctx, what);
	ret = pwrite(fd, buf, len, off);
	ret = ret < 0 ? -errno : ret;
	stress_end(ctx);
	return ret;
}

ssize_t stress_pread(struct stress_ctx *ctx, const char *what, int fd,
		     void *buf, size_t len, off_t off)
{
	ssize_t ret;

	stress_begin(ctx, what);
	ret = pread(fd, buf, len, off);
	ret = ret < 0 ? -errno : ret;
	stress_end(ctx);
	return ret;
}

int stress_open(struct stress_ctx *ctx, const char *path, int flags)
{
	int ret;

	stress_begin(ctx, "open");
	ret = open(path, flags | O_CLOEXEC);
	ret = ret < 0 ? -errno : ret;
	stress_end(ctx);
	return ret;
}

void stress_close(struct stress_ctx *ctx, int fd)
{
	if (fd < 0)
		return;
	stress_begin(ctx, "close");
	close(fd);
	stress_end(ctx);
}

int stress_write_file(struct stress_ctx *ctx, const char *path, const char *s)
{
	int fd, ret = 0;

	stress_begin(ctx, "sysfs write");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (write(fd, s, strlen(s)) < 0)
			ret = -errno;
		close(fd);
	}
	stress_end(ctx);
	return ret;
}

long stress_vmpin_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ---- workers ------------------------------------------------------------ */

struct worker {
	struct stress_ctx ctx;
	pthread_t th;
	void *state[STRESS_MAX_TARGETS];
	unsigned int total_weight;
};

static void ctx_init(struct stress_ctx *ctx, int proc, int thread,
		     uint64_t deadline)
{
	int row = proc < 0 ? CHAOS_ROW : proc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->proc = proc;
	ctx->thread = thread;
	ctx->target = -1;
	ctx->deadline = deadline;
	ctx->rng.s = stress_mix(seed ^ stress_mix(((uint64_t)(row + 1) << 32) |
						  (uint64_t)(thread + 1)));
	ctx->slot = &sh->slots[row][thread];
	ctx->slot->tid = syscall(SYS_gettid);
}

static int pick_target(struct stress_ctx *ctx, unsigned int total)
{
	uint64_t x = rnd_below(&ctx->rng, total);
	int i;

	for (i = 0; i < ntargets; i++) {
		if (!enabled[i])
			continue;
		if (x < targets[i]->weight)
			return i;
		x -= targets[i]->weight;
	}
	return -1;
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct stress_ctx *ctx = &w->ctx;
	int i;

	ctx->slot->tid = syscall(SYS_gettid);
	for (i = 0; i < ntargets; i++) {
		if (!enabled[i] || !targets[i]->thread_init)
			continue;
		ctx->target = i;
		w->state[i] = targets[i]->thread_init(ctx);
	}
	while (!stress_stopping(ctx)) {
		i = pick_target(ctx, w->total_weight);
		if (i < 0)
			break;
		ctx->target = i;
		targets[i]->op(ctx, w->state[i]);
		stress_count(ctx);
	}
	for (i = 0; i < ntargets; i++) {
		if (!enabled[i] || !targets[i]->thread_fini)
			continue;
		ctx->target = i;
		targets[i]->thread_fini(ctx, w->state[i]);
	}
	return NULL;
}

static void worker_process(int proc, uint64_t deadline)
{
	struct worker w[STRESS_MAX_THREADS];
	struct stress_ctx pctx;
	unsigned int total = 0;
	int i, t;

	/* a last resort: the process ends even if its threads do not */
	alarm(seconds + 3 * op_timeout + 60);
	ctx_init(&pctx, proc, 0, deadline);
	for (i = 0; i < ntargets; i++) {
		if (!enabled[i])
			continue;
		total += targets[i]->weight;
		if (targets[i]->proc_init) {
			pctx.target = i;
			targets[i]->proc_init(&pctx);
		}
	}
	for (t = 0; t < nthreads; t++) {
		ctx_init(&w[t].ctx, proc, t, deadline);
		memset(w[t].state, 0, sizeof(w[t].state));
		w[t].total_weight = total;
		if (pthread_create(&w[t].th, NULL, worker_thread, &w[t])) {
			stress_fail(&pctx, "pthread_create failed");
			nthreads = t;
			break;
		}
	}
	for (t = 0; t < nthreads; t++)
		pthread_join(w[t].th, NULL);
	for (i = 0; i < ntargets; i++) {
		if (!enabled[i] || !targets[i]->proc_fini)
			continue;
		pctx.target = i;
		targets[i]->proc_fini(&pctx);
	}
	_exit(0);
}

/* ---- the chaos thread: disruptive operations from the main process ------ */

static void *chaos_thread(void *arg)
{
	struct stress_ctx *ctx = arg;
	int n = 0, i;

	for (i = 0; i < ntargets; i++)
		if (enabled[i] && targets[i]->chaos)
			n++;
	while (n && !stress_stopping(ctx)) {
		uint64_t pause_ms = rnd_range(&ctx->rng, 200, 2000), k;

		/* sleep in small steps so the end of the run is not delayed */
		for (k = 0; k < pause_ms / 50 && !stress_stopping(ctx); k++)
			usleep(50000);
		if (stress_stopping(ctx))
			break;
		k = rnd_below(&ctx->rng, n);
		for (i = 0; i < ntargets; i++) {
			if (!enabled[i] || !targets[i]->chaos || k--)
				continue;
			ctx->target = i;
			targets[i]->chaos(ctx);
			sh->chaos[i]++;
			break;
		}
	}
	return NULL;
}

/* ---- the watchdog: system-call bound and kernel log ------------------- */

static const char *const kernel_reports[] = {
	"WARNING:", "BUG:", "KASAN:", "UBSAN:", "kernel BUG at", "Oops:",
	"general protection fault", "Kernel panic", "possible circular locking",
	"possible recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "lock held when returning to user space",
	"detected stalls on CPU", "detected stall on CPU", "self-detected stall",
	"blocked for more than", "soft lockup", "hard LOCKUP", "unreferenced object",
};

static int kmsg_fd = -1, kernel_hits, kmsg_context;

static void kmsg_scan(void)
{
	char rec[2048];
	ssize_t n;
	size_t i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		char *msg;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (n <= 0)
			return;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		for (i = 0; i < ARRAY_SIZE(kernel_reports); i++)
			if (strstr(msg, kernel_reports[i]))
				break;
		if (i < ARRAY_SIZE(kernel_reports)) {
			if (!kernel_hits++)
				out("# kernel report (seed %llu): %s",
				    (unsigned long long)seed, msg);
			kmsg_context = 40;
			stop_run(2);
		} else if (kmsg_context > 0) {
			kmsg_context--;
			out("# kernel: %s", msg);
		}
	}
}

static void trigger_sysrq(char c)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, &c, 1) < 0)
		stress_note("sysrq-trigger %c: %s", c, strerror(errno));
	close(fd);
}

static void print_stack(int tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stack", tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		out("#   %s", line);
	}
	fclose(f);
}

static int hangs;

static void check_slots(void)
{
	uint64_t now = now_ns();
	int p, t;

	for (p = 0; p <= STRESS_MAX_PROCS; p++) {
		for (t = 0; t < STRESS_MAX_THREADS; t++) {
			struct stress_slot *s = &sh->slots[p][t];
			uint64_t start = __atomic_load_n(&s->start, __ATOMIC_ACQUIRE);

			if (!start || s->reported || now < start ||
			    now - start < (uint64_t)op_timeout * 1000000000ULL)
				continue;
			s->reported = 1;
			hangs++;
			out("# HANG (seed %llu): %s %s %d thread %d (tid %d): %s over %d s",
			    (unsigned long long)seed,
			    s->target >= 0 ? targets[s->target]->name : "core",
			    p == CHAOS_ROW ? "chaos" : "proc", p == CHAOS_ROW ? 0 : p,
			    t, s->tid, s->what ? s->what : "?", op_timeout);
			print_stack(s->tid);
			if (hangs == 1) {
				trigger_sysrq('w');	/* blocked tasks */
				trigger_sysrq('l');	/* backtraces of all CPUs */
			}
			stop_run(2);
		}
	}
}

/* ---- main --------------------------------------------------------------- */

static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! stress_test: the run did not end in time\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static char *panic_old;

static void set_panic_on_stall(bool on)
{
	const char *path = "/proc/sys/kernel/panic_on_rcu_stall";
	char buf[16] = "";
	int fd;

	if (on) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return;
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			panic_old = strdup(buf);
		if (pwrite(fd, "1", 1, 0) != 1)
			stress_note("cannot set %s: %s", path, strerror(errno));
		close(fd);
	} else if (panic_old) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		if (write(fd, panic_old, strlen(panic_old)) < 0)
			stress_note("cannot restore %s", path);
		close(fd);
	}
}

static void print_usage(const char *prog)
{
	int i;

	fprintf(stderr,
		"Usage: %s [--seconds N] [--seed N] [--procs N] [--threads N]\n"
		"          [--targets a,b] [--op-timeout N] [--no-panic-on-stall]\n"
		"targets:", prog);
	for (i = 0; i < ntargets; i++)
		fprintf(stderr, " %s", targets[i]->name);
	fprintf(stderr, "\n");
	exit(2);
}

static bool select_targets(const char *list)
{
	char buf[256], *tok, *save;
	int i;

	if (!list || !*list || !strcmp(list, "all")) {
		for (i = 0; i < ntargets; i++)
			enabled[i] = true;
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ntargets; i++)
			if (!strcmp(tok, targets[i]->name))
				break;
		if (i == ntargets)
			return false;
		enabled[i] = true;
	}
	return true;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

int main(int argc, char **argv)
{
	const char *tlist = getenv("STRESS_TARGETS");
	const char *sseed = getenv("STRESS_SEED");
	bool have_seed = sseed && *sseed;
	pid_t pids[STRESS_MAX_PROCS];
	int status[STRESS_MAX_PROCS];
	struct stress_ctx chaos;
	pthread_t chaos_th;
	bool chaos_started = false, stuck = false;
	uint64_t start, deadline, stop_at = 0;
	int i, p, alive, n = 0, bad_exit = 0, ntests;

	seconds = env_int("STRESS_SECONDS", seconds);
	nprocs = env_int("STRESS_PROCS", nprocs);
	nthreads = env_int("STRESS_THREADS", nthreads);
	op_timeout = env_int("STRESS_OP_TIMEOUT", op_timeout);
	if (have_seed)
		seed = strtoull(sseed, NULL, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-panic-on-stall")) {
			panic_on_stall = false;
			continue;
		}
		if (!v)
			print_usage(argv[0]);
		if (!strcmp(a, "--seconds"))
			seconds = atoi(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0), have_seed = true;
		else if (!strcmp(a, "--procs"))
			nprocs = atoi(v);
		else if (!strcmp(a, "--threads"))
			nthreads = atoi(v);
		else if (!strcmp(a, "--targets"))
			tlist = v;
		else if (!strcmp(a, "--op-timeout"))
			op_timeout = atoi(v);
		else
			print_usage(argv[0]);
		i++;
	}
	if (seconds < 1 || nprocs < 1 || nprocs > STRESS_MAX_PROCS ||
	    nthreads < 1 || nthreads > STRESS_MAX_THREADS || op_timeout < 1 ||
	    !select_targets(tlist))
		print_usage(argv[0]);
	if (!have_seed)
		seed = stress_mix(now_ns() ^ getpid());

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGALRM, on_alarm);
	/* setup, run, grace for the workers, teardown: all bounded */
	alarm(seconds + 4 * op_timeout + 120);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		out("Bail out! mmap: %s", strerror(errno));
		return 1;
	}
	ntests = ntargets + 4;
	out("TAP version 13");
	out("1..%d", ntests);
	out("# stress: seed %llu, %d s, %d processes x %d threads, system-call bound %d s",
	    (unsigned long long)seed, seconds, nprocs, nthreads, op_timeout);
	out("# replay: stress_test --seed %llu --seconds %d --procs %d --threads %d%s%s",
	    (unsigned long long)seed, seconds, nprocs, nthreads,
	    tlist && *tlist ? " --targets " : "", tlist && *tlist ? tlist : "");

	/*
	 * The seed in the kernel log too, at a level the quiet console of the
	 * test VM prints: it survives a panic.
	 */
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg_fd >= 0) {
		char line[128];
		int len = snprintf(line, sizeof(line), "<3>stress_test: seed %llu, %d s\n",
				   (unsigned long long)seed, seconds);

		if (write(kmsg_fd, line, len) < 0)
			out("# /dev/kmsg: %s", strerror(errno));
		close(kmsg_fd);
	}

	for (i = 0; i < ntargets; i++) {
		int ret;

		if (!enabled[i])
			continue;
		ret = targets[i]->setup ? targets[i]->setup(skip_why[i], sizeof(skip_why[i])) : 0;
		if (ret) {
			enabled[i] = false;
			if (!skip_why[i][0])
				snprintf(skip_why[i], sizeof(skip_why[i]), "setup: %s",
					 strerror(-ret));
			out("# %s: skipped: %s", targets[i]->name, skip_why[i]);
		} else {
			n++;
		}
	}

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	else
		out("# /dev/kmsg: %s: the kernel log is not watched", strerror(errno));
	if (panic_on_stall)
		set_panic_on_stall(true);

	start = now_ns();
	deadline = start + (uint64_t)seconds * 1000000000ULL;
	for (p = 0; p < nprocs && n; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			signal(SIGALRM, SIG_DFL);
			worker_process(p, deadline);
		}
		if (pids[p] < 0) {
			out("# fork: %s", strerror(errno));
			stop_run(2);
			bad_exit++;
			break;
		}
	}
	nprocs = p;
	for (p = 0; p < nprocs; p++)
		status[p] = -1;

	ctx_init(&chaos, -1, 0, deadline);
	if (n && !pthread_create(&chaos_th, NULL, chaos_thread, &chaos))
		chaos_started = true;

	/* watch until every worker is gone, or give up on stuck ones */
	for (;;) {
		uint64_t now = now_ns();

		kmsg_scan();
		check_slots();
		if (now >= deadline)
			stop_run(1);
		alive = 0;
		for (p = 0; p < nprocs; p++) {
			int st;

			if (status[p] != -1)
				continue;
			if (waitpid(pids[p], &st, WNOHANG) == pids[p])
				status[p] = st;
			else
				alive++;
		}
		if (!alive)
			break;
		if (__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
			if (!stop_at)
				stop_at = now;
			if (now - stop_at > (uint64_t)(op_timeout + 10) * 1000000000ULL) {
				out("# %d workers still run %d s after the stop: killed",
				    alive, op_timeout + 10);
				for (p = 0; p < nprocs; p++)
					if (status[p] == -1)
						kill(pids[p], SIGKILL);
				usleep(2000000);
				for (p = 0; p < nprocs; p++)
					if (status[p] == -1 &&
					    waitpid(pids[p], &status[p], WNOHANG) != pids[p]) {
						status[p] = -1;
						stuck = true;
					}
				break;
			}
		}
		usleep(100000);
	}
	if (chaos_started) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += op_timeout + 5;
		while (pthread_timedjoin_np(chaos_th, NULL, &ts) == ETIMEDOUT) {
			check_slots();
			stuck = true;
			break;
		}
	}
	for (p = 0; p < nprocs; p++) {
		if (status[p] == -1) {
			out("# worker %d (pid %d) is stuck in the kernel", p, pids[p]);
			bad_exit++;
		} else if (!WIFEXITED(status[p]) || WEXITSTATUS(status[p])) {
			out("# worker %d (pid %d) ended with status 0x%x", p, pids[p], status[p]);
			bad_exit++;
		}
	}
	if (!stuck)
		for (i = 0; i < ntargets; i++)
			if (enabled[i] && targets[i]->teardown)
				targets[i]->teardown();
	/* reports printed while the workers ended */
	usleep(500000);
	kmsg_scan();
	if (panic_on_stall)
		set_panic_on_stall(false);

	out("# %.1f s", (now_ns() - start) / 1e9);
	for (i = 0; i < ntargets; i++) {
		const struct stress_target *t = targets[i];

		if (!enabled[i]) {
			out("ok %d %s # SKIP %s", i + 1, t->name,
			    skip_why[i][0] ? skip_why[i] : "not selected");
			continue;
		}
		if (t->chaos)
			out("# %s: %llu chaos operations", t->name,
			    (unsigned long long)sh->chaos[i]);
		for (p = 0; p < STRESS_TALLIES && sh->tally[p].name; p++)
			if (sh->tally[p].target == i)
				out("# %s: %s: %llu", t->name, sh->tally[p].name,
				    (unsigned long long)sh->tally[p].n);
		out("%s %d %s: %llu operations, %llu invariant failures",
		    sh->fails[i] ? "not ok" : "ok", i + 1, t->name,
		    (unsigned long long)sh->ops[i], (unsigned long long)sh->fails[i]);
	}
	out("%s %d every system call returned within %d s",
	    hangs || stuck ? "not ok" : "ok", ntargets + 1, op_timeout);
	out("%s %d kernel log: no report%s", kernel_hits ? "not ok" : "ok",
	    ntargets + 2, kmsg_fd < 0 ? " # SKIP /dev/kmsg not readable" : "");
	out("%s %d worker processes ended normally", bad_exit ? "not ok" : "ok",
	    ntargets + 3);
	out("%s %d no failure reported (%d)", sh->failures ? "not ok" : "ok",
	    ntargets + 4, sh->failures);
	if (hangs || stuck || kernel_hits || bad_exit || sh->failures) {
		out("# FAILED: replay with --seed %llu", (unsigned long long)seed);
		/* do not wait for workers stuck in the kernel */
		_exit(1);
	}
	return 0;
}
