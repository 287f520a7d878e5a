// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: the VFIO device ops of an mdev instance (open/close, regions,
 * interrupts, removal request).
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "vhost_vfio_private.h"

/**
 * vv_release() - free an instance (the VFIO core's release callback)
 * @vdev: its VFIO device
 */
void vv_release(struct vfio_device *vdev)
{
	struct vv_dev *vv = vdev_to_vv(vdev);

	vv_pci_free(vv);
	kfree(vv->vqs);
	mutex_destroy(&vv->lock);
}

static int vv_open_device(struct vfio_device *vdev)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	int ret;

	mutex_lock(&vv->lock);
	if (vv->gone) {
		ret = -ENODEV;
		goto out;
	}
	ret = vv_iotlb_alloc(vv);
	if (ret)
		goto out;
	/* Start from a reset device that can reach no memory at all. */
	vdpa_reset(vv->vdpa, 0);
	vv_iotlb_clear(vv);
	vv->acked_features = 0;
	vv->backend_features = 0;
	vv->log_base = 0;
	vv->opened = true;
out:
	mutex_unlock(&vv->lock);
	return ret;
}

/* Drop everything userspace set up; the device lock is held. */
static void vv_teardown(struct vv_dev *vv)
{
	u32 i;

	lockdep_assert_held(&vv->lock);
	vv_reset(vv);
	/* IOTLB_PERSIST keeps mappings over a reset, never over a close */
	vv_iotlb_clear(vv);
	for (i = 0; i < vv->nvqs; i++) {
		vv_vq_set_kick(&vv->vqs[i], NULL);
		vv_set_call(&vv->vqs[i], NULL);
	}
	vv_set_config_call(vv, NULL);
	vv_iotlb_free(vv);
	vv_release_owner(vv);
}

/**
 * vv_device_close() - the close_device callback of both types
 * @vv: the device
 * @teardown: drops what userspace set up; the device lock is held
 */
void vv_device_close(struct vv_dev *vv, void (*teardown)(struct vv_dev *vv))
{
	struct eventfd_ctx *req;

	mutex_lock(&vv->lock);
	if (vv->opened)
		teardown(vv);
	vv->opened = false;
	req = vv_xchg_eventfd(vv, &vv->req, NULL);
	mutex_unlock(&vv->lock);
	if (req)
		eventfd_ctx_put(req);
}

static void vv_close_device(struct vfio_device *vdev)
{
	vv_device_close(vdev_to_vv(vdev), vv_teardown);
}

/**
 * vv_device_request() - the request callback of both types: the device is
 *	going away under an open fd; stop it, let the user know
 * @vv: the device
 * @count: how often the VFIO core has asked
 * @teardown: as for vv_device_close()
 */
void vv_device_request(struct vv_dev *vv, unsigned int count,
		       void (*teardown)(struct vv_dev *vv))
{
	mutex_lock(&vv->lock);
	if (!vv->gone && vv->opened) {
		WRITE_ONCE(vv->gone, true);
		teardown(vv);
		vv->opened = false;
	}
	WRITE_ONCE(vv->gone, true);
	vv_signal_req(vv);
	mutex_unlock(&vv->lock);
	if (!count)
		dev_notice(vv->vdev.dev, "removal requested, waiting for the user to close it\n");
}

static void vv_request(struct vfio_device *vdev, unsigned int count)
{
	vv_device_request(vdev_to_vv(vdev), count, vv_teardown);
}

static u64 vv_region_size(struct vv_dev *vv, unsigned int index)
{
	switch (index) {
	case VV_REGION_CONFIG:
		return vv->vdpa->config->get_config_size(vv->vdpa);
	case VV_REGION_DOORBELL:
		return (u64)vv->nvqs * PAGE_SIZE;
	case VV_REGION_IOTLB:
		return sizeof(struct vhost_msg_v2);
	}
	return 0;
}

static bool vv_doorbell_mmap(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vdpa_notification_area n;
	u32 i;

	if (!ops->get_vq_notification)
		return false;
	for (i = 0; i < vv->nvqs; i++) {
		n = ops->get_vq_notification(vv->vdpa, i);
		if (!n.addr || !PAGE_ALIGNED(n.addr) || n.size < PAGE_SIZE)
			return false;
	}
	return true;
}

/*
 * Fill @info (index in, offset, size, flags out) and add the region's type
 * capability to @caps; the VFIO core (from 6.19) or pvm_vfio_region_info()
 * copies them out.
 */
static int vv_region_info_caps(struct vfio_device *vdev,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	u32 subtype;

	if (READ_ONCE(vv->gone))
		return -ENODEV;
	if (info->index >= VV_NUM_REGIONS)
		return -EINVAL;
	info->index = array_index_nospec(info->index, VV_NUM_REGIONS);

	info->offset = VV_INDEX_TO_OFFSET(info->index);
	info->size = vv_region_size(vv, info->index);
	info->cap_offset = 0;
	switch (info->index) {
	case VV_REGION_CONFIG:
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		subtype = VHOST_VFIO_REGION_SUBTYPE_CONFIG;
		break;
	case VV_REGION_DOORBELL:
		info->flags = VFIO_REGION_INFO_FLAG_WRITE;
		if (vv_doorbell_mmap(vv))
			info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		subtype = VHOST_VFIO_REGION_SUBTYPE_DOORBELL;
		break;
	default:
		info->flags = VFIO_REGION_INFO_FLAG_WRITE;
		subtype = VHOST_VFIO_REGION_SUBTYPE_IOTLB;
		break;
	}
	return pvm_vfio_add_type_cap(caps, VHOST_VFIO_REGION_TYPE, subtype);
}

/**
 * vv_xchg_eventfd() - replace the config or request eventfd
 * @vv: the device
 * @slot: &vv->config_call or &vv->req
 * @ctx: the new eventfd context, or NULL
 *
 * Context: any; takes vv->irq_lock.
 * Return: the previous context, whose reference the caller now owns.
 */
struct eventfd_ctx *vv_xchg_eventfd(struct vv_dev *vv, struct eventfd_ctx **slot,
				    struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;
	unsigned long flags;

	spin_lock_irqsave(&vv->irq_lock, flags);
	old = *slot;
	*slot = ctx;
	spin_unlock_irqrestore(&vv->irq_lock, flags);
	return old;
}

/**
 * vv_signal_req() - signal the removal-request eventfd, if set
 * @vv: the device
 */
void vv_signal_req(struct vv_dev *vv)
{
	unsigned long flags;

	spin_lock_irqsave(&vv->irq_lock, flags);
	if (vv->req)
		eventfd_signal(vv->req);
	spin_unlock_irqrestore(&vv->irq_lock, flags);
}

static void vv_irq_info(struct vfio_device *vdev, struct vfio_irq_info *info)
{
	struct vv_dev *vv = vdev_to_vv(vdev);

	info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	info->count = info->index == VHOST_VFIO_VRING_IRQ_INDEX ? vv->nvqs : 1;
}

/*
 * The vring and config vectors are the slots of VHOST_SET_VRING_CALL and
 * VHOST_VDPA_SET_CONFIG_CALL: the owner's, as those are.  The request
 * vector only tells of a removal: any holder of the fd.
 */
static int vv_irq_allowed(struct vfio_device *vdev, u32 index)
{
	if (index == VHOST_VFIO_REQ_IRQ_INDEX)
		return 0;
	return vv_check_owner(vdev_to_vv(vdev));
}

/* Install eventfds (or none); the lock is held. */
static void vv_irq_swap(struct vfio_device *vdev, u32 index, u32 start,
			u32 count, struct eventfd_ctx **ctx)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	u32 i;

	for (i = 0; i < count; i++) {
		switch (index) {
		case VHOST_VFIO_VRING_IRQ_INDEX:
			/* these put the previous one themselves */
			vv_set_call(&vv->vqs[start + i], ctx[i]);
			ctx[i] = NULL;
			break;
		case VHOST_VFIO_CONFIG_IRQ_INDEX:
			vv_set_config_call(vv, ctx[i]);
			ctx[i] = NULL;
			break;
		default:
			ctx[i] = vv_xchg_eventfd(vv, &vv->req, ctx[i]);
			break;
		}
	}
}

static void vv_irq_trigger(struct vfio_device *vdev, u32 index, u32 vector)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct eventfd_ctx *ctx = NULL;
	unsigned long flags;

	if (index == VHOST_VFIO_VRING_IRQ_INDEX) {
		struct vv_vq *vq = &vv->vqs[vector];

		rcu_read_lock();
		ctx = rcu_dereference(vq->call);
		if (ctx)
			eventfd_signal(ctx);
		rcu_read_unlock();
		return;
	}
	if (index == VHOST_VFIO_REQ_IRQ_INDEX) {
		vv_signal_req(vv);
		return;
	}
	spin_lock_irqsave(&vv->irq_lock, flags);
	ctx = vv->config_call;
	if (ctx)
		eventfd_signal(ctx);
	spin_unlock_irqrestore(&vv->irq_lock, flags);
}

static const struct pvm_vfio_ops vv_pvm_ops = {
	.flags			= VFIO_DEVICE_FLAGS_RESET,
	.num_regions		= VV_NUM_REGIONS,
	.num_irqs		= VHOST_VFIO_NUM_IRQS,
	.region_info_caps	= vv_region_info_caps,
	.irq_info		= vv_irq_info,
	.irq_allowed		= vv_irq_allowed,
	.irq_trigger		= vv_irq_trigger,
	.irq_swap		= vv_irq_swap,
};

/**
 * vv_device_ioctl() - the ioctl callback of both types
 * @vv: the device
 * @cmd: the ioctl
 * @argp: its argument
 * @ops: the type's VFIO device ioctls (pvm_vfio_ioctl())
 * @other: answers the others: VFIO_DEVICE_RESET and the type's own
 *
 * Return: -ENODEV once the device is going away, else as the ioctl.
 */
long vv_device_ioctl(struct vv_dev *vv, unsigned int cmd, void __user *argp,
		     const struct pvm_vfio_ops *ops,
		     long (*other)(struct vv_dev *vv, unsigned int cmd,
				   void __user *argp))
{
	long ret = -ENODEV;

	mutex_lock(&vv->lock);
	if (!vv->gone) {
		ret = pvm_vfio_ioctl(&vv->vdev, cmd, argp, ops);
		if (ret == -ENOIOCTLCMD)
			ret = other(vv, cmd, argp);
	}
	mutex_unlock(&vv->lock);
	return ret;
}

static long vv_other_ioctl(struct vv_dev *vv, unsigned int cmd,
			   void __user *argp)
{
	long ret;

	if (cmd != VFIO_DEVICE_RESET)
		return vv_vhost_ioctl(vv, cmd, argp);
	/* the owner's, as VHOST_VDPA_SET_STATUS with 0 is */
	ret = vv_check_owner(vv);
	return ret ? ret : vv_reset(vv);
}

static long vv_ioctl(struct vfio_device *vdev, unsigned int cmd,
		     unsigned long arg)
{
	return vv_device_ioctl(vdev_to_vv(vdev), cmd, (void __user *)arg,
			       &vv_pvm_ops, vv_other_ioctl);
}

static ssize_t vv_rw(struct vv_dev *vv, char __user *buf, size_t count,
		     loff_t *ppos, bool write)
{
	unsigned int index = VV_OFFSET_TO_INDEX(*ppos);
	u64 off = *ppos & VV_OFFSET_MASK;
	u64 size;
	u8 tmp[8];
	ssize_t ret;

	if (*ppos < 0 || index >= VV_NUM_REGIONS)
		return -EINVAL;
	size = vv_region_size(vv, index);
	if (!count || off >= size || count > size - off)
		return -EINVAL;
	/* Reads of the config space are queries; every write is the owner's. */
	if (write) {
		ret = vv_check_owner(vv);
		if (ret)
			return ret;
	}

	switch (index) {
	case VV_REGION_CONFIG: {
		u8 *kbuf;

		kbuf = kzalloc(count, GFP_KERNEL);
		if (!kbuf)
			return -ENOMEM;
		ret = count;
		if (write) {
			if (copy_from_user(kbuf, buf, count))
				ret = -EFAULT;
			else
				vdpa_set_config(vv->vdpa, off, kbuf, count);
		} else {
			vdpa_get_config(vv->vdpa, off, kbuf, count);
			if (copy_to_user(buf, kbuf, count))
				ret = -EFAULT;
		}
		kfree(kbuf);
		return ret;
	}
	case VV_REGION_DOORBELL:
		if (!write || (off & ~PAGE_MASK) || (count != 2 && count != 4))
			return -EINVAL;
		if (copy_from_user(tmp, buf, count))
			return -EFAULT;
		vv->vdpa->config->kick_vq(vv->vdpa, off >> PAGE_SHIFT);
		return count;
	default: {
		struct vhost_msg_v2 msg;

		if (!write || off || count != sizeof(msg))
			return -EINVAL;
		if (copy_from_user(&msg, buf, sizeof(msg)))
			return -EFAULT;
		ret = vv_iotlb_msg(vv, &msg);
		return ret ? ret : count;
	}
	}
}

/**
 * vv_device_rw() - the read and write callbacks of both types
 * @vv: the device
 * @buf: the user's buffer
 * @count: its size
 * @ppos: the region and offset
 * @write: a write
 * @rw: the type's access, under the device lock
 *
 * Return: -ENODEV once the device is going away, else as @rw.
 */
ssize_t vv_device_rw(struct vv_dev *vv, char __user *buf, size_t count,
		     loff_t *ppos, bool write,
		     ssize_t (*rw)(struct vv_dev *vv, char __user *buf,
				   size_t count, loff_t *ppos, bool write))
{
	ssize_t ret;

	mutex_lock(&vv->lock);
	ret = vv->gone ? -ENODEV : rw(vv, buf, count, ppos, write);
	mutex_unlock(&vv->lock);
	return ret;
}

static ssize_t vv_read(struct vfio_device *vdev, char __user *buf,
		       size_t count, loff_t *ppos)
{
	return vv_device_rw(vdev_to_vv(vdev), buf, count, ppos, false, vv_rw);
}

static ssize_t vv_write(struct vfio_device *vdev, const char __user *buf,
			size_t count, loff_t *ppos)
{
	return vv_device_rw(vdev_to_vv(vdev), (char __user *)buf, count, ppos,
			    true, vv_rw);
}

/*
 * Called with the caller's mmap_lock held, which every ioctl may take under
 * vv->lock (a user copy can fault): so vv->lock is not taken here.  Nothing
 * needs it: the queue count never changes, the notification areas are the
 * device's for its lifetime, the vDPA device outlives the mapping (the
 * mapping holds the file, and removal waits for the last close), and the
 * owner is only compared, never dereferenced.
 *
 * What is allowed: one whole page of one queue, MAP_SHARED, PROT_WRITE and
 * nothing else.  The page cannot be made readable or executable later
 * (VM_MAYREAD and VM_MAYEXEC are cleared); removing the write permission and
 * giving it back is harmless.  The CPU still allows loads: x86, arm64 and
 * RISC-V have no write-only pages, so a PROT_WRITE mapping is readable by
 * the hardware.
 */
static int vv_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vdpa_notification_area n;
	unsigned long qid;

	if (READ_ONCE(vv->gone))
		return -ENODEV;
	if (READ_ONCE(vv->owner) != current->mm)
		return -EPERM;
	if (VV_OFFSET_TO_INDEX(off) != VV_REGION_DOORBELL ||
	    vma->vm_end - vma->vm_start != PAGE_SIZE ||
	    !(vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE) ||
	    (vma->vm_flags & (VM_READ | VM_EXEC)) || !vv_doorbell_mmap(vv))
		return -EINVAL;
	qid = (off & VV_OFFSET_MASK) >> PAGE_SHIFT;
	if (qid >= vv->nvqs)
		return -EINVAL;
	n = vv->vdpa->config->get_vq_notification(vv->vdpa, qid);
	vm_flags_mod(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
		     VM_MAYREAD | VM_MAYEXEC);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(n.addr),
				  PAGE_SIZE, vma->vm_page_prot);
}

const struct vfio_device_ops vv_vfio_ops = {
	.name		= "vhost-vfio",
	.release	= vv_release,
	.open_device	= vv_open_device,
	.close_device	= vv_close_device,
	.ioctl		= vv_ioctl,
#ifdef HAVE_VFIO_GET_REGION_INFO_CAPS
	/* the core answers VFIO_DEVICE_GET_REGION_INFO itself from 6.19 */
	.get_region_info_caps = vv_region_info_caps,
#endif
	.read		= vv_read,
	.write		= vv_write,
	.mmap		= vv_mmap,
	.request	= vv_request,
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};
