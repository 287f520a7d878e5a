// SPDX-License-Identifier: GPL-2.0
/*
 * Example VMM flow for a guest's accelerator: the simulated SVA device
 * sva_sim given to a KVM VM, and a guest-style submission through it.
 *
 * The admin created the instance (argv[1], its UUID) with a dedicated and
 * a shared work queue. The VMM creates a KVM VM and its KVM-VFIO device
 * with the instance's group, puts the group in a VFIO container of the
 * nested backend tied to its /dev/ioasid file, maps guest RAM (stage 2),
 * opens the device and finds its portal. It then does what it does when
 * the guest's driver sets up shared virtual addressing: a host PASID
 * allocated for the guest's PASID and attached to it, the guest's page
 * table bound for it (stage 1), the VM attached on /dev/kvm_pasid so that
 * the guest PASID translates, and the shared queue opened in guest-PASID
 * mode. Then "the guest" submits a memmove and a CRC32C carrying its guest
 * PASID through the mapped portal page, as ENQCMD would: the submission is
 * accepted, the device moves the bytes through the guest's page table,
 * writes the completion records and raises the interrupt. A guest PASID
 * the VMM never bound is refused. The dedicated queue, given the same
 * PASID by its guest number, fills a page. Prints each step and what it
 * achieved; exits non-zero if a step fails.
 */
/* the helpers come with kselftest_harness.h, whose runner is not used */
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stdarg.h>
#include "../../tools/testing/selftests/sva_sim/sva_utils.h"
#include "../../tools/testing/selftests/kvm_pasid/kvm_pasid_utils.h"

#define GPASID		0x42
#define GPASID_UNBOUND	0x43
#define RAM		(2ULL << 20)
#define QD		0
#define QS		1

static int failed;

/* One line per step: what was done, and whether it did what it should. */
static void step(bool ok, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "   ok: " : "   FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed |= !ok;
}

static const char *status_name(unsigned int s)
{
	static const char *const names[] = {
		"none", "success", "page fault", "address error", "bad PASID",
		"aborted", "invalid", "batch failed",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

int main(int argc, char **argv)
{
	static const char text[] = "bytes written by the guest's process, moved by its accelerator";
	struct sva_sim_completion *cr1, *cr2, *cr3;
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;
	struct sva_sim_info info;
	struct sva_sim_desc d;
	struct sva_env e;
	struct kp_vm vm;
	__u64 src, dst, page, c1, c2, c3;
	char *src_hva, *dst_hva;
	__u8 *page_hva;
	int kvm_vfio, kp, irq, kick = -1, ret, i;
	long hp;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s <sva_sim mdev UUID>\n", argv[0]);
		return 2;
	}
	if (!kp_have_kvm()) {
		printf("sva_sim example: no /dev/kvm (KVM needs SVM or VMX)\n");
		return 1;
	}
	/* Only for QEMU's TCG: see kp_hold_kvm() */
	kp_hold_kvm();
	memset(&e, 0, sizeof(e));

	printf("[vmm] a KVM VM and its KVM-VFIO device with the accelerator's group\n");
	ret = sva_dev_attach(&e.d, argv[1]);
	step(!ret, "instance %s: IOMMU group %d", argv[1], e.d.group_id);
	if (ret)
		return 1;
	ret = kp_vm_create(&vm, 1);
	step(!ret, "KVM_CREATE_VM: VM fd %d with one vCPU", vm.fd);
	kvm_vfio = ret ? -1 : sva_kvm_vfio_dev(vm.fd);
	step(kvm_vfio >= 0, "KVM_CREATE_DEVICE (KVM_DEV_TYPE_VFIO): fd %d", kvm_vfio);
	if (failed)
		return 1;

	printf("[vmm] container (nested backend), /dev/ioasid, guest RAM, the device fd\n");
	ret = sva_env_open(&e, RAM, kvm_vfio);
	step(!ret, "group in a VFIO_NESTED_IOMMU container, added to the VM's KVM-VFIO device");
	step(!ret, "device fd open%s%s", ret ? ": " : "", ret ? strerror(-ret) : "");
	if (ret)
		return 1;
	step(1, "portal: region at offset 0x%llx, %llu bytes (%u queues), mappable: %s",
	     (unsigned long long)e.d.portal_off, (unsigned long long)e.d.portal_size,
	     e.d.nr_queues, e.d.portal_flags & VFIO_REGION_INFO_FLAG_MMAP ? "yes" : "no");
	for (i = 0; i < (int)e.d.nr_queues; i++) {
		ret = sva_queue_info(e.d.dev, i, &qi);
		step(!ret, "queue %d: %s, %u descriptors", i,
		     qi.mode == SVA_SIM_QUEUE_SHARED ? "shared" : "dedicated", qi.size);
	}
	ret = sva_get_info(e.d.dev, &info);
	step(!ret && (info.out_flags & SVA_SIM_INFO_KVM),
	     "SVA_SIM_GET_INFO: the device has the VM (from the KVM-VFIO device), nested container: %s",
	     info.out_flags & SVA_SIM_INFO_NESTED ? "yes" : "no");
	step(1, "guest RAM: %llu MiB at GPA 0x%llx mapped with VFIO_IOMMU_MAP_DMA (stage 2)",
	     (unsigned long long)(RAM >> 20), (unsigned long long)SVA_RAM_GPA);

	printf("[guest driver -> vmm] the guest allocates PASID %#x and binds its page table\n",
	       GPASID);
	ret = ioasid_attach(e.ioasid, e.pasid, GPASID);
	step(!ret, "IOASID_ALLOC: host PASID %u; IOASID_ATTACH_GPASID: guest %#x -> host %u",
	     e.pasid, GPASID, e.pasid);
	src = sva_buf(&e, 4096, (void **)&src_hva);
	dst = sva_buf(&e, 4096, (void **)&dst_hva);
	page = sva_buf(&e, 4096, (void **)&page_hva);
	c1 = sva_buf(&e, 32, (void **)&cr1);
	c2 = sva_buf(&e, 32, (void **)&cr2);
	c3 = sva_buf(&e, 32, (void **)&cr3);
	step(c3 != 0, "guest page table (root GPA 0x%llx) bound: VFIO_NESTED_BIND_S1",
	     (unsigned long long)e.g.root);
	step(c3 != 0, "it maps the guest's buffers at GVA 0x%llx to 0x%llx",
	     (unsigned long long)src, (unsigned long long)(c3 + 32));

	printf("[vmm] the shared queue in guest-PASID mode: closed until translation is live\n");
	ret = sva_enable(e.d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID);
	step(ret == -ENOTCONN, "SVA_SIM_QUEUE_ENABLE, the VM not attached on %s: %s",
	     KP_DEV, strerror(-ret));
	kp = open(KP_DEV, O_RDWR | O_CLOEXEC);
	ret = kp < 0 ? -errno : kp_attach(kp, vm.fd, e.ioasid);
	hp = ret ? ret : kp_translate(kp, GPASID);
	step(!ret && hp == e.pasid, "KVM_PASID_ATTACH: the VM's table has guest %#x -> host %ld",
	     GPASID, hp);
	ret = sva_enable(e.d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID);
	step(!ret, "SVA_SIM_QUEUE_ENABLE (F_GUEST_PASID): queue %d's portal is open", QS);
	irq = eventfd(0, EFD_CLOEXEC);
	ret = sva_set_irq(e.d.dev, SVA_SIM_IRQ_COMPLETION, QS, irq);
	step(!ret, "VFIO_DEVICE_SET_IRQS: queue %d's completion interrupt -> eventfd %d",
	     QS, irq);
	printf("   (for a real guest: a KVM irqfd)\n");
	if (e.d.portal_flags & VFIO_REGION_INFO_FLAG_MMAP) {
		kick = eventfd(0, EFD_CLOEXEC);
		ret = sva_set_kick(e.d.dev, QS, kick);
		if (!ret)
			ret = sva_portal_map(&e.d);
		step(!ret, "portal page mapped, kick eventfd %d", kick);
		printf("   (for a real guest: the page in its BAR, the kick a KVM ioeventfd)\n");
	}

	printf("[guest] a memmove and a CRC32C with guest PASID %#x, ENQCMD-style\n", GPASID);
	memcpy(src_hva, text, sizeof(text));
	d = sva_desc(SVA_SIM_OP_MEMMOVE, GPASID, sizeof(text), src, dst, c1);
	ret = kick >= 0 ? sva_submit_mapped(&e.d, QS, kick, &d) : sva_submit(&e.d, QS, &d);
	step(!ret, "memmove of %zu bytes, GVA 0x%llx -> 0x%llx, %s: %s", sizeof(text),
	     (unsigned long long)src, (unsigned long long)dst,
	     kick >= 0 ? "mapped slot + kick" : "pwrite", ret ? strerror(-ret) : "accepted");
	d = sva_desc(SVA_SIM_OP_CRC32C, GPASID, sizeof(text), dst, 0, c2);
	d.flags |= SVA_SIM_F_RCI;
	ret = kick >= 0 ? sva_submit_mapped(&e.d, QS, kick, &d) : sva_submit(&e.d, QS, &d);
	step(!ret, "CRC32C of the destination, with a completion interrupt: %s",
	     ret ? strerror(-ret) : "accepted");
	ret = sva_eventfd_wait(irq, SVA_WAIT_MS);
	step(ret > 0, "completion interrupt: eventfd count %d", ret);
	step(sva_wait_cr(cr1, SVA_WAIT_MS) == SVA_SIM_COMP_SUCCESS,
	     "memmove's completion record: %s, %u bytes done", status_name(cr1->status),
	     cr1->bytes_done);
	step(!memcmp(dst_hva, text, sizeof(text)), "destination, guest RAM at GPA 0x%llx:",
	     (unsigned long long)(SVA_RAM_GPA + ((char *)dst_hva - (char *)e.g.ram)));
	printf("       \"%s\"\n", dst_hva);
	step(cr2->status == SVA_SIM_COMP_SUCCESS &&
	     cr2->crc == sva_crc32c(0, text, sizeof(text)),
	     "CRC32C's completion record: %s, crc 0x%08x (the CPU's: 0x%08x)",
	     status_name(cr2->status), cr2->crc, sva_crc32c(0, text, sizeof(text)));

	d = sva_desc(SVA_SIM_OP_FILL, GPASID_UNBOUND, 4096, 0, page, c3);
	ret = sva_submit(&e.d, QS, &d);
	usleep(20000);
	step(ret == -EACCES && !cr3->status && !page_hva[0],
	     "guest PASID %#x, which the VMM never bound: not accepted (%s), never executed",
	     GPASID_UNBOUND, strerror(-ret));

	printf("[vmm] the dedicated queue, given the guest's PASID by its guest number\n");
	ret = sva_set_pasid(e.d.dev, QD, SVA_SIM_PASID_GUEST, GPASID);
	if (!ret)
		ret = sva_enable(e.d.dev, QD, 0);
	ret = ret ? ret : sva_queue_info(e.d.dev, QD, &qi);
	step(!ret && qi.host_pasid == e.pasid,
	     "SVA_SIM_QUEUE_SET_PASID (SVA_SIM_PASID_GUEST %#x): executes with host PASID %u; enabled",
	     GPASID, qi.host_pasid);
	d = sva_desc(SVA_SIM_OP_FILL, GPASID, 4096, 0, page, c3);
	d.pattern = 0x2e2e2e2e2e2e2e2eULL;
	ret = sva_submit(&e.d, QD, &d);
	if (!ret)
		sva_wait_cr(cr3, SVA_WAIT_MS);
	step(!ret && cr3->status == SVA_SIM_COMP_SUCCESS &&
	     page_hva[0] == 0x2e && page_hva[4095] == 0x2e,
	     "fill of a page with '.' (pwrite): %s, %u bytes", status_name(cr3->status),
	     cr3->bytes_done);

	ret = sva_stats(e.d.dev, SVA_SIM_ALL_QUEUES, &st);
	step(!ret, "SVA_SIM_GET_STATS: %llu submitted, %llu accepted, %llu refused, %llu done,",
	     (unsigned long long)st.submitted, (unsigned long long)st.accepted,
	     (unsigned long long)st.refused, (unsigned long long)st.completed);
	printf("       %llu bytes, %llu interrupts\n", (unsigned long long)st.bytes,
	       (unsigned long long)st.irqs);

	printf("[vmm] teardown: device reset, fds closed\n");
	ret = ioctl(e.d.dev, VFIO_DEVICE_RESET) ? -errno : 0;
	step(!ret, "VFIO_DEVICE_RESET: portals closed, nothing in flight");
	e.d.uuid.s[0] = 0;	/* the admin removes the instance */
	sva_env_teardown(&e);
	close(kp);
	close(irq);
	if (kick >= 0)
		close(kick);
	close(kvm_vfio);
	kp_vm_destroy(&vm);
	printf("sva_sim example: %s\n", failed ? "FAILED" : "OK");
	return failed;
}
