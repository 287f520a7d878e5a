// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_nested_testdev: a test-only mdev whose VFIO device lets selftests
 * drive vfio_pin_pages(), vfio_unpin_pages() and vfio_dma_rw() and see
 * the dma_unmap calls the container's IOMMU backend makes, and, as a map
 * client, the ->map and ->unmap calls. The contract is
 * vfio_nested_testdev.h.
 */
#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/iommufd.h>
#include <linux/mdev.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>
#include <linux/xarray.h>
#include "vfio_nested_testdev.h"

/**
 * struct vnt_dev - one mdev instance
 * @vdev: the VFIO device
 * @lock: guards @pinned and the log
 * @pinned: IOVA page number -> the page the device holds (vfio_pin_pages())
 * @log: the dma_unmap calls not read yet
 * @nlog: entries in @log
 * @dropped: entries lost since the last read
 * @mc: the instance is a map client (module parameter map_client at probe)
 * @va: its ops have ->map_va, not ->map (module parameter map_va at probe);
 *	@iotlb then holds user page numbers, which are never pinned pfns
 * @iotlb: map client: IOVA page number -> xa_mk_value(pfn)
 * @held: bytes in @iotlb
 * @mclog: map client: the calls not read yet (kept across close)
 * @nmclog: entries in @mclog
 * @mcdropped: entries lost since the last read
 * @fail_nth: the @fail_nth-th ->map (or logged ->map_end) call from now
 *	fails, 0: none
 * @fail_err: its errno (positive)
 */
struct vnt_dev {
	struct vfio_device vdev;
	struct mutex lock;	/* @pinned, the log */
	struct xarray pinned;
	struct vnt_unmap_entry log[VNT_LOG_MAX];
	unsigned int nlog;
	u32 dropped;
	bool mc;
	bool va;
	struct xarray iotlb;
	u64 held;
	struct vnt_mc_entry mclog[VNT_LOG_MAX];
	unsigned int nmclog;
	u32 mcdropped;
	u32 fail_nth;
	u32 fail_err;
};

static bool map_client;
module_param(map_client, bool, 0644);
MODULE_PARM_DESC(map_client,
		 "New instances register as map clients of vfio_iommu_nested (default off)");

static bool map_va;
module_param(map_va, bool, 0644);
MODULE_PARM_DESC(map_va,
		 "New map clients take ->map_va (the mapping's user addresses) instead of ->map (default off)");

static bool map_end;
module_param(map_end, bool, 0644);
MODULE_PARM_DESC(map_end,
		 "Map clients log their ->map_end calls, and VNT_MC_FAIL counts them (default off: ->map_end does nothing)");

static struct vnt_dev *to_vnt(struct vfio_device *vdev)
{
	return container_of(vdev, struct vnt_dev, vdev);
}

/*
 * Copy an argument struct: argsz first, at least @minsz, a larger one
 * must have a zero tail.
 */
static int vnt_copy_arg(void *dst, size_t size, size_t minsz,
			void __user *arg)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	return copy_struct_from_user(dst, size, arg, argsz);
}

/* Unpin what the device holds in [first, first + n) pages (lock held). */
static unsigned int vnt_unpin_range(struct vnt_dev *d, unsigned long first,
				    unsigned long n)
{
	unsigned long idx, last = first + n - 1;
	unsigned int done = 0;
	struct page *page;

	lockdep_assert_held(&d->lock);
	if (!n)
		return 0;
	xa_for_each_range(&d->pinned, idx, page, first, last) {
		xa_erase(&d->pinned, idx);
		vfio_unpin_pages(&d->vdev, (dma_addr_t)idx << PAGE_SHIFT, 1);
		done++;
	}
	return done;
}

static long vnt_pin(struct vnt_dev *d, void __user *arg, bool pin)
{
	struct vnt_pin p;
	struct page **pages;
	unsigned long first, i;
	int prot = 0;
	long ret;

	ret = vnt_copy_arg(&p, sizeof(p), offsetofend(struct vnt_pin, pad), arg);
	if (ret)
		return ret;
	if (p.flags & ~(pin ? VNT_READ | VNT_WRITE : 0) || p.pad)
		return -EOPNOTSUPP;
	if (!PAGE_ALIGNED(p.iova) || !p.npage ||
	    p.iova + ((u64)p.npage << PAGE_SHIFT) - 1 < p.iova)
		return -EINVAL;
	first = p.iova >> PAGE_SHIFT;

	mutex_lock(&d->lock);
	if (!pin) {
		ret = vnt_unpin_range(d, first, p.npage);
		goto out;
	}
	if (p.npage > VFIO_PIN_PAGES_MAX_ENTRIES) {
		ret = -E2BIG;
		goto out;
	}
	if (xa_find(&d->pinned, &first, first + p.npage - 1, XA_PRESENT)) {
		ret = -EEXIST;
		goto out;
	}
	first = p.iova >> PAGE_SHIFT;
	pages = kcalloc(p.npage, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto out;
	}
	if (p.flags & VNT_READ)
		prot |= IOMMU_READ;
	if (p.flags & VNT_WRITE)
		prot |= IOMMU_WRITE;
	ret = vfio_pin_pages(&d->vdev, p.iova, p.npage, prot, pages);
	if (ret > 0) {
		for (i = 0; i < ret; i++) {
			int err = xa_err(xa_store(&d->pinned, first + i,
						  pages[i], GFP_KERNEL));

			if (err) {
				vfio_unpin_pages(&d->vdev, p.iova +
						 (i << PAGE_SHIFT), ret - i);
				vnt_unpin_range(d, first, i);
				ret = err;
				break;
			}
		}
	}
	kfree(pages);
out:
	mutex_unlock(&d->lock);
	return ret;
}

static long vnt_rw(struct vnt_dev *d, void __user *arg, bool pinned)
{
	struct vnt_rw r;
	void *buf;
	long ret;

	ret = vnt_copy_arg(&r, sizeof(r), offsetofend(struct vnt_rw, data), arg);
	if (ret)
		return ret;
	if (r.flags & ~VNT_WRITE || r.pad)
		return -EOPNOTSUPP;
	if (!r.len || r.len > VNT_RW_MAX || r.iova + r.len - 1 < r.iova)
		return -EINVAL;
	buf = kvmalloc(r.len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if ((r.flags & VNT_WRITE) &&
	    copy_from_user(buf, u64_to_user_ptr(r.data), r.len)) {
		ret = -EFAULT;
		goto out;
	}

	if (pinned) {
		size_t done = 0;

		mutex_lock(&d->lock);
		while (done < r.len) {
			u64 a = r.iova + done;
			struct page *page = xa_load(&d->pinned, a >> PAGE_SHIFT);
			size_t off = offset_in_page(a);
			size_t n = min_t(size_t, PAGE_SIZE - off, r.len - done);

			if (!page) {
				ret = -EINVAL;
				break;
			}
			if (r.flags & VNT_WRITE)
				memcpy_to_page(page, off, buf + done, n);
			else
				memcpy_from_page(buf + done, page, off, n);
			done += n;
		}
		mutex_unlock(&d->lock);
	} else {
		ret = vfio_dma_rw(&d->vdev, r.iova, buf, r.len,
				  r.flags & VNT_WRITE);
	}
	if (!ret && !(r.flags & VNT_WRITE) &&
	    copy_to_user(u64_to_user_ptr(r.data), buf, r.len))
		ret = -EFAULT;
out:
	kvfree(buf);
	return ret;
}

/* VNT_GET_MC_LOG's argument is VNT_GET_UNMAP_LOG's with another entry type. */
static_assert(sizeof(struct vnt_mc_log) == sizeof(struct vnt_unmap_log));
static_assert(offsetof(struct vnt_mc_log, count) ==
	      offsetof(struct vnt_unmap_log, count));
static_assert(offsetof(struct vnt_mc_log, dropped) ==
	      offsetof(struct vnt_unmap_log, dropped));
static_assert(offsetof(struct vnt_mc_log, entries) ==
	      offsetof(struct vnt_unmap_log, entries));

/*
 * VNT_GET_UNMAP_LOG and VNT_GET_MC_LOG: hand out up to the user's count of
 * the @nlog entries (@esize bytes each) at the front of @log, and the count
 * of those dropped since the last read; what did not fit stays for the
 * next read.
 */
static long vnt_read_log(struct vnt_dev *d, void __user *arg, u8 *log,
			 unsigned int *nlog, u32 *dropped, size_t esize)
{
	struct vnt_unmap_log l;
	unsigned int n;
	long ret;
	u8 *copy;

	ret = vnt_copy_arg(&l, sizeof(l), offsetofend(struct vnt_unmap_log, entries),
			   arg);
	if (ret)
		return ret;
	if (l.flags)
		return -EOPNOTSUPP;
	copy = kcalloc(VNT_LOG_MAX, esize, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&d->lock);
	n = min(l.count, *nlog);
	memcpy(copy, log, n * esize);
	memmove(log, log + n * esize, (*nlog - n) * esize);
	*nlog -= n;
	l.dropped = *dropped;
	*dropped = 0;
	mutex_unlock(&d->lock);
	l.count = n;
	if (copy_to_user(u64_to_user_ptr(l.entries), copy, n * esize) ||
	    copy_to_user(arg, &l, sizeof(l)))
		ret = -EFAULT;
	kfree(copy);
	return ret;
}

static long vnt_mc_fail(struct vnt_dev *d, void __user *arg)
{
	struct vnt_mc_fail f;
	long ret;

	ret = vnt_copy_arg(&f, sizeof(f), offsetofend(struct vnt_mc_fail, error),
			   arg);
	if (ret)
		return ret;
	if (f.flags)
		return -EOPNOTSUPP;
	if (f.nth && (!f.error || f.error > MAX_ERRNO))
		return -EINVAL;
	mutex_lock(&d->lock);
	d->fail_nth = f.nth;
	d->fail_err = f.error;
	mutex_unlock(&d->lock);
	return 0;
}

static long vnt_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct vnt_dev *d = to_vnt(vdev);
	void __user *uarg = (void __user *)arg;

	if ((cmd == VNT_GET_MC_LOG || cmd == VNT_MC_FAIL) && !d->mc)
		return -ENOTTY;

	switch (cmd) {
	case VNT_PIN:
		return vnt_pin(d, uarg, true);
	case VNT_UNPIN:
		return vnt_pin(d, uarg, false);
	case VNT_PINNED_RW:
		return vnt_rw(d, uarg, true);
	case VNT_DMA_RW:
		return vnt_rw(d, uarg, false);
	case VNT_GET_UNMAP_LOG:
		return vnt_read_log(d, uarg, (u8 *)d->log, &d->nlog,
				    &d->dropped, sizeof(d->log[0]));
	case VNT_GET_MC_LOG:
		return vnt_read_log(d, uarg, (u8 *)d->mclog, &d->nmclog,
				    &d->mcdropped, sizeof(d->mclog[0]));
	case VNT_MC_FAIL:
		return vnt_mc_fail(d, uarg);
	}
	return -ENOTTY;
}

static void vnt_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	unsigned long first = iova >> PAGE_SHIFT, idx;
	unsigned long last = (iova + length - 1) >> PAGE_SHIFT;
	struct vnt_dev *d = to_vnt(vdev);
	struct vnt_unmap_entry e = {
		.iova = iova,
		.length = length,
	};
	struct page *page;
	u8 byte;

	mutex_lock(&d->lock);
	xa_for_each_range(&d->pinned, idx, page, first, last) {
		e.dev_pins++;
		if (folio_maybe_dma_pinned(page_folio(page)))
			e.backend_pinned++;
	}
	e.rw_ok = !vfio_dma_rw(vdev, iova, &byte, 1, false);
	if (d->nlog < VNT_LOG_MAX)
		d->log[d->nlog++] = e;
	else
		d->dropped++;
	vnt_unpin_range(d, first, last - first + 1);
	mutex_unlock(&d->lock);
}

/* ---- the map client ------------------------------------------------------ */

static void vnt_mc_log(struct vnt_dev *d, const struct vnt_mc_entry *e)
{
	lockdep_assert_held(&d->lock);
	if (d->nmclog < VNT_LOG_MAX)
		d->mclog[d->nmclog++] = *e;
	else
		d->mcdropped++;
}

static bool vnt_pfn_pinned(unsigned long pfn)
{
	return pfn_valid(pfn) && folio_maybe_dma_pinned(page_folio(pfn_to_page(pfn)));
}

/* Drop [first, last] from the IOTLB; count what it held (lock held). */
static void vnt_iotlb_drop(struct vnt_dev *d, unsigned long first,
			   unsigned long last, struct vnt_mc_entry *e)
{
	unsigned long idx;
	void *entry;

	xa_for_each_range(&d->iotlb, idx, entry, first, last) {
		e->pages++;
		if (!d->va && vnt_pfn_pinned(xa_to_value(entry)))
			e->backend_pinned++;
		xa_erase(&d->iotlb, idx);
		d->held -= PAGE_SIZE;
	}
}

/*
 * The end of ->map and ->map_va: fail when told to, else enter the
 * @e->pages pages from @e->iova with the values @base, @base + 1, ... (all
 * or nothing); log @e with the outcome.
 */
static int vnt_mc_take(struct vnt_dev *d, struct vnt_mc_entry *e,
		       unsigned long base)
{
	unsigned long first = e->iova >> PAGE_SHIFT, i;
	int ret = 0;

	mutex_lock(&d->lock);
	if (d->fail_nth && !--d->fail_nth) {
		ret = -(int)d->fail_err;
		goto out;
	}
	for (i = 0; i < e->pages; i++) {
		ret = xa_err(xa_store(&d->iotlb, first + i,
				      xa_mk_value(base + i), GFP_KERNEL));
		if (ret) {
			struct vnt_mc_entry undo = {};

			if (i)
				vnt_iotlb_drop(d, first, first + i - 1, &undo);
			goto out;
		}
		d->held += PAGE_SIZE;
	}
out:
	e->error = -ret;
	e->held = d->held;
	vnt_mc_log(d, e);
	mutex_unlock(&d->lock);
	return ret;
}

static int vnt_mc_map(struct vfio_device *vdev, u64 iova, u64 size,
		      phys_addr_t pa, bool write)
{
	struct vnt_dev *d = to_vnt(vdev);
	unsigned long i, n = size >> PAGE_SHIFT;
	struct vnt_mc_entry e = {
		.op = VNT_MC_MAP,
		.write = write,
		.iova = iova,
		.size = size,
		.pa = pa,
		.pages = n,
	};
	u8 byte;

	e.rw_ok = !vfio_dma_rw(vdev, iova, &byte, 1, false);
	for (i = 0; i < n; i++)
		if (vnt_pfn_pinned(PHYS_PFN(pa) + i))
			e.backend_pinned++;
	return vnt_mc_take(d, &e, PHYS_PFN(pa));
}

/*
 * The whole mapping, by the user addresses of @mm: logged with its first
 * byte (read when @mm is the caller's), kept as user page numbers.
 */
static int vnt_mc_map_va(struct vfio_device *vdev, u64 iova, u64 size,
			 unsigned long vaddr, struct mm_struct *mm, bool write)
{
	struct vnt_dev *d = to_vnt(vdev);
	struct vnt_mc_entry e = {
		.op = VNT_MC_MAP_VA,
		.write = write,
		.iova = iova,
		.size = size,
		.pa = vaddr,
		.pages = size >> PAGE_SHIFT,
		.va_caller = mm == current->mm,
		.va_byte = -1,
	};
	u8 byte;

	if (e.va_caller && !copy_from_user(&byte, (u8 __user *)vaddr, 1))
		e.va_byte = byte;
	return vnt_mc_take(d, &e, vaddr >> PAGE_SHIFT);
}

static void vnt_mc_unmap(struct vfio_device *vdev, u64 iova, u64 size)
{
	struct vnt_dev *d = to_vnt(vdev);
	struct vnt_mc_entry e = {
		.op = VNT_MC_UNMAP,
		.iova = iova,
		.size = size,
	};
	u8 byte;

	e.rw_ok = !vfio_dma_rw(vdev, iova, &byte, 1, false);
	mutex_lock(&d->lock);
	vnt_iotlb_drop(d, iova >> PAGE_SHIFT, (iova + size - 1) >> PAGE_SHIFT,
		       &e);
	e.held = d->held;
	vnt_mc_log(d, &e);
	mutex_unlock(&d->lock);
}

/* The runs of one mapping are in: logged (and failed) when map_end is on. */
static int vnt_mc_map_end(struct vfio_device *vdev)
{
	struct vnt_dev *d = to_vnt(vdev);
	struct vnt_mc_entry e = { .op = VNT_MC_MAP_END };
	int ret = 0;

	if (!READ_ONCE(map_end))
		return 0;
	mutex_lock(&d->lock);
	if (d->fail_nth && !--d->fail_nth)
		ret = -(int)d->fail_err;
	e.error = -ret;
	e.held = d->held;
	vnt_mc_log(d, &e);
	mutex_unlock(&d->lock);
	return ret;
}

static const struct vfio_nested_map_client_ops vnt_mc_ops = {
	.map	= vnt_mc_map,
	.unmap	= vnt_mc_unmap,
	.map_end = vnt_mc_map_end,
};

static const struct vfio_nested_map_client_ops vnt_mc_va_ops = {
	.map_va	= vnt_mc_map_va,
	.unmap	= vnt_mc_unmap,
	.map_end = vnt_mc_map_end,
};

static void vnt_close_device(struct vfio_device *vdev)
{
	struct vnt_dev *d = to_vnt(vdev);

	mutex_lock(&d->lock);
	vnt_unpin_range(d, 0, ULONG_MAX);
	d->nlog = 0;
	d->dropped = 0;
	mutex_unlock(&d->lock);
}

static int vnt_init_device(struct vfio_device *vdev)
{
	struct vnt_dev *d = to_vnt(vdev);

	mutex_init(&d->lock);
	xa_init(&d->pinned);
	xa_init(&d->iotlb);
	return 0;
}

static void vnt_release_device(struct vfio_device *vdev)
{
	struct vnt_dev *d = to_vnt(vdev);

	/* the backend unmapped everything at the last close */
	WARN_ON(!xa_empty(&d->iotlb));
	xa_destroy(&d->iotlb);
	xa_destroy(&d->pinned);
	mutex_destroy(&d->lock);
}

static const struct vfio_device_ops vnt_vfio_ops = {
	.name		= "vfio-nested-testdev",
	.init		= vnt_init_device,
	.release	= vnt_release_device,
	.close_device	= vnt_close_device,
	.ioctl		= vnt_ioctl,
	.dma_unmap	= vnt_dma_unmap,
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};

static int vnt_probe(struct mdev_device *mdev)
{
	struct vnt_dev *d;
	int ret;

	d = vfio_alloc_device(vnt_dev, vdev, &mdev->dev, &vnt_vfio_ops);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dev_set_drvdata(&mdev->dev, d);
	d->mc = READ_ONCE(map_client);
	d->va = READ_ONCE(map_va);
	if (d->mc) {
		ret = vfio_nested_register_map_client(&d->vdev, d->va ?
						      &vnt_mc_va_ops : &vnt_mc_ops);
		if (ret)
			goto err_put;
	}
	ret = vfio_register_emulated_iommu_dev(&d->vdev);
	if (ret)
		goto err_mc;
	return 0;

err_mc:
	if (d->mc)
		vfio_nested_unregister_map_client(&d->vdev);
err_put:
	vfio_put_device(&d->vdev);
	return ret;
}

static void vnt_remove(struct mdev_device *mdev)
{
	struct vnt_dev *d = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&d->vdev);
	if (d->mc)
		vfio_nested_unregister_map_client(&d->vdev);
	vfio_put_device(&d->vdev);
}

static ssize_t vnt_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "vfio_iommu_nested test device: pin, unpin, dma_rw, unmap log\n");
}

static struct mdev_driver vnt_driver = {
	.device_api = "vfio-nested-testdev",
	.max_instances = 16,
	.show_description = vnt_show_description,
	.driver = {
		.name = "vfio_nested_testdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = vnt_probe,
	.remove = vnt_remove,
};

static const struct class vnt_class = {
	.name = VNT_CLASS,
};

static struct mdev_type vnt_type = {
	.sysfs_name = "vnt",
	.pretty_name = "vfio_iommu_nested test device",
};

static struct mdev_type *vnt_types[] = { &vnt_type };

static struct {
	struct device dev;
	struct mdev_parent parent;
} vnt_parent;

static void vnt_parent_release(struct device *dev)
{
}

static int __init vnt_init(void)
{
	int ret;

	ret = mdev_register_driver(&vnt_driver);
	if (ret)
		return ret;
	ret = class_register(&vnt_class);
	if (ret)
		goto err_driver;
	device_initialize(&vnt_parent.dev);
	vnt_parent.dev.class = &vnt_class;
	vnt_parent.dev.release = vnt_parent_release;
	ret = dev_set_name(&vnt_parent.dev, VNT_PARENT);
	if (ret)
		goto err_put;
	ret = device_add(&vnt_parent.dev);
	if (ret)
		goto err_put;
	ret = mdev_register_parent(&vnt_parent.parent, &vnt_parent.dev,
				   &vnt_driver, vnt_types, ARRAY_SIZE(vnt_types));
	if (ret)
		goto err_del;
	return 0;

err_del:
	device_del(&vnt_parent.dev);
err_put:
	put_device(&vnt_parent.dev);
	class_unregister(&vnt_class);
err_driver:
	mdev_unregister_driver(&vnt_driver);
	return ret;
}

static void __exit vnt_exit(void)
{
	mdev_unregister_parent(&vnt_parent.parent);
	device_unregister(&vnt_parent.dev);
	class_unregister(&vnt_class);
	mdev_unregister_driver(&vnt_driver);
}

module_init(vnt_init);
module_exit(vnt_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("Test-only mdev for the vfio_iommu_nested selftests");
MODULE_IMPORT_NS(VFIO_NESTED_NS);
