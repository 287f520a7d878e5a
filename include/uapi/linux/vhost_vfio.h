/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vhost_vfio: the vhost protocol on a VFIO (mdev) device, for any vDPA device.
 */
#ifndef _UAPI_LINUX_VHOST_VFIO_H
#define _UAPI_LINUX_VHOST_VFIO_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: vhost_vfio uAPI
 *
 * A vDPA device bound to the ``vhost_vfio`` vDPA bus driver becomes an mdev
 * parent with one mdev type, ``vhost_vfio-vhost-vfio``.  Each mdev instance
 * is a VFIO device (emulated IOMMU group), opened through the VFIO container
 * and group, or through its cdev /dev/vfio/devices/vfioN bound to /dev/iommu
 * (VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT with any IOAS)
 * where the kernel has CONFIG_VFIO_DEVICE_CDEV and CONFIG_IOMMUFD.  Either
 * way the container or IOAS maps nothing for it.  On its device fd the VMM
 * uses:
 *
 * - the vhost and vhost-vdpa ioctls of <linux/vhost.h>, with vhost-vdpa
 *   semantics (VHOST_SET_OWNER; then features, status, config, vrings,
 *   kick and call eventfds, suspend and resume).  The queries (the GET
 *   ioctls of features, backend features, device ID, status, config, config
 *   size, queue count and size, group and address-space counts, IOVA range,
 *   and VHOST_VFIO_GET_INFO) and reads of the config region work for any
 *   holder of the fd, before VHOST_SET_OWNER too, as on vhost-vdpa; every
 *   other ioctl, every write (IOTLB, config, doorbell), every vring or
 *   config interrupt vector and VFIO_DEVICE_RESET is the owner's alone;
 * - with VIRTIO_F_RING_PACKED, VHOST_SET/GET_VRING_BASE carry the avail
 *   index and its wrap counter in bits 0-15 and the used index and its wrap
 *   counter in bits 16-31, as vhost does;
 * - IOTLB messages (``struct vhost_msg_v2``, type ``VHOST_IOTLB_MSG_V2``)
 *   written with pwrite() at offset 0 of the IOTLB region, one message per
 *   write, exactly as vhost-vdpa takes them with write() on its char device;
 *   the write returns the message size or fails with the message's errno,
 *   a read fails with EINVAL; a reset drops every mapping unless
 *   VHOST_BACKEND_F_IOTLB_PERSIST is acked (offered when vhost-vdpa would
 *   offer it);
 * - VFIO regions found by their ``VFIO_REGION_INFO_CAP_TYPE`` capability
 *   (type ``VHOST_VFIO_REGION_TYPE``), never by index: the device config
 *   space, the doorbells (one page per queue; a write of any 2 or 4 bytes at
 *   the start of page N kicks queue N; mmap-able, one page per mapping,
 *   MAP_SHARED and PROT_WRITE only, when the vDPA device has a notification
 *   area) and the IOTLB message region;
 * - ``VFIO_DEVICE_SET_IRQS`` with ``VFIO_IRQ_SET_DATA_EVENTFD |
 *   VFIO_IRQ_SET_ACTION_TRIGGER`` on index ``VHOST_VFIO_VRING_IRQ_INDEX`` (one
 *   vector per queue), ``VHOST_VFIO_CONFIG_IRQ_INDEX`` and
 *   ``VHOST_VFIO_REQ_IRQ_INDEX`` (signalled when the device is being removed:
 *   close the fd).  A vring vector and VHOST_SET_VRING_CALL set the same
 *   eventfd: the last one set wins;
 * - the ioctls below, whose structs start with their size.
 *
 * Dirty logging: with ``VHOST_F_LOG_ALL`` negotiated and a log set with
 * ``VHOST_SET_LOG_BASE``, bit N of the log (a byte array; bit N is bit N%8 of
 * byte N/8) stands for the 4 KiB page at IOVA N * 4096.  The bridge cannot see
 * the device's individual writes, so it marks every page mapped device-writable
 * (``VHOST_ACCESS_WO`` or ``VHOST_ACCESS_RW``): when such a mapping is
 * invalidated, on every ``VHOST_VDPA_SUSPEND`` (before ``DRIVER_OK`` too),
 * and on ``VHOST_VFIO_LOG_SYNC``.  Pages never mapped writable are never
 * marked.  ``VHOST_F_LOG_ALL`` is offered only when the device can suspend.
 * While a log base is set, the log bytes of every device-writable mapping
 * must lie in the user address space: ``VHOST_SET_LOG_BASE`` and an IOTLB
 * update that would break this fail with ``EFAULT``.
 *
 * Errors (besides those of the vhost-vdpa ioctls it mirrors):
 *
 * ========== ============================================================
 * EPERM      a change (ioctl, write, interrupt vector, reset, doorbell
 *            mmap) from another process than the owner, or before
 *            VHOST_SET_OWNER
 * EBUSY      owner already set; features set after FEATURES_OK; vring
 *            size after DRIVER_OK; vring address or base after DRIVER_OK
 *            unless suspended; feature mask written while the device is
 *            open
 * EINVAL     a feature not offered; VERSION_1 not accepted; ACCESS_PLATFORM
 *            offered but not accepted; a bad queue index, size, address,
 *            IOTLB message or region offset; a doorbell mmap that is not
 *            one page, MAP_SHARED, PROT_WRITE only (PROT_READ, PROT_EXEC,
 *            PROT_NONE)
 * EFAULT     a user pointer that cannot be read or written; a log base
 *            whose log of a writable mapping is not all in user space
 * ENOMEM     allocation or pinning failed, or RLIMIT_MEMLOCK exceeded
 * EEXIST     an IOTLB update overlapping a mapping of the same address space
 * ENOSPC     more than 65536 IOTLB entries in one address space
 * EOPNOTSUPP an unknown flag; suspend or resume after DRIVER_OK on a
 *            device without them; VHOST_VDPA_GET_VRING_SIZE on a device
 *            that does not report queue sizes
 * E2BIG      a struct longer than known with non-zero bytes past the end
 * ENODEV     the vDPA device or the mdev is being removed: close the fd
 * ENOTTY     an unknown ioctl
 * ========== ============================================================
 */

/* Type of the regions: the vendor-type space with virtio's vendor ID. */
#define VHOST_VFIO_REGION_TYPE		((1U << 31) | 0x1af4)
#define VHOST_VFIO_REGION_SUBTYPE_CONFIG	1
#define VHOST_VFIO_REGION_SUBTYPE_DOORBELL	2
#define VHOST_VFIO_REGION_SUBTYPE_IOTLB		3

/* Interrupt indexes of VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS. */
#define VHOST_VFIO_VRING_IRQ_INDEX	0
#define VHOST_VFIO_CONFIG_IRQ_INDEX	1
#define VHOST_VFIO_REQ_IRQ_INDEX	2
#define VHOST_VFIO_NUM_IRQS		3

/* Name of the mdev type (its sysfs directory is "vhost_vfio-" this). */
#define VHOST_VFIO_MDEV_TYPE		"vhost-vfio"
/*
 * Name of the virtio-pci personality's mdev type (sysfs directory
 * "vhost_vfio-virtio_pci"): a virtio 1.x PCI device through the vfio-pci
 * uAPI (VFIO_DEVICE_FLAGS_PCI), see Documentation/driver-api/vhost_vfio.rst.
 */
#define VHOST_VFIO_MDEV_TYPE_PCI	"virtio_pci"

/**
 * struct vhost_vfio_info - what the device is (VHOST_VFIO_GET_INFO)
 * @size: in, sizeof(struct vhost_vfio_info) as userspace knows it; out,
 *	as the kernel knows it (only the smaller of the two is written)
 * @flags: in, must be 0
 * @device_id: out, virtio device ID
 * @nvqs: out, number of virtqueues
 * @ngroups: out, number of virtqueue groups
 * @nas: out, number of address spaces (ASIDs of IOTLB messages)
 * @features: out, features offered (device features & admin mask)
 * @device_features: out, features of the vDPA device before the mask
 * @feature_mask: out, the admin mask of this instance
 * @config_size: out, size of the config space region
 * @__reserved: out, zero
 */
struct vhost_vfio_info {
	__u32 size;
	__u32 flags;
	__u32 device_id;
	__u32 nvqs;
	__u32 ngroups;
	__u32 nas;
	__aligned_u64 features;
	__aligned_u64 device_features;
	__aligned_u64 feature_mask;
	__u32 config_size;
	__u32 __reserved;
};

/**
 * struct vhost_vfio_log_sync - mark the writable pages of a range dirty
 * @size: in, sizeof(struct vhost_vfio_log_sync) as userspace knows it
 * @flags: in, must be 0
 * @iova: in, start of the IOVA range
 * @length: in, length of the range in bytes (0: the whole IOVA space)
 * @marked: out, number of 4 KiB pages marked
 *
 * Needs VHOST_F_LOG_ALL negotiated and a log base (EINVAL otherwise).
 */
struct vhost_vfio_log_sync {
	__u32 size;
	__u32 flags;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 marked;
};

/*
 * The bridge's own ioctls have a type of their own, VHOST_VFIO_TYPE (0xBC,
 * sequence numbers 0x00-0x1F reserved for this header).  The device fd
 * dispatches only two other types: ';' (VFIO_TYPE, the VFIO core and device
 * ioctls, and iommufd's) and 0xAF (VHOST_VIRTIO, the vhost and vhost-vdpa
 * ioctls); both keep growing upstream, so the bridge takes no number in
 * either.  0xBC is not in Documentation/userspace-api/ioctl/ioctl-number.rst
 * (6.12 to 7.x); an upstream submission would register it there.
 * Numbers used before (type 0xAF, 0xF0 and 0xF1) now fail with ENOTTY.
 */
#define VHOST_VFIO_TYPE			0xBC
#define VHOST_VFIO_GET_INFO		_IO(VHOST_VFIO_TYPE, 0x00)
#define VHOST_VFIO_LOG_SYNC		_IO(VHOST_VFIO_TYPE, 0x01)

#endif /* _UAPI_LINUX_VHOST_VFIO_H */
