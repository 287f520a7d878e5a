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

static void vv_close_device(struct vfio_device *vdev)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct eventfd_ctx *req;

	mutex_lock(&vv->lock);
	if (vv->opened)
		vv_teardown(vv);
	vv->opened = false;
	req = vv_xchg_eventfd(vv, &vv->req, NULL);
	mutex_unlock(&vv->lock);
	if (req)
		eventfd_ctx_put(req);
}

/* The device is going away under an open fd: stop it, let the user know. */
static void vv_request(struct vfio_device *vdev, unsigned int count)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	unsigned long flags;

	mutex_lock(&vv->lock);
	if (!vv->gone && vv->opened) {
		WRITE_ONCE(vv->gone, true);
		vv_teardown(vv);
		vv->opened = false;
	}
	WRITE_ONCE(vv->gone, true);
	spin_lock_irqsave(&vv->irq_lock, flags);
	if (vv->req)
		eventfd_signal(vv->req);
	spin_unlock_irqrestore(&vv->irq_lock, flags);
	mutex_unlock(&vv->lock);
	if (!count)
		dev_notice(vdev->dev, "removal requested, waiting for the user to close it\n");
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
 * capability to @caps; the VFIO core (from 6.19) or vv_region_info() copies
 * them out.
 */
static int vv_region_info_caps(struct vfio_device *vdev,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = VHOST_VFIO_REGION_TYPE,
	};

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
		cap.subtype = VHOST_VFIO_REGION_SUBTYPE_CONFIG;
		break;
	case VV_REGION_DOORBELL:
		info->flags = VFIO_REGION_INFO_FLAG_WRITE;
		if (vv_doorbell_mmap(vv))
			info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		cap.subtype = VHOST_VFIO_REGION_SUBTYPE_DOORBELL;
		break;
	default:
		info->flags = VFIO_REGION_INFO_FLAG_WRITE;
		cap.subtype = VHOST_VFIO_REGION_SUBTYPE_IOTLB;
		break;
	}
	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}

/**
 * vv_region_info() - VFIO_DEVICE_GET_REGION_INFO where the driver answers
 *	it (before 6.19)
 * @vv: the device
 * @argp: the user's struct vfio_region_info
 * @fill: fills in the region's info and capabilities
 *
 * Return: 0 or a negative errno.
 */
long vv_region_info(struct vv_dev *vv, void __user *argp,
		    int (*fill)(struct vfio_device *vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps))
{
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = {};
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, argp, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = fill(&vv->vdev, &info, &caps);
	if (ret)
		goto out;
	if (!caps.size) {
		info.cap_offset = 0;
	} else if (info.argsz < sizeof(info) + caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		info.argsz = sizeof(info) + caps.size;
	} else {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		vfio_info_cap_shift(&caps, sizeof(info));
		if (copy_to_user(argp + sizeof(info), caps.buf, caps.size)) {
			ret = -EFAULT;
			goto out;
		}
		info.cap_offset = sizeof(info);
	}
	ret = copy_to_user(argp, &info, minsz) ? -EFAULT : 0;
out:
	kfree(caps.buf);
	return ret;
}

static long vv_irq_info(struct vv_dev *vv, void __user *argp)
{
	size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, argp, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VHOST_VFIO_NUM_IRQS)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	info.count = info.index == VHOST_VFIO_VRING_IRQ_INDEX ? vv->nvqs : 1;
	return copy_to_user(argp, &info, minsz) ? -EFAULT : 0;
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
 * vv_set_req() - set (or clear) the removal-request eventfd
 * @vv: the device
 * @ctx: the new eventfd; its reference passes to @vv
 */
void vv_set_req(struct vv_dev *vv, struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old = vv_xchg_eventfd(vv, &vv->req, ctx);

	if (old)
		eventfd_ctx_put(old);
}

/* Set (fd >= 0) or clear (fd == -1) one vector; the lock is held. */
static int vv_set_vector(struct vv_dev *vv, u32 index, u32 vector, s32 fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else if (fd != -1) {
		return -EINVAL;
	}
	switch (index) {
	case VHOST_VFIO_VRING_IRQ_INDEX:
		vv_set_call(&vv->vqs[vector], ctx);
		break;
	case VHOST_VFIO_CONFIG_IRQ_INDEX:
		vv_set_config_call(vv, ctx);
		break;
	default:
		vv_set_req(vv, ctx);
		break;
	}
	return 0;
}

static void vv_trigger(struct vv_dev *vv, u32 index, u32 vector)
{
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
	spin_lock_irqsave(&vv->irq_lock, flags);
	ctx = index == VHOST_VFIO_CONFIG_IRQ_INDEX ? vv->config_call : vv->req;
	if (ctx)
		eventfd_signal(ctx);
	spin_unlock_irqrestore(&vv->irq_lock, flags);
}

static long vv_set_irqs(struct vv_dev *vv, void __user *argp)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	s32 *fds = NULL;
	u32 i, max;
	int ret;

	if (copy_from_user(&hdr, argp, minsz))
		return -EFAULT;
	if (hdr.index >= VHOST_VFIO_NUM_IRQS)
		return -EINVAL;
	/*
	 * The vring and config vectors are the slots of VHOST_SET_VRING_CALL
	 * and VHOST_VDPA_SET_CONFIG_CALL: the owner's, as those are.  The
	 * request vector only tells of a removal: any holder of the fd.
	 */
	if (hdr.index != VHOST_VFIO_REQ_IRQ_INDEX) {
		ret = vv_check_owner(vv);
		if (ret)
			return ret;
	}
	max = hdr.index == VHOST_VFIO_VRING_IRQ_INDEX ? vv->nvqs : 1;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, max, VHOST_VFIO_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		/* count 0: tear every vector of the index down */
		if (!hdr.count) {
			for (i = 0; i < max; i++)
				vv_set_vector(vv, hdr.index, i, -1);
			return 0;
		}
		for (i = hdr.start; i < hdr.start + hdr.count; i++)
			vv_trigger(vv, hdr.index, i);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL: {
		u8 *b = memdup_user(argp + minsz, data_size);

		if (IS_ERR(b))
			return PTR_ERR(b);
		for (i = 0; i < hdr.count; i++)
			if (b[i])
				vv_trigger(vv, hdr.index, hdr.start + i);
		kfree(b);
		return 0;
	}
	case VFIO_IRQ_SET_DATA_EVENTFD:
		fds = memdup_user(argp + minsz, data_size);
		if (IS_ERR(fds))
			return PTR_ERR(fds);
		for (i = 0; i < hdr.count; i++) {
			ret = vv_set_vector(vv, hdr.index, hdr.start + i, fds[i]);
			if (ret)
				break;
		}
		kfree(fds);
		return ret;
	}
	return -EINVAL;
}

static long vv_device_info(struct vv_dev *vv, void __user *argp)
{
	size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, argp, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VV_NUM_REGIONS;
	info.num_irqs = VHOST_VFIO_NUM_IRQS;
	return copy_to_user(argp, &info, minsz) ? -EFAULT : 0;
}

static long vv_ioctl(struct vfio_device *vdev, unsigned int cmd,
		     unsigned long arg)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	void __user *argp = (void __user *)arg;
	long ret;

	mutex_lock(&vv->lock);
	if (vv->gone) {
		ret = -ENODEV;
		goto out;
	}
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		ret = vv_device_info(vv, argp);
		break;
	case VFIO_DEVICE_GET_REGION_INFO:
		ret = vv_region_info(vv, argp, vv_region_info_caps);
		break;
	case VFIO_DEVICE_GET_IRQ_INFO:
		ret = vv_irq_info(vv, argp);
		break;
	case VFIO_DEVICE_SET_IRQS:
		ret = vv_set_irqs(vv, argp);
		break;
	case VFIO_DEVICE_RESET:
		/* the owner's, as VHOST_VDPA_SET_STATUS with 0 is */
		ret = vv_check_owner(vv);
		if (!ret)
			ret = vv_reset(vv);
		break;
	default:
		ret = vv_vhost_ioctl(vv, cmd, argp);
		break;
	}
out:
	mutex_unlock(&vv->lock);
	return ret;
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

static ssize_t vv_read(struct vfio_device *vdev, char __user *buf,
		       size_t count, loff_t *ppos)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	ssize_t ret;

	mutex_lock(&vv->lock);
	ret = vv->gone ? -ENODEV : vv_rw(vv, buf, count, ppos, false);
	mutex_unlock(&vv->lock);
	return ret;
}

static ssize_t vv_write(struct vfio_device *vdev, const char __user *buf,
			size_t count, loff_t *ppos)
{
	struct vv_dev *vv = vdev_to_vv(vdev);
	ssize_t ret;

	mutex_lock(&vv->lock);
	ret = vv->gone ? -ENODEV : vv_rw(vv, (char __user *)buf, count, ppos,
					true);
	mutex_unlock(&vv->lock);
	return ret;
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
