// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_vmm: what a VMM does with /dev/ioasid for its guests.
 *
 * VM "vtd" models an Intel VT-d guest using the virtual command interface:
 * the guest asks the VMM for PASIDs and uses host PASIDs directly.
 * VM "arm" models a guest that owns its PASID space: the guest picks its
 * PASIDs, the VMM allocates host PASIDs behind them and attaches the guest
 * PASIDs, so that KVM and the IOMMU (notified by the kernel) can translate.
 * Each VM has its own /dev/ioasid file: neither can see the other's PASIDs.
 *
 * Exits 0 when every step behaved as expected, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/ioasid.h>

static int failures;

#define CHECK(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "FAIL: " fmt "\n", ##__VA_ARGS__); \
			failures++;					\
		}							\
	} while (0)

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int get_info(int fd, struct ioasid_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return xioctl(fd, IOASID_GET_INFO, info);
}

static int alloc_pasid(int fd, __u32 *pasid)
{
	struct ioasid_alloc a = { .size = sizeof(a) };
	int ret = xioctl(fd, IOASID_ALLOC, &a);

	*pasid = a.out_pasid;
	return ret;
}

static int free_pasid(int fd, __u32 pasid)
{
	struct ioasid_free f = { .size = sizeof(f), .pasid = pasid };

	return xioctl(fd, IOASID_FREE, &f);
}

static int attach(int fd, __u32 pasid, __u32 gpasid)
{
	struct ioasid_gpasid g = {
		.size = sizeof(g), .pasid = pasid, .gpasid = gpasid,
	};

	return xioctl(fd, IOASID_ATTACH_GPASID, &g);
}

static int detach(int fd, __u32 pasid)
{
	struct ioasid_gpasid g = { .size = sizeof(g), .pasid = pasid };

	return xioctl(fd, IOASID_DETACH_GPASID, &g);
}

static int translate(int fd, __u32 gpasid, __u32 *pasid)
{
	struct ioasid_translate t = { .size = sizeof(t), .gpasid = gpasid };
	int ret = xioctl(fd, IOASID_TRANSLATE_GPASID, &t);

	*pasid = t.out_pasid;
	return ret;
}

int main(void)
{
	static const __u32 guest_pasids[] = { 1, 2, 0x1234 };
	__u32 vtd[2], arm[3], h, pool0;
	struct ioasid_info info;
	int vm_vtd, vm_arm, ret;
	unsigned int i;

	vm_vtd = open("/dev/ioasid", O_RDWR);
	vm_arm = open("/dev/ioasid", O_RDWR);
	if (vm_vtd < 0 || vm_arm < 0) {
		perror("open /dev/ioasid (is the ioasid module loaded?)");
		return 1;
	}
	CHECK(!get_info(vm_vtd, &info), "GET_INFO");
	pool0 = info.pool_used;
	printf("host PASID space: %u bits, PASIDs 1..%u; %u in use\n",
	       info.pasid_bits, info.max_pasid, info.pool_used);
	printf("each VM may hold %u PASIDs (0 = unlimited)\n", info.quota);
	printf("all VMs of this user may hold %u PASIDs together (0 = unlimited)\n",
	       info.user_quota);

	/* VT-d guest: VCMD "allocate PASID" traps to the VMM. */
	printf("\n[vm vtd] guest issues VCMD_ALLOC_PASID twice\n");
	for (i = 0; i < 2; i++) {
		ret = alloc_pasid(vm_vtd, &vtd[i]);
		CHECK(!ret, "vtd alloc: %s", strerror(-ret));
		printf("[vm vtd]   -> host PASID %u returned to the guest\n", vtd[i]);
	}

	/* Guest-owned PASID space: attach guest PASIDs to host ones. */
	printf("\n[vm arm] guest uses its own PASIDs; VMM backs each by a host PASID\n");
	for (i = 0; i < 3; i++) {
		ret = alloc_pasid(vm_arm, &arm[i]);
		CHECK(!ret, "arm alloc: %s", strerror(-ret));
		ret = attach(vm_arm, arm[i], guest_pasids[i]);
		CHECK(!ret, "attach: %s", strerror(-ret));
		printf("[vm arm]   guest PASID %#x -> host PASID %u (BIND notified)\n",
		       guest_pasids[i], arm[i]);
	}

	/* A descriptor arrives with guest PASID 0x1234: translate it. */
	ret = translate(vm_arm, 0x1234, &h);
	CHECK(!ret && h == arm[2], "translate 0x1234: %s", strerror(-ret));
	printf("[vm arm] descriptor with guest PASID 0x1234 runs as host PASID %u\n", h);

	/* Isolation: the other VM neither sees nor frees these PASIDs. */
	ret = translate(vm_vtd, 0x1234, &h);
	CHECK(ret == -ENOENT, "vtd saw arm's guest PASID (%d)", ret);
	ret = free_pasid(vm_vtd, arm[0]);
	CHECK(ret == -ENOENT, "vtd freed arm's PASID (%d)", ret);
	ret = attach(vm_vtd, arm[1], 7);
	CHECK(ret == -ENOENT, "vtd attached arm's PASID (%d)", ret);
	printf("[vm vtd] cannot translate, free or attach vm arm's PASIDs: ENOENT\n");

	/* Guest unbinds and frees one PASID. */
	CHECK(!detach(vm_arm, arm[0]), "detach");
	CHECK(translate(vm_arm, guest_pasids[0], &h) == -ENOENT, "still mapped");
	CHECK(!free_pasid(vm_arm, arm[0]), "free");
	printf("[vm arm] guest PASID %#x unbound (UNBIND), host PASID %u freed (FREE)\n",
	       guest_pasids[0], arm[0]);

	CHECK(!get_info(vm_arm, &info), "GET_INFO");
	printf("[vm arm] holds %u PASIDs; [pool] %u in use\n", info.used,
	       info.pool_used);
	CHECK(info.used == 2 && info.pool_used == pool0 + 4,
	      "accounting: used %u pool %u", info.used, info.pool_used);

	/* VM shutdown: closing the file frees the rest, with notifications. */
	close(vm_arm);
	CHECK(!free_pasid(vm_vtd, vtd[0]), "vtd free");
	close(vm_vtd);
	vm_vtd = open("/dev/ioasid", O_RDWR);
	CHECK(vm_vtd >= 0 && !get_info(vm_vtd, &info), "reopen");
	printf("\nboth VMs shut down: %u PASIDs in use in the pool\n", info.pool_used);
	CHECK(info.pool_used == pool0, "leak: %u in use, %u before",
	      info.pool_used, pool0);
	close(vm_vtd);

	printf("%s\n", failures ? "ioasid_vmm: FAILED" : "ioasid_vmm: OK");
	return failures ? 1 : 0;
}
