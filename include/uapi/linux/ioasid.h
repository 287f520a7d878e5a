/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/ioasid: PASID allocation for a VMM on behalf of its guest.
 */
#ifndef _UAPI_LINUX_IOASID_H
#define _UAPI_LINUX_IOASID_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: /dev/ioasid
 *
 * Each open file of /dev/ioasid owns one ioasid set, the VMM's per-VM set.
 * Every PASID the file allocates belongs to that set and is only ever named
 * through that file: a file cannot free, attach, detach or translate a PASID
 * it does not own (such a PASID is reported as not existing, -ENOENT).
 * Closing the file frees every PASID it owns.
 *
 * Two limits bound what a file may hold: its own quota (IOASID_SET_QUOTA,
 * the default_quota module parameter for a new file) and a limit per user:
 * all files opened by one user (the effective user ID of the opener, kept
 * for the file's life) hold at most user_max_pasids PASIDs together, a
 * module parameter the administrator may raise. IOASID_GET_INFO reports
 * both and their use.
 *
 * Every ioctl takes a pointer to a structure whose first field, @size, is
 * the size userspace knows for that structure, followed by @flags. The
 * kernel accepts any @size from the structure's first published size up:
 * bytes the kernel does not know must be zero; output fields are written
 * back for the smaller of the two sizes. Reserved fields must be zero.
 *
 * Errors, for every ioctl:
 *
 * - ``EFAULT``: the argument pointer (or part of the structure) is not
 *   readable or writable.
 * - ``EINVAL``: @size is smaller than the structure's first published size;
 *   a PASID or range is out of bounds (a host PASID of zero or above the
 *   pool's largest PASID, given to IOASID_FREE, IOASID_ATTACH_GPASID or
 *   IOASID_DETACH_GPASID; a range with min zero, min greater than max or
 *   max above the pool's largest PASID; a guest PASID of zero or wider
 *   than 20 bits).
 * - ``E2BIG``: @size is larger than the kernel's structure and the extra
 *   bytes are not all zero.
 * - ``EOPNOTSUPP``: an unknown bit is set in @flags, or a reserved field is
 *   not zero.
 * - ``ENOTTY``: unknown ioctl number.
 * - ``ENOSPC``: IOASID_ALLOC: the file's quota is used up, or no PASID is
 *   free in the requested range or pool.
 * - ``EDQUOT``: IOASID_ALLOC: the files of the user who opened this file
 *   hold user_max_pasids PASIDs together (the per-user limit).
 * - ``ENOENT``: the PASID (within bounds) is not owned by this file (never
 *   allocated, freed, or another file's); IOASID_DETACH_GPASID: no guest
 *   PASID is attached;
 *   IOASID_TRANSLATE_GPASID: the guest PASID is not attached in this file.
 * - ``EBUSY``: IOASID_ATTACH_GPASID: the host PASID already has a guest
 *   PASID, or the guest PASID is already attached to another host PASID;
 *   IOASID_SET_QUOTA: the new quota is below the PASIDs in use.
 * - ``EPERM``: IOASID_SET_QUOTA without CAP_SYS_ADMIN.
 * - ``ENOMEM``: out of memory; nothing changed. IOASID_ATTACH_GPASID:
 *   also when a kernel consumer of the set (e.g. kvm_pasid's translation
 *   table of the VM) has no memory to install the translation; then it
 *   fails with that consumer's errno (``ENOMEM`` in practice) and the guest
 *   PASID is not attached.
 *
 * On any error nothing changed (for IOASID_ALLOC no PASID is left allocated).
 */

#define IOASID_TYPE	0xBE
#define IOASID_CMD_BASE	0x80

enum {
	IOASID_CMD_GET_INFO = IOASID_CMD_BASE,
	IOASID_CMD_ALLOC,
	IOASID_CMD_FREE,
	IOASID_CMD_ATTACH_GPASID,
	IOASID_CMD_DETACH_GPASID,
	IOASID_CMD_TRANSLATE_GPASID,
	IOASID_CMD_SET_QUOTA,
};

/**
 * struct ioasid_info - ioctl(IOASID_GET_INFO)
 * @size: sizeof(struct ioasid_info)
 * @flags: must be 0
 * @pasid_bits: output, width of the host PASID space
 * @max_pasid: output, largest PASID of the pool (PASID 0 is never handed out)
 * @quota: output, most PASIDs this file may hold; 0 means unlimited (bounded
 *	by the pool only)
 * @used: output, PASIDs this file holds, including freed ones still
 *	referenced by the kernel
 * @pool_used: output, PASIDs in use in the whole pool
 * @__reserved: must be 0
 * @user_quota: output, most PASIDs the files of this file's user may hold
 *	together (user_max_pasids); 0 means unlimited
 * @user_used: output, PASIDs the files of this file's user hold together
 *
 * Report the PASID space, this file's quota and use, and its user's.
 * @user_quota and @user_used were added later: a caller passing the first
 * published @size (32) does not get them.
 */
struct ioasid_info {
	__u32 size;
	__u32 flags;
	__u32 pasid_bits;
	__u32 max_pasid;
	__u32 quota;
	__u32 used;
	__u32 pool_used;
	__u32 __reserved;
	__u32 user_quota;
	__u32 user_used;
};

#define IOASID_GET_INFO		_IO(IOASID_TYPE, IOASID_CMD_GET_INFO)

/**
 * enum ioasid_alloc_flags - flags of struct ioasid_alloc
 * @IOASID_ALLOC_RANGE: allocate in [@min, @max] instead of the whole pool
 */
enum ioasid_alloc_flags {
	IOASID_ALLOC_RANGE = 1 << 0,
};

/**
 * struct ioasid_alloc - ioctl(IOASID_ALLOC)
 * @size: sizeof(struct ioasid_alloc)
 * @flags: combination of enum ioasid_alloc_flags
 * @min: lowest acceptable PASID, with IOASID_ALLOC_RANGE (else must be 0)
 * @max: highest acceptable PASID, with IOASID_ALLOC_RANGE (else must be 0)
 * @out_pasid: output, the host PASID allocated
 * @__reserved: must be 0
 *
 * Allocate a host PASID owned by this file.
 */
struct ioasid_alloc {
	__u32 size;
	__u32 flags;
	__u32 min;
	__u32 max;
	__u32 out_pasid;
	__u32 __reserved;
};

#define IOASID_ALLOC		_IO(IOASID_TYPE, IOASID_CMD_ALLOC)

/**
 * struct ioasid_free - ioctl(IOASID_FREE)
 * @size: sizeof(struct ioasid_free)
 * @flags: must be 0
 * @pasid: host PASID owned by this file
 * @__reserved: must be 0
 *
 * Free a PASID. Any attached guest PASID is detached first. Freeing always
 * succeeds for an owned PASID; if the kernel still references it, it stays
 * counted in @used of IOASID_GET_INFO until the kernel lets it go.
 */
struct ioasid_free {
	__u32 size;
	__u32 flags;
	__u32 pasid;
	__u32 __reserved;
};

#define IOASID_FREE		_IO(IOASID_TYPE, IOASID_CMD_FREE)

/**
 * struct ioasid_gpasid - ioctl(IOASID_ATTACH_GPASID) and
 *	ioctl(IOASID_DETACH_GPASID)
 * @size: sizeof(struct ioasid_gpasid)
 * @flags: must be 0
 * @pasid: host PASID owned by this file
 * @gpasid: guest PASID to attach (1 to 2^20 - 1); must be 0 for detach
 *
 * Attach: map guest PASID @gpasid to host PASID @pasid in this file's set.
 * A host PASID has at most one guest PASID and a guest PASID maps to at
 * most one host PASID. Detach: remove @pasid's guest PASID.
 */
struct ioasid_gpasid {
	__u32 size;
	__u32 flags;
	__u32 pasid;
	__u32 gpasid;
};

#define IOASID_ATTACH_GPASID	_IO(IOASID_TYPE, IOASID_CMD_ATTACH_GPASID)
#define IOASID_DETACH_GPASID	_IO(IOASID_TYPE, IOASID_CMD_DETACH_GPASID)

/**
 * struct ioasid_translate - ioctl(IOASID_TRANSLATE_GPASID)
 * @size: sizeof(struct ioasid_translate)
 * @flags: must be 0
 * @gpasid: guest PASID attached in this file's set
 * @out_pasid: output, the host PASID it maps to
 *
 * Translate a guest PASID to the host PASID of this file it is attached to.
 */
struct ioasid_translate {
	__u32 size;
	__u32 flags;
	__u32 gpasid;
	__u32 out_pasid;
};

#define IOASID_TRANSLATE_GPASID	_IO(IOASID_TYPE, IOASID_CMD_TRANSLATE_GPASID)

/**
 * struct ioasid_quota - ioctl(IOASID_SET_QUOTA)
 * @size: sizeof(struct ioasid_quota)
 * @flags: must be 0
 * @quota: new quota of this file's set; 0 means unlimited (bounded by the
 *	pool only, reserving nothing); at most the pool's capacity
 * @__reserved: must be 0
 *
 * Change the quota of this file's set. Needs CAP_SYS_ADMIN.
 */
struct ioasid_quota {
	__u32 size;
	__u32 flags;
	__u32 quota;
	__u32 __reserved;
};

#define IOASID_SET_QUOTA	_IO(IOASID_TYPE, IOASID_CMD_SET_QUOTA)

#endif /* _UAPI_LINUX_IOASID_H */
