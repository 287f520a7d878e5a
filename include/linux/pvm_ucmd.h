/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvm_ucmd: the table-driven ioctl dispatch that the tree's character
 * devices share (/dev/ioasid, /dev/kvm_pasid, the vfio_iommu_nested
 * container ioctls), in the style of iommufd.
 *
 * Every ioctl takes one structure whose first member is its own size
 * (__u32 argsz or size) as the user built it. A module keeps a table of
 * ops, each embedding a &struct pvm_ucmd_op made with PVM_UCMD_OP(), and
 * for a call:
 *
 *  - finds the entry (ENOTTY when there is none), e.g. with
 *    pvm_ucmd_op_by_nr() for a table in ioctl-number order;
 *  - copies the structure in with pvm_ucmd_copy_in(): EFAULT, EINVAL for a
 *    size below the first published one, E2BIG for non-zero bytes past the
 *    kernel's structure, a shorter structure zero-extended;
 *  - runs its handler, which answers with pvm_ucmd_respond().
 *
 * Private to this tree's modules: not a kernel API of its own.
 */
#ifndef _LINUX_PVM_UCMD_H
#define _LINUX_PVM_UCMD_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uaccess.h>

/**
 * struct pvm_ucmd_op - what the dispatch knows of one ioctl
 * @size: the kernel's structure
 * @min_size: its first published size (up to its last original member)
 * @ioctl_num: the full ioctl number
 *
 * Embedded as the member ``uop`` in a module's table entry, next to the
 * module's handler.
 */
struct pvm_ucmd_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
};

/**
 * PVM_UCMD_OP() - initialise a &struct pvm_ucmd_op
 * @_union: the module's union of every ioctl structure (the kernel copy
 *	is one of these on the stack): the build fails if @_struct is larger
 * @_ioctl: the ioctl number
 * @_struct: the ioctl's structure
 * @_last: the last member of @_struct's first published version
 */
#define PVM_UCMD_OP(_union, _ioctl, _struct, _last)                         \
	{                                                                   \
		.size = sizeof(_struct) +                                   \
			BUILD_BUG_ON_ZERO(sizeof(_union) < sizeof(_struct)), \
		.min_size = offsetofend(_struct, _last),                    \
		.ioctl_num = _ioctl,                                        \
	}

/**
 * pvm_ucmd_op_by_nr() - the entry of an ioctl in a table in number order
 * @_ops: the table (an array; each entry with a &struct pvm_ucmd_op uop)
 * @_base: the _IOC_NR() of its first entry
 * @_cmd: the ioctl number the user passed
 *
 * The entry of an ioctl is its number's offset from @_base; the full
 * number (type, direction, size) must match the entry's.
 *
 * Return: a pointer to the entry, or NULL (the caller answers ENOTTY).
 */
#define pvm_ucmd_op_by_nr(_ops, _base, _cmd)                                \
	({                                                                  \
		__auto_type __ops = &(_ops)[0];                             \
		unsigned int __cmd = (_cmd);                                \
		/* Below @_base, the index wraps round: out of the table. */ \
		unsigned int __i = _IOC_NR(__cmd) - (_base);                \
									    \
		if (__i >= sizeof(_ops) / sizeof(__ops[0]) +                \
			   __must_be_array(_ops) ||                         \
		    __ops[__i].uop.ioctl_num != __cmd)                      \
			__ops = NULL;                                       \
		else                                                        \
			__ops += __i;                                       \
		__ops;                                                      \
	})

/**
 * pvm_ucmd_copy_in() - check the size of an ioctl's structure, copy it in
 * @uop: the ioctl's entry
 * @kbuf: the kernel copy, at least @uop->size bytes
 * @ubuf: the user's structure; its first __u32 is its size
 * @user_size: set to the size the user gave
 *
 * Context: process context; may fault.
 * Return: 0, -EFAULT, -EINVAL (the user's size is below @uop->min_size) or
 * -E2BIG (non-zero bytes past @uop->size), in that order of checks.
 */
static inline int pvm_ucmd_copy_in(const struct pvm_ucmd_op *uop, void *kbuf,
				   void __user *ubuf, u32 *user_size)
{
	if (get_user(*user_size, (u32 __user *)ubuf))
		return -EFAULT;
	if (*user_size < uop->min_size)
		return -EINVAL;
	return copy_struct_from_user(kbuf, uop->size, ubuf, *user_size);
}

/**
 * pvm_ucmd_respond() - write the kernel's structure back to the user
 * @ubuf: the user's structure
 * @user_size: its size as the user gave it
 * @kbuf: the kernel copy
 * @size: the kernel's size of the structure
 *
 * Writes the bytes both sides know: an older, shorter structure gets its
 * own members only.
 *
 * Context: process context; may fault.
 * Return: 0 or -EFAULT.
 */
static inline int pvm_ucmd_respond(void __user *ubuf, u32 user_size,
				   const void *kbuf, size_t size)
{
	if (copy_to_user(ubuf, kbuf, min_t(size_t, size, user_size)))
		return -EFAULT;
	return 0;
}

#endif /* _LINUX_PVM_UCMD_H */
