// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ioasid: one set per open file, table-driven ioctls.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pvm_ucmd.h>

#include "ioasid_private.h"

static unsigned int default_quota = 1024;
module_param(default_quota, uint, 0644);
MODULE_PARM_DESC(default_quota,
		 "Quota of the set of each new /dev/ioasid file, 0 = unlimited (default 1024)");

union ioasid_ucmd_buffer {
	struct ioasid_info info;
	struct ioasid_alloc alloc;
	struct ioasid_free free;
	struct ioasid_gpasid gpasid;
	struct ioasid_translate translate;
	struct ioasid_quota quota;
};

/**
 * struct ioasid_ucmd - one ioctl call
 * @set: the file's set
 * @ubuffer: the user's structure
 * @user_size: its size as the user gave it
 * @cmd: the kernel copy (user bytes beyond the kernel's size were zero)
 */
struct ioasid_ucmd {
	struct pvm_ioasid_set *set;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/* Write the kernel's structure back, for the sizes both sides know. */
static int ioasid_ucmd_respond(struct ioasid_ucmd *ucmd, size_t size)
{
	return pvm_ucmd_respond(ucmd->ubuffer, ucmd->user_size, ucmd->cmd,
				size);
}

static int ioasid_ioctl_get_info(struct ioasid_ucmd *ucmd)
{
	struct ioasid_info *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	cmd->pasid_bits = fls(pvm_ioasid_pool_capacity());
	cmd->max_pasid = pvm_ioasid_pool_capacity();
	cmd->quota = pvm_ioasid_set_quota(ucmd->set);
	cmd->used = pvm_ioasid_set_used(ucmd->set);
	cmd->pool_used = pvm_ioasid_pool_used();
	cmd->user_quota = READ_ONCE(ioasid_user_max);
	cmd->user_used = ioasid_user_held(ucmd->set->user);
	return ioasid_ucmd_respond(ucmd, sizeof(*cmd));
}

static int ioasid_ioctl_alloc(struct ioasid_ucmd *ucmd)
{
	struct ioasid_alloc *cmd = ucmd->cmd;
	ioasid_t min = 1, max = pvm_ioasid_pool_capacity(), id;
	int ret;

	if (cmd->flags & ~IOASID_ALLOC_RANGE || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->flags & IOASID_ALLOC_RANGE) {
		if (!cmd->min || cmd->min > cmd->max ||
		    cmd->max > pvm_ioasid_pool_capacity())
			return -EINVAL;
		min = cmd->min;
		max = cmd->max;
	} else if (cmd->min || cmd->max) {
		return -EINVAL;
	}
	ret = pvm_ioasid_alloc(ucmd->set, min, max, NULL, &id);
	if (ret)
		return ret;
	cmd->out_pasid = id;
	ret = ioasid_ucmd_respond(ucmd, sizeof(*cmd));
	if (ret)
		pvm_ioasid_free(ucmd->set, id);
	return ret;
}

static int ioasid_ioctl_free(struct ioasid_ucmd *ucmd)
{
	struct ioasid_free *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	return pvm_ioasid_free(ucmd->set, cmd->pasid);
}

static int ioasid_ioctl_attach(struct ioasid_ucmd *ucmd)
{
	struct ioasid_gpasid *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	return pvm_ioasid_attach_spid(ucmd->set, cmd->pasid, cmd->gpasid);
}

static int ioasid_ioctl_detach(struct ioasid_ucmd *ucmd)
{
	struct ioasid_gpasid *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->gpasid)
		return -EINVAL;
	return pvm_ioasid_detach_spid(ucmd->set, cmd->pasid);
}

static int ioasid_ioctl_translate(struct ioasid_ucmd *ucmd)
{
	struct ioasid_translate *cmd = ucmd->cmd;
	ioasid_t id;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!cmd->gpasid || cmd->gpasid > IOASID_SPID_MAX)
		return -EINVAL;
	id = pvm_ioasid_find_by_spid(ucmd->set, cmd->gpasid, false);
	if (id == PVM_IOASID_INVALID)
		return -ENOENT;
	cmd->out_pasid = id;
	return ioasid_ucmd_respond(ucmd, sizeof(*cmd));
}

static int ioasid_ioctl_set_quota(struct ioasid_ucmd *ucmd)
{
	struct ioasid_quota *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pvm_ioasid_set_set_quota(ucmd->set, cmd->quota);
}

struct ioasid_ioctl_op {
	struct pvm_ucmd_op uop;
	int (*execute)(struct ioasid_ucmd *ucmd);
};

/* In IOASID_CMD_* order: the entry of an ioctl is its number's offset. */
#define IOASID_IOCTL_OP(_ioctl, _fn, _struct, _last)                        \
	{                                                                   \
		.uop = PVM_UCMD_OP(union ioasid_ucmd_buffer, _ioctl,         \
				   _struct, _last),                         \
		.execute = _fn,                                             \
	}

static const struct ioasid_ioctl_op ioasid_ioctl_ops[] = {
	IOASID_IOCTL_OP(IOASID_GET_INFO, ioasid_ioctl_get_info,
			struct ioasid_info, __reserved),
	IOASID_IOCTL_OP(IOASID_ALLOC, ioasid_ioctl_alloc, struct ioasid_alloc,
			__reserved),
	IOASID_IOCTL_OP(IOASID_FREE, ioasid_ioctl_free, struct ioasid_free,
			__reserved),
	IOASID_IOCTL_OP(IOASID_ATTACH_GPASID, ioasid_ioctl_attach,
			struct ioasid_gpasid, gpasid),
	IOASID_IOCTL_OP(IOASID_DETACH_GPASID, ioasid_ioctl_detach,
			struct ioasid_gpasid, gpasid),
	IOASID_IOCTL_OP(IOASID_TRANSLATE_GPASID, ioasid_ioctl_translate,
			struct ioasid_translate, out_pasid),
	IOASID_IOCTL_OP(IOASID_SET_QUOTA, ioasid_ioctl_set_quota,
			struct ioasid_quota, __reserved),
};

static long ioasid_fops_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	const struct ioasid_ioctl_op *op;
	union ioasid_ucmd_buffer buf;
	struct ioasid_ucmd ucmd = {
		.set = filp->private_data,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	int ret;

	op = pvm_ucmd_op_by_nr(ioasid_ioctl_ops, IOASID_CMD_BASE, cmd);
	if (!op)
		return -ENOTTY;
	ret = pvm_ucmd_copy_in(&op->uop, ucmd.cmd, ucmd.ubuffer,
			       &ucmd.user_size);
	if (ret)
		return ret;
	return op->execute(&ucmd);
}

static int ioasid_fops_open(struct inode *inode, struct file *filp)
{
	struct pvm_ioasid_set *set;

	/* The opener's user is charged for the file's PASIDs, for life. */
	set = ioasid_set_alloc_user(min(READ_ONCE(default_quota),
					pvm_ioasid_pool_capacity()),
				    filp->f_cred->euid);
	if (IS_ERR(set))
		return PTR_ERR(set);
	filp->private_data = set;
	return 0;
}

static int ioasid_fops_release(struct inode *inode, struct file *filp)
{
	pvm_ioasid_set_free(filp->private_data);
	return 0;
}

static const struct file_operations ioasid_fops = {
	.owner = THIS_MODULE,
	.open = ioasid_fops_open,
	.release = ioasid_fops_release,
	.unlocked_ioctl = ioasid_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * pvm_ioasid_set_get_from_file() - the set of an open /dev/ioasid file
 * @file: a file, e.g. from fget() on an fd a VMM passed in
 *
 * Lets another module (kvm_pasid, vfio_iommu_nested) act on the set a VMM
 * allocates PASIDs in, named by its fd: this is how a VM's set is joined.
 * The reference keeps the set's memory, not the file: the set may be freed
 * by its owner (the file closed, SET_FREE delivered) while it is held, and
 * then allocates nothing more.
 *
 * Context: any.
 * Return: the set with a reference (pvm_ioasid_set_put() it), or
 * ERR_PTR(-EBADF) if @file is not a /dev/ioasid file.
 */
struct pvm_ioasid_set *pvm_ioasid_set_get_from_file(struct file *file)
{
	struct pvm_ioasid_set *set;

	if (!file || file->f_op != &ioasid_fops)
		return ERR_PTR(-EBADF);
	set = file->private_data;
	pvm_ioasid_set_get(set);
	return set;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_set_get_from_file, PVM_IOASID_NS);

static struct miscdevice ioasid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ioasid",
	.fops = &ioasid_fops,
	.mode = 0600,
};

int ioasid_cdev_init(void)
{
	return misc_register(&ioasid_misc);
}

void ioasid_cdev_exit(void)
{
	misc_deregister(&ioasid_misc);
}
