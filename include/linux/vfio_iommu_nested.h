/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: the DMA entry point for device models (emulated
 * devices, mdevs) whose VFIO group is in a nested container.
 */
#ifndef _LINUX_VFIO_IOMMU_NESTED_H
#define _LINUX_VFIO_IOMMU_NESTED_H

#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/vfio_iommu_nested.h>

struct mm_struct;
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

/* ---- the kernel API for a vIOMMU (kapi.c) -------------------------------
 *
 * A vIOMMU model (drivers/viommu/) drives a container the way the VMM's
 * ioctls do: it binds the guest's stage 1 per PASID, passes invalidations
 * down, reads and writes guest memory through stage 2, receives the I/O
 * page faults and page requests of the devices it translates (instead of
 * the container's fault fd) and answers page requests.
 *
 * Handles. vfio_nested_container_get() and vfio_nested_container_get_dev()
 * return a counted handle on a container; vfio_nested_container_put()
 * drops it. The handle outlives the container's IOMMU state: when the
 * VFIO core releases it (the last group left the container), every
 * registered client's @gone runs, then every function below fails with
 * -ENODEV. A device is usable while it is registered with the container
 * (its fd open); before it is unregistered, every client's @device_gone
 * runs for it.
 *
 * Locking. Every function but the two callbacks of struct
 * vfio_nested_fault_sink_ops may sleep and must be called in process
 * context, with no lock held that a client callback takes (the callbacks
 * run in the VFIO core's paths: @gone under the container's group lock,
 * @device_gone under the device's group lock). Inside the module a call
 * takes the handle's rw_semaphore for read and then the locks of the
 * container in the order of drivers/vfio_iommu_nested/nested_private.h;
 * the release of the container takes it for write after the @gone
 * callbacks returned.
 */

struct file;
struct vfio_nested_container;
struct vfio_nested_client;

/**
 * struct vfio_nested_client_ops - what a client is told
 * @gone: the container's IOMMU state goes away. Called once, in the VFIO
 *	core's release of the container, before the bindings are removed;
 *	the client is unregistered already when it runs. May sleep, may call
 *	the functions below (they still work during the call), must not call
 *	vfio_nested_client_register() or vfio_nested_client_unregister().
 * @device_gone: @vdev (identified by its IOMMU group number @dev_id) is
 *	unregistered from the container; the client must forget it (and
 *	clear its fault sink) before returning. Same rules as @gone.
 */
struct vfio_nested_client_ops {
	void (*gone)(struct vfio_nested_client *cl);
	void (*device_gone)(struct vfio_nested_client *cl,
			    struct vfio_device *vdev, u32 dev_id);
};

/**
 * struct vfio_nested_client - a registered user of a container handle
 * @ops: its callbacks
 * @node: on the handle's list (the module's)
 */
struct vfio_nested_client {
	const struct vfio_nested_client_ops *ops;
	struct list_head node;
};

/**
 * struct vfio_nested_fault_sink_ops - where a device's faults go
 * @fault: an unrecoverable fault of the device (record of kind
 *	VFIO_NESTED_FAULT_UNRECOVERABLE), instead of the fault fd
 * @page_request: a page request group of the device (@n records of kind
 *	VFIO_NESTED_FAULT_PAGE_REQ sharing a cookie); the group is pending:
 *	the DMA waits until vfio_nested_page_response() answers the cookie
 *	(or the PASID is unbound, the sink cleared, the container released)
 *
 * Both run in the reporting DMA's context under the fault queue's
 * spinlock with interrupts off: they must not sleep and must not call any
 * vfio_nested_*() function; they copy what they need and defer the rest
 * (to a work item, say).
 */
struct vfio_nested_fault_sink_ops {
	void (*fault)(void *priv, const struct vfio_nested_fault *rec);
	void (*page_request)(void *priv, const struct vfio_nested_fault *recs,
			     unsigned int n);
};

/**
 * struct vfio_nested_fault_sink - a device's fault sink
 * @ops: the callbacks
 * @priv: their first argument
 *
 * Owned by the caller of vfio_nested_set_fault_sink(); it must stay valid
 * until the sink is cleared.
 */
struct vfio_nested_fault_sink {
	const struct vfio_nested_fault_sink_ops *ops;
	void *priv;
};

struct vfio_nested_container *vfio_nested_container_get(struct file *file);
struct vfio_nested_container *
vfio_nested_container_get_dev(struct vfio_device *vdev);
void vfio_nested_container_put(struct vfio_nested_container *nc);
int vfio_nested_client_register(struct vfio_nested_container *nc,
				struct vfio_nested_client *cl);
void vfio_nested_client_unregister(struct vfio_nested_container *nc,
				   struct vfio_nested_client *cl);
struct vfio_device *vfio_nested_device_from_file(struct vfio_nested_container *nc,
						 struct file *file,
						 u32 *dev_id);
int vfio_nested_gpa_rw(struct vfio_nested_container *nc, u64 gpa, void *buf,
		       size_t len, bool write);
int vfio_nested_bind(struct vfio_nested_container *nc,
		     const struct vfio_nested_bind_s1 *bind);
int vfio_nested_unbind(struct vfio_nested_container *nc, u32 flags,
		       u32 pasid);
int vfio_nested_invalidate(struct vfio_nested_container *nc,
			   const struct vfio_nested_inv_entry *e);
int vfio_nested_invalidate_batch(struct vfio_nested_container *nc,
				 const struct vfio_nested_inv_entry *e,
				 unsigned int n);
int vfio_nested_set_fault_sink(struct vfio_nested_container *nc, u32 dev_id,
			       const struct vfio_nested_fault_sink *sink);
int vfio_nested_page_response(struct vfio_nested_container *nc, u32 cookie,
			      u32 code);

/* ---- map clients ----------------------------------------------------------
 *
 * An emulated-IOMMU VFIO device (an mdev) whose DMA engine is not the CPU
 * (a vDPA device, say) cannot use vfio_pin_pages() per request: it needs
 * the container's stage-2 mappings as its own IOTLB. Such a device is a map
 * client: it registers its ops once, before vfio_register_emulated_iommu_dev()
 * (at probe), and unregisters after vfio_unregister_group_dev() (at remove).
 *
 * While the device is open in a container of this backend (between the
 * VFIO core's register_device and unregister_device of the backend, i.e.
 * from the first open of the device fd to its last close), the backend
 *
 *  - replays every stage-2 mapping present at open to @map;
 *  - calls @map for every new mapping (VFIO_IOMMU_MAP_DMA), after its pages
 *    are pinned and before the ioctl returns;
 *  - calls @unmap for every mapping that leaves stage 2
 *    (VFIO_IOMMU_UNMAP_DMA, also with VFIO_DMA_UNMAP_FLAG_ALL) before any of
 *    its pages is unpinned;
 *  - at close calls @unmap for every mapping still there, so that the
 *    device ends with nothing mapped.
 *
 * @map is called per physically contiguous run of a mapping, in ascending
 * IOVA order (so one VFIO_IOMMU_MAP_DMA may give several calls); a client
 * with @map_va gets one call per mapping instead; @unmap is called once per
 * mapping with its whole IOVA range. A failing @map fails
 * the VFIO_IOMMU_MAP_DMA with its errno: the backend calls @unmap for what
 * each client had mapped of that mapping (for the failing client, the
 * runs before the failing one, as one range starting at the mapping's
 * IOVA; nothing when that is empty), then unpins and forgets the mapping.
 * A failing replay at open cannot fail the open (the VFIO core's
 * register_device op cannot fail): the backend calls @unmap for what it
 * had replayed, logs the error and leaves the device out of further calls
 * until its next open (the device sees no mapping: its DMA faults, it
 * never uses a stale translation).
 *
 * Order with the VFIO core: the replay runs before the device's
 * open_device op (the core registers the device with the container
 * first); the final @unmap calls run after its close_device op.
 *
 * Locking: calls for one container are serialized by the backend (its
 * stage-2 writer lock, held by VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA
 * and the device open and close); both ops run in process context and may
 * sleep. They must not issue container ioctls; they may call
 * vfio_pin_pages() and vfio_dma_rw(), which do not see the mapping that is
 * being added (during @map) and may still see the one being removed
 * (during @unmap; pinning its pages fails). The replay and the final
 * @unmap calls run inside the VFIO core's first open and last close of
 * the device (its device-set lock and group lock held), so the ops must
 * not take those locks either (nor open or close VFIO fds).
 *
 * This also holds for a container set to VFIO_TYPE1v2_IOMMU that this
 * backend serves (module parameter serve_type1v2, default on): there the
 * backend attaches only emulated groups whose every device is a registered
 * map client, so that an unmodified VMM (QEMU's vfio-pci) gets this backend
 * for such devices and vfio_iommu_type1 for every other group.
 */

/**
 * struct vfio_nested_map_client_ops - a map client's callbacks
 * @map: the physically contiguous run [@iova, @iova + @size) -> @pa of a
 *	stage-2 mapping enters the device's IOTLB; @write: the device may
 *	write it (the mapping has VFIO_DMA_MAP_FLAG_WRITE; reading is always
 *	allowed). @iova, @size and @pa are PAGE_SIZE aligned. May sleep.
 *	Return 0, or a negative errno that fails the mapping (the backend
 *	unwinds it with @unmap).
 * @unmap: [@iova, @iova + @size) leaves stage 2 (a whole mapping, or a
 *	range of it that was passed to @map). Called before any page of it is
 *	unpinned; the device must stop using it before returning. Must not
 *	fail. May sleep.
 * @map_end: optional: the runs passed to @map since the last @map_end (or
 *	@unmap) are one whole mapping, complete (a VFIO_IOMMU_MAP_DMA, or one
 *	mapping replayed at registration). A client that hands its device
 *	the runs of a mapping together (a vDPA parent's set_map() takes the
 *	whole map each time) does it now, once per mapping instead of once
 *	per run. Nothing can use a mapping before its VFIO_IOMMU_MAP_DMA
 *	returns, so deferring a map to here is safe; unmaps are never
 *	deferred. Return 0, or a negative errno that fails the mapping (the
 *	backend unwinds it with @unmap of the whole mapping). May sleep.
 * @map_va: instead of @map, for a device that addresses memory through the
 *	page tables of the process that made the mapping (a vDPA parent with
 *	use_va): the whole mapping [@iova, @iova + @size) -> [@vaddr,
 *	@vaddr + @size) of @mm, in one call (no runs). @mm is the process
 *	that called VFIO_IOMMU_MAP_DMA; it is valid during the call, a
 *	client that keeps it takes its own reference (mmgrab()). The backend
 *	still pins the pages; what the device reaches through @vaddr is what
 *	the process has mapped there, so a process that replaces the memory
 *	at @vaddr under a live mapping gives the device the new pages, as
 *	with vhost-vdpa on such a parent. @write and the alignment as for
 *	@map; @map_end follows as for @map. Return 0, or a negative errno
 *	that fails the mapping (nothing was taken: no @unmap). May sleep.
 */
struct vfio_nested_map_client_ops {
	int (*map)(struct vfio_device *vdev, u64 iova, u64 size,
		   phys_addr_t pa, bool write);
	int (*map_va)(struct vfio_device *vdev, u64 iova, u64 size,
		      unsigned long vaddr, struct mm_struct *mm, bool write);
	void (*unmap)(struct vfio_device *vdev, u64 iova, u64 size);
	int (*map_end)(struct vfio_device *vdev);
};

int vfio_nested_register_map_client(struct vfio_device *vdev,
				    const struct vfio_nested_map_client_ops *ops);
void vfio_nested_unregister_map_client(struct vfio_device *vdev);
bool vfio_nested_map_client_served(struct vfio_device *vdev);

#endif /* _LINUX_VFIO_IOMMU_NESTED_H */
