/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vfio_iommu_nested: a VFIO IOMMU backend with two-stage translation.
 */
#ifndef _UAPI_LINUX_VFIO_IOMMU_NESTED_H
#define _UAPI_LINUX_VFIO_IOMMU_NESTED_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: vfio_iommu_nested uAPI
 *
 * (Written by the module's authors as the ioctls land: the model, the
 * ioctl list and the errno table.)
 */

/**
 * define VFIO_NESTED_IOMMU - the IOMMU type of this backend
 *
 * Passed to ``VFIO_CHECK_EXTENSION`` and ``VFIO_SET_IOMMU`` on a VFIO
 * container.  Upstream's types are small integers allocated in sequence
 * (1 to 10 today); this one carries the ASCII bytes "pvm" in its upper 24
 * bits so that no future upstream type can equal it.
 */
#define VFIO_NESTED_IOMMU		0x70766d01

/*
 * The backend's own ioctls on the container fd have an ioctl type of their
 * own (0xBD; vhost_vfio uses 0xBC), not VFIO's ';', so that no future VFIO
 * ioctl can collide with them.  0xBD is not in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#define VFIO_NESTED_TYPE		0xBD

/* ---- container: capabilities, ownership, stage 1 bind, DMA ---- */

#define VFIO_NESTED_GET_CAPS		_IO(VFIO_NESTED_TYPE, 0x00)
#define VFIO_NESTED_SET_IOASID_FD	_IO(VFIO_NESTED_TYPE, 0x01)
#define VFIO_NESTED_BIND_S1		_IO(VFIO_NESTED_TYPE, 0x02)
#define VFIO_NESTED_UNBIND_S1		_IO(VFIO_NESTED_TYPE, 0x03)
#define VFIO_NESTED_INVALIDATE		_IO(VFIO_NESTED_TYPE, 0x04)
#define VFIO_NESTED_GET_FAULT_FD	_IO(VFIO_NESTED_TYPE, 0x05)
/* test-only, refused unless the module parameter allows it */
#define VFIO_NESTED_TEST_DMA		_IO(VFIO_NESTED_TYPE, 0x40)

/* ---- stage 1: formats, bind flags, invalidation entries ---- */

/* ---- faults: fault records and page responses on the fault fd ---- */

#endif /* _UAPI_LINUX_VFIO_IOMMU_NESTED_H */
