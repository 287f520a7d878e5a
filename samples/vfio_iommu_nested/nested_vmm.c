// SPDX-License-Identifier: GPL-2.0
/*
 * nested_vmm: what a VMM does with vfio_iommu_nested to give its guest
 * Shared Virtual Addressing (flow 1 of the design: vSVA).
 *
 *   nested_vmm [--edu] [<pasid-device-mdev-uuid>]
 *
 * The VMM allocates a PASID for the guest through /dev/ioasid, opens a VFIO
 * container with the nested IOMMU backend, ties the container to its
 * /dev/ioasid file, and maps guest RAM (stage 2: GPA to host memory). With
 * --edu a passthrough PCI device (QEMU's edu, bound to vfio-pci, behind the
 * host's VT-d) shares the container and copies guest memory by GPA through
 * stage 2. Then the guest, played by this program in the guest RAM it
 * owns, builds an x86-64 page table for its process and the VMM binds it
 * for the PASID (stage 1: guest virtual address to GPA). With a PASID
 * device (an mdev of vfio_nested_testdev, the test device standing in for a
 * PASID-capable accelerator until sva_sim exists; its DMA is issued with
 * the test-only VFIO_NESTED_TEST_DMA) DMA by PASID lands where the guest's
 * table says, a remap is seen only after the guest's invalidation is passed
 * through, and a DMA to a page the guest has not mapped yet raises a page
 * request on the fault fd, which the VMM hands to the guest and answers
 * with a page response once the guest mapped the page: the DMA completes.
 *
 * Every step prints what it achieved. Exits 0 when every step behaved as
 * expected, 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include <linux/ioasid.h>
#include <linux/vfio_iommu_nested.h>

#define PAGE		4096ULL
#define RAM_GPA		0x0ULL		/* guest RAM at GPA 0 ... */
#define RAM_SIZE	(16ULL << 20)	/* ... 16 MiB of it */
#define GVA_BUF		0x00007f2a00000000ULL	/* the guest process's buffers */
#define GVA_LATE	0x00007f2a00400000ULL	/* mapped only on demand */

#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* x86-64 page-table entry bits */
#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_ADDR	0x000ffffffffff000ULL

/* QEMU's edu device */
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000

#define die(fmt, ...) do {						\
		fprintf(stderr, "FAIL: " fmt "\n", ##__VA_ARGS__);	\
		exit(1);						\
	} while (0)

static int container, ioasid_fd;
static __u8 *ram;		/* guest RAM, as the VMM maps it */
static __u64 ram_next = 0x100000;	/* the guest's page allocator (GPA) */
static __u64 root;		/* GPA of the guest's PML4 */

/*
 * One line of the story: who did what. "who" is the VMM, the guest (whose
 * kernel this program plays in guest RAM), a device, or "" for a line
 * continuing the previous one.
 */
static void step(const char *who, const char *fmt, ...)
{
	va_list ap;

	printf(*who ? "[%s] " : "%s         ", who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* VmLck: what MAP_DMA's pinning charged to RLIMIT_MEMLOCK (locked_vm) */
static long vmlck_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ---- guest memory and the guest's page table ----------------------------- */

static void *hva(__u64 gpa)
{
	return ram + (gpa - RAM_GPA);
}

static __u64 guest_alloc_page(void)
{
	__u64 gpa = ram_next;

	ram_next += PAGE;
	memset(hva(gpa), 0, PAGE);
	return gpa;
}

/* The guest's PTE of @gva (4 KiB page), making the tables above it. */
static __u64 *guest_pte(__u64 gva)
{
	__u64 table = root, *e;
	int level;

	for (level = 4; level > 1; level--) {
		e = (__u64 *)hva(table) + ((gva >> (12 + 9 * (level - 1))) & 511);
		if (!(*e & PTE_P))
			*e = guest_alloc_page() | PTE_P | PTE_RW | PTE_US;
		table = *e & PTE_ADDR;
	}
	return (__u64 *)hva(table) + ((gva >> 12) & 511);
}

/* ---- the passthrough PCI device: edu behind VT-d ------------------------- */

struct edu {
	char bdf[32];
	int group, dev;
	__u8 *bar;
	size_t bar_size;
};

static int read_hex(const char *path, unsigned int *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%x", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* The admin's part: find edu and bind it to vfio-pci; its group number. */
static int edu_find(struct edu *e)
{
	char path[300], link[256];
	unsigned int v, d;
	struct dirent *de;
	DIR *dir;
	ssize_t n;

	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -1;
	e->bdf[0] = 0;
	while ((de = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.64s/vendor", de->d_name);
		if (read_hex(path, &v) || v != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.64s/device", de->d_name);
		if (!read_hex(path, &d) && d == EDU_DEVICE)
			snprintf(e->bdf, sizeof(e->bdf), "%.31s", de->d_name);
	}
	closedir(dir);
	if (!e->bdf[0])
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", e->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	if (n < 0 || strcmp(strrchr(link, '/'), "/vfio-pci")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
			 e->bdf);
		if (write_str(path, "vfio-pci"))
			return -1;
		if (n >= 0) {
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
				 e->bdf);
			write_str(path, e->bdf);
		}
		write_str("/sys/bus/pci/drivers_probe", e->bdf);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", e->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

static __u64 edu_rd(struct edu *e, unsigned int off)
{
	return __atomic_load_n((__u64 *)(e->bar + off), __ATOMIC_RELAXED);
}

static void edu_wr(struct edu *e, unsigned int off, __u64 v)
{
	__atomic_store_n((__u64 *)(e->bar + off), v, __ATOMIC_RELAXED);
}

/* One edu DMA (at most 4095 bytes: QEMU 7.2's edu aborts on the last byte). */
static void edu_dma(struct edu *e, __u64 src, __u64 dst, __u64 len, bool to_ram)
{
	int i;

	edu_wr(e, EDU_DMA_SRC, src);
	edu_wr(e, EDU_DMA_DST, dst);
	edu_wr(e, EDU_DMA_CNT, len);
	edu_wr(e, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 5000 && (edu_rd(e, EDU_DMA_CMD) & EDU_CMD_RUN); i++)
		usleep(2000);
	if (edu_rd(e, EDU_DMA_CMD) & EDU_CMD_RUN)
		die("edu DMA did not complete");
}

/* The VMM opens the device and plays the guest's edu driver: a copy. */
static void edu_copy_by_gpa(struct edu *e)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg) };
	__u64 src = guest_alloc_page(), dst = guest_alloc_page();
	static const char msg[] = "guest data copied by a passthrough device";
	__u16 cmd;

	e->dev = ioctl(e->group, VFIO_GROUP_GET_DEVICE_FD, e->bdf);
	if (e->dev < 0)
		die("edu device fd: %s", strerror(errno));
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (xioctl(e->dev, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("edu BAR0: %s", strerror(errno));
	e->bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, e->dev,
		      reg.offset);
	if (e->bar == MAP_FAILED)
		die("edu BAR0 mmap: %s", strerror(errno));
	e->bar_size = reg.size;
	cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (xioctl(e->dev, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    pread(e->dev, &cmd, 2, cfg.offset + 4) != 2)
		die("edu config space: %s", strerror(errno));
	cmd |= 0x4;	/* bus master */
	if (pwrite(e->dev, &cmd, 2, cfg.offset + 4) != 2)
		die("edu bus master: %s", strerror(errno));
	step("vmm", "edu %s: device fd open, BAR0 (%llu KiB) mapped, bus master on",
	     e->bdf, (unsigned long long)reg.size >> 10);

	memcpy(hva(src), msg, sizeof(msg));
	edu_dma(e, src, EDU_BUF, sizeof(msg), false);
	edu_dma(e, EDU_BUF, dst, sizeof(msg), true);
	if (memcmp(hva(dst), msg, sizeof(msg)))
		die("edu's copy did not land at GPA %#llx", (unsigned long long)dst);
	step("device", "edu read GPA %#llx and wrote GPA %#llx (%zu bytes, no PASID)",
	     (unsigned long long)src, (unsigned long long)dst, sizeof(msg));
	step("", "the host's VT-d translated both through the container's stage 2");
}

/* ---- the PASID device: the test device's DMA ------------------------------ */

static int dev_id;		/* the PASID device, by its group number */
static __u32 pasid;

struct dma {
	__u64 gva;
	void *buf;
	__u64 len;
	bool write;
	int ret;
	struct vfio_nested_test_dma out;
};

static int pasid_dma(struct dma *d)
{
	d->out = (struct vfio_nested_test_dma) {
		.size = sizeof(d->out),
		.flags = d->write ? VFIO_NESTED_DMA_WRITE : 0,
		.dev_id = dev_id,
		.pasid = pasid,
		.iova = d->gva,
		.length = d->len,
		.uptr = (uintptr_t)d->buf,
	};
	d->ret = xioctl(container, VFIO_NESTED_TEST_DMA, &d->out);
	return d->ret;
}

static void *dma_thread(void *arg)
{
	pasid_dma(arg);
	return NULL;
}

static void invalidate_page(__u64 gva)
{
	struct vfio_nested_inv_entry e = {
		.type = VFIO_NESTED_INV_ADDR,
		.pasid = pasid,
		.granule = 12,
		.addr = gva,
		.npages = 1,
	};
	struct vfio_nested_invalidate inv = {
		.argsz = sizeof(inv),
		.entry_len = sizeof(e),
		.entry_num = 1,
		.entries = (uintptr_t)&e,
	};

	if (xioctl(container, VFIO_NESTED_INVALIDATE, &inv))
		die("INVALIDATE: %s (%u handled)", strerror(errno), inv.entry_num);
}

static const char *reason_name(__u32 r)
{
	static const char * const names[] = {
		"unknown", "stage-1 entry not present", "write to a read-only page",
		"privilege", "execute", "reserved bit", "address",
		"stage 2 during the walk", "stage 2", "no stage 1",
	};

	return r < ARRAY_SIZE(names) ? names[r] : "?";
}

/* Steps 6 to 9: DMA by PASID, a remap, a page request. */
static void pasid_flow(void)
{
	struct vfio_nested_fault_fd ffd = { .size = sizeof(ffd) };
	struct vfio_nested_page_response resp = { .size = sizeof(resp) };
	__u64 page_a = guest_alloc_page(), page_b = guest_alloc_page();
	char msg[64], got[64];
	struct vfio_nested_fault rec;
	struct pollfd pfd;
	pthread_t thread;
	struct dma d;
	__u64 page_c;
	int fault_fd;

	/* the guest process's buffer at GVA_BUF is guest page A */
	*guest_pte(GVA_BUF) = page_a | PTE_P | PTE_RW | PTE_US;
	snprintf(msg, sizeof(msg), "written by the device with PASID %u", pasid);
	d = (struct dma){ .gva = GVA_BUF, .buf = msg, .len = sizeof(msg), .write = true };
	if (pasid_dma(&d))
		die("DMA by PASID: %s (status %u)", strerror(-d.ret), d.out.out_status);
	if (memcmp(hva(page_a), msg, sizeof(msg)))
		die("the DMA did not land in guest page A");
	step("device", "DMA write of %zu bytes with PASID %u to GVA %#llx",
	     sizeof(msg), pasid, (unsigned long long)GVA_BUF);
	step("", "landed in guest page A (GPA %#llx): stage 1, then stage 2",
	     (unsigned long long)page_a);
	step("guest", "its PTE has accessed %s, dirty %s: set by the IOMMU's walk",
	     *guest_pte(GVA_BUF) & PTE_A ? "set" : "clear",
	     *guest_pte(GVA_BUF) & PTE_D ? "set" : "clear");

	/* the guest moves its buffer to page B; the IOTLB keeps A until told */
	*guest_pte(GVA_BUF) = page_b | PTE_P | PTE_RW | PTE_US;
	step("guest", "remaps GVA %#llx to guest page B (GPA %#llx) in its page table",
	     (unsigned long long)GVA_BUF, (unsigned long long)page_b);
	memset(got, 0, sizeof(got));
	d = (struct dma){ .gva = GVA_BUF, .buf = got, .len = sizeof(got) };
	if (pasid_dma(&d) || memcmp(got, msg, sizeof(msg)))
		die("DMA read before the invalidation did not see page A");
	step("device", "DMA read of GVA %#llx before any invalidation: page A's bytes",
	     (unsigned long long)GVA_BUF);
	step("", "the IOTLB keeps the old translation, as caching-mode hardware does");
	invalidate_page(GVA_BUF);
	step("guest", "invalidates the page in its vIOMMU (one 4 KiB granule)");
	step("vmm", "passes it on: VFIO_NESTED_INVALIDATE PASID %u, address %#llx",
	     pasid, (unsigned long long)GVA_BUF);
	snprintf(msg, sizeof(msg), "after the invalidation, with PASID %u", pasid);
	d = (struct dma){ .gva = GVA_BUF, .buf = msg, .len = sizeof(msg), .write = true };
	if (pasid_dma(&d) || memcmp(hva(page_b), msg, sizeof(msg)))
		die("DMA after the invalidation did not land in page B");
	step("device", "DMA write to GVA %#llx: landed in guest page B now",
	     (unsigned long long)GVA_BUF);

	/* I/O page fault: a page the guest has not mapped yet */
	fault_fd = ioctl(container, VFIO_NESTED_GET_FAULT_FD, &ffd);
	if (fault_fd < 0)
		die("VFIO_NESTED_GET_FAULT_FD: %s", strerror(errno));
	step("vmm", "VFIO_NESTED_GET_FAULT_FD: fd %d, polled with the VMM's events",
	     fault_fd);
	snprintf(msg, sizeof(msg), "written once the guest mapped the page");
	d = (struct dma){ .gva = GVA_LATE, .buf = msg, .len = sizeof(msg), .write = true };
	if (pthread_create(&thread, NULL, dma_thread, &d))
		die("thread");
	step("device", "DMA write with PASID %u to GVA %#llx, not mapped by the guest",
	     pasid, (unsigned long long)GVA_LATE);
	pfd = (struct pollfd){ .fd = fault_fd, .events = POLLIN };
	if (poll(&pfd, 1, 20000) != 1)
		die("no page request within 20 s");
	if (read(fault_fd, &rec, sizeof(rec)) != sizeof(rec))
		die("reading the fault record: %s", strerror(errno));
	if (rec.kind != VFIO_NESTED_FAULT_PAGE_REQ)
		die("record of kind %u, not a page request", rec.kind);
	step("vmm", "fault fd readable: page request, PASID %u, address %#llx, %s%s",
	     rec.pasid, (unsigned long long)rec.addr,
	     rec.perm & VFIO_NESTED_FAULT_PERM_WRITE ? "write" : "read",
	     rec.perm & VFIO_NESTED_FAULT_PERM_PRIV ? " privileged" : "");
	step("", "reason: %s; group %u%s", reason_name(rec.reason), rec.grpid,
	     rec.flags & VFIO_NESTED_FAULT_LAST_PAGE ? ", its last page" : "");
	step("vmm", "injects it into the guest's page request queue; the DMA waits");
	page_c = guest_alloc_page();
	*guest_pte(GVA_LATE) = page_c | PTE_P | PTE_RW | PTE_US;
	step("guest", "its fault handler maps GVA %#llx to guest page C (GPA %#llx)",
	     (unsigned long long)GVA_LATE, (unsigned long long)page_c);
	step("guest", "and answers the page request: success");
	resp.cookie = rec.cookie;
	resp.code = VFIO_NESTED_PAGE_RESP_SUCCESS;
	if (write(fault_fd, &resp, sizeof(resp)) != sizeof(resp))
		die("page response: %s", strerror(errno));
	step("vmm", "writes the page response (success, cookie %u) to the fault fd",
	     rec.cookie);
	pthread_join(thread, NULL);
	if (d.ret || d.out.out_status != VFIO_NESTED_DMA_OK)
		die("the DMA after the page response: %s (status %u)", strerror(-d.ret),
		    d.out.out_status);
	if (memcmp(hva(page_c), msg, sizeof(msg)))
		die("the retried DMA did not land in page C");
	step("device", "the DMA was retried and completed: %llu bytes in guest page C",
	     (unsigned long long)d.out.out_done);
	step("", "(%u page request on its way)", d.out.out_page_requests);
	close(fault_fd);
}

/* ---- the VMM -------------------------------------------------------------- */

static void bad_args(const char *argv0)
{
	fprintf(stderr, "usage: %s [--edu] [pasid-device-mdev-uuid]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_nested_ioasid_fd tie = { .size = sizeof(tie) };
	struct vfio_nested_bind_s1 bind = { .size = sizeof(bind) };
	struct vfio_nested_unbind_s1 unbind = { .size = sizeof(unbind) };
	struct vfio_nested_caps caps = { .size = sizeof(caps) };
	struct ioasid_alloc alloc = { .size = sizeof(alloc) };
	struct ioasid_free fr = { .size = sizeof(fr) };
	struct edu e = { .group = -1, .dev = -1 };
	const char *uuid = NULL;
	int pgroup = -1, pdev = -1, i;
	bool with_edu = false;
	char path[128], link[256];
	ssize_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--edu"))
			with_edu = true;
		else if (argv[i][0] == '-' || uuid)
			bad_args(argv[0]);
		else
			uuid = argv[i];
	}
	if (!with_edu && !uuid)
		bad_args(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* 1. a PASID for the guest */
	ioasid_fd = open("/dev/ioasid", O_RDWR);
	if (ioasid_fd < 0)
		die("/dev/ioasid: %s (is pvm_ioasid loaded?)", strerror(errno));
	if (xioctl(ioasid_fd, IOASID_ALLOC, &alloc))
		die("IOASID_ALLOC: %s", strerror(errno));
	pasid = alloc.out_pasid;
	step("guest", "asks its vIOMMU for a PASID (VT-d virtual command)");
	step("vmm", "/dev/ioasid allocated host PASID %u for this VM", pasid);

	/* 2. the container with the nested backend, the devices' groups in it */
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NESTED_IOMMU) != 1)
		die("VFIO_NESTED_IOMMU not offered (is vfio_iommu_nested loaded?)");
	step("vmm", "VFIO container open; VFIO_CHECK_EXTENSION(VFIO_NESTED_IOMMU): yes");
	if (with_edu) {
		int g = edu_find(&e);

		if (g < 0)
			die("no edu device bound to vfio-pci");
		snprintf(path, sizeof(path), "/dev/vfio/%d", g);
		e.group = open(path, O_RDWR);
		if (e.group < 0 || xioctl(e.group, VFIO_GROUP_SET_CONTAINER, &container))
			die("edu's group %d: %s", g, strerror(errno));
		step("vmm", "passthrough PCI device edu %s (vfio-pci, behind VT-d)", e.bdf);
		step("", "its group %d added to the container", g);
	}
	if (uuid) {
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		link[n] = 0;
		dev_id = atoi(strrchr(link, '/') + 1);
		snprintf(path, sizeof(path), "/dev/vfio/%d", dev_id);
		pgroup = open(path, O_RDWR);
		if (pgroup < 0 || xioctl(pgroup, VFIO_GROUP_SET_CONTAINER, &container))
			die("PASID device's group %d: %s", dev_id, strerror(errno));
		step("vmm", "PASID device %s (an mdev), emulated IOMMU group %d", uuid, dev_id);
		step("", "added to the container");
	}
	if (xioctl(container, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_NESTED_IOMMU))
		die("VFIO_SET_IOMMU: %s", strerror(errno));
	if (xioctl(container, VFIO_NESTED_GET_CAPS, &caps))
		die("VFIO_NESTED_GET_CAPS: %s", strerror(errno));
	step("vmm", "VFIO_SET_IOMMU(VFIO_NESTED_IOMMU); VFIO_NESTED_GET_CAPS says:");
	step("", "PASIDs of %u bits; stage-1 formats:%s%s; page sizes:%s%s%s",
	     caps.pasid_bits,
	     caps.formats & BIT_ULL(VFIO_NESTED_S1_FMT_X86_64_4L) ? " x86-64 4-level" : "",
	     caps.formats & BIT_ULL(VFIO_NESTED_S1_FMT_X86_64_5L) ? " x86-64 5-level" : "",
	     caps.pgsizes & PAGE ? " 4K" : "", caps.pgsizes & (2ULL << 20) ? " 2M" : "",
	     caps.pgsizes & (1ULL << 30) ? " 1G" : "");
	step("", "IOTLB of %u entries per PASID; fault queue of %u",
	     caps.iotlb_entries, caps.fault_depth);

	/* 3. the container belongs to this VMM's /dev/ioasid file */
	tie.fd = ioasid_fd;
	if (xioctl(container, VFIO_NESTED_SET_IOASID_FD, &tie))
		die("VFIO_NESTED_SET_IOASID_FD: %s", strerror(errno));
	step("vmm", "VFIO_NESTED_SET_IOASID_FD: the container is tied to this VM's file:");
	step("", "it binds the PASIDs that /dev/ioasid file owns, and no other");

	/* 4. guest RAM: stage 2 */
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("guest RAM: %s", strerror(errno));
	map.vaddr = (uintptr_t)ram;
	map.iova = RAM_GPA;
	map.size = RAM_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	if (xioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
	step("vmm", "guest RAM mapped (stage 2): GPA 0x%llx-0x%llx",
	     (unsigned long long)RAM_GPA, (unsigned long long)(RAM_GPA + RAM_SIZE - 1));
	step("", "%llu MiB pinned, charged to RLIMIT_MEMLOCK (VmLck %ld kB)",
	     (unsigned long long)RAM_SIZE >> 20,
	     vmlck_kb());
	if (with_edu)
		edu_copy_by_gpa(&e);

	if (uuid) {
		/* 5. the guest's page table, bound for the PASID: stage 1 */
		root = guest_alloc_page();
		step("guest", "builds an x86-64 4-level page table for a process");
		step("", "its PML4 at GPA %#llx", (unsigned long long)root);
		bind.pasid = pasid;
		bind.format = VFIO_NESTED_S1_FMT_X86_64_4L;
		bind.addr_width = 0;
		bind.s1_flags = VFIO_NESTED_S1_F_NXE;
		bind.root_gpa = root;
		if (xioctl(container, VFIO_NESTED_BIND_S1, &bind))
			die("VFIO_NESTED_BIND_S1: %s", strerror(errno));
		step("guest", "programs its vIOMMU's PASID entry %u with that table", pasid);
		step("vmm", "VFIO_NESTED_BIND_S1: PASID %u, x86-64 4-level, root GPA %#llx",
		     pasid, (unsigned long long)root);
		pdev = ioctl(pgroup, VFIO_GROUP_GET_DEVICE_FD, uuid);
		if (pdev < 0)
			die("PASID device fd: %s", strerror(errno));
		step("vmm", "PASID device fd open: the device issues DMA in this container");
		pasid_flow();

		/* 10. tear down the PASID */
		unbind.pasid = pasid;
		if (xioctl(container, VFIO_NESTED_UNBIND_S1, &unbind))
			die("VFIO_NESTED_UNBIND_S1: %s", strerror(errno));
		step("vmm", "VFIO_NESTED_UNBIND_S1 PASID %u: the guest's table is unused now",
		     pasid);
		close(pdev);
	}
	fr.pasid = pasid;
	if (xioctl(ioasid_fd, IOASID_FREE, &fr))
		die("IOASID_FREE: %s", strerror(errno));
	step("vmm", "IOASID_FREE: PASID %u back to the host", pasid);
	unmap.iova = 0;
	unmap.size = 0;
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	if (xioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		die("VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
	step("vmm", "VFIO_IOMMU_UNMAP_DMA(all): %llu MiB unmapped and unpinned (VmLck %ld kB)",
	     (unsigned long long)unmap.size >> 20, vmlck_kb());
	if (e.bar)
		munmap(e.bar, e.bar_size);
	if (e.dev >= 0)
		close(e.dev);
	if (e.group >= 0)
		close(e.group);
	if (pgroup >= 0)
		close(pgroup);
	close(container);
	close(ioasid_fd);
	printf("vfio_iommu_nested example: OK\n");
	return 0;
}
