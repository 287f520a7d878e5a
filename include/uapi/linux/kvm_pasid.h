/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/kvm_pasid: a KVM VM's guest-to-host PASID translation table (ENQCMD).
 */
#ifndef _UAPI_LINUX_KVM_PASID_H
#define _UAPI_LINUX_KVM_PASID_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: /dev/kvm_pasid
 *
 * A guest submits work to a shared work queue with ENQCMD, carrying its
 * guest PASID; the CPU translates it to the host PASID through a per-VM
 * table, and a guest PASID that does not translate makes the submission
 * fail (not accepted). This device keeps that table for a KVM VM in step
 * with the VM's ioasid set (/dev/ioasid): attaching a guest PASID to a host
 * PASID there (IOASID_ATTACH_GPASID) installs the translation, detaching or
 * freeing it removes it.
 *
 * Each open file of /dev/kvm_pasid holds at most one attachment: a KVM VM
 * (its VM fd, from KVM_CREATE_VM) joined to the ioasid set of an open
 * /dev/ioasid file (KVM_PASID_ATTACH). Guest PASIDs attached in the set
 * before are picked up at once. A VM is attached at most once and a set
 * to at most one VM. The attachment holds a reference on the VM, which
 * therefore lives on (its memory stays allocated) after the VMM closed its
 * VM fd, until the attachment ends. It ends, the table emptied and the VM
 * reference dropped, at the first of: KVM_PASID_DETACH; the last close of
 * this file; the ioasid set being freed (the last close of the /dev/ioasid
 * file). Closing the VM fd alone does not end it. The file keeps only the
 * counters of an ended attachment; it may attach again.
 *
 * A refused translation: when the table cannot take a guest PASID (no
 * memory for a table page), IOASID_ATTACH_GPASID on the /dev/ioasid file
 * fails with ENOMEM and nothing changed: the VMM never believes in a
 * translation the CPU would miss.
 *
 * Every ioctl takes a pointer to a structure whose first field, @size, is
 * the size userspace knows for that structure, followed by @flags. The
 * kernel accepts any @size from the structure's first published size up:
 * bytes the kernel does not know must be zero; output fields are written
 * back for the smaller of the two sizes. Reserved fields must be zero.
 * The ioctl type is 0xBE, shared with /dev/ioasid, whose numbers start at
 * 0x80; these start at 0xA0.
 *
 * Errors, for every ioctl:
 *
 * - ``EFAULT``: the argument pointer (or part of the structure, or
 *   KVM_PASID_DUMP's entry array) is not readable or writable.
 * - ``EINVAL``: @size is smaller than the structure's first published
 *   size; KVM_PASID_ATTACH: @vm_fd is an open fd that is not a KVM VM
 *   (a vCPU fd, a KVM device fd, /dev/kvm itself, any other file), or
 *   @ioasid_fd is an open fd that is not /dev/ioasid; KVM_PASID_TRANSLATE:
 *   a guest PASID of zero or wider than 20 bits; KVM_PASID_DUMP: @start
 *   wider than 20 bits.
 * - ``EBADF``: KVM_PASID_ATTACH: @vm_fd or @ioasid_fd is not an open fd.
 * - ``E2BIG``: @size is larger than the kernel's structure and the extra
 *   bytes are not all zero.
 * - ``EOPNOTSUPP``: an unknown bit is set in @flags, or a reserved field
 *   is not zero.
 * - ``ENOTTY``: unknown ioctl number.
 * - ``EBUSY``: KVM_PASID_ATTACH: this file already holds an attachment,
 *   the VM is already attached (by any file), or the set is already
 *   attached to a VM.
 * - ``ENOENT``: KVM_PASID_ATTACH: the VM is being destroyed, or the ioasid
 *   set was already freed; KVM_PASID_TRANSLATE: the guest PASID has no
 *   translation (the CPU would not accept a submission with it).
 * - ``ENOTCONN``: KVM_PASID_DETACH, KVM_PASID_TRANSLATE, KVM_PASID_DUMP:
 *   the file holds no attachment (never attached, detached, or ended by
 *   the set being freed).
 * - ``ENOMEM``: out of memory; nothing changed. KVM_PASID_ATTACH: also
 *   when a guest PASID attached before cannot be installed; the attach
 *   failed.
 *
 * On any error nothing changed.
 */

#define KVM_PASID_TYPE		0xBE
#define KVM_PASID_CMD_BASE	0xA0

enum {
	KVM_PASID_CMD_GET_INFO = KVM_PASID_CMD_BASE,
	KVM_PASID_CMD_ATTACH,
	KVM_PASID_CMD_DETACH,
	KVM_PASID_CMD_TRANSLATE,
	KVM_PASID_CMD_DUMP,
};

/**
 * enum kvm_pasid_info_flags - @out_flags of struct kvm_pasid_info
 * @KVM_PASID_INFO_ATTACHED: the file holds an attachment
 * @KVM_PASID_INFO_SET_FREED: the last attachment ended because its ioasid
 *	set was freed
 * @KVM_PASID_INFO_KICK_VCPUS: vCPUs are forced out of guest mode with
 *	KVM's own request (only the VM's vCPUs running in guest mode get an
 *	IPI); otherwise every CPU gets one (the kernel does not export KVM's
 *	request to modules). Either way every vCPU of the VM that was in
 *	guest mode has left it before an update returns.
 */
enum kvm_pasid_info_flags {
	KVM_PASID_INFO_ATTACHED = 1 << 0,
	KVM_PASID_INFO_SET_FREED = 1 << 1,
	KVM_PASID_INFO_KICK_VCPUS = 1 << 2,
};

/**
 * struct kvm_pasid_info - ioctl(KVM_PASID_GET_INFO)
 * @size: sizeof(struct kvm_pasid_info)
 * @flags: must be 0
 * @out_flags: output, enum kvm_pasid_info_flags
 * @nr_entries: output, guest PASIDs that translate
 * @nr_tables: output, PASID-table pages in use (4 KiB, 1024 guest PASIDs
 *	each)
 * @__reserved: must be 0
 * @table_bytes: output, memory of the table: its two 4 KiB PASID
 *	directories, their 8 KiB of table pointers for software walks, and
 *	@nr_tables pages (0 when nothing was ever attached)
 * @updates: output, entries installed or removed since the file was opened
 * @kicks: output, times every vCPU of the VM was forced out of guest mode
 * @lookups: output, translations asked (KVM_PASID_TRANSLATE and kernel
 *	devices)
 * @misses: output, of those, guest PASIDs with no translation
 * @refused: output, guest PASID attaches (IOASID_ATTACH_GPASID, or at
 *	KVM_PASID_ATTACH the ones made before) the table could not take and
 *	refused (no memory): each failed with nothing changed
 *
 * The state of this file's attachment and its counters, which survive the
 * end of an attachment and count every attachment of the file.
 */
struct kvm_pasid_info {
	__u32 size;
	__u32 flags;
	__u32 out_flags;
	__u32 nr_entries;
	__u32 nr_tables;
	__u32 __reserved;
	__aligned_u64 table_bytes;
	__aligned_u64 updates;
	__aligned_u64 kicks;
	__aligned_u64 lookups;
	__aligned_u64 misses;
	__aligned_u64 refused;
};

#define KVM_PASID_GET_INFO	_IO(KVM_PASID_TYPE, KVM_PASID_CMD_GET_INFO)

/**
 * struct kvm_pasid_attach - ioctl(KVM_PASID_ATTACH)
 * @size: sizeof(struct kvm_pasid_attach)
 * @flags: must be 0
 * @vm_fd: a KVM VM fd (from KVM_CREATE_VM)
 * @ioasid_fd: an open /dev/ioasid file: the VM's ioasid set
 *
 * Join the VM to the set: every guest PASID attached in the set now, and
 * from now on, translates in the VM's table. Both fds may be closed
 * afterwards.
 */
struct kvm_pasid_attach {
	__u32 size;
	__u32 flags;
	__s32 vm_fd;
	__s32 ioasid_fd;
};

#define KVM_PASID_ATTACH	_IO(KVM_PASID_TYPE, KVM_PASID_CMD_ATTACH)

/**
 * struct kvm_pasid_detach - ioctl(KVM_PASID_DETACH)
 * @size: sizeof(struct kvm_pasid_detach)
 * @flags: must be 0
 *
 * End the attachment: the table is emptied (every vCPU forced out of guest
 * mode), the VM's and the set's references dropped. The set's guest PASIDs
 * are not touched.
 */
struct kvm_pasid_detach {
	__u32 size;
	__u32 flags;
};

#define KVM_PASID_DETACH	_IO(KVM_PASID_TYPE, KVM_PASID_CMD_DETACH)

/**
 * struct kvm_pasid_translation - ioctl(KVM_PASID_TRANSLATE)
 * @size: sizeof(struct kvm_pasid_translation)
 * @flags: must be 0
 * @gpasid: guest PASID, 1 to 2^20 - 1
 * @out_hpasid: output, the host PASID the CPU would use
 *
 * Translate as the CPU does for the VM (one lookup in its table, counted in
 * @lookups and, on a miss, @misses of struct kvm_pasid_info).
 */
struct kvm_pasid_translation {
	__u32 size;
	__u32 flags;
	__u32 gpasid;
	__u32 out_hpasid;
};

#define KVM_PASID_TRANSLATE	_IO(KVM_PASID_TYPE, KVM_PASID_CMD_TRANSLATE)

/**
 * struct kvm_pasid_entry - one translation, in KVM_PASID_DUMP's array
 * @gpasid: guest PASID
 * @hpasid: host PASID
 */
struct kvm_pasid_entry {
	__u32 gpasid;
	__u32 hpasid;
};

/**
 * struct kvm_pasid_dump - ioctl(KVM_PASID_DUMP)
 * @size: sizeof(struct kvm_pasid_dump)
 * @flags: must be 0
 * @start: first guest PASID to look at (0 for all)
 * @nr_entries: input, room in @entries; output, entries written
 * @entries: user pointer to an array of struct kvm_pasid_entry
 * @out_next: output, the guest PASID to pass as @start to continue, 0 when
 *	every translation from @start on was written
 * @__reserved: must be 0
 *
 * Copy the VM's translations, in ascending guest PASID order, a consistent
 * snapshot of the table at one instant.
 */
struct kvm_pasid_dump {
	__u32 size;
	__u32 flags;
	__u32 start;
	__u32 nr_entries;
	__aligned_u64 entries;
	__u32 out_next;
	__u32 __reserved;
};

#define KVM_PASID_DUMP		_IO(KVM_PASID_TYPE, KVM_PASID_CMD_DUMP)

#endif /* _UAPI_LINUX_KVM_PASID_H */
