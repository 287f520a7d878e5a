/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: private structures and the lock order.
 *
 * The module is a VFIO IOMMU backend (main.c) of type VFIO_NESTED_IOMMU.
 * Its iommu_data is a struct vn_container: stage 2 (s2.c: the GPA->HVA
 * mapping tree of VFIO_IOMMU_MAP_DMA, every page pinned at map time), the
 * groups attached to it (emulated: mdev, served by vfio_pin_pages() and
 * vfio_dma_rw(); physical: a real IOMMU paging domain per group, domain.c),
 * the VFIO devices registered by the VFIO core (told of every unmap before
 * its pages are unpinned), and the state of stage 1, PASIDs and faults,
 * which the files of those parts own (pasid_state).
 *
 * Suite: the VM test suite of this module is "nested" (modules.list lines
 * "nested ..."; "run-vm.sh --suite nested"). The selftests live in
 * tools/testing/selftests/vfio_iommu_nested/ and the benchmark and example
 * scripts may be named <NN>-vfio_iommu_nested.sh or <NN>-nested.sh: the
 * VM runner (init.sh, build-userspace.sh) gives a directory or script named
 * after a module the suite of that module's modules.list line.
 *
 * Lock order (outer first):
 *
 *  1. vn_container.map_lock (mutex): serializes the writers of stage 2
 *     (MAP_DMA, UNMAP_DMA, attach and detach of groups, programming the
 *     physical domains) and guards the group list.
 *  2. vn_container.dev_lock (mutex): the list of registered VFIO devices.
 *     Held while a device's ->dma_unmap() runs; that callback may call
 *     vfio_unpin_pages(), which takes s2_lock (4), never 1 or 2. Also
 *     held (inside map_lock) while a map client's ->map() and ->unmap()
 *     run for MAP_DMA and UNMAP_DMA; the replay at device open and the
 *     unmaps at close run with map_lock only. Those callbacks may take
 *     s2_lock (vfio_pin_pages(), vfio_dma_rw()) and their own locks,
 *     never 1 or 2. The registry of map clients (mapclient.c) is an
 *     xarray with its own internal lock, taken inside any of these.
 *  3. The locks of the PASID, stage-1 and fault parts (pasid_state): they
 *     may call the vn_s2_*() access functions, which take s2_lock (4),
 *     while holding their own locks; they never take 1 or 2.
 *  4. vn_container.s2_lock (rw_semaphore): the stage-2 tree. Readers:
 *     vn_s2_read64(), vn_s2_cmpxchg64(), vn_s2_rw(), vn_s2_copy_gpa(),
 *     pin_pages, unpin_pages, dma_rw, GET_INFO. Writers: inserting and
 *     removing mappings.
 *
 * Nothing of this module is called with a VFIO core lock that our
 * callbacks could take in the other order: the VFIO core calls attach and
 * detach with its container's group_lock held (write), pin/unpin/dma_rw and
 * the container ioctls without it.
 */
#ifndef _VFIO_IOMMU_NESTED_PRIVATE_H
#define _VFIO_IOMMU_NESTED_PRIVATE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <uapi/linux/vfio_iommu_nested.h>

struct device;
struct iommu_domain;
struct iommu_group;
struct mm_struct;
struct page;
struct vfio_device;
struct vn_pasid_state;
struct vfio_iova_range;
struct vfio_nested_map_client_ops;

/* ---- the VFIO core's IOMMU driver interface ------------------------------
 *
 * The VFIO core declares its IOMMU backend interface in a private header
 * (drivers/vfio/vfio.h) that kernel header packages do not ship, so the
 * module states the interface itself. It is the interface of the VFIO
 * container (CONFIG_VFIO_CONTAINER, Linux 6.2 and later), unchanged from
 * 6.12 to 7.2 (compared in both sources); the top Kbuild leaves the module
 * out on kernels without CONFIG_VFIO_CONTAINER (6.1 keeps the container in
 * vfio.c and its ops differ).
 */
enum vn_vfio_group_type {
	VN_VFIO_IOMMU,			/* a physical device behind an IOMMU */
	VN_VFIO_EMULATED_IOMMU,		/* mdev: DMA through the backend */
	VN_VFIO_NO_IOMMU,		/* unsafe no-IOMMU mode: refused */
};

struct vn_vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vn_vfio_group_type type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group,
			 dma_addr_t user_iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data,
		      size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
};

int vfio_register_iommu_driver(const struct vn_vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vn_vfio_iommu_driver_ops *ops);

/* ---- the container ------------------------------------------------------ */

/**
 * struct vn_dma - one stage-2 mapping (VFIO_IOMMU_MAP_DMA)
 * @node: in vn_container.dma_tree, keyed by @iova
 * @iova: first GPA (IOVA) of the mapping, page aligned
 * @size: length in bytes, a multiple of PAGE_SIZE
 * @vaddr: the user address it maps
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 * @mm: the mm the pages were pinned from and locked_vm charged to
 * @npages: @size >> PAGE_SHIFT
 * @pages: the pinned pages, one per PAGE_SIZE
 * @pins: per page, the references vfio_pin_pages() holds on top of ours
 *        (atomic: updated under s2_lock held for read)
 * @removing: UNMAP_DMA has claimed the mapping and is telling the devices
 *            (under s2_lock); new vfio_pin_pages() of it are refused
 */
struct vn_dma {
	struct rb_node node;
	u64 iova;
	u64 size;
	unsigned long vaddr;
	int prot;
	struct mm_struct *mm;
	unsigned long npages;
	struct page **pages;
	atomic_t *pins;
	bool removing;
};

/**
 * struct vn_group - a VFIO group attached to the container
 * @next: in vn_container.groups
 * @group: the IOMMU group
 * @type: emulated (mdev) or physical
 * @domain: physical: the paging domain the group is attached to (one per
 *          group, holding every stage-2 mapping); emulated: NULL
 * @prot: physical: IOMMU_CACHE when the IOMMU keeps DMA cache coherent
 * @aperture_start: physical: the first IOVA the domain can map
 * @aperture_end: physical: the last IOVA the domain can map
 * @resv: physical: the group's reserved regions (struct iommu_resv_region),
 *        which no mapping may overlap
 */
struct vn_group {
	struct list_head next;
	struct iommu_group *group;
	enum vn_vfio_group_type type;
	struct iommu_domain *domain;
	int prot;
	u64 aperture_start;
	u64 aperture_end;
	struct list_head resv;
};

/**
 * struct vn_device - a VFIO device registered with the container
 * @next: in vn_container.devices
 * @vdev: the device; its ops->dma_unmap() is called on every unmap
 * @mc: the device's map-client ops (mapclient.c), or NULL
 * @mc_off: the replay at open failed: no more map-client calls until the
 *          device is registered again (map_lock)
 */
struct vn_device {
	struct list_head next;
	struct vfio_device *vdev;
	const struct vfio_nested_map_client_ops *mc;
	bool mc_off;
};

/**
 * struct vn_container - the backend's iommu_data, one per VFIO container
 * @map_lock: lock 1, see the lock order above
 * @dev_lock: lock 2
 * @s2_lock: lock 4
 * @dma_tree: stage 2: struct vn_dma by IOVA (s2_lock)
 * @dma_count: number of mappings (s2_lock)
 * @groups: struct vn_group (map_lock)
 * @devices: struct vn_device (dev_lock)
 * @pasid_state: state of the PASID, stage-1 and fault parts, owned by
 *               them (pasid.c): created on demand by vn_nested_ioctl(),
 *               freed by vn_nested_release()
 * @type1: the container was set to VFIO_TYPE1v2_IOMMU (serve_type1v2): it
 *         holds only groups of map clients and has no nested ioctl
 */
struct vn_container {
	struct mutex map_lock;		/* 1: stage-2 writers, groups */
	struct mutex dev_lock;		/* 2: devices */
	struct rw_semaphore s2_lock;	/* 4: the stage-2 tree */
	struct rb_root dma_tree;
	unsigned int dma_count;
	struct list_head groups;
	struct list_head devices;
	struct vn_pasid_state *pasid_state;
	bool type1;
};

/* ---- stage 2 (s2.c) -------------------------------------------------------
 *
 * GPA access through stage 2 for the walker and the DMA path. The GPA is
 * the IOVA of VFIO_IOMMU_MAP_DMA. They may sleep (they take s2_lock for
 * read). Errors: -EFAULT when a byte of the range is not mapped, -EPERM
 * when the mapping lacks the permission (read for reads, write for writes
 * and cmpxchg), -EINVAL for a 64-bit access that is not 8-byte aligned.
 * vn_s2_cmpxchg64() returns 0 when it stored @new, -EAGAIN when the value
 * found was not @old (nothing stored); it is atomic against other CPUs and
 * devices writing the same guest memory through the kernel mapping.
 */
int vn_s2_read64(struct vn_container *c, u64 gpa, u64 *val);
int vn_s2_cmpxchg64(struct vn_container *c, u64 gpa, u64 old, u64 new);
int vn_s2_rw(struct vn_container *c, u64 gpa, void *buf, size_t len,
	     bool write);
int vn_s2_copy_gpa(struct vn_container *c, u64 dst, u64 src, size_t len,
		   bool *dst_fault);

/* the stage-2 tree: MAP_DMA/UNMAP_DMA semantics of type1 v2 */
void vn_s2_init(struct vn_container *c);
int vn_s2_map(struct vn_container *c, u64 iova, u64 size,
	      unsigned long vaddr, int prot);
int vn_s2_unmap(struct vn_container *c, u64 iova, u64 size, bool all,
		u64 *unmapped);
void vn_s2_destroy(struct vn_container *c);
int vn_s2_pin_pages(struct vn_container *c, u64 iova, int npage, int prot,
		    struct page **pages);
void vn_s2_unpin_pages(struct vn_container *c, u64 iova, int npage);
int vn_s2_dma_rw(struct vn_container *c, u64 iova, void *data, size_t count,
		 bool write);

/*
 * Map clients (the contract: include/linux/vfio_iommu_nested.h). With
 * map_lock held: vn_s2_mc_open() replays the tree to a device before it is
 * added to the device list, vn_s2_mc_close() unmaps the tree from it after
 * it left the list. vn_s2_map() calls ->map of every listed client (under
 * dev_lock) before the mapping enters the tree, vn_s2_unmap() calls
 * ->unmap (under dev_lock, next to ->dma_unmap) before unpinning.
 */
void vn_s2_mc_open(struct vn_container *c, struct vn_device *d);
void vn_s2_mc_close(struct vn_container *c, struct vn_device *d);

/* ---- the registry of map clients (mapclient.c) -------------------------- */

const struct vfio_nested_map_client_ops *vn_map_client_ops(struct device *dev);
bool vn_map_client_group(struct iommu_group *group);

/*
 * The container a VFIO device is registered with (the VFIO core registers
 * a device when its fd is first opened and unregisters it at the last
 * close), or NULL. The container lives at least as long as the device
 * stays registered: a caller that holds the device open may use it.
 */
struct vn_container *vn_container_from_device(struct vfio_device *vdev);

/* ---- physical groups (domain.c) ----------------------------------------- */

int vn_domain_attach(struct vn_container *c, struct vn_group *g);
void vn_domain_detach(struct vn_container *c, struct vn_group *g);
int vn_domain_map_all(struct vn_container *c, struct vn_dma *dma);
void vn_domain_unmap_all(struct vn_container *c, struct vn_dma *dma);
int vn_domain_iova_ranges(struct vn_container *c,
			  struct vfio_iova_range **out);
bool vn_domain_iova_valid(struct vn_container *c, u64 iova, u64 size);

/* ---- the PASID, stage-1 and fault parts (ioctl.c, pasid.c) ---------------
 *
 * vn_nested_ioctl() gets every container ioctl of type VFIO_NESTED_TYPE,
 * with no lock of ours held. vn_nested_release() runs first in the
 * container's release, with no lock of ours held, while the stage-2 tree
 * and the devices are still there; it frees pasid_state (NULL when never
 * created).
 */
long vn_nested_ioctl(struct vn_container *c, unsigned int cmd,
		     unsigned long arg);
void vn_nested_release(struct vn_container *c);

/* ---- the kernel API for a vIOMMU (kapi.c) ---------------------------------
 *
 * vn_kapi_container_release() runs first in the container's release (the
 * VFIO core holds its container's group_lock for write), before
 * vn_nested_release(): it tells the clients and kills the handle.
 * vn_kapi_device_unregister() runs first when a device is unregistered
 * (the VFIO core holds the device's group lock). Both take the kapi's own
 * locks (in kapi.c: vn_kapi_lock, then a handle's clients mutex, then its
 * rw_semaphore), none of the container's, and call the clients' callbacks,
 * which may call the kapi functions (these take the container's locks as
 * the ioctls do). vn_is_nested_driver() recognizes this backend's ops.
 */
void vn_kapi_container_release(struct vn_container *c);
void vn_kapi_device_unregister(struct vn_container *c,
			       struct vfio_device *vdev);
bool vn_is_nested_driver(const struct vn_vfio_iommu_driver_ops *ops);

#endif /* _VFIO_IOMMU_NESTED_PRIVATE_H */
