/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kvm_pasid selftests, benchmark and sample: the
 * /dev/kvm_pasid and /dev/ioasid calls, and a KVM VM whose vCPUs run a
 * real-mode loop ("jmp $") on threads of their own, with KVM's binary
 * statistics (KVM_GET_STATS_FD) to read a vCPU's "exits" counter.
 */
#ifndef __KVM_PASID_UTILS_H
#define __KVM_PASID_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/ioasid.h>
#include <linux/kvm.h>
#include <linux/kvm_pasid.h>

#define KP_DEV		"/dev/kvm_pasid"
#define IOASID_DEV	"/dev/ioasid"
#define KVM_DEV		"/dev/kvm"
#define KP_GPASID_MAX	((1U << 20) - 1)
#define KP_MAX_VCPUS	8

/* ioctl() as 0 or -errno. */
static inline int kp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* KVM is built in on the test kernel, modules on a distribution kernel. */
static inline bool kp_have_kvm(void)
{
	static const char load[] = "modprobe kvm_amd || modprobe kvm_intel";

	/* Whether it worked, the access below decides. */
	if (access(KVM_DEV, R_OK | W_OK) && system(load))
		fprintf(stderr, "# %s: failed\n", load);
	return !access(KVM_DEV, R_OK | W_OK);
}

/*
 * Under QEMU's TCG (the test VM), KVM's first VM flips a static key in
 * __schedule() (preempt notifiers) and its last one flips it back; another
 * CPU running __schedule() meanwhile once met the patched int3 and oopsed
 * (a cross-modifying-code race of QEMU's, see tools/testing/vm/init.sh).
 * So a program that creates VMs holds one VM for its whole life
 * (kp_hold_kvm(), inherited by the harness's forked tests), and creates
 * and closes it while every other CPU spins in userspace, where it never
 * runs __schedule(). The VMs of the tests then never flip the key. The
 * held VM has a vCPU without an in-kernel local APIC, like the tests'
 * vCPUs, for the same reason (KVM's kvm_has_noapic_vcpu key).
 */
struct kp_quiet {
	pthread_t t[64];
	int n;
	bool stop;
	int started;
	cpu_set_t saved;
};

static void *kp_quiet_spin(void *arg)
{
	struct kp_quiet *q = arg;

	__atomic_add_fetch(&q->started, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE))
		;
	return NULL;
}

/* This thread on CPU 0, a spinning thread on each other CPU. */
static inline void kp_quiet_begin(struct kp_quiet *q)
{
	int cpu, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	memset(q, 0, sizeof(*q));
	sched_getaffinity(0, sizeof(q->saved), &q->saved);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (cpu = 1; cpu < ncpu && q->n < 64; cpu++) {
		pthread_attr_t attr;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!pthread_create(&q->t[q->n], &attr, kp_quiet_spin, q))
			q->n++;
		pthread_attr_destroy(&attr);
	}
	while (__atomic_load_n(&q->started, __ATOMIC_ACQUIRE) < q->n)
		sched_yield();
	usleep(20000);	/* let the other CPUs settle in userspace */
}

static inline void kp_quiet_end(struct kp_quiet *q)
{
	int i;

	__atomic_store_n(&q->stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < q->n; i++)
		pthread_join(q->t[i], NULL);
	sched_setaffinity(0, sizeof(q->saved), &q->saved);
}

static int kp_holder_fd = -1, kp_holder_vcpu = -1;
static pid_t kp_holder_pid;

static void kp_release_kvm(void)
{
	struct kp_quiet q;

	if (kp_holder_fd < 0 || getpid() != kp_holder_pid)
		return;
	kp_quiet_begin(&q);
	if (kp_holder_vcpu >= 0)
		close(kp_holder_vcpu);
	close(kp_holder_fd);	/* the last VM: KVM flips the keys back */
	kp_holder_fd = -1;
	kp_quiet_end(&q);
}

/* Hold a VM for the program's life (see above); call before any VM. */
static inline void kp_hold_kvm(void)
{
	struct kp_quiet q;
	int kvm;

	if (kp_holder_fd >= 0 || !kp_have_kvm())
		return;
	kvm = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return;
	kp_quiet_begin(&q);
	kp_holder_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (kp_holder_fd >= 0)
		kp_holder_vcpu = ioctl(kp_holder_fd, KVM_CREATE_VCPU, 0);
	kp_quiet_end(&q);
	close(kvm);
	if (kp_holder_fd >= 0) {
		kp_holder_pid = getpid();
		atexit(kp_release_kvm);
	}
}

/* ---- /dev/kvm_pasid ----------------------------------------------------- */

static inline int kp_attach(int kp, int vm_fd, int ioasid_fd)
{
	struct kvm_pasid_attach cmd = {
		.size = sizeof(cmd), .vm_fd = vm_fd, .ioasid_fd = ioasid_fd,
	};

	return kp_ioctl(kp, KVM_PASID_ATTACH, &cmd);
}

static inline int kp_detach(int kp)
{
	struct kvm_pasid_detach cmd = { .size = sizeof(cmd) };

	return kp_ioctl(kp, KVM_PASID_DETACH, &cmd);
}

/* The host PASID of @gpasid, or -errno (-ENOENT: no translation). */
static inline long kp_translate(int kp, __u32 gpasid)
{
	struct kvm_pasid_translation cmd = { .size = sizeof(cmd), .gpasid = gpasid };
	int ret = kp_ioctl(kp, KVM_PASID_TRANSLATE, &cmd);

	return ret ? ret : (long)cmd.out_hpasid;
}

static inline int kp_info(int kp, struct kvm_pasid_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return kp_ioctl(kp, KVM_PASID_GET_INFO, info);
}

/* Dump from @start into @e (room @n); the count, or -errno. */
static inline int kp_dump(int kp, __u32 start, struct kvm_pasid_entry *e,
			  __u32 n, __u32 *next)
{
	struct kvm_pasid_dump cmd = {
		.size = sizeof(cmd), .start = start, .nr_entries = n,
		.entries = (uintptr_t)e,
	};
	int ret = kp_ioctl(kp, KVM_PASID_DUMP, &cmd);

	if (ret)
		return ret;
	if (next)
		*next = cmd.out_next;
	return cmd.nr_entries;
}

/* ---- /dev/ioasid -------------------------------------------------------- */

static inline int io_alloc(int fd, __u32 *pasid)
{
	struct ioasid_alloc cmd = { .size = sizeof(cmd) };
	int ret = kp_ioctl(fd, IOASID_ALLOC, &cmd);

	if (!ret)
		*pasid = cmd.out_pasid;
	return ret;
}

static inline int io_free(int fd, __u32 pasid)
{
	struct ioasid_free cmd = { .size = sizeof(cmd), .pasid = pasid };

	return kp_ioctl(fd, IOASID_FREE, &cmd);
}

static inline int io_bind(int fd, __u32 pasid, __u32 gpasid)
{
	struct ioasid_gpasid cmd = {
		.size = sizeof(cmd), .pasid = pasid, .gpasid = gpasid,
	};

	return kp_ioctl(fd, IOASID_ATTACH_GPASID, &cmd);
}

static inline int io_unbind(int fd, __u32 pasid)
{
	struct ioasid_gpasid cmd = { .size = sizeof(cmd), .pasid = pasid };

	return kp_ioctl(fd, IOASID_DETACH_GPASID, &cmd);
}

/* The host PASID of @gpasid in the file's set, or -errno. */
static inline long io_translate(int fd, __u32 gpasid)
{
	struct ioasid_translate cmd = { .size = sizeof(cmd), .gpasid = gpasid };
	int ret = kp_ioctl(fd, IOASID_TRANSLATE_GPASID, &cmd);

	return ret ? ret : (long)cmd.out_pasid;
}

/* ---- a KVM VM with looping vCPUs --------------------------------------- */

struct kp_vcpu {
	int fd;
	int stats_fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool running;
	bool stop;			/* kp_get()/kp_set() */
	bool exited;			/* kp_get()/kp_set() */
	int exit_reason;		/* an unexpected exit, 0 if none */
	int cpu;			/* pinned to, -1 if not */
	pid_t tid;			/* the thread's, once it runs (kp_get()) */
	off_t exits_off;		/* of "exits" in the stats data */
	off_t irq_exits_off;		/* of "irq_exits", -1 if none */
};

struct kp_vm {
	int kvm;
	int fd;
	void *mem;
	size_t mem_size;
	int nr_vcpus;
	struct kp_vcpu vcpu[KP_MAX_VCPUS];
};

#define KP_GUEST_MEM	0x10000
#define KP_GUEST_CODE	0x1000

/* Flags shared between a vCPU thread and the test. */
#define kp_get(x)	__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define kp_set(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static void kp_sigusr1(int sig)
{
	(void)sig;
}

static inline int kp_vcpu_stats_open(struct kp_vcpu *v)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	bool exits = false;
	size_t dsz;
	__u32 i;

	v->irq_exits_off = -1;
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (v->stats_fd < 0)
		return -errno;
	if (pread(v->stats_fd, &h, sizeof(h), 0) != sizeof(h))
		return -EIO;
	dsz = sizeof(*d) + h.name_size;
	d = malloc(dsz);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < h.num_desc; i++) {
		if (pread(v->stats_fd, d, dsz, h.desc_offset + i * dsz) != (ssize_t)dsz)
			break;
		if (!strcmp(d->name, "exits")) {
			v->exits_off = h.data_offset + d->offset;
			exits = true;
		} else if (!strcmp(d->name, "irq_exits")) {
			v->irq_exits_off = h.data_offset + d->offset;
		}
	}
	free(d);
	return exits ? 0 : -ENOENT;
}

/* One counter of the vCPU's statistics, -1 if it cannot be read. */
static inline long long kp_vcpu_stat(struct kp_vcpu *v, off_t off)
{
	__u64 val;

	if (off < 0 || pread(v->stats_fd, &val, sizeof(val), off) != sizeof(val))
		return -1;
	return (long long)val;
}

/* KVM's own count of the vCPU's exits from guest mode. */
static inline long long kp_vcpu_exits(struct kp_vcpu *v)
{
	return kp_vcpu_stat(v, v->exits_off);
}

/*
 * KVM's count of the vCPU's exits for a host interrupt that arrived in
 * guest mode (x86 "irq_exits"), -1 if KVM has no such counter.
 */
static inline long long kp_vcpu_irq_exits(struct kp_vcpu *v)
{
	return kp_vcpu_stat(v, v->irq_exits_off);
}

/* ---- /proc/interrupts ---------------------------------------------------- */

/*
 * The interrupts one CPU took: @all, every per-CPU line of
 * /proc/interrupts; @calls, its function-call IPIs other than TLB
 * shootdowns (x86 "CAL" counts both, "TLB" the shootdowns): what
 * smp_call_function*() sends, kick_all_cpus_sync() and KVM's
 * kvm_make_all_cpus_request() included.
 */
struct kp_irqs {
	long long all;
	long long calls;
};

/* 0, or -errno (-ENOENT: @cpu not listed, or no CAL line). */
static inline int kp_cpu_irqs(int cpu, struct kp_irqs *irqs)
{
	long long val = 0, v, cal = -1, tlb = 0;
	int i, n, ncol = 0, col = -1, ret = -ENOENT;
	char *line = NULL, *p, *end;
	size_t cap = 0;
	FILE *f;

	f = fopen("/proc/interrupts", "re");
	if (!f)
		return -errno;
	if (getline(&line, &cap, f) < 0)
		goto out;
	for (p = strtok(line, " \t\n"); p; p = strtok(NULL, " \t\n")) {
		if (sscanf(p, "CPU%d", &n) == 1 && n == cpu)
			col = ncol;
		ncol++;
	}
	if (col < 0)
		goto out;
	irqs->all = 0;
	while (getline(&line, &cap, f) >= 0) {
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		for (i = 0; i < ncol; i++, p = end) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			if (i == col)
				val = v;
		}
		/* ERR, MIS: one number for all CPUs. */
		if (i < ncol)
			continue;
		irqs->all += val;
		p = line + strspn(line, " ");
		if (!strncmp(p, "CAL:", 4))
			cal = val;
		else if (!strncmp(p, "TLB:", 4))
			tlb = val;
	}
	if (cal >= 0) {
		irqs->calls = cal - tlb;
		ret = 0;
	}
out:
	free(line);
	fclose(f);
	return ret;
}

static inline void *kp_vcpu_thread(void *arg)
{
	struct kp_vcpu *v = arg;

	kp_set(v->tid, (pid_t)syscall(SYS_gettid));
	if (v->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(v->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	while (!kp_get(v->stop)) {
		if (ioctl(v->fd, KVM_RUN, NULL)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			v->exit_reason = -errno;
			break;
		}
		/* "jmp $" never exits to userspace on its own. */
		if (v->run->exit_reason != KVM_EXIT_INTR) {
			v->exit_reason = v->run->exit_reason;
			break;
		}
	}
	kp_set(v->exited, true);
	return NULL;
}

/*
 * A VM with @nr_vcpus vCPUs in real mode at KP_GUEST_CODE, a "jmp $" loop;
 * none runs yet. 0 or -errno.
 */
static inline int kp_vm_create(struct kp_vm *vm, int nr_vcpus)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = KP_GUEST_MEM,
	};
	struct sigaction sa = { .sa_handler = kp_sigusr1 };
	int i, mmap_size;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->kvm = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -errno;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	vm->mem_size = KP_GUEST_MEM;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -errno;
	((unsigned char *)vm->mem)[KP_GUEST_CODE] = 0xeb;	/* jmp $ */
	((unsigned char *)vm->mem)[KP_GUEST_CODE + 1] = 0xfe;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	mmap_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		return -errno;
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns */
	for (i = 0; i < nr_vcpus && i < KP_MAX_VCPUS; i++) {
		struct kp_vcpu *v = &vm->vcpu[i];
		struct kvm_sregs sregs;
		struct kvm_regs regs = { .rip = KP_GUEST_CODE, .rflags = 2 };

		v->stats_fd = -1;
		v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			return -errno;
		vm->nr_vcpus++;
		v->run_size = mmap_size;
		v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			return -errno;
		}
		if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
			return -errno;
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		if (ioctl(v->fd, KVM_SET_SREGS, &sregs) ||
		    ioctl(v->fd, KVM_SET_REGS, &regs))
			return -errno;
		if (kp_vcpu_stats_open(v))
			return -ENOENT;
	}
	return 0;
}

/* Start vCPU @i's loop on its own thread, pinned to @cpu (-1: not). */
static inline int kp_vcpu_start(struct kp_vm *vm, int i, int cpu)
{
	struct kp_vcpu *v = &vm->vcpu[i];

	v->cpu = cpu;
	v->stop = false;
	v->exited = false;
	if (pthread_create(&v->thread, NULL, kp_vcpu_thread, v))
		return -EAGAIN;
	v->running = true;
	return 0;
}

/* Wait until the vCPU has entered guest mode at least @n times. */
static inline bool kp_vcpu_wait_exits(struct kp_vcpu *v, long long n)
{
	int i;

	for (i = 0; i < 2000 && !kp_get(v->exited); i++) {
		if (kp_vcpu_exits(v) >= n)
			return true;
		usleep(5000);
	}
	return false;
}

static inline void kp_vcpu_stop(struct kp_vcpu *v)
{
	if (!v->running)
		return;
	kp_set(v->stop, true);
	v->run->immediate_exit = 1;
	while (!kp_get(v->exited)) {
		pthread_kill(v->thread, SIGUSR1);
		usleep(1000);
	}
	pthread_join(v->thread, NULL);
	v->run->immediate_exit = 0;
	v->running = false;
}

static inline void kp_vm_destroy(struct kp_vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct kp_vcpu *v = &vm->vcpu[i];

		kp_vcpu_stop(v);
		if (v->run)
			munmap(v->run, v->run_size);
		if (v->stats_fd >= 0)
			close(v->stats_fd);
		close(v->fd);
	}
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->kvm = -1;
}

static inline double kp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* __KVM_PASID_UTILS_H */
