// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: flow 2 of DESIGN.md (ENQCMD) with real KVM VMs, created as the
 * kvm_pasid selftests create them. The device gets its VM from the KVM-VFIO
 * device, the VM is attached to the VMM's /dev/ioasid set on
 * /dev/kvm_pasid, and a shared queue in guest-PASID mode translates the
 * guest PASID every descriptor carries through the VM's table: a bound
 * guest PASID executes with its host PASID, an unbound one is not
 * accepted (and never executes with any PASID), the portal stays closed
 * until translation is live, and two VMs using the same guest PASID
 * number each reach only their own memory.
 */
#include "sva_utils.h"
#include "../kvm_pasid/kvm_pasid_utils.h"

/* Test mdevs of this program: SVA_UUID(0x40) to (0x5f). */
#define UUID_VM1	0x40
#define UUID_VM2	0x41
#define RAM_SIZE	(2ULL << 20)
#define QS		1
#define GPASID		0x123
#define GPASID2		0x456

/* A VMM with one VM and one sva_sim device given to it. */
struct vmm {
	struct kp_vm vm;
	int kvm_vfio;
	int kp;
	struct sva_env e;
};

static void vmm_init(struct vmm *v)
{
	memset(v, 0, sizeof(*v));
	v->vm.fd = -1;
	v->vm.kvm = -1;
	v->kvm_vfio = -1;
	v->kp = -1;
	v->e.ioasid = -1;
	sva_dev_init(&v->e.d);
}

/*
 * The VM, its KVM-VFIO device with the instance's group, the device, guest
 * RAM with a stage 1 bound for a host PASID, that PASID attached as guest
 * PASID @gpasid in the VMM's /dev/ioasid set. Not attached on
 * /dev/kvm_pasid yet.
 */
static int vmm_setup(struct vmm *v, unsigned int n, __u32 gpasid)
{
	int ret;

	ret = kp_vm_create(&v->vm, 1);
	if (ret)
		return ret;
	v->kvm_vfio = sva_kvm_vfio_dev(v->vm.fd);
	if (v->kvm_vfio < 0)
		return v->kvm_vfio;
	ret = sva_env_setup_kvm(&v->e, n, NULL, RAM_SIZE, v->kvm_vfio);
	if (ret)
		return ret;
	ret = ioasid_attach(v->e.ioasid, v->e.pasid, gpasid);
	if (ret)
		return ret;
	v->kp = open(KP_DEV, O_RDWR | O_CLOEXEC);
	return v->kp < 0 ? -errno : 0;
}

static void vmm_teardown(struct vmm *v)
{
	sva_env_teardown(&v->e);
	if (v->kp >= 0)
		close(v->kp);
	if (v->kvm_vfio >= 0)
		close(v->kvm_vfio);
	kp_vm_destroy(&v->vm);
	v->kp = -1;
	v->kvm_vfio = -1;
}

static bool kvm_usable(void)
{
	return kp_have_kvm() && !access(KP_DEV, R_OK | W_OK);
}

FIXTURE(kvm) {
	struct vmm a;
};

FIXTURE_SETUP(kvm)
{
	int ret;

	vmm_init(&self->a);
	if (!sva_present())
		SKIP(return, "sva_sim, the nested backend or /dev/ioasid missing");
	if (!kvm_usable())
		SKIP(return, "no /dev/kvm or /dev/kvm_pasid");
	ret = vmm_setup(&self->a, UUID_VM1, GPASID);
	ASSERT_EQ(0, ret) TH_LOG("set-up: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(kvm)
{
	vmm_teardown(&self->a);
}

/* Flow 2: closed until attached, then a guest PASID translated. */
TEST_F(kvm, guest_pasid_translated)
{
	struct sva_env *e = &self->a.e;
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(e, 32, (void **)&cr);
	__u8 *buf;
	__u64 b = sva_buf(e, 4096, (void **)&buf);
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_FILL, GPASID, 4096, 0, b, c);
	struct sva_sim_queue_info qi;
	struct sva_sim_stats st;
	struct sva_sim_info info;
	int i;

	d.pattern = 0x1122334455667788ULL;
	ASSERT_EQ(0, sva_get_info(e->d.dev, &info));
	EXPECT_TRUE(info.out_flags & SVA_SIM_INFO_KVM);
	/* the VM is not attached on /dev/kvm_pasid: the portal stays closed */
	EXPECT_EQ(-ENOTCONN, sva_enable(e->d.dev, QS,
					SVA_SIM_QUEUE_F_GUEST_PASID));
	EXPECT_EQ(-ENXIO, sva_submit(&e->d, QS, &d));
	ASSERT_EQ(0, sva_queue_info(e->d.dev, QS, &qi));
	EXPECT_EQ(SVA_SIM_QUEUE_DISABLED, qi.state);

	ASSERT_EQ(0, kp_attach(self->a.kp, self->a.vm.fd, e->ioasid));
	EXPECT_EQ(e->pasid, kp_translate(self->a.kp, GPASID));
	ASSERT_EQ(0, sva_enable(e->d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID));
	ASSERT_EQ(0, sva_queue_info(e->d.dev, QS, &qi));
	EXPECT_TRUE(qi.out_flags & SVA_SIM_QUEUE_F_GUEST_PASID);
	ASSERT_EQ(0, sva_submit(&e->d, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr, SVA_WAIT_MS));
	for (i = 0; i < 4096; i++)
		if (buf[i] != (__u8)(d.pattern >> (8 * (i % 8))))
			break;
	EXPECT_EQ(4096, i);
	ASSERT_EQ(0, sva_stats(e->d.dev, QS, &st));
	EXPECT_EQ(1, st.accepted);
	EXPECT_EQ(4096, st.bytes);

	/* the host PASID is no guest PASID of the VM: not accepted */
	if (e->pasid != GPASID && e->pasid != GPASID2) {
		d.pasid = e->pasid;
		EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));
	}
	/* the mapped page answers the same */
	if (info.out_flags & SVA_SIM_INFO_MMAP) {
		int kick = eventfd(0, EFD_CLOEXEC);

		ASSERT_LE(0, kick);
		ASSERT_EQ(0, sva_set_kick(e->d.dev, QS, kick));
		ASSERT_EQ(0, sva_portal_map(&e->d));
		d.pasid = GPASID2;
		EXPECT_EQ(-EACCES, sva_submit_mapped(&e->d, QS, kick, &d));
		d.pasid = GPASID;
		memset(cr, 0, 32);
		memset(buf, 0, 4096);
		EXPECT_EQ(0, sva_submit_mapped(&e->d, QS, kick, &d));
		EXPECT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr, SVA_WAIT_MS));
		EXPECT_EQ(0x88, buf[4088]);
		close(kick);
	}
}

/*
 * An unbound guest PASID is not accepted and never executes; the table
 * follows the VMM's binds and unbinds; detaching the VM stops translation.
 */
TEST_F(kvm, unbound_guest_pasid_refused)
{
	struct sva_env *e = &self->a.e;
	struct sva_sim_completion *cr;
	__u64 c = sva_buf(e, 32, (void **)&cr);
	__u8 *buf;
	__u64 b = sva_buf(e, 4096, (void **)&buf);
	struct sva_sim_desc d = sva_desc(SVA_SIM_OP_FILL, GPASID2, 4096, 0, b, c);
	struct sva_sim_stats st;
	__u32 h2;

	d.pattern = 0x0101010101010101ULL;
	ASSERT_EQ(0, kp_attach(self->a.kp, self->a.vm.fd, e->ioasid));
	ASSERT_EQ(0, sva_enable(e->d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID));
	EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));
	/* 0 and wider than 20 bits: malformed or refused, never executed */
	d.pasid = 0;
	EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));
	usleep(20000);
	EXPECT_EQ(0, cr->status);
	EXPECT_EQ(0, buf[0]);
	ASSERT_EQ(0, sva_stats(e->d.dev, QS, &st));
	EXPECT_EQ(2, st.refused);
	EXPECT_EQ(0, st.accepted);

	/* the VMM binds GPASID2 to a new host PASID with its own stage 1 */
	ASSERT_EQ(0, ioasid_alloc_any(e->ioasid, &h2));
	ASSERT_EQ(0, np_bind(e->d.container, 0, h2, e->g.root));
	ASSERT_EQ(0, ioasid_attach(e->ioasid, h2, GPASID2));
	d.pasid = GPASID2;
	ASSERT_EQ(0, sva_submit(&e->d, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr, SVA_WAIT_MS));
	EXPECT_EQ(1, buf[4095]);

	/* unbound again (IOASID_DETACH_GPASID): refused again */
	ASSERT_EQ(0, ioasid_detach(e->ioasid, h2));
	EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));
	/* freed: the same */
	d.pasid = GPASID;
	ASSERT_EQ(0, ioasid_free_pasid(e->ioasid, e->pasid));
	EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));

	/* detached: translation is not live, nothing is accepted */
	ASSERT_EQ(0, ioasid_attach(e->ioasid, h2, GPASID2));
	d.pasid = GPASID2;
	memset(cr, 0, 32);
	ASSERT_EQ(0, sva_submit(&e->d, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cr, SVA_WAIT_MS));
	ASSERT_EQ(0, kp_detach(self->a.kp));
	EXPECT_EQ(-EACCES, sva_submit(&e->d, QS, &d));
	/* and a queue enabled now finds no attachment */
	ASSERT_EQ(0, sva_disable(e->d.dev, QS, 0));
	EXPECT_EQ(-ENOTCONN, sva_enable(e->d.dev, QS,
					SVA_SIM_QUEUE_F_GUEST_PASID));
}

/*
 * Two VMs, each with its device and the same guest PASID number bound to
 * host PASIDs of their own sets, their memory at the same addresses: each
 * device's descriptors reach only its own VM's memory; a guest PASID only
 * the other VM has is refused.
 */
TEST_F(kvm, other_vm_never_reached)
{
	struct vmm b;
	struct sva_env *ea = &self->a.e, *eb;
	struct sva_sim_completion *cra, *crb;
	__u8 *bufa, *bufb;
	__u64 ca, cb, xa, xb;
	struct sva_sim_desc d;
	__u32 hb2;
	int i, ret;

	vmm_init(&b);
	ret = vmm_setup(&b, UUID_VM2, GPASID);
	ASSERT_EQ(0, ret) TH_LOG("second VM: %s", strerror(-ret));
	eb = &b.e;
	ca = sva_buf(ea, 32, (void **)&cra);
	cb = sva_buf(eb, 32, (void **)&crb);
	xa = sva_buf(ea, 4096, (void **)&bufa);
	xb = sva_buf(eb, 4096, (void **)&bufb);
	ASSERT_EQ(ca, cb);
	ASSERT_EQ(xa, xb);
	memset(bufa, 0xaa, 4096);
	memset(bufb, 0xbb, 4096);
	/* VM b also has a guest PASID VM a does not */
	ASSERT_EQ(0, ioasid_alloc_any(eb->ioasid, &hb2));
	ASSERT_EQ(0, np_bind(eb->d.container, 0, hb2, eb->g.root));
	ASSERT_EQ(0, ioasid_attach(eb->ioasid, hb2, GPASID2));

	ASSERT_EQ(0, kp_attach(self->a.kp, self->a.vm.fd, ea->ioasid));
	ASSERT_EQ(0, kp_attach(b.kp, b.vm.fd, eb->ioasid));
	ASSERT_EQ(0, sva_enable(ea->d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID));
	ASSERT_EQ(0, sva_enable(eb->d.dev, QS, SVA_SIM_QUEUE_F_GUEST_PASID));

	/* a's descriptor with GPASID: a's memory only */
	d = sva_desc(SVA_SIM_OP_FILL, GPASID, 4096, 0, xa, ca);
	d.pattern = 0x1111111111111111ULL;
	ASSERT_EQ(0, sva_submit(&ea->d, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(cra, SVA_WAIT_MS));
	/* b's guest PASID that a lacks: refused on a's device */
	d.pasid = GPASID2;
	EXPECT_EQ(-EACCES, sva_submit(&ea->d, QS, &d));
	/* b's host PASIDs are not guest PASIDs of a */
	if (eb->pasid != GPASID && eb->pasid != GPASID2) {
		d.pasid = eb->pasid;
		EXPECT_EQ(-EACCES, sva_submit(&ea->d, QS, &d));
	}
	if (hb2 != GPASID && hb2 != GPASID2) {
		d.pasid = hb2;
		EXPECT_EQ(-EACCES, sva_submit(&ea->d, QS, &d));
	}
	ASSERT_EQ(0, sva_drain(ea->d.dev, QS, 0));
	for (i = 0; i < 4096; i++)
		if (bufa[i] != 0x11 || bufb[i] != 0xbb)
			break;
	EXPECT_EQ(4096, i);
	EXPECT_EQ(0, crb->status);

	/* b's descriptor with the same GPASID: b's memory only */
	d = sva_desc(SVA_SIM_OP_FILL, GPASID, 4096, 0, xb, cb);
	d.pattern = 0x2222222222222222ULL;
	ASSERT_EQ(0, sva_submit(&eb->d, QS, &d));
	ASSERT_EQ(SVA_SIM_COMP_SUCCESS, sva_wait_cr(crb, SVA_WAIT_MS));
	for (i = 0; i < 4096; i++)
		if (bufa[i] != 0x11 || bufb[i] != 0x22)
			break;
	EXPECT_EQ(4096, i);
	vmm_teardown(&b);
}

/* One VM held for the whole program: see kp_hold_kvm(). */
static void __attribute__((constructor)) sva_kvm_test_init(void)
{
	kp_hold_kvm();
}

TEST_HARNESS_MAIN
