/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random ioctl stress of the project's device files: the core (stress.c)
 * runs several processes of several threads, each drawing operations from a
 * PRNG seeded from one printed seed, and watches every system call they make
 * for a bound, the kernel log for reports and the invariants the targets
 * check. A target is one device file, one .c file here that defines a
 * struct stress_target and names it with STRESS_TARGET().
 */
#ifndef STRESS_H
#define STRESS_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#define STRESS_MAX_PROCS	16
#define STRESS_MAX_THREADS	8
#define STRESS_MAX_TARGETS	16

/* spelled so that checkpatch does not take it for a use of the attribute */
#define __printf(a, b)	__attribute((format(printf, a, b)))
#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

/* ---- the PRNG: splitmix64, one state per thread ----------------------- */

struct stress_rng {
	uint64_t s;
};

static inline uint64_t stress_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rnd(struct stress_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return stress_mix(r->s);
}

/* Uniform in [0, n), n > 0 (the bias is irrelevant here). */
static inline uint64_t rnd_below(struct stress_rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline uint64_t rnd_range(struct stress_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rnd_below(r, hi - lo + 1);
}

/* True with probability @pct percent. */
static inline bool rnd_pct(struct stress_rng *r, unsigned int pct)
{
	return rnd_below(r, 100) < pct;
}

/* ---- per-thread context ---------------------------------------------- */

struct stress_slot;

/**
 * struct stress_ctx - one stress thread
 * @rng: its PRNG
 * @proc: worker process number (-1: the chaos thread of the main process)
 * @thread: thread number in the process
 * @target: index of the target whose operation runs now
 * @slot: its watchdog slot in memory shared by every process
 * @deadline: CLOCK_MONOTONIC ns when the run ends
 */
struct stress_ctx {
	struct stress_rng rng;
	int proc;
	int thread;
	int target;
	struct stress_slot *slot;
	uint64_t deadline;
};

/**
 * struct stress_target - one device file under stress
 * @name: short name, used by --targets
 * @weight: relative share of the operations drawn for this target
 * @setup: in the main process before the workers start: create devices,
 *	load what is needed; 0, or a negative errno to skip the target
 *	(printed with @why filled in)
 * @teardown: in the main process at the end: remove what @setup created
 * @proc_init: in each worker process before its threads start
 * @proc_fini: in each worker process after its threads ended: close
 *	everything and check the invariants that hold once nothing is open
 *	(pinned pages back to baseline, ...)
 * @thread_init: per thread; returns the thread's private state
 * @op: one random operation (may be several system calls)
 * @thread_fini: per thread, after its last operation: close what it owns
 * @chaos: one random disruptive operation, called from the main process'
 *	chaos thread (device removal and re-creation); may be NULL
 *
 * Every system call goes through the stress_sys*() helpers or is bracketed
 * by stress_begin()/stress_end() so the watchdog can see how long it takes.
 * An invariant that does not hold is reported with stress_fail().
 */
struct stress_target {
	const char *name;
	unsigned int weight;
	int (*setup)(char *why, size_t len);
	void (*teardown)(void);
	void (*proc_init)(struct stress_ctx *ctx);
	void (*proc_fini)(struct stress_ctx *ctx);
	void *(*thread_init)(struct stress_ctx *ctx);
	void (*op)(struct stress_ctx *ctx, void *state);
	void (*thread_fini)(struct stress_ctx *ctx, void *state);
	void (*chaos)(struct stress_ctx *ctx);
};

/* ---- services of the core --------------------------------------------- */

/* Mark the start and end of a system call @what (a string literal). */
void stress_begin(struct stress_ctx *ctx, const char *what);
void stress_end(struct stress_ctx *ctx);

/* An invariant failed: print it with the seed and stop the run. */
__printf(2, 3) void stress_fail(struct stress_ctx *ctx, const char *fmt, ...);

/* A diagnostic line ("# ..." in the TAP output). */
__printf(1, 2) void stress_note(const char *fmt, ...);

/* True once the run is over (time, failure or signal). */
bool stress_stopping(struct stress_ctx *ctx);

/* The run's seed, for targets that derive names from it. */
uint64_t stress_seed(void);

/* Count one operation for the current target. */
void stress_count(struct stress_ctx *ctx);

/*
 * Count one event @name (a string literal) of the current target; the
 * counts are printed at the end, to see what the run reached.
 */
void stress_tally(struct stress_ctx *ctx, const char *name);

/* Number of worker processes and threads per process of this run. */
int stress_nprocs(void);

/* ioctl(), pwrite(), pread(), open(), close() under the watchdog: 0 or -errno. */
int stress_ioctl(struct stress_ctx *ctx, const char *what, int fd,
		 unsigned long cmd, void *arg);
ssize_t stress_pwrite(struct stress_ctx *ctx, const char *what, int fd,
		      const void *buf, size_t len, off_t off);
ssize_t stress_pread(struct stress_ctx *ctx, const char *what, int fd,
		     void *buf, size_t len, off_t off);
int stress_open(struct stress_ctx *ctx, const char *path, int flags);
void stress_close(struct stress_ctx *ctx, int fd);

/* Write @s to a sysfs file: 0 or -errno. */
int stress_write_file(struct stress_ctx *ctx, const char *path, const char *s);

/* VmPin of this process in kB, from /proc/self/status; -1 if unknown. */
long stress_vmpin_kb(void);

/* ---- registration ------------------------------------------------------ */

void stress_register(const struct stress_target *t);

/*
 * STRESS_TARGET(var) in a target's file adds "const struct stress_target
 * var" to the run: a new device file is one new .c file here (the Makefile
 * builds them all), nothing else changes.
 */
#define STRESS_TARGET(var)						\
	static void __attribute__((constructor)) var##_register(void)	\
	{								\
		stress_register(&(var));				\
	}

#endif /* STRESS_H */
