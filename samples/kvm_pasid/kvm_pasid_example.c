// SPDX-License-Identifier: GPL-2.0
/*
 * Example VMM flow for ENQCMD: a VM's guest-to-host PASID table following
 * the binds and unbinds the VMM makes in the VM's ioasid set.
 *
 * The VMM creates a KVM VM with a vCPU running guest code, opens the VM's
 * /dev/ioasid set, attaches the VM to it on /dev/kvm_pasid, then allocates
 * host PASIDs and binds guest PASIDs to them (what it does when the guest
 * allocates a PASID through the virtual command interface): each bind
 * appears in the table the CPU uses for the guest's ENQCMD, each unbind
 * and free removes it, and the running vCPU is forced out of guest mode
 * around every update. A second VM gets the same guest PASID for another
 * host PASID and never sees the first VM's entries. Prints each step and
 * what it achieved; exits non-zero if a step fails.
 */
#include "../../tools/testing/selftests/kvm_pasid/kvm_pasid_utils.h"

static int failed;

#define STEP(cond, ...) do {						\
	if (cond) {							\
		printf("   ok: ");					\
	} else {							\
		printf("   FAILED: ");					\
		failed = 1;						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

static void show_table(const char *vm, int kp)
{
	struct kvm_pasid_entry e[16];
	struct kvm_pasid_info info;
	int n, i;

	n = kp_dump(kp, 0, e, 16, NULL);
	kp_info(kp, &info);
	printf("   %s's table: %u translation(s) in %u PASID table page(s), %llu KiB:",
	       vm, info.nr_entries, info.nr_tables,
	       (unsigned long long)info.table_bytes / 1024);
	for (i = 0; i < n; i++)
		printf(" g%u->h%u", e[i].gpasid, e[i].hpasid);
	printf("%s\n", n > 0 ? "" : " (empty)");
}

/* Updates (or lookups) the VMM makes to show the kicks; an even number. */
#define NR_UPDATES	20

/*
 * The exits of @v across NR_UPDATES updates of VM 1's table (guest PASID 2
 * unbound from host PASID @h and bound again), or, for !@update, across
 * as many lookups of it; -1 if one fails.
 */
static long long exits_during(struct kp_vcpu *v, int io, __u32 h, int kp,
			      bool update)
{
	long long e0 = kp_vcpu_exits(v);
	int i;

	for (i = 0; i < NR_UPDATES / 2; i++) {
		if (update ? io_unbind(io, h) || io_bind(io, h, 2) :
		    kp_translate(kp, 2) != h || kp_translate(kp, 2) != h)
			return -1;
	}
	return kp_vcpu_exits(v) - e0;
}

int main(void)
{
	struct kvm_pasid_info info;
	struct kp_vm vm1, vm2;
	int kp1, kp2, kp3, io1, io2, vcpu_cpu = -1;
	long long exits0, exits1, upd, look;
	__u64 kicks0;
	__u32 h1, h2, h3;
	cpu_set_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!kp_have_kvm()) {
		printf("kvm_pasid example: no /dev/kvm (KVM needs SVM or VMX)\n");
		return 1;
	}
	/* Only for QEMU's TCG: see kp_hold_kvm() */
	kp_hold_kvm();
	/*
	 * As a VMM places them: the vCPU thread on a CPU of its own, this
	 * thread (the VMM's updates) on another, so that the vCPU is in guest
	 * mode when an update kicks it (a kick finds a vCPU that is not in
	 * guest mode, and needs nothing from it).
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (!sched_setaffinity(0, sizeof(set), &set))
			vcpu_cpu = 1;
	}
	printf("1. The VMM creates VM 1 (one vCPU running a guest loop) and VM 2\n");
	STEP(!kp_vm_create(&vm1, 1) && !kp_vcpu_start(&vm1, 0, vcpu_cpu) &&
	     kp_vcpu_wait_exits(&vm1.vcpu[0], 2),
	     "VM 1 runs: vCPU 0 has left guest mode %lld times so far",
	     kp_vcpu_exits(&vm1.vcpu[0]));
	STEP(!kp_vm_create(&vm2, 0), "VM 2 created");

	printf("2. Each VM gets its ioasid set (/dev/ioasid), attached to it on /dev/kvm_pasid\n");
	io1 = open(IOASID_DEV, O_RDWR);
	io2 = open(IOASID_DEV, O_RDWR);
	kp1 = open(KP_DEV, O_RDWR);
	kp2 = open(KP_DEV, O_RDWR);
	STEP(io1 >= 0 && io2 >= 0 && kp1 >= 0 && kp2 >= 0, "files open");
	STEP(!io_alloc(io1, &h1) && !io_bind(io1, h1, 1),
	     "before attaching, VM 1's guest PASID 1 is bound to host PASID %u", h1);
	STEP(!kp_attach(kp1, vm1.fd, io1) && kp_translate(kp1, 1) == h1,
	     "VM 1 attached: the bind made before is in its table (g1 -> h%ld)",
	     kp_translate(kp1, 1));
	STEP(!kp_attach(kp2, vm2.fd, io2), "VM 2 attached to its own set");
	/* a third, unattached kvm_pasid file for the refusals */
	kp3 = open(KP_DEV, O_RDWR);
	STEP(kp3 >= 0 && kp_attach(kp3, vm1.fd, io2) == -EBUSY,
	     "attaching VM 1 a second time is refused (EBUSY)");
	STEP(kp_attach(kp3, vm1.vcpu[0].fd, io2) == -EINVAL,
	     "a vCPU fd is not a VM fd (EINVAL)");
	close(kp3);

	printf("3. The guests allocate PASIDs: the VMM binds them, the tables follow\n");
	exits0 = kp_vcpu_exits(&vm1.vcpu[0]);
	STEP(!io_alloc(io1, &h2) && !io_bind(io1, h2, 2) && kp_translate(kp1, 2) == h2,
	     "VM 1: guest PASID 2 -> host PASID %u, translated by the table", h2);
	STEP(!io_alloc(io2, &h3) && !io_bind(io2, h3, 2) && kp_translate(kp2, 2) == h3,
	     "VM 2: its own guest PASID 2 -> host PASID %u", h3);
	STEP(kp_translate(kp2, 1) == -ENOENT,
	     "VM 2 never sees VM 1's guest PASID 1: an ENQCMD with it would not be accepted");
	exits1 = kp_vcpu_exits(&vm1.vcpu[0]);
	printf("   VM 1's vCPU left guest mode %lld times meanwhile\n", exits1 - exits0);
	/*
	 * The host's timer tick also makes a vCPU leave guest mode, and a
	 * vCPU that is not in guest mode at an update needs no kick, so one
	 * update proves little either way: the VMM counts the exits across
	 * many updates and across as many lookups, which kick nobody.
	 */
	kp_vcpu_wait_exits(&vm1.vcpu[0], exits1 + 1);
	kp_info(kp1, &info);
	kicks0 = info.kicks;
	upd = exits_during(&vm1.vcpu[0], io1, h2, kp1, true);
	kp_info(kp1, &info);
	look = exits_during(&vm1.vcpu[0], io1, h2, kp1, false);
	STEP(upd >= NR_UPDATES / 2 && upd > look && info.kicks - kicks0 == NR_UPDATES,
	     "VM 1's running vCPU is forced out of guest mode by the updates: %lld exits across %d updates (unbind and bind again, %llu kicks by %s), %lld across %d lookups",
	     upd, NR_UPDATES, (unsigned long long)(info.kicks - kicks0),
	     info.out_flags & KVM_PASID_INFO_KICK_VCPUS ? "KVM's request" :
	     "an IPI to every CPU", look, NR_UPDATES);
	if (kp_get(vm1.vcpu[0].exited))
		printf("   (VM 1's vCPU thread ended: exit %d)\n", vm1.vcpu[0].exit_reason);
	show_table("VM 1", kp1);
	show_table("VM 2", kp2);

	printf("4. The guests free PASIDs: unbind and free remove the translations\n");
	STEP(!io_unbind(io1, h1) && kp_translate(kp1, 1) == -ENOENT,
	     "VM 1: guest PASID 1 unbound, no longer translated");
	STEP(!io_free(io1, h2) && kp_translate(kp1, 2) == -ENOENT,
	     "VM 1: host PASID %u freed (UNBIND then FREE), guest PASID 2 gone", h2);
	STEP(kp_translate(kp2, 2) == h3, "VM 2's guest PASID 2 is untouched");
	show_table("VM 1", kp1);
	kp_info(kp1, &info);
	printf("   VM 1's counters: %llu updates, %llu kicks, %llu lookups, %llu misses\n",
	       (unsigned long long)info.updates, (unsigned long long)info.kicks,
	       (unsigned long long)info.lookups, (unsigned long long)info.misses);

	printf("5. VM 2's VMM closes its ioasid set: the attachment ends with it\n");
	close(io2);
	STEP(kp_translate(kp2, 2) == -ENOTCONN && !kp_info(kp2, &info) &&
	     (info.out_flags & KVM_PASID_INFO_SET_FREED),
	     "VM 2 is detached, its table emptied and its VM reference dropped");

	printf("6. VM 1's VMM detaches and shuts down\n");
	STEP(!kp_detach(kp1), "VM 1 detached");
	kp_vm_destroy(&vm1);
	kp_vm_destroy(&vm2);
	close(io1);
	close(kp1);
	close(kp2);
	printf("kvm_pasid example: %s\n", failed ? "FAILED" : "all steps done");
	return failed;
}
