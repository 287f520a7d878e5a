/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: private structures and the lock order.
 */
#ifndef _VFIO_IOMMU_NESTED_PRIVATE_H
#define _VFIO_IOMMU_NESTED_PRIVATE_H

#include <linux/types.h>
#include <uapi/linux/vfio_iommu_nested.h>

#endif /* _VFIO_IOMMU_NESTED_PRIVATE_H */
