/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between vfio_nested_testdev.ko (a test-only mdev) and the
 * vfio_iommu_nested selftests; included by both.
 *
 * Loading the module creates the mdev parent VNT_PARENT (class
 * VNT_CLASS) with one mdev type, VNT_TYPE ("mdevctl types" lists it).
 * Each mdev instance is a VFIO device of an emulated IOMMU group, with no
 * region and no interrupt: its fd answers the ioctls below, which let a
 * test do what an emulated device does with the container's IOMMU backend:
 *
 * - VNT_PIN: vfio_pin_pages() of @npage pages from @iova with the access
 *   of @flags (VNT_READ, VNT_WRITE); the device keeps the pages until
 *   VNT_UNPIN, its dma_unmap callback or the last close. Returns the
 *   vfio_pin_pages() result: @npage, or its -errno (EEXIST when the
 *   device holds one of those pages already).
 * - VNT_UNPIN: vfio_unpin_pages() of pages the device holds in the range
 *   (the others are skipped). Returns how many it unpinned.
 * - VNT_PINNED_RW: copy between @data and the pages the device holds,
 *   through their kernel mapping (what the device's DMA would touch); @iova
 *   and @len must lie in pinned pages (EINVAL otherwise).
 * - VNT_DMA_RW: vfio_dma_rw() of @len bytes (at most VNT_RW_MAX) between
 *   @data and IOVA space; VNT_WRITE in @flags writes IOVA space.
 * - VNT_GET_UNMAP_LOG: the dma_unmap calls the device got since the last
 *   VNT_GET_UNMAP_LOG, oldest first; the log is emptied. Each entry tells
 *   what held at the moment of the call, before the device let go: how
 *   many pages of the range the device held, how many of those the
 *   backend still had pinned (folio_maybe_dma_pinned(): the backend must
 *   tell the device before it unpins), and whether vfio_dma_rw() of the
 *   range's first byte still worked. The device then unpins what it held
 *   in the range, as a correct device does. At most VNT_LOG_MAX entries
 *   are kept; @dropped counts the ones lost beyond that.
 *
 *
 * Map client. With the module parameter map_client set (read when an
 * instance is created: /sys/module/vfio_nested_testdev/parameters/map_client)
 * the instance registers as a map client of vfio_iommu_nested
 * (vfio_nested_register_map_client()): it keeps an IOTLB of what the
 * backend gives it (page -> physical page) and logs each ->map and ->unmap
 * call with what held at that moment:
 *
 * - VNT_GET_MC_LOG: the calls since the last read, oldest first; the log
 *   is emptied. Unlike the unmap log it survives the close of the device
 *   (the backend's last ->unmap calls come after the close), so a test
 *   reads them after reopening. For ->map: the run, its physical address,
 *   how many of its pages the backend has pinned, the error returned. For
 *   ->unmap: how many pages of the range the IOTLB held and how many of
 *   those the backend still had pinned (it must call ->unmap before it
 *   unpins). @held: IOTLB bytes after the call.
 * - VNT_MC_FAIL: the @nth ->map call from now on (1: the next one) returns
 *   -@error (1..4095) and the count stops; 0 disarms.
 *
 * Every argument struct starts with argsz (bytes the caller passes, at
 * least the size up to the last field it knows) and flags; unknown flags
 * -> EOPNOTSUPP, argsz too small -> EINVAL, a larger argsz with a
 * non-zero tail -> E2BIG.
 */
#ifndef _VFIO_NESTED_TESTDEV_H
#define _VFIO_NESTED_TESTDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VNT_CLASS		"vfio_nested_testdev"
#define VNT_PARENT		"vnt0"
#define VNT_TYPE		"vfio_nested_testdev-vnt"

#define VNT_READ		0x1U
#define VNT_WRITE		0x2U

#define VNT_RW_MAX		0x100000U	/* 1 MiB */
#define VNT_LOG_MAX		256

/**
 * struct vnt_pin - VNT_PIN and VNT_UNPIN
 * @argsz: sizeof(struct vnt_pin)
 * @flags: VNT_READ and/or VNT_WRITE (VNT_PIN); 0 (VNT_UNPIN)
 * @iova: first IOVA, page aligned
 * @npage: pages
 * @pad: 0
 */
struct vnt_pin {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 iova;
	__u32 npage;
	__u32 pad;
};

/**
 * struct vnt_rw - VNT_PINNED_RW and VNT_DMA_RW
 * @argsz: sizeof(struct vnt_rw)
 * @flags: VNT_WRITE to write the device side (pages or IOVA space)
 * @iova: first IOVA
 * @len: bytes, at most VNT_RW_MAX
 * @pad: 0
 * @data: user buffer of @len bytes
 */
struct vnt_rw {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 iova;
	__u32 len;
	__u32 pad;
	__aligned_u64 data;
};

/**
 * struct vnt_unmap_entry - one dma_unmap call
 * @iova: the range told
 * @length: its length
 * @dev_pins: pages of the range the device held at the call
 * @backend_pinned: of those, pages the backend still had pinned
 * @rw_ok: 1 when vfio_dma_rw() of @iova still worked during the call
 * @pad: 0
 */
struct vnt_unmap_entry {
	__aligned_u64 iova;
	__aligned_u64 length;
	__u32 dev_pins;
	__u32 backend_pinned;
	__u32 rw_ok;
	__u32 pad;
};

/**
 * struct vnt_unmap_log - VNT_GET_UNMAP_LOG
 * @argsz: sizeof(struct vnt_unmap_log)
 * @flags: 0
 * @count: in: room in @entries; out: entries written
 * @dropped: out: entries lost because the log was full
 * @entries: user array of struct vnt_unmap_entry
 */
struct vnt_unmap_log {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 dropped;
	__aligned_u64 entries;
};

/* struct vnt_mc_entry.op */
#define VNT_MC_MAP		1
#define VNT_MC_UNMAP		2
#define VNT_MC_MAP_END		3	/* logged with module parameter map_end on */
#define VNT_MC_MAP_VA		4	/* ->map_va: module parameter map_va at probe */

/**
 * struct vnt_mc_entry - one map-client call
 * @op: VNT_MC_MAP, VNT_MC_UNMAP, VNT_MC_MAP_END or VNT_MC_MAP_VA
 * @write: ->map's (->map_va's) write argument (0 for ->unmap)
 * @iova: the range of the call
 * @size: its length
 * @pa: ->map's physical address, ->map_va's user virtual address (0 for
 *	->unmap)
 * @pages: ->map: pages of the run; ->map_va: pages of the mapping;
 *	->unmap: pages of the range the IOTLB held at the call
 * @backend_pinned: of @pages, those the backend had pinned at the call
 * @rw_ok: 1 when vfio_dma_rw() of @iova worked during the call
 * @error: ->map, ->map_end: the positive errno it returned, 0 on success
 * @held: bytes in the IOTLB after the call
 * @va_caller: ->map_va: 1 when its mm is the calling process's
 * @va_byte: ->map_va: the first byte at @pa when its mm is the caller's,
 *	else -1
 */
struct vnt_mc_entry {
	__u32 op;
	__u32 write;
	__aligned_u64 iova;
	__aligned_u64 size;
	__aligned_u64 pa;
	__u32 pages;
	__u32 backend_pinned;
	__u32 rw_ok;
	__u32 error;
	__aligned_u64 held;
	__u32 va_caller;
	__s32 va_byte;
};

/**
 * struct vnt_mc_log - VNT_GET_MC_LOG
 * @argsz: sizeof(struct vnt_mc_log)
 * @flags: 0
 * @count: in: room in @entries; out: entries written
 * @dropped: out: entries lost because the log was full (VNT_LOG_MAX)
 * @entries: user array of struct vnt_mc_entry
 */
struct vnt_mc_log {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 dropped;
	__aligned_u64 entries;
};

/**
 * struct vnt_mc_fail - VNT_MC_FAIL
 * @argsz: sizeof(struct vnt_mc_fail)
 * @flags: 0
 * @nth: the ->map call from now that fails (1: the next), 0: none; with
 *	module parameter map_end on, ->map_end calls count and fail too
 * @error: the positive errno it returns, 1..4095
 */
struct vnt_mc_fail {
	__u32 argsz;
	__u32 flags;
	__u32 nth;
	__u32 error;
};

/* On the device fd; type 0xBD is the backend's, numbers from 0xA0 are ours. */
#define VNT_PIN			_IO(0xBD, 0xA0)
#define VNT_UNPIN		_IO(0xBD, 0xA1)
#define VNT_PINNED_RW		_IO(0xBD, 0xA2)
#define VNT_DMA_RW		_IO(0xBD, 0xA3)
#define VNT_GET_UNMAP_LOG	_IO(0xBD, 0xA4)
#define VNT_GET_MC_LOG		_IO(0xBD, 0xA5)	/* ENOTTY: not a map client */
#define VNT_MC_FAIL		_IO(0xBD, 0xA6)	/* ENOTTY: not a map client */

#endif /* _VFIO_NESTED_TESTDEV_H */
