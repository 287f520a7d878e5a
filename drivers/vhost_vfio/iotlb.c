// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: IOTLB messages, pinning with RLIMIT_MEMLOCK accounting, the
 * device's dma_map/set_map, and the dirty log.
 *
 * The rule for pages: a page is unpinned only once the device can no longer
 * reach it.  A dma_map device drops an entry with dma_unmap(), after which
 * its pages go at once.  A set_map device holds the last map it was given
 * in full, so an entry removed from the bridge's map keeps its pages until a
 * set_map without it has succeeded.
 *
 * Every IOTLB change is a transaction: one UPDATE or INVALIDATE, or the
 * messages between BATCH_BEGIN and BATCH_END.  For a set_map device the
 * changes that remove entries are made on a copy of the map (@staged), the
 * copy is given to the device at the end and only then replaces the map;
 * if the device refuses it, the copy is thrown away and the device is given
 * the old map back: a transaction is applied whole or not at all.  Entries
 * a failed set_map may have reached wait on @retired, pinned, until a later
 * set_map succeeds (or the device is reset).
 *
 * Updates are pinned in pieces of at most VV_PIN_BATCH pages, and every
 * allocation is bounded by a page, whatever the size of the update; the
 * pages are charged to the owner's pinned_vm before they are pinned, in one
 * compare-and-exchange against RLIMIT_MEMLOCK.
 */
#include <kunit/visibility.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "vhost_vfio_private.h"

#define VV_IOTLB_LIMIT	65536	/* entries per address space */
#define VV_PIN_BATCH	(PAGE_SIZE / sizeof(struct page *))
#define VV_RUNS_MAX	((PAGE_SIZE - sizeof(struct vv_pfns)) / \
			 sizeof_field(struct vv_pfns, run[0]))

/**
 * vv_iotlb_alloc() - allocate the empty maps of an opened device
 * @vv: the device, lock held
 *
 * Return: 0 or -ENOMEM.
 */
int vv_iotlb_alloc(struct vv_dev *vv)
{
	unsigned int i, nas = vv->vdpa->nas;

	INIT_LIST_HEAD(&vv->retired);
	vv->staged = NULL;
	vv->txn_open = false;
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
EXPORT_SYMBOL_IF_KUNIT(vv_iotlb_alloc);

/**
 * vv_iotlb_free() - free the maps, emptied by vv_iotlb_clear() before
 * @vv: the device, lock held
 */
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
EXPORT_SYMBOL_IF_KUNIT(vv_iotlb_free);

/* The device takes its whole map at once (set_map), not entry by entry. */
static bool vv_whole_map(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;

	return !ops->dma_map && ops->set_map;
}

/* The map messages of @asid change: the staged copy, if any. */
static struct vhost_iotlb *vv_tlb(struct vv_dev *vv, u32 asid)
{
	if (vv->staged && asid == vv->batch_asid)
		return vv->staged;
	return vv->iotlb[asid];
}

/* Charge @npages to the owner's pinned_vm, atomically against the limit. */
static int vv_charge(struct vv_dev *vv, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	atomic64_t *pinned = &vv->owner->pinned_vm;
	s64 cur = atomic64_read(pinned);

	do {
		if (npages > limit || cur < 0 || (u64)cur > limit - npages)
			return -ENOMEM;
	} while (!atomic64_try_cmpxchg(pinned, &cur, cur + npages));
	vv->pinned += npages;
	return 0;
}

static void vv_uncharge(struct vv_dev *vv, unsigned long npages)
{
	atomic64_sub(npages, &vv->owner->pinned_vm);
	vv->pinned -= npages;
}

static struct vv_pin *vv_pin_new(struct vv_dev *vv, u32 asid, bool writable)
{
	struct vv_pin *pin = kzalloc(sizeof(*pin), GFP_KERNEL_ACCOUNT);

	if (!pin)
		return NULL;
	INIT_LIST_HEAD(&pin->node);
	pin->asid = asid;
	pin->gen = vv->txn_gen;
	pin->writable = writable;
	return pin;
}

/*
 * Give frame @pfn (pinned, charged) to @pin; @more is how many frames may
 * still follow (sizes a new block).  Fails only on allocation.
 */
static int vv_pin_add(struct vv_pin *pin, unsigned long pfn, unsigned long more)
{
	struct vv_pfns *b = pin->tail;

	if (b && b->run[b->nr - 1].pfn + b->run[b->nr - 1].npages == pfn) {
		b->run[b->nr - 1].npages++;
		pin->npages++;
		return 0;
	}
	if (!b || b->nr == b->max) {
		unsigned int max = min_t(unsigned long, more, VV_RUNS_MAX);

		b = kmalloc(struct_size(b, run, max), GFP_KERNEL_ACCOUNT);
		if (!b)
			return -ENOMEM;
		b->next = NULL;
		b->nr = 0;
		b->max = max;
		if (pin->tail)
			pin->tail->next = b;
		else
			pin->head = b;
		pin->tail = b;
	}
	b->run[b->nr].pfn = pfn;
	b->run[b->nr].npages = 1;
	b->nr++;
	pin->npages++;
	return 0;
}

/* Unpin, uncharge and free @pin. */
static void vv_unpin(struct vv_dev *vv, struct vv_pin *pin)
{
	struct vv_pfns *b, *next;
	unsigned int i;

	for (b = pin->head; b; b = next) {
		for (i = 0; i < b->nr; i++)
			unpin_user_page_range_dirty_lock(pfn_to_page(b->run[i].pfn),
							 b->run[i].npages,
							 pin->writable);
		next = b->next;
		kfree(b);
		cond_resched();
	}
	vv_uncharge(vv, pin->npages);
	list_del(&pin->node);
	kfree(pin);
}

/* Unpin the retired pins of @asid: a set_map without them succeeded. */
static void vv_release_retired(struct vv_dev *vv, u32 asid)
{
	struct vv_pin *pin, *tmp;

	list_for_each_entry_safe(pin, tmp, &vv->retired, node)
		if (pin->asid == asid)
			vv_unpin(vv, pin);
}

/* Made by the open transaction, so never given to the device yet. */
static bool vv_fresh(struct vv_dev *vv, struct vv_pin *pin)
{
	return vv->txn_open && pin->gen == vv->txn_gen;
}

/* @pin's entry was removed from vv_tlb(): unpin it once the device lets go. */
static void vv_drop(struct vv_dev *vv, struct vv_pin *pin)
{
	if (!vv_whole_map(vv) || vv_fresh(vv, pin))
		vv_unpin(vv, pin);	/* dma_unmap()ed, or never on the device */
	else if (vv->staged && pin->asid == vv->batch_asid)
		pin->dropped_gen = vv->txn_gen;	/* the committed map has it */
	else
		list_add_tail(&pin->node, &vv->retired);
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
	/* The committed maps: what the device can write to. */
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

/**
 * vv_unmap() - remove every entry of @asid overlapping [first, last]
 * @vv: the device, lock held
 * @asid: the address space
 * @first: first IOVA
 * @last: last IOVA
 *
 * Whole entries go, not parts of them.  Writable entries are marked in the
 * dirty log when logging.  A dma_map device is told at once; the pages of
 * an entry a set_map device may hold stay pinned until it lets them go.
 */
VISIBLE_IF_KUNIT void vv_unmap(struct vv_dev *vv, u32 asid, u64 first, u64 last)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vhost_iotlb *tlb = vv_tlb(vv, asid);
	struct vhost_iotlb_map *map;
	u64 marked = 0;

	lockdep_assert_held(&vv->lock);
	while ((map = vhost_iotlb_itree_first(tlb, first, last))) {
		struct vv_pin *pin = map->opaque;

		if (vv_logging(vv) && (map->perm & VHOST_MAP_WO))
			vv_log_mark_range(vv, map->start, map->last, &marked);
		if (ops->dma_map)
			ops->dma_unmap(vv->vdpa, asid, map->start, map->size);
		vhost_iotlb_map_free(tlb, map);
		vv_drop(vv, pin);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vv_unmap);

/* Add [iova, iova + size) -> @addr to the map, owning @pin. */
static int vv_add_entry(struct vv_dev *vv, u32 asid, u64 iova, u64 size,
			u64 addr, u32 perm, struct vv_pin *pin)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vhost_iotlb *tlb = vv_tlb(vv, asid);
	int ret;

	ret = vhost_iotlb_add_range_ctx(tlb, iova, iova + size - 1, addr, perm,
					pin);
	if (ret)
		return ret;
	if (ops->dma_map) {
		ret = ops->dma_map(vv->vdpa, asid, iova, size, addr, perm, NULL);
		if (ret) {
			vhost_iotlb_del_range(tlb, iova, iova + size - 1);
			return ret;
		}
	}
	return 0;
}

/**
 * struct vv_adder - an update being pinned and entered
 * @vv: the device
 * @asid: its address space
 * @msg: the update
 * @pin: use_va: the pin of the one entry; otherwise the current run's
 * @iova: otherwise: first IOVA of the current run
 * @owned: pages given to pins
 */
struct vv_adder {
	struct vv_dev *vv;
	u32 asid;
	const struct vhost_iotlb_msg *msg;
	struct vv_pin *pin;
	u64 iova;
	unsigned long owned;
};

/* A device taking physical addresses: one entry per contiguous run. */
static int vv_flush_run(struct vv_adder *a)
{
	struct vv_pin *pin = a->pin;
	int ret;

	if (!pin)
		return 0;
	ret = vv_add_entry(a->vv, a->asid, a->iova,
			   (u64)pin->npages << PAGE_SHIFT,
			   PFN_PHYS(pin->head->run[0].pfn), a->msg->perm, pin);
	if (ret)
		return ret;
	a->iova += (u64)pin->npages << PAGE_SHIFT;
	a->pin = NULL;
	return 0;
}

/* Take pinned frame @pfn, the next page of the update. */
static int vv_add_page(struct vv_adder *a, unsigned long pfn,
		       unsigned long left)
{
	struct vv_pfns *b = a->pin ? a->pin->tail : NULL;
	int ret;

	if (!a->vv->vdpa->use_va && b &&
	    b->run[0].pfn + b->run[0].npages != pfn) {
		ret = vv_flush_run(a);
		if (ret)
			return ret;
	}
	if (!a->pin) {
		a->pin = vv_pin_new(a->vv, a->asid, a->msg->perm & VHOST_MAP_WO);
		if (!a->pin)
			return -ENOMEM;
	}
	ret = vv_pin_add(a->pin, pfn, a->vv->vdpa->use_va ? left : 1);
	if (!ret)
		a->owned++;
	return ret;
}

/**
 * vv_update() - pin the pages of an update and enter them in the map
 * @vv: the device, lock held, a transaction open on @asid (a batch, or
 *	the one of this message)
 * @asid: the address space
 * @msg: the VHOST_IOTLB_UPDATE message
 *
 * On failure nothing is left of the update: no entry, no pin, no charge.
 *
 * Return: 0 or -errno.
 */
VISIBLE_IF_KUNIT int vv_update(struct vv_dev *vv, u32 asid,
			       const struct vhost_iotlb_msg *msg)
{
	struct vdpa_iova_range range = { .first = 0, .last = U64_MAX };
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	unsigned int gup = FOLL_LONGTERM;
	struct vv_adder a = { .vv = vv, .asid = asid, .msg = msg,
			      .iova = msg->iova };
	unsigned long npages, done = 0, i = 0;
	struct page **pages;
	long got = 0;
	int ret;

	lockdep_assert_held(&vv->lock);
	if (ops->get_iova_range)
		range = ops->get_iova_range(vv->vdpa);
	ret = vhost_vfio_check_update(msg, range.first, range.last);
	if (ret)
		return ret;
	if (vhost_iotlb_itree_first(vv_tlb(vv, asid), msg->iova,
				    msg->iova + msg->size - 1))
		return -EEXIST;
	/* While a log is set, it must hold the bits of every writable page. */
	if ((msg->perm & VHOST_MAP_WO) && vv->log_base &&
	    !vv_log_covers(vv->log_base, msg->iova, msg->iova + msg->size - 1))
		return -EFAULT;
	npages = msg->size >> PAGE_SHIFT;
	ret = vv_charge(vv, npages);
	if (ret)
		return ret;
	pages = (struct page **)__get_free_page(GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto err_charge;
	}
	if (msg->perm & VHOST_MAP_WO)
		gup |= FOLL_WRITE;

	while (done < npages) {
		got = pin_user_pages_fast(msg->uaddr + ((u64)done << PAGE_SHIFT),
					  min(npages - done, VV_PIN_BATCH), gup,
					  pages);
		if (got <= 0) {
			ret = got ? got : -EFAULT;
			goto err_pages;
		}
		for (i = 0; i < got; i++) {
			ret = vv_add_page(&a, page_to_pfn(pages[i]),
					  npages - done - i);
			if (ret)
				goto err_pages;
		}
		done += got;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_pages;
		}
		cond_resched();
	}
	if (vv->vdpa->use_va) {
		ret = vv_add_entry(vv, asid, msg->iova, msg->size, msg->uaddr,
				   msg->perm, a.pin);
		if (!ret)
			a.pin = NULL;
	} else {
		ret = vv_flush_run(&a);
	}
	if (ret)
		goto err_entries;
	free_page((unsigned long)pages);
	return 0;

err_pages:
	/* Pages of the last piece not yet given to a pin. */
	unpin_user_pages(pages + i, got > 0 ? got - i : 0);
err_entries:
	free_page((unsigned long)pages);
	/* Entries made so far are fresh: they go with their pins. */
	vv_unmap(vv, asid, msg->iova, msg->iova + msg->size - 1);
	if (a.pin)
		vv_unpin(vv, a.pin);
	/* vv_unpin() uncharged what pins owned; the rest was charged here. */
	npages -= a.owned;
err_charge:
	vv_uncharge(vv, npages);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vv_update);

/* A copy of @src's entries, sharing their pins. */
static struct vhost_iotlb *vv_iotlb_copy(struct vhost_iotlb *src)
{
	struct vhost_iotlb *dst = vhost_iotlb_alloc(VV_IOTLB_LIMIT, 0);
	struct vhost_iotlb_map *map;

	if (!dst)
		return NULL;
	for (map = vhost_iotlb_itree_first(src, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
		if (vhost_iotlb_add_range_ctx(dst, map->start, map->last,
					      map->addr, map->perm,
					      map->opaque)) {
			vhost_iotlb_free(dst);
			return NULL;
		}
	}
	return dst;
}

/*
 * Open a transaction on @asid; @stage: it may remove entries, so a set_map
 * device's changes are made on a copy.
 */
static int vv_txn_begin(struct vv_dev *vv, u32 asid, bool stage)
{
	if (stage && vv_whole_map(vv)) {
		vv->staged = vv_iotlb_copy(vv->iotlb[asid]);
		if (!vv->staged)
			return -ENOMEM;
	}
	vv->batch_asid = asid;
	vv->txn_gen++;
	vv->txn_open = true;
	return 0;
}

/* Remove the entries the open transaction made from @tlb; retire them. */
static void vv_txn_undo(struct vv_dev *vv, struct vhost_iotlb *tlb)
{
	struct vhost_iotlb_map *map, *next;

	for (map = vhost_iotlb_itree_first(tlb, 0, U64_MAX); map; map = next) {
		struct vv_pin *pin = map->opaque;

		next = vhost_iotlb_itree_next(map, 0, U64_MAX);
		if (!vv_fresh(vv, pin))
			continue;
		vhost_iotlb_map_free(tlb, map);
		list_add_tail(&pin->node, &vv->retired);
	}
}

/*
 * Close the transaction: give the device its new map and keep it, or, if
 * the device refuses it, undo the transaction and give the device the old
 * map back.  Return: 0 or the device's set_map error.
 */
static int vv_txn_end(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	u32 asid = vv->batch_asid;
	struct vhost_iotlb *old = vv->iotlb[asid];
	struct vhost_iotlb_map *map;
	int ret = 0;

	if (!vv_whole_map(vv))
		goto out;
	ret = ops->set_map(vv->vdpa, asid, vv_tlb(vv, asid));
	if (!ret && vv->staged) {
		/* Entries removed in the transaction leave the old map. */
		for (map = vhost_iotlb_itree_first(old, 0, U64_MAX); map;
		     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
			struct vv_pin *pin = map->opaque;

			if (pin->dropped_gen == vv->txn_gen)
				list_add_tail(&pin->node, &vv->retired);
		}
		vhost_iotlb_free(old);
		vv->iotlb[asid] = vv->staged;
		vv->staged = NULL;
	}
	if (ret) {
		vv_txn_undo(vv, vv_tlb(vv, asid));
		if (vv->staged) {
			vhost_iotlb_free(vv->staged);
			vv->staged = NULL;
		}
		if (ops->set_map(vv->vdpa, asid, vv->iotlb[asid]))
			goto out;	/* the retired pages wait for a later map */
	}
	vv_release_retired(vv, asid);
out:
	vv->txn_open = false;
	return ret;
}

/* Close a transaction that changed nothing (its one message failed). */
static void vv_txn_abort(struct vv_dev *vv)
{
	if (vv->staged) {
		vhost_iotlb_free(vv->staged);
		vv->staged = NULL;
	}
	vv->txn_open = false;
}

/**
 * vv_iotlb_msg() - process one IOTLB message from the VMM
 * @vv: the device, lock held, owner set
 * @msg: the message; a v1 message (type VHOST_IOTLB_MSG) has the same
 *	layout, with padding where v2 has the asid
 *
 * Return: 0 or -errno.
 */
int vv_iotlb_msg(struct vv_dev *vv, const struct vhost_msg_v2 *msg)
{
	const struct vhost_iotlb_msg *m = &msg->iotlb;
	u32 asid = 0;
	u64 last;
	int ret;

	lockdep_assert_held(&vv->lock);
	if (msg->type == VHOST_IOTLB_MSG_V2)
		asid = msg->asid;
	else if (msg->type != VHOST_IOTLB_MSG)
		return -EINVAL;
	if (asid >= vv->vdpa->nas)
		return -EINVAL;
	if (asid && !(vv->backend_features & BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID)))
		return -EINVAL;
	/* Inside a batch, only its own address space. */
	if (vv->in_batch && asid != vv->batch_asid &&
	    m->type != VHOST_IOTLB_BATCH_BEGIN)
		return -EINVAL;

	switch (m->type) {
	case VHOST_IOTLB_UPDATE:
		if (vv->in_batch)
			return vv_update(vv, asid, m);
		vv_txn_begin(vv, asid, false);
		ret = vv_update(vv, asid, m);
		if (ret) {
			vv_txn_abort(vv);
			return ret;
		}
		return vv_txn_end(vv);
	case VHOST_IOTLB_INVALIDATE:
		if (vhost_vfio_check_range(m->iova, m->size, &last))
			return -EINVAL;
		if (vv->in_batch) {
			vv_unmap(vv, asid, m->iova, last);
			return 0;
		}
		if (!vhost_iotlb_itree_first(vv->iotlb[asid], m->iova, last))
			return 0;
		ret = vv_txn_begin(vv, asid, true);
		if (ret)
			return ret;
		vv_unmap(vv, asid, m->iova, last);
		return vv_txn_end(vv);
	case VHOST_IOTLB_BATCH_BEGIN:
		if (!(vv->backend_features & BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH)))
			return -EINVAL;
		if (vv->in_batch)
			return -EBUSY;
		ret = vv_txn_begin(vv, asid, true);
		if (ret)
			return ret;
		vv->in_batch = true;
		return 0;
	case VHOST_IOTLB_BATCH_END:
		if (!vv->in_batch)
			return -EINVAL;
		vv->in_batch = false;
		return vv_txn_end(vv);
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vv_iotlb_msg);

/**
 * vv_iotlb_restore() - give the device its maps again after a reset
 * @vv: the device, reset with VHOST_BACKEND_F_IOTLB_PERSIST, lock held
 *
 * The mappings stay pinned.  A batch still open is committed as at
 * VHOST_IOTLB_BATCH_END (its entries are in the map, as with vhost-vdpa),
 * and a set_map device is given every map again, whatever its reset did
 * to its own.  Pages retired before the reset are unpinned only once a
 * set_map without them succeeded.
 */
void vv_iotlb_restore(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	unsigned int as;

	lockdep_assert_held(&vv->lock);
	if (vv->in_batch) {
		vv->in_batch = false;
		vv_txn_end(vv);
	}
	if (!vv_whole_map(vv))
		return;
	for (as = 0; as < vv->vdpa->nas; as++)
		if (!ops->set_map(vv->vdpa, as, vv->iotlb[as]))
			vv_release_retired(vv, as);
}

/**
 * vv_iotlb_clear() - drop every mapping of every address space
 * @vv: the device, reset, lock held
 *
 * Used on device reset and close, with any open batch: the device is given
 * empty maps, then every page is unpinned and uncharged.
 */
void vv_iotlb_clear(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	unsigned int as;

	lockdep_assert_held(&vv->lock);
	vv->in_batch = false;
	if (!vv->iotlb)
		return;
	if (vv->staged) {
		/* Entries only the batch had were never on the device. */
		vv_unmap(vv, vv->batch_asid, 0, U64_MAX);
		vv_txn_abort(vv);
	}
	vv->txn_open = false;
	for (as = 0; as < vv->vdpa->nas; as++) {
		vv_unmap(vv, as, 0, U64_MAX);
		/* An empty map, not the device's default (often 1:1) one. */
		if (vv_whole_map(vv))
			ops->set_map(vv->vdpa, as, vv->iotlb[as]);
		vv_release_retired(vv, as);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vv_iotlb_clear);
