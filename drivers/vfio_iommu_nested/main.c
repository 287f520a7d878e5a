// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: a VFIO IOMMU backend with two-stage translation.
 *
 * This file is the backend's face to the VFIO core: the container's
 * iommu_data (struct vn_container), the groups and devices attached to it,
 * the standard container ioctls with type1 v2 semantics (VFIO_CHECK_EXTENSION,
 * VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA) and the
 * emulated devices' pin_pages, unpin_pages and dma_rw. Every ioctl of type
 * VFIO_NESTED_TYPE goes to vn_nested_ioctl().
 *
 * A container is set to VFIO_NESTED_IOMMU or, with serve_type1v2, to
 * VFIO_TYPE1v2_IOMMU: then it takes only emulated groups whose devices are
 * all map clients (mapclient.c) and answers only the type1 v2 ioctls, so
 * that a stock VMM asking for type1 v2 gets this backend for such devices
 * and vfio_iommu_type1 for every other group.
 */
#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/xarray.h>
#include "nested_private.h"

static unsigned int dma_entry_limit __read_mostly = U16_MAX;
module_param(dma_entry_limit, uint, 0644);
MODULE_PARM_DESC(dma_entry_limit,
		 "Most stage-2 mappings a container may hold (default 65535, as type1)");

static bool serve_type1v2 __read_mostly = true;
module_param(serve_type1v2, bool, 0644);
MODULE_PARM_DESC(serve_type1v2,
		 "Serve VFIO_TYPE1v2_IOMMU containers whose groups are all map clients (default on)");

/* registered VFIO device -> its container (vn_container_from_device()) */
static DEFINE_XARRAY(vn_devices);

/**
 * vn_container_from_device() - the container a VFIO device is registered with
 * @vdev: a VFIO device
 *
 * Lockless. The container stays valid while @vdev stays registered, i.e.
 * while the caller holds the device open.
 *
 * Return: the container, or NULL when @vdev is not registered with one of
 * this backend.
 */
struct vn_container *vn_container_from_device(struct vfio_device *vdev)
{
	return xa_load(&vn_devices, (unsigned long)vdev);
}

static void *vn_open(unsigned long arg)
{
	struct vn_container *c;

	if (arg != VFIO_NESTED_IOMMU &&
	    (arg != VFIO_TYPE1v2_IOMMU || !READ_ONCE(serve_type1v2)))
		return ERR_PTR(-EINVAL);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->type1 = arg == VFIO_TYPE1v2_IOMMU;
	mutex_init(&c->map_lock);
	mutex_init(&c->dev_lock);
	init_rwsem(&c->s2_lock);
	INIT_LIST_HEAD(&c->groups);
	INIT_LIST_HEAD(&c->devices);
	vn_s2_init(c);
	return c;
}

static void vn_release(void *data)
{
	struct vn_container *c = data;

	/* the VFIO core detached every group and unregistered every device */
	WARN_ON(!list_empty(&c->groups) || !list_empty(&c->devices));
	vn_kapi_container_release(c);
	vn_nested_release(c);
	vn_s2_destroy(c);
	mutex_destroy(&c->map_lock);
	mutex_destroy(&c->dev_lock);
	kfree(c);
}

static struct vn_group *vn_find_group(struct vn_container *c,
				      struct iommu_group *group)
{
	struct vn_group *g;

	list_for_each_entry(g, &c->groups, next)
		if (g->group == group)
			return g;
	return NULL;
}

static int vn_attach_group(void *data, struct iommu_group *group,
			   enum vn_vfio_group_type type)
{
	struct vn_container *c = data;
	struct vn_group *g;
	int ret = 0;

	if (type != VN_VFIO_IOMMU && type != VN_VFIO_EMULATED_IOMMU)
		return -EINVAL;
	/*
	 * Serving type1 v2, only groups of map clients: any error makes the
	 * VFIO core's VFIO_SET_IOMMU try the next backend (vfio_iommu_type1);
	 * -ENODEV says "not this backend's group".
	 */
	if (c->type1 && (type != VN_VFIO_EMULATED_IOMMU ||
			 !vn_map_client_group(group)))
		return -ENODEV;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	g->group = group;
	g->type = type;
	INIT_LIST_HEAD(&g->resv);

	mutex_lock(&c->map_lock);
	if (vn_find_group(c, group)) {
		ret = -EINVAL;
		goto out;
	}
	if (type == VN_VFIO_IOMMU) {
		ret = vn_domain_attach(c, g);
		if (ret)
			goto out;
	}
	list_add_tail(&g->next, &c->groups);
out:
	mutex_unlock(&c->map_lock);
	if (ret)
		kfree(g);
	return ret;
}

static void vn_detach_group(void *data, struct iommu_group *group)
{
	struct vn_container *c = data;
	struct vn_group *g;

	mutex_lock(&c->map_lock);
	g = vn_find_group(c, group);
	if (g) {
		list_del(&g->next);
		if (g->domain)
			vn_domain_detach(c, g);
	}
	mutex_unlock(&c->map_lock);
	kfree(g);
}

static struct iommu_domain *vn_group_iommu_domain(void *data,
						  struct iommu_group *group)
{
	struct vn_container *c = data;
	struct iommu_domain *domain = ERR_PTR(-ENODEV);
	struct vn_group *g;

	mutex_lock(&c->map_lock);
	g = vn_find_group(c, group);
	if (g && g->domain)
		domain = g->domain;
	mutex_unlock(&c->map_lock);
	return domain;
}

static void vn_register_device(void *data, struct vfio_device *vdev)
{
	struct vn_container *c = data;
	struct vn_device *d;

	/* the op cannot fail: without memory the device misses unmaps */
	d = kzalloc(sizeof(*d), GFP_KERNEL | __GFP_NOFAIL);
	d->vdev = vdev;
	d->mc = vn_map_client_ops(vdev->dev);
	/* a map client gets the tree, and nothing may change it meanwhile */
	mutex_lock(&c->map_lock);
	if (d->mc)
		vn_s2_mc_open(c, d);
	mutex_lock(&c->dev_lock);
	list_add_tail(&d->next, &c->devices);
	mutex_unlock(&c->dev_lock);
	mutex_unlock(&c->map_lock);
	/* failure leaves the device unreachable by vn_container_from_device() */
	if (xa_err(xa_store(&vn_devices, (unsigned long)vdev, c, GFP_KERNEL)))
		dev_warn(vdev->dev, "vfio_iommu_nested: no memory to index the device; its DMA by PASID will fail\n");
}

static void vn_unregister_device(void *data, struct vfio_device *vdev)
{
	struct vn_container *c = data;
	struct vn_device *d, *found = NULL;

	vn_kapi_device_unregister(c, vdev);
	xa_erase(&vn_devices, (unsigned long)vdev);
	mutex_lock(&c->map_lock);
	mutex_lock(&c->dev_lock);
	list_for_each_entry(d, &c->devices, next) {
		if (d->vdev == vdev) {
			list_del(&d->next);
			found = d;
			break;
		}
	}
	mutex_unlock(&c->dev_lock);
	/* the device ends with nothing mapped */
	if (found && found->mc)
		vn_s2_mc_close(c, found);
	mutex_unlock(&c->map_lock);
	kfree(found);
}

static int vn_pin_pages(void *data, struct iommu_group *group, dma_addr_t iova,
			int npage, int prot, struct page **pages)
{
	return vn_s2_pin_pages(data, iova, npage, prot, pages);
}

static void vn_unpin_pages(void *data, dma_addr_t iova, int npage)
{
	vn_s2_unpin_pages(data, iova, npage);
}

static int vn_dma_rw(void *data, dma_addr_t iova, void *buf, size_t count,
		     bool write)
{
	return vn_s2_dma_rw(data, iova, buf, count, write);
}

/* ---- the standard container ioctls ---------------------------------------- */

/* Is DMA cache coherent for every group (emulated: the kernel's copies)? */
static bool vn_coherent(struct vn_container *c)
{
	struct vn_group *g;
	bool ret = true;

	mutex_lock(&c->map_lock);
	list_for_each_entry(g, &c->groups, next)
		if (g->domain && !(g->prot & IOMMU_CACHE))
			ret = false;
	mutex_unlock(&c->map_lock);
	return ret;
}

/*
 * @c is NULL when the VFIO core polls the backends (no backend set yet):
 * the answer is then what VFIO_SET_IOMMU would accept.
 */
static long vn_check_extension(struct vn_container *c, unsigned long ext)
{
	switch (ext) {
	case VFIO_NESTED_IOMMU:
		return c ? !c->type1 : 1;
	case VFIO_TYPE1v2_IOMMU:
		return c ? c->type1 : READ_ONCE(serve_type1v2);
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return c ? vn_coherent(c) : 0;
	default:
		return 0;
	}
}

/* Append a capability to the chain being built in @buf (@len bytes so far). */
static void *vn_cap_add(void *buf, size_t *len, size_t size, u16 id,
			u16 version, u32 *prev_next, u32 base)
{
	struct vfio_info_cap_header *h = buf + *len;

	h->id = id;
	h->version = version;
	h->next = 0;
	if (prev_next)
		*prev_next = base + *len;
	*len += ALIGN(size, 8);
	return h;
}

static long vn_get_info(struct vn_container *c, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	const size_t capsz = offsetofend(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_iommu_type1_info_cap_iova_range *iova_cap;
	struct vfio_iommu_type1_info_dma_avail *avail_cap;
	struct vfio_iommu_type1_info info;
	struct vfio_iova_range *ranges;
	size_t caps_len, len = 0;
	void *caps;
	int n;
	long ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	/* stage 2 maps and pins in PAGE_SIZE units, at any such alignment */
	info.iova_pgsizes = PAGE_MASK;
	if (info.argsz < capsz)
		return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;

	mutex_lock(&c->map_lock);
	n = vn_domain_iova_ranges(c, &ranges);
	if (n < 0) {
		mutex_unlock(&c->map_lock);
		return n;
	}
	caps_len = ALIGN(struct_size(iova_cap, iova_ranges, n), 8) +
		   ALIGN(sizeof(*avail_cap), 8);
	caps = kzalloc(caps_len, GFP_KERNEL);
	if (!caps) {
		mutex_unlock(&c->map_lock);
		kfree(ranges);
		return -ENOMEM;
	}
	iova_cap = vn_cap_add(caps, &len, struct_size(iova_cap, iova_ranges, n),
			      VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, NULL, 0);
	iova_cap->nr_iovas = n;
	memcpy(iova_cap->iova_ranges, ranges, n * sizeof(*ranges));
	avail_cap = vn_cap_add(caps, &len, sizeof(*avail_cap),
			       VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1,
			       &iova_cap->header.next, sizeof(info));
	down_read(&c->s2_lock);
	avail_cap->avail = dma_entry_limit > c->dma_count ?
			   dma_entry_limit - c->dma_count : 0;
	up_read(&c->s2_lock);
	mutex_unlock(&c->map_lock);
	kfree(ranges);

	info.flags |= VFIO_IOMMU_INFO_CAPS;
	if (info.argsz < sizeof(info) + len) {
		/* tell the size needed; no capability is copied */
		info.argsz = sizeof(info) + len;
		info.cap_offset = 0;
	} else {
		info.cap_offset = sizeof(info);
		if (copy_to_user(arg + sizeof(info), caps, len))
			ret = -EFAULT;
	}
	kfree(caps);
	if (!ret && copy_to_user(arg, &info, capsz))
		ret = -EFAULT;
	return ret;
}

static long vn_map_dma(struct vn_container *c, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	int prot = 0;
	long ret;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz)
		return -EINVAL;
	if (map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;
	if (!prot || !map.size ||
	    (map.iova | map.size | map.vaddr) & ~PAGE_MASK)
		return -EINVAL;
	/* no wrap of the IOVA or the user range; the page count fits */
	if (map.iova + map.size - 1 < map.iova ||
	    map.vaddr + map.size - 1 < map.vaddr ||
	    map.vaddr != (unsigned long)map.vaddr ||
	    (map.size >> PAGE_SHIFT) > ULONG_MAX / 2)
		return -EINVAL;

	mutex_lock(&c->map_lock);
	if (c->dma_count >= dma_entry_limit)
		ret = -ENOSPC;
	else
		ret = vn_s2_map(c, map.iova, map.size, map.vaddr, prot);
	mutex_unlock(&c->map_lock);
	return ret;
}

static long vn_unmap_dma(struct vn_container *c, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	bool all;
	u64 done;
	long ret;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz)
		return -EINVAL;
	/* no dirty tracking, no vaddr invalidation */
	if (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	all = unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL;
	if (all) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
	} else if (!unmap.size || (unmap.iova | unmap.size) & ~PAGE_MASK ||
		   unmap.iova + unmap.size - 1 < unmap.iova) {
		return -EINVAL;
	}

	mutex_lock(&c->map_lock);
	ret = vn_s2_unmap(c, unmap.iova, unmap.size, all, &done);
	mutex_unlock(&c->map_lock);
	if (ret)
		return ret;
	unmap.size = done;
	return copy_to_user(arg, &unmap, minsz) ? -EFAULT : 0;
}

static long vn_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct vn_container *c = data;

	if (cmd == VFIO_CHECK_EXTENSION)
		return vn_check_extension(c, arg);
	if (!c)
		return -EINVAL;
	switch (cmd) {
	case VFIO_IOMMU_GET_INFO:
		return vn_get_info(c, (void __user *)arg);
	case VFIO_IOMMU_MAP_DMA:
		return vn_map_dma(c, (void __user *)arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vn_unmap_dma(c, (void __user *)arg);
	}
	/* a type1 v2 container has only the ioctls of type1 v2 */
	if (_IOC_TYPE(cmd) == VFIO_NESTED_TYPE && !c->type1)
		return vn_nested_ioctl(c, cmd, arg);
	return -ENOTTY;
}

static const struct vn_vfio_iommu_driver_ops vn_ops = {
	.name			= "vfio-iommu-nested",
	.owner			= THIS_MODULE,
	.open			= vn_open,
	.release		= vn_release,
	.ioctl			= vn_ioctl,
	.attach_group		= vn_attach_group,
	.detach_group		= vn_detach_group,
	.pin_pages		= vn_pin_pages,
	.unpin_pages		= vn_unpin_pages,
	.register_device	= vn_register_device,
	.unregister_device	= vn_unregister_device,
	.dma_rw			= vn_dma_rw,
	.group_iommu_domain	= vn_group_iommu_domain,
};

/* Is @ops this backend's? (kapi.c, to recognize a container of ours) */
bool vn_is_nested_driver(const struct vn_vfio_iommu_driver_ops *ops)
{
	return ops == &vn_ops;
}

static int __init vfio_nested_init(void)
{
	/*
	 * The VFIO core asks the last registered backend first: with type1 a
	 * module that is not loaded yet, load it now (modprobe's softdep may
	 * not be honoured), so that later VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)
	 * calls reach this backend before type1. A failure means that there
	 * is no type1 to fall back to now, and that a type1 loaded later is
	 * asked first and takes every type1 v2 container: say so.
	 */
	if (IS_MODULE(CONFIG_VFIO_IOMMU_TYPE1) && serve_type1v2 &&
	    request_module("vfio_iommu_type1"))
		pr_warn("vfio_iommu_nested: vfio_iommu_type1 not loaded: loaded later, it serves every VFIO_TYPE1v2_IOMMU container, map clients' too\n");
	return vfio_register_iommu_driver(&vn_ops);
}

static void __exit vfio_nested_exit(void)
{
	vfio_unregister_iommu_driver(&vn_ops);
	/* vn_s1_free()'s callbacks are in this module */
	rcu_barrier();
}

module_init(vfio_nested_init);
module_exit(vfio_nested_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("VFIO IOMMU backend with two-stage (nested) translation");
/*
 * The VFIO core tries the backends in the reverse order of registration:
 * loaded after vfio_iommu_type1, this backend is asked first for
 * VFIO_TYPE1v2_IOMMU and can take the groups of its map clients.
 */
MODULE_SOFTDEP("pre: vfio_iommu_type1");
