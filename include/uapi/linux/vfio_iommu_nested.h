/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vfio_iommu_nested: a VFIO IOMMU backend with two-stage translation.
 */
#ifndef _UAPI_LINUX_VFIO_IOMMU_NESTED_H
#define _UAPI_LINUX_VFIO_IOMMU_NESTED_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: vfio_iommu_nested uAPI
 *
 * (Written by the module's authors as the ioctls land: the model, the
 * ioctl list and the errno table.)
 */

/**
 * define VFIO_NESTED_IOMMU - the IOMMU type of this backend
 *
 * Passed to ``VFIO_CHECK_EXTENSION`` and ``VFIO_SET_IOMMU`` on a VFIO
 * container.  Upstream's types are small integers allocated in sequence
 * (1 to 10 today); this one carries the ASCII bytes "pvm" in its upper 24
 * bits so that no future upstream type can equal it.
 */
#define VFIO_NESTED_IOMMU		0x70766d01

/*
 * The backend's own ioctls on the container fd have an ioctl type of their
 * own (0xBD; vhost_vfio uses 0xBC), not VFIO's ';', so that no future VFIO
 * ioctl can collide with them.  0xBD is not in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#define VFIO_NESTED_TYPE		0xBD

/* ---- container: capabilities, ownership, stage 1 bind, DMA ---- */

#define VFIO_NESTED_GET_CAPS		_IO(VFIO_NESTED_TYPE, 0x00)
#define VFIO_NESTED_SET_IOASID_FD	_IO(VFIO_NESTED_TYPE, 0x01)
#define VFIO_NESTED_BIND_S1		_IO(VFIO_NESTED_TYPE, 0x02)
#define VFIO_NESTED_UNBIND_S1		_IO(VFIO_NESTED_TYPE, 0x03)
#define VFIO_NESTED_INVALIDATE		_IO(VFIO_NESTED_TYPE, 0x04)
#define VFIO_NESTED_GET_FAULT_FD	_IO(VFIO_NESTED_TYPE, 0x05)
/* test-only, refused unless the module parameter allows it */
#define VFIO_NESTED_TEST_DMA		_IO(VFIO_NESTED_TYPE, 0x40)

/* ---- stage 1: formats, bind flags, invalidation entries ---- */

/* ---- faults: fault records and page responses on the fault fd ---- */

/**
 * DOC: fault fd
 *
 * ``VFIO_NESTED_GET_FAULT_FD`` gives the container's fault fd (close-on-exec;
 * one at a time: a second one while the first is open is refused). I/O page
 * faults of the container's devices are read from it as fixed-size records,
 * &struct vfio_nested_fault, and page requests are answered by writing
 * &struct vfio_nested_page_response to it.
 *
 * A record reports one of three things (@kind):
 *
 * - an unrecoverable fault: a DMA failed on a translation fault and has
 *   already completed with an error; nothing is to be answered;
 * - one page of a page request group: the DMA waits for the response; the
 *   group's records share @grpid and @cookie and the last one carries
 *   ``VFIO_NESTED_FAULT_LAST_PAGE``; the group is answered once, by cookie;
 * - an overflow: faults were lost (@lost) or page requests refused (@refused)
 *   because the queue was full, at this point of the stream.
 *
 * The queue is bounded (the depth is reported by ``VFIO_NESTED_GET_CAPS``):
 * it holds at most that many unread unrecoverable records and that many
 * page request groups not yet answered. A fault that finds it full is lost
 * and counted; a page request that finds it full is refused at once (its
 * DMA fails as on a Response Failure) and counted. The counts are reported
 * by an overflow record, never dropped silently.
 *
 * read(2) returns whole records only, as many as fit (a group may span two
 * reads); a buffer smaller than one record is refused with ``EINVAL``. It
 * blocks while nothing is queued, unless the fd is ``O_NONBLOCK``
 * (``EAGAIN``); it returns 0 once the container is gone and every record
 * was read. poll(2) reports ``EPOLLIN`` while a record can be read,
 * ``EPOLLOUT`` always and ``EPOLLHUP`` once the container is gone.
 *
 * write(2) takes whole page responses only, one or more; each is matched to
 * a group by @cookie. A group is pending, and may be answered, from the
 * read of its last record until its answer. A response that names no
 * pending group (wrong cookie, a group answered already, not yet read
 * whole or withdrawn) is refused with ``EINVAL`` and consumes nothing. If
 * some responses were taken before one is refused, write(2) returns the
 * bytes taken and the next write(2) reports the error; the file offset is
 * not used.
 *
 * Nothing waits forever: closing the fault fd answers every page request
 * of the queue (read or not) with ``VFIO_NESTED_PAGE_RESP_FAILURE``, as
 * does releasing the container; unbinding a PASID (VFIO_NESTED_UNBIND_S1,
 * or its PASID freed in /dev/ioasid) answers that PASID's requests with
 * ``VFIO_NESTED_PAGE_RESP_INVALID``. A response to any of those later is
 * refused with ``EINVAL``. While no fault fd is open, page requests are
 * refused at once (their DMA fails); unrecoverable faults are queued, and
 * unread records stay queued when the fd is closed for the next fault fd.
 *
 * Errors of read(2) and write(2) on the fault fd:
 *
 * - ``EINVAL``: read: the buffer is smaller than one record; write: the
 *   length is not a whole number of responses, a response's @size is
 *   smaller than 16 or runs past the end of the buffer, @code is unknown,
 *   or @cookie names no pending group.
 * - ``EOPNOTSUPP``: write: unknown bits in @flags.
 * - ``E2BIG``: write: a response's @size is larger than the kernel's
 *   structure and the extra bytes are not all zero.
 * - ``EAGAIN``: read on an ``O_NONBLOCK`` fd with nothing to read.
 * - ``EFAULT``: the buffer is not writable (read) or readable (write).
 * - ``EINTR``/``ERESTARTSYS``: a blocking read was interrupted by a signal.
 */

/**
 * enum vfio_nested_fault_kind - what a &struct vfio_nested_fault reports
 * @VFIO_NESTED_FAULT_UNRECOVERABLE: a DMA failed on a translation fault
 *	(@reason); it has completed with an error, nothing is to be answered
 * @VFIO_NESTED_FAULT_PAGE_REQ: one page of a page request group; the DMA
 *	waits until the group is answered
 * @VFIO_NESTED_FAULT_OVERFLOW: the queue was full: @lost unrecoverable
 *	faults were lost and @refused page requests refused since the
 *	previous overflow record, after the records read before this one
 */
enum vfio_nested_fault_kind {
	VFIO_NESTED_FAULT_UNRECOVERABLE = 1,
	VFIO_NESTED_FAULT_PAGE_REQ = 2,
	VFIO_NESTED_FAULT_OVERFLOW = 3,
};

/**
 * enum vfio_nested_fault_flags - flags of &struct vfio_nested_fault
 * @VFIO_NESTED_FAULT_PASID_VALID: the access carried a PASID, in @pasid;
 *	without it, the access was without PASID (the RID's stage 1)
 * @VFIO_NESTED_FAULT_LAST_PAGE: the last record of a page request group
 * @VFIO_NESTED_FAULT_GPA_VALID: @gpa holds the guest physical address at
 *	which stage 2 faulted (reasons VFIO_NESTED_FAULT_REASON_S2_WALK and
 *	VFIO_NESTED_FAULT_REASON_S2)
 */
enum vfio_nested_fault_flags {
	VFIO_NESTED_FAULT_PASID_VALID = 1 << 0,
	VFIO_NESTED_FAULT_LAST_PAGE = 1 << 1,
	VFIO_NESTED_FAULT_GPA_VALID = 1 << 2,
};

/**
 * enum vfio_nested_fault_perm - access of &struct vfio_nested_fault
 * @VFIO_NESTED_FAULT_PERM_READ: the access reads
 * @VFIO_NESTED_FAULT_PERM_WRITE: the access writes
 * @VFIO_NESTED_FAULT_PERM_EXEC: the access asked for execute permission
 *	(PCIe's Execute Requested)
 * @VFIO_NESTED_FAULT_PERM_PRIV: the access is privileged (PCIe's
 *	Privileged Mode Requested): a supervisor access
 */
enum vfio_nested_fault_perm {
	VFIO_NESTED_FAULT_PERM_READ = 1 << 0,
	VFIO_NESTED_FAULT_PERM_WRITE = 1 << 1,
	VFIO_NESTED_FAULT_PERM_EXEC = 1 << 2,
	VFIO_NESTED_FAULT_PERM_PRIV = 1 << 3,
};

/**
 * enum vfio_nested_fault_reason - why the translation failed
 * @VFIO_NESTED_FAULT_REASON_UNKNOWN: no reason given
 * @VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT: a stage-1 entry is not present
 * @VFIO_NESTED_FAULT_REASON_S1_WRITE: a write to a page stage 1 maps
 *	read-only
 * @VFIO_NESTED_FAULT_REASON_S1_PRIV: the privilege check failed (an
 *	unprivileged access to a supervisor page, or a privileged access the
 *	format's user-page checks refuse)
 * @VFIO_NESTED_FAULT_REASON_S1_EXEC: an execute access to a no-execute page
 * @VFIO_NESTED_FAULT_REASON_S1_RESERVED: a stage-1 entry has a reserved bit
 *	set
 * @VFIO_NESTED_FAULT_REASON_S1_ADDRESS: the address is not canonical or
 *	beyond the bound table's address width
 * @VFIO_NESTED_FAULT_REASON_S2_WALK: stage 2 faulted on a stage-1 table
 *	read (or an accessed/dirty update) at @gpa
 * @VFIO_NESTED_FAULT_REASON_S2: the address stage 1 produced, @gpa, is not
 *	mapped in stage 2 or lacks the access's permission there
 * @VFIO_NESTED_FAULT_REASON_NO_S1: no stage 1 is bound for the PASID (or
 *	for the RID, without PASID)
 *
 * Page requests carry S1_NOT_PRESENT or S1_WRITE: the faults a guest can
 * fix by changing its stage-1 table. The others are unrecoverable.
 */
enum vfio_nested_fault_reason {
	VFIO_NESTED_FAULT_REASON_UNKNOWN = 0,
	VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT = 1,
	VFIO_NESTED_FAULT_REASON_S1_WRITE = 2,
	VFIO_NESTED_FAULT_REASON_S1_PRIV = 3,
	VFIO_NESTED_FAULT_REASON_S1_EXEC = 4,
	VFIO_NESTED_FAULT_REASON_S1_RESERVED = 5,
	VFIO_NESTED_FAULT_REASON_S1_ADDRESS = 6,
	VFIO_NESTED_FAULT_REASON_S2_WALK = 7,
	VFIO_NESTED_FAULT_REASON_S2 = 8,
	VFIO_NESTED_FAULT_REASON_NO_S1 = 9,
};

/**
 * struct vfio_nested_fault - a record read from the fault fd
 * @size: sizeof(struct vfio_nested_fault), 64; the record is 64 bytes for
 *	good: fields added later take @__reserved and are announced by a flag
 * @flags: combination of enum vfio_nested_fault_flags
 * @kind: one of enum vfio_nested_fault_kind
 * @dev_id: the device that made the access, as the container names it to
 *	the DMA (for VFIO_NESTED_TEST_DMA, the value that ioctl was given)
 * @pasid: the PASID of the access, with VFIO_NESTED_FAULT_PASID_VALID
 *	(the one stage 1 was bound with), else 0
 * @perm: the access, combination of enum vfio_nested_fault_perm
 * @reason: one of enum vfio_nested_fault_reason
 * @grpid: page request: the Page Request Group Index the device gave the
 *	group; 0 in other records
 * @cookie: page request: the kernel's identifier of the group, to be
 *	echoed in the response; the same in every record of the group,
 *	unique among the groups of the queue; 0 in other records
 * @__reserved: 0
 * @addr: the address of the access (input address of stage 1; with no
 *	stage 1 bound, the address the device used); page requests: the
 *	page's address, the low 12 bits cleared
 * @gpa: the guest physical address, with VFIO_NESTED_FAULT_GPA_VALID
 * @lost: overflow: unrecoverable faults lost; 0 in other records
 * @refused: overflow: page requests refused; 0 in other records
 */
struct vfio_nested_fault {
	__u32 size;
	__u32 flags;
	__u32 kind;
	__u32 dev_id;
	__u32 pasid;
	__u32 perm;
	__u32 reason;
	__u32 grpid;
	__u32 cookie;
	__u32 __reserved;
	__aligned_u64 addr;
	__aligned_u64 gpa;
	__u32 lost;
	__u32 refused;
};

/**
 * enum vfio_nested_page_resp_code - answers to a page request group
 * @VFIO_NESTED_PAGE_RESP_SUCCESS: the pages were made present (PCIe's
 *	Success): the DMA retries its translation
 * @VFIO_NESTED_PAGE_RESP_INVALID: the request cannot be served (PCIe's
 *	Invalid Request): the DMA fails, with the faulting address
 * @VFIO_NESTED_PAGE_RESP_FAILURE: the request failed for good (PCIe's
 *	Response Failure): the DMA fails, with the faulting address
 */
enum vfio_nested_page_resp_code {
	VFIO_NESTED_PAGE_RESP_SUCCESS = 0,
	VFIO_NESTED_PAGE_RESP_INVALID = 1,
	VFIO_NESTED_PAGE_RESP_FAILURE = 2,
};

/**
 * struct vfio_nested_page_response - a page response written to the fault fd
 * @size: sizeof(struct vfio_nested_page_response) (16), or larger with
 *	zeroed extra bytes; several responses in one write(2) each carry
 *	their own @size
 * @flags: must be 0
 * @cookie: the @cookie of the group's records
 * @code: one of enum vfio_nested_page_resp_code
 */
struct vfio_nested_page_response {
	__u32 size;
	__u32 flags;
	__u32 cookie;
	__u32 code;
};

#endif /* _UAPI_LINUX_VFIO_IOMMU_NESTED_H */
