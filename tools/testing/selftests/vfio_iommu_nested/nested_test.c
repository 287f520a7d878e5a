// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the backend's own container ioctls (type 0xBD) with
 * bad inputs and their length/extensibility rules; PASID ownership through
 * /dev/ioasid between two containers and two files; the FREE of a bound
 * PASID; and flow 1 end to end with VFIO_NESTED_TEST_DMA: a guest page
 * table built in guest RAM, bound for a PASID, DMA landing in the right
 * page, a remap unseen until invalidated.
 */
#include <pthread.h>

#include "nested_pasid_utils.h"

/* Guest RAM: 8 MiB at 4 GiB; the DMA addresses are canonical user ones. */
#define RAM_GPA		(4ULL << 30)
#define RAM_SIZE	(8ULL << 20)
#define IOVA		0x00007f1234560000ULL
#define IOVA_2M		0x00007f0000000000ULL
#define IOVA_RSVD	0x00007f1234800000ULL

/* Test mdevs of this program: VN_UUID(0x20) and VN_UUID(0x21). */
#define UUID_FIRST	0x20
#define UUID_SECOND	0x21

FIXTURE(nested) {
	struct np_dev d;
	struct np_guest g;
	int ioasid;
	__u32 pasid;
	__u64 page_a, page_b;
};

FIXTURE_SETUP(nested)
{
	int ret;

	self->d.container = -1;
	self->d.group = -1;
	self->d.dev = -1;
	self->ioasid = -1;
	if (!np_testdev_present())
		SKIP(return, "vfio_nested_testdev or VFIO not available");
	if (access(IOASID_DEV, R_OK | W_OK))
		SKIP(return, "%s not available", IOASID_DEV);
	ret = np_dev_open(&self->d, UUID_FIRST);
	ASSERT_EQ(0, ret) TH_LOG("test mdev in a nested container: %s",
				 strerror(-ret));
	ASSERT_EQ(0, np_guest_init(&self->g, self->d.container, RAM_GPA,
				   RAM_SIZE));
	self->ioasid = np_ioasid_open_alloc(&self->pasid);
	ASSERT_LE(0, self->ioasid);
	self->page_a = np_guest_page(&self->g, NP_PAGE);
	self->page_b = np_guest_page(&self->g, NP_PAGE);
	ASSERT_NE(0, self->page_b);
}

FIXTURE_TEARDOWN(nested)
{
	np_dev_close(&self->d);
	np_guest_fini(&self->g);
	if (self->ioasid >= 0)
		close(self->ioasid);
}

static bool test_dma_on(void)
{
	return np_test_dma_on();
}

/* ---- GET_CAPS ---------------------------------------------------------- */

TEST_F(nested, get_caps)
{
	struct vfio_nested_caps caps;
	struct ioasid_info info;

	ASSERT_EQ(0, np_get_caps(self->d.container, &caps));
	EXPECT_EQ(sizeof(caps), caps.size);
	EXPECT_TRUE(caps.features & VFIO_NESTED_CAP_PASID);
	EXPECT_TRUE(caps.features & VFIO_NESTED_CAP_RID_S1);
	EXPECT_TRUE(caps.features & VFIO_NESTED_CAP_CACHING_MODE);
	EXPECT_EQ(test_dma_on(), !!(caps.features & VFIO_NESTED_CAP_TEST_DMA));
	ASSERT_EQ(0, ioasid_get_info(self->ioasid, &info));
	EXPECT_EQ(info.pasid_bits, caps.pasid_bits);
	EXPECT_TRUE(caps.formats & (1ULL << VFIO_NESTED_S1_FMT_X86_64_4L));
	EXPECT_TRUE(caps.formats & (1ULL << VFIO_NESTED_S1_FMT_X86_64_5L));
	EXPECT_FALSE(caps.formats & (1ULL << VFIO_NESTED_S1_FMT_ARM64_LPAE));
	EXPECT_FALSE(caps.formats & 1);
	/* widths 32 to 52 */
	EXPECT_EQ(((1ULL << 52) - 1) & ~((1ULL << 31) - 1), caps.addr_widths);
	EXPECT_EQ(4096 | (2 << 20) | (1 << 30), caps.pgsizes);
	EXPECT_EQ(VFIO_NESTED_S1_F_ALL, caps.s1_flags);
	EXPECT_EQ(0x1e, caps.inv_types);
	EXPECT_EQ(sizeof(struct vfio_nested_fault), caps.fault_record_size);
	EXPECT_EQ(sizeof(struct vfio_nested_page_response),
		  caps.page_response_size);
	EXPECT_LT(0, caps.fault_depth);
	EXPECT_LT(0, caps.iotlb_entries);
	EXPECT_LT(0, caps.dma_retries);
}

TEST_F(nested, get_caps_bad)
{
	struct vfio_nested_caps caps;

	memset(&caps, 0, sizeof(caps));
	caps.size = sizeof(caps);
	caps.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->d.container, VFIO_NESTED_GET_CAPS,
					&caps));
	caps.flags = 0;
	caps.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->d.container, VFIO_NESTED_GET_CAPS,
					&caps));
	EXPECT_EQ(-EFAULT, np_ioctl(self->d.container, VFIO_NESTED_GET_CAPS,
				    NULL));
	/* an unknown number of our type, and a known one with a bad size */
	EXPECT_EQ(-ENOTTY, np_ioctl(self->d.container,
				    _IO(VFIO_NESTED_TYPE, 0x3f), &caps));
	EXPECT_EQ(-ENOTTY, np_ioctl(self->d.container,
				    _IOW(VFIO_NESTED_TYPE, 0x00, __u32), &caps));
}

/*
 * Length and extensibility, for every ioctl: a size below the first
 * published one is EINVAL, a larger one with a non-zero tail E2BIG, a
 * larger one with a zero tail accepted, and the kernel never writes past
 * the size it was given.
 */
struct len_case {
	unsigned long cmd;
	unsigned int size, cur_size, min_size;
};

/* the header's size, the size it has today, the first published size */
static const struct len_case len_cases[] = {
	{ VFIO_NESTED_GET_CAPS, sizeof(struct vfio_nested_caps), 72, 72 },
	{ VFIO_NESTED_SET_IOASID_FD, sizeof(struct vfio_nested_ioasid_fd), 16, 16 },
	{ VFIO_NESTED_BIND_S1, sizeof(struct vfio_nested_bind_s1), 32, 32 },
	{ VFIO_NESTED_UNBIND_S1, sizeof(struct vfio_nested_unbind_s1), 16, 16 },
	{ VFIO_NESTED_INVALIDATE, sizeof(struct vfio_nested_invalidate), 24, 24 },
	{ VFIO_NESTED_GET_FAULT_FD, sizeof(struct vfio_nested_fault_fd), 8, 8 },
	/* repeat and __reserved were added */
	{ VFIO_NESTED_TEST_DMA, sizeof(struct vfio_nested_test_dma), 72, 64 },
};

TEST_F(nested, length_extensibility)
{
	unsigned char buf[256];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(len_cases); i++) {
		const struct len_case *lc = &len_cases[i];
		__u32 size;

		EXPECT_EQ(lc->cur_size, lc->size);
		if (lc->cmd == VFIO_NESTED_TEST_DMA && !test_dma_on())
			continue;
		/* too short */
		memset(buf, 0, sizeof(buf));
		size = lc->min_size - 4;
		memcpy(buf, &size, 4);
		EXPECT_EQ(-EINVAL, np_ioctl(self->d.container, lc->cmd, buf))
			TH_LOG("ioctl %#lx size %u", lc->cmd, size);
		/* a non-zero byte past the kernel's structure */
		memset(buf, 0, sizeof(buf));
		size = lc->size + 8;
		memcpy(buf, &size, 4);
		buf[lc->size + 7] = 1;
		EXPECT_EQ(-E2BIG, np_ioctl(self->d.container, lc->cmd, buf))
			TH_LOG("ioctl %#lx size %u", lc->cmd, size);
	}

	/* GET_CAPS with a longer zeroed tail: accepted, tail untouched */
	memset(buf, 0, sizeof(buf));
	*(__u32 *)buf = sizeof(struct vfio_nested_caps) + 16;
	ASSERT_EQ(0, np_ioctl(self->d.container, VFIO_NESTED_GET_CAPS, buf));
	EXPECT_NE(0, ((struct vfio_nested_caps *)buf)->features);
	for (i = sizeof(struct vfio_nested_caps); i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);

	/* GET_CAPS with the first published size: nothing written past it */
	memset(buf, 0xa5, sizeof(buf));
	memset(buf, 0, 72);
	*(__u32 *)buf = 72;
	ASSERT_EQ(0, np_ioctl(self->d.container, VFIO_NESTED_GET_CAPS, buf));
	for (i = 72; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);

	/* UNBIND with a zeroed tail is the same call */
	memset(buf, 0, sizeof(buf));
	*(__u32 *)buf = sizeof(struct vfio_nested_unbind_s1) + 32;
	((struct vfio_nested_unbind_s1 *)buf)->flags = VFIO_NESTED_PASID_NONE;
	ret = np_ioctl(self->d.container, VFIO_NESTED_UNBIND_S1, buf);
	EXPECT_EQ(-ENOENT, ret);
}

/* ---- SET_IOASID_FD ------------------------------------------------------ */

TEST_F(nested, set_ioasid_fd)
{
	struct vfio_nested_ioasid_fd cmd = { .size = sizeof(cmd) };
	int null = open("/dev/null", O_RDWR);

	ASSERT_LE(0, null);
	EXPECT_EQ(-EBADF, np_set_ioasid_fd(self->d.container, -1));
	EXPECT_EQ(-EBADF, np_set_ioasid_fd(self->d.container, 1000000));
	EXPECT_EQ(-EINVAL, np_set_ioasid_fd(self->d.container, null));
	/* the VFIO container itself is not a /dev/ioasid file either */
	EXPECT_EQ(-EINVAL, np_set_ioasid_fd(self->d.container,
					    self->d.container));
	cmd.fd = self->ioasid;
	cmd.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->d.container,
					VFIO_NESTED_SET_IOASID_FD, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->d.container,
					VFIO_NESTED_SET_IOASID_FD, &cmd));
	/* nothing of that stuck: a PASID still needs the file */
	EXPECT_EQ(-ENXIO, np_bind(self->d.container, 0, self->pasid,
				  RAM_GPA));

	EXPECT_EQ(0, np_set_ioasid_fd(self->d.container, self->ioasid));
	EXPECT_EQ(-EBUSY, np_set_ioasid_fd(self->d.container, self->ioasid));
	close(null);
}

/* ---- BIND_S1 / UNBIND_S1 ------------------------------------------------ */

TEST_F(nested, bind_bad)
{
	struct vfio_nested_bind_s1 cmd = {
		.size = sizeof(cmd),
		.pasid = self->pasid,
		.format = NP_FMT_4L,
		.root_gpa = RAM_GPA,
	};
	int c = self->d.container;
	__u32 other;

	/* before SET_IOASID_FD no PASID can be named */
	EXPECT_EQ(-ENXIO, np_bind(c, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(-ENXIO, np_unbind(c, 0, self->pasid));
	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));

	EXPECT_EQ(-EINVAL, np_bind(c, 0, 0, RAM_GPA));
	EXPECT_EQ(-EINVAL, np_bind(c, 0, 1U << 20, RAM_GPA));
	EXPECT_EQ(-EINVAL, np_bind(c, VFIO_NESTED_PASID_NONE, self->pasid,
				   RAM_GPA));
	EXPECT_EQ(-EINVAL, np_bind(c, VFIO_NESTED_PASID_NONE |
				   VFIO_NESTED_PASID_GUEST, 0, RAM_GPA));
	EXPECT_EQ(-EOPNOTSUPP, np_bind(c, 1U << 5, self->pasid, RAM_GPA));

	/* stage-1 configurations vn_s1_cfg_check() refuses */
	cmd.format = 0;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	cmd.format = VFIO_NESTED_S1_FMT_ARM64_LPAE;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	cmd.format = NP_FMT_4L;
	cmd.root_gpa = RAM_GPA + 8;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	cmd.root_gpa = RAM_GPA;
	cmd.addr_width = 31;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	cmd.addr_width = 0;
	cmd.s1_flags = 1U << 31;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	cmd.s1_flags = 0;

	/* PASIDs the file does not own */
	ASSERT_EQ(0, ioasid_alloc_any(self->ioasid, &other));
	ASSERT_EQ(0, ioasid_free_pasid(self->ioasid, other));
	EXPECT_EQ(-ENOENT, np_bind(c, 0, other, RAM_GPA));
	EXPECT_EQ(-ENOENT, np_bind(c, VFIO_NESTED_PASID_GUEST, 77, RAM_GPA));

	/* nothing was bound by any of those */
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, self->pasid));
	EXPECT_EQ(0, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
	EXPECT_EQ(-EBUSY, np_ioctl(c, VFIO_NESTED_BIND_S1, &cmd));
}

TEST_F(nested, unbind_bad)
{
	struct vfio_nested_unbind_s1 cmd = {
		.size = sizeof(cmd), .pasid = self->pasid,
	};
	int c = self->d.container;

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, self->pasid));
	EXPECT_EQ(-ENOENT, np_unbind(c, VFIO_NESTED_PASID_NONE, 0));
	EXPECT_EQ(-EINVAL, np_unbind(c, 0, 0));
	EXPECT_EQ(-EINVAL, np_unbind(c, VFIO_NESTED_PASID_NONE, 3));
	EXPECT_EQ(-EOPNOTSUPP, np_unbind(c, 1U << 7, self->pasid));
	ASSERT_EQ(0, np_bind(c, 0, self->pasid, RAM_GPA));
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_UNBIND_S1, &cmd));
	cmd.__reserved = 0;
	EXPECT_EQ(0, np_ioctl(c, VFIO_NESTED_UNBIND_S1, &cmd));
	EXPECT_EQ(-ENOENT, np_ioctl(c, VFIO_NESTED_UNBIND_S1, &cmd));
	/* and it can be bound again */
	EXPECT_EQ(0, np_bind(c, 0, self->pasid, RAM_GPA));
}

/* A guest PASID names the host PASID it is attached to; names are kept. */
TEST_F(nested, bind_guest_pasid)
{
	int c = self->d.container;
	__u32 other;

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	ASSERT_EQ(0, ioasid_attach(self->ioasid, self->pasid, 42));
	ASSERT_EQ(0, np_bind(c, VFIO_NESTED_PASID_GUEST, 42, RAM_GPA));
	/* the host PASID is bound: not again, under either name */
	EXPECT_EQ(-EBUSY, np_bind(c, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(-EBUSY, np_bind(c, VFIO_NESTED_PASID_GUEST, 42, RAM_GPA));
	/* the guest name is not a host name */
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, 42));
	/* a binding stays named as bound once the guest PASID is detached */
	ASSERT_EQ(0, ioasid_detach(self->ioasid, self->pasid));
	EXPECT_EQ(0, np_unbind(c, VFIO_NESTED_PASID_GUEST, 42));
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, self->pasid));

	/* one name, one binding: host PASID N and guest PASID N collide */
	ASSERT_EQ(0, ioasid_alloc_any(self->ioasid, &other));
	ASSERT_EQ(0, ioasid_attach(self->ioasid, other, self->pasid));
	ASSERT_EQ(0, np_bind(c, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(-EBUSY, np_bind(c, VFIO_NESTED_PASID_GUEST, self->pasid,
				  RAM_GPA));
	/* once the name is free, the guest name binds */
	EXPECT_EQ(0, np_unbind(c, 0, self->pasid));
	EXPECT_EQ(0, np_bind(c, VFIO_NESTED_PASID_GUEST, self->pasid, RAM_GPA));
	EXPECT_EQ(-EBUSY, np_bind(c, 0, other, RAM_GPA));
	/* a guest-named binding unbinds by its host PASID too */
	EXPECT_EQ(0, np_unbind(c, 0, other));
	EXPECT_EQ(-ENOENT, np_unbind(c, VFIO_NESTED_PASID_GUEST, self->pasid));
}

TEST_F(nested, bind_rid)
{
	int c = self->d.container;

	/* no /dev/ioasid file needed for the PASID-less stage 1 */
	ASSERT_EQ(0, np_bind(c, VFIO_NESTED_PASID_NONE, 0, RAM_GPA));
	EXPECT_EQ(-EBUSY, np_bind(c, VFIO_NESTED_PASID_NONE, 0, RAM_GPA));
	EXPECT_EQ(0, np_unbind(c, VFIO_NESTED_PASID_NONE, 0));
	EXPECT_EQ(-ENOENT, np_unbind(c, VFIO_NESTED_PASID_NONE, 0));
}

/* ---- ownership: two containers, two /dev/ioasid files ------------------ */

TEST_F(nested, two_containers_two_files)
{
	struct np_dev d2;
	__u32 pasid2 = 0;
	int f2, ret;

	ret = np_dev_open(&d2, UUID_SECOND);
	ASSERT_EQ(0, ret) TH_LOG("second mdev: %s", strerror(-ret));
	f2 = np_ioasid_open_alloc(&pasid2);
	ASSERT_LE(0, f2);

	ASSERT_EQ(0, np_set_ioasid_fd(self->d.container, self->ioasid));
	ASSERT_EQ(0, np_set_ioasid_fd(d2.container, f2));
	/* each container binds its own file's PASIDs only */
	EXPECT_EQ(-ENOENT, np_bind(d2.container, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(-ENOENT, np_bind(self->d.container, 0, pasid2, RAM_GPA));
	ASSERT_EQ(0, ioasid_attach(f2, pasid2, 9));
	EXPECT_EQ(-ENOENT, np_bind(self->d.container,
				   VFIO_NESTED_PASID_GUEST, 9, RAM_GPA));
	EXPECT_EQ(0, np_bind(self->d.container, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(0, np_bind(d2.container, VFIO_NESTED_PASID_GUEST, 9,
			     RAM_GPA));
	/* nor unbind the other's */
	EXPECT_EQ(-ENOENT, np_unbind(d2.container, 0, self->pasid));
	EXPECT_EQ(0, np_unbind(self->d.container, 0, self->pasid));

	close(f2);
	np_dev_close(&d2);
}

TEST_F(nested, two_containers_one_file)
{
	struct np_dev d2;
	int ret;

	ret = np_dev_open(&d2, UUID_SECOND);
	ASSERT_EQ(0, ret) TH_LOG("second mdev: %s", strerror(-ret));
	ASSERT_EQ(0, np_set_ioasid_fd(self->d.container, self->ioasid));
	ASSERT_EQ(0, np_set_ioasid_fd(d2.container, self->ioasid));
	ASSERT_EQ(0, np_bind(self->d.container, 0, self->pasid, RAM_GPA));
	/* the file owns it, but it is bound in the first container */
	EXPECT_EQ(-EBUSY, np_bind(d2.container, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(-ENOENT, np_unbind(d2.container, 0, self->pasid));
	EXPECT_EQ(0, np_unbind(self->d.container, 0, self->pasid));
	EXPECT_EQ(0, np_bind(d2.container, 0, self->pasid, RAM_GPA));
	/* closing the second container lets the first bind it again */
	np_dev_close(&d2);
	EXPECT_EQ(0, np_bind(self->d.container, 0, self->pasid, RAM_GPA));
}

/* The file frees a bound PASID: the binding goes, nothing is left. */
TEST_F(nested, free_bound_pasid)
{
	int c = self->d.container;
	__u32 again;

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	ASSERT_EQ(0, np_bind(c, 0, self->pasid, RAM_GPA));
	ASSERT_EQ(0, ioasid_free_pasid(self->ioasid, self->pasid));
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, self->pasid));
	EXPECT_EQ(-ENOENT, np_bind(c, 0, self->pasid, RAM_GPA));
	/* the binding held no reference: the PASID went back to the pool */
	ASSERT_EQ(0, ioasid_alloc_range(self->ioasid, self->pasid, self->pasid,
					&again));
	EXPECT_EQ(self->pasid, again);
	EXPECT_EQ(0, np_bind(c, 0, again, RAM_GPA));

	/* closing the file frees everything it owned, bindings included */
	close(self->ioasid);
	self->ioasid = -1;
	EXPECT_EQ(-ENOENT, np_unbind(c, 0, again));
	EXPECT_EQ(-ENOENT, np_bind(c, 0, again, RAM_GPA));
}

/* ---- GET_FAULT_FD ------------------------------------------------------- */

TEST_F(nested, get_fault_fd)
{
	struct vfio_nested_fault_fd cmd = { .size = sizeof(cmd), .flags = 1 };
	int fd, fd2;

	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(self->d.container,
					VFIO_NESTED_GET_FAULT_FD, &cmd));
	fd = np_get_fault_fd(self->d.container);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-EBUSY, np_get_fault_fd(self->d.container));
	close(fd);
	fd2 = np_get_fault_fd(self->d.container);
	EXPECT_LE(0, fd2);
	close(fd2);
}

/* ---- INVALIDATE --------------------------------------------------------- */

TEST_F(nested, invalidate_bad)
{
	struct vfio_nested_inv_entry e[3] = {
		{ .type = VFIO_NESTED_INV_ALL },
		{ .type = VFIO_NESTED_INV_PASID, .pasid = self->pasid },
		{ .type = VFIO_NESTED_INV_ADDR, .pasid = self->pasid,
		  .granule = 12, .addr = IOVA, .npages = 1 },
	};
	struct vfio_nested_invalidate cmd = {
		.argsz = sizeof(cmd), .entry_len = sizeof(e[0]),
		.entry_num = 1, .entries = (uintptr_t)e,
	};
	int c = self->d.container;
	__u32 done;

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	cmd.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_INVALIDATE, &cmd));
	cmd.flags = 0;
	cmd.entry_len = 32;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_INVALIDATE, &cmd));
	cmd.entry_len = 4097;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_INVALIDATE, &cmd));
	cmd.entry_len = sizeof(e[0]);
	cmd.entries = 8;
	EXPECT_EQ(-EFAULT, np_ioctl(c, VFIO_NESTED_INVALIDATE, &cmd));
	EXPECT_EQ(0, cmd.entry_num);

	/* nothing bound: the first entry goes, the second stops the batch */
	EXPECT_EQ(-ENOENT, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(1, done);
	ASSERT_EQ(0, np_bind(c, 0, self->pasid, RAM_GPA));
	EXPECT_EQ(0, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(3, done);
	/* a bad entry in the middle */
	e[1].type = 99;
	EXPECT_EQ(-EINVAL, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(1, done);
	e[1].type = VFIO_NESTED_INV_PASID;
	e[2].flags = 1U << 30;
	EXPECT_EQ(-EOPNOTSUPP, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(2, done);
	e[2].flags = 0;
	e[2].addr = IOVA + 1;
	EXPECT_EQ(-EINVAL, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(2, done);
	e[2].addr = IOVA;
	/* the PASID-less stage 1 is not bound */
	e[2].flags = VFIO_NESTED_INV_F_NO_PASID;
	e[2].pasid = 0;
	EXPECT_EQ(-ENOENT, np_invalidate(c, e, 3, &done));
	EXPECT_EQ(2, done);
	/* an empty batch is fine */
	EXPECT_EQ(0, np_invalidate(c, e, 0, &done));
	EXPECT_EQ(0, done);
}

TEST_F(nested, invalidate_devtlb)
{
	struct vfio_nested_inv_entry e = {
		.type = VFIO_NESTED_INV_DEVTLB,
		.pasid = self->pasid,
		.dev_id = self->d.group_id,
	};
	int c = self->d.container;

	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	/* every address of the PASID, on the container's device */
	EXPECT_EQ(0, np_invalidate(c, &e, 1, NULL));
	/* a device that is not the container's */
	e.dev_id = self->d.group_id + 1000;
	EXPECT_EQ(-ENOENT, np_invalidate(c, &e, 1, NULL));
}

/* ---- TEST_DMA: flow 1 --------------------------------------------------- */

static void fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

FIXTURE_VARIANT(nested) {
	bool guest;	/* bind and DMA by guest PASID */
};

FIXTURE_VARIANT_ADD(nested, host_pasid) { .guest = false };
FIXTURE_VARIANT_ADD(nested, guest_pasid) { .guest = true };

#define GPASID	123

/* Set the file, bind the fixture's stage 1 by the variant's name. */
static int bind_variant(struct __test_metadata *_metadata,
			FIXTURE_DATA(nested) * self,
			const FIXTURE_VARIANT(nested) * variant,
			__u32 *flags, __u32 *name)
{
	int c = self->d.container;

	if (np_set_ioasid_fd(c, self->ioasid))
		return -1;
	*flags = 0;
	*name = self->pasid;
	if (variant->guest) {
		if (ioasid_attach(self->ioasid, self->pasid, GPASID))
			return -1;
		*flags = VFIO_NESTED_PASID_GUEST;
		*name = GPASID;
	}
	return np_bind(c, *flags, *name, self->g.root);
}

TEST_F(nested, flow1_dma_remap_invalidate)
{
	static unsigned char buf[3 * 4096], back[sizeof(buf)];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	__u32 flags, name;
	__u64 page_c, iova = IOVA + 0x800;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	/* IOVA -> A, IOVA + 4K -> C: a DMA across both */
	page_c = np_guest_page(&self->g, NP_PAGE);
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	np_map_4k(&self->g, IOVA + NP_PAGE, page_c, PTE_USER_RW);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &flags, &name));

	fill(buf, 4096, 1);
	ASSERT_EQ(0, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name, iova,
			    buf, 4096, &out));
	EXPECT_EQ(4096, out.out_done);
	EXPECT_EQ(VFIO_NESTED_DMA_OK, out.out_status);
	EXPECT_EQ(0, out.out_page_requests);
	/* the first 2 KiB at the end of A, the rest at the start of C */
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a) + 0x800, buf, 0x800));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, page_c), buf + 0x800, 0x800));
	/* the walker set accessed and dirty in the leaf */
	EXPECT_EQ(PTE_A | PTE_D, *np_pte(&self->g, IOVA, 1) & (PTE_A | PTE_D));

	/* and it reads back */
	memset(back, 0, sizeof(back));
	ASSERT_EQ(0, np_dma(c, dev, flags, name, iova, back, 4096, NULL));
	EXPECT_EQ(0, memcmp(back, buf, 4096));

	/* remap IOVA to B without invalidation: still A (cached) */
	np_map_4k(&self->g, IOVA, self->page_b, PTE_USER_RW);
	fill(buf, 4096, 2);
	ASSERT_EQ(0, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name, IOVA,
			    buf, 4096, NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a), buf, 4096));
	memset(back, 0, 4096);
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_b), back, 4096));

	/* an invalidation of another page changes nothing */
	ASSERT_EQ(0, np_inv_addr(c, name, IOVA + NP_PAGE, 1));
	fill(buf, 4096, 3);
	ASSERT_EQ(0, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name, IOVA,
			    buf, 4096, NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a), buf, 4096));

	/* after the invalidation of the page, the new translation: B */
	ASSERT_EQ(0, np_inv_addr(c, name, IOVA, 1));
	fill(buf, 4096, 4);
	ASSERT_EQ(0, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name, IOVA,
			    buf, 4096, NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_b), buf, 4096));
	fill(back, 4096, 3);
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a), back, 4096));

	/* back to A, invalidated by PASID this time */
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	ASSERT_EQ(0, np_inv_pasid(c, name));
	memset(back, 0, 4096);
	ASSERT_EQ(0, np_dma(c, dev, flags, name, IOVA, back, 4096, NULL));
	fill(buf, 4096, 3);
	EXPECT_EQ(0, memcmp(back, buf, 4096));
}

TEST_F(nested, flow1_large_pages)
{
	static unsigned char buf[8192], back[8192];
	int c = self->d.container, dev = self->d.group_id;
	__u64 big = np_guest_page(&self->g, NP_2M);
	__u32 flags, name;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ASSERT_NE(0, big);
	np_map_2m(&self->g, IOVA_2M, big, PTE_USER_RW);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &flags, &name));
	/* across a 4 KiB boundary inside the 2 MiB page */
	fill(buf, sizeof(buf), 5);
	ASSERT_EQ(0, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name,
			    IOVA_2M + NP_2M - 3 * NP_PAGE - 100, buf,
			    sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, big + NP_2M - 3 * NP_PAGE - 100),
			    buf, sizeof(buf)));
	ASSERT_EQ(0, np_dma(c, dev, flags, name,
			    IOVA_2M + NP_2M - 3 * NP_PAGE - 100, back,
			    sizeof(back), NULL));
	EXPECT_EQ(0, memcmp(back, buf, sizeof(buf)));
}

TEST_F(nested, dma_faults)
{
	static unsigned char buf[8192];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	__u32 flags, name;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	/* the next page is not present */
	np_map_4k(&self->g, IOVA + 2 * NP_PAGE, self->page_b, PTE_P | PTE_US);
	/* a reserved bit: bit 13 of a 2 MiB page's entry */
	np_map_2m(&self->g, IOVA_RSVD, RAM_GPA | (1ULL << 13), PTE_USER_RW);
	/* a GPA outside guest RAM: stage 2 refuses */
	np_map_4k(&self->g, IOVA + 4 * NP_PAGE, RAM_GPA + RAM_SIZE + NP_PAGE,
		  PTE_USER_RW);
	/* a supervisor page */
	np_map_4k(&self->g, IOVA + 5 * NP_PAGE, self->page_b, PTE_P | PTE_RW);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &flags, &name));

	/* not present, no fault fd to ask: fails where the page starts */
	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags, name, IOVA + 0x100, buf, 8192,
				  &out));
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, out.out_status);
	EXPECT_EQ(NP_PAGE - 0x100, out.out_done);
	EXPECT_EQ(IOVA + NP_PAGE, out.out_fault_addr);

	/* read-only page: reads work, writes fault */
	EXPECT_EQ(0, np_dma(c, dev, flags, name, IOVA + 2 * NP_PAGE, buf, 16,
			    NULL));
	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags | VFIO_NESTED_DMA_WRITE, name,
				  IOVA + 2 * NP_PAGE, buf, 16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, out.out_status);
	EXPECT_EQ(0, out.out_done);

	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags, name, IOVA_RSVD + 24, buf, 16,
				  &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);
	EXPECT_EQ(IOVA_RSVD + 24, out.out_fault_addr);

	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags, name, IOVA + 4 * NP_PAGE + 8,
				  buf, 16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S2_FAULT, out.out_status);
	EXPECT_EQ(IOVA + 4 * NP_PAGE + 8, out.out_fault_addr);

	/* a user request to a supervisor page, and a privileged one */
	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags, name, IOVA + 5 * NP_PAGE, buf,
				  16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);

	/* non-canonical */
	EXPECT_EQ(-EFAULT, np_dma(c, dev, flags, name, 0x0000800000000000ULL,
				  buf, 16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_S1_FAULT, out.out_status);

	/* a PASID nothing is bound for */
	EXPECT_EQ(0, np_unbind(c, flags, name));
	EXPECT_EQ(-ENOENT, np_dma(c, dev, flags, name, IOVA, buf, 16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
	EXPECT_EQ(0, out.out_done);
}

TEST_F(nested, dma_bad)
{
	struct vfio_nested_test_dma cmd = { .size = sizeof(cmd) };
	static unsigned char buf[64];
	int c = self->d.container, dev = self->d.group_id;

	if (!test_dma_on()) {
		/* a test-only ioctl that is off does not exist */
		EXPECT_EQ(-ENOTTY, np_dma(c, dev, 0, self->pasid, IOVA, buf, 16,
					  NULL));
		SKIP(return, "allow_test_dma is off");
	}
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	ASSERT_EQ(0, np_bind(c, 0, self->pasid, self->g.root));

	EXPECT_EQ(-EINVAL, np_dma(c, dev, 0, self->pasid, IOVA, buf, 0, NULL));
	EXPECT_EQ(-EINVAL, np_dma(c, dev, 0, self->pasid, ~0ULL - 8, buf, 16,
				  NULL));
	EXPECT_EQ(-EOPNOTSUPP, np_dma(c, dev, 1U << 20, self->pasid, IOVA, buf,
				      16, NULL));
	EXPECT_EQ(-ENXIO, np_dma(c, dev + 1000, 0, self->pasid, IOVA, buf, 16,
				 NULL));
	/* an instruction fetch never writes */
	EXPECT_EQ(-EINVAL, np_dma(c, dev, VFIO_NESTED_DMA_WRITE |
				  VFIO_NESTED_DMA_EXEC, self->pasid, IOVA, buf,
				  16, NULL));
	EXPECT_EQ(-EINVAL, np_dma(c, dev, 0, 0, IOVA, buf, 16, NULL));
	EXPECT_EQ(-EINVAL, np_dma(c, dev, VFIO_NESTED_PASID_NONE, 5, IOVA, buf,
				  16, NULL));
	/* a guest PASID that names nothing */
	EXPECT_EQ(-ENOENT, np_dma(c, dev, VFIO_NESTED_PASID_GUEST, 999, IOVA,
				  buf, 16, NULL));
	/* an unreadable buffer for a device write */
	EXPECT_EQ(-EFAULT, np_dma(c, dev, VFIO_NESTED_DMA_WRITE, self->pasid,
				  IOVA, (void *)8, 16, NULL));
	cmd.dev_id = dev;
	cmd.pasid = self->pasid;
	cmd.iova = IOVA;
	cmd.length = 16;
	cmd.uptr = (uintptr_t)8;
	EXPECT_EQ(-EFAULT, np_ioctl(c, VFIO_NESTED_TEST_DMA, &cmd));
	EXPECT_EQ(VFIO_NESTED_DMA_OK, cmd.out_status);
	/* and the good one */
	EXPECT_EQ(0, np_dma(c, dev, 0, self->pasid, IOVA, buf, 16, NULL));

	/* the device must be open: closed, it is no longer registered */
	close(self->d.dev);
	self->d.dev = -1;
	EXPECT_EQ(-ENXIO, np_dma(c, dev, 0, self->pasid, IOVA, buf, 16, NULL));
}

/* PASID-less: stage 2 alone until a RID stage 1 is bound, then through it. */
TEST_F(nested, dma_no_pasid)
{
	static unsigned char buf[256];
	int c = self->d.container, dev = self->d.group_id;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	fill(buf, sizeof(buf), 7);
	ASSERT_EQ(0, np_dma(c, dev, VFIO_NESTED_PASID_NONE |
			    VFIO_NESTED_DMA_WRITE, 0, self->page_b + 16, buf,
			    sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_b) + 16, buf,
			    sizeof(buf)));

	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	ASSERT_EQ(0, np_bind(c, VFIO_NESTED_PASID_NONE, 0, self->g.root));
	fill(buf, sizeof(buf), 8);
	ASSERT_EQ(0, np_dma(c, dev, VFIO_NESTED_PASID_NONE |
			    VFIO_NESTED_DMA_WRITE, 0, IOVA + 32, buf,
			    sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a) + 32, buf,
			    sizeof(buf)));
	/* the GPA is no DMA address any more */
	EXPECT_EQ(-EFAULT, np_dma(c, dev, VFIO_NESTED_PASID_NONE, 0,
				  self->page_b, buf, 16, NULL));
}

/* The file frees a PASID while its DMA address is cached: no more DMA. */
TEST_F(nested, free_bound_pasid_dma)
{
	static unsigned char buf[64];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	__u32 flags, name;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &flags, &name));
	ASSERT_EQ(0, np_dma(c, dev, flags, name, IOVA, buf, 16, NULL));
	ASSERT_EQ(0, ioasid_free_pasid(self->ioasid, self->pasid));
	EXPECT_EQ(-ENOENT, np_dma(c, dev, flags, name, IOVA, buf, 16, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
	EXPECT_EQ(-ENOENT, np_dma(c, dev, 0, self->pasid, IOVA, buf, 16, &out));
}

/* ---- TEST_DMA_REPEAT: the same DMA N times in one call ---------------- */

TEST_F(nested, dma_repeat)
{
	static unsigned char buf[3 * 4096], back[sizeof(buf)];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	__u32 flags, name;
	__u64 page_c, iova = IOVA + 0x800;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	/* IOVA -> A, IOVA + 4K -> C, IOVA + 8K not present */
	page_c = np_guest_page(&self->g, NP_PAGE);
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	np_map_4k(&self->g, IOVA + NP_PAGE, page_c, PTE_USER_RW);
	np_map_4k(&self->g, IOVA + 2 * NP_PAGE, 0, 0);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &flags, &name));

	/* device writes, 5 times, across the page boundary */
	fill(buf, 4096, 40);
	ASSERT_EQ(0, np_dma_repeat(c, dev, flags | VFIO_NESTED_DMA_WRITE, name,
				   iova, buf, 4096, 5, &out));
	EXPECT_EQ(5, out.repeat);
	EXPECT_EQ(4096, out.out_done);
	EXPECT_EQ(VFIO_NESTED_DMA_OK, out.out_status);
	EXPECT_EQ(0, out.out_page_requests);
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a) + 0x800, buf, 0x800));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, page_c), buf + 0x800, 0x800));
	/* nothing around it was touched */
	memset(back, 0, sizeof(back));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a), back, 0x800));
	EXPECT_EQ(0, memcmp(np_hva(&self->g, page_c) + 0x800, back, 0x800));

	/* device reads, 7 times: the user buffer gets the bytes once */
	memset(back, 0x5a, sizeof(back));
	ASSERT_EQ(0, np_dma_repeat(c, dev, flags, name, iova, back, 4096, 7,
				   &out));
	EXPECT_EQ(7, out.repeat);
	EXPECT_EQ(4096, out.out_done);
	EXPECT_EQ(0, memcmp(back, buf, 4096));
	/* and not a byte past the length */
	EXPECT_EQ(0x5a, back[4096]);

	/* the largest count */
	memset(back, 0, sizeof(back));
	ASSERT_EQ(0, np_dma_repeat(c, dev, flags, name, iova + 8, back, 16,
				   VFIO_NESTED_TEST_DMA_REPEAT_MAX, &out));
	EXPECT_EQ(VFIO_NESTED_TEST_DMA_REPEAT_MAX, out.repeat);
	EXPECT_EQ(0, memcmp(back, buf + 8, 16));

	/*
	 * A fault in the first repetition ends the call: its bytes before
	 * the fault reach the user, no repetition counted as done.
	 */
	memset(back, 0, sizeof(back));
	EXPECT_EQ(-EFAULT, np_dma_repeat(c, dev, flags, name, IOVA + NP_PAGE,
					 back, 2 * 4096, 3, &out));
	EXPECT_EQ(0, out.repeat);
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, out.out_status);
	EXPECT_EQ(4096, out.out_done);
	EXPECT_EQ(IOVA + 2 * NP_PAGE, out.out_fault_addr);
	EXPECT_EQ(0, memcmp(back, buf + 0x800, 0x800));
	EXPECT_EQ(0, memcmp(back, np_hva(&self->g, page_c), 4096));

	/* a PASID nothing is bound for: no DMA, no repetition */
	ASSERT_EQ(0, np_unbind(c, flags, name));
	EXPECT_EQ(-ENOENT, np_dma_repeat(c, dev, flags, name, iova, back, 16,
					 3, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_NO_BINDING, out.out_status);
	EXPECT_EQ(0, out.repeat);
}

TEST_F(nested, dma_repeat_bad)
{
	static unsigned char buf[VFIO_NESTED_TEST_DMA_REPEAT_LEN + 4096];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	__u32 pasid = self->pasid;
	unsigned char raw[128];
	struct vfio_nested_test_dma *cmd = (void *)raw;
	unsigned int i;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	np_map_4k(&self->g, IOVA, self->page_a, PTE_USER_RW);
	fill(np_hva(&self->g, self->page_a), 4096, 50);
	ASSERT_EQ(0, np_set_ioasid_fd(c, self->ioasid));
	ASSERT_EQ(0, np_bind(c, 0, pasid, self->g.root));

	/* repeat out of bounds, and a length beyond the repeat mode's */
	EXPECT_EQ(-EINVAL, np_dma_repeat(c, dev, 0, pasid, IOVA, buf, 16, 0,
					 NULL));
	EXPECT_EQ(-EINVAL, np_dma_repeat(c, dev, 0, pasid, IOVA, buf, 16,
					 VFIO_NESTED_TEST_DMA_REPEAT_MAX + 1,
					 NULL));
	EXPECT_EQ(-EINVAL, np_dma_repeat(c, dev, 0, pasid, IOVA, buf, 16,
					 ~0U, NULL));
	EXPECT_EQ(-EINVAL, np_dma_repeat(c, dev, 0, pasid, IOVA, buf,
					 VFIO_NESTED_TEST_DMA_REPEAT_LEN + 1, 1,
					 NULL));
	EXPECT_EQ(-EINVAL, np_dma_repeat(c, dev, 0, pasid, IOVA, buf, 0, 1,
					 NULL));
	/* the largest length is accepted: it faults at IOVA's next page */
	EXPECT_EQ(-EFAULT, np_dma_repeat(c, dev, 0, pasid, IOVA, buf,
					 VFIO_NESTED_TEST_DMA_REPEAT_LEN, 2, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_PAGE_FAULT, out.out_status);
	EXPECT_EQ(4096, out.out_done);
	EXPECT_EQ(0, out.repeat);

	/* a count without the flag; the reserved word; an unknown flag */
	memset(raw, 0, sizeof(raw));
	cmd->size = sizeof(*cmd);
	cmd->dev_id = dev;
	cmd->pasid = pasid;
	cmd->iova = IOVA;
	cmd->length = 16;
	cmd->uptr = (uintptr_t)buf;
	cmd->repeat = 2;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));
	cmd->repeat = 0;
	cmd->__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));
	cmd->__reserved = 0;
	cmd->flags = VFIO_NESTED_TEST_DMA_REPEAT << 1;
	EXPECT_EQ(-EOPNOTSUPP, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));
	cmd->flags = 0;
	EXPECT_EQ(0, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));

	/*
	 * The first published size (64 bytes, no repeat): still a plain DMA,
	 * nothing written past it; with the flag the count reads as 0.
	 */
	memset(raw, 0xa5, sizeof(raw));
	memset(raw, 0, 64);
	cmd->size = 64;
	cmd->dev_id = dev;
	cmd->pasid = pasid;
	cmd->iova = IOVA;
	cmd->length = 4096;
	memset(buf, 0, 4096);
	cmd->uptr = (uintptr_t)buf;
	ASSERT_EQ(0, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));
	EXPECT_EQ(4096, cmd->out_done);
	EXPECT_EQ(0, memcmp(buf, np_hva(&self->g, self->page_a), 4096));
	for (i = 64; i < sizeof(raw); i++)
		ASSERT_EQ(0xa5, raw[i]);
	memset(raw + 64, 0xa5, sizeof(raw) - 64);
	cmd->flags = VFIO_NESTED_TEST_DMA_REPEAT;
	EXPECT_EQ(-EINVAL, np_ioctl(c, VFIO_NESTED_TEST_DMA, cmd));
	for (i = 64; i < sizeof(raw); i++)
		ASSERT_EQ(0xa5, raw[i]);

	/* user memory not accessible: EFAULT with status OK */
	EXPECT_EQ(-EFAULT, np_dma_repeat(c, dev, VFIO_NESTED_DMA_WRITE, pasid,
					 IOVA, (void *)8, 16, 4, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_OK, out.out_status);
	EXPECT_EQ(0, out.repeat);
	/* a read makes its DMAs, then cannot hand the bytes over */
	EXPECT_EQ(-EFAULT, np_dma_repeat(c, dev, 0, pasid, IOVA, (void *)8, 16,
					 4, &out));
	EXPECT_EQ(VFIO_NESTED_DMA_OK, out.out_status);
	EXPECT_EQ(4, out.repeat);
	EXPECT_EQ(16, out.out_done);
}

/* allow_test_dma off: the ioctl is unknown, the capability gone. */
TEST_F(nested, test_dma_param)
{
	struct vfio_nested_caps caps;
	static unsigned char buf[16];

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	ASSERT_EQ(0, vn_param("allow_test_dma", "N"));
	EXPECT_EQ(-ENOTTY, np_dma(self->d.container, self->d.group_id,
				  VFIO_NESTED_PASID_NONE, 0, RAM_GPA, buf, 16,
				  NULL));
	EXPECT_EQ(0, np_get_caps(self->d.container, &caps));
	EXPECT_FALSE(caps.features & VFIO_NESTED_CAP_TEST_DMA);
	ASSERT_EQ(0, vn_param("allow_test_dma", "Y"));
	EXPECT_EQ(0, np_dma(self->d.container, self->d.group_id,
			    VFIO_NESTED_PASID_NONE, 0, RAM_GPA, buf, 16, NULL));
}

/* ---- page requests: the DMA waits, an answer or an unbind ends the wait -- */

enum responder_action {
	RESP_MAP_SUCCESS,	/* make the page present, answer success */
	RESP_UNBIND,		/* unbind the PASID instead of answering */
	RESP_FREE,		/* free the PASID in /dev/ioasid instead */
};

struct responder {
	enum responder_action action;
	int fault_fd, container, ioasid;
	__u32 flags, name, pasid;
	struct np_guest *g;
	__u64 gpa;
	struct vfio_nested_fault rec;
	ssize_t got;
	int ret;
};

/* The vIOMMU's thread: read one page request and act on it. */
static void *responder_main(void *arg)
{
	struct responder *r = arg;
	struct vfio_nested_page_response resp = { .size = sizeof(resp) };

	r->got = read(r->fault_fd, &r->rec, sizeof(r->rec));
	if (r->got != sizeof(r->rec))
		return NULL;
	switch (r->action) {
	case RESP_MAP_SUCCESS:
		np_map_4k(r->g, r->rec.addr, r->gpa, PTE_USER_RW);
		resp.cookie = r->rec.cookie;
		resp.code = VFIO_NESTED_PAGE_RESP_SUCCESS;
		r->ret = write(r->fault_fd, &resp, sizeof(resp)) == sizeof(resp) ?
			 0 : -errno;
		break;
	case RESP_UNBIND:
		r->ret = np_unbind(r->container, r->flags, r->name);
		break;
	case RESP_FREE:
		r->ret = ioasid_free_pasid(r->ioasid, r->pasid);
		break;
	}
	return NULL;
}

TEST_F(nested, dma_page_request)
{
	static unsigned char buf[4096];
	struct vfio_nested_test_dma out;
	int c = self->d.container, dev = self->d.group_id;
	struct responder r = {};
	int action, ret;
	pthread_t t;

	if (!test_dma_on())
		SKIP(return, "allow_test_dma is off");
	/* IOVA's table exists, its entry is not present */
	np_map_4k(&self->g, IOVA, 0, 0);
	ASSERT_EQ(0, bind_variant(_metadata, self, variant, &r.flags, &r.name));
	r.fault_fd = np_get_fault_fd(c);
	ASSERT_LE(0, r.fault_fd);
	r.container = c;
	r.ioasid = self->ioasid;
	r.pasid = self->pasid;
	r.g = &self->g;
	r.gpa = self->page_a;

	for (action = RESP_MAP_SUCCESS; action <= RESP_FREE; action++) {
		r.action = action;
		r.got = 0;
		r.ret = -1;
		ASSERT_EQ(0, pthread_create(&t, NULL, responder_main, &r));
		fill(buf, sizeof(buf), 20 + action);
		ret = np_dma(c, dev, r.flags | VFIO_NESTED_DMA_WRITE, r.name,
			     IOVA, buf, sizeof(buf), &out);
		EXPECT_EQ(action == RESP_MAP_SUCCESS ? 0 : -EACCES, ret);
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(sizeof(r.rec), r.got);
		EXPECT_EQ(0, r.ret);
		/* the record names the PASID as bound, the page, the access */
		EXPECT_EQ(VFIO_NESTED_FAULT_PAGE_REQ, r.rec.kind);
		EXPECT_TRUE(r.rec.flags & VFIO_NESTED_FAULT_PASID_VALID);
		EXPECT_TRUE(r.rec.flags & VFIO_NESTED_FAULT_LAST_PAGE);
		EXPECT_EQ(r.name, r.rec.pasid);
		EXPECT_EQ(IOVA, r.rec.addr);
		EXPECT_EQ(self->d.group_id, r.rec.dev_id);
		EXPECT_TRUE(r.rec.perm & VFIO_NESTED_FAULT_PERM_WRITE);
		EXPECT_EQ(VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT, r.rec.reason);
		EXPECT_EQ(1, out.out_page_requests);
		if (action == RESP_MAP_SUCCESS) {
			/* retried after the answer: the bytes are in A */
			EXPECT_EQ(VFIO_NESTED_DMA_OK, out.out_status);
			EXPECT_EQ(0, memcmp(np_hva(&self->g, self->page_a), buf,
					    sizeof(buf)));
			/* make it not present again (invalidated) */
			np_map_4k(&self->g, IOVA, 0, 0);
			ASSERT_EQ(0, np_inv_addr(c, r.name, IOVA, 1));
		} else {
			/* unbound while waiting: answered "invalid" */
			EXPECT_EQ(VFIO_NESTED_DMA_RESP_INVALID, out.out_status);
			EXPECT_EQ(IOVA, out.out_fault_addr);
			EXPECT_EQ(0, out.out_done);
			EXPECT_EQ(-ENOENT, np_unbind(c, r.flags, r.name));
			if (action == RESP_UNBIND)
				ASSERT_EQ(0, np_bind(c, r.flags, r.name,
						     self->g.root));
		}
	}
	close(r.fault_fd);
}

TEST_HARNESS_MAIN
