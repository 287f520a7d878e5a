// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: IOTLB messages, pinning with RLIMIT_MEMLOCK accounting, the
 * device's dma_map/set_map, and the dirty log.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "vhost_vfio_private.h"

#define VV_IOTLB_LIMIT	65536	/* entries per address space */
#define VV_PIN_BATCH	(PAGE_SIZE / sizeof(struct page *))

int vv_iotlb_alloc(struct vv_dev *vv)
{
	unsigned int i, nas = vv->vdpa->nas;

	vv->iotlb = kcalloc(nas, sizeof(*vv->iotlb), GFP_KERNEL);
	if (!vv->iotlb)
		return -ENOMEM;
	for (i = 0; i < nas; i++) {
		vv->iotlb[i] = vhost_iotlb_alloc(VV_IOTLB_LIMIT, 0);
		if (!vv->iotlb[i]) {
			vv_iotlb_free(vv);
			return -ENOMEM;
		}
	}
	return 0;
}

void vv_iotlb_free(struct vv_dev *vv)
{
	unsigned int i;

	if (!vv->iotlb)
		return;
	for (i = 0; i < vv->vdpa->nas; i++)
		vhost_iotlb_free(vv->iotlb[i]);
	kfree(vv->iotlb);
	vv->iotlb = NULL;
}

static void vv_unpin(struct vv_dev *vv, struct vv_pin *pin)
{
	unsigned long i;

	for (i = 0; i < pin->npages; i++) {
		struct page *page = pfn_to_page(pin->pfn[i]);

		unpin_user_pages_dirty_lock(&page, 1, pin->writable);
	}
	if (vv->owner)
		atomic64_sub(pin->npages, &vv->owner->pinned_vm);
	vv->pinned -= pin->npages;
	kvfree(pin);
}

/* Mark the log bits of the IOVAs [first, last] in the user's log. */
static int vv_log_mark_range(struct vv_dev *vv, u64 first, u64 last,
			     u64 *marked)
{
	u64 b = first >> VV_LOG_PAGE_SHIFT, lb = last >> VV_LOG_PAGE_SHIFT;

	while (b <= lb) {
		u64 page_addr = (vv->log_base + b / BITS_PER_BYTE) & PAGE_MASK;
		u64 wstart = max(page_addr, vv->log_base);
		u64 wbytes = page_addr + PAGE_SIZE - wstart;
		u64 wfirst = (wstart - vv->log_base) * BITS_PER_BYTE;
		struct page *page;
		u8 *map;
		int ret;

		ret = pin_user_pages_fast(page_addr, 1, FOLL_WRITE, &page);
		if (ret != 1)
			return ret < 0 ? ret : -EFAULT;
		map = kmap_local_page(page);
		*marked += vhost_vfio_log_mark(map + (wstart - page_addr),
					       wfirst, wbytes * BITS_PER_BYTE,
					       b, lb);
		kunmap_local(map);
		unpin_user_pages_dirty_lock(&page, 1, true);
		b = wfirst + wbytes * BITS_PER_BYTE;
	}
	return 0;
}

static bool vv_logging(struct vv_dev *vv)
{
	return (vv->acked_features & BIT_ULL(VHOST_F_LOG_ALL)) &&
	       vv->log_base && current->mm == vv->owner;
}

/**
 * vv_log_sync() - mark every device-writable page of [first, last] dirty
 * @vv: the device, lock held
 * @first: first IOVA
 * @last: last IOVA
 * @marked: out, number of log bits set (added to)
 *
 * Return: 0 or -errno.
 */
int vv_log_sync(struct vv_dev *vv, u64 first, u64 last, u64 *marked)
{
	struct vhost_iotlb_map *map;
	unsigned int as;
	int ret;

	lockdep_assert_held(&vv->lock);
	if (!vv_logging(vv))
		return -EINVAL;
	for (as = 0; as < vv->vdpa->nas; as++) {
		for (map = vhost_iotlb_itree_first(vv->iotlb[as], first, last);
		     map; map = vhost_iotlb_itree_next(map, first, last)) {
			if (!(map->perm & VHOST_MAP_WO))
				continue;
			ret = vv_log_mark_range(vv, max(map->start, first),
						min(map->last, last), marked);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int vv_push_map(struct vv_dev *vv, u32 asid)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;

	/* As vhost-vdpa: a parent with dma_map gets dma_map only. */
	if (!ops->set_map || ops->dma_map || vv->in_batch)
		return 0;
	return ops->set_map(vv->vdpa, asid, vv->iotlb[asid]);
}

static void vv_map_del(struct vv_dev *vv, u32 asid, struct vhost_iotlb_map *map)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vv_pin *pin = map->opaque;

	if (ops->dma_map)
		ops->dma_unmap(vv->vdpa, asid, map->start, map->size);
	vhost_iotlb_map_free(vv->iotlb[asid], map);
	vv_unpin(vv, pin);
}

/* Remove every entry of @asid overlapping [first, last]. */
static void vv_unmap(struct vv_dev *vv, u32 asid, u64 first, u64 last)
{
	struct vhost_iotlb_map *map;
	u64 marked = 0;

	while ((map = vhost_iotlb_itree_first(vv->iotlb[asid], first, last))) {
		if (vv_logging(vv) && (map->perm & VHOST_MAP_WO))
			vv_log_mark_range(vv, map->start, map->last, &marked);
		vv_map_del(vv, asid, map);
	}
}

static int vv_add_entry(struct vv_dev *vv, u32 asid, u64 iova, u64 addr,
			const unsigned long *pfn, unsigned long n, u32 perm)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	u64 size = (u64)n << PAGE_SHIFT;
	struct vv_pin *pin;
	int ret;

	pin = kvmalloc(struct_size(pin, pfn, n), GFP_KERNEL_ACCOUNT);
	if (!pin)
		return -ENOMEM;
	pin->npages = n;
	pin->writable = perm & VHOST_MAP_WO;
	memcpy(pin->pfn, pfn, n * sizeof(*pfn));

	ret = vhost_iotlb_add_range_ctx(vv->iotlb[asid], iova, iova + size - 1,
					addr, perm, pin);
	if (ret)
		goto err_free;
	if (ops->dma_map) {
		ret = ops->dma_map(vv->vdpa, asid, iova, size, addr, perm, NULL);
		if (ret)
			goto err_del;
	}
	return 0;

err_del:
	vhost_iotlb_del_range(vv->iotlb[asid], iova, iova + size - 1);
err_free:
	kvfree(pin);
	return ret;
}

/* Pin [uaddr, uaddr + size) into @pfn; returns pages pinned or -errno. */
static long vv_pin_pages(u64 uaddr, unsigned long npages, bool write,
			 unsigned long *pfn)
{
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	struct page **pages;
	unsigned long done = 0, i;
	long ret = 0;

	pages = (struct page **)__get_free_page(GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (done < npages) {
		unsigned long n = min_t(unsigned long, npages - done,
					VV_PIN_BATCH);

		ret = pin_user_pages_fast(uaddr + (done << PAGE_SHIFT), n, gup,
					  pages);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			break;
		}
		for (i = 0; i < ret; i++)
			pfn[done + i] = page_to_pfn(pages[i]);
		done += ret;
		ret = 0;
	}
	free_page((unsigned long)pages);
	if (ret) {
		for (i = 0; i < done; i++)
			unpin_user_page(pfn_to_page(pfn[i]));
		return ret;
	}
	return done;
}

static int vv_update(struct vv_dev *vv, u32 asid, const struct vhost_iotlb_msg *msg)
{
	struct vdpa_iova_range range = { .first = 0, .last = U64_MAX };
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	unsigned long npages = msg->size >> PAGE_SHIFT, limit, off, run;
	unsigned long *pfn;
	u64 last;
	long got;
	int ret;

	if (ops->get_iova_range)
		range = ops->get_iova_range(vv->vdpa);
	ret = vhost_vfio_check_update(msg, range.first, range.last);
	if (ret)
		return ret;
	last = msg->iova + msg->size - 1;
	if (vhost_iotlb_itree_first(vv->iotlb[asid], msg->iova, last))
		return -EEXIST;
	/* While a log is set, it must hold the bits of every writable page. */
	if ((msg->perm & VHOST_MAP_WO) && vv->log_base &&
	    !vv_log_covers(vv->log_base, msg->iova, last))
		return -EFAULT;

	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	if (npages + atomic64_read(&vv->owner->pinned_vm) > limit)
		return -ENOMEM;

	pfn = kvmalloc_array(npages, sizeof(*pfn), GFP_KERNEL_ACCOUNT);
	if (!pfn)
		return -ENOMEM;
	got = vv_pin_pages(msg->uaddr, npages, msg->perm & VHOST_MAP_WO, pfn);
	if (got < 0) {
		ret = got;
		goto out;
	}
	atomic64_add(npages, &vv->owner->pinned_vm);
	vv->pinned += npages;

	/*
	 * A device that takes virtual addresses gets the whole range at once;
	 * one that takes physical addresses gets one entry per contiguous run.
	 * Either way each entry owns its pinned pages.
	 */
	for (off = 0; off < npages; off += run) {
		u64 iova = msg->iova + ((u64)off << PAGE_SHIFT);
		u64 addr;

		if (vv->vdpa->use_va) {
			run = npages;
			addr = msg->uaddr;
		} else {
			run = vhost_vfio_pfn_run(pfn + off, npages - off);
			addr = PFN_PHYS(pfn[off]);
		}
		ret = vv_add_entry(vv, asid, iova, addr, pfn + off, run,
				   msg->perm);
		if (ret)
			break;
	}
	if (ret) {
		unsigned long i;

		/* Entries added own their pages; unpin only the rest. */
		vv_unmap(vv, asid, msg->iova, last);
		for (i = off; i < npages; i++)
			unpin_user_page(pfn_to_page(pfn[i]));
		atomic64_sub(npages - off, &vv->owner->pinned_vm);
		vv->pinned -= npages - off;
		goto out;
	}
	ret = vv_push_map(vv, asid);
	if (ret)
		vv_unmap(vv, asid, msg->iova, last);
out:
	kvfree(pfn);
	return ret;
}

/**
 * vv_iotlb_msg() - process one IOTLB message from the VMM
 * @vv: the device, lock held, owner set
 * @msg: the message
 *
 * Return: 0 or -errno.
 */
int vv_iotlb_msg(struct vv_dev *vv, const struct vhost_msg_v2 *msg)
{
	const struct vhost_iotlb_msg *m = &msg->iotlb;
	u32 asid = msg->asid;
	u64 last;
	int ret;

	lockdep_assert_held(&vv->lock);
	if (msg->type != VHOST_IOTLB_MSG_V2)
		return -EINVAL;
	if (asid >= vv->vdpa->nas)
		return -EINVAL;
	if (asid && !(vv->backend_features & BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID)))
		return -EINVAL;

	switch (m->type) {
	case VHOST_IOTLB_UPDATE:
		if (vv->in_batch && asid != vv->batch_asid)
			return -EINVAL;
		return vv_update(vv, asid, m);
	case VHOST_IOTLB_INVALIDATE:
		if (vv->in_batch && asid != vv->batch_asid)
			return -EINVAL;
		if (vhost_vfio_check_range(m->iova, m->size, &last))
			return -EINVAL;
		vv_unmap(vv, asid, m->iova, last);
		return vv_push_map(vv, asid);
	case VHOST_IOTLB_BATCH_BEGIN:
		if (!(vv->backend_features & BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH)))
			return -EINVAL;
		if (vv->in_batch)
			return -EBUSY;
		vv->in_batch = true;
		vv->batch_asid = asid;
		return 0;
	case VHOST_IOTLB_BATCH_END:
		if (!vv->in_batch)
			return -EINVAL;
		vv->in_batch = false;
		ret = vv_push_map(vv, vv->batch_asid);
		return ret;
	default:
		return -EINVAL;
	}
}

/**
 * vv_iotlb_clear() - drop every mapping of every address space
 * @vv: the device, lock held
 *
 * Used on device reset and close: pages are unpinned and uncharged, the
 * device is told its maps are empty.
 */
void vv_iotlb_clear(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	unsigned int as;

	lockdep_assert_held(&vv->lock);
	vv->in_batch = false;
	if (!vv->iotlb)
		return;
	for (as = 0; as < vv->vdpa->nas; as++) {
		vv_unmap(vv, as, 0, U64_MAX);
		/* An empty map, not the device's default (often 1:1) one. */
		if (ops->set_map && !ops->dma_map)
			ops->set_map(vv->vdpa, as, vv->iotlb[as]);
	}
}
