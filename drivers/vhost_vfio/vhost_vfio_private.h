/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost_vfio internals: the vDPA bus driver, the mdev parent and the VFIO
 * device that speaks vhost.
 *
 * Objects:
 *   struct vv_parent  one per bound vDPA device; the mdev parent.
 *   struct vv_dev     one per mdev instance (at most one per parent); the
 *                     VFIO device; owns the IOTLBs, pinned pages, eventfds.
 *   struct vv_vq      one per virtqueue of a vv_dev.
 *
 * Lock order (outer first):
 *   (nested backend)     the nested backend's mapping lock, held around the
 *                        map-client callbacks of a virtio-pci instance
 *                        (nothing here takes it: no call into the backend
 *                        is made under the locks below)
 *   vv_dev.lock          (mutex) every ioctl, region access, open/close,
 *                        request, feature-mask store; protects all of vv_dev
 *                        but the eventfd pointers below.  User copies under
 *                        it may fault and take mmap_lock, so mmap (called
 *                        under mmap_lock) never takes it; it reads vv_dev.gone
 *                        with READ_ONCE() (written with WRITE_ONCE())
 *   vdpa_device.cf_lock  (rwsem, vDPA core) taken inside vdpa_get_config(),
 *                        vdpa_set_features() and friends
 *   vv_pci.map_lock      (mutex) the stage-2 copy of a set_map parent and
 *                        the bound mm of a use_va one; taken in the
 *                        map-client callbacks, at open and removal, and
 *                        under vv_dev.lock by the flush points and the
 *                        close. The parent's set_map, dma_map, bind_mm and
 *                        unbind_mm run under it (vdpa_sim's bind waits for
 *                        its worker, whose callbacks take none of these)
 *   vv_dev.irq_lock      (spinlock, irqsave) the config and request eventfd
 *                        pointers, read from device callbacks
 *
 * vv_vq.call is RCU-protected: written under vv_dev.lock, read in the
 * device's used-buffer callback (an RCU reader: interrupt or preemption-off
 * context, or rcu_read_lock() where the caller is preemptible), the old
 * eventfd put after a grace period.
 *
 * The kick wait-queue callback runs under the eventfd's wait-queue lock and
 * only calls the vDPA device's kick_vq(); it takes none of the locks above.
 *
 * A virtio-pci instance (struct vv_pci): its MSI-X eventfds are RCU-protected
 * like vv_vq.call (written under vv_dev.lock, read in the device callbacks),
 * and so is vv_vq.msix, the eventfd of the queue's vector, set under
 * vv_dev.lock whenever the vector or the eventfds change; the config vector
 * and the ISR are read in the callbacks with READ_ONCE()/atomics.
 */
#ifndef _VHOST_VFIO_PRIVATE_H
#define _VHOST_VFIO_PRIVATE_H

#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/pvm_vfio.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/vdpa.h>
#include <linux/vfio.h>
#include <linux/vhost_iotlb.h>
#include <linux/vfio_iommu_nested.h>
#include <uapi/linux/vhost.h>
#include <uapi/linux/vhost_types.h>
#include <uapi/linux/vhost_vfio.h>

/* Region indexes (userspace finds them by capability, not by these). */
enum {
	VV_REGION_CONFIG,
	VV_REGION_DOORBELL,
	VV_REGION_IOTLB,
	VV_NUM_REGIONS,
};

#define VV_OFFSET_SHIFT		40
#define VV_OFFSET_TO_INDEX(off)	((off) >> VV_OFFSET_SHIFT)
#define VV_INDEX_TO_OFFSET(i)	((u64)(i) << VV_OFFSET_SHIFT)
#define VV_OFFSET_MASK		((1ULL << VV_OFFSET_SHIFT) - 1)

/* vhost's dirty log granule, independent of PAGE_SIZE. */
#define VV_LOG_PAGE_SHIFT	12

/* Backend features the bridge itself implements. */
#define VV_BACKEND_FEATURES	(BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2) | \
				 BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH) | \
				 BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID))

struct vv_dev;

/* The mdev types of a parent (index in vv_parent.types). */
enum {
	VV_TYPE_VHOST,
	VV_TYPE_PCI,
	VV_NUM_TYPES,
};

/**
 * struct vv_parent - a vDPA device bound to vhost_vfio
 * @vdpa: the vDPA device
 * @mparent: the mdev parent registered on @vdpa's struct device
 * @types: the "vhost-vfio" and "virtio_pci" mdev types (the mdev core
 *	counts one instance per parent across both: max_instances is 1)
 * @type_list: the type list mdev_register_parent() takes
 */
struct vv_parent {
	struct vdpa_device *vdpa;
	struct mdev_parent mparent;
	struct mdev_type types[VV_NUM_TYPES];
	struct mdev_type *type_list[VV_NUM_TYPES];
};

/**
 * struct vv_pfns - a block of physically contiguous page runs of a pin
 * @next: the next block, or NULL
 * @nr: runs in use
 * @max: runs allocated (a block never exceeds a page)
 * @run: the runs, @run[i].npages pages from frame @run[i].pfn
 */
struct vv_pfns {
	struct vv_pfns *next;
	unsigned int nr;
	unsigned int max;
	struct {
		unsigned long pfn;
		unsigned long npages;
	} run[] __counted_by(max);
};

/**
 * struct vv_pin - pages pinned for one IOTLB entry
 * @node: on vv_dev.retired while the device may still hold the pages
 * @asid: address space of the entry
 * @gen: vv_dev.txn_gen of the transaction that made the entry
 * @dropped_gen: vv_dev.txn_gen of the transaction that removed the entry
 *	from the staged map (the committed map, and the device, still hold it)
 * @npages: pages pinned (and charged) in @head's runs
 * @writable: pinned for device writes (marked dirty on unpin)
 * @head: the first block of runs, or NULL
 * @tail: the last block of runs, or NULL
 */
struct vv_pin {
	struct list_head node;
	u32 asid;
	u64 gen;
	u64 dropped_gen;
	unsigned long npages;
	bool writable;
	struct vv_pfns *head;
	struct vv_pfns *tail;
};

/**
 * struct vv_vq - one virtqueue
 * @vv: the device
 * @idx: queue index
 * @call: eventfd signalled on a used-buffer notification, or NULL (RCU)
 * @msix: virtio-pci: the eventfd of the queue's MSI-X vector, or NULL
 *	(RCU; borrowed from vv_pci.trig, which holds the reference)
 * @kick: eventfd the VMM writes to kick, or NULL
 * @kick_file: the file of @kick, held while @kick is set
 * @kick_wait: our entry on @kick's wait queue
 * @kick_pt: poll table used to add @kick_wait
 * @kick_wqh: the wait queue @kick_wait is on, or NULL
 */
struct vv_vq {
	struct vv_dev *vv;
	u16 idx;
	struct eventfd_ctx __rcu *call;
	struct eventfd_ctx __rcu *msix;
	struct eventfd_ctx *kick;
	struct file *kick_file;
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	wait_queue_head_t *kick_wqh;
};

/**
 * struct vv_dev - one mdev instance, a VFIO device speaking vhost
 * @vdev: the VFIO device (first: vfio_alloc_device() needs offset 0)
 * @parent: the vDPA device's parent object
 * @vdpa: the vDPA device
 * @lock: see the lock order above
 * @opened: the VFIO device is open
 * @gone: being removed; every operation fails with -ENODEV
 * @suspended: VHOST_VDPA_SUSPEND succeeded after DRIVER_OK, no resume or
 *	reset since (vring address and base may then be set)
 * @feature_mask: admin mask (sysfs), applied to the offered features
 * @acked_features: features set by VHOST_SET_FEATURES (incl. LOG_ALL)
 * @backend_features: backend features acked
 * @owner: mm of the owner (VHOST_SET_OWNER), with mmgrab(); written with
 *	WRITE_ONCE() under @lock, compared (never dereferenced) by mmap
 * @mm_bound: bind_mm() done for a use_va device
 * @log_base: user address of the dirty log, 0 if none
 * @iotlb: one IOTLB per address space (@vdpa->nas of them)
 * @in_batch: between VHOST_IOTLB_BATCH_BEGIN and _END
 * @batch_asid: the address space of the batch, or of the open transaction
 * @pinned: pages charged to @owner's pinned_vm
 * @staged: the map being built by the open transaction of a set_map
 *	device (a copy of @iotlb[@batch_asid]), or NULL
 * @retired: pins removed from the map but maybe still in the device's
 *	(a set_map failed since); unpinned after the next good set_map
 * @txn_open: an IOTLB transaction (a batch, or one message) is open
 * @txn_gen: number of the last IOTLB transaction begun
 * @nvqs: number of virtqueues
 * @vqs: the virtqueues
 * @irq_lock: protects @config_call and @req
 * @config_call: eventfd for config-change interrupts, or NULL
 * @req: eventfd signalled when the device is being removed, or NULL
 * @pci: the virtio-pci personality's state, NULL for a vhost instance
 */
struct vv_dev {
	struct vfio_device vdev;
	struct vv_parent *parent;
	struct vdpa_device *vdpa;
	struct mutex lock;	/* see the lock order above */
	bool opened;
	bool gone;
	bool suspended;
	u64 feature_mask;
	u64 acked_features;
	u64 backend_features;
	struct mm_struct *owner;
	bool mm_bound;
	u64 log_base;
	struct vhost_iotlb **iotlb;
	bool in_batch;
	u32 batch_asid;
	unsigned long pinned;
	struct vhost_iotlb *staged;
	struct list_head retired;
	bool txn_open;
	u64 txn_gen;
	u32 nvqs;
	struct vv_vq *vqs;
	spinlock_t irq_lock;	/* protects config_call and req */
	struct eventfd_ctx *config_call;
	struct eventfd_ctx *req;
	struct vv_pci *pci;
};

static inline struct vv_dev *vdev_to_vv(struct vfio_device *vdev)
{
	return container_of(vdev, struct vv_dev, vdev);
}

/* logic.c: device-free rules, exported for the KUnit module. */
u64 vhost_vfio_offered_features(u64 device_features, u64 mask);
int vhost_vfio_check_mask(u64 device_features, u64 mask);
int vhost_vfio_check_features(u64 offered, u64 features);
int vhost_vfio_check_update(const struct vhost_iotlb_msg *msg, u64 first,
			    u64 last);
int vhost_vfio_check_range(u64 iova, u64 size, u64 *last);
unsigned long vhost_vfio_pfn_run(const unsigned long *pfn, unsigned long n);
u64 vhost_vfio_log_mark(u8 *window, u64 window_first, u64 window_bits,
			u64 first, u64 last);

/* vhost.c */
long vv_vhost_ioctl(struct vv_dev *vv, unsigned int cmd, void __user *argp);
int vv_vq_set_kick(struct vv_vq *vq, struct file *file);
void vv_set_call(struct vv_vq *vq, struct eventfd_ctx *ctx);
void vv_set_config_call(struct vv_dev *vv, struct eventfd_ctx *ctx);
struct eventfd_ctx *vv_xchg_eventfd(struct vv_dev *vv, struct eventfd_ctx **slot,
				    struct eventfd_ctx *ctx);
void vv_release_owner(struct vv_dev *vv);
int vv_check_owner(struct vv_dev *vv);
int vv_reset(struct vv_dev *vv);
bool vv_log_covers(u64 base, u64 first, u64 last);

/* iotlb.c */
int vv_iotlb_alloc(struct vv_dev *vv);
void vv_iotlb_free(struct vv_dev *vv);
int vv_iotlb_msg(struct vv_dev *vv, const struct vhost_msg_v2 *msg);
void vv_iotlb_clear(struct vv_dev *vv);
void vv_iotlb_restore(struct vv_dev *vv);
int vv_log_sync(struct vv_dev *vv, u64 first, u64 last, u64 *marked);
#if IS_ENABLED(CONFIG_KUNIT)
/* Exported to vhost_vfio_kunit only (EXPORTED_FOR_KUNIT_TESTING). */
int vv_update(struct vv_dev *vv, u32 asid, const struct vhost_iotlb_msg *msg);
void vv_unmap(struct vv_dev *vv, u32 asid, u64 first, u64 last);
#endif

/* vfio.c */
extern const struct vfio_device_ops vv_vfio_ops;
void vv_release(struct vfio_device *vdev);
void vv_signal_req(struct vv_dev *vv);
long vv_device_ioctl(struct vv_dev *vv, unsigned int cmd, void __user *argp,
		     const struct pvm_vfio_ops *ops,
		     long (*other)(struct vv_dev *vv, unsigned int cmd,
				   void __user *argp));
ssize_t vv_device_rw(struct vv_dev *vv, char __user *buf, size_t count,
		     loff_t *ppos, bool write,
		     ssize_t (*rw)(struct vv_dev *vv, char __user *buf,
				   size_t count, loff_t *ppos, bool write));
void vv_device_close(struct vv_dev *vv, void (*teardown)(struct vv_dev *vv));
void vv_device_request(struct vv_dev *vv, unsigned int count,
		       void (*teardown)(struct vv_dev *vv));

/* ---- the virtio-pci personality ---------------------------------------- */

/* BAR0 layout (the capabilities say it; userspace must read them). */
#define VV_PCI_COMMON_OFF	0x0000
#define VV_PCI_COMMON_LEN	0x38
#define VV_PCI_ISR_OFF		0x1000
#define VV_PCI_DEVCFG_OFF	0x2000
#define VV_PCI_DEVCFG_MAX	0x1000
#define VV_PCI_NOTIFY_OFF	0x3000
#define VV_PCI_NOTIFY_MULT	4
#define VV_PCI_ISR_QUEUE	0x1	/* ISR bit of a queue interrupt */
/* MSI-X table at 0 and PBA at VV_PCI_PBA_OFF of BAR2, a 32-bit memory BAR */
#define VV_PCI_MSIX_BAR		2
#define VV_PCI_CFG_SIZE		256
#define VV_PCI_MAX_VECTORS	2048

/* Capability offsets in the config space. */
#define VV_PCI_CAP_COMMON	0x40
#define VV_PCI_CAP_NOTIFY	0x50
#define VV_PCI_CAP_ISR		0x64
#define VV_PCI_CAP_DEVICE	0x74
#define VV_PCI_CAP_PCICFG	0x84
#define VV_PCI_CAP_MSIX		0x98

/**
 * struct vv_pci_layout - what the config space describes
 * @virtio_id: virtio device id (device id 0x1040 + this)
 * @nvqs: virtqueues
 * @nvec: MSI-X vectors (@nvqs + 1)
 * @bar0_size: BAR0 size, a power of two
 * @bar2_size: BAR2 (MSI-X table and PBA) size, a power of two
 * @pba_off: offset of the PBA in BAR2
 * @devcfg_len: device-specific configuration length
 * @notify_mult: notify_off_multiplier
 * @notify_len: notify window length
 */
struct vv_pci_layout {
	u32 virtio_id;
	u16 nvqs;
	u16 nvec;
	u32 bar0_size;
	u32 bar2_size;
	u32 pba_off;
	u32 devcfg_len;
	u32 notify_mult;
	u32 notify_len;
};

/**
 * struct vv_pcicfg - the emulated PCI config space
 * @cfg: the bytes as read
 * @wmask: the bits a write may change
 * @bar_mask: per BAR register (6 dwords), the address bits (0 if none)
 */
struct vv_pcicfg {
	u8 cfg[VV_PCI_CFG_SIZE];
	u8 wmask[VV_PCI_CFG_SIZE];
	u32 bar_mask[6];
};

/**
 * struct vv_pci_vq - the common configuration of one queue
 * @size: queue_size
 * @vector: queue_msix_vector (the callback reads vv_vq.msix instead)
 * @enabled: queue_enable
 * @desc: queue_desc
 * @driver: queue_driver (the available ring)
 * @device: queue_device (the used ring)
 * @ioev_data: data of the VFIO_DEVICE_IOEVENTFD on this queue's notify
 *	address (the eventfd itself is vv_vq.kick)
 * @ioev_size: its width in bytes, 0 if none
 */
struct vv_pci_vq {
	u16 size;
	u16 vector;
	bool enabled;
	u64 desc;
	u64 driver;
	u64 device;
	u64 ioev_data;
	u8 ioev_size;
};

/**
 * struct vv_pci - one virtio-pci instance
 * @lay: the layout
 * @cfg: the config space
 * @dfselect: device_feature_select
 * @gfselect: driver_feature_select
 * @driver_features: the driver's features (before FEATURES_OK reached the
 *	device)
 * @msix_config: config_msix_vector (read in the config callback)
 * @queue_select: queue_select
 * @isr: ISR bits (1 queue, 2 config), cleared by a read
 * @gen: config generation when the parent has no get_generation
 * @vqs: per queue
 * @msix_table: the MSI-X table and PBA storage (@lay.bar2_size bytes)
 * @trig: per MSI-X vector, the eventfd of VFIO_DEVICE_SET_IRQS (RCU)
 * @doorbell: the parent has a doorbell page per queue (notify is mmap-able)
 * @map_lock: protects @map, @map_dirty, @map_held and @mm
 * @map: the stage-2 mappings, for a set_map parent (NULL otherwise); of a
 *	use_va parent, IOVA -> user address in @mm
 * @map_dirty: @map has entries the device has not been given yet; written
 *	under @map_lock, also read without it by a flush that does not set
 *	@live (vv_pci_flush())
 * @map_held: the device may hold translations (its last set_map was not
 *	empty): an unmap reaches it at once, live or not
 * @live: a queue was enabled or DRIVER_OK set since the last reset: maps
 *	reach the device at the backend's ->map_end (read there and in the
 *	unmap callback under @map_lock; set before a flush under @map_lock)
 * @mm: use_va parent: the mm of the mappings, bound to the parent
 *	(bind_mm()) and held with mmgrab() from the first mapping to the
 *	device's last close; NULL otherwise
 * @vv: the instance
 * @reg: vfio_nested_register_map_client(), held by symbol_get()
 * @unreg: vfio_nested_unregister_map_client(), held by symbol_get()
 * @served: vfio_nested_map_client_served(), held by symbol_get()
 * @registered: the map client is registered
 */
struct vv_pci {
	struct vv_pci_layout lay;
	struct vv_pcicfg cfg;
	u32 dfselect;
	u32 gfselect;
	u64 driver_features;
	u16 msix_config;
	u16 queue_select;
	atomic_t isr;
	atomic_t gen;
	struct vv_pci_vq *vqs;
	u8 *msix_table;
	struct eventfd_ctx __rcu **trig;
	bool doorbell;
	struct mutex map_lock;	/* protects map */
	struct vhost_iotlb *map;
	bool map_dirty;
	bool map_held;
	bool live;
	struct mm_struct *mm;
	struct vv_dev *vv;
	int (*reg)(struct vfio_device *vdev,
		   const struct vfio_nested_map_client_ops *ops);
	void (*unreg)(struct vfio_device *vdev);
	bool (*served)(struct vfio_device *vdev);
	bool registered;
};

/* pcicfg.c: device-free config-space and common-cfg rules (KUnit). */
int vhost_vfio_pci_layout(struct vv_pci_layout *l, u32 virtio_id, u16 nvqs,
			  u32 devcfg_len, bool doorbell, u32 page_size);
void vhost_vfio_pcicfg_init(struct vv_pcicfg *c, const struct vv_pci_layout *l);
int vhost_vfio_pcicfg_check(u64 off, u64 count);
void vhost_vfio_pcicfg_write(struct vv_pcicfg *c, u32 off, const u8 *buf,
			     u32 n);
int vhost_vfio_pcicfg_window(const struct vv_pcicfg *c, u32 *bar, u32 *off,
			     u32 *len);
bool vhost_vfio_pcicfg_hits_data(u32 off, u32 n);
int vhost_vfio_pci_common_field(u32 off, u32 len);
int vhost_vfio_pci_bar_check(u32 bar_size, u64 off, u64 count);
int vhost_vfio_pci_map_add(struct vhost_iotlb *tlb, u64 iova, u64 size,
			   u64 pa, u32 perm);
int vhost_vfio_pci_map_del(struct vhost_iotlb *tlb, u64 iova, u64 size);

/* pci.c */
extern const struct vfio_device_ops vv_pci_ops;
int vv_pci_probe(struct vv_dev *vv);
void vv_pci_remove(struct vv_dev *vv);
void vv_pci_free(struct vv_dev *vv);

#endif /* _VHOST_VFIO_PRIVATE_H */
