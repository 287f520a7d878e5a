// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: the vhost and vhost-vdpa ioctls on the VFIO device fd.
 */
#include <linux/file.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>
#include "vhost_vfio_private.h"

#define VV_CONFIG_MAX	4096

/* A vDPA device callback: a used-buffer notification of one queue. */
static irqreturn_t vv_vq_cb(void *private)
{
	struct vv_vq *vq = private;
	struct eventfd_ctx *ctx;

	/*
	 * The hot path, once per used buffer: no lock, the old eventfd is put
	 * after a grace period.  vDPA parents call this from hard or soft
	 * interrupt context or with preemption disabled, which is an RCU
	 * read-side critical section already; only a preemptible caller needs
	 * rcu_read_lock(), whose lockdep bookkeeping would otherwise cost the
	 * debug kernel a measurable share of its frame rate.
	 */
	if (likely(!preemptible())) {
		ctx = rcu_dereference_check(vq->call, !preemptible());
		if (ctx)
			eventfd_signal(ctx);
		return IRQ_HANDLED;
	}
	rcu_read_lock();
	ctx = rcu_dereference(vq->call);
	if (ctx)
		eventfd_signal(ctx);
	rcu_read_unlock();
	return IRQ_HANDLED;
}

static irqreturn_t vv_config_cb(void *private)
{
	struct vv_dev *vv = private;
	unsigned long flags;

	spin_lock_irqsave(&vv->irq_lock, flags);
	if (vv->config_call)
		eventfd_signal(vv->config_call);
	spin_unlock_irqrestore(&vv->irq_lock, flags);
	return IRQ_HANDLED;
}

/**
 * vv_set_call() - set (or clear with NULL) the call eventfd of a queue
 * @vq: the queue; the device lock is held
 * @ctx: the new eventfd; its reference passes to @vq
 */
void vv_set_call(struct vv_vq *vq, struct eventfd_ctx *ctx)
{
	struct vdpa_device *vdpa = vq->vv->vdpa;
	struct vdpa_callback cb = {};
	struct eventfd_ctx *old;

	lockdep_assert_held(&vq->vv->lock);
	old = rcu_replace_pointer(vq->call, ctx, lockdep_is_held(&vq->vv->lock));
	if (ctx) {
		cb.callback = vv_vq_cb;
		cb.private = vq;
	}
	vdpa->config->set_vq_cb(vdpa, vq->idx, &cb);
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
}

/**
 * vv_set_config_call() - set (or clear) the config-change eventfd
 * @vv: the device, lock held
 * @ctx: the new eventfd; its reference passes to @vv
 */
void vv_set_config_call(struct vv_dev *vv, struct eventfd_ctx *ctx)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct eventfd_ctx *old = vv_xchg_eventfd(vv, &vv->config_call, ctx);
	struct vdpa_callback cb = {};

	if (ctx) {
		cb.callback = vv_config_cb;
		cb.private = vv;
	}
	if (ops->set_config_cb)
		ops->set_config_cb(vv->vdpa, &cb);
	if (old)
		eventfd_ctx_put(old);
}

static int vv_kick_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
			void *key)
{
	struct vv_vq *vq = container_of(wait, struct vv_vq, kick_wait);
	__poll_t events = key_to_poll(key);

	/* As vhost does, the counter is left alone: every write wakes us. */
	if (events & EPOLLIN)
		vq->vv->vdpa->config->kick_vq(vq->vv->vdpa, vq->idx);
	return 0;
}

static void vv_kick_queue_proc(struct file *file, wait_queue_head_t *wqh,
			       poll_table *pt)
{
	struct vv_vq *vq = container_of(pt, struct vv_vq, kick_pt);

	vq->kick_wqh = wqh;
	add_wait_queue(wqh, &vq->kick_wait);
}

/**
 * vv_vq_set_kick() - set (or clear with NULL) the kick eventfd of a queue
 * @vq: the queue; the device lock is held
 * @file: the eventfd's file, or NULL; the reference passes to @vq
 *
 * Stops polling the old eventfd before polling the new one; a kick already
 * pending on the new one is delivered at once.
 *
 * Return: 0, or -EINVAL when @file is not an eventfd (the reference is then
 * dropped).
 */
int vv_vq_set_kick(struct vv_vq *vq, struct file *file)
{
	struct eventfd_ctx *ctx = NULL;
	__poll_t events;

	if (file) {
		ctx = eventfd_ctx_fileget(file);
		if (IS_ERR(ctx)) {
			fput(file);
			return -EINVAL;
		}
	}
	if (vq->kick_wqh) {
		u64 cnt;

		eventfd_ctx_remove_wait_queue(vq->kick, &vq->kick_wait, &cnt);
		vq->kick_wqh = NULL;
	}
	if (vq->kick) {
		eventfd_ctx_put(vq->kick);
		fput(vq->kick_file);
	}
	vq->kick = ctx;
	vq->kick_file = file;
	if (!file)
		return 0;
	init_waitqueue_func_entry(&vq->kick_wait, vv_kick_wake);
	init_poll_funcptr(&vq->kick_pt, vv_kick_queue_proc);
	events = vfs_poll(file, &vq->kick_pt);
	if (events & EPOLLIN)
		vq->vv->vdpa->config->kick_vq(vq->vv->vdpa, vq->idx);
	return 0;
}

/**
 * vv_release_owner() - undo VHOST_SET_OWNER: unbind the mm, drop it
 * @vv: the device, lock held, every mapping already dropped
 */
void vv_release_owner(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;

	lockdep_assert_held(&vv->lock);
	if (vv->mm_bound) {
		ops->unbind_mm(vv->vdpa);
		vv->mm_bound = false;
	}
	if (vv->owner) {
		mmdrop(vv->owner);
		WRITE_ONCE(vv->owner, NULL);
	}
}

static int vv_set_owner(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	int ret;

	if (vv->owner)
		return -EBUSY;
	if (!current->mm)
		return -EINVAL;
	if (vv->vdpa->use_va && ops->bind_mm) {
		ret = ops->bind_mm(vv->vdpa, current->mm);
		if (ret)
			return ret;
		vv->mm_bound = true;
	}
	mmgrab(current->mm);
	WRITE_ONCE(vv->owner, current->mm);
	return 0;
}

/**
 * vv_check_owner() - is the caller the owner?
 * @vv: the device, lock held
 *
 * Everything that changes the device, its mappings or its eventfds needs the
 * owner: ioctls, IOTLB messages, config and doorbell writes, interrupt
 * vectors, reset.
 *
 * Return: 0, or -EPERM before VHOST_SET_OWNER and for any other process.
 */
int vv_check_owner(struct vv_dev *vv)
{
	lockdep_assert_held(&vv->lock);
	return vv->owner && vv->owner == current->mm ? 0 : -EPERM;
}

/**
 * vv_has_persistent_map() - can mappings survive a device reset?
 * @vv: the device
 *
 * The rule vhost-vdpa offers VHOST_BACKEND_F_IOTLB_PERSIST by: a parent that
 * can restore its own default map (reset_map) keeps the map it was given
 * across a reset without VDPA_RESET_F_CLEAN_MAP, as does one that says so in
 * its backend features.
 *
 * Return: true when the bridge may offer IOTLB_PERSIST.
 */
static bool vv_has_persistent_map(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;

	return ops->reset_map ||
	       (ops->get_backend_features &&
		(ops->get_backend_features(vv->vdpa) &
		 BIT_ULL(VHOST_BACKEND_F_IOTLB_PERSIST)));
}

/**
 * vv_reset() - reset the vDPA device; drop every mapping unless persistent
 * @vv: the device, lock held
 *
 * Without VHOST_BACKEND_F_IOTLB_PERSIST every mapping is dropped and the
 * device is given empty maps.  With it, the mappings stay pinned and a
 * set_map device is given them again, so that the device translates as
 * before the reset whatever its reset did to its map.  An open IOTLB batch
 * ends either way, as with vhost-vdpa.
 *
 * Return: 0 or the device's reset error.
 */
int vv_reset(struct vv_dev *vv)
{
	int ret;

	lockdep_assert_held(&vv->lock);
	ret = vdpa_reset(vv->vdpa, 0);
	vv->acked_features = 0;
	vv->suspended = false;
	if (!(vv->backend_features & BIT_ULL(VHOST_BACKEND_F_IOTLB_PERSIST)) ||
	    !vv->iotlb) {
		vv_iotlb_clear(vv);
		return ret;
	}
	vv_iotlb_restore(vv);
	return ret;
}

static u8 vv_status(struct vv_dev *vv)
{
	return vv->vdpa->config->get_status(vv->vdpa);
}

/*
 * VHOST_F_LOG_ALL only when the device can be suspended: without a suspend
 * nothing stops the device writing pages after the last log sync, so a
 * migration could never be made safe.
 */
static u64 vv_offered(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	u64 f = vhost_vfio_offered_features(ops->get_device_features(vv->vdpa),
					    vv->feature_mask);

	if (!ops->suspend)
		f &= ~BIT_ULL(VHOST_F_LOG_ALL);
	return f;
}

static u64 vv_backend_offered(struct vv_dev *vv)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	u64 f = VV_BACKEND_FEATURES;

	if (ops->suspend)
		f |= BIT_ULL(VHOST_BACKEND_F_SUSPEND);
	if (ops->resume)
		f |= BIT_ULL(VHOST_BACKEND_F_RESUME);
	if (vv_has_persistent_map(vv))
		f |= BIT_ULL(VHOST_BACKEND_F_IOTLB_PERSIST);
	return f;
}

static long vv_set_features(struct vv_dev *vv, u64 __user *argp)
{
	u64 features;
	int ret;

	if (copy_from_user(&features, argp, sizeof(features)))
		return -EFAULT;
	if (vv_status(vv) & VIRTIO_CONFIG_S_FEATURES_OK)
		return -EBUSY;
	ret = vhost_vfio_check_features(vv_offered(vv), features);
	if (ret)
		return ret;
	ret = vdpa_set_features(vv->vdpa, features & ~BIT_ULL(VHOST_F_LOG_ALL));
	if (ret)
		return ret;
	vv->acked_features = features;
	return 0;
}

static long vv_set_status(struct vv_dev *vv, u8 __user *argp)
{
	u8 status, old;

	if (copy_from_user(&status, argp, sizeof(status)))
		return -EFAULT;
	old = vv_status(vv);
	if (!status)
		return vv_reset(vv);
	/* Bits are only ever added; clearing needs a reset. */
	if (old & ~status)
		return -EINVAL;
	vdpa_set_status(vv->vdpa, status);
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vv_status(vv) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EINVAL;
	return 0;
}

static long vv_config(struct vv_dev *vv, struct vhost_vdpa_config __user *argp,
		      bool set)
{
	size_t size = vv->vdpa->config->get_config_size(vv->vdpa);
	struct vhost_vdpa_config c;
	u8 *buf;
	long ret = 0;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (!c.len || c.off > size || c.len > size - c.off)
		return -EINVAL;
	if (set) {
		buf = memdup_user(argp->buf, c.len);
		if (IS_ERR(buf))
			return PTR_ERR(buf);
		vdpa_set_config(vv->vdpa, c.off, buf, c.len);
	} else {
		buf = kzalloc(c.len, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		vdpa_get_config(vv->vdpa, c.off, buf, c.len);
		if (copy_to_user(argp->buf, buf, c.len))
			ret = -EFAULT;
	}
	kfree(buf);
	return ret;
}

static int vv_get_eventfd(int fd, struct eventfd_ctx **ctx)
{
	if (fd == VHOST_FILE_UNBIND) {
		*ctx = NULL;
		return 0;
	}
	*ctx = eventfd_ctx_fdget(fd);
	return IS_ERR(*ctx) ? PTR_ERR(*ctx) : 0;
}

/*
 * The ring layout and position are fixed while the device runs: from
 * DRIVER_OK on, unless suspended (resume after a migration sets them on a
 * suspended device, as vhost-vdpa allows).
 */
static bool vv_ring_fixed(struct vv_dev *vv)
{
	return (vv_status(vv) & VIRTIO_CONFIG_S_DRIVER_OK) && !vv->suspended;
}

static long vv_vring_ioctl(struct vv_dev *vv, unsigned int cmd,
			   void __user *argp)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vhost_vring_state s;
	struct vhost_vring_file f;
	struct vhost_vring_addr a;
	struct vdpa_vq_state vs = {};
	struct eventfd_ctx *ctx;
	struct vv_vq *vq;
	u32 idx;
	int ret;

	if (get_user(idx, (u32 __user *)argp))
		return -EFAULT;
	if (idx >= vv->nvqs)
		return -EINVAL;
	idx = array_index_nospec(idx, vv->nvqs);
	vq = &vv->vqs[idx];

	switch (cmd) {
	case VHOST_SET_VRING_NUM:
		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		if (vv_status(vv) & VIRTIO_CONFIG_S_DRIVER_OK)
			return -EBUSY;
		if (!s.num || s.num > ops->get_vq_num_max(vv->vdpa) ||
		    (s.num & (s.num - 1)))
			return -EINVAL;
		ops->set_vq_num(vv->vdpa, idx, s.num);
		return 0;
	case VHOST_SET_VRING_ADDR:
		if (copy_from_user(&a, argp, sizeof(a)))
			return -EFAULT;
		if (vv_ring_fixed(vv))
			return -EBUSY;
		if (a.flags & ~(1U << VHOST_VRING_F_LOG))
			return -EOPNOTSUPP;
		if ((a.desc_user_addr & 15) || (a.avail_user_addr & 1) ||
		    (a.used_user_addr & 3))
			return -EINVAL;
		return ops->set_vq_address(vv->vdpa, idx, a.desc_user_addr,
					   a.avail_user_addr, a.used_user_addr);
	case VHOST_SET_VRING_BASE:
		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		if (vv_ring_fixed(vv))
			return -EBUSY;
		if (vv->acked_features & BIT_ULL(VIRTIO_F_RING_PACKED)) {
			/* as vhost: avail in bits 0-15, used in 16-31 */
			vs.packed.last_avail_idx = s.num & 0x7fff;
			vs.packed.last_avail_counter = !!(s.num & 0x8000);
			vs.packed.last_used_idx = (s.num >> 16) & 0x7fff;
			vs.packed.last_used_counter = !!(s.num & 0x80000000);
		} else {
			if (s.num > 0xffff)
				return -EINVAL;
			vs.split.avail_index = s.num;
		}
		return ops->set_vq_state(vv->vdpa, idx, &vs);
	case VHOST_GET_VRING_BASE:
		ret = ops->get_vq_state(vv->vdpa, idx, &vs);
		if (ret)
			return ret;
		s.index = idx;
		if (vv->acked_features & BIT_ULL(VIRTIO_F_RING_PACKED))
			s.num = vs.packed.last_avail_idx |
				(vs.packed.last_avail_counter << 15) |
				((u32)vs.packed.last_used_idx << 16) |
				((u32)vs.packed.last_used_counter << 31);
		else
			s.num = vs.split.avail_index;
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	case VHOST_VDPA_GET_VRING_SIZE:
		/* as vhost-vdpa: the device's answer or none, never a guess */
		if (!ops->get_vq_size)
			return -EOPNOTSUPP;
		s.index = idx;
		s.num = ops->get_vq_size(vv->vdpa, idx);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	case VHOST_VDPA_GET_VRING_GROUP:
	case VHOST_VDPA_GET_VRING_DESC_GROUP:
		/* As vhost-vdpa: no group op, no answer; a bad one is -EIO. */
		s.index = idx;
		if (cmd == VHOST_VDPA_GET_VRING_DESC_GROUP) {
			if (!ops->get_vq_desc_group)
				return -EOPNOTSUPP;
			s.num = ops->get_vq_desc_group(vv->vdpa, idx);
		} else {
			if (!ops->get_vq_group)
				return -EOPNOTSUPP;
			s.num = ops->get_vq_group(vv->vdpa, idx);
		}
		if (s.num >= vv->vdpa->ngroups)
			return -EIO;
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	case VHOST_VDPA_SET_VRING_ENABLE:
		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		if (s.num > 1)
			return -EINVAL;
		ops->set_vq_ready(vv->vdpa, idx, s.num);
		return 0;
	case VHOST_SET_VRING_KICK:
		if (copy_from_user(&f, argp, sizeof(f)))
			return -EFAULT;
		if (f.fd == VHOST_FILE_UNBIND)
			return vv_vq_set_kick(vq, NULL);
		{
			struct file *file = fget(f.fd);

			if (!file)
				return -EBADF;
			return vv_vq_set_kick(vq, file);
		}
	case VHOST_SET_VRING_CALL:
		if (copy_from_user(&f, argp, sizeof(f)))
			return -EFAULT;
		ret = vv_get_eventfd(f.fd, &ctx);
		if (ret)
			return ret;
		vv_set_call(vq, ctx);
		return 0;
	}
	return -ENOTTY;
}

static long vv_copy_struct_in(void *k, size_t ksize, void __user *argp)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < 2 * sizeof(u32))
		return -EINVAL;
	ret = copy_struct_from_user(k, ksize, argp, usize);
	if (ret)
		return ret;
	/* flags is the second u32 of every struct */
	if (((u32 *)k)[1])
		return -EOPNOTSUPP;
	return usize;
}

static long vv_get_info(struct vv_dev *vv, void __user *argp)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vhost_vfio_info info;
	long usize;

	usize = vv_copy_struct_in(&info, sizeof(info), argp);
	if (usize < 0)
		return usize;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.device_id = ops->get_device_id(vv->vdpa);
	info.nvqs = vv->nvqs;
	info.ngroups = vv->vdpa->ngroups;
	info.nas = vv->vdpa->nas;
	info.device_features = ops->get_device_features(vv->vdpa);
	info.feature_mask = vv->feature_mask;
	info.features = vv_offered(vv);
	info.config_size = ops->get_config_size(vv->vdpa);
	return copy_to_user(argp, &info, min_t(size_t, usize, sizeof(info))) ?
		-EFAULT : 0;
}

static long vv_log_sync_ioctl(struct vv_dev *vv, void __user *argp)
{
	struct vhost_vfio_log_sync ls;
	u64 last = U64_MAX;
	long usize;
	int ret;

	usize = vv_copy_struct_in(&ls, sizeof(ls), argp);
	if (usize < 0)
		return usize;
	if (usize < offsetofend(struct vhost_vfio_log_sync, marked))
		return -EINVAL;
	if (ls.length && vhost_vfio_check_range(ls.iova, ls.length, &last))
		return -EINVAL;
	ls.marked = 0;
	ret = vv_log_sync(vv, ls.iova, last, &ls.marked);
	if (ret)
		return ret;
	return put_user(ls.marked, (u64 __user *)(argp +
			offsetof(struct vhost_vfio_log_sync, marked))) ? -EFAULT : 0;
}

static long vv_suspend(struct vv_dev *vv, bool suspend)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	bool log = (vv->acked_features & BIT_ULL(VHOST_F_LOG_ALL)) &&
		   vv->log_base;
	u64 marked = 0;
	int ret;

	/*
	 * As vhost-vdpa: before DRIVER_OK the device runs nothing, so there is
	 * nothing to stop or restart and the call succeeds.  A suspend still
	 * logs every device-writable page, as the documentation promises for
	 * every suspend: mappings may have been written before a reset that
	 * kept them (IOTLB_PERSIST).
	 */
	if (!(vv_status(vv) & VIRTIO_CONFIG_S_DRIVER_OK))
		return suspend && log ? vv_log_sync(vv, 0, U64_MAX, &marked) : 0;
	if (suspend && !ops->suspend)
		return -EOPNOTSUPP;
	if (!suspend && !ops->resume)
		return -EOPNOTSUPP;
	if (!suspend) {
		ret = ops->resume(vv->vdpa);
		if (!ret)
			vv->suspended = false;
		return ret;
	}
	ret = ops->suspend(vv->vdpa);
	if (ret)
		return ret;
	vv->suspended = true;
	return log ? vv_log_sync(vv, 0, U64_MAX, &marked) : 0;
}

/**
 * vv_log_covers() - is the log of a range of IOVAs in user space?
 * @base: the log's user address
 * @first: first IOVA of the range
 * @last: last IOVA of the range
 *
 * The bytes of the log that hold the bits of [@first, @last] must lie in the
 * user address space (access_ok()), as vhost checks the log of every
 * memory region.
 *
 * Return: true when they do.
 */
bool vv_log_covers(u64 base, u64 first, u64 last)
{
	u64 b0 = (first >> VV_LOG_PAGE_SHIFT) / BITS_PER_BYTE;
	u64 b1 = (last >> VV_LOG_PAGE_SHIFT) / BITS_PER_BYTE;
	u64 start;

	if (check_add_overflow(base, b0, &start) || start != (unsigned long)start)
		return false;
	return access_ok(u64_to_user_ptr(start), b1 - b0 + 1);
}

/* A new log base must cover the log bits of every device-writable mapping. */
static long vv_set_log_base(struct vv_dev *vv, u64 __user *argp)
{
	struct vhost_iotlb_map *map;
	unsigned int as;
	u64 base;

	if (get_user(base, argp))
		return -EFAULT;
	for (as = 0; base && vv->iotlb && as < vv->vdpa->nas; as++)
		for (map = vhost_iotlb_itree_first(vv->iotlb[as], 0, U64_MAX);
		     map; map = vhost_iotlb_itree_next(map, 0, U64_MAX))
			if ((map->perm & VHOST_MAP_WO) &&
			    !vv_log_covers(base, map->start, map->last))
				return -EFAULT;
	vv->log_base = base;
	return 0;
}

/*
 * The queries vhost-vdpa answers to any holder of the fd, before
 * VHOST_SET_OWNER too: they change nothing.  -ENOIOCTLCMD for the others.
 */
static long vv_query(struct vv_dev *vv, unsigned int cmd, void __user *argp)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct vdpa_iova_range range = { .first = 0, .last = U64_MAX };
	struct vhost_vdpa_iova_range r;

	switch (cmd) {
	case VHOST_GET_FEATURES:
		return put_user(vv_offered(vv), (u64 __user *)argp);
	case VHOST_GET_BACKEND_FEATURES:
		return put_user(vv_backend_offered(vv), (u64 __user *)argp);
	case VHOST_VDPA_GET_DEVICE_ID:
		return put_user(ops->get_device_id(vv->vdpa), (u32 __user *)argp);
	case VHOST_VDPA_GET_STATUS:
		return put_user(vv_status(vv), (u8 __user *)argp);
	case VHOST_VDPA_GET_CONFIG:
		return vv_config(vv, argp, false);
	case VHOST_VDPA_GET_CONFIG_SIZE:
		return put_user((u32)ops->get_config_size(vv->vdpa),
				(u32 __user *)argp);
	case VHOST_VDPA_GET_VRING_NUM:
		return put_user(ops->get_vq_num_max(vv->vdpa), (u16 __user *)argp);
	case VHOST_VDPA_GET_VQS_COUNT:
		return put_user(vv->nvqs, (u32 __user *)argp);
	case VHOST_VDPA_GET_GROUP_NUM:
		return put_user(vv->vdpa->ngroups, (u32 __user *)argp);
	case VHOST_VDPA_GET_AS_NUM:
		return put_user(vv->vdpa->nas, (unsigned int __user *)argp);
	case VHOST_VDPA_GET_IOVA_RANGE:
		if (ops->get_iova_range)
			range = ops->get_iova_range(vv->vdpa);
		r.first = range.first;
		r.last = range.last;
		return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
	case VHOST_VFIO_GET_INFO:
		return vv_get_info(vv, argp);
	}
	return -ENOIOCTLCMD;
}

/**
 * vv_vhost_ioctl() - the vhost ioctls of the device fd
 * @vv: the device, lock held, not gone
 * @cmd: the ioctl
 * @argp: its argument
 *
 * Return: 0, a positive value for none, or -errno; -ENOTTY when @cmd is not
 * a vhost ioctl.
 */
long vv_vhost_ioctl(struct vv_dev *vv, unsigned int cmd, void __user *argp)
{
	const struct vdpa_config_ops *ops = vv->vdpa->config;
	struct eventfd_ctx *ctx;
	long ret;
	u64 v64;
	int fd;

	lockdep_assert_held(&vv->lock);
	if (cmd == VHOST_SET_OWNER)
		return vv_set_owner(vv);
	ret = vv_query(vv, cmd, argp);
	if (ret != -ENOIOCTLCMD)
		return ret;
	ret = vv_check_owner(vv);
	if (ret)
		return ret;

	switch (cmd) {
	case VHOST_SET_FEATURES:
		return vv_set_features(vv, argp);
	case VHOST_SET_BACKEND_FEATURES:
		if (get_user(v64, (u64 __user *)argp))
			return -EFAULT;
		if (v64 & ~vv_backend_offered(vv))
			return -EOPNOTSUPP;
		vv->backend_features = v64;
		return 0;
	case VHOST_VDPA_SET_STATUS:
		return vv_set_status(vv, argp);
	case VHOST_VDPA_SET_CONFIG:
		return vv_config(vv, argp, true);
	case VHOST_VDPA_SET_GROUP_ASID: {
		struct vhost_vring_state s;

		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		if (s.index >= vv->vdpa->ngroups || s.num >= vv->vdpa->nas)
			return -EINVAL;
		if (!ops->set_group_asid)
			return -EOPNOTSUPP;
		return ops->set_group_asid(vv->vdpa, s.index, s.num);
	}
	case VHOST_VDPA_SET_CONFIG_CALL:
		if (get_user(fd, (int __user *)argp))
			return -EFAULT;
		ret = vv_get_eventfd(fd, &ctx);
		if (ret)
			return ret;
		vv_set_config_call(vv, ctx);
		return 0;
	case VHOST_VDPA_SUSPEND:
		return vv_suspend(vv, true);
	case VHOST_VDPA_RESUME:
		return vv_suspend(vv, false);
	case VHOST_SET_LOG_BASE:
		return vv_set_log_base(vv, argp);
	case VHOST_VFIO_LOG_SYNC:
		return vv_log_sync_ioctl(vv, argp);
	case VHOST_SET_VRING_NUM:
	case VHOST_SET_VRING_ADDR:
	case VHOST_SET_VRING_BASE:
	case VHOST_GET_VRING_BASE:
	case VHOST_SET_VRING_KICK:
	case VHOST_SET_VRING_CALL:
	case VHOST_VDPA_SET_VRING_ENABLE:
	case VHOST_VDPA_GET_VRING_SIZE:
	case VHOST_VDPA_GET_VRING_GROUP:
	case VHOST_VDPA_GET_VRING_DESC_GROUP:
		return vv_vring_ioctl(vv, cmd, argp);
	}
	return -ENOTTY;
}
