// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: stage 2, the GPA (IOVA) to host memory mappings of
 * VFIO_IOMMU_MAP_DMA.
 *
 * Every page of a mapping is pinned (FOLL_LONGTERM) at map time and charged
 * to the mapping process' RLIMIT_MEMLOCK, for every kind of group: the
 * kernel-side accesses (vn_s2_*(), vfio_dma_rw(), the stage-1 walker) then
 * reach guest memory through the page array without faulting, and
 * vfio_pin_pages() only takes a reference on a page already pinned.
 *
 * The tree holds non-overlapping mappings keyed by IOVA. Its writers are
 * serialized by map_lock and change it under s2_lock held for write; the
 * readers take s2_lock for read (see nested_private.h for the order).
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>
#include "nested_private.h"

void vn_s2_init(struct vn_container *c)
{
	c->dma_tree = RB_ROOT;
	c->dma_count = 0;
}

/* The lowest mapping that overlaps [start, last], or NULL. */
static struct vn_dma *vn_dma_first(struct vn_container *c, u64 start, u64 last)
{
	struct rb_node *node = c->dma_tree.rb_node;
	struct vn_dma *res = NULL;

	while (node) {
		struct vn_dma *dma = rb_entry(node, struct vn_dma, node);

		if (dma->iova + dma->size - 1 < start) {
			node = node->rb_right;
		} else {
			if (dma->iova <= last)
				res = dma;
			node = node->rb_left;
		}
	}
	return res;
}

static struct vn_dma *vn_dma_next(struct vn_dma *dma)
{
	struct rb_node *n = rb_next(&dma->node);

	return n ? rb_entry(n, struct vn_dma, node) : NULL;
}

static void vn_dma_insert(struct vn_container *c, struct vn_dma *new)
{
	struct rb_node **link = &c->dma_tree.rb_node, *parent = NULL;

	while (*link) {
		struct vn_dma *dma = rb_entry(*link, struct vn_dma, node);

		parent = *link;
		link = new->iova < dma->iova ? &(*link)->rb_left :
					       &(*link)->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &c->dma_tree);
	c->dma_count++;
}

/* Undo what vn_dma_pin() did for the first @n pages. */
static void vn_dma_unpin(struct vn_dma *dma, unsigned long n)
{
	unpin_user_pages_dirty_lock(dma->pages, n, dma->prot & IOMMU_WRITE);
}

/* Pin the pages of @dma->vaddr from the current mm. */
static int vn_dma_pin(struct vn_dma *dma)
{
	unsigned int gup = FOLL_LONGTERM;
	unsigned long done = 0;

	if (dma->prot & IOMMU_WRITE)
		gup |= FOLL_WRITE;
	while (done < dma->npages) {
		unsigned long chunk = min(dma->npages - done, 1024UL);
		long ret;

		ret = pin_user_pages_fast(dma->vaddr + (done << PAGE_SHIFT),
					  chunk, gup, dma->pages + done);
		if (ret <= 0) {
			vn_dma_unpin(dma, done);
			return ret ? ret : -EFAULT;
		}
		done += ret;
		cond_resched();
	}
	return 0;
}

static void vn_dma_free(struct vn_dma *dma)
{
	kvfree(dma->pages);
	kfree(dma);
}

/* ---- map clients ---------------------------------------------------------- */

/*
 * Give @dma to one client, one call per physically contiguous run (or one
 * ->map_va call for the whole mapping), then ->map_end where the client
 * has it. On error, the client gets ->unmap for the runs it had taken (one
 * range from @dma->iova) and the error is returned.
 */
static int vn_mc_map_dma(struct vn_device *d, struct vn_dma *dma)
{
	bool write = dma->prot & IOMMU_WRITE;
	unsigned long i = 0, n;
	int ret;

	if (d->mc->map_va) {
		ret = d->mc->map_va(d->vdev, dma->iova, dma->size, dma->vaddr,
				    dma->mm, write);
		if (ret)
			return ret;
		i = dma->npages;
	}
	while (i < dma->npages) {
		unsigned long pfn = page_to_pfn(dma->pages[i]);

		for (n = 1; i + n < dma->npages; n++)
			if (page_to_pfn(dma->pages[i + n]) != pfn + n)
				break;
		ret = d->mc->map(d->vdev, dma->iova + ((u64)i << PAGE_SHIFT),
				 (u64)n << PAGE_SHIFT, PFN_PHYS(pfn), write);
		if (ret)
			goto unwind;
		i += n;
	}
	if (!d->mc->map_end)
		return 0;
	ret = d->mc->map_end(d->vdev);
	if (!ret)
		return 0;
unwind:
	if (i)
		d->mc->unmap(d->vdev, dma->iova, (u64)i << PAGE_SHIFT);
	return ret;
}

static bool vn_mc_active(struct vn_device *d)
{
	return d->mc && !d->mc_off;
}

/*
 * A new mapping (pinned, not in the tree yet) to every map client; on
 * error, the clients that took it are told to drop it.
 */
static int vn_mc_map_new(struct vn_container *c, struct vn_dma *dma)
{
	struct vn_device *d;
	int ret = 0;

	mutex_lock(&c->dev_lock);
	list_for_each_entry(d, &c->devices, next) {
		if (!vn_mc_active(d))
			continue;
		ret = vn_mc_map_dma(d, dma);
		if (ret)
			break;
	}
	if (ret) {
		list_for_each_entry_continue_reverse(d, &c->devices, next)
			if (vn_mc_active(d))
				d->mc->unmap(d->vdev, dma->iova, dma->size);
	}
	mutex_unlock(&c->dev_lock);
	return ret;
}

/**
 * vn_s2_mc_open() - replay stage 2 to a map client being registered
 * @c: the container (map_lock held)
 * @d: the device, not on the device list yet, @d->mc set
 *
 * On a failing ->map the device gets ->unmap for what was replayed and is
 * left out (@d->mc_off) until it is registered again: it has no mapping,
 * never a partial or stale one.
 */
void vn_s2_mc_open(struct vn_container *c, struct vn_device *d)
{
	struct vn_dma *dma, *done;
	struct rb_node *node;
	int ret = 0;

	lockdep_assert_held(&c->map_lock);
	for (node = rb_first(&c->dma_tree); node; node = rb_next(node)) {
		dma = rb_entry(node, struct vn_dma, node);
		ret = vn_mc_map_dma(d, dma);
		if (ret)
			break;
		cond_resched();
	}
	if (!ret)
		return;
	for (node = rb_first(&c->dma_tree); node; node = rb_next(node)) {
		done = rb_entry(node, struct vn_dma, node);
		if (done == dma)
			break;
		d->mc->unmap(d->vdev, done->iova, done->size);
	}
	d->mc_off = true;
	dev_warn(d->vdev->dev, "vfio_iommu_nested: map client refused the mapping 0x%llx+0x%llx at open (%d): it gets no mapping until reopened\n",
		 dma->iova, dma->size, ret);
}

/**
 * vn_s2_mc_close() - unmap stage 2 from a map client being unregistered
 * @c: the container (map_lock held)
 * @d: the device, off the device list
 */
void vn_s2_mc_close(struct vn_container *c, struct vn_device *d)
{
	struct rb_node *node;

	lockdep_assert_held(&c->map_lock);
	if (!vn_mc_active(d))
		return;
	for (node = rb_first(&c->dma_tree); node; node = rb_next(node)) {
		struct vn_dma *dma = rb_entry(node, struct vn_dma, node);

		d->mc->unmap(d->vdev, dma->iova, dma->size);
		cond_resched();
	}
}

/**
 * vn_s2_map() - add a stage-2 mapping (VFIO_IOMMU_MAP_DMA)
 * @c: the container (map_lock held)
 * @iova: the GPA, page aligned
 * @size: bytes, page aligned, not 0, @iova + @size - 1 does not wrap
 * @vaddr: the user address in the current mm, page aligned
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 *
 * Pins the pages, charges them to RLIMIT_MEMLOCK, maps them in the
 * physical groups' domains, gives them to the map clients and inserts the
 * mapping.
 *
 * Return: 0; -EEXIST when the range overlaps a mapping; -EINVAL when a
 * physical group cannot map the range (its aperture or reserved regions);
 * -ENOMEM when the memlock limit is reached or memory is short; the pin
 * error (-EFAULT for an address range that is not mapped or not writable);
 * the error of a map client's ->map (the clients are unwound).
 */
int vn_s2_map(struct vn_container *c, u64 iova, u64 size,
	      unsigned long vaddr, int prot)
{
	struct vn_dma *dma;
	int ret;

	lockdep_assert_held(&c->map_lock);
	if (vn_dma_first(c, iova, iova + size - 1))
		return -EEXIST;
	if (!vn_domain_iova_valid(c, iova, size))
		return -EINVAL;

	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma)
		return -ENOMEM;
	dma->iova = iova;
	dma->size = size;
	dma->vaddr = vaddr;
	dma->prot = prot;
	dma->npages = size >> PAGE_SHIFT;
	/* the page pointers, then a pin counter per page */
	dma->pages = kvzalloc(array_size(dma->npages, sizeof(*dma->pages) +
					  sizeof(*dma->pins)),
			      GFP_KERNEL_ACCOUNT);
	if (!dma->pages) {
		ret = -ENOMEM;
		goto err_free;
	}
	dma->pins = (atomic_t *)(dma->pages + dma->npages);

	/* atomic against the limit: checked and charged under mmap_lock */
	ret = account_locked_vm(current->mm, dma->npages, true);
	if (ret)
		goto err_free;
	ret = vn_dma_pin(dma);
	if (ret)
		goto err_uncharge;
	ret = vn_domain_map_all(c, dma);
	if (ret)
		goto err_unpin;
	/* the map clients' ->map_va gets the mm */
	mmgrab(current->mm);
	dma->mm = current->mm;
	ret = vn_mc_map_new(c, dma);
	if (ret)
		goto err_domain;

	down_write(&c->s2_lock);
	vn_dma_insert(c, dma);
	up_write(&c->s2_lock);
	return 0;

err_domain:
	mmdrop(dma->mm);
	vn_domain_unmap_all(c, dma);
err_unpin:
	vn_dma_unpin(dma, dma->npages);
err_uncharge:
	account_locked_vm(current->mm, dma->npages, false);
err_free:
	vn_dma_free(dma);
	return ret;
}

/*
 * Tell every registered device that [iova, iova + size) goes away: the
 * map clients drop it from their IOTLB, the devices with pinned pages
 * unpin them.
 */
static void vn_notify_unmap(struct vn_container *c, u64 iova, u64 size)
{
	struct vn_device *d;

	mutex_lock(&c->dev_lock);
	list_for_each_entry(d, &c->devices, next) {
		if (vn_mc_active(d))
			d->mc->unmap(d->vdev, iova, size);
		if (d->vdev->ops->dma_unmap)
			d->vdev->ops->dma_unmap(d->vdev, iova, size);
	}
	mutex_unlock(&c->dev_lock);
}

/* The last step of an unmap: the mapping is out of the tree. */
static void vn_dma_release(struct vn_container *c, struct vn_dma *dma)
{
	unsigned long i, left = 0;

	vn_domain_unmap_all(c, dma);
	for (i = 0; i < dma->npages; i++)
		left += atomic_read(&dma->pins[i]);
	/*
	 * A device that still holds pages it pinned ignored its dma_unmap
	 * callback: its references keep those pages allocated (they are
	 * not dropped for it, it may still use them), ours go.
	 */
	if (left)
		pr_warn_ratelimited("vfio_iommu_nested: %lu page pins left at unmap of 0x%llx+0x%llx\n",
				    left, dma->iova, dma->size);
	vn_dma_unpin(dma, dma->npages);
	account_locked_vm(dma->mm, dma->npages, false);
	mmdrop(dma->mm);
	vn_dma_free(dma);
}

/**
 * vn_s2_unmap() - remove stage-2 mappings (VFIO_IOMMU_UNMAP_DMA)
 * @c: the container (map_lock held)
 * @iova: first GPA; 0 with @all
 * @size: bytes; 0 with @all
 * @all: remove every mapping
 * @unmapped: set to the bytes removed
 *
 * The range must not bisect a mapping: each mapping is removed whole or
 * not at all. The devices are told (->dma_unmap) before any page is
 * unpinned, so an emulated device drops its vfio_pin_pages() references
 * first; then the mappings leave the tree and the physical domains, and
 * their pages are unpinned and uncharged.
 *
 * Return: 0 (also when nothing was mapped there); -EINVAL when the range
 * bisects a mapping.
 */
int vn_s2_unmap(struct vn_container *c, u64 iova, u64 size, bool all,
		u64 *unmapped)
{
	u64 last = all ? U64_MAX : iova + size - 1;
	struct vn_dma *first, *dma, *next;
	u64 bytes = 0;

	lockdep_assert_held(&c->map_lock);
	*unmapped = 0;
	if (all)
		iova = 0;

	down_write(&c->s2_lock);
	first = vn_dma_first(c, iova, last);
	if (first && first->iova < iova) {
		up_write(&c->s2_lock);
		return -EINVAL;
	}
	for (dma = first; dma && dma->iova <= last; dma = vn_dma_next(dma)) {
		if (dma->iova + dma->size - 1 > last) {
			up_write(&c->s2_lock);
			return -EINVAL;
		}
	}
	/* claimed: no new vfio_pin_pages() from here on */
	for (dma = first; dma && dma->iova <= last; dma = vn_dma_next(dma))
		dma->removing = true;
	up_write(&c->s2_lock);

	for (dma = first; dma && dma->iova <= last; dma = vn_dma_next(dma))
		vn_notify_unmap(c, dma->iova, dma->size);

	for (dma = first; dma && dma->iova <= last; dma = next) {
		down_write(&c->s2_lock);
		next = vn_dma_next(dma);
		rb_erase(&dma->node, &c->dma_tree);
		c->dma_count--;
		up_write(&c->s2_lock);
		bytes += dma->size;
		vn_dma_release(c, dma);
		cond_resched();
	}
	*unmapped = bytes;
	return 0;
}

/**
 * vn_s2_destroy() - remove every mapping at container release
 * @c: the container, no group attached and no device registered
 */
void vn_s2_destroy(struct vn_container *c)
{
	struct rb_node *node;

	while ((node = rb_first(&c->dma_tree))) {
		struct vn_dma *dma = rb_entry(node, struct vn_dma, node);

		rb_erase(node, &c->dma_tree);
		c->dma_count--;
		vn_dma_release(c, dma);
		cond_resched();
	}
}

/* ---- emulated groups: vfio_pin_pages(), vfio_unpin_pages(), dma_rw ---- */

/**
 * vn_s2_pin_pages() - the pin_pages op of an emulated device
 * @c: the container
 * @iova: the first IOVA, page aligned
 * @npage: pages (the VFIO core bounds it)
 * @prot: IOMMU_READ and/or IOMMU_WRITE the device needs
 * @pages: filled with the pages
 *
 * Each page gets a reference that vn_s2_unpin_pages() drops. Pages may lie
 * in several adjacent mappings.
 *
 * Return: @npage; -EINVAL when a page is outside every mapping, or in one
 * being unmapped; -EPERM when a mapping lacks @prot.
 */
int vn_s2_pin_pages(struct vn_container *c, u64 iova, int npage, int prot,
		    struct page **pages)
{
	struct vn_dma *dma = NULL;
	int i, ret = npage;

	if (!PAGE_ALIGNED(iova) || npage <= 0)
		return -EINVAL;
	down_read(&c->s2_lock);
	for (i = 0; i < npage; i++) {
		u64 a = iova + ((u64)i << PAGE_SHIFT);
		unsigned long idx;

		if (a < iova) {		/* wrapped */
			ret = -EINVAL;
			break;
		}
		if (!dma || a >= dma->iova + dma->size)
			dma = vn_dma_first(c, a, a);
		if (!dma || dma->removing) {
			ret = -EINVAL;
			break;
		}
		if ((dma->prot & prot) != prot) {
			ret = -EPERM;
			break;
		}
		idx = (a - dma->iova) >> PAGE_SHIFT;
		pages[i] = dma->pages[idx];
		get_page(pages[i]);
		atomic_inc(&dma->pins[idx]);
	}
	up_read(&c->s2_lock);
	if (ret < 0 && i)
		vn_s2_unpin_pages(c, iova, i);
	return ret;
}

/**
 * vn_s2_unpin_pages() - the unpin_pages op: drop vn_s2_pin_pages() refs
 * @c: the container
 * @iova: the first IOVA
 * @npage: pages
 *
 * A page that is not pinned by a device (or whose mapping is gone) is
 * skipped.
 */
void vn_s2_unpin_pages(struct vn_container *c, u64 iova, int npage)
{
	struct vn_dma *dma = NULL;
	int i;

	down_read(&c->s2_lock);
	for (i = 0; i < npage; i++) {
		u64 a = iova + ((u64)i << PAGE_SHIFT);
		unsigned long idx;

		if (!dma || a < dma->iova || a >= dma->iova + dma->size)
			dma = vn_dma_first(c, a, a);
		if (!dma)
			continue;
		idx = (a - dma->iova) >> PAGE_SHIFT;
		if (atomic_dec_if_positive(&dma->pins[idx]) >= 0)
			put_page(dma->pages[idx]);
	}
	up_read(&c->s2_lock);
}

/*
 * Copy between @buf and stage 2 at @gpa. Returns 0, -EFAULT for an
 * unmapped byte, -EPERM for a missing permission. Nothing is copied
 * unless the whole range passes (checked first).
 */
static int vn_s2_copy(struct vn_container *c, u64 gpa, void *buf, size_t len,
		      bool write)
{
	int need = write ? IOMMU_WRITE : IOMMU_READ;
	struct vn_dma *dma, *first = NULL;
	u64 a, last;
	int ret = 0;

	if (!len)
		return 0;
	last = gpa + len - 1;
	if (last < gpa)
		return -EFAULT;

	down_read(&c->s2_lock);
	/* the whole range must be mapped with the permission */
	a = gpa;
	do {
		dma = vn_dma_first(c, a, a);
		if (!dma) {
			ret = -EFAULT;
			goto out;
		}
		if (!(dma->prot & need)) {
			ret = -EPERM;
			goto out;
		}
		if (!first)
			first = dma;
		a = dma->iova + dma->size;
	} while (dma->iova + dma->size - 1 < last);

	/* the mapping of @gpa was found above: no second lookup for it */
	for (a = gpa, dma = first; a <= last && a >= gpa; ) {
		size_t off = offset_in_page(a);
		size_t n = min_t(u64, PAGE_SIZE - off, last - a + 1);
		void *p;

		if (!dma || a >= dma->iova + dma->size)
			dma = vn_dma_first(c, a, a);
		p = kmap_local_page(dma->pages[(a - dma->iova) >> PAGE_SHIFT]);
		if (write)
			memcpy(p + off, buf, n);
		else
			memcpy(buf, p + off, n);
		kunmap_local(p);
		buf += n;
		a += n;
		if (!a)		/* reached the top of the space */
			break;
	}
out:
	up_read(&c->s2_lock);
	return ret;
}

/**
 * vn_s2_dma_rw() - the dma_rw op: copy between @data and IOVA space
 * @c: the container
 * @iova: the first IOVA
 * @data: kernel buffer
 * @count: bytes
 * @write: true to write IOVA space
 *
 * Return: 0; -EINVAL when a byte is not mapped (as type1); -EPERM when a
 * mapping lacks the permission.
 */
int vn_s2_dma_rw(struct vn_container *c, u64 iova, void *data, size_t count,
		 bool write)
{
	int ret = vn_s2_copy(c, iova, data, count, write);

	return ret == -EFAULT ? -EINVAL : ret;
}

/**
 * vn_s2_rw() - read or write guest memory by GPA through stage 2
 * @c: the container
 * @gpa: the first GPA
 * @buf: kernel buffer
 * @len: bytes
 * @write: true to write guest memory
 *
 * May sleep. Nothing is copied unless every byte is mapped with the
 * permission.
 *
 * Return: 0; -EFAULT when a byte is not mapped; -EPERM when a mapping lacks
 * the permission (read, or write when @write).
 */
int vn_s2_rw(struct vn_container *c, u64 gpa, void *buf, size_t len,
	     bool write)
{
	return vn_s2_copy(c, gpa, buf, len, write);
}

/*
 * The 64-bit word at @gpa (8-byte aligned): kernel mapping of its page,
 * with s2_lock held for read by the caller.
 */
static int vn_s2_word(struct vn_container *c, u64 gpa, int need,
		      struct page **page)
{
	struct vn_dma *dma;

	if (!IS_ALIGNED(gpa, sizeof(u64)))
		return -EINVAL;
	dma = vn_dma_first(c, gpa, gpa);
	if (!dma)
		return -EFAULT;
	if ((dma->prot & need) != need)
		return -EPERM;
	*page = dma->pages[(gpa - dma->iova) >> PAGE_SHIFT];
	return 0;
}

/**
 * vn_s2_read64() - read a 64-bit word of guest memory by GPA
 * @c: the container
 * @gpa: the GPA, 8-byte aligned
 * @val: the value read (native endianness, one single-copy-atomic load)
 *
 * Return: 0; -EFAULT when @gpa is not mapped; -EPERM when the mapping is
 * not readable; -EINVAL when @gpa is not aligned.
 */
int vn_s2_read64(struct vn_container *c, u64 gpa, u64 *val)
{
	struct page *page;
	u64 *p;
	int ret;

	down_read(&c->s2_lock);
	ret = vn_s2_word(c, gpa, IOMMU_READ, &page);
	if (!ret) {
		p = kmap_local_page(page);
		*val = READ_ONCE(p[offset_in_page(gpa) / sizeof(u64)]);
		kunmap_local(p);
	}
	up_read(&c->s2_lock);
	return ret;
}

/**
 * vn_s2_cmpxchg64() - compare and exchange a 64-bit word of guest memory
 * @c: the container
 * @gpa: the GPA, 8-byte aligned
 * @old: the value expected
 * @new: the value to store when @old is found
 *
 * Atomic against other CPUs (the guest's) updating the same word, as a
 * hardware walker's accessed/dirty update is.
 *
 * Return: 0 when @new was stored; -EAGAIN when the word did not hold @old
 * (nothing stored); -EFAULT when @gpa is not mapped; -EPERM when the
 * mapping is not readable and writable; -EINVAL when @gpa is not aligned.
 */
int vn_s2_cmpxchg64(struct vn_container *c, u64 gpa, u64 old, u64 new)
{
	struct page *page;
	u64 *p;
	int ret;

	down_read(&c->s2_lock);
	ret = vn_s2_word(c, gpa, IOMMU_READ | IOMMU_WRITE, &page);
	if (!ret) {
		p = kmap_local_page(page);
		if (cmpxchg64(&p[offset_in_page(gpa) / sizeof(u64)], old, new) != old)
			ret = -EAGAIN;
		kunmap_local(p);
	}
	up_read(&c->s2_lock);
	return ret;
}

/* The page of @gpa in a mapping with @need; s2_lock held. */
static int vn_s2_page(struct vn_container *c, u64 gpa, int need,
		      struct page **page)
{
	struct vn_dma *dma = vn_dma_first(c, gpa, gpa);

	if (!dma)
		return -EFAULT;
	if ((dma->prot & need) != need)
		return -EPERM;
	*page = dma->pages[(gpa - dma->iova) >> PAGE_SHIFT];
	return 0;
}

/**
 * vn_s2_copy_gpa() - copy guest memory to guest memory, within a page
 * @c: the container
 * @dst: destination GPA
 * @src: source GPA
 * @len: bytes; [@src, @src + @len) and [@dst, @dst + @len) each lie in one
 *	page
 * @dst_fault: output, with an error: the destination (not the source)
 *	was refused
 *
 * One copy through the kernel mappings of both pages, no buffer between:
 * the device-to-device path of vfio_nested_dma_copy().
 *
 * Return: 0; -EFAULT when a GPA is not mapped; -EPERM when the source is
 * not readable or the destination not writable. Nothing is copied then.
 */
int vn_s2_copy_gpa(struct vn_container *c, u64 dst, u64 src, size_t len,
		   bool *dst_fault)
{
	struct page *ps, *pd;
	void *s, *d;
	int ret;

	down_read(&c->s2_lock);
	*dst_fault = false;
	ret = vn_s2_page(c, src, IOMMU_READ, &ps);
	if (!ret) {
		*dst_fault = true;
		ret = vn_s2_page(c, dst, IOMMU_WRITE, &pd);
	}
	if (!ret) {
		s = kmap_local_page(ps);
		d = kmap_local_page(pd);
		/*
		 * Two pages cannot overlap: memcpy() (x86 with ERMS but not
		 * FSRM makes memmove() a byte-wise rep movsb, slow under TCG).
		 */
		if (ps == pd)
			memmove(d + offset_in_page(dst), s + offset_in_page(src),
				len);
		else
			memcpy(d + offset_in_page(dst), s + offset_in_page(src),
			       len);
		kunmap_local(d);
		kunmap_local(s);
	}
	up_read(&c->s2_lock);
	return ret;
}
