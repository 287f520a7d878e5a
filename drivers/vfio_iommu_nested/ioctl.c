// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the backend's own container ioctls (type
 * VFIO_NESTED_TYPE), table-driven: each has a structure with its size
 * first, copied with copy_struct_from_user().
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pvm_ucmd.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "fault.h"
#include "pasid.h"

static bool allow_test_dma;
module_param(allow_test_dma, bool, 0644);
MODULE_PARM_DESC(allow_test_dma,
		 "Serve VFIO_NESTED_TEST_DMA, a test-only ioctl (default: off, the ioctl fails with ENOTTY)");

/* TEST_DMA moves the user's bytes through a bounce buffer of this size. */
#define VN_TEST_DMA_BOUNCE	SZ_64K

union vn_ucmd_buffer {
	struct vfio_nested_caps caps;
	struct vfio_nested_ioasid_fd ioasid_fd;
	struct vfio_nested_bind_s1 bind;
	struct vfio_nested_unbind_s1 unbind;
	struct vfio_nested_invalidate inv;
	struct vfio_nested_fault_fd fault_fd;
	struct vfio_nested_test_dma test_dma;
};

/**
 * struct vn_ucmd - one ioctl call
 * @c: the container
 * @ps: its PASID state
 * @ubuffer: the user's structure
 * @user_size: its size as the user gave it
 * @cmd: the kernel's copy (user bytes beyond the kernel's size were zero)
 */
struct vn_ucmd {
	struct vn_container *c;
	struct vn_pasid_state *ps;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/* Write the kernel's structure back, for the sizes both sides know. */
static int vn_ucmd_respond(struct vn_ucmd *ucmd, size_t size)
{
	return pvm_ucmd_respond(ucmd->ubuffer, ucmd->user_size, ucmd->cmd,
				size);
}

/* ---- VFIO_NESTED_GET_CAPS ------------------------------------------------ */

/* What vn_s1_cfg_check() accepts, asked of it rather than restated. */
static void vn_caps_s1(struct vfio_nested_caps *cmd)
{
	struct vn_s1_cfg cfg = {};
	u32 w, bit;

	for (cfg.format = 1; cfg.format < 64; cfg.format++)
		if (!vn_s1_cfg_check(&cfg))
			cmd->formats |= BIT_ULL(cfg.format);
	cfg.format = VFIO_NESTED_S1_FMT_X86_64_4L;
	for (w = 1; w <= 64; w++) {
		cfg.addr_width = w;
		if (!vn_s1_cfg_check(&cfg))
			cmd->addr_widths |= BIT_ULL(w - 1);
	}
	cfg.addr_width = 0;
	for (bit = 0; bit < 32; bit++) {
		cfg.flags = BIT(bit);
		if (!vn_s1_cfg_check(&cfg))
			cmd->s1_flags |= BIT(bit);
	}
}

static int vn_ioctl_get_caps(struct vn_ucmd *ucmd)
{
	struct vfio_nested_caps *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	/* Everything else is output: what the user passed does not matter. */
	*cmd = (struct vfio_nested_caps){ .size = cmd->size };
	cmd->features = VFIO_NESTED_CAP_PASID | VFIO_NESTED_CAP_RID_S1 |
			VFIO_NESTED_CAP_CACHING_MODE |
			VFIO_NESTED_CAP_PAGE_REQUEST |
			VFIO_NESTED_CAP_FAULT_REPORT |
			VFIO_NESTED_CAP_DEVTLB_NOOP;
	if (READ_ONCE(allow_test_dma))
		cmd->features |= VFIO_NESTED_CAP_TEST_DMA;
	cmd->pasid_bits = vn_pasid_bits();
	vn_caps_s1(cmd);
	cmd->pgsizes = SZ_4K | SZ_2M | SZ_1G;
	cmd->inv_types = BIT(VFIO_NESTED_INV_ALL) | BIT(VFIO_NESTED_INV_PASID) |
			 BIT(VFIO_NESTED_INV_ADDR) | BIT(VFIO_NESTED_INV_DEVTLB);
	cmd->iotlb_entries = VN_S1_IOTLB_MAX;
	cmd->fault_depth = vn_fault_queue_depth(ucmd->ps->faultq);
	cmd->fault_record_size = sizeof(struct vfio_nested_fault);
	cmd->page_response_size = sizeof(struct vfio_nested_page_response);
	cmd->dma_retries = VN_DMA_MAX_RETRIES;
	return vn_ucmd_respond(ucmd, sizeof(*cmd));
}

/* ---- ownership and binding ----------------------------------------------- */

static int vn_ioctl_set_ioasid_fd(struct vn_ucmd *ucmd)
{
	struct vfio_nested_ioasid_fd *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	return vn_pasid_set_ioasid_fd(ucmd->ps, cmd->fd);
}

static int vn_ioctl_bind_s1(struct vn_ucmd *ucmd)
{
	struct vfio_nested_bind_s1 *cmd = ucmd->cmd;
	struct vn_s1_cfg cfg = {
		.format = cmd->format,
		.addr_width = cmd->addr_width,
		.flags = cmd->s1_flags,
		.root_gpa = cmd->root_gpa,
	};

	return vn_pasid_bind(ucmd->ps, cmd->flags, cmd->pasid, &cfg);
}

static int vn_ioctl_unbind_s1(struct vn_ucmd *ucmd)
{
	struct vfio_nested_unbind_s1 *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	return vn_pasid_unbind(ucmd->ps, cmd->flags, cmd->pasid);
}

/* ---- VFIO_NESTED_INVALIDATE ---------------------------------------------- */

/*
 * Is @dev_id (an IOMMU group number) a device registered with @c? Takes
 * dev_lock: called with none of our locks held.
 */
static struct vfio_device *vn_find_device(struct vn_container *c, u32 dev_id)
{
	struct vfio_device *found = NULL;
	struct iommu_group *group;
	struct vn_device *d;

	mutex_lock(&c->dev_lock);
	list_for_each_entry(d, &c->devices, next) {
		group = iommu_group_get(d->vdev->dev);
		if (!group)
			continue;
		if (iommu_group_id(group) == dev_id)
			found = d->vdev;
		iommu_group_put(group);
		if (found) {
			/* The memory stays while we use it unlocked. */
			get_device(&found->device);
			break;
		}
	}
	mutex_unlock(&c->dev_lock);
	return found;
}

static int vn_inv_one(struct vn_ucmd *ucmd,
		      const struct vfio_nested_inv_entry *e)
{
	struct vfio_device *vdev;
	struct vn_binding *b;
	int ret;

	ret = vn_s1_inv_entry_check(e);
	if (ret)
		return ret;
	switch (e->type) {
	case VFIO_NESTED_INV_ALL:
		atomic64_inc(&ucmd->ps->devtlb_invs);
		vn_pasid_invalidate_all(ucmd->ps);
		return 0;
	case VFIO_NESTED_INV_PASID:
	case VFIO_NESTED_INV_ADDR:
		b = vn_binding_get_by_name(ucmd->ps, e->pasid,
					   e->flags & VFIO_NESTED_INV_F_NO_PASID);
		if (!b)
			return -ENOENT;
		ret = vn_s1_invalidate_entry(b->s1, e);
		vn_binding_put(b);
		return ret;
	case VFIO_NESTED_INV_DEVTLB:
		/*
		 * The emulated devices cache no translation of their own:
		 * nothing to drop, but the device must be the container's.
		 */
		vdev = vn_find_device(ucmd->c, e->dev_id);
		if (!vdev)
			return -ENOENT;
		put_device(&vdev->device);
		atomic64_inc(&ucmd->ps->devtlb_invs);
		return 0;
	default:
		return -EINVAL;
	}
}

static int vn_ioctl_invalidate(struct vn_ucmd *ucmd)
{
	struct vfio_nested_invalidate *cmd = ucmd->cmd;
	void __user *uptr = u64_to_user_ptr(cmd->entries);
	struct vfio_nested_inv_entry e;
	u32 done;
	int ret = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	/* A page per entry is room to grow; more would be zeroes to check. */
	if (cmd->entry_len < offsetofend(struct vfio_nested_inv_entry,
					 __reserved) || cmd->entry_len > PAGE_SIZE)
		return -EINVAL;
	for (done = 0; done < cmd->entry_num; done++) {
		ret = copy_struct_from_user(&e, sizeof(e),
					    uptr + (size_t)done * cmd->entry_len,
					    cmd->entry_len);
		if (!ret)
			ret = vn_inv_one(ucmd, &e);
		if (ret)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	cmd->entry_num = done;
	if (vn_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return ret;
}

/* ---- VFIO_NESTED_GET_FAULT_FD -------------------------------------------- */

static int vn_ioctl_get_fault_fd(struct vn_ucmd *ucmd)
{
	struct vfio_nested_fault_fd *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	return vn_fault_queue_get_fd(ucmd->ps->faultq);
}

/* ---- VFIO_NESTED_TEST_DMA ------------------------------------------------ */

#define VN_TEST_DMA_PASID_FLAGS	(VFIO_NESTED_PASID_GUEST | \
					 VFIO_NESTED_PASID_NONE)
#define VN_TEST_DMA_FLAGS	(VN_TEST_DMA_PASID_FLAGS | \
				 VFIO_NESTED_DMA_WRITE | VFIO_NESTED_DMA_PRIV | \
				 VFIO_NESTED_DMA_EXEC | VFIO_NESTED_TEST_DMA_REPEAT)
/* What vn_dma() is given of the ioctl's flags. */
#define VN_TEST_DMA_DEV_FLAGS	(VFIO_NESTED_DMA_WRITE | VFIO_NESTED_DMA_PRIV | \
				 VFIO_NESTED_DMA_EXEC)

static_assert(VFIO_NESTED_TEST_DMA_REPEAT_LEN <= VN_TEST_DMA_BOUNCE);

/* The host PASID TEST_DMA's PASID names, or the DMA's errno. */
static int vn_test_dma_pasid(struct vn_ucmd *ucmd, u32 *pasid,
			     struct vfio_nested_dma_result *res)
{
	struct vfio_nested_test_dma *cmd = ucmd->cmd;
	u32 flags = cmd->flags & VN_TEST_DMA_PASID_FLAGS;
	struct vn_binding *b;
	int ret;

	ret = vn_pasid_check(flags, cmd->pasid);
	if (ret)
		return ret;
	if (flags & VFIO_NESTED_PASID_NONE) {
		*pasid = VFIO_NESTED_NO_PASID;
		return 0;
	}
	if (!(flags & VFIO_NESTED_PASID_GUEST)) {
		*pasid = cmd->pasid;
		return 0;
	}
	b = vn_binding_get_by_flags(ucmd->ps, flags, cmd->pasid);
	if (!b) {
		res->status = VFIO_NESTED_DMA_NO_BINDING;
		res->fault_addr = cmd->iova;
		return -ENOENT;
	}
	*pasid = b->pasid;
	vn_binding_put(b);
	return 0;
}

static int vn_test_dma_run(struct vn_ucmd *ucmd, struct vfio_device *vdev,
			   u32 pasid, struct vfio_nested_dma_result *total)
{
	struct vfio_nested_test_dma *cmd = ucmd->cmd;
	bool write = cmd->flags & VFIO_NESTED_DMA_WRITE;
	void __user *uptr = u64_to_user_ptr(cmd->uptr);
	struct vfio_nested_dma_result res;
	size_t chunk;
	void *bounce;
	int ret = 0;

	bounce = kvmalloc(min_t(u64, cmd->length, VN_TEST_DMA_BOUNCE),
			  GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	while (total->done < cmd->length) {
		chunk = min_t(u64, cmd->length - total->done,
			      VN_TEST_DMA_BOUNCE);
		if (write && copy_from_user(bounce, uptr + total->done, chunk)) {
			ret = -EFAULT;
			break;
		}
		ret = vn_dma(ucmd->c, vdev, pasid, cmd->iova + total->done,
			     bounce, chunk, cmd->flags & VN_TEST_DMA_DEV_FLAGS,
			     &res);
		total->page_requests += res.page_requests;
		if (!write && res.done &&
		    copy_to_user(uptr + total->done, bounce, res.done)) {
			total->done += res.done;
			ret = -EFAULT;
			break;
		}
		total->done += res.done;
		total->status = res.status;
		total->fault_addr = res.fault_addr;
		if (ret)
			break;
	}
	kvfree(bounce);
	return ret;
}

/*
 * VFIO_NESTED_TEST_DMA_REPEAT: the same DMA @cmd->repeat times, between
 * the DMA address and one kernel buffer; the user's bytes are copied once
 * (before the first device write, after the last device read). Each
 * repetition is one vn_dma(), what vfio_nested_dma() runs once it found
 * the device's container. @cmd->repeat becomes the repetitions that moved
 * every byte.
 */
static int vn_test_dma_repeat(struct vn_ucmd *ucmd, struct vfio_device *vdev,
			      u32 pasid, struct vfio_nested_dma_result *total)
{
	struct vfio_nested_test_dma *cmd = ucmd->cmd;
	bool write = cmd->flags & VFIO_NESTED_DMA_WRITE;
	void __user *uptr = u64_to_user_ptr(cmd->uptr);
	struct vfio_nested_dma_result res = {};
	u32 n, repeat = cmd->repeat;
	void *buf;
	int ret = 0;

	buf = kvmalloc(cmd->length, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if (write && copy_from_user(buf, uptr, cmd->length)) {
		ret = -EFAULT;
		n = 0;
		goto out;
	}
	for (n = 0; n < repeat; n++) {
		ret = vn_dma(ucmd->c, vdev, pasid, cmd->iova, buf, cmd->length,
			     cmd->flags & VN_TEST_DMA_DEV_FLAGS, &res);
		total->page_requests += res.page_requests;
		if (ret)
			break;
	}
	total->done = res.done;
	total->status = res.status;
	total->fault_addr = res.fault_addr;
	if (!write && res.done && copy_to_user(uptr, buf, res.done))
		ret = -EFAULT;
out:
	cmd->repeat = n;
	kvfree(buf);
	return ret;
}

/* The input checks of TEST_DMA that need no lookup. */
static int vn_test_dma_check(const struct vfio_nested_test_dma *cmd)
{
	if ((cmd->flags & ~VN_TEST_DMA_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->length || cmd->iova + (cmd->length - 1) < cmd->iova)
		return -EINVAL;
	if (!(cmd->flags & VFIO_NESTED_TEST_DMA_REPEAT))
		return cmd->repeat ? -EINVAL : 0;
	if (!cmd->repeat || cmd->repeat > VFIO_NESTED_TEST_DMA_REPEAT_MAX ||
	    cmd->length > VFIO_NESTED_TEST_DMA_REPEAT_LEN)
		return -EINVAL;
	return 0;
}

static int vn_ioctl_test_dma(struct vn_ucmd *ucmd)
{
	struct vfio_nested_test_dma *cmd = ucmd->cmd;
	struct vfio_nested_dma_result res = {};
	struct vfio_device *vdev;
	u32 pasid;
	int ret;

	ret = vn_test_dma_check(cmd);
	if (ret)
		return ret;
	vdev = vn_find_device(ucmd->c, cmd->dev_id);
	if (!vdev)
		return -ENXIO;
	ret = vn_test_dma_pasid(ucmd, &pasid, &res);
	if (ret) {
		/* no DMA was made */
		cmd->repeat = 0;
	} else if (cmd->flags & VFIO_NESTED_TEST_DMA_REPEAT) {
		ret = vn_test_dma_repeat(ucmd, vdev, pasid, &res);
	} else {
		ret = vn_test_dma_run(ucmd, vdev, pasid, &res);
	}
	put_device(&vdev->device);

	cmd->out_done = res.done;
	cmd->out_fault_addr = res.fault_addr;
	cmd->out_status = res.status;
	cmd->out_page_requests = res.page_requests;
	if (vn_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return ret;
}

/* ---- dispatch ------------------------------------------------------------ */

/**
 * struct vn_ioctl_op - one ioctl of the table
 * @uop: its size, first published size and full number
 * @test_only: served only with allow_test_dma (else ENOTTY, as unknown)
 * @execute: the handler
 */
struct vn_ioctl_op {
	struct pvm_ucmd_op uop;
	bool test_only;
	int (*execute)(struct vn_ucmd *ucmd);
};

#define VN_IOCTL_OP(_ioctl, _fn, _struct, _last, _test)                      \
	{                                                                   \
		.uop = PVM_UCMD_OP(union vn_ucmd_buffer, _ioctl, _struct,    \
				   _last),                                  \
		.test_only = _test,                                         \
		.execute = _fn,                                             \
	}

/* Searched by number: seven entries, two of them hot (INVALIDATE, BIND). */
static const struct vn_ioctl_op vn_ioctl_ops[] = {
	VN_IOCTL_OP(VFIO_NESTED_GET_CAPS, vn_ioctl_get_caps,
		    struct vfio_nested_caps, __reserved, false),
	VN_IOCTL_OP(VFIO_NESTED_SET_IOASID_FD, vn_ioctl_set_ioasid_fd,
		    struct vfio_nested_ioasid_fd, __reserved, false),
	VN_IOCTL_OP(VFIO_NESTED_BIND_S1, vn_ioctl_bind_s1,
		    struct vfio_nested_bind_s1, root_gpa, false),
	VN_IOCTL_OP(VFIO_NESTED_UNBIND_S1, vn_ioctl_unbind_s1,
		    struct vfio_nested_unbind_s1, __reserved, false),
	VN_IOCTL_OP(VFIO_NESTED_INVALIDATE, vn_ioctl_invalidate,
		    struct vfio_nested_invalidate, entries, false),
	VN_IOCTL_OP(VFIO_NESTED_GET_FAULT_FD, vn_ioctl_get_fault_fd,
		    struct vfio_nested_fault_fd, flags, false),
	VN_IOCTL_OP(VFIO_NESTED_TEST_DMA, vn_ioctl_test_dma,
		    struct vfio_nested_test_dma, out_page_requests, true),
};

/**
 * vn_nested_ioctl() - every container ioctl of type VFIO_NESTED_TYPE
 * @c: the container
 * @cmd: the ioctl number
 * @arg: the user's structure
 *
 * Checks the size and copies the structure, makes the container's PASID
 * state on first use, and calls the handler.
 *
 * Context: process context, no lock of the container held.
 * Return: the handler's value (0, a new fd for GET_FAULT_FD) or -errno;
 * -ENOTTY for an unknown number, -EFAULT, -EINVAL (size below the first
 * published one), -E2BIG (non-zero bytes past the kernel's structure).
 */
long vn_nested_ioctl(struct vn_container *c, unsigned int cmd,
		     unsigned long arg)
{
	const struct vn_ioctl_op *op;
	union vn_ucmd_buffer buf;
	struct vn_ucmd ucmd = {
		.c = c,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	int ret;

	if (_IOC_TYPE(cmd) != VFIO_NESTED_TYPE)
		return -ENOTTY;
	for (op = vn_ioctl_ops; op < vn_ioctl_ops + ARRAY_SIZE(vn_ioctl_ops); op++)
		if (op->uop.ioctl_num == cmd)
			break;
	if (op == vn_ioctl_ops + ARRAY_SIZE(vn_ioctl_ops))
		return -ENOTTY;
	if (op->test_only && !READ_ONCE(allow_test_dma))
		return -ENOTTY;

	ret = pvm_ucmd_copy_in(&op->uop, ucmd.cmd, ucmd.ubuffer,
			       &ucmd.user_size);
	if (ret)
		return ret;
	ucmd.ps = vn_pasid_state_get_or_alloc(c);
	if (IS_ERR(ucmd.ps))
		return PTR_ERR(ucmd.ps);
	return op->execute(&ucmd);
}
