/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: the DMA entry point for device models (emulated
 * devices, mdevs) whose VFIO group is in a nested container.
 */
#ifndef _LINUX_VFIO_IOMMU_NESTED_H
#define _LINUX_VFIO_IOMMU_NESTED_H

#include <linux/types.h>
#include <uapi/linux/vfio_iommu_nested.h>

struct vfio_device;

/*
 * Symbol namespace of the exported API. Before 6.13 the namespace argument
 * of EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() is a bare word, from
 * 6.13 on a string (HAVE_SYMBOL_NS_STRING: scripts/conftest.sh).
 */
#ifdef HAVE_SYMBOL_NS_STRING
#define VFIO_NESTED_NS "VFIO_IOMMU_NESTED"
#else
#define VFIO_NESTED_NS VFIO_IOMMU_NESTED
#endif

/* vfio_nested_dma()'s @pasid for a request without a PASID. */
#define VFIO_NESTED_NO_PASID	(~0U)

/**
 * struct vfio_nested_dma_result - how a DMA ended
 * @status: enum vfio_nested_dma_status
 * @done: bytes moved before the DMA stopped (all of them on success)
 * @fault_addr: with a status other than VFIO_NESTED_DMA_OK, the DMA
 *	address whose translation or access failed
 * @page_requests: page requests the DMA raised (answered or not)
 */
struct vfio_nested_dma_result {
	u32 status;
	size_t done;
	u64 fault_addr;
	unsigned int page_requests;
};

/*
 * For device models with queues of work (sva_sim): end the page request
 * waits of a device on reset or removal; resolve a PASID the VMM names;
 * copy memory to memory without a bounce buffer.
 */
int vfio_nested_dma_copy(struct vfio_device *vdev, u32 pasid, u64 dst,
			 u64 src, size_t len, unsigned int flags,
			 struct vfio_nested_dma_result *res);
unsigned int vfio_nested_dma_abort(struct vfio_device *vdev);
int vfio_nested_pasid_resolve(struct vfio_device *vdev, u32 flags, u32 pasid,
			      u32 *hpasid);

int vfio_nested_dma(struct vfio_device *vdev, u32 pasid, u64 iova,
		    void *buf, size_t len, unsigned int flags,
		    struct vfio_nested_dma_result *res);

#endif /* _LINUX_VFIO_IOMMU_NESTED_H */
