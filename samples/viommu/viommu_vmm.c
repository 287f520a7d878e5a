// SPDX-License-Identifier: GPL-2.0
/*
 * viommu_vmm: what a VMM does with pvm_viommu to give its guest an AMD
 * IOMMU whose command buffer and event log are served without the VMM
 * (flow 4 of the design: the hardware-assisted vIOMMU).
 *
 *   viommu_vmm <pasid-device-mdev-uuid>
 *
 * The VMM puts the device (an mdev of vfio_nested_testdev, the test device
 * standing in for a PASID-capable device; its DMA is issued with the
 * test-only VFIO_NESTED_TEST_DMA) in a nested VFIO container, maps guest
 * RAM (stage 2), gives the guest a PASID through /dev/ioasid, creates a
 * vIOMMU on the container and fills its device-ID and domain-ID tables,
 * and maps the vIOMMU's head/tail page where the guest's IOMMU MMIO page
 * 2 would be. The guest's IOMMU driver, played by this program in the
 * guest RAM it owns, registers its device table, command buffer and event
 * log (the VMM forwards the trapped register writes), writes a device
 * table entry and a GCR3 table naming its page table for its PASID, puts
 * INVALIDATE_DEVTAB_ENTRY and COMPLETION_WAIT into its command buffer and
 * moves the tail: the kernel consumes the ring (the VMM only signals the
 * doorbell eventfd) and DMA by the guest's PASID lands where the guest's
 * table says. A DMA the guest's table forbids ends up, as an IO_PAGE_FAULT
 * with the guest's own device ID and PASID, in the guest's event log, and
 * the event log interrupt reaches the VMM's eventfd.
 *
 * Every step prints what it achieved. Exits 0 when every step behaved as
 * expected, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include <linux/ioasid.h>
#include <linux/pvm_viommu.h>
#include <linux/vfio_iommu_nested.h>

#define PAGE		4096ULL
#define RAM_GPA		0x100000000ULL	/* guest RAM at 4 GiB ... */
#define RAM_SIZE	(4ULL << 20)	/* ... 4 MiB of it */
/* guest RAM layout (offsets): the IOMMU driver's structures, then pages */
#define OFF_DEVTAB	0x00000		/* 1 page: device IDs 0 to 127 */
#define OFF_CMDBUF	0x01000		/* 256 commands */
#define OFF_EVTLOG	0x02000		/* 256 events */
#define OFF_CWSTORE	0x03000		/* COMPLETION_WAIT's store word */
#define OFF_GCR3	0x04000
#define OFF_PT		0x05000		/* PML4, PDPT, PD, PT: 4 pages */
#define OFF_DATA	0x09000		/* the process's buffer */
#define OFF_KDATA	0x0a000		/* a kernel (supervisor) page */
#define GVA_BUF		0x00007f2a00000000ULL
#define GVA_KERNEL	0x00007f2a00001000ULL

#define GUEST_BDF	0x0018		/* 00:03.0 as the guest sees it */
#define GUEST_DOMAIN	1
#define GUEST_PASID	1

#define die(fmt, ...) do {						\
		fprintf(stderr, "FAIL: " fmt "\n", ##__VA_ARGS__);	\
		exit(1);						\
	} while (0)

static __u8 *ram;		/* guest RAM, as the VMM maps it */
static int viommu;

static void say(const char *who, const char *fmt, ...);

static void say(const char *who, const char *fmt, ...)
{
	va_list ap;

	printf("[%s] ", who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static __u64 *q64(__u64 off)
{
	return (__u64 *)(ram + off);
}

/*
 * The guest's accesses to its head/tail registers: plain loads and stores
 * to the page (ordered, as the guest's MMIO accesses are).
 */
static __u64 mmio_read(__u64 *page, __u32 reg)
{
	return __atomic_load_n(page + (reg - PVM_VIOMMU_MMIO_PAGE2) / 8,
			       __ATOMIC_ACQUIRE);
}

static void mmio_write(__u64 *page, __u32 reg, __u64 val)
{
	__atomic_store_n(page + (reg - PVM_VIOMMU_MMIO_PAGE2) / 8, val,
			 __ATOMIC_RELEASE);
}

/* The COMPLETION_WAIT store word, which the IOMMU writes. */
static __u64 cw_word(void)
{
	return __atomic_load_n(q64(OFF_CWSTORE), __ATOMIC_ACQUIRE);
}

/* The VMM forwards a trapped guest write to the IOMMU's control page. */
static void reg_write(__u32 offset, __u64 value)
{
	struct pvm_viommu_reg r = {
		.argsz = sizeof(r), .offset = offset, .value = value,
	};

	if (ioctl(viommu, PVM_VIOMMU_REG_WRITE, &r))
		die("PVM_VIOMMU_REG_WRITE 0x%x: %s", offset, strerror(errno));
}

static __u64 reg_read(__u32 offset)
{
	struct pvm_viommu_reg r = { .argsz = sizeof(r), .offset = offset };

	if (ioctl(viommu, PVM_VIOMMU_REG_READ, &r))
		die("PVM_VIOMMU_REG_READ 0x%x: %s", offset, strerror(errno));
	return r.value;
}

/* The guest's x86-64 table: GVA -> GPA of guest RAM at offset @off. */
static void guest_map(__u64 gva, __u64 off, __u64 bits)
{
	__u64 table = OFF_PT;
	int level, i;

	for (level = 4, i = 1; level > 1; level--, i++) {
		__u64 *e = q64(table) + ((gva >> (12 + 9 * (level - 1))) & 511);

		*e = (RAM_GPA + OFF_PT + i * PAGE) | 0x7;	/* P, RW, US */
		table = OFF_PT + i * PAGE;
	}
	q64(table)[(gva >> 12) & 511] = (RAM_GPA + off) | bits;
}

/* A DMA of the device with the guest's PASID; the DMA's status. */
static __u32 device_dma(int container, int group_id, __u64 gva, void *buf,
			__u64 len, bool write)
{
	struct vfio_nested_test_dma d = {
		.size = sizeof(d),
		.flags = VFIO_NESTED_PASID_GUEST |
			 (write ? VFIO_NESTED_DMA_WRITE : 0),
		.dev_id = group_id,
		.pasid = GUEST_PASID,
		.iova = gva,
		.length = len,
		.uptr = (uintptr_t)buf,
	};

	ioctl(container, VFIO_NESTED_TEST_DMA, &d);
	return d.out_status;
}

int main(int argc, char **argv)
{
	struct vfio_group_status gst = { .argsz = sizeof(gst) };
	struct pvm_viommu_create cr = { .argsz = sizeof(cr) };
	struct pvm_viommu_device dev = { .argsz = sizeof(dev) };
	struct pvm_viommu_domain dom = { .argsz = sizeof(dom) };
	struct pvm_viommu_eventfd ev = { .argsz = sizeof(ev) };
	struct pvm_viommu_stats st = { .argsz = sizeof(st) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct ioasid_alloc al = { .size = sizeof(al) };
	struct ioasid_gpasid at = { .size = sizeof(at) };
	struct vfio_nested_ioasid_fd iof = { .size = sizeof(iof) };
	int container, group, device, ioasid, doorbell, irq, group_id, i;
	char path[256], link[256], msg[32] = "hello from the device";
	__u64 *mmio;
	__u64 cmd[4], e[2], n;
	struct pollfd pfd;
	__u32 status, head, tail;
	ssize_t len;

	if (argc != 2)
		die("usage: %s <mdev-uuid>", argv[0]);

	/* ---- the VMM: the VM's container, RAM, PASID ---- */
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 argv[1]);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		die("%s: %s", path, strerror(errno));
	link[len] = 0;
	group_id = atoi(strrchr(link, '/') + 1);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0 ||
	    ioctl(group, VFIO_GROUP_GET_STATUS, &gst) ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_NESTED_IOMMU))
		die("nested container: %s", strerror(errno));
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (device < 0)
		die("device fd: %s", strerror(errno));
	say("vmm", "device %s (IOMMU group %d) in a VFIO_NESTED_IOMMU container",
	    argv[1], group_id);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)ram;
	map.iova = RAM_GPA;
	map.size = RAM_SIZE;
	if (ram == MAP_FAILED || ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		die("guest RAM: %s", strerror(errno));
	say("vmm", "guest RAM: %llu MiB at GPA 0x%llx (stage 2)",
	    RAM_SIZE >> 20, RAM_GPA);
	ioasid = open("/dev/ioasid", O_RDWR);
	if (ioasid < 0 || ioctl(ioasid, IOASID_ALLOC, &al))
		die("/dev/ioasid: %s", strerror(errno));
	at.pasid = al.out_pasid;
	at.gpasid = GUEST_PASID;
	iof.fd = ioasid;
	if (ioctl(ioasid, IOASID_ATTACH_GPASID, &at) ||
	    ioctl(container, VFIO_NESTED_SET_IOASID_FD, &iof))
		die("guest PASID: %s", strerror(errno));
	say("vmm", "host PASID %u given to the guest as its PASID %u",
	    al.out_pasid, GUEST_PASID);

	/* ---- the VMM: the vIOMMU and its tables ---- */
	viommu = open("/dev/pvm_viommu", O_RDWR);
	cr.container_fd = container;
	if (viommu < 0 || ioctl(viommu, PVM_VIOMMU_CREATE, &cr))
		die("PVM_VIOMMU_CREATE: %s", strerror(errno));
	dev.guest_devid = GUEST_BDF;
	dev.device_fd = device;
	dom.guest_domid = GUEST_DOMAIN;
	dom.host_domid = 1;
	if (ioctl(viommu, PVM_VIOMMU_SET_DEVICE, &dev) ||
	    ioctl(viommu, PVM_VIOMMU_SET_DOMAIN, &dom))
		die("ID tables: %s", strerror(errno));
	say("vmm", "vIOMMU 0 created; device-ID table: guest 00:03.0 -> group %d;"
	    " domain-ID table: guest domain %d -> host domain 1", group_id,
	    GUEST_DOMAIN);
	mmio = mmap(NULL, PVM_VIOMMU_MMAP_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, viommu, PVM_VIOMMU_MMAP_OFFSET);
	if (mmio == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	doorbell = eventfd(0, 0);
	irq = eventfd(0, EFD_NONBLOCK);
	ev.index = PVM_VIOMMU_EVENTFD_DOORBELL;
	ev.fd = doorbell;
	if (ioctl(viommu, PVM_VIOMMU_SET_EVENTFD, &ev))
		die("doorbell eventfd: %s", strerror(errno));
	ev.index = PVM_VIOMMU_EVENTFD_EVT;
	ev.fd = irq;
	if (ioctl(viommu, PVM_VIOMMU_SET_EVENTFD, &ev))
		die("event eventfd: %s", strerror(errno));
	say("vmm", "head/tail page mapped (the guest's MMIO + 0x2000, no trap);"
	    " eventfds: doorbell in, event-log interrupt out");

	/* ---- the guest's IOMMU driver: structures, enable ---- */
	reg_write(PVM_VIOMMU_MMIO_DEV_TABLE_BASE, RAM_GPA + OFF_DEVTAB);
	reg_write(PVM_VIOMMU_MMIO_CMD_BASE,
		  (RAM_GPA + OFF_CMDBUF) | 8ULL << PVM_VIOMMU_BASE_LEN_SHIFT);
	reg_write(PVM_VIOMMU_MMIO_EVT_BASE,
		  (RAM_GPA + OFF_EVTLOG) | 8ULL << PVM_VIOMMU_BASE_LEN_SHIFT);
	reg_write(PVM_VIOMMU_MMIO_CONTROL, PVM_VIOMMU_CTRL_IOMMU_EN |
		  PVM_VIOMMU_CTRL_EVT_LOG_EN | PVM_VIOMMU_CTRL_EVT_INT_EN |
		  PVM_VIOMMU_CTRL_CMDBUF_EN | PVM_VIOMMU_CTRL_GT_EN);
	say("guest", "device table, command buffer and event log registered");
	say("guest", "IOMMU enabled; status 0x%llx",
	    (unsigned long long)reg_read(PVM_VIOMMU_MMIO_STATUS));

	/* its process's page table, GCR3 table and the device's entry */
	guest_map(GVA_BUF, OFF_DATA, 0x7);			/* P RW US */
	guest_map(GVA_KERNEL, OFF_KDATA, 0x3);			/* P RW */
	q64(OFF_GCR3)[GUEST_PASID] = (RAM_GPA + OFF_PT) | 1;
	q64(OFF_DEVTAB)[GUEST_BDF * 4 + 0] =
		1 | 2 | 1ULL << 52 | 1ULL << 55 |		/* V TV PPR GV */
		((RAM_GPA + OFF_GCR3) >> 12 & 7) << 58;
	q64(OFF_DEVTAB)[GUEST_BDF * 4 + 1] = GUEST_DOMAIN |
		((RAM_GPA + OFF_GCR3) >> 15 & 0xffff) << 16 |
		((RAM_GPA + OFF_GCR3) >> 31 & 0x1fffff) << 43;
	say("guest", "device table entry of 00:03.0: domain %d, GCR3 table 0x%llx",
	    GUEST_DOMAIN, RAM_GPA + OFF_GCR3);
	say("guest", "GCR3 entry of PASID %d: its page table at 0x%llx",
	    GUEST_PASID, RAM_GPA + OFF_PT);

	/* INVALIDATE_DEVTAB_ENTRY(00:03.0), COMPLETION_WAIT(store 0x600d) */
	cmd[0] = GUEST_BDF | (__u64)PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY << 60;
	cmd[1] = 0;
	cmd[2] = ((RAM_GPA + OFF_CWSTORE) & 0x000ffffffffffff8ULL) | 1 |
		 (__u64)PVM_VIOMMU_CMD_COMPLETION_WAIT << 60;
	cmd[3] = 0x600d;
	memcpy(ram + OFF_CMDBUF, cmd, sizeof(cmd));
	mmio_write(mmio, PVM_VIOMMU_MMIO_CMD_TAIL, 32);
	say("guest", "INVALIDATE_DEVTAB_ENTRY and COMPLETION_WAIT queued");
	say("guest", "tail moved to 32 by a store to the page (no exit)");
	n = 1;
	if (write(doorbell, &n, 8) != 8)
		die("doorbell: %s", strerror(errno));
	for (i = 0; i < 2000 && cw_word() != 0x600d; i++)
		usleep(1000);
	head = mmio_read(mmio, PVM_VIOMMU_MMIO_CMD_HEAD);
	say("vmm", "doorbell eventfd signalled: the kernel read the ring");
	say("guest", "command head now %u, completion word 0x%llx", head,
	    (unsigned long long)cw_word());
	if (head != 32 || cw_word() != 0x600d)
		die("the ring was not consumed");

	/* the device writes its buffer by PASID */
	status = device_dma(container, group_id, GVA_BUF, msg, sizeof(msg),
			    true);
	say("device", "DMA write of \"%s\" to GVA 0x%llx, PASID %d: %s", msg,
	    GVA_BUF, GUEST_PASID, status ? "failed" : "done");
	say("guest", "its buffer (GPA 0x%llx) holds \"%s\"", RAM_GPA + OFF_DATA,
	    (char *)ram + OFF_DATA);
	if (status || strcmp((char *)ram + OFF_DATA, msg))
		die("the DMA did not land where the guest's table says");

	/* a user-mode DMA to a supervisor page: a fault for the guest */
	status = device_dma(container, group_id, GVA_KERNEL, msg, 8, true);
	say("device", "DMA write to GVA 0x%llx (a supervisor page): %s",
	    GVA_KERNEL, status ? "refused by the translation" : "done?");
	for (i = 0; i < 2000; i++) {
		tail = mmio_read(mmio, PVM_VIOMMU_MMIO_EVT_TAIL);
		if (tail)
			break;
		usleep(1000);
	}
	if (!status || !tail)
		die("no event in the guest's event log");
	/* the interrupt is signalled right after the tail moved */
	n = 0;
	pfd.fd = irq;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1 || read(irq, &n, 8) != 8)
		die("no event-log interrupt");
	say("vmm", "event-log interrupt eventfd: %llu (inject the guest's MSI)",
	    (unsigned long long)n);
	memcpy(e, ram + OFF_EVTLOG, 16);
	mmio_write(mmio, PVM_VIOMMU_MMIO_EVT_HEAD, 16);
	say("guest", "event log entry: code %llu (IO_PAGE_FAULT is 2)",
	    e[0] >> 60);
	say("guest", "  device %02llx:%02llx.%llx, PASID %llu, flags 0x%03llx",
	    (e[0] & 0xffff) >> 8, (e[0] >> 3) & 0x1f, e[0] & 7,
	    ((e[0] >> 32) & 0xffff) | (e[0] & 0xf0000), (e[0] >> 48) & 0xfff);
	say("guest", "  address 0x%llx", (unsigned long long)e[1]);
	if (e[0] >> 60 != PVM_VIOMMU_EVT_IO_PAGE_FAULT ||
	    (e[0] & 0xffff) != GUEST_BDF || e[1] != GVA_KERNEL)
		die("unexpected event");

	if (ioctl(viommu, PVM_VIOMMU_GET_STATS, &st))
		die("stats: %s", strerror(errno));
	say("vmm", "vIOMMU stats: %llu commands in %llu runs, %llu binds",
	    (unsigned long long)st.commands, (unsigned long long)st.runs,
	    (unsigned long long)st.binds);
	say("vmm", "  %llu events, %llu stops", (unsigned long long)st.events,
	    (unsigned long long)st.stops);
	close(viommu);
	close(device);
	close(group);
	close(container);
	close(ioasid);
	say("vmm", "vIOMMU, device, container and /dev/ioasid closed");
	return 0;
}
