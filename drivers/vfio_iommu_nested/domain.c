// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: physical groups. Each physical group gets an IOMMU
 * paging domain of its own that holds every stage-2 mapping of the
 * container (the pages pinned by s2.c), so a device behind a real IOMMU
 * reaches exactly what stage 2 maps.
 *
 * Everything here runs with map_lock held.
 */
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include "nested_private.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Attach physical groups whose IOMMU cannot isolate MSIs (no interrupt remapping): a device could then raise any interrupt");

static int vn_first_dev(struct device *dev, void *data)
{
	*(struct device **)data = dev;
	return 1;
}

/* Does [iova, iova + size) fit the group's aperture and miss its holes? */
static bool vn_group_iova_valid(struct vn_group *g, u64 iova, u64 size)
{
	u64 last = iova + size - 1;
	struct iommu_resv_region *r;

	if (iova < g->aperture_start || last > g->aperture_end)
		return false;
	list_for_each_entry(r, &g->resv, list)
		if (iova <= r->start + r->length - 1 && r->start <= last)
			return false;
	return true;
}

/**
 * vn_domain_iova_valid() - may [@iova, @iova + @size) be mapped?
 * @c: the container (map_lock held)
 * @iova: first IOVA
 * @size: bytes, not 0
 *
 * Return: false when a physical group's aperture does not hold the range
 * or one of its reserved regions (MSI window, RMRRs...) overlaps it.
 */
bool vn_domain_iova_valid(struct vn_container *c, u64 iova, u64 size)
{
	struct vn_group *g;

	list_for_each_entry(g, &c->groups, next)
		if (g->domain && !vn_group_iova_valid(g, iova, size))
			return false;
	return true;
}

static int vn_domain_map_one(struct vn_group *g, struct vn_dma *dma)
{
	unsigned long i = 0, j;
	int ret;

	while (i < dma->npages) {
		phys_addr_t phys = page_to_phys(dma->pages[i]);

		/* one iommu_map() per physically contiguous run */
		for (j = i + 1; j < dma->npages; j++)
			if (page_to_phys(dma->pages[j]) !=
			    phys + ((j - i) << PAGE_SHIFT))
				break;
		ret = iommu_map(g->domain, dma->iova + (i << PAGE_SHIFT), phys,
				(j - i) << PAGE_SHIFT, dma->prot | g->prot,
				GFP_KERNEL_ACCOUNT);
		if (ret) {
			if (i)
				iommu_unmap(g->domain, dma->iova,
					    i << PAGE_SHIFT);
			return ret;
		}
		i = j;
	}
	return 0;
}

/**
 * vn_domain_map_all() - map @dma in every physical group's domain
 * @c: the container (map_lock held)
 * @dma: the mapping, pinned, not in the tree yet
 *
 * Return: 0, or the error of iommu_map() with nothing left mapped.
 */
int vn_domain_map_all(struct vn_container *c, struct vn_dma *dma)
{
	struct vn_group *g;
	int ret;

	lockdep_assert_held(&c->map_lock);
	list_for_each_entry(g, &c->groups, next) {
		if (!g->domain)
			continue;
		ret = vn_domain_map_one(g, dma);
		if (ret)
			goto err;
	}
	return 0;
err:
	list_for_each_entry_continue_reverse(g, &c->groups, next)
		if (g->domain)
			iommu_unmap(g->domain, dma->iova, dma->size);
	return ret;
}

/**
 * vn_domain_unmap_all() - unmap @dma from every physical group's domain
 * @c: the container (map_lock held, or its release)
 * @dma: the mapping, out of the tree, pages still pinned
 */
void vn_domain_unmap_all(struct vn_container *c, struct vn_dma *dma)
{
	struct vn_group *g;

	list_for_each_entry(g, &c->groups, next)
		if (g->domain)
			iommu_unmap(g->domain, dma->iova, dma->size);
}

static void vn_group_put_resv(struct vn_group *g)
{
	iommu_put_resv_regions(NULL, &g->resv);
}

/**
 * vn_domain_attach() - give a physical group a paging domain with stage 2
 * @c: the container (map_lock held)
 * @g: the group, not on @c->groups yet
 *
 * Refuses a group whose IOMMU cannot isolate MSIs unless the module
 * parameter allow_unsafe_interrupts is set, as type1 does.
 *
 * Return: 0; -EPERM (no interrupt remapping); -EINVAL when an existing
 * mapping lies outside the group's aperture or in a reserved region, or
 * the IOMMU cannot map PAGE_SIZE pages; -ENODEV (no device in the group);
 * the errors of domain allocation, attach and map.
 */
int vn_domain_attach(struct vn_container *c, struct vn_group *g)
{
	struct iommu_domain *domain;
	struct device *dev = NULL;
	struct rb_node *node;
	int ret;

	lockdep_assert_held(&c->map_lock);
	INIT_LIST_HEAD(&g->resv);
	iommu_group_for_each_dev(g->group, &dev, vn_first_dev);
	if (!dev)
		return -ENODEV;
	if (!iommu_group_has_isolated_msi(g->group) && !allow_unsafe_interrupts) {
		pr_warn("vfio_iommu_nested: no interrupt remapping for this group's IOMMU; refusing it (see the allow_unsafe_interrupts parameter)\n");
		return -EPERM;
	}

	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR_OR_NULL(domain))
		return domain ? PTR_ERR(domain) : -ENOMEM;
	if (!(domain->pgsize_bitmap & PAGE_SIZE)) {
		ret = -EINVAL;
		goto err_free;
	}
	g->aperture_start = domain->geometry.aperture_start;
	g->aperture_end = domain->geometry.aperture_end;
	if (!domain->geometry.force_aperture) {
		g->aperture_start = 0;
		g->aperture_end = U64_MAX;
	}
	ret = iommu_get_group_resv_regions(g->group, &g->resv);
	if (ret)
		goto err_resv;
	/* the regions the IOMMU reserves must hold no mapping already */
	for (node = rb_first(&c->dma_tree); node; node = rb_next(node)) {
		struct vn_dma *dma = rb_entry(node, struct vn_dma, node);

		if (!vn_group_iova_valid(g, dma->iova, dma->size)) {
			ret = -EINVAL;
			goto err_resv;
		}
	}
	g->prot = device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY) ?
		  IOMMU_CACHE : 0;
	ret = iommu_attach_group(domain, g->group);
	if (ret)
		goto err_resv;
	g->domain = domain;
	for (node = rb_first(&c->dma_tree); node; node = rb_next(node)) {
		ret = vn_domain_map_one(g, rb_entry(node, struct vn_dma, node));
		if (ret)
			goto err_detach;
	}
	return 0;

err_detach:
	/* the domain goes: its mappings with it */
	iommu_detach_group(domain, g->group);
	g->domain = NULL;
err_resv:
	vn_group_put_resv(g);
err_free:
	iommu_domain_free(domain);
	return ret;
}

/**
 * vn_domain_detach() - detach a physical group and free its domain
 * @c: the container (map_lock held)
 * @g: the group, off @c->groups
 */
void vn_domain_detach(struct vn_container *c, struct vn_group *g)
{
	iommu_detach_group(g->domain, g->group);
	iommu_domain_free(g->domain);
	g->domain = NULL;
	vn_group_put_resv(g);
}

/* Remove [start, last] from the sorted, disjoint @r[0..*n). */
static int vn_ranges_cut(struct vfio_iova_range *r, unsigned int *n,
			 unsigned int max, u64 start, u64 last)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (last < r[i].start || start > r[i].end)
			continue;
		if (start > r[i].start && last < r[i].end) {
			/* a hole in the middle: split */
			if (*n == max)
				return -ENOSPC;
			memmove(&r[i + 2], &r[i + 1], (*n - i - 1) * sizeof(*r));
			r[i + 1].start = last + 1;
			r[i + 1].end = r[i].end;
			r[i].end = start - 1;
			(*n)++;
			return 0;
		}
		if (start <= r[i].start && last >= r[i].end) {
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
			i--;
			continue;
		}
		if (start <= r[i].start)
			r[i].start = last + 1;
		else
			r[i].end = start - 1;
	}
	return 0;
}

/**
 * vn_domain_iova_ranges() - the usable IOVA ranges of the container
 * @c: the container (map_lock held)
 * @out: set to a kmalloc'ed array of sorted, disjoint ranges (kfree it)
 *
 * Everything when no physical group is attached; otherwise the
 * intersection of the apertures minus every reserved region.
 *
 * Return: the number of ranges (0: none usable), or -ENOMEM.
 */
int vn_domain_iova_ranges(struct vn_container *c, struct vfio_iova_range **out)
{
	unsigned int n = 1, max = 1;
	struct iommu_resv_region *r;
	struct vfio_iova_range *rg;
	struct vn_group *g;
	int ret;

	list_for_each_entry(g, &c->groups, next)
		list_for_each_entry(r, &g->resv, list)
			max++;
	rg = kcalloc(max, sizeof(*rg), GFP_KERNEL);
	if (!rg)
		return -ENOMEM;
	rg[0].start = 0;
	rg[0].end = U64_MAX;
	list_for_each_entry(g, &c->groups, next) {
		if (!g->domain)
			continue;
		if (g->aperture_start)
			vn_ranges_cut(rg, &n, max, 0, g->aperture_start - 1);
		if (g->aperture_end != U64_MAX)
			vn_ranges_cut(rg, &n, max, g->aperture_end + 1, U64_MAX);
		list_for_each_entry(r, &g->resv, list) {
			ret = vn_ranges_cut(rg, &n, max, r->start,
					    r->start + r->length - 1);
			if (ret) {
				kfree(rg);
				return ret;
			}
		}
	}
	*out = rg;
	return n;
}
