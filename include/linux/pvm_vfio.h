/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvm_vfio: the VFIO device ioctls that this tree's emulated devices
 * (vhost_vfio's two types, sva_sim) answer alike: VFIO_DEVICE_GET_INFO,
 * VFIO_DEVICE_GET_REGION_INFO where the driver answers it (before 6.19),
 * VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS with eventfd vectors.
 *
 * Static inlines private to this tree's modules, so that they share the
 * code without depending on one another: not a kernel API of its own.
 * Every function runs with the driver's device lock held, which serialises
 * the callbacks of &struct pvm_vfio_ops.
 */
#ifndef _LINUX_PVM_VFIO_H
#define _LINUX_PVM_VFIO_H

#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

/**
 * struct pvm_vfio_ops - what a device tells pvm_vfio_ioctl()
 * @flags: VFIO_DEVICE_FLAGS_* of VFIO_DEVICE_GET_INFO
 * @num_regions: its region count
 * @num_irqs: its IRQ index count
 * @region_info_caps: fills in a region's offset, size and flags (its
 *	index in, not checked yet) and adds its capabilities: the driver's
 *	get_region_info_caps callback
 * @irq_info: fills in the count and flags of an index below @num_irqs; a
 *	count of 0 is an index without vectors, which SET_IRQS refuses
 * @irq_allowed: optional: 0 if the caller may set an index below
 *	@num_irqs, or the errno SET_IRQS fails with
 * @irq_trigger: signals one vector of an index (DATA_NONE, DATA_BOOL)
 * @irq_swap: makes @ctx[i] the eventfd (or none, for NULL) of vector
 *	@start + i of an index for i below @count (at least 1), and leaves the previous
 *	ones in @ctx for the caller to put (or NULL for one it has put
 *	itself); cannot fail, and waits itself for the signalling paths that
 *	may still use a previous one
 */
struct pvm_vfio_ops {
	u32 flags;
	u32 num_regions;
	u32 num_irqs;
	int (*region_info_caps)(struct vfio_device *vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps);
	void (*irq_info)(struct vfio_device *vdev, struct vfio_irq_info *info);
	int (*irq_allowed)(struct vfio_device *vdev, u32 index);
	void (*irq_trigger)(struct vfio_device *vdev, u32 index, u32 vector);
	void (*irq_swap)(struct vfio_device *vdev, u32 index, u32 start,
			 u32 count, struct eventfd_ctx **ctx);
};

/**
 * pvm_vfio_device_info() - answer VFIO_DEVICE_GET_INFO
 * @arg: the user's &struct vfio_device_info
 * @ops: the device's flags and counts
 *
 * Return: 0, -EFAULT, or -EINVAL for an argsz below the structure's first
 * published size.
 */
static inline long pvm_vfio_device_info(void __user *arg,
					const struct pvm_vfio_ops *ops)
{
	size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = ops->flags;
	info.num_regions = ops->num_regions;
	info.num_irqs = ops->num_irqs;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/**
 * pvm_vfio_region_info() - answer VFIO_DEVICE_GET_REGION_INFO
 * @vdev: the device
 * @arg: the user's &struct vfio_region_info
 * @info_caps: the driver's get_region_info_caps callback
 *
 * For kernels whose VFIO core does not answer the ioctl itself (before
 * 6.19): copies the header in, lets @info_caps fill it, and copies it out
 * with the capability chain (VFIO_REGION_INFO_FLAG_CAPS), or with the argsz
 * the chain needs when the user's buffer is too small. A region without
 * capabilities gets neither the flag nor a cap_offset.
 *
 * Return: 0, -EFAULT, -EINVAL for an argsz below the structure's first
 * published size, or the error of @info_caps.
 */
static inline long
pvm_vfio_region_info(struct vfio_device *vdev, void __user *arg,
		     int (*info_caps)(struct vfio_device *vdev,
				      struct vfio_region_info *info,
				      struct vfio_info_cap *caps))
{
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = {};
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = info_caps(vdev, &info, &caps);
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
		if (copy_to_user(arg + sizeof(info), caps.buf, caps.size)) {
			ret = -EFAULT;
			goto out;
		}
		info.cap_offset = sizeof(info);
	}
	ret = copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
out:
	kfree(caps.buf);
	return ret;
}

/**
 * pvm_vfio_add_type_cap() - add a region's type capability
 * @caps: the capability chain of a region_info_caps callback
 * @type: VFIO_REGION_INFO_CAP_TYPE's type
 * @subtype: and its subtype
 *
 * Return: 0 or -ENOMEM.
 */
static inline int pvm_vfio_add_type_cap(struct vfio_info_cap *caps, u32 type,
					u32 subtype)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = type,
		.subtype = subtype,
	};

	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}

/**
 * pvm_vfio_irq_info() - answer VFIO_DEVICE_GET_IRQ_INFO
 * @vdev: the device
 * @arg: the user's &struct vfio_irq_info
 * @ops: its IRQ indexes
 *
 * Return: 0, -EFAULT, or -EINVAL for an argsz below the structure's first
 * published size or an index out of range.
 */
static inline long pvm_vfio_irq_info(struct vfio_device *vdev,
				     void __user *arg,
				     const struct pvm_vfio_ops *ops)
{
	size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= ops->num_irqs)
		return -EINVAL;
	ops->irq_info(vdev, &info);
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Put the eventfd contexts of @ctx[0..@count) that are set. */
static inline void pvm_vfio_eventfds_put(struct eventfd_ctx **ctx, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (ctx[i])
			eventfd_ctx_put(ctx[i]);
}

/**
 * pvm_vfio_irqs_clear() - clear vectors of an index
 * @vdev: the device
 * @ops: its IRQ callbacks
 * @index: the index
 * @count: vectors 0 to @count - 1 are cleared
 *
 * Cannot fail: without memory for one swap of them all, the vectors are
 * swapped one at a time. For SET_IRQS (DATA_NONE, count 0) and for the
 * driver's close.
 */
static inline void pvm_vfio_irqs_clear(struct vfio_device *vdev,
				       const struct pvm_vfio_ops *ops,
				       u32 index, u32 count)
{
	struct eventfd_ctx **ctx, *one;
	u32 i;

	if (!count)
		return;
	ctx = kcalloc(count, sizeof(*ctx), GFP_KERNEL);
	if (ctx) {
		ops->irq_swap(vdev, index, 0, count, ctx);
		pvm_vfio_eventfds_put(ctx, count);
		kfree(ctx);
		return;
	}
	for (i = 0; i < count; i++) {
		one = NULL;
		ops->irq_swap(vdev, index, i, 1, &one);
		pvm_vfio_eventfds_put(&one, 1);
	}
}

/*
 * DATA_EVENTFD: set vectors [start, start + count) of an index to the fds
 * in @fds, -1 clearing one: all or nothing, as vfio-pci does. An fd below
 * -1 is -EINVAL; a bad one, the error of eventfd_ctx_fdget().
 */
static inline int pvm_vfio_irqs_set(struct vfio_device *vdev,
				    const struct pvm_vfio_ops *ops, u32 index,
				    u32 start, u32 count, const s32 *fds)
{
	struct eventfd_ctx **ctx;
	int ret = 0;
	u32 i;

	if (!count)
		return 0;
	ctx = kcalloc(count, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (fds[i] == -1)
			continue;
		ctx[i] = fds[i] < 0 ? ERR_PTR(-EINVAL) :
				      eventfd_ctx_fdget(fds[i]);
		if (IS_ERR(ctx[i])) {
			ret = PTR_ERR(ctx[i]);
			ctx[i] = NULL;
			goto out;
		}
	}
	/* ctx[] then holds the previous ones */
	ops->irq_swap(vdev, index, start, count, ctx);
out:
	pvm_vfio_eventfds_put(ctx, count);
	kfree(ctx);
	return ret;
}

/**
 * pvm_vfio_set_irqs() - answer VFIO_DEVICE_SET_IRQS
 * @vdev: the device
 * @arg: the user's &struct vfio_irq_set
 * @ops: its IRQ indexes and callbacks
 *
 * Only ACTION_TRIGGER is supported. DATA_NONE with count 0 clears every
 * vector of the index, else it signals the vectors named; DATA_BOOL
 * signals those whose byte is non-zero; DATA_EVENTFD sets (fd -1: clears)
 * the vectors named, all or none of them.
 *
 * Return: 0; -EFAULT; -EINVAL for an index out of range or without
 * vectors, for a header that vfio_set_irqs_validate_and_prepare() refuses,
 * another action or an fd below -1; the error of @ops->irq_allowed; or
 * -ENOMEM, or the error of eventfd_ctx_fdget() (no vector changed then).
 */
static inline long pvm_vfio_set_irqs(struct vfio_device *vdev,
				     void __user *arg,
				     const struct pvm_vfio_ops *ops)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_info info = {};
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int ret;
	u32 i;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.index >= ops->num_irqs)
		return -EINVAL;
	if (ops->irq_allowed) {
		ret = ops->irq_allowed(vdev, hdr.index);
		if (ret)
			return ret;
	}
	info.index = hdr.index;
	ops->irq_info(vdev, &info);
	if (!info.count)
		return -EINVAL;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, info.count,
						 ops->num_irqs, &data_size);
	if (ret)
		return ret;
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (!hdr.count) {
			/* tear every vector of the index down */
			pvm_vfio_irqs_clear(vdev, ops, hdr.index, info.count);
			break;
		}
		for (i = 0; i < hdr.count; i++)
			ops->irq_trigger(vdev, hdr.index, hdr.start + i);
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		for (i = 0; i < hdr.count; i++)
			if (data[i])
				ops->irq_trigger(vdev, hdr.index, hdr.start + i);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		ret = pvm_vfio_irqs_set(vdev, ops, hdr.index, hdr.start,
					hdr.count, (const s32 *)data);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	kfree(data);
	return ret;
}

/**
 * pvm_vfio_ioctl() - answer the VFIO device ioctls that @ops describes
 * @vdev: the device
 * @cmd: the ioctl
 * @arg: its user argument
 * @ops: the device's counts and callbacks
 *
 * VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO (which the VFIO core
 * answers itself from 6.19, before calling the driver), GET_IRQ_INFO and
 * SET_IRQS; the caller answers the others.
 *
 * Return: as the helper of @cmd, or -ENOIOCTLCMD for another ioctl.
 */
static inline long pvm_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
				  void __user *arg,
				  const struct pvm_vfio_ops *ops)
{
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return pvm_vfio_device_info(arg, ops);
	case VFIO_DEVICE_GET_REGION_INFO:
		return pvm_vfio_region_info(vdev, arg, ops->region_info_caps);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return pvm_vfio_irq_info(vdev, arg, ops);
	case VFIO_DEVICE_SET_IRQS:
		return pvm_vfio_set_irqs(vdev, arg, ops);
	}
	return -ENOIOCTLCMD;
}

#endif /* _LINUX_PVM_VFIO_H */
