// SPDX-License-Identifier: GPL-2.0
/*
 * The test VM provides what the modules of this tree are tested on: KVM
 * (SVM under QEMU's -cpu max), an emulated VT-d with interrupt remapping,
 * and VFIO type1 doing real DMA through it with QEMU's "edu" device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
#define IOVA		0x100000UL	/* below edu's 28-bit DMA mask */

TEST(kvm_creates_a_vm)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR);
	ASSERT_LE(0, kvm) TH_LOG("/dev/kvm: %s", strerror(errno));
	ASSERT_EQ(KVM_API_VERSION, ioctl(kvm, KVM_GET_API_VERSION, 0));
	EXPECT_LT(0, ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	EXPECT_LE(0, ioctl(vm, KVM_CREATE_VCPU, 0));
	close(vm);
	close(kvm);
}

TEST(intel_iommu_with_irq_remapping)
{
	char line[256];
	bool ir = false;
	FILE *f;

	ASSERT_EQ(0, access("/sys/class/iommu/dmar0", F_OK));
	f = popen("dmesg", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "Enabled IRQ remapping"))
			ir = true;
	pclose(f);
	EXPECT_TRUE(ir);
}

static int read_hex(const char *path, unsigned int *val)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -1;
	ret = fscanf(f, "%x", val) == 1 ? 0 : -1;
	fclose(f);
	return ret;
}

/* Find QEMU's edu device, bind it to vfio-pci and return its address. */
static int edu_to_vfio(char *bdf, size_t len, int *group)
{
	char path[600], link[512];
	struct dirent *d;
	unsigned int v, dv;
	ssize_t n;
	DIR *dir;
	int fd, found = -1;

	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", d->d_name);
		if (read_hex(path, &v))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", d->d_name);
		if (read_hex(path, &dv))
			continue;
		if (v == EDU_VENDOR && dv == EDU_DEVICE) {
			snprintf(bdf, len, "%s", d->d_name);
			found = 0;
			break;
		}
	}
	closedir(dir);
	if (found)
		return -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "vfio-pci", 8) != 8)
		return -1;
	close(fd);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	if (access(path, F_OK)) {
		fd = open("/sys/bus/pci/drivers_probe", O_WRONLY);
		if (fd < 0 || write(fd, bdf, strlen(bdf)) < 0)
			return -1;
		close(fd);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	*group = atoi(strrchr(link, '/') + 1);
	return 0;
}

/* BAR0 access through the VFIO device fd's region, as a VMM would do it */
struct edu {
	int dev;
	__u64 bar;
};

static __u64 edu_read(struct edu *e, unsigned int off, size_t size)
{
	__u64 v = 0;

	if (pread(e->dev, &v, size, e->bar + off) != (ssize_t)size)
		return ~0ULL;
	return v;
}

static int edu_write(struct edu *e, unsigned int off, __u64 v, size_t size)
{
	return pwrite(e->dev, &v, size, e->bar + off) == (ssize_t)size ? 0 : -1;
}

static int edu_dma(struct edu *e, __u64 src, __u64 dst, __u64 n, __u64 cmd)
{
	int i;

	if (edu_write(e, EDU_DMA_SRC, src, 8) || edu_write(e, EDU_DMA_DST, dst, 8) ||
	    edu_write(e, EDU_DMA_CNT, n, 8) || edu_write(e, EDU_DMA_CMD, cmd, 8))
		return -1;
	for (i = 0; i < 100000; i++) {
		if (!(edu_read(e, EDU_DMA_CMD, 8) & EDU_CMD_START))
			return 0;
		usleep(10);
	}
	return -1;
}

TEST(vfio_type1_dma_through_vtd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	size_t len = 4096, n = 1024;
	int container, group, gnum;
	char bdf[256], path[64];
	unsigned char *buf;
	struct edu e;
	__u16 cmd;
	size_t i;

	ASSERT_EQ(0, edu_to_vfio(bdf, sizeof(bdf), &gnum))
		TH_LOG("no edu device bound to vfio-pci");

	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(VFIO_API_VERSION, ioctl(container, VFIO_GET_API_VERSION));
	ASSERT_TRUE(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	snprintf(path, sizeof(path), "/dev/vfio/%d", gnum);
	group = open(path, O_RDWR);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_VIABLE);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		TH_LOG("VFIO_SET_IOMMU: %s", strerror(errno));
	e.dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	ASSERT_LE(0, e.dev);

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(e.dev, VFIO_DEVICE_GET_REGION_INFO, &reg));
	e.bar = reg.offset;
	ASSERT_EQ(0x010000edu, edu_read(&e, EDU_ID, 4));
	ASSERT_EQ(0, edu_write(&e, EDU_LIVENESS, 0x12345678, 4));
	ASSERT_EQ(~0x12345678u, edu_read(&e, EDU_LIVENESS, 4));

	/* bus mastering on, through the emulated config space */
	cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	ASSERT_EQ(0, ioctl(e.dev, VFIO_DEVICE_GET_REGION_INFO, &cfg));
	ASSERT_EQ(2, pread(e.dev, &cmd, 2, cfg.offset + 4));
	cmd |= 0x4;
	ASSERT_EQ(2, pwrite(e.dev, &cmd, 2, cfg.offset + 4));

	buf = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	memset(buf + len, 0, len);
	map.vaddr = (uintptr_t)buf;
	map.iova = IOVA;
	map.size = 2 * len;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		TH_LOG("MAP_DMA: %s", strerror(errno));

	/* RAM -> device buffer, then device buffer -> RAM at another IOVA */
	ASSERT_EQ(0, edu_dma(&e, IOVA, EDU_BUF, n, EDU_CMD_START));
	ASSERT_EQ(0, edu_dma(&e, EDU_BUF, IOVA + len, n, EDU_CMD_START | EDU_CMD_TO_RAM));
	EXPECT_EQ(0, memcmp(buf, buf + len, n));

	unmap.iova = IOVA;
	unmap.size = 2 * len;
	EXPECT_EQ(0, ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(2 * len, unmap.size);
	close(e.dev);
	close(group);
	close(container);
	munmap(buf, 2 * len);
}

TEST_HARNESS_MAIN
