/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sva_sim: a simulated SVA accelerator with dedicated and shared work
 * queues, an mdev whose DMA goes through the nested VFIO IOMMU backend.
 */
#ifndef _UAPI_LINUX_SVA_SIM_H
#define _UAPI_LINUX_SVA_SIM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: sva_sim uAPI
 *
 * Device model. ``sva_sim`` registers one mdev parent, the device
 * ``/sys/class/sva_sim/sva_sim`` (also ``/sys/class/mdev_bus/sva_sim``),
 * with one mdev type, SVA_SIM_MDEV_TYPE. Each instance is a VFIO device
 * with its own emulated IOMMU group; its group joins a VFIO container of
 * the nested backend (``VFIO_NESTED_IOMMU``, <linux/vfio_iommu_nested.h>)
 * and every access the device makes to memory is a DMA through that
 * container: by PASID (stage 1 bound for that PASID, then stage 2). The
 * device does no DMA in a container of another type; its descriptors then
 * complete with SVA_SIM_COMP_BAD_PASID.
 *
 * An instance has 1 to SVA_SIM_MAX_QUEUES work queues, each of 1 to
 * SVA_SIM_MAX_QUEUE_SIZE descriptors, each dedicated or shared. They are
 * configured per instance in sysfs, in the mdev device's directory
 * (``/sys/bus/mdev/devices/<uuid>/``), while the device fd is not open
 * (a write while it is open fails with ``EBUSY``); ``mdevctl`` sets them
 * as attributes (``mdevctl modify --addattr=nr_queues --value=4``):
 *
 * - ``nr_queues``: the number of work queues (default 2).
 * - ``queue_sizes``: the size of every queue, comma-separated, queue 0
 *   first (default 32 each). A write of fewer values than queues sets the
 *   first ones; a single value sets every queue.
 * - ``queue_modes``: ``dedicated`` or ``shared`` for every queue, in the
 *   same format (default: queue 0 dedicated, the others shared).
 *
 * The VFIO device fd answers ``VFIO_DEVICE_GET_INFO`` (flags
 * ``VFIO_DEVICE_FLAGS_RESET``; one region, two IRQ indexes),
 * ``VFIO_DEVICE_GET_REGION_INFO``, ``VFIO_DEVICE_GET_IRQ_INFO``,
 * ``VFIO_DEVICE_SET_IRQS``, ``VFIO_DEVICE_RESET`` and the ioctls below.
 *
 * Work queues. A queue is disabled until SVA_SIM_QUEUE_ENABLE. A dedicated
 * queue executes every descriptor with the one PASID the VMM gave it
 * (SVA_SIM_QUEUE_SET_PASID, a PASID the container's ``/dev/ioasid`` file
 * owns) and accepts only descriptors that carry that PASID. A shared queue
 * executes each descriptor with the PASID it carries: a host PASID, or,
 * when enabled with SVA_SIM_QUEUE_F_GUEST_PASID, a guest PASID translated
 * through the KVM VM's table (kvm_pasid) at submission, as ENQCMD does in
 * a guest. A guest PASID that does not translate is not accepted and the
 * descriptor never executes, with any PASID. Whatever the queue, the DMA
 * is done only if a stage 1 is bound for the host PASID in the device's
 * container: a PASID of another file or another container never reaches
 * memory (the descriptor completes with SVA_SIM_COMP_BAD_PASID).
 *
 * The KVM VM is the one the VFIO core gives the device: the VMM adds the
 * device's group to the VM's KVM-VFIO device (``KVM_CREATE_DEVICE`` of
 * type ``KVM_DEV_TYPE_VFIO``, ``KVM_DEV_VFIO_FILE_ADD``) before it opens
 * the device fd, and attaches the VM on ``/dev/kvm_pasid``
 * (``KVM_PASID_ATTACH``) before it enables a queue with
 * SVA_SIM_QUEUE_F_GUEST_PASID. The portal of such a queue stays closed
 * until then (the enable fails).
 *
 * The portal. One VFIO region, found by its ``VFIO_REGION_INFO_CAP_TYPE``
 * capability (type SVA_SIM_REGION_TYPE, subtype
 * SVA_SIM_REGION_SUBTYPE_PORTAL), never by index: SVA_SIM_PORTAL_SIZE
 * bytes per queue, queue q at offset ``q * SVA_SIM_PORTAL_SIZE`` of the
 * region, laid out as &struct sva_sim_portal. Readable, writable, and
 * mmap-able (``VFIO_REGION_INFO_FLAG_MMAP``) where the kernel's page size
 * is SVA_SIM_PORTAL_SIZE. Two ways to submit a descriptor, both
 * non-posted, like ENQCMD (whose ZF tells the submitter whether the
 * device accepted the descriptor):
 *
 * - ``pwrite(2)`` of one &struct sva_sim_desc (exactly 64 bytes) at the
 *   offset of any slot of the queue's portal page. It returns 64 when the
 *   descriptor was accepted (it will complete), or fails and the
 *   descriptor was not accepted (it will never execute): ``EAGAIN`` the
 *   queue is full (retry later, as on ENQCMD's ZF), ``EACCES`` its PASID
 *   is not accepted, ``EINVAL`` it is malformed (&enum sva_sim_invalid),
 *   ``ENXIO`` the portal is closed (queue disabled, being disabled or
 *   reset, the device being removed). ``EINVAL`` also for a write of
 *   another length or at another offset. ``pread(2)`` reads the page.
 * - The mapped page: the submitter takes a slot whose
 *   &sva_sim_portal.status is SVA_SIM_SLOT_FREE (compare-and-swap it to
 *   SVA_SIM_SLOT_BUSY, so that several submitters can share the page),
 *   writes the descriptor to &sva_sim_portal.slot, stores
 *   SVA_SIM_SLOT_SUBMIT to the status with release semantics, and kicks
 *   the queue: writes 1 to the queue's kick eventfd
 *   (SVA_SIM_QUEUE_SET_KICK; a KVM ioeventfd on the guest's portal page
 *   does it without an exit to the VMM). The kick takes every slot in the
 *   SVA_SIM_SLOT_SUBMIT state before the eventfd write returns and
 *   replaces the status with the answer: SVA_SIM_SLOT_ACCEPTED or the
 *   SVA_SIM_SLOT_RETRY, _REFUSED, _INVALID, _CLOSED that match the pwrite
 *   errnos above. The submitter reads it (acquire) and stores
 *   SVA_SIM_SLOT_FREE. The device never touches a slot in another state.
 *
 * Execution. Each queue executes its accepted descriptors in order, in a
 * kernel worker, and several are in flight at once (accepted, not yet
 * completed: at most the queue's size). A DMA that raises a page request
 * waits in the worker for the VMM's page response on the container's
 * fault fd; meanwhile the queue's later descriptors wait and submissions
 * are accepted until the queue is full. With SVA_SIM_F_RCR the device
 * writes a &struct sva_sim_completion by DMA with the descriptor's PASID
 * (its status byte last); with SVA_SIM_F_RCI it then signals the queue's
 * interrupt (SVA_SIM_IRQ_COMPLETION, one eventfd per queue, usable as a
 * KVM irqfd). A failed completion-record write is counted
 * (&sva_sim_stats.cr_faults).
 *
 * Draining and removal. SVA_SIM_QUEUE_DRAIN waits until every descriptor
 * accepted before it has completed; with SVA_SIM_DRAIN_F_ABORT they
 * complete with SVA_SIM_COMP_ABORTED instead (a descriptor whose DMA waits
 * for a page response stops waiting). SVA_SIM_QUEUE_DISABLE closes the
 * portal, then drains. ``VFIO_DEVICE_RESET``, closing the device fd and
 * removing the mdev close every portal and abort every queue: every
 * descriptor ends with a completion record (written if the PASID still
 * translates) and nothing waits for a page response any more. When the
 * mdev is removed while the fd is open, the device aborts its queues and
 * signals SVA_SIM_IRQ_REQ: the VMM must close the fd, the removal waits
 * for it.
 *
 * Every ioctl takes a pointer to a structure whose first field, @argsz,
 * is the size userspace knows for that structure, followed by @flags. The
 * kernel accepts any @argsz from the structure's first published size up:
 * bytes beyond what the kernel knows must be zero; output fields are
 * written back for the smaller of the two sizes. Reserved fields must be
 * zero.
 *
 * Errors of the sva_sim ioctls (SVA_SIM_*) and of the portal:
 *
 * - ``EFAULT``: the argument (or the pwrite/pread buffer) is not readable
 *   or writable.
 * - ``EINVAL``: @argsz is smaller than the structure's first published
 *   size; @queue is not below the number of queues; SVA_SIM_QUEUE_SET_PASID:
 *   a PASID of 0 or wider than 20 bits, or a shared queue;
 *   SVA_SIM_QUEUE_ENABLE: a dedicated queue without a PASID, or
 *   SVA_SIM_QUEUE_F_GUEST_PASID on a dedicated queue;
 *   SVA_SIM_QUEUE_SET_KICK: the fd is not an eventfd, or the kernel's
 *   page size is not SVA_SIM_PORTAL_SIZE; the portal: see above.
 * - ``E2BIG``: @argsz is larger than the kernel's structure and the extra
 *   bytes are not all zero.
 * - ``EOPNOTSUPP``: an unknown bit is set in @flags, or a reserved field
 *   is not zero.
 * - ``ENOTTY``: unknown ioctl number.
 * - ``EBADF``: SVA_SIM_QUEUE_SET_KICK: the fd is not open.
 * - ``EBUSY``: SVA_SIM_QUEUE_SET_PASID, SVA_SIM_QUEUE_ENABLE: the queue is
 *   enabled; a sysfs configuration write while the device fd is open.
 * - ``ENODEV``: SVA_SIM_QUEUE_SET_PASID: the device's group is not in a
 *   container of the nested backend; SVA_SIM_QUEUE_ENABLE with
 *   SVA_SIM_QUEUE_F_GUEST_PASID: the device has no KVM VM (no KVM-VFIO
 *   device had its group when the fd was opened); any ioctl: the mdev is
 *   being removed.
 * - ``ENXIO``: SVA_SIM_QUEUE_SET_PASID: the container has no
 *   ``/dev/ioasid`` file (``VFIO_NESTED_SET_IOASID_FD``).
 * - ``ENOENT``: SVA_SIM_QUEUE_SET_PASID: the PASID is not owned by the
 *   container's ``/dev/ioasid`` file (never allocated, freed, another
 *   file's), or the guest PASID is not attached there.
 * - ``ENOTCONN``: SVA_SIM_QUEUE_ENABLE with SVA_SIM_QUEUE_F_GUEST_PASID:
 *   the device's KVM VM is not attached on ``/dev/kvm_pasid``.
 * - ``EINTR``: SVA_SIM_QUEUE_DRAIN, SVA_SIM_QUEUE_DISABLE without the
 *   abort flag: a signal arrived while waiting (the queue stays as it was,
 *   but for DISABLE, whose portal stays closed: call it again).
 * - ``EAGAIN``, ``EACCES``, ``ENXIO``: a portal write, see above.
 * - ``ENOMEM``: out of memory; nothing changed.
 *
 * On any error nothing changed but as said for EINTR.
 */

/* ---- the device ---------------------------------------------------------- */

/* Name of the mdev type; its sysfs directory is "sva_sim-" this. */
#define SVA_SIM_MDEV_TYPE		"accel"
/* The parent device: /sys/class/sva_sim/SVA_SIM_PARENT. */
#define SVA_SIM_CLASS			"sva_sim"
#define SVA_SIM_PARENT			"sva_sim"
/* The mdev's device_api attribute. */
#define SVA_SIM_DEVICE_API		"sva-sim"

#define SVA_SIM_MAX_QUEUES		8
#define SVA_SIM_MAX_QUEUE_SIZE		256
/* Bytes a memmove, fill, compare or CRC moves at most. */
#define SVA_SIM_MAX_XFER_SIZE		(1U << 20)
/* Descriptors of a batch, at most (at least 1). */
#define SVA_SIM_MAX_BATCH		32
#define SVA_SIM_PASID_BITS		20

/* Region type and subtype: the vendor-type space, "SV" as vendor. */
#define SVA_SIM_REGION_TYPE		((1U << 31) | 0x5356)
#define SVA_SIM_REGION_SUBTYPE_PORTAL	1

/* Interrupt indexes of VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS. */
#define SVA_SIM_IRQ_COMPLETION		0	/* count: one per queue */
#define SVA_SIM_IRQ_REQ			1	/* count 1: close the fd */
#define SVA_SIM_NUM_IRQS		2

/* ---- descriptors ------------------------------------------------------- */

/**
 * enum sva_sim_opcode - &sva_sim_desc.opcode
 * @SVA_SIM_OP_NOOP: nothing; completes at once (a completion record or
 *	interrupt marks a point of the queue)
 * @SVA_SIM_OP_BATCH: execute @size descriptors (1 to SVA_SIM_MAX_BATCH)
 *	read from @src (64-byte aligned), in order, with the batch's PASID;
 *	no batch or drain among them, and their @pasid must be 0
 * @SVA_SIM_OP_DRAIN: completes when every descriptor accepted before it
 *	by the queue has completed
 * @SVA_SIM_OP_MEMMOVE: copy @size bytes from @src to @dst; the ranges may
 *	overlap (the result is that of memmove())
 * @SVA_SIM_OP_FILL: write @size bytes at @dst with the 8-byte @pattern
 *	repeated (little endian: byte i is byte ``i % 8`` of @pattern)
 * @SVA_SIM_OP_COMPARE: compare @size bytes at @src and @dst:
 *	&sva_sim_completion.result is 0 if equal, else 1, and
 *	&sva_sim_completion.bytes_done the offset of the first difference
 * @SVA_SIM_OP_CRC32C: CRC32C (Castagnoli, the reflected form of
 *	crc32c() in the kernel and of iSCSI) of @size bytes at @src, seeded
 *	with the low 32 bits of @pattern (not inverted before or after):
 *	&sva_sim_completion.crc
 */
enum sva_sim_opcode {
	SVA_SIM_OP_NOOP = 0,
	SVA_SIM_OP_BATCH = 1,
	SVA_SIM_OP_DRAIN = 2,
	SVA_SIM_OP_MEMMOVE = 3,
	SVA_SIM_OP_FILL = 4,
	SVA_SIM_OP_COMPARE = 5,
	SVA_SIM_OP_CRC32C = 6,
};

/**
 * enum sva_sim_desc_flags - &sva_sim_desc.flags
 * @SVA_SIM_F_RCR: request a completion record at @completion
 *	(32-byte aligned)
 * @SVA_SIM_F_RCI: request a completion interrupt (the queue's vector of
 *	SVA_SIM_IRQ_COMPLETION) once the descriptor completed
 */
enum sva_sim_desc_flags {
	SVA_SIM_F_RCR = 1 << 0,
	SVA_SIM_F_RCI = 1 << 1,
};

/**
 * struct sva_sim_desc - a work descriptor, 64 bytes, as the portal takes it
 * @pasid: the PASID (bits 19:0; bits 31:20 must be 0): on a shared queue
 *	the PASID it executes with (a host PASID, or a guest PASID the
 *	queue translates, SVA_SIM_QUEUE_F_GUEST_PASID); on a dedicated queue
 *	the PASID the queue was given, as it was named to
 *	SVA_SIM_QUEUE_SET_PASID. Must be 0 inside a batch.
 * @flags: enum sva_sim_desc_flags
 * @opcode: enum sva_sim_opcode
 * @size: bytes (1 to SVA_SIM_MAX_XFER_SIZE) for memmove, fill, compare
 *	and CRC; descriptors for a batch; 0 for noop and drain
 * @completion: with SVA_SIM_F_RCR, the address of the completion record
 *	(&struct sva_sim_completion, 32-byte aligned); else 0
 * @src: source (memmove, CRC), first buffer (compare), descriptor list
 *	(batch); else 0
 * @dst: destination (memmove, fill), second buffer (compare); else 0
 * @pattern: fill: the pattern; CRC: the seed in bits 31:0 (bits 63:32
 *	must be 0); else 0
 * @__reserved: must be 0
 *
 * Every address is a DMA address of the PASID: an input address of the
 * stage 1 bound for it in the device's container (a guest virtual address
 * for a guest's process). An address range must not wrap past 2^64.
 */
struct sva_sim_desc {
	__u32 pasid;
	__u32 flags;
	__u32 opcode;
	__u32 size;
	__aligned_u64 completion;
	__aligned_u64 src;
	__aligned_u64 dst;
	__aligned_u64 pattern;
	__aligned_u64 __reserved[2];
};

/**
 * enum sva_sim_invalid - why a descriptor is malformed
 *
 * &sva_sim_completion.result of SVA_SIM_COMP_INVALID (a descriptor of a
 * batch), and the reason a portal write failed with ``EINVAL`` (counted in
 * &sva_sim_stats.invalid).
 *
 * @SVA_SIM_INVALID_NONE: well formed
 * @SVA_SIM_INVALID_OPCODE: unknown opcode, or a batch or drain in a batch
 * @SVA_SIM_INVALID_FLAGS: an unknown flag
 * @SVA_SIM_INVALID_RESERVED: a reserved field or bit is not 0 (a @pasid
 *	wider than 20 bits, a PASID inside a batch, a field the opcode does
 *	not use)
 * @SVA_SIM_INVALID_SIZE: @size out of the opcode's bounds
 * @SVA_SIM_INVALID_ADDR: an address range that wraps, a completion record
 *	not 32-byte aligned or SVA_SIM_F_RCR without one, a batch list not
 *	64-byte aligned
 */
enum sva_sim_invalid {
	SVA_SIM_INVALID_NONE = 0,
	SVA_SIM_INVALID_OPCODE = 1,
	SVA_SIM_INVALID_FLAGS = 2,
	SVA_SIM_INVALID_RESERVED = 3,
	SVA_SIM_INVALID_SIZE = 4,
	SVA_SIM_INVALID_ADDR = 5,
};

/* ---- completion records ------------------------------------------------ */

/**
 * enum sva_sim_comp_status - &sva_sim_completion.status
 * @SVA_SIM_COMP_NONE: not completed: the submitter zeroes the record, the
 *	device writes any other value last
 * @SVA_SIM_COMP_SUCCESS: done (a compare that found a difference also
 *	succeeds: see its @result)
 * @SVA_SIM_COMP_PAGE_FAULT: a page request was not resolved: answered
 *	"failure" or "invalid" (the PASID unbound, the fault fd closed), not
 *	raised (no fault fd, the fault queue full), or the page still
 *	faulted after the retries; @fault_addr and @fault_info say where
 * @SVA_SIM_COMP_ADDR_ERROR: an unrecoverable translation fault (stage 1:
 *	a reserved bit, a user or non-canonical address; stage 2: the GPA is
 *	not mapped or not writable); @fault_addr and @fault_info
 * @SVA_SIM_COMP_BAD_PASID: no stage 1 is bound for the PASID in the
 *	device's container (or it was unbound during the descriptor)
 * @SVA_SIM_COMP_ABORTED: aborted by a drain with abort, a queue disable
 *	with abort, a device reset, the device fd's close or the mdev's
 *	removal; @bytes_done were moved
 * @SVA_SIM_COMP_INVALID: a malformed descriptor in a batch; @result is
 *	the enum sva_sim_invalid reason
 * @SVA_SIM_COMP_BATCH_FAIL: a batch of which at least one descriptor did
 *	not succeed (each has its own record if it asked for one);
 *	@bytes_done is the number that succeeded; a batch whose list could
 *	not be read completes with SVA_SIM_COMP_PAGE_FAULT or
 *	SVA_SIM_COMP_ADDR_ERROR and SVA_SIM_FAULT_BATCH_LIST
 */
enum sva_sim_comp_status {
	SVA_SIM_COMP_NONE = 0,
	SVA_SIM_COMP_SUCCESS = 1,
	SVA_SIM_COMP_PAGE_FAULT = 2,
	SVA_SIM_COMP_ADDR_ERROR = 3,
	SVA_SIM_COMP_BAD_PASID = 4,
	SVA_SIM_COMP_ABORTED = 5,
	SVA_SIM_COMP_INVALID = 6,
	SVA_SIM_COMP_BATCH_FAIL = 7,
};

/**
 * enum sva_sim_fault_info - &sva_sim_completion.fault_info
 * @SVA_SIM_FAULT_WRITE: the faulting access was a write (else a read)
 * @SVA_SIM_FAULT_BATCH_LIST: it read a batch's descriptor list
 */
enum sva_sim_fault_info {
	SVA_SIM_FAULT_WRITE = 1 << 0,
	SVA_SIM_FAULT_BATCH_LIST = 1 << 1,
};

/**
 * struct sva_sim_completion - a completion record, 32 bytes, 32-byte aligned
 * @status: enum sva_sim_comp_status, written last
 * @result: compare: 0 equal, 1 different; SVA_SIM_COMP_INVALID: enum
 *	sva_sim_invalid; else 0
 * @fault_info: with SVA_SIM_COMP_PAGE_FAULT and SVA_SIM_COMP_ADDR_ERROR,
 *	enum sva_sim_fault_info; else 0
 * @__reserved0: 0
 * @bytes_done: bytes processed before the descriptor stopped (all of them
 *	on success); compare with a difference: the offset of the first
 *	differing byte; batch: descriptors that succeeded
 * @fault_addr: with SVA_SIM_COMP_PAGE_FAULT and SVA_SIM_COMP_ADDR_ERROR,
 *	the DMA address (stage-1 input) whose translation failed; else 0
 * @crc: CRC32C: the result; else 0
 * @__reserved1: 0
 * @__reserved2: 0
 */
struct sva_sim_completion {
	__u8 status;
	__u8 result;
	__u8 fault_info;
	__u8 __reserved0;
	__u32 bytes_done;
	__aligned_u64 fault_addr;
	__u32 crc;
	__u32 __reserved1;
	__aligned_u64 __reserved2;
};

/* ---- the portal -------------------------------------------------------- */

/* Bytes of the portal region per queue. */
#define SVA_SIM_PORTAL_SIZE		4096
/* Submission slots of a queue's portal page. */
#define SVA_SIM_PORTAL_SLOTS		32

/**
 * enum sva_sim_slot_status - &sva_sim_portal.status of a slot
 * @SVA_SIM_SLOT_FREE: no submission; a submitter may take the slot
 * @SVA_SIM_SLOT_BUSY: taken by a submitter (the device ignores it)
 * @SVA_SIM_SLOT_SUBMIT: the descriptor is written; the next kick takes it
 * @SVA_SIM_SLOT_ACCEPTED: accepted (pwrite's 64)
 * @SVA_SIM_SLOT_RETRY: not accepted: the queue was full (``EAGAIN``)
 * @SVA_SIM_SLOT_REFUSED: not accepted: the PASID (``EACCES``)
 * @SVA_SIM_SLOT_INVALID: not accepted: malformed (``EINVAL``)
 * @SVA_SIM_SLOT_CLOSED: not accepted: the portal is closed (``ENXIO``)
 */
enum sva_sim_slot_status {
	SVA_SIM_SLOT_FREE = 0,
	SVA_SIM_SLOT_BUSY = 1,
	SVA_SIM_SLOT_SUBMIT = 2,
	SVA_SIM_SLOT_ACCEPTED = 3,
	SVA_SIM_SLOT_RETRY = 4,
	SVA_SIM_SLOT_REFUSED = 5,
	SVA_SIM_SLOT_INVALID = 6,
	SVA_SIM_SLOT_CLOSED = 7,
};

/**
 * struct sva_sim_portal - a queue's portal page (SVA_SIM_PORTAL_SIZE bytes)
 * @slot: submission slots; a pwrite(2) of a descriptor goes to the offset
 *	of any of them (the page is not changed by it)
 * @status: per slot, enum sva_sim_slot_status (mapped-page submission)
 * @__reserved: reads as 0, writes ignored
 */
struct sva_sim_portal {
	struct sva_sim_desc slot[SVA_SIM_PORTAL_SLOTS];
	__u32 status[SVA_SIM_PORTAL_SLOTS];
	__u8 __reserved[SVA_SIM_PORTAL_SIZE - SVA_SIM_PORTAL_SLOTS * 68];
};

/* ---- ioctls on the VFIO device fd -------------------------------------- */

/*
 * Type 0xBF, not VFIO's ';': no future VFIO ioctl can collide with them.
 * 0xBF is not in the kernel's ioctl-number.rst.
 */
#define SVA_SIM_TYPE			0xBF

#define SVA_SIM_GET_INFO		_IO(SVA_SIM_TYPE, 0x00)
#define SVA_SIM_QUEUE_INFO		_IO(SVA_SIM_TYPE, 0x01)
#define SVA_SIM_QUEUE_SET_PASID		_IO(SVA_SIM_TYPE, 0x02)
#define SVA_SIM_QUEUE_ENABLE		_IO(SVA_SIM_TYPE, 0x03)
#define SVA_SIM_QUEUE_DISABLE		_IO(SVA_SIM_TYPE, 0x04)
#define SVA_SIM_QUEUE_DRAIN		_IO(SVA_SIM_TYPE, 0x05)
#define SVA_SIM_QUEUE_SET_KICK		_IO(SVA_SIM_TYPE, 0x06)
#define SVA_SIM_GET_STATS		_IO(SVA_SIM_TYPE, 0x07)

/**
 * enum sva_sim_info_flags - &sva_sim_info.out_flags
 * @SVA_SIM_INFO_KVM: the device has a KVM VM (from the KVM-VFIO device)
 * @SVA_SIM_INFO_NESTED: the device's group is in a container of the
 *	nested backend (its DMA can succeed)
 * @SVA_SIM_INFO_MMAP: the portal can be mapped (the kernel's page size is
 *	SVA_SIM_PORTAL_SIZE)
 */
enum sva_sim_info_flags {
	SVA_SIM_INFO_KVM = 1 << 0,
	SVA_SIM_INFO_NESTED = 1 << 1,
	SVA_SIM_INFO_MMAP = 1 << 2,
};

/**
 * struct sva_sim_info - ioctl(SVA_SIM_GET_INFO)
 * @argsz: sizeof(struct sva_sim_info); first published size 40
 * @flags: must be 0
 * @out_flags: output, enum sva_sim_info_flags
 * @nr_queues: output, work queues of the instance
 * @portal_size: output, SVA_SIM_PORTAL_SIZE
 * @portal_slots: output, SVA_SIM_PORTAL_SLOTS
 * @max_xfer_size: output, SVA_SIM_MAX_XFER_SIZE
 * @max_batch: output, SVA_SIM_MAX_BATCH
 * @opcodes: output, bit ``1 << op`` for every enum sva_sim_opcode known
 * @desc_flags: output, the enum sva_sim_desc_flags known
 */
struct sva_sim_info {
	__u32 argsz;
	__u32 flags;
	__u32 out_flags;
	__u32 nr_queues;
	__u32 portal_size;
	__u32 portal_slots;
	__u32 max_xfer_size;
	__u32 max_batch;
	__u32 opcodes;
	__u32 desc_flags;
};

/**
 * enum sva_sim_queue_mode - &sva_sim_queue_info.mode
 * @SVA_SIM_QUEUE_DEDICATED: one PASID, set by SVA_SIM_QUEUE_SET_PASID
 * @SVA_SIM_QUEUE_SHARED: the PASID of each descriptor
 */
enum sva_sim_queue_mode {
	SVA_SIM_QUEUE_DEDICATED = 0,
	SVA_SIM_QUEUE_SHARED = 1,
};

/**
 * enum sva_sim_queue_state - &sva_sim_queue_info.state
 * @SVA_SIM_QUEUE_DISABLED: the portal is closed, nothing in flight
 * @SVA_SIM_QUEUE_ENABLED: the portal is open
 * @SVA_SIM_QUEUE_DISABLING: the portal is closed, descriptors still in
 *	flight (a SVA_SIM_QUEUE_DISABLE was interrupted: call it again)
 */
enum sva_sim_queue_state {
	SVA_SIM_QUEUE_DISABLED = 0,
	SVA_SIM_QUEUE_ENABLED = 1,
	SVA_SIM_QUEUE_DISABLING = 2,
};

/**
 * enum sva_sim_pasid_flags - how SVA_SIM_QUEUE_SET_PASID names a PASID
 * @SVA_SIM_PASID_GUEST: a guest PASID attached in the container's
 *	``/dev/ioasid`` file (as ``VFIO_NESTED_PASID_GUEST`` names it): the
 *	queue executes with the host PASID it is attached to at the time of
 *	the call. Without it: a host PASID the file allocated.
 */
enum sva_sim_pasid_flags {
	SVA_SIM_PASID_GUEST = 1 << 0,
};

/**
 * enum sva_sim_queue_flags - &sva_sim_queue_info.out_flags and the flags
 *	of SVA_SIM_QUEUE_ENABLE
 * @SVA_SIM_QUEUE_F_GUEST_PASID: (shared queue) descriptors carry guest
 *	PASIDs of the device's KVM VM, translated at submission through the
 *	VM's kvm_pasid table
 * @SVA_SIM_QUEUE_F_PASID_SET: (output) a dedicated queue's PASID is set
 * @SVA_SIM_QUEUE_F_PASID_GUEST: (output) and was named as a guest PASID
 * @SVA_SIM_QUEUE_F_KICK: (output) a kick eventfd is set
 */
enum sva_sim_queue_flags {
	SVA_SIM_QUEUE_F_GUEST_PASID = 1 << 0,
	SVA_SIM_QUEUE_F_PASID_SET = 1 << 8,
	SVA_SIM_QUEUE_F_PASID_GUEST = 1 << 9,
	SVA_SIM_QUEUE_F_KICK = 1 << 10,
};

/**
 * struct sva_sim_queue_info - ioctl(SVA_SIM_QUEUE_INFO)
 * @argsz: sizeof(struct sva_sim_queue_info); first published size 40
 * @flags: must be 0
 * @queue: the queue, 0 to nr_queues - 1
 * @mode: output, enum sva_sim_queue_mode
 * @size: output, descriptors the queue holds
 * @state: output, enum sva_sim_queue_state
 * @out_flags: output, enum sva_sim_queue_flags
 * @pasid: output, a dedicated queue's PASID as it was named, else 0
 * @host_pasid: output, the host PASID a dedicated queue executes with,
 *	else 0
 * @occupancy: output, descriptors accepted and not completed
 */
struct sva_sim_queue_info {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__u32 mode;
	__u32 size;
	__u32 state;
	__u32 out_flags;
	__u32 pasid;
	__u32 host_pasid;
	__u32 occupancy;
};

/**
 * struct sva_sim_queue_pasid - ioctl(SVA_SIM_QUEUE_SET_PASID)
 * @argsz: sizeof(struct sva_sim_queue_pasid)
 * @flags: enum sva_sim_pasid_flags
 * @queue: a dedicated queue, disabled
 * @pasid: the PASID, named as @flags says
 *
 * Give a dedicated queue the PASID it executes with. It must be owned by
 * the container's ``/dev/ioasid`` file; it is resolved to its host PASID
 * now (a guest PASID attached elsewhere later does not follow: set it
 * again). Descriptors must then carry @pasid. A stage 1 need not be bound
 * yet: its descriptors complete with SVA_SIM_COMP_BAD_PASID until one is.
 */
struct sva_sim_queue_pasid {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__u32 pasid;
};

/**
 * struct sva_sim_queue_enable - ioctl(SVA_SIM_QUEUE_ENABLE)
 * @argsz: sizeof(struct sva_sim_queue_enable)
 * @flags: enum sva_sim_queue_flags: SVA_SIM_QUEUE_F_GUEST_PASID only
 * @queue: the queue, disabled
 * @__reserved: must be 0
 *
 * Open the queue's portal. A dedicated queue needs its PASID; a shared
 * queue with SVA_SIM_QUEUE_F_GUEST_PASID a KVM VM attached on
 * ``/dev/kvm_pasid`` (the queue holds the attachment until disabled).
 */
struct sva_sim_queue_enable {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__u32 __reserved;
};

/**
 * enum sva_sim_drain_flags - flags of SVA_SIM_QUEUE_DRAIN and
 *	SVA_SIM_QUEUE_DISABLE
 * @SVA_SIM_DRAIN_F_ABORT: abort the descriptors in flight instead of
 *	waiting for them to complete (SVA_SIM_COMP_ABORTED); the wait is then
 *	bounded and not interruptible
 */
enum sva_sim_drain_flags {
	SVA_SIM_DRAIN_F_ABORT = 1 << 0,
};

/**
 * struct sva_sim_queue_drain - ioctl(SVA_SIM_QUEUE_DRAIN) and
 *	ioctl(SVA_SIM_QUEUE_DISABLE)
 * @argsz: sizeof(struct sva_sim_queue_drain)
 * @flags: enum sva_sim_drain_flags
 * @queue: the queue
 * @__reserved: must be 0
 *
 * DRAIN: return once every descriptor the queue accepted before the call
 * has completed; the portal stays as it is (a disabled queue has nothing
 * to drain). DISABLE: close the portal, then drain; the queue is
 * disabled on success (a disabled queue: nothing to do).
 */
struct sva_sim_queue_drain {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__u32 __reserved;
};

/**
 * struct sva_sim_queue_kick - ioctl(SVA_SIM_QUEUE_SET_KICK)
 * @argsz: sizeof(struct sva_sim_queue_kick)
 * @flags: must be 0
 * @queue: the queue
 * @fd: an eventfd: a write to it makes the device take the submitted
 *	slots of the queue's mapped portal page; -1 removes the kick
 *
 * Replaces the queue's kick eventfd, if any. The kick is kept across
 * disable, enable and reset, until removed or the device fd is closed.
 */
struct sva_sim_queue_kick {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__s32 fd;
};

/**
 * struct sva_sim_stats - ioctl(SVA_SIM_GET_STATS)
 * @argsz: sizeof(struct sva_sim_stats); first published size 144
 * @flags: must be 0
 * @queue: the queue, or SVA_SIM_ALL_QUEUES for the sum of all of them
 * @__reserved: must be 0
 * @submitted: output, descriptors offered to the portal (both ways)
 * @accepted: output, of those, accepted
 * @retry: output, not accepted: queue full
 * @refused: output, not accepted: PASID (dedicated queue: not its PASID;
 *	guest PASID mode: no translation)
 * @invalid: output, not accepted: malformed
 * @closed: output, not accepted: portal closed
 * @completed: output, descriptors completed, with any status (the
 *	descriptors of a batch count apart from the batch)
 * @success: output, of those, SVA_SIM_COMP_SUCCESS
 * @aborted: output, of those, SVA_SIM_COMP_ABORTED
 * @faults: output, of those, SVA_SIM_COMP_PAGE_FAULT or
 *	SVA_SIM_COMP_ADDR_ERROR
 * @bad_pasid: output, of those, SVA_SIM_COMP_BAD_PASID
 * @page_requests: output, page requests the queue's DMA raised
 * @bytes: output, bytes the queue's descriptors processed
 * @irqs: output, completion interrupts signalled
 * @cr_faults: output, completion records that could not be written
 * @kicks: output, kicks of the mapped portal page
 *
 * Counters since the device fd was opened; a reset does not clear them.
 */
struct sva_sim_stats {
	__u32 argsz;
	__u32 flags;
	__u32 queue;
	__u32 __reserved;
	__aligned_u64 submitted;
	__aligned_u64 accepted;
	__aligned_u64 retry;
	__aligned_u64 refused;
	__aligned_u64 invalid;
	__aligned_u64 closed;
	__aligned_u64 completed;
	__aligned_u64 success;
	__aligned_u64 aborted;
	__aligned_u64 faults;
	__aligned_u64 bad_pasid;
	__aligned_u64 page_requests;
	__aligned_u64 bytes;
	__aligned_u64 irqs;
	__aligned_u64 cr_faults;
	__aligned_u64 kicks;
};

#define SVA_SIM_ALL_QUEUES		0xffffffffU

#endif /* _UAPI_LINUX_SVA_SIM_H */
