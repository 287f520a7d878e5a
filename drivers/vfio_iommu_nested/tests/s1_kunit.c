// SPDX-License-Identifier: GPL-2.0
/* KUnit: stage 1 (lands next). */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of vfio_iommu_nested");
