// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: the virtio-pci personality. An mdev instance of type
 * "vhost_vfio-virtio_pci" is a VFIO PCI device (the vfio-pci uAPI) that a
 * stock VMM assigns and a stock guest drives with virtio_pci: the control
 * path (config space, common and device configuration, ISR, MSI-X table) is
 * emulated here and forwarded to the vDPA device's config ops; the data
 * path is the vDPA device's, translating through the stage-2 mappings the
 * nested VFIO backend hands over as a map client.
 */
#include <linux/file.h>
#include <linux/kmod.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/pci_regs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_pci.h>
#include "vhost_vfio_private.h"

/*
 * The nested backend is reached with symbol_get(), not linked against:
 * vhost_vfio loads (and its vhost type works) without it.
 */

/* ---- stage-2 mappings: the map client ---------------------------------- */

/*
 * A set_map parent takes its whole map at once, and a mapping reaches the
 * client as one call per physically contiguous run: one set_map per call
 * would cost the square of the runs when a VMM maps its guest RAM. So
 * while the device is not live (no queue enabled, no DRIVER_OK since the
 * last reset: the device does no DMA) maps and unmaps only change pci->map
 * and mark it dirty; the device gets it before it can use memory (open, a
 * status or queue-enable write, a notify, an ioeventfd) and at removal.
 * Once live, every mapping reaches the device at the backend's ->map_end,
 * in one set_map() for all its runs, before VFIO_IOMMU_MAP_DMA returns; an
 * unmap does whenever the device may hold a translation (live, or given a
 * non-empty map before), so that it is gone before the pages are unpinned.
 * Adjacent runs are merged, so a VMM's RAM is few entries.
 */
static int vv_pci_flush_locked(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;
	int ret;

	lockdep_assert_held(&pci->map_lock);
	ret = vv->vdpa->config->set_map(vv->vdpa, 0, pci->map);
	if (!ret) {
		WRITE_ONCE(pci->map_dirty, false);
		pci->map_held = !!vhost_iotlb_itree_first(pci->map, 0, U64_MAX);
	}
	return ret;
}

/*
 * The device is about to use memory: its mappings come only from a
 * container of the nested backend. In another one (vfio_iommu_type1 took
 * the VMM's VFIO_TYPE1v2_IOMMU) it would fault on every access: refuse.
 */
static int vv_pci_served(struct vv_dev *vv)
{
	if (vv->pci->served(&vv->vdev))
		return 0;
	dev_warn_ratelimited(vv->vdev.dev,
			     "container not served by vfio_iommu_nested (vfio_iommu_type1 loaded after it?): the device has no mappings\n");
	return -ENXIO;
}

static int vv_pci_flush_sync(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;
	int ret = 0;

	if (!pci->map)
		return 0;
	mutex_lock(&pci->map_lock);
	if (pci->map_dirty)
		ret = vv_pci_flush_locked(vv);
	mutex_unlock(&pci->map_lock);
	return ret;
}

static int vv_pci_flush(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;

	/*
	 * Nothing new for the device, the common case (a kick of a live
	 * device, whose mappings reached it as they came): no lock. A map or
	 * unmap that returned before the caller's access began set map_dirty
	 * first, so it is seen here.
	 */
	if (!pci->map || !READ_ONCE(pci->map_dirty))
		return 0;
	return vv_pci_flush_sync(vv);
}

/*
 * The device may use memory from now on (a queue enable, DRIVER_OK): set
 * live, then flush under map_lock, never through the lockless test of
 * vv_pci_flush(). A map callback stores map_dirty then reads live
 * (vv_pci_map_end(), vv_pci_unmap()), this stores live then reads
 * map_dirty: with nothing ordering each store before its load, both can
 * read the old value, and the device goes live without a mapping whose
 * VFIO_IOMMU_MAP_DMA returns. Under map_lock one of the two critical
 * sections comes first, and the other sees its store.
 */
static int vv_pci_flush_live(struct vv_dev *vv)
{
	WRITE_ONCE(vv->pci->live, true);
	return vv_pci_flush_sync(vv);
}

/* The device must not keep a translation: give it an empty map. */
static void vv_pci_drop_map(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vhost_iotlb *empty = vhost_iotlb_alloc(0, 0);

	dev_warn(vv->vdev.dev, "set_map failed on unmap\n");
	if (empty) {
		if (!ops->set_map(vv->vdpa, 0, empty))
			vv->pci->map_held = false;
		vhost_iotlb_free(empty);
	} else if (ops->reset_map) {
		ops->reset_map(vv->vdpa, 0);
	}
	WRITE_ONCE(vv->pci->map_dirty, true);
}

/*
 * [@iova, @iova + @size) -> @addr (a physical address, or a user one for a
 * use_va parent) for the device: at once through dma_map, else into the
 * set_map copy, marked dirty. map_lock held.
 */
static int vv_pci_enter(struct vv_dev *vv, u64 iova, u64 size, u64 addr,
			bool write)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci *pci = vv->pci;
	u32 perm = write ? VHOST_MAP_RW : VHOST_MAP_RO;
	int ret;

	lockdep_assert_held(&pci->map_lock);
	if (ops->dma_map)
		return ops->dma_map(vv->vdpa, 0, iova, size, addr, perm, NULL);
	ret = vhost_vfio_pci_map_add(pci->map, iova, size, addr, perm);
	if (!ret)
		WRITE_ONCE(pci->map_dirty, true);
	return ret;
}

static int vv_pci_map(struct vfio_device *vdev, u64 iova, u64 size,
		      phys_addr_t pa, bool write)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	int ret;

	if (!size || iova + size - 1 < iova)
		return -EINVAL;
	mutex_lock(&vv->pci->map_lock);
	ret = vv_pci_enter(vv, iova, size, pa, write);
	mutex_unlock(&vv->pci->map_lock);
	return ret;
}

/*
 * The runs of one mapping are all in: a device that may be using memory
 * gets them now, in one set_map() (live is set before the flush that
 * precedes a queue enable or DRIVER_OK, so either that flush or this one
 * carries them). One call per run would hand the parent its whole map
 * once per run: quadratic in the runs of a mapping, which is what a
 * firmware's remap of guest RAM under a live device costs (about a
 * thousand runs for 128 MiB without huge pages). On error the backend
 * unmaps the whole mapping (vv_pci_unmap()).
 */
static int vv_pci_map_end(struct vfio_device *vdev)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct vv_pci *pci = vv->pci;
	int ret = 0;

	if (vv->vdpa->config->dma_map)
		return 0;
	mutex_lock(&pci->map_lock);
	if (pci->map_dirty && READ_ONCE(pci->live))
		ret = vv_pci_flush_locked(vv);
	mutex_unlock(&pci->map_lock);
	return ret;
}

static void vv_pci_unmap(struct vfio_device *vdev, u64 iova, u64 size)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci *pci = vv->pci;

	if (!size || iova + size - 1 < iova)
		return;
	if (ops->dma_map) {
		ops->dma_unmap(vv->vdpa, 0, iova, size);
		return;
	}
	mutex_lock(&pci->map_lock);
	/* splitting a merged entry needs memory: without it, drop it all */
	if (vhost_vfio_pci_map_del(pci->map, iova, size))
		vhost_iotlb_reset(pci->map);
	WRITE_ONCE(pci->map_dirty, true);
	/*
	 * A device that may hold the range drops it now; a parent that refuses
	 * the smaller map is left with an empty one rather than a stale
	 * translation.
	 */
	if ((READ_ONCE(pci->live) || pci->map_held) &&
	    vv_pci_flush_locked(vv))
		vv_pci_drop_map(vv);
	mutex_unlock(&pci->map_lock);
}

/*
 * A use_va parent (vdpa_sim by default) reads the rings and buffers
 * through the page tables of a process it is bound to: it gets each
 * mapping as IOVA -> the VMM's user address, and is bound to the mm of the
 * mappings (the VMM's, which VFIO_IOMMU_MAP_DMA pinned them from) before
 * the first one reaches it, or at open to the opener's when the container
 * has none yet (the parent picks its address mode when a queue is made
 * ready: the binding must come first), as vhost-vdpa binds the owner's mm.
 * One mm per instance: a mapping made by another process is refused. The
 * binding lasts until the device's last close (vv_pci_unbind_mm()).
 */
static int vv_pci_bind_mm_locked(struct vv_dev *vv, struct mm_struct *mm)
{
	struct vv_pci *pci = vv->pci;
	int ret;

	lockdep_assert_held(&pci->map_lock);
	if (pci->mm == mm)
		return 0;
	if (pci->mm) {
		dev_warn_ratelimited(vv->vdev.dev,
				     "mapping by another process than the device's: refused (a use_va device reads one process's memory)\n");
		return -EINVAL;
	}
	ret = vv->vdpa->config->bind_mm(vv->vdpa, mm);
	if (ret)
		return ret;
	mmgrab(mm);
	pci->mm = mm;
	return 0;
}

static int vv_pci_map_va(struct vfio_device *vdev, u64 iova, u64 size,
			 unsigned long vaddr, struct mm_struct *mm, bool write)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	int ret;

	if (!size || iova + size - 1 < iova || !mm)
		return -EINVAL;
	mutex_lock(&vv->pci->map_lock);
	ret = vv_pci_bind_mm_locked(vv, mm);
	if (!ret)
		ret = vv_pci_enter(vv, iova, size, vaddr, write);
	mutex_unlock(&vv->pci->map_lock);
	return ret;
}

/* The device's last close: the parent lets go of the VMM's mm. */
static void vv_pci_unbind_mm(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;

	mutex_lock(&pci->map_lock);
	if (pci->mm) {
		vv->vdpa->config->unbind_mm(vv->vdpa);
		mmdrop(pci->mm);
		pci->mm = NULL;
	}
	mutex_unlock(&pci->map_lock);
}

static const struct vfio_nested_map_client_ops vv_pci_map_ops = {
	.map	= vv_pci_map,
	.unmap	= vv_pci_unmap,
	.map_end = vv_pci_map_end,
};

static const struct vfio_nested_map_client_ops vv_pci_map_va_ops = {
	.map_va	= vv_pci_map_va,
	.unmap	= vv_pci_unmap,
	.map_end = vv_pci_map_end,
};

/* ---- interrupts ---------------------------------------------------------- */

static void vv_pci_signal(struct vv_pci *pci, u16 vector)
{
	struct eventfd_ctx *ctx;

	if (vector >= pci->lay.nvec)
		return;
	rcu_read_lock();
	ctx = rcu_dereference(pci->trig[vector]);
	if (ctx)
		eventfd_signal(ctx);
	rcu_read_unlock();
}

/*
 * Point queue @q's vv_vq.msix at the eventfd of its vector (or none): after
 * a write of its vector, a change of the vectors' eventfds, a reset. The
 * callback then finds the eventfd in the queue, as vv_vq_cb() finds
 * vv_vq.call, not through the vector and the table. An eventfd dropped
 * from the table is put only after a grace period (vv_pci_irq_swap()), so
 * a callback that read the old pointer is done with it by then.
 */
static void vv_pci_vq_set_msix(struct vv_dev *vv, u16 q)
{
	struct vv_pci *pci = vv->pci;
	u16 vector = pci->vqs[q].vector;
	struct eventfd_ctx *ctx = NULL;

	lockdep_assert_held(&vv->lock);
	if (vector < pci->lay.nvec)
		ctx = rcu_dereference_protected(pci->trig[vector],
						lockdep_is_held(&vv->lock));
	rcu_assign_pointer(vv->vqs[q].msix, ctx);
}

/*
 * A used-buffer notification. With MSI-X in use (the queue's vector has an
 * eventfd: VFIO_DEVICE_SET_IRQS is what enables MSI-X on a VFIO PCI
 * device) it is that vector's message and nothing else: the virtio
 * specification asks for the ISR's queue bit only when MSI-X is disabled
 * (4.1.4.5), a driver using MSI-X does not read the ISR on a queue
 * interrupt, and vhost does not set it either when it signals a VMM's
 * irqfd. A notification with no vector eventfd to go to sets the bit, for
 * a driver that polls the ISR.
 */
static void vv_pci_vq_notify(struct vv_vq *vq, struct eventfd_ctx *ctx)
{
	if (likely(ctx))
		eventfd_signal(ctx);
	else
		atomic_or(VV_PCI_ISR_QUEUE, &vq->vv->pci->isr);
}

/*
 * The hot path, once per used buffer: the same work as vv_vq_cb(), one
 * pointer of the queue to the eventfd. As there, rcu_read_lock() only for
 * a preemptible caller: parents call this with bottom halves or
 * preemption disabled, or from an interrupt, an RCU reader already.
 */
static irqreturn_t vv_pci_vq_irq(void *private)
{
	struct vv_vq *vq = private;

	if (likely(!preemptible())) {
		vv_pci_vq_notify(vq, rcu_dereference_check(vq->msix,
							   !preemptible()));
		return IRQ_HANDLED;
	}
	rcu_read_lock();
	vv_pci_vq_notify(vq, rcu_dereference(vq->msix));
	rcu_read_unlock();
	return IRQ_HANDLED;
}

static irqreturn_t vv_pci_config_irq(void *private)
{
	struct vv_pci *pci = ((struct vv_dev *)private)->pci;

	atomic_inc(&pci->gen);
	atomic_or(VIRTIO_PCI_ISR_CONFIG, &pci->isr);
	vv_pci_signal(pci, READ_ONCE(pci->msix_config));
	return IRQ_HANDLED;
}

static u32 vv_pci_irq_count(struct vv_dev *vv, u32 index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return vv->pci->lay.nvec;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		/* no INTx, no MSI, no AER (not a PCIe device) */
		return 0;
	}
}

static void vv_pci_irq_info(struct vfio_device *vdev,
			    struct vfio_irq_info *info)
{
	info->count = vv_pci_irq_count(vdev_to_vv(vdev), info->index);
	info->flags = info->count ? VFIO_IRQ_INFO_EVENTFD : 0;
	if (info->index == VFIO_PCI_MSIX_IRQ_INDEX)
		info->flags |= VFIO_IRQ_INFO_NORESIZE;
}

/* Install eventfds (or none): one wait for the signallers of them all. */
static void vv_pci_irq_swap(struct vfio_device *vdev, u32 index, u32 start,
			    u32 count, struct eventfd_ctx **ctx)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	bool any = false;
	u32 i;

	if (index != VFIO_PCI_MSIX_IRQ_INDEX) {
		ctx[0] = vv_xchg_eventfd(vv, &vv->req, ctx[0]);
		return;
	}
	for (i = 0; i < count; i++) {
		ctx[i] = rcu_replace_pointer(vv->pci->trig[start + i], ctx[i],
					     lockdep_is_held(&vv->lock));
		any |= !!ctx[i];
	}
	/* before the grace period: no queue keeps an eventfd being put */
	for (i = 0; i < vv->pci->lay.nvqs; i++)
		vv_pci_vq_set_msix(vv, i);
	if (any)
		synchronize_rcu();
}

static void vv_pci_irq_trigger(struct vfio_device *vdev, u32 index,
			       u32 vector)
{
	struct vv_dev *vv = vdev_to_vv(vdev);

	if (index == VFIO_PCI_MSIX_IRQ_INDEX)
		vv_pci_signal(vv->pci, vector);
	else
		vv_signal_req(vv);
}

/* ---- virtio state -------------------------------------------------------- */

static u64 vv_pci_offered(struct vv_dev *vv)
{
	return vv->vdpa->config->get_device_features(vv->vdpa) &
	       vv->feature_mask;
}

/* Back to the state after a reset: the device's and ours. Lock held. */
static void vv_pci_reset_state(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci *pci = vv->pci;
	u16 max = ops->get_vq_num_max(vv->vdpa);
	u32 i;

	lockdep_assert_held(&vv->lock);
	pci->dfselect = 0;
	pci->gfselect = 0;
	pci->driver_features = 0;
	WRITE_ONCE(pci->msix_config, VIRTIO_MSI_NO_VECTOR);
	pci->queue_select = 0;
	WRITE_ONCE(pci->live, false);
	atomic_set(&pci->isr, 0);
	for (i = 0; i < pci->lay.nvqs; i++) {
		pci->vqs[i].size = max;
		pci->vqs[i].vector = VIRTIO_MSI_NO_VECTOR;
		vv_pci_vq_set_msix(vv, i);
		pci->vqs[i].enabled = false;
		pci->vqs[i].desc = 0;
		pci->vqs[i].driver = 0;
		pci->vqs[i].device = 0;
	}
}

static int vv_pci_reset(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;
	int ret = vdpa_reset(vv->vdpa, 0);

	vv_pci_reset_state(vv);
	/* a parent may drop its map on reset: it gets it again before use */
	if (pci->map) {
		mutex_lock(&pci->map_lock);
		WRITE_ONCE(pci->map_dirty, true);
		mutex_unlock(&pci->map_lock);
	}
	return ret;
}

/* Features go to the device at FEATURES_OK: the driver's, plus
 * ACCESS_PLATFORM when the device has it (its addresses are IOVAs of the
 * container either way, see the documentation).
 */
static int vv_pci_features_ok(struct vv_dev *vv)
{
	u64 dev = vv->vdpa->config->get_device_features(vv->vdpa);
	u64 f = vv->pci->driver_features;

	if (f & ~vv_pci_offered(vv) || !(f & BIT_ULL(VIRTIO_F_VERSION_1)))
		return -EINVAL;
	f |= dev & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	return vdpa_set_features(vv->vdpa, f);
}

static void vv_pci_set_status(struct vv_dev *vv, u8 status)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	u8 old = ops->get_status(vv->vdpa);
	int ret;

	if (!status) {
		vv_pci_reset(vv);
		return;
	}
	if ((status & ~old & VIRTIO_CONFIG_S_DRIVER_OK) && vv_pci_served(vv))
		status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	if (status & VIRTIO_CONFIG_S_DRIVER_OK)
		ret = vv_pci_flush_live(vv);
	else
		ret = vv_pci_flush(vv);
	if (ret)
		return;		/* the device is not told: status unchanged */
	if ((status & ~old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    vv_pci_features_ok(vv))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	/* no DRIVER_OK without FEATURES_OK (virtio 1.x, 3.1.1) */
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK))
		status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	vdpa_set_status(vv->vdpa, status);
}

static int vv_pci_enable_vq(struct vv_dev *vv, u16 q)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci_vq *pvq = &vv->pci->vqs[q];
	struct vdpa_callback cb = {
		.callback = vv_pci_vq_irq,
		.private = &vv->vqs[q],
	};
	int ret;

	if (!pvq->size || pvq->size > ops->get_vq_num_max(vv->vdpa))
		return -EINVAL;
	ret = vv_pci_served(vv);
	if (ret)
		return ret;
	ret = vv_pci_flush_live(vv);
	if (ret)
		return ret;
	ops->set_vq_num(vv->vdpa, q, pvq->size);
	ret = ops->set_vq_address(vv->vdpa, q, pvq->desc, pvq->driver,
				  pvq->device);
	if (ret)
		return ret;
	ops->set_vq_cb(vv->vdpa, q, &cb);
	ops->set_vq_ready(vv->vdpa, q, true);
	pvq->enabled = true;
	return 0;
}

static u16 vv_pci_vector(struct vv_pci *pci, u16 v)
{
	return v < pci->lay.nvec ? v : VIRTIO_MSI_NO_VECTOR;
}

static void vv_set_half(u64 *v, bool hi, u32 half)
{
	if (hi)
		*v = (*v & GENMASK_ULL(31, 0)) | (u64)half << 32;
	else
		*v = (*v & GENMASK_ULL(63, 32)) | half;
}

static u32 vv_pci_common_read(struct vv_dev *vv, u32 off)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci *pci = vv->pci;
	u16 q = pci->queue_select;
	struct vv_pci_vq *pvq = q < pci->lay.nvqs ? &pci->vqs[q] : NULL;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return pci->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return pci->dfselect < 2 ?
		       vv_pci_offered(vv) >> (32 * pci->dfselect) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		return pci->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return pci->gfselect < 2 ?
		       pci->driver_features >> (32 * pci->gfselect) : 0;
	case VIRTIO_PCI_COMMON_MSIX:
		return pci->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ:
		return pci->lay.nvqs;
	case VIRTIO_PCI_COMMON_STATUS:
		return ops->get_status(vv->vdpa);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return (ops->get_generation ? ops->get_generation(vv->vdpa) : 0) +
		       atomic_read(&pci->gen);
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return q;
	}
	if (!pvq)
		return 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return pvq->size;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return pvq->vector;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return pvq->enabled;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		return pvq->desc >> (off == VIRTIO_PCI_COMMON_Q_DESCHI ? 32 : 0);
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		return pvq->driver >> (off == VIRTIO_PCI_COMMON_Q_AVAILHI ? 32 : 0);
	default:
		return pvq->device >> (off == VIRTIO_PCI_COMMON_Q_USEDHI ? 32 : 0);
	}
}

static int vv_pci_common_write(struct vv_dev *vv, u32 off, u32 val)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pci *pci = vv->pci;
	u16 q = pci->queue_select;
	struct vv_pci_vq *pvq = q < pci->lay.nvqs ? &pci->vqs[q] : NULL;
	u8 status = ops->get_status(vv->vdpa);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		pci->dfselect = val;
		return 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		pci->gfselect = val;
		return 0;
	case VIRTIO_PCI_COMMON_GF:
		if (pci->gfselect < 2 &&
		    !(status & VIRTIO_CONFIG_S_FEATURES_OK))
			vv_set_half(&pci->driver_features, pci->gfselect, val);
		return 0;
	case VIRTIO_PCI_COMMON_MSIX:
		WRITE_ONCE(pci->msix_config, vv_pci_vector(pci, val));
		return 0;
	case VIRTIO_PCI_COMMON_STATUS:
		vv_pci_set_status(vv, val);
		return 0;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		pci->queue_select = val;
		return 0;
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return 0;	/* read-only */
	}
	/* a queue that does not exist, or one enabled: writes are ignored */
	if (!pvq || (pvq->enabled && off != VIRTIO_PCI_COMMON_Q_MSIX))
		return 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (!val || val > ops->get_vq_num_max(vv->vdpa))
			return -EINVAL;
		pvq->size = val;
		return 0;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		pvq->vector = vv_pci_vector(pci, val);
		vv_pci_vq_set_msix(vv, q);
		return 0;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return val == 1 ? vv_pci_enable_vq(vv, q) : -EINVAL;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		vv_set_half(&pvq->desc, off == VIRTIO_PCI_COMMON_Q_DESCHI, val);
		return 0;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		vv_set_half(&pvq->driver, off == VIRTIO_PCI_COMMON_Q_AVAILHI, val);
		return 0;
	default:
		vv_set_half(&pvq->device, off == VIRTIO_PCI_COMMON_Q_USEDHI, val);
		return 0;
	}
}

/* ---- BAR0 and BAR2 ------------------------------------------------------- */

/*
 * A write of the notify window at @off into it: a trapped kick, the hot
 * path of a VMM without an ioeventfd for the queue. The multiplier is a
 * power of two of at least 4 (vhost_vfio_pci_layout()), so a 2- or 4-byte
 * write at a multiple of it is naturally aligned and inside the window,
 * which lies inside BAR0: vhost_vfio_pci_bar_check() has nothing to add.
 */
static int vv_pci_notify(struct vv_dev *vv, u32 off, u32 len)
{
	struct vv_pci *pci = vv->pci;
	u32 mult = pci->lay.notify_mult;
	int ret;

	if ((len != 2 && len != 4) || (off & (mult - 1)))
		return -EINVAL;
	ret = vv_pci_flush(vv);
	if (ret)
		return ret;
	vv->vdpa->config->kick_vq(vv->vdpa, off >> ilog2(mult));
	return 0;
}

/*
 * One access of BAR0 (@val in/out, little-endian value of @len bytes),
 * checked by vhost_vfio_pci_bar_check(), or a device configuration access
 * of any width inside its window. Lock held.
 */
static int vv_pci_bar0(struct vv_dev *vv, u32 off, u8 *buf, u32 len,
		       bool write)
{
	struct vv_pci *pci = vv->pci;
	u32 val = 0;
	int ret;

	/* the kick first: a notify read does nothing and is a hole below */
	if (write && off >= VV_PCI_NOTIFY_OFF &&
	    off - VV_PCI_NOTIFY_OFF < pci->lay.notify_len)
		return vv_pci_notify(vv, off - VV_PCI_NOTIFY_OFF, len);
	if (off >= VV_PCI_DEVCFG_OFF &&
	    off - VV_PCI_DEVCFG_OFF < pci->lay.devcfg_len) {
		off -= VV_PCI_DEVCFG_OFF;
		if (len > pci->lay.devcfg_len - off)
			return -EINVAL;
		if (write)
			vdpa_set_config(vv->vdpa, off, buf, len);
		else
			vdpa_get_config(vv->vdpa, off, buf, len);
		return 0;
	}
	ret = vhost_vfio_pci_bar_check(pci->lay.bar0_size, off, len);
	if (ret)
		return ret;
	if (!write)
		memset(buf, 0, len);
	if (off < VV_PCI_ISR_OFF) {
		ret = vhost_vfio_pci_common_field(off - VV_PCI_COMMON_OFF, len);
		if (ret == -ENOENT)
			return 0;	/* a hole */
		if (ret < 0)
			return ret;
		if (!write) {
			val = vv_pci_common_read(vv, off);
			memcpy(buf, &(__le32){ cpu_to_le32(val) }, len);
			return 0;
		}
		memcpy(&val, buf, len);
		return vv_pci_common_write(vv, off, le32_to_cpu((__force __le32)val));
	}
	if (off == VV_PCI_ISR_OFF) {
		if (!write)
			buf[0] = atomic_xchg(&pci->isr, 0);
		return 0;
	}
	return 0;	/* a hole, or a read of the notify window */
}

static int vv_pci_bar2(struct vv_dev *vv, u32 off, u8 *buf, u32 len,
		       bool write)
{
	struct vv_pci *pci = vv->pci;
	int ret;

	ret = vhost_vfio_pci_bar_check(pci->lay.bar2_size, off, len);
	if (ret)
		return ret;
	if (!write)
		memcpy(buf, pci->msix_table + off, len);
	else if (off < pci->lay.pba_off)
		memcpy(pci->msix_table + off, buf, len);
	/* the PBA is read-only; nothing is ever pending in it */
	return 0;
}

static int vv_pci_bar(struct vv_dev *vv, u32 bar, u32 off, u8 *buf, u32 len,
		      bool write)
{
	if (bar == 0)
		return vv_pci_bar0(vv, off, buf, len, write);
	if (bar == VV_PCI_MSIX_BAR)
		return vv_pci_bar2(vv, off, buf, len, write);
	return -EINVAL;
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window: read or write its data field; a
 * selection naming no valid access does nothing (vv_pci_config_rw()).
 */
static void vv_pci_cfg_window(struct vv_dev *vv, bool write)
{
	u8 *data = vv->pci->cfg.cfg + VV_PCI_CAP_PCICFG +
		   offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
	u32 bar, off, len;

	if (!vhost_vfio_pcicfg_window(&vv->pci->cfg, &bar, &off, &len))
		vv_pci_bar(vv, bar, off, data, len, write);
}

/*
 * A config access that touches pci_cfg_data goes through the window. When
 * the window names no valid access (bad selection, or an access the BAR
 * refuses) nothing reaches a BAR and the config access still succeeds, as
 * with QEMU's virtio-pci: the field's bytes are read as they are.
 */
static int vv_pci_config_rw(struct vv_dev *vv, u32 off, u8 *buf, u32 n,
			    bool write)
{
	struct vv_pcicfg *c = &vv->pci->cfg;

	if (write)
		vhost_vfio_pcicfg_write(c, off, buf, n);
	if (vhost_vfio_pcicfg_hits_data(off, n))
		vv_pci_cfg_window(vv, write);
	if (!write)
		memcpy(buf, c->cfg + off, n);
	return 0;
}

static ssize_t vv_pci_rw(struct vv_dev *vv, char __user *ubuf, size_t count,
			 loff_t *ppos, bool write)
{
	unsigned int index = VV_OFFSET_TO_INDEX(*ppos);
	u64 off = *ppos & VV_OFFSET_MASK;
	u8 small[8] = {};	/* a register or a kick: no allocation */
	u8 *buf = small;
	int ret;

	if (*ppos < 0 || !count || count > VV_PCI_DEVCFG_MAX)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		ret = vhost_vfio_pcicfg_check(off, count);
		if (ret)
			return ret;
	} else if (index != 0 && index != VV_PCI_MSIX_BAR) {
		return -EINVAL;
	} else if (off >= U32_MAX) {
		return -EINVAL;
	}
	if (count > sizeof(small)) {
		buf = kzalloc(count, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	if (write && copy_from_user(buf, ubuf, count)) {
		ret = -EFAULT;
		goto out;
	}
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = vv_pci_config_rw(vv, off, buf, count, write);
	else
		ret = vv_pci_bar(vv, index, off, buf, count, write);
	if (!ret && !write && copy_to_user(ubuf, buf, count))
		ret = -EFAULT;
out:
	if (buf != small)
		kfree(buf);
	return ret ? ret : count;
}

static ssize_t vv_pci_read(struct vfio_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos)
{
	return vv_device_rw(vdev_to_vv(vdev), buf, count, ppos, false,
			    vv_pci_rw);
}

static ssize_t vv_pci_write(struct vfio_device *vdev, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	return vv_device_rw(vdev_to_vv(vdev), (char __user *)buf, count, ppos,
			    true, vv_pci_rw);
}

/* ---- ioctls -------------------------------------------------------------- */

static int vv_pci_region_info_caps(struct vfio_device *vdev,
				   struct vfio_region_info *info,
				   struct vfio_info_cap *caps)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct vv_pci *pci = vv->pci;
	struct {
		struct vfio_region_info_cap_sparse_mmap s;
		struct vfio_region_sparse_mmap_area area;
	} sparse = {};

	if (READ_ONCE(vv->gone))
		return -ENODEV;
	if (info->index >= VFIO_PCI_NUM_REGIONS ||
	    info->index == VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;
	info->index = array_index_nospec(info->index, VFIO_PCI_NUM_REGIONS);
	info->offset = VV_INDEX_TO_OFFSET(info->index);
	info->cap_offset = 0;
	info->size = 0;
	info->flags = 0;
	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = VV_PCI_CFG_SIZE;
		break;
	case 0:
		info->size = pci->lay.bar0_size;
		break;
	case VV_PCI_MSIX_BAR:
		info->size = pci->lay.bar2_size;
		break;
	default:
		/* BAR1 (BAR0's high half), BARs 3-5, the ROM: absent */
		return 0;
	}
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (info->index != 0 || !pci->doorbell)
		return 0;
	/* the notify window can be mapped: one doorbell page per queue */
	info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	sparse.s.header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse.s.header.version = 1;
	sparse.s.nr_areas = 1;
	sparse.area.offset = VV_PCI_NOTIFY_OFF;
	sparse.area.size = pci->lay.notify_len;
	return vfio_info_add_capability(caps, &sparse.s.header, sizeof(sparse));
}

static const struct pvm_vfio_ops vv_pci_pvm_ops = {
	.flags			= VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
	.num_regions		= VFIO_PCI_NUM_REGIONS,
	.num_irqs		= VFIO_PCI_NUM_IRQS,
	.region_info_caps	= vv_pci_region_info_caps,
	.irq_info		= vv_pci_irq_info,
	.irq_trigger		= vv_pci_irq_trigger,
	.irq_swap		= vv_pci_irq_swap,
};

/*
 * VFIO_DEVICE_IOEVENTFD on a queue's notify address: the eventfd becomes
 * the queue's kick (vv_vq.kick, as VHOST_SET_VRING_KICK makes it), so a
 * signal kicks the queue in the kernel. One per queue; the data is checked
 * against the width but the kick does not depend on it.
 */
static long vv_pci_ioeventfd(struct vv_dev *vv, void __user *argp)
{
	size_t minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct vfio_device_ioeventfd ioev;
	struct vv_pci *pci = vv->pci;
	struct vv_pci_vq *pvq;
	struct file *file;
	u64 off;
	u32 size;
	int ret;
	u16 q;

	if (copy_from_user(&ioev, argp, minsz))
		return -EFAULT;
	if (ioev.argsz < minsz ||
	    ioev.flags & ~VFIO_DEVICE_IOEVENTFD_SIZE_MASK ||
	    hweight32(ioev.flags) != 1)
		return -EINVAL;
	size = ioev.flags;	/* bit n: 1 << n bytes, that is the value */
	if (size != 2 && size != 4)
		return -EINVAL;
	if (size < 8 && ioev.data >> (8 * size))
		return -EINVAL;
	if (VV_OFFSET_TO_INDEX(ioev.offset) != 0)
		return -EINVAL;
	off = ioev.offset & VV_OFFSET_MASK;
	if (off < VV_PCI_NOTIFY_OFF ||
	    off - VV_PCI_NOTIFY_OFF >= pci->lay.notify_len ||
	    (off - VV_PCI_NOTIFY_OFF) % pci->lay.notify_mult)
		return -EINVAL;
	q = (off - VV_PCI_NOTIFY_OFF) / pci->lay.notify_mult;
	pvq = &pci->vqs[q];
	if (ioev.fd == -1) {
		if (pvq->ioev_size != size || pvq->ioev_data != ioev.data)
			return -ENODEV;
		vv_vq_set_kick(&vv->vqs[q], NULL);
		pvq->ioev_size = 0;
		return 0;
	}
	if (ioev.fd < 0)
		return -EINVAL;
	if (pvq->ioev_size)
		return -EEXIST;
	ret = vv_pci_flush(vv);
	if (ret)
		return ret;
	file = fget(ioev.fd);
	if (!file)
		return -EBADF;
	/* takes over the file reference, drops it on error */
	if (vv_vq_set_kick(&vv->vqs[q], file))
		return -EINVAL;
	pvq->ioev_size = size;
	pvq->ioev_data = ioev.data;
	return 0;
}

static long vv_pci_other_ioctl(struct vv_dev *vv, unsigned int cmd,
			       void __user *argp)
{
	switch (cmd) {
	case VFIO_DEVICE_RESET:
		return vv_pci_reset(vv);
	case VFIO_DEVICE_IOEVENTFD:
		return vv_pci_ioeventfd(vv, argp);
	}
	return -ENOTTY;
}

static long vv_pci_ioctl(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg)
{
	return vv_device_ioctl(vdev_to_vv(vdev), cmd, (void __user *)arg,
			       &vv_pci_pvm_ops, vv_pci_other_ioctl);
}

/*
 * Called under mmap_lock: vv->lock is not taken (see vv_mmap()). Only the
 * notify window of BAR0, and only where each queue has a doorbell page
 * (the notify multiplier is then PAGE_SIZE): the pages are mapped to the
 * parent's doorbells, so a kick is a store with no exit.
 */
static int vv_pci_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct vv_pci *pci = vv->pci;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct vdpa_notification_area n;
	unsigned long i, first;
	int ret;

	if (READ_ONCE(vv->gone))
		return -ENODEV;
	if (!pci->doorbell || VV_OFFSET_TO_INDEX(off) != 0 ||
	    !(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	off &= VV_OFFSET_MASK;
	if (off < VV_PCI_NOTIFY_OFF || off - VV_PCI_NOTIFY_OFF >= pci->lay.notify_len ||
	    len > pci->lay.notify_len - (off - VV_PCI_NOTIFY_OFF))
		return -EINVAL;
	first = (off - VV_PCI_NOTIFY_OFF) >> PAGE_SHIFT;
	vm_flags_mod(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
		     VM_MAYEXEC);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	for (i = 0; i < len >> PAGE_SHIFT; i++) {
		n = vv->vdpa->config->get_vq_notification(vv->vdpa, first + i);
		ret = io_remap_pfn_range(vma, vma->vm_start + i * PAGE_SIZE,
					 PHYS_PFN(n.addr), PAGE_SIZE,
					 vma->vm_page_prot);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- open, close, removal ---------------------------------------------- */

static int vv_pci_open_device(struct vfio_device *vdev)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct vdpa_callback cb = {
		.callback = vv_pci_config_irq,
		.private = vv,
	};
	int ret = 0;

	/*
	 * The backend replayed the container's mappings before this: a
	 * set_map parent gets them now, which also replaces its default
	 * (often 1:1) map when there are none.
	 */
	mutex_lock(&vv->pci->map_lock);
	/* no mapping was replayed: bind the opener's (the VMM's) mm */
	if (vv->vdpa->use_va && current->mm)
		ret = vv_pci_bind_mm_locked(vv, vv->pci->mm ?: current->mm);
	if (!ret && vv->pci->map)
		ret = vv_pci_flush_locked(vv);
	mutex_unlock(&vv->pci->map_lock);
	if (ret)
		goto err;
	mutex_lock(&vv->lock);
	if (vv->gone) {
		mutex_unlock(&vv->lock);
		ret = -ENODEV;
		goto err;
	}
	vv_pci_reset(vv);
	vv->vdpa->config->set_config_cb(vv->vdpa, &cb);
	vv->opened = true;
	mutex_unlock(&vv->lock);
	return 0;

err:
	/* no close follows a failed open: let go of the replay's mm here */
	vv_pci_unbind_mm(vv);
	return ret;
}

static void vv_pci_teardown(struct vv_dev *vv)
{
	struct vdpa_callback cb = {};
	u32 i;

	lockdep_assert_held(&vv->lock);
	vv_pci_reset(vv);
	vv->vdpa->config->set_config_cb(vv->vdpa, &cb);
	for (i = 0; i < vv->nvqs; i++) {
		vv->vdpa->config->set_vq_cb(vv->vdpa, i, &cb);
		vv_vq_set_kick(&vv->vqs[i], NULL);
		vv->pci->vqs[i].ioev_size = 0;
	}
	pvm_vfio_irqs_clear(&vv->vdev, &vv_pci_pvm_ops, VFIO_PCI_MSIX_IRQ_INDEX,
			    vv->pci->lay.nvec);
	/* reset above: a use_va parent no longer reads the VMM's memory */
	vv_pci_unbind_mm(vv);
	vv->opened = false;
}

static void vv_pci_close_device(struct vfio_device *vdev)
{
	vv_device_close(vdev_to_vv(vdev), vv_pci_teardown);
}

static void vv_pci_request(struct vfio_device *vdev, unsigned int count)
{
	vv_device_request(vdev_to_vv(vdev), count, vv_pci_teardown);
}

/**
 * vv_pci_probe() - set up the virtio-pci state of a new instance
 * @vv: the instance, before vfio_register_emulated_iommu_dev()
 *
 * Takes a reference on the nested backend (loading it if needed) and
 * registers as its map client: of the physical runs of each mapping, or,
 * for a parent that works on user virtual addresses (use_va, which must
 * then have bind_mm), of its user address range.
 *
 * Return: 0 or a negative errno; vv_pci_free() undoes a partial setup.
 */
int vv_pci_probe(struct vv_dev *vv)
{
	struct vdpa_device *vdpa = vv->vdpa;
	const struct vdpa_config_ops *ops = vdpa->config;
	struct vv_pci *pci;
	bool doorbell = ops->get_vq_notification;
	struct vdpa_notification_area n;
	size_t cfglen;
	int ret;
	u32 i;

	if ((vdpa->use_va && (!ops->bind_mm || !ops->unbind_mm)) ||
	    !ops->set_vq_num || !ops->set_vq_address ||
	    !ops->set_vq_ready || !ops->kick_vq || !ops->set_config_cb ||
	    !ops->get_vq_num_max)
		return -EOPNOTSUPP;
	for (i = 0; doorbell && i < vv->nvqs; i++) {
		n = ops->get_vq_notification(vdpa, i);
		doorbell = n.addr && PAGE_ALIGNED(n.addr) && n.size >= PAGE_SIZE;
	}
	pci = kzalloc(sizeof(*pci), GFP_KERNEL);
	if (!pci)
		return -ENOMEM;
	vv->pci = pci;
	mutex_init(&pci->map_lock);
	pci->doorbell = doorbell;
	pci->vv = vv;
	cfglen = ops->get_config_size(vdpa);
	ret = vhost_vfio_pci_layout(&pci->lay, ops->get_device_id(vdpa),
				    vv->nvqs, cfglen, doorbell, PAGE_SIZE);
	if (ret)
		return ret;
	vhost_vfio_pcicfg_init(&pci->cfg, &pci->lay);
	pci->vqs = kcalloc(vv->nvqs, sizeof(*pci->vqs), GFP_KERNEL);
	pci->msix_table = kzalloc(pci->lay.bar2_size, GFP_KERNEL);
	pci->trig = kcalloc(pci->lay.nvec, sizeof(*pci->trig), GFP_KERNEL);
	if (!pci->vqs || !pci->msix_table || !pci->trig)
		return -ENOMEM;
	/* every vector masked, as after a reset */
	for (i = 0; i < pci->lay.nvec; i++)
		pci->msix_table[i * PCI_MSIX_ENTRY_SIZE +
				PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
	if (!ops->dma_map) {
		/*
		 * A limit of 0 makes vhost_iotlb_add_range() refuse every
		 * entry (EINVAL); the container's dma_entry_limit and the
		 * parent's set_map() bound the entries instead.
		 */
		pci->map = vhost_iotlb_alloc(U32_MAX, 0);
		if (!pci->map)
			return -ENOMEM;
	}
	pci->reg = symbol_get(vfio_nested_register_map_client);
	if (!pci->reg) {
		request_module("vfio_iommu_nested");
		pci->reg = symbol_get(vfio_nested_register_map_client);
	}
	pci->unreg = symbol_get(vfio_nested_unregister_map_client);
	pci->served = symbol_get(vfio_nested_map_client_served);
	if (!pci->reg || !pci->unreg || !pci->served) {
		dev_warn(&vdpa->dev, "virtio_pci type needs vfio_iommu_nested\n");
		return -ENODEV;
	}
	ret = pci->reg(&vv->vdev,
		       vdpa->use_va ? &vv_pci_map_va_ops : &vv_pci_map_ops);
	if (ret)
		return ret;
	pci->registered = true;
	return 0;
}

/**
 * vv_pci_remove() - unregister the map client
 * @vv: the instance, after vfio_unregister_group_dev()
 */
void vv_pci_remove(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;

	if (!pci || !pci->registered)
		return;
	pci->unreg(&vv->vdev);
	pci->registered = false;
	/* the device keeps no translation of the last user's memory */
	if (pci->map) {
		mutex_lock(&pci->map_lock);
		if (pci->map_dirty && vv_pci_flush_locked(vv))
			vv_pci_drop_map(vv);
		mutex_unlock(&pci->map_lock);
	}
}

/**
 * vv_pci_free() - free the virtio-pci state (from the release callback)
 * @vv: the instance
 */
void vv_pci_free(struct vv_dev *vv)
{
	struct vv_pci *pci = vv->pci;

	if (!pci)
		return;
	vv_pci_remove(vv);
	vv_pci_unbind_mm(vv);	/* (every close did already) */
	if (pci->reg)
		symbol_put(vfio_nested_register_map_client);
	if (pci->unreg)
		symbol_put(vfio_nested_unregister_map_client);
	if (pci->served)
		symbol_put(vfio_nested_map_client_served);
	if (pci->map)
		vhost_iotlb_free(pci->map);
	kfree(pci->trig);
	kfree(pci->msix_table);
	kfree(pci->vqs);
	mutex_destroy(&pci->map_lock);
	kfree(pci);
	vv->pci = NULL;
}

/*
 * The stage-2 mappings reach the device only from the nested backend's
 * container: bound to an iommufd (the VFIO device cdev) the device would
 * have no data path, so that is refused.
 */
static int vv_pci_bind_iommufd(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id)
{
	return -EOPNOTSUPP;
}

const struct vfio_device_ops vv_pci_ops = {
	.name		= "vhost-vfio-virtio-pci",
	.release	= vv_release,
	.open_device	= vv_pci_open_device,
	.close_device	= vv_pci_close_device,
	.ioctl		= vv_pci_ioctl,
#ifdef HAVE_VFIO_GET_REGION_INFO_CAPS
	.get_region_info_caps = vv_pci_region_info_caps,
#endif
	.read		= vv_pci_read,
	.write		= vv_pci_write,
	.mmap		= vv_pci_mmap,
	.request	= vv_pci_request,
	.bind_iommufd	= vv_pci_bind_iommufd,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};
