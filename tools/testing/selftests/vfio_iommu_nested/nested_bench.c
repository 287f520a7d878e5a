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
 */
#include <signal.h>
#include <sys/resource.h>
#include <linux/vfio_iommu_nested.h>

#include "nested_edu.h"

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

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	/* pinning is charged to RLIMIT_MEMLOCK; the benchmark runs as root */
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "s2"))
		return bench_s2(argc > 2 ? atoi(argv[2]) : 3,
				argc > 3 ? strtoull(argv[3], NULL, 0) : 1024);
	fprintf(stderr, "usage: %s s2 <rounds> <MiB>\n", argv[0]);
	return 2;
}
