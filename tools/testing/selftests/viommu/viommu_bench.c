// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu benchmark (not a test); tools/testing/vm/bench.d/60-viommu.sh
 * runs it and turns its samples into medians and ratios.
 *
 *   viommu_bench <rounds> <seconds> <fault samples>
 *
 * One VM (a nested container with two test mdevs, guest RAM, guest PASIDs
 * 5 and 6), one vIOMMU with device 0 behind it (its device table entry
 * binds PASID 5), device 1 outside it (PASID 6 bound by the VMM with
 * VFIO_NESTED_BIND_S1, its faults on the container's fault fd).
 *
 * (a) Guest invalidation commands per second, batches of 1, 8 and 64
 *     INVALIDATE_IOMMU_PAGES (guest domain, PASID 5, one page each) per
 *     tail move, for <seconds> per measurement, paths in an order that
 *     rotates every round:
 *     - accel: the guest writes the batch into its command buffer, moves
 *       the tail in the head/tail page, and the processor consumes the
 *       ring in the kernel (PVM_VIOMMU_DOORBELL, what a VMM does from the
 *       exit, or the kernel's worker, that the tail move costs);
 *     - emul: what a VMM without the module does on the trapped tail
 *       write: a userspace loop that reads each command from the ring in
 *       guest memory, decodes it, looks the guest domain up in its own
 *       table and issues VFIO_NESTED_INVALIDATE for it, then moves the
 *       head;
 *     - emulb: the same loop issuing one VFIO_NESTED_INVALIDATE per tail
 *       move with all of the batch's entries (a VMM that batches).
 *     Neither path's exit is counted (there is no guest here): the tail
 *     move costs one ioctl in accel, none in emul (the loop is called).
 *     One line per measurement: cmds <batch> <path> <commands per second>
 *
 * (b) Latency from a device fault to its entry in a guest event log, the
 *     median of <fault samples> faults per round and path:
 *     - kernel: device 0 faults (a user write to a supervisor page); the
 *       module writes IO_PAGE_FAULT into the guest's event log; the time
 *       from the DMA's start until the entry is visible at the log's tail;
 *     - vmm: device 1 faults the same way; a VMM thread blocked in poll()
 *       on the fault fd reads the record, encodes the entry and writes it
 *       into an event log in guest memory, and moves that log's tail.
 *     One line per round and path: fault <path> <microseconds>
 *
 * At the end, the medians over the rounds and their ratios (accelerated
 * over emulated commands per second, target >= 2x at batch 8; the VMM
 * thread's fault latency over the module's), one "ratio" line each; and,
 * per batch, the median of the per-round ratios: each round measures the
 * paths back to back, so a round's ratio is less exposed to the load of
 * the host drifting between rounds than the ratio of the medians.
 */
/* the helpers come with kselftest_harness.h, whose runner is not used */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "viommu_utils.h"

#define RAM_GPA		0x100000000ULL	/* 4 GiB */
#define RAM_SIZE	0x200000ULL	/* 2 MiB */
#define IOVA		0x00007f5600000000ULL
#define IOVA_SUPER	(IOVA + 64 * NP_PAGE)
#define GDEV		0x08
#define GDOM		0x11
#define GPASID		5
#define GPASID_VMM	6
#define RING_LEN	4096	/* entries of every ring: 64 KiB */

static const unsigned int batches[] = { 1, 8, 64 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define die(...)				\
	do {					\
		fprintf(stderr, __VA_ARGS__);	\
		exit(1);			\
	} while (0)

struct bench {
	struct vi_vm vm;
	struct vi_iommu v;
	/* the emulated IOMMU's ring and event log, the VMM's registers */
	__u64 emu_cmd, emu_evt;
	__u32 emu_head, emu_tail;
	__u32 emu_evt_tail;		/* written by the VMM thread */
	bool emu_dom_mapped[0x10000];	/* the VMM's domain table */
	int ffd;
};

/* The guest's batch: @n page invalidations of its domain and PASID. */
static void guest_batch(struct vi_cmd *c, unsigned int n, unsigned int seq)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		c[i] = vi_cmd_inv_pages(GDOM, GPASID,
					IOVA + ((seq + i) % 64) * NP_PAGE,
					VI_INV_GN);
}

static double run_accel(struct bench *b, unsigned int batch, double secs)
{
	struct pvm_viommu_doorbell db = { 0 };
	struct vi_cmd c[64];
	unsigned long n = 0;
	double t0 = now(), t;

	do {
		guest_batch(c, batch, n);
		if (vi_submit(&b->v, c, batch, &db) || db.out_executed != batch)
			die("accel: doorbell ran %u of %u\n", db.out_executed,
			    batch);
		n += batch;
		t = now();
	} while (t - t0 < secs);
	return n / (t - t0);
}

/* The VMM's emulation of a tail write: every command up to @tail. */
static void vmm_tail_write(struct bench *b, __u32 tail, bool batched)
{
	struct vfio_nested_inv_entry e[64];
	struct vi_cmd c;
	__u32 n = 0, pasid, domid;
	__u64 addr;

	b->emu_tail = tail;
	while (b->emu_head != b->emu_tail) {
		memcpy(&c, np_hva(&b->vm.g, b->emu_cmd + b->emu_head), 16);
		if (c.d[1] >> 28 != PVM_VIOMMU_CMD_INV_IOMMU_PAGES)
			die("emul: opcode %u\n", c.d[1] >> 28);
		domid = c.d[1] & 0xffff;
		pasid = c.d[0] & 0xfffff;
		addr = (c.d[2] & 0xfffff000) | (__u64)c.d[3] << 32;
		if (!b->emu_dom_mapped[domid])
			die("emul: domain %u\n", domid);
		memset(&e[n], 0, sizeof(e[n]));
		e[n].type = VFIO_NESTED_INV_ADDR;
		e[n].pasid = pasid;
		e[n].granule = 12;
		e[n].addr = addr;
		e[n].npages = 1;
		n++;
		if (!batched || n == 64) {
			if (np_invalidate(b->vm.container, e, n, NULL))
				die("emul: VFIO_NESTED_INVALIDATE: %m\n");
			n = 0;
		}
		b->emu_head = (b->emu_head + 16) % (RING_LEN * 16);
	}
	if (n && np_invalidate(b->vm.container, e, n, NULL))
		die("emul: VFIO_NESTED_INVALIDATE: %m\n");
}

static double run_emul(struct bench *b, unsigned int batch, double secs,
		       bool batched)
{
	struct vi_cmd c[64];
	unsigned long n = 0;
	double t0 = now(), t;
	unsigned int i;
	__u32 tail;

	do {
		guest_batch(c, batch, n);
		tail = b->emu_tail;
		for (i = 0; i < batch; i++) {
			memcpy(np_hva(&b->vm.g, b->emu_cmd + tail), &c[i], 16);
			tail = (tail + 16) % (RING_LEN * 16);
		}
		vmm_tail_write(b, tail, batched);
		n += batch;
		t = now();
	} while (t - t0 < secs);
	return n / (t - t0);
}

/* ---- fault latency ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The emulating VMM's fault thread: fault fd -> guest event log. */
static void *vmm_fault_thread(void *arg)
{
	struct bench *b = arg;
	struct vfio_nested_fault rec;
	struct pollfd p = { .fd = b->ffd, .events = POLLIN };
	__u32 d[4], flags;

	for (;;) {
		if (poll(&p, 1, -1) < 0)
			continue;
		if (read(b->ffd, &rec, sizeof(rec)) != sizeof(rec))
			continue;
		/* IO_PAGE_FAULT, the guest's device ID, GN and the PASID */
		flags = VI_EVF_GN | VI_EVF_US |
			(rec.perm & VFIO_NESTED_FAULT_PERM_WRITE ? VI_EVF_RW : 0);
		d[0] = (GDEV + 8) | (rec.pasid & 0xf0000);
		d[1] = (rec.pasid & 0xffff) | flags << 16 |
		       (__u32)PVM_VIOMMU_EVT_IO_PAGE_FAULT << 28;
		d[2] = (__u32)rec.addr;
		d[3] = rec.addr >> 32;
		memcpy(np_hva(&b->vm.g, b->emu_evt + b->emu_evt_tail), d, 16);
		__atomic_store_n(&b->emu_evt_tail,
				 (b->emu_evt_tail + 16) % (RING_LEN * 16),
				 __ATOMIC_RELEASE);
	}
	return NULL;
}

static double fault_kernel(struct bench *b)
{
	__u64 old = vi_rd(&b->v, PVM_VIOMMU_MMIO_EVT_TAIL), val = 0;
	struct vfio_nested_test_dma out;
	struct vi_event e;
	double t0 = now(), t;

	vi_dma(&b->vm, 0, GPASID, IOVA_SUPER, &val, 8, true, &out);
	while (vi_rd(&b->v, PVM_VIOMMU_MMIO_EVT_TAIL) == old) {
		t = now();
		if (t - t0 > 2)
			die("kernel: no event after 2 s\n");
	}
	t = now();
	if (!vi_evt_pop(&b->v, &e, NULL) ||
	    e.code != PVM_VIOMMU_EVT_IO_PAGE_FAULT)
		die("kernel: not an IO_PAGE_FAULT\n");
	return (t - t0) * 1e6;
}

static double fault_vmm(struct bench *b)
{
	struct vfio_nested_test_dma out;
	__u32 old = __atomic_load_n(&b->emu_evt_tail, __ATOMIC_ACQUIRE);
	__u64 val = 0;
	double t0 = now(), t;

	vi_dma(&b->vm, 1, GPASID_VMM, IOVA_SUPER, &val, 8, true, &out);
	while (__atomic_load_n(&b->emu_evt_tail, __ATOMIC_ACQUIRE) == old) {
		t = now();
		if (t - t0 > 2)
			die("vmm: no event after 2 s\n");
	}
	t = now();
	return (t - t0) * 1e6;
}

static void setup(struct bench *b)
{
	struct np_guest *g = &b->vm.g;
	__u64 page, super, root, gcr3;
	unsigned int i;
	int ret;

	if (!vi_present() || !np_test_dma_on())
		die("pvm_viommu, the test device, ioasid or allow_test_dma missing\n");
	ret = vi_vm_open(&b->vm, VI_UUID_BASE + 0x18, 2, RAM_GPA, RAM_SIZE);
	if (!ret)
		ret = vi_vm_gpasid(&b->vm, GPASID);
	if (!ret)
		ret = vi_vm_gpasid(&b->vm, GPASID_VMM);
	if (!ret)
		ret = vi_iommu_init(&b->v, &b->vm, 0, 1, RING_LEN);
	if (!ret)
		ret = vi_set_device(b->v.fd, GDEV, b->vm.dev[0].fd);
	if (!ret)
		ret = vi_set_domain(b->v.fd, GDOM, 1);
	if (ret)
		die("VM: %s\n", strerror(-ret));
	b->emu_dom_mapped[GDOM] = true;
	b->emu_cmd = np_guest_page(g, RING_LEN * 16);
	b->emu_evt = np_guest_page(g, RING_LEN * 16);
	page = np_guest_page(g, NP_PAGE);
	super = np_guest_page(g, NP_PAGE);
	root = vi_pt_new(g);
	gcr3 = np_guest_page(g, NP_PAGE);
	if (!gcr3)
		die("VM: guest RAM\n");
	for (i = 0; i < 64; i++)
		vi_pt_map(g, root, IOVA + i * NP_PAGE, page, PTE_USER_RW);
	vi_pt_map(g, root, IOVA_SUPER, super, PTE_P | PTE_RW);
	if (vi_gcr3_set(g, gcr3, 0, GPASID, root) ||
	    vi_guest_attach(&b->v, GDEV, GDOM, gcr3, 1, NULL))
		die("VM: the guest's device table entry\n");
	/* device 1: the VMM binds PASID 6 itself, faults on the fault fd */
	ret = np_bind(b->vm.container, VFIO_NESTED_PASID_GUEST, GPASID_VMM,
		      root);
	if (ret)
		die("VM: bind: %s\n", strerror(-ret));
	b->ffd = np_get_fault_fd(b->vm.container);
	if (b->ffd < 0)
		die("VM: fault fd: %s\n", strerror(-b->ffd));
	ret = vi_reg_write(b->v.fd, PVM_VIOMMU_MMIO_CONTROL,
			   VI_CTRL_ALL | PVM_VIOMMU_CTRL_EVT_INT_EN);
	if (ret)
		die("VM: control: %s\n", strerror(-ret));
}

#define MAX_ROUNDS	64

/* per batch and path (accel, emul, emulb), per round */
static double cps[3][3][MAX_ROUNDS];
static double flat[2][MAX_ROUNDS];	/* kernel, vmm */

static void summary(int rounds, double secs, int samples)
{
	static const char *const path[] = { "accelerated", "emulated",
					    "emulated batching" };
	double m[3], mk, mv, pr[MAX_ROUNDS];
	unsigned int k, p;
	int r;

	printf("pvm_viommu: guest invalidation commands per second\n");
	printf("  (INVALIDATE_IOMMU_PAGES), %d interleaved rounds of %gs, medians\n",
	       rounds, secs);
	for (k = 0; k < ARRAY_SIZE(batches); k++) {
		for (p = 0; p < 3; p++)
			m[p] = median(cps[k][p], rounds);
		printf("  batch %u: %s %.0f/s, %s %.0f/s, %s %.0f/s\n",
		       batches[k], path[0], m[0], path[1], m[1], path[2],
		       m[2]);
		printf("  ratio batch %u accelerated/emulated: %.2fx (%s)\n",
		       batches[k], m[0] / m[1],
		       batches[k] == 8 ? "target >= 2x" : "no target");
		printf("  ratio batch %u accelerated/emulated-batching: %.2fx%s\n",
		       batches[k], m[0] / m[2], " (for scale)");
		for (r = 0; r < rounds; r++)
			pr[r] = cps[k][0][r] / cps[k][1][r];
		printf("  batch %u: median of the per-round ratios accelerated/emulated: %.2fx\n",
		       batches[k], median(pr, rounds));
	}
	mk = median(flat[0], rounds);
	mv = median(flat[1], rounds);
	printf("pvm_viommu: latency from a device fault to its IO_PAGE_FAULT\n");
	printf("  entry in a guest event log, %d rounds of %d faults, medians\n",
	       rounds, samples);
	printf("  the module writes the guest's log: %.1f us\n", mk);
	printf("  a VMM thread via the fault fd: %.1f us\n", mv);
	printf("  ratio fault latency VMM/module: %.2fx%s\n", mv / mk,
	       " (>= 1.0x: the module is as fast)");
}

int main(int argc, char **argv)
{
	static struct bench b;
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	double v;
	double secs = argc > 2 ? atof(argv[2]) : 0.3;
	int samples = argc > 3 ? atoi(argv[3]) : 100;
	double *lat = calloc(samples, sizeof(double));
	unsigned int k, p, i;
	pthread_t t;
	int r, s;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		die("rounds: 1 to %d\n", MAX_ROUNDS);
	setup(&b);
	if (!lat || pthread_create(&t, NULL, vmm_fault_thread, &b))
		die("thread\n");
	printf("VM: one vIOMMU, device 0 behind it (PASID 5 bound from its\n");
	printf("  device table entry), device 1 not (PASID 6 bound by the VMM);\n");
	printf("  rings of %u entries\n", RING_LEN);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < ARRAY_SIZE(batches); k++) {
			for (i = 0; i < 3; i++) {
				p = (i + r + k) % 3;
				v = p ? run_emul(&b, batches[k], secs, p == 2) :
					run_accel(&b, batches[k], secs);
				cps[k][p][r] = v;
				printf("cmds %u %s %.0f\n", batches[k],
				       p == 0 ? "accel" : p == 1 ? "emul" : "emulb",
				       v);
				fflush(stdout);
			}
		}
		for (i = 0; i < 2; i++) {
			bool kernel = (i + r) % 2 == 0;

			for (s = 0; s < samples; s++)
				lat[s] = kernel ? fault_kernel(&b) : fault_vmm(&b);
			flat[!kernel][r] = median(lat, samples);
			printf("fault %s %.1f\n", kernel ? "kernel" : "vmm",
			       flat[!kernel][r]);
			fflush(stdout);
		}
	}
	summary(rounds, secs, samples);
	printf("done\n");
	return 0;
}
