// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: the VFIO device: open/close, the ioctls (VFIO's and the 0xBF
 * ones), the portal region (pread/pwrite/mmap), IRQs, reset, removal.
 */
#include <linux/eventfd.h>
#include <linux/kvm_pasid.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/pvm_vfio.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio_iommu_nested.h>

#include "sva_sim_private.h"

/*
 * Copy an argument struct: @argsz first, at least @minsz; a larger one
 * must have a zero tail (E2BIG).
 */
static int sva_sim_copy_arg(void *dst, size_t size, size_t minsz,
			    void __user *arg, u32 *argsz)
{
	if (get_user(*argsz, (u32 __user *)arg))
		return -EFAULT;
	if (*argsz < minsz)
		return -EINVAL;
	return copy_struct_from_user(dst, size, arg, *argsz);
}

static int sva_sim_copy_out(void __user *arg, const void *src, size_t size,
			    u32 argsz)
{
	return copy_to_user(arg, src, min_t(size_t, size, argsz)) ? -EFAULT : 0;
}

/* The queue an ioctl names, or NULL (lock 1 held). */
static struct sva_sim_queue *sva_sim_queue_of(struct sva_sim_dev *sd, u32 idx)
{
	if (idx >= sd->nq)
		return NULL;
	return &sd->q[array_index_nospec(idx, sd->nq)];
}

static void sva_sim_put_kp(struct kvm_pasid *kp)
{
	if (kp)
		kvm_pasid_put(kp);
}

/* Close every portal and abort every queue (lock 1 held). */
static void sva_sim_abort_all(struct sva_sim_dev *sd)
{
	unsigned int i;

	lockdep_assert_held(&sd->lock);
	for (i = 0; i < sd->nq; i++) {
		struct sva_sim_queue *q = &sd->q[i];

		sva_sim_put_kp(sva_sim_queue_shut(q));
		sva_sim_queue_abort(q);
		q->disabling = false;
	}
}

static long sva_sim_get_info(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_info info;
	u32 argsz, hpasid;
	int ret;

	ret = sva_sim_copy_arg(&info, sizeof(info),
			       offsetofend(struct sva_sim_info, desc_flags),
			       arg, &argsz);
	if (ret)
		return ret;
	if (info.flags)
		return -EOPNOTSUPP;
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (sd->vdev.kvm)
		info.out_flags |= SVA_SIM_INFO_KVM;
	/* only a device without a nested container answers ENODEV */
	if (vfio_nested_pasid_resolve(&sd->vdev, 0, 1, &hpasid) != -ENODEV)
		info.out_flags |= SVA_SIM_INFO_NESTED;
	if (sva_sim_mappable())
		info.out_flags |= SVA_SIM_INFO_MMAP;
	info.nr_queues = sd->nq;
	info.portal_size = SVA_SIM_PORTAL_SIZE;
	info.portal_slots = SVA_SIM_PORTAL_SLOTS;
	info.max_xfer_size = SVA_SIM_MAX_XFER_SIZE;
	info.max_batch = SVA_SIM_MAX_BATCH;
	info.opcodes = GENMASK(SVA_SIM_OP_CRC32C, 0);
	info.desc_flags = SVA_SIM_F_RCR | SVA_SIM_F_RCI;
	return sva_sim_copy_out(arg, &info, sizeof(info), argsz);
}

static long sva_sim_queue_info(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_queue_info qi;
	struct sva_sim_queue *q;
	unsigned long flags;
	u32 argsz;
	int ret;

	ret = sva_sim_copy_arg(&qi, sizeof(qi),
			       offsetofend(struct sva_sim_queue_info, occupancy),
			       arg, &argsz);
	if (ret)
		return ret;
	if (qi.flags)
		return -EOPNOTSUPP;
	q = sva_sim_queue_of(sd, qi.queue);
	if (!q)
		return -EINVAL;
	qi.argsz = sizeof(qi);
	qi.mode = q->mode;
	qi.out_flags = 0;
	spin_lock_irqsave(&q->lock, flags);
	qi.size = q->ring.size;
	qi.state = q->open ? SVA_SIM_QUEUE_ENABLED : q->disabling ?
		   SVA_SIM_QUEUE_DISABLING : SVA_SIM_QUEUE_DISABLED;
	if (q->guest)
		qi.out_flags |= SVA_SIM_QUEUE_F_GUEST_PASID;
	if (q->pasid_set)
		qi.out_flags |= SVA_SIM_QUEUE_F_PASID_SET;
	if (q->pasid_set && q->pasid_guest)
		qi.out_flags |= SVA_SIM_QUEUE_F_PASID_GUEST;
	qi.pasid = q->pasid_set ? q->pasid : 0;
	qi.host_pasid = q->pasid_set ? q->hpasid : 0;
	qi.occupancy = sva_sim_ring_used(&q->ring);
	spin_unlock_irqrestore(&q->lock, flags);
	if (q->kick)
		qi.out_flags |= SVA_SIM_QUEUE_F_KICK;
	return sva_sim_copy_out(arg, &qi, sizeof(qi), argsz);
}

static long sva_sim_set_pasid(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_queue_pasid p;
	struct sva_sim_queue *q;
	unsigned long flags;
	u32 argsz, hpasid;
	int ret;

	ret = sva_sim_copy_arg(&p, sizeof(p),
			       offsetofend(struct sva_sim_queue_pasid, pasid),
			       arg, &argsz);
	if (ret)
		return ret;
	if (p.flags & ~SVA_SIM_PASID_GUEST)
		return -EOPNOTSUPP;
	q = sva_sim_queue_of(sd, p.queue);
	if (!q || q->mode != SVA_SIM_QUEUE_DEDICATED || !p.pasid ||
	    p.pasid >> SVA_SIM_PASID_BITS)
		return -EINVAL;
	if (q->open || q->disabling)
		return -EBUSY;
	ret = vfio_nested_pasid_resolve(&sd->vdev,
					p.flags & SVA_SIM_PASID_GUEST ?
					VFIO_NESTED_PASID_GUEST : 0,
					p.pasid, &hpasid);
	if (ret)
		return ret;
	spin_lock_irqsave(&q->lock, flags);
	q->pasid_set = true;
	q->pasid_guest = p.flags & SVA_SIM_PASID_GUEST;
	q->pasid = p.pasid;
	q->hpasid = hpasid;
	spin_unlock_irqrestore(&q->lock, flags);
	return 0;
}

static long sva_sim_enable(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_queue_enable e;
	struct kvm_pasid *kp = NULL;
	struct sva_sim_queue *q;
	unsigned long flags;
	u32 argsz;
	int ret;

	ret = sva_sim_copy_arg(&e, sizeof(e),
			       offsetofend(struct sva_sim_queue_enable, __reserved),
			       arg, &argsz);
	if (ret)
		return ret;
	if (e.flags & ~SVA_SIM_QUEUE_F_GUEST_PASID || e.__reserved)
		return -EOPNOTSUPP;
	q = sva_sim_queue_of(sd, e.queue);
	if (!q)
		return -EINVAL;
	if (q->open || q->disabling)
		return -EBUSY;
	if (q->mode == SVA_SIM_QUEUE_DEDICATED &&
	    ((e.flags & SVA_SIM_QUEUE_F_GUEST_PASID) || !q->pasid_set))
		return -EINVAL;
	if (e.flags & SVA_SIM_QUEUE_F_GUEST_PASID) {
		if (!sd->vdev.kvm)
			return -ENODEV;
		kp = kvm_pasid_get(sd->vdev.kvm);
		if (!kp)
			return -ENOTCONN;
	}
	spin_lock_irqsave(&q->lock, flags);
	q->kp = kp;
	q->guest = kp;
	q->open = true;
	spin_unlock_irqrestore(&q->lock, flags);
	return 0;
}

/* DRAIN and DISABLE: lock 1 is taken here, and dropped for a long wait. */
static long sva_sim_drain(struct sva_sim_dev *sd, void __user *arg,
			  bool disable)
{
	struct sva_sim_queue_drain dr;
	struct kvm_pasid *kp = NULL;
	struct sva_sim_queue *q;
	u32 argsz;
	int ret;

	ret = sva_sim_copy_arg(&dr, sizeof(dr),
			       offsetofend(struct sva_sim_queue_drain, __reserved),
			       arg, &argsz);
	if (ret)
		return ret;
	if (dr.flags & ~SVA_SIM_DRAIN_F_ABORT || dr.__reserved)
		return -EOPNOTSUPP;

	mutex_lock(&sd->lock);
	if (sd->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	q = sva_sim_queue_of(sd, dr.queue);
	if (!q) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (disable) {
		if (!q->open && !q->disabling)
			goto out_unlock;
		kp = sva_sim_queue_shut(q);
		q->disabling = true;
	}
	if (dr.flags & SVA_SIM_DRAIN_F_ABORT) {
		sva_sim_queue_abort(q);
		q->disabling = false;
		goto out_unlock;
	}
	mutex_unlock(&sd->lock);
	sva_sim_put_kp(kp);

	/* The fd is open: the queue stays until this returns. */
	ret = sva_sim_queue_wait(q);
	if (!ret && disable) {
		mutex_lock(&sd->lock);
		q->disabling = false;
		mutex_unlock(&sd->lock);
	}
	return ret;

out_unlock:
	mutex_unlock(&sd->lock);
	sva_sim_put_kp(kp);
	return ret;
}

static long sva_sim_set_kick(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_queue_kick k;
	struct sva_sim_queue *q;
	u32 argsz;
	int ret;

	ret = sva_sim_copy_arg(&k, sizeof(k),
			       offsetofend(struct sva_sim_queue_kick, fd),
			       arg, &argsz);
	if (ret)
		return ret;
	if (k.flags)
		return -EOPNOTSUPP;
	q = sva_sim_queue_of(sd, k.queue);
	if (!q)
		return -EINVAL;
	return sva_sim_queue_set_kick(q, k.fd);
}

static long sva_sim_get_stats(struct sva_sim_dev *sd, void __user *arg)
{
	struct sva_sim_stats s;
	unsigned long flags;
	unsigned int i, j;
	u64 *out;
	u32 argsz;
	int ret;

	ret = sva_sim_copy_arg(&s, sizeof(s),
			       offsetofend(struct sva_sim_stats, kicks),
			       arg, &argsz);
	if (ret)
		return ret;
	if (s.flags || s.__reserved)
		return -EOPNOTSUPP;
	if (s.queue != SVA_SIM_ALL_QUEUES && !sva_sim_queue_of(sd, s.queue))
		return -EINVAL;
	BUILD_BUG_ON(sizeof(s) - offsetof(struct sva_sim_stats, submitted) !=
		     SVA_SIM_ST_NR * sizeof(u64));
	/* the counters are the struct's tail, in the order of SVA_SIM_ST_* */
	out = (u64 *)((u8 *)&s + offsetof(struct sva_sim_stats, submitted));
	for (j = 0; j < SVA_SIM_ST_NR; j++)
		out[j] = 0;
	s.argsz = sizeof(s);
	for (i = 0; i < sd->nq; i++) {
		struct sva_sim_queue *q = &sd->q[i];

		if (s.queue != SVA_SIM_ALL_QUEUES && s.queue != i)
			continue;
		spin_lock_irqsave(&q->lock, flags);
		for (j = 0; j < SVA_SIM_ST_NR; j++)
			out[j] += q->st.c[j];
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return sva_sim_copy_out(arg, &s, sizeof(s), argsz);
}

/* The portal region's info and type capability. */
static int sva_sim_region_info_caps(struct vfio_device *vdev,
				    struct vfio_region_info *info,
				    struct vfio_info_cap *caps)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);

	if (READ_ONCE(sd->gone))
		return -ENODEV;
	if (info->index >= SVA_SIM_NUM_REGIONS)
		return -EINVAL;
	info->offset = (u64)SVA_SIM_REGION_PORTAL << SVA_SIM_OFFSET_SHIFT;
	info->size = (u64)sd->nq * SVA_SIM_PORTAL_SIZE;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (sva_sim_mappable())
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	info->cap_offset = 0;
	return pvm_vfio_add_type_cap(caps, SVA_SIM_REGION_TYPE,
				     SVA_SIM_REGION_SUBTYPE_PORTAL);
}

static void sva_sim_irq_info(struct vfio_device *vdev,
			     struct vfio_irq_info *info)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);

	info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	info->count = info->index == SVA_SIM_IRQ_COMPLETION ? sd->nq : 1;
}

/* Install eventfds (or none); sva_sim_signal() takes the same lock. */
static void sva_sim_irq_swap(struct vfio_device *vdev, u32 index, u32 start,
			     u32 count, struct eventfd_ctx **ctx)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	struct eventfd_ctx **slot;
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&sd->irq_lock, flags);
	for (i = 0; i < count; i++) {
		slot = index == SVA_SIM_IRQ_COMPLETION ? &sd->irq[start + i] :
							 &sd->req;
		swap(*slot, ctx[i]);
	}
	spin_unlock_irqrestore(&sd->irq_lock, flags);
}

static void sva_sim_irq_trigger(struct vfio_device *vdev, u32 index,
				u32 vector)
{
	sva_sim_signal(vdev_to_sd(vdev), index, vector);
}

static const struct pvm_vfio_ops sva_sim_pvm_ops = {
	.flags			= VFIO_DEVICE_FLAGS_RESET,
	.num_regions		= SVA_SIM_NUM_REGIONS,
	.num_irqs		= SVA_SIM_NUM_IRQS,
	.region_info_caps	= sva_sim_region_info_caps,
	.irq_info		= sva_sim_irq_info,
	.irq_trigger		= sva_sim_irq_trigger,
	.irq_swap		= sva_sim_irq_swap,
};

static long sva_sim_ioctl(struct vfio_device *vdev, unsigned int cmd,
			  unsigned long arg)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	void __user *uarg = (void __user *)arg;
	long ret;

	/* they wait without lock 1 */
	if (cmd == SVA_SIM_QUEUE_DRAIN)
		return sva_sim_drain(sd, uarg, false);
	if (cmd == SVA_SIM_QUEUE_DISABLE)
		return sva_sim_drain(sd, uarg, true);

	mutex_lock(&sd->lock);
	if (sd->gone) {
		ret = -ENODEV;
		goto out;
	}
	ret = pvm_vfio_ioctl(vdev, cmd, uarg, &sva_sim_pvm_ops);
	if (ret != -ENOIOCTLCMD)
		goto out;
	switch (cmd) {
	case VFIO_DEVICE_RESET:
		sva_sim_abort_all(sd);
		ret = 0;
		break;
	case SVA_SIM_GET_INFO:
		ret = sva_sim_get_info(sd, uarg);
		break;
	case SVA_SIM_QUEUE_INFO:
		ret = sva_sim_queue_info(sd, uarg);
		break;
	case SVA_SIM_QUEUE_SET_PASID:
		ret = sva_sim_set_pasid(sd, uarg);
		break;
	case SVA_SIM_QUEUE_ENABLE:
		ret = sva_sim_enable(sd, uarg);
		break;
	case SVA_SIM_QUEUE_SET_KICK:
		ret = sva_sim_set_kick(sd, uarg);
		break;
	case SVA_SIM_GET_STATS:
		ret = sva_sim_get_stats(sd, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
out:
	mutex_unlock(&sd->lock);
	return ret;
}

/* The queue and in-page offset of a portal access, or NULL. */
static struct sva_sim_queue *sva_sim_portal_at(struct sva_sim_dev *sd,
					       loff_t pos, u32 *off)
{
	u64 o = (u64)pos & SVA_SIM_OFFSET_MASK;

	if (pos < 0 || ((u64)pos >> SVA_SIM_OFFSET_SHIFT) != SVA_SIM_REGION_PORTAL ||
	    o / SVA_SIM_PORTAL_SIZE >= sd->nq)
		return NULL;
	*off = o % SVA_SIM_PORTAL_SIZE;
	return &sd->q[array_index_nospec(o / SVA_SIM_PORTAL_SIZE, sd->nq)];
}

static ssize_t sva_sim_write(struct vfio_device *vdev, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	struct sva_sim_queue *q;
	struct sva_sim_desc d;
	u32 off;
	int ret;

	q = sva_sim_portal_at(sd, *ppos, &off);
	if (!q || count != sizeof(d) || off % sizeof(d) ||
	    off >= SVA_SIM_PORTAL_SLOTS * sizeof(d))
		return -EINVAL;
	if (copy_from_user(&d, buf, sizeof(d)))
		return -EFAULT;
	ret = sva_sim_submit(q, &d);
	return ret ? ret : sizeof(d);
}

static ssize_t sva_sim_read(struct vfio_device *vdev, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	struct sva_sim_queue *q;
	u32 off;

	q = sva_sim_portal_at(sd, *ppos, &off);
	if (!q)
		return -EINVAL;
	count = min_t(size_t, count, SVA_SIM_PORTAL_SIZE - off);
	if (copy_to_user(buf, page_address(q->portal) + off, count))
		return -EFAULT;
	return count;
}

static int sva_sim_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long i, first, n;
	int ret;

	if (!sva_sim_mappable() ||
	    (off >> SVA_SIM_OFFSET_SHIFT) != SVA_SIM_REGION_PORTAL ||
	    !(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	first = (off & SVA_SIM_OFFSET_MASK) >> PAGE_SHIFT;
	n = vma_pages(vma);
	if (first >= sd->nq || n > sd->nq - first)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (i = 0; i < n; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     sd->portal[first + i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int sva_sim_open_device(struct vfio_device *vdev)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	unsigned int i;
	int ret = 0;

	mutex_lock(&sd->lock);
	if (sd->gone) {
		ret = -ENODEV;
		goto out;
	}
	sd->nq = 0;
	for (i = 0; i < sd->cfg.nr_queues; i++) {
		ret = sva_sim_queue_open(sd, i);
		if (ret)
			break;
		sd->nq = i + 1;
	}
	if (ret) {
		while (sd->nq)
			sva_sim_queue_close(&sd->q[--sd->nq]);
		goto out;
	}
	sd->opened = true;
out:
	mutex_unlock(&sd->lock);
	return ret;
}

static void sva_sim_close_device(struct vfio_device *vdev)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	unsigned int i;

	mutex_lock(&sd->lock);
	for (i = 0; i < sd->nq; i++)
		sva_sim_queue_close(&sd->q[i]);
	pvm_vfio_irqs_clear(vdev, &sva_sim_pvm_ops, SVA_SIM_IRQ_COMPLETION,
			    SVA_SIM_MAX_QUEUES);
	pvm_vfio_irqs_clear(vdev, &sva_sim_pvm_ops, SVA_SIM_IRQ_REQ, 1);
	sd->nq = 0;
	sd->opened = false;
	mutex_unlock(&sd->lock);
}

/* The mdev goes away under an open fd: stop the queues, tell the VMM. */
static void sva_sim_request(struct vfio_device *vdev, unsigned int count)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);

	mutex_lock(&sd->lock);
	if (!sd->gone) {
		WRITE_ONCE(sd->gone, true);
		if (sd->opened)
			sva_sim_abort_all(sd);
	}
	mutex_unlock(&sd->lock);
	sva_sim_signal(sd, SVA_SIM_IRQ_REQ, 0);
	if (!count)
		dev_notice(vdev->dev, "removal requested, waiting for the user to close it\n");
}

static int sva_sim_init_device(struct vfio_device *vdev)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	unsigned int i;

	mutex_init(&sd->lock);
	spin_lock_init(&sd->irq_lock);
	sd->cfg.nr_queues = SVA_SIM_DEFAULT_QUEUES;
	for (i = 0; i < SVA_SIM_MAX_QUEUES; i++) {
		sd->cfg.size[i] = SVA_SIM_DEFAULT_SIZE;
		sd->cfg.mode[i] = i ? SVA_SIM_QUEUE_SHARED :
				      SVA_SIM_QUEUE_DEDICATED;
		sd->portal[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!sd->portal[i])
			goto err;
	}
	return 0;

err:
	while (i--)
		__free_page(sd->portal[i]);
	mutex_destroy(&sd->lock);
	return -ENOMEM;
}

static void sva_sim_release_device(struct vfio_device *vdev)
{
	struct sva_sim_dev *sd = vdev_to_sd(vdev);
	unsigned int i;

	for (i = 0; i < SVA_SIM_MAX_QUEUES; i++)
		__free_page(sd->portal[i]);
	mutex_destroy(&sd->lock);
}

const struct vfio_device_ops sva_sim_vfio_ops = {
	.name		= "sva-sim",
	.init		= sva_sim_init_device,
	.release	= sva_sim_release_device,
	.open_device	= sva_sim_open_device,
	.close_device	= sva_sim_close_device,
	.ioctl		= sva_sim_ioctl,
#ifdef HAVE_VFIO_GET_REGION_INFO_CAPS
	/* the core answers VFIO_DEVICE_GET_REGION_INFO itself from 6.19 */
	.get_region_info_caps = sva_sim_region_info_caps,
#endif
	.read		= sva_sim_read,
	.write		= sva_sim_write,
	.mmap		= sva_sim_mmap,
	.request	= sva_sim_request,
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};
