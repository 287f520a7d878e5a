// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested benchmark (not a test); tools/testing/vm/bench.d/
 * 30-vfio_iommu_nested.sh runs it and turns its samples into medians and
 * ratios.
 *
 *   nested_bench s2 <rounds> <MiB>
 *	Stage 2 on the physical path: VFIO_IOMMU_MAP_DMA of <MiB> of memory
 *	in 4 KiB pieces, then VFIO_IOMMU_UNMAP_DMA of each piece; then the
 *	same in 2 MiB pieces (on hugetlb pages when the kernel has them,
 *	else THP, else small pages: the "backing" line says which), with
 *	QEMU's edu behind the emulated VT-d in the container, once with the
 *	nested backend and once with vfio_iommu_type1 per round, the order
 *	alternating. The memory is the same for both (allocated and touched
 *	once). One line per measurement:
 *	    s2 <4k|2m> <nested|type1> map_s <seconds> unmap_s <seconds>
 *
 *   nested_bench dma <rounds> <seconds>
 *	4 KiB DMAs on IOTLB hits through VFIO_NESTED_TEST_DMA, one per ioctl
 *	and 256 per ioctl with VFIO_NESTED_TEST_DMA_REPEAT (the module
 *	loaded with allow_test_dma=1, a vfio_nested_testdev mdev in a nested
 *	container, a PASID of /dev/ioasid bound to a 4-level guest table whose
 *	entries have their accessed and dirty bits set), device reads and
 *	device writes of one page, against memcpy() of the same page between
 *	the same two buffers in this process, and for scale 64 KiB reads and
 *	copies, an 8-byte DMA and an ioctl that does nothing (see dma_run());
 *	every round runs each for <seconds>, in an order that rotates. One line
 *	per round, microseconds per operation:
 *	    dma memcpy_us <m> read_us <r> write_us <w> rread_us <rr> ...
 *	(rread and rwrite: microseconds per DMA in the repeat mode)
 *	What one ioctl costs besides the copy: the system call, copying its
 *	64-byte argument in and out, finding the device and the PASID's
 *	binding, the IOTLB lookup, the stage-2 lookup of the page and its
 *	kernel mapping, and copy_to_user() or copy_from_user() of the bytes
 *	(memcpy() moves them once, the ioctl once too, but through the uaccess
 *	routines).
 */
#include <signal.h>
#include <sys/resource.h>
#include <linux/vfio_iommu_nested.h>

#include "nested_edu.h"
/* its helpers come with kselftest_harness.h, whose runner is not used here */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "nested_pasid_utils.h"

#define SZ_4K	4096ULL
#define SZ_2M	(2ULL << 20)
#define S2_IOVA	0x0ULL		/* the mappings start at GPA 0 */

static const struct {
	const char *name;
	unsigned long type;
} backends[] = {
	{ "nested", VFIO_NESTED_IOMMU },
	{ "type1", VFIO_TYPE1v2_IOMMU },
};

#define die(fmt, ...) do {						\
		fprintf(stderr, "nested_bench: " fmt "\n", ##__VA_ARGS__); \
		exit(1);						\
	} while (0)

struct mem {
	__u8 *p;		/* @len bytes, 2 MiB-aligned for 2 MiB pieces */
	void *raw;		/* what to munmap */
	size_t raw_len;
	const char *backing;
};

/*
 * Memory for one piece size, touched: small pages for 4 KiB pieces; for
 * 2 MiB pieces hugetlb pages, else THP, else small pages.
 */
static int mem_alloc(struct mem *m, size_t len, bool big)
{
	if (big) {
		m->raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			      MAP_POPULATE, -1, 0);
		if (m->raw != MAP_FAILED) {
			m->p = m->raw;
			m->raw_len = len;
			m->backing = "hugetlb 2 MiB pages";
			return 0;
		}
	}
	m->raw_len = len + (big ? SZ_2M : 0);
	m->raw = mmap(NULL, m->raw_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->raw == MAP_FAILED)
		return -errno;
	m->p = (void *)(((uintptr_t)m->raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (!big) {
		madvise(m->raw, m->raw_len, MADV_NOHUGEPAGE);
		m->backing = "small pages";
	} else if (!madvise(m->p, len, MADV_HUGEPAGE)) {
		m->backing = "THP (madvise; no hugetlb pages were free)";
	} else {
		m->backing = "small pages (neither hugetlb pages nor THP)";
	}
	memset(m->p, 1, len);
	return 0;
}

/* One backend, one piece size: map everything, then unmap piece by piece. */
static int s2_once(struct edu *e, unsigned long type, __u8 *mem, __u64 len,
		   __u64 piece, double *map_s, double *unmap_s)
{
	int c = edu_container(e, type);
	__u64 off;
	double t;
	int ret;

	if (c < 0)
		return c;
	t = edu_now();
	for (off = 0; off < len; off += piece) {
		ret = edu_map(c, mem + off, S2_IOVA + off, piece,
			      VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
		if (ret) {
			fprintf(stderr, "MAP_DMA at %#llx: %s\n",
				(unsigned long long)off, strerror(-ret));
			goto out;
		}
	}
	*map_s = edu_now() - t;
	t = edu_now();
	for (off = 0; off < len; off += piece) {
		long long n = edu_unmap(c, S2_IOVA + off, piece, 0);

		if (n != (long long)piece) {
			ret = n < 0 ? (int)n : -EIO;
			fprintf(stderr, "UNMAP_DMA at %#llx: %s\n",
				(unsigned long long)off, strerror(-ret));
			goto out;
		}
	}
	*unmap_s = edu_now() - t;
	ret = 0;
out:
	edu_close(e);
	close(c);
	return ret;
}

static int bench_s2(int rounds, __u64 mib)
{
	static const __u64 pieces[] = { SZ_4K, SZ_2M };
	bool avail[2] = { true, true };
	__u64 len = mib << 20;
	unsigned int p, b, k;
	struct mem m = {};
	struct edu e;
	int r, ret;

	ret = edu_bind(&e);
	if (ret)
		die("no edu device bound to vfio-pci: %s", strerror(-ret));
	printf("edu %s, IOMMU group %d; %llu MiB per round\n", e.bdf, e.group_id,
	       (unsigned long long)mib);
	for (p = 0; p < 2; p++) {
		__u64 piece = pieces[p];
		const char *tag = piece == SZ_4K ? "4k" : "2m";

		ret = mem_alloc(&m, len, piece != SZ_4K);
		if (ret)
			die("%llu MiB: %s", (unsigned long long)mib, strerror(-ret));
		printf("backing %s: %s\n", tag, m.backing);
		for (r = 0; r < rounds; r++) {
			for (k = 0; k < 2; k++) {
				double ms = 0, us = 0;

				b = (k + r) % 2;	/* alternate who goes first */
				if (!avail[b])
					continue;
				ret = s2_once(&e, backends[b].type, m.p, len, piece,
					      &ms, &us);
				if (ret == -EINVAL || ret == -ENODEV) {
					/* VFIO_SET_IOMMU: no such backend */
					printf("s2 %s unavailable: %s\n",
					       backends[b].name, strerror(-ret));
					avail[b] = false;
					continue;
				}
				if (ret)
					die("s2 %s %s round %d: %s", tag, backends[b].name,
					    r, strerror(-ret));
				printf("s2 %s %s map_s %.4f unmap_s %.4f\n", tag,
				       backends[b].name, ms, us);
			}
		}
		munmap(m.raw, m.raw_len);
	}
	return 0;
}

/* ---- DMA on IOTLB hits against memcpy ------------------------------------ */

#define DMA_RAM_GPA	(4ULL << 30)
#define DMA_RAM_SIZE	(4ULL << 20)
#define DMA_IOVA	0x00007f5a00000000ULL
#define DMA_PAGES	16		/* mapped at DMA_IOVA, 64 KiB */
#define DMA_UUID	0x60	/* VN_UUID(0x60): the benchmark's test mdev */
#define DMA_REPEAT	256	/* DMAs per ioctl in the repeat mode */

/*
 * What is timed, each as often as fits in the round's time: memcpy() of
 * 4 KiB and 64 KiB; TEST_DMA reads and writes of 4 KiB, one DMA per ioctl
 * and DMA_REPEAT DMAs per ioctl (VFIO_NESTED_TEST_DMA_REPEAT: the DMA path
 * of a device model, vfio_nested_dma()'s, without a system call per DMA);
 * the same repeated read without PASID, by GPA (stage 2 alone: what the
 * stage-1 IOTLB hit adds is the difference); reads of 64 KiB (16 pages, 16
 * IOTLB hits in one call); TEST_DMA of 8
 * bytes (the fixed cost of a DMA ioctl); and VFIO_CHECK_EXTENSION on the
 * container (the cost of any ioctl on it). The times are per DMA (per
 * ioctl divided by DMA_REPEAT in the repeat mode).
 */
enum {
	OP_MEMCPY, OP_READ, OP_WRITE, OP_RREAD, OP_RWRITE, OP_RREAD_S2,
	OP_MEMCPY64, OP_READ64, OP_SMALL, OP_NULL, OP_NR
};

static const struct {
	const char *name;
	unsigned int len;
	unsigned int repeat;	/* DMAs per ioctl (VFIO_NESTED_TEST_DMA_REPEAT) */
} ops[OP_NR] = {
	[OP_MEMCPY] = { "memcpy", 4096 },
	[OP_READ] = { "read", 4096 },
	[OP_WRITE] = { "write", 4096 },
	[OP_RREAD] = { "rread", 4096, DMA_REPEAT },
	[OP_RWRITE] = { "rwrite", 4096, DMA_REPEAT },
	[OP_RREAD_S2] = { "rread_s2", 4096, DMA_REPEAT },
	[OP_MEMCPY64] = { "memcpy64k", DMA_PAGES * 4096 },
	[OP_READ64] = { "read64k", DMA_PAGES * 4096 },
	[OP_SMALL] = { "dma8", 8 },
	[OP_NULL] = { "ioctl", 0 },
};

struct dma_ctx {
	struct np_dev d;
	__u32 pasid;
	__u8 *guest;		/* the DMA_PAGES guest pages, our mapping */
	__u8 *buf;		/* the process's buffer */
	__u64 gpa;		/* GPA of the first guest page */
};

/* One operation as often as fits in @secs; microseconds per operation. */
static double dma_run(struct dma_ctx *x, int op, double secs)
{
	unsigned long n = 0, i;
	double t0 = edu_now(), t;
	int ret = 0;

	do {
		for (i = 0; i < 32; i++) {
			switch (op) {
			case OP_MEMCPY:
			case OP_MEMCPY64:
				memcpy(x->buf, x->guest, ops[op].len);
				/* the copy must happen, every time */
				asm volatile("" : : "r"(x->buf) : "memory");
				break;
			case OP_NULL:
				if (ioctl(x->d.container, VFIO_CHECK_EXTENSION,
					  VFIO_NESTED_IOMMU) != 1)
					ret = -EIO;
				break;
			case OP_RREAD_S2:
				ret = np_dma_repeat(x->d.container, x->d.group_id,
						    VFIO_NESTED_PASID_NONE, 0, x->gpa,
						    x->buf, ops[op].len, ops[op].repeat,
						    NULL);
				break;
			case OP_RREAD:
			case OP_RWRITE:
				ret = np_dma_repeat(x->d.container, x->d.group_id,
						    op == OP_RWRITE ? VFIO_NESTED_DMA_WRITE : 0,
						    x->pasid, DMA_IOVA, x->buf, ops[op].len,
						    ops[op].repeat, NULL);
				break;
			default:
				ret = np_dma(x->d.container, x->d.group_id,
					     op == OP_WRITE ? VFIO_NESTED_DMA_WRITE : 0,
					     x->pasid, DMA_IOVA, x->buf, ops[op].len, NULL);
				break;
			}
			if (ret)
				die("%s: %s", ops[op].name, strerror(-ret));
		}
		n += i;
		t = edu_now() - t0;
	} while (t < secs);
	return t / n / (ops[op].repeat ? ops[op].repeat : 1) * 1e6;
}

static int bench_dma(int rounds, double secs)
{
	struct vfio_nested_test_dma out;
	struct dma_ctx x = {};
	double us[OP_NR];
	struct np_guest g;
	__u64 data;
	int ioasid, ret, r, k;
	unsigned int i;

	if (!np_testdev_present())
		die("no vfio_nested_testdev or no nested backend");
	if (!np_test_dma_on())
		die("VFIO_NESTED_TEST_DMA is off (load vfio_iommu_nested with allow_test_dma=1)");
	ret = np_dev_open(&x.d, DMA_UUID);
	if (ret)
		die("test mdev in a nested container: %s", strerror(-ret));
	ret = np_guest_init(&g, x.d.container, DMA_RAM_GPA, DMA_RAM_SIZE);
	if (ret)
		die("guest RAM: %s", strerror(-ret));
	ioasid = np_ioasid_open_alloc(&x.pasid);
	if (ioasid < 0)
		die("/dev/ioasid: %s", strerror(-ioasid));
	ret = np_set_ioasid_fd(x.d.container, ioasid);
	if (ret)
		die("SET_IOASID_FD: %s", strerror(-ret));
	/* 16 contiguous guest pages behind 16 pages of the PASID's space */
	data = np_guest_page(&g, DMA_PAGES * NP_PAGE);
	x.guest = np_hva(&g, data);
	x.gpa = data;
	for (i = 0; i < DMA_PAGES * NP_PAGE; i++)
		x.guest[i] = (__u8)(i * 13 + 7);
	for (i = 0; i < DMA_PAGES; i++)
		np_map_4k(&g, DMA_IOVA + i * NP_PAGE, data + i * NP_PAGE,
			  PTE_USER_RW | PTE_A | PTE_D);
	/* the upper levels get A as well: no walk ever writes the table */
	for (i = 2; i <= 4; i++)
		*np_pte(&g, DMA_IOVA, i) |= PTE_A;
	ret = np_bind(x.d.container, 0, x.pasid, g.root);
	if (ret)
		die("BIND_S1: %s", strerror(-ret));
	x.buf = aligned_alloc(4096, DMA_PAGES * NP_PAGE);
	if (!x.buf)
		die("buffer: %s", strerror(errno));

	/* the repeat mode is there, and reads the same bytes */
	memset(x.buf, 0, DMA_PAGES * NP_PAGE);
	ret = np_dma_repeat(x.d.container, x.d.group_id, 0, x.pasid, DMA_IOVA,
			    x.buf, NP_PAGE, DMA_REPEAT, &out);
	if (ret || out.repeat != DMA_REPEAT || memcmp(x.buf, x.guest, NP_PAGE))
		die("TEST_DMA_REPEAT: %s, %u repetitions, %s", strerror(-ret),
		    out.repeat, memcmp(x.buf, x.guest, NP_PAGE) ? "wrong bytes" : "bytes ok");
	/* the first DMA walks and fills the IOTLB; it also checks the path */
	ret = np_dma(x.d.container, x.d.group_id, 0, x.pasid, DMA_IOVA, x.buf,
		     DMA_PAGES * NP_PAGE, &out);
	if (ret || out.out_done != DMA_PAGES * NP_PAGE ||
	    memcmp(x.buf, x.guest, DMA_PAGES * NP_PAGE))
		die("first DMA: %s, %llu bytes, %s", strerror(-ret),
		    (unsigned long long)out.out_done,
		    memcmp(x.buf, x.guest, DMA_PAGES * NP_PAGE) ? "wrong bytes" : "bytes ok");
	printf("dma: PASID %u bound, 4-level table at GPA %#llx, ", x.pasid,
	       (unsigned long long)g.root);
	printf("IOVA %#llx -> GPA %#llx, %d pages\n", DMA_IOVA,
	       (unsigned long long)data, DMA_PAGES);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < OP_NR; k++) {
			int op = (k + r) % OP_NR;	/* rotate who goes first */

			us[op] = dma_run(&x, op, secs);
		}
		printf("dma");
		for (k = 0; k < OP_NR; k++)
			printf(" %s_us %.3f", ops[k].name, us[k]);
		printf("\n");
	}
	/* the writes moved the buffer's bytes into the guest page */
	if (memcmp(x.buf, x.guest, 4096))
		die("after the writes the guest page differs from the buffer");
	np_unbind(x.d.container, 0, x.pasid);
	np_dev_close(&x.d);
	np_guest_fini(&g);
	close(ioasid);
	free(x.buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	/* pinning is charged to RLIMIT_MEMLOCK; the benchmark runs as root */
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "s2"))
		return bench_s2(argc > 2 ? atoi(argv[2]) : 3,
				argc > 3 ? strtoull(argv[3], NULL, 0) : 1024);
	if (argc >= 2 && !strcmp(argv[1], "dma"))
		return bench_dma(argc > 2 ? atoi(argv[2]) : 5,
				 argc > 3 ? atof(argv[3]) : 0.5);
	fprintf(stderr, "usage: %s s2 <rounds> <MiB> | dma <rounds> <seconds>\n",
		argv[0]);
	return 2;
}
