// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pasid update latency (a benchmark, not a test): the time of one
 * table update as the VMM sees it (IOASID_ATTACH_GPASID or
 * IOASID_DETACH_GPASID on an attached VM's set: BIND/UNBIND delivered,
 * entry published, every vCPU forced out of guest mode) with 0, 1, 2 and 4
 * vCPUs running a guest loop. One VM per vCPU count, all created first;
 * rounds interleave the counts (each round starts the VM's vCPUs, times
 * the updates, stops them); the median round is kept and compared with
 * the VM with no vCPU running (no IPI to wait for).
 *
 *   kvm_pasid_bench [rounds [updates-per-round]]
 */
#include "kvm_pasid_utils.h"

#define NR_COUNTS 4
static const int counts[NR_COUNTS] = { 0, 1, 2, 4 };
#define MAX_ROUNDS 64

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 9;
	int updates = argc > 2 ? atoi(argv[2]) : 200;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double t[NR_COUNTS][MAX_ROUNDS], med[NR_COUNTS];
	struct kp_vm vm[NR_COUNTS];
	int kp[NR_COUNTS], io[NR_COUNTS];
	__u32 h[NR_COUNTS];
	struct kvm_pasid_info info;
	cpu_set_t set;
	int c, r, i, ret;

	if (rounds < 1 || rounds > MAX_ROUNDS || updates < 2) {
		fprintf(stderr, "usage: %s [rounds (1-%d) [updates]]\n", argv[0],
			MAX_ROUNDS);
		return 2;
	}
	if (!kp_have_kvm()) {
		printf("kvm_pasid_bench: no /dev/kvm, skipped\n");
		return 0;
	}
	kp_hold_kvm();
	/* The updater on CPU 0, the vCPUs on the others. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (c = 0; c < NR_COUNTS; c++) {
		kp[c] = open(KP_DEV, O_RDWR);
		io[c] = open(IOASID_DEV, O_RDWR);
		if (kp[c] < 0 || io[c] < 0) {
			perror("open");
			return 1;
		}
		ret = kp_vm_create(&vm[c], counts[c]);
		if (!ret)
			ret = kp_attach(kp[c], vm[c].fd, io[c]);
		if (!ret)
			ret = io_alloc(io[c], &h[c]);
		if (ret) {
			fprintf(stderr, "VM with %d vCPUs: %s\n", counts[c],
				strerror(-ret));
			return 1;
		}
	}
	ret = kp_info(kp[0], &info);
	printf("== kvm_pasid update latency: %d CPUs: the updater on CPU 0,\n", ncpu);
	printf("   vCPU threads on CPUs 1..%d (more vCPUs than CPUs share them),\n",
	       ncpu - 1);
	printf("   kick by %s,\n   %d rounds of %d updates (bind + unbind), interleaved, median\n",
	       !ret && (info.out_flags & KVM_PASID_INFO_KICK_VCPUS) ?
	       "KVM's request (IPIs to the VM's vCPUs in guest mode)" :
	       "kick_all_cpus_sync() (an IPI to every CPU)",
	       rounds, updates);
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < NR_COUNTS; c++) {
			double t0;

			for (i = 0; i < counts[c]; i++) {
				kp_vcpu_start(&vm[c], i,
					      ncpu > 1 ? 1 + i % (ncpu - 1) : -1);
				kp_vcpu_wait_exits(&vm[c].vcpu[i],
						   kp_vcpu_exits(&vm[c].vcpu[i]) + 2);
			}
			t0 = kp_now();
			for (i = 0; i < updates / 2; i++) {
				if (io_bind(io[c], h[c], 1 + (i & 1023)) ||
				    io_unbind(io[c], h[c])) {
					perror("bind/unbind");
					return 1;
				}
			}
			t[c][r] = (kp_now() - t0) / (updates / 2 * 2);
			for (i = 0; i < counts[c]; i++)
				kp_vcpu_stop(&vm[c].vcpu[i]);
		}
	}
	for (c = 0; c < NR_COUNTS; c++) {
		qsort(t[c], rounds, sizeof(double), cmp_double);
		med[c] = t[c][rounds / 2];
	}
	for (c = 0; c < NR_COUNTS; c++) {
		kp_info(kp[c], &info);
		printf("%d vCPU(s): %.1f us/update (min %.1f, max %.1f); %.2fx none; kicks %llu\n",
		       counts[c], med[c] * 1e6, t[c][0] * 1e6,
		       t[c][rounds - 1] * 1e6, med[c] / med[0],
		       (unsigned long long)info.kicks);
	}
	for (c = 0; c < NR_COUNTS; c++) {
		kp_vm_destroy(&vm[c]);
		close(io[c]);
		close(kp[c]);
	}
	printf("kvm_pasid_bench: done\n");
	return 0;
}
