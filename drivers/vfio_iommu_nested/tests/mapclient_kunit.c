// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the rules of vfio_nested_register_map_client() and
 * vfio_nested_unregister_map_client() (drivers/vfio_iommu_nested/
 * mapclient.c). What the backend does with a client's ops is tested
 * through the test mdev (selftests/vfio_iommu_nested/nested_mc_test.c).
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>

static int mck_map(struct vfio_device *vdev, u64 iova, u64 size,
		   phys_addr_t pa, bool write)
{
	return 0;
}

static int mck_map_va(struct vfio_device *vdev, u64 iova, u64 size,
		      unsigned long vaddr, struct mm_struct *mm, bool write)
{
	return 0;
}

static void mck_unmap(struct vfio_device *vdev, u64 iova, u64 size)
{
}

static const struct vfio_nested_map_client_ops mck_pa = {
	.map = mck_map, .unmap = mck_unmap,
};

static const struct vfio_nested_map_client_ops mck_va = {
	.map_va = mck_map_va, .unmap = mck_unmap,
};

/* A client has ->unmap and exactly one of ->map and ->map_va. */
static void mck_test_ops_rules(struct kunit *test)
{
	static const struct vfio_nested_map_client_ops neither = {
		.unmap = mck_unmap,
	};
	static const struct vfio_nested_map_client_ops both = {
		.map = mck_map, .map_va = mck_map_va, .unmap = mck_unmap,
	};
	static const struct vfio_nested_map_client_ops no_unmap = {
		.map = mck_map,
	};
	struct vfio_device *vdev = kunit_kzalloc(test, sizeof(*vdev), GFP_KERNEL);
	struct device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vdev);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(NULL, &mck_pa));
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(vdev, &mck_pa));
	vdev->dev = dev;
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(vdev, NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(vdev, &neither));
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(vdev, &both));
	KUNIT_EXPECT_EQ(test, -EINVAL, vfio_nested_register_map_client(vdev, &no_unmap));
	/* none of those registered it: a valid one still can */
	KUNIT_EXPECT_EQ(test, 0, vfio_nested_register_map_client(vdev, &mck_va));
	vfio_nested_unregister_map_client(vdev);
}

/* One registration per device; unregistering frees the slot. */
static void mck_test_once(struct kunit *test)
{
	struct vfio_device *vdev = kunit_kzalloc(test, sizeof(*vdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vdev);
	vdev->dev = kunit_kzalloc(test, sizeof(*vdev->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vdev->dev);
	KUNIT_EXPECT_EQ(test, 0, vfio_nested_register_map_client(vdev, &mck_pa));
	KUNIT_EXPECT_EQ(test, -EBUSY, vfio_nested_register_map_client(vdev, &mck_va));
	/* not opened in a container: not served */
	KUNIT_EXPECT_FALSE(test, vfio_nested_map_client_served(vdev));
	vfio_nested_unregister_map_client(vdev);
	KUNIT_EXPECT_EQ(test, 0, vfio_nested_register_map_client(vdev, &mck_va));
	vfio_nested_unregister_map_client(vdev);
	/* unregistering a device that is not a client does nothing */
	vfio_nested_unregister_map_client(vdev);
	vfio_nested_unregister_map_client(NULL);
}

static struct kunit_case mck_cases[] = {
	KUNIT_CASE(mck_test_ops_rules),
	KUNIT_CASE(mck_test_once),
	{}
};

static struct kunit_suite mck_suite = {
	.name = "vfio_iommu_nested_mapclient",
	.test_cases = mck_cases,
};

kunit_test_suite(mck_suite);

MODULE_IMPORT_NS(VFIO_NESTED_NS);
