// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: a VFIO IOMMU backend with two-stage translation.
 *
 * Scaffolding: the container, stage 2 and the ioctls land here next.
 */
#include <linux/module.h>
#include "nested_private.h"

static int __init vfio_nested_init(void)
{
	return 0;
}

static void __exit vfio_nested_exit(void)
{
}

module_init(vfio_nested_init);
module_exit(vfio_nested_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO IOMMU backend with two-stage (nested) translation");
