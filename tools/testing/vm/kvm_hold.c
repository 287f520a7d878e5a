// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold: keep one KVM VM open until killed.
 *
 * KVM's first VM enables the preempt_notifier_key static key (its site is
 * in __schedule()) and its last VM disables it again: every such flip
 * patches kernel text with a breakpoint while other CPUs run. Under QEMU's
 * TCG a vCPU can still execute the breakpoint after the patching finished
 * (a cross-modifying-code race of the emulator, not of the kernel), which
 * is an "Oops: int3" in __schedule(); the vhost_vfio and kvm_pasid suites
 * create and destroy VMs many times. With one VM held open for the whole
 * run the key flips once, at start, before any test runs.
 *
 * Exit status: 0 when killed by SIGTERM, 1 when /dev/kvm or the VM cannot
 * be had (nothing to hold: the tests that need KVM skip).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 1;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}
	signal(SIGTERM, on_term);
	for (;;)
		pause();
}
