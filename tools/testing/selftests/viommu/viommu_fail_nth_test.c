// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweep over pvm_viommu's paths: fail the 1st, 2nd, ...
 * injectable call (slab, page allocation, user copy) of one operation
 * until it runs clean, at most SWEEP_MAX times. The VM (container, test
 * mdev, guest RAM) is made once per path; each step makes what the path
 * needs, arms the fault, runs it and checks that a failure changed
 * nothing, then undoes it. Paths (representative, not every ioctl):
 * CREATE, SET_DEVICE, the command processor binding a device table
 * entry's GCR3 PASIDs (DOORBELL), the event log written by
 * INSERT_EVENT, and the release of a vIOMMU that holds bindings. The VM's
 * log scan catches any WARN, KASAN, lockdep or leak report.
 */
#include "../fail_nth.h"
#include "viommu_utils.h"

#define RAM_GPA		0x100000000ULL	/* 4 GiB */
#define RAM_SIZE	0x100000ULL	/* 1 MiB */
#define IOVA		0x00007f1234560000ULL
#define GDEV		0x08
#define GDOM		0x11
#define GPASID		9
#define SWEEP_MAX	64
#define EVT_DTE		PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY
#define EVT_HW		PVM_VIOMMU_EVT_COMMAND_HARDWARE_ERROR

enum sweep_kind {
	SWEEP_CREATE,
	SWEEP_SET_DEVICE,
	SWEEP_DEVTAB,
	SWEEP_INSERT,
	SWEEP_RELEASE,
};

FIXTURE(fail_nth) {
	int nth_fd;
	struct vi_vm vm;
	__u64 root, gcr3, page;
};

FIXTURE_VARIANT(fail_nth) {
	enum sweep_kind kind;
};

FIXTURE_VARIANT_ADD(fail_nth, create) { .kind = SWEEP_CREATE };
FIXTURE_VARIANT_ADD(fail_nth, set_device) { .kind = SWEEP_SET_DEVICE };
FIXTURE_VARIANT_ADD(fail_nth, devtab_bind) { .kind = SWEEP_DEVTAB };
FIXTURE_VARIANT_ADD(fail_nth, insert_event) { .kind = SWEEP_INSERT };
FIXTURE_VARIANT_ADD(fail_nth, release) { .kind = SWEEP_RELEASE };

FIXTURE_SETUP(fail_nth)
{
	struct np_guest *g = &self->vm.g;

	self->nth_fd = -1;
	self->vm.container = -1;
	self->vm.ioasid = -1;
	if (!vi_present())
		SKIP(return, "pvm_viommu, vfio_nested_testdev or ioasid not loaded");
	if (!np_test_dma_on())
		SKIP(return, "allow_test_dma is off");
	if (!fault_injection_setup())
		SKIP(return, "fault injection (debugfs failslab) not available");
	self->nth_fd = fail_nth_open();
	if (self->nth_fd < 0)
		SKIP(return, "no per-task fail-nth");
	ASSERT_EQ(0, vi_vm_open(&self->vm, VI_UUID_BASE + 0x10, 1, RAM_GPA,
				RAM_SIZE));
	ASSERT_EQ(0, vi_vm_gpasid(&self->vm, GPASID));
	self->page = np_guest_page(g, NP_PAGE);
	self->root = vi_pt_new(g);
	self->gcr3 = np_guest_page(g, NP_PAGE);
	ASSERT_NE(0, self->gcr3);
	vi_pt_map(g, self->root, IOVA, self->page, PTE_USER_RW);
	ASSERT_EQ(0, vi_gcr3_set(g, self->gcr3, 0, GPASID, self->root));
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->nth_fd >= 0)
		close(self->nth_fd);
	vi_vm_close(&self->vm);
}

/* A failed call says why with ENOMEM or EFAULT, nothing else. */
static void expect_injected(struct __test_metadata *_metadata, int ret)
{
	EXPECT_TRUE(!ret || ret == -ENOMEM || ret == -EFAULT)
		TH_LOG("unexpected %d", ret);
}

/* Does the device's DMA by GPASID reach the page (is it bound)? */
static bool bound(struct vi_vm *vm)
{
	struct vfio_nested_test_dma out;
	__u64 val;

	return vi_dma(vm, 0, GPASID, IOVA, &val, 8, false, &out) == 0;
}

TEST_F_TIMEOUT(fail_nth, sweep, 120)
{
	struct pvm_viommu_insert ins = { .argsz = sizeof(ins) };
	struct pvm_viommu_doorbell db;
	struct vi_iommu v = { .fd = -1 };
	struct vi_event e;
	bool fired = true;
	unsigned int nth;
	int ret, fd;

	for (nth = 1; fired && nth <= SWEEP_MAX; nth++) {
		/* the state the path starts from, made without injection */
		if (variant->kind != SWEEP_CREATE) {
			ASSERT_EQ(0, vi_iommu_init(&v, &self->vm, 0, 1, 256));
			ASSERT_EQ(0, vi_set_domain(v.fd, GDOM, 1));
		}
		if (variant->kind == SWEEP_DEVTAB ||
		    variant->kind == SWEEP_RELEASE) {
			ASSERT_EQ(0, vi_set_device(v.fd, GDEV,
						   self->vm.dev[0].fd));
			vi_dte_gt(vi_dte(&v, GDEV), GDOM, self->gcr3, 0, true);
			ASSERT_EQ(0, vi_cmd_queue(&v, vi_cmd_inv_devtab(GDEV)));
			vi_cmd_publish(&v);
		}
		if (variant->kind == SWEEP_RELEASE) {
			ASSERT_EQ(0, vi_doorbell(v.fd, &db));
			ASSERT_EQ(1, db.out_executed);
			ASSERT_TRUE(bound(&self->vm));
		}

		ASSERT_EQ(0, fail_nth_set(self->nth_fd, nth));
		switch (variant->kind) {
		case SWEEP_CREATE:
			fd = vi_open();
			ret = fd < 0 ? fd : vi_create(fd, self->vm.container,
						      0, 0);
			fired = fail_nth_fired(self->nth_fd);
			expect_injected(_metadata, ret);
			if (fd >= 0) {
				/* a failed CREATE leaves the guest ID free */
				if (ret)
					EXPECT_EQ(-ENODEV, vi_doorbell(fd, NULL));
				close(fd);
			}
			break;
		case SWEEP_SET_DEVICE:
			ret = vi_set_device(v.fd, GDEV, self->vm.dev[0].fd);
			fired = fail_nth_fired(self->nth_fd);
			expect_injected(_metadata, ret);
			EXPECT_EQ(ret ? -ENOENT : self->vm.dev[0].group_id,
				  vi_query_device(v.fd, GDEV));
			/* a failed SET leaves the device free */
			if (ret) {
				EXPECT_EQ(0, vi_set_device(v.fd, GDEV + 8,
							   self->vm.dev[0].fd));
			}
			break;
		case SWEEP_DEVTAB:
			ret = vi_doorbell(v.fd, &db);
			fired = fail_nth_fired(self->nth_fd);
			expect_injected(_metadata, ret);
			/*
			 * Either the entry is in force, or the processor
			 * stopped on it with an event and nothing is bound.
			 */
			if (!ret && db.out_executed == 1) {
				EXPECT_TRUE(bound(&self->vm));
			} else if (!ret) {
				EXPECT_EQ(0, db.out_status &
					  PVM_VIOMMU_STATUS_CMDBUF_RUN);
				EXPECT_FALSE(bound(&self->vm));
				/* (a failed log write drops the event) */
				if (vi_evt_pop(&v, &e, NULL)) {
					EXPECT_TRUE(e.code == EVT_DTE ||
						    e.code == EVT_HW);
				}
			}
			break;
		case SWEEP_INSERT:
			ins.entry[0] = (__u64)PVM_VIOMMU_EVT_IO_PAGE_FAULT << 60 |
				       GDEV;
			ins.entry[1] = nth << 12;
			ret = np_ioctl(v.fd, PVM_VIOMMU_INSERT_EVENT, &ins);
			fired = fail_nth_fired(self->nth_fd);
			expect_injected(_metadata, ret);
			/*
			 * ENOMEM: nothing written. EFAULT: the argument was
			 * not read (nothing written), or the output could
			 * not be written back after the entry was (as for
			 * every ioctl with outputs): at most the one entry.
			 */
			if (!vi_evt_pop(&v, &e, NULL)) {
				EXPECT_NE(0, ret);
			} else {
				EXPECT_TRUE(ret == 0 || ret == -EFAULT);
				EXPECT_EQ(nth << 12, e.addr);
				EXPECT_FALSE(vi_evt_pop(&v, &e, NULL));
			}
			break;
		case SWEEP_RELEASE:
			vi_iommu_close(&v);
			fired = fail_nth_fired(self->nth_fd);
			/* whatever failed inside, the binding is gone */
			EXPECT_FALSE(bound(&self->vm));
			break;
		}
		vi_iommu_close(&v);
		/* nothing stays bound for the next step */
		EXPECT_FALSE(bound(&self->vm));
	}
	TH_LOG("%s: clean after %u injected failures",
	       variant->kind == SWEEP_CREATE ? "create" : "path", nth - 2);
	EXPECT_FALSE(fired);
}

TEST_HARNESS_MAIN
