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
 * Model. A VFIO container set to ``VFIO_NESTED_IOMMU`` translates device
 * DMA in two stages. Stage 2 (GPA to host memory) is owned by the VMM and
 * programmed with the standard ``VFIO_IOMMU_MAP_DMA``/``UNMAP_DMA``. Stage 1
 * (a guest I/O virtual address to GPA) is owned by the guest: a page table
 * in guest memory, bound per PASID by its root GPA. Every stage-1 table
 * read is itself a GPA translated by stage 2. Translations are cached per
 * PASID and change only when the VMM passes the guest's invalidations on.
 * A DMA that finds a non-present or not-writable stage-1 page raises a
 * page request on the container's fault fd and is retried once the VMM
 * answered it with a success page response.
 *
 * Ownership. Before binding any PASID the container is tied, once, to the
 * VMM's ``/dev/ioasid`` file (VFIO_NESTED_SET_IOASID_FD). Every PASID the
 * container binds must be owned by that file's set: named either as the
 * host PASID the file allocated or as a guest PASID the file attached
 * (``VFIO_NESTED_PASID_GUEST``). A host PASID is bound in at most one
 * container. When the file frees a bound PASID (IOASID_FREE, or closing the
 * file) the binding is removed as by VFIO_NESTED_UNBIND_S1. A PASID-less
 * ("RID") stage 1, for DMA without a PASID, needs no ``/dev/ioasid`` file.
 *
 * Devices. Where an ioctl, an invalidation entry or a fault record names a
 * device (@dev_id), it is by its IOMMU group number, the ``N`` of
 * ``/dev/vfio/N``: the emulated (mdev) devices this backend serves have a
 * group of their own each.
 *
 * The backend's ioctls on the container fd (type ``VFIO_NESTED_TYPE``):
 *
 * - VFIO_NESTED_GET_CAPS: formats, PASID and address widths, page sizes,
 *   IOTLB and fault features (&struct vfio_nested_caps).
 * - VFIO_NESTED_SET_IOASID_FD: tie the container to a ``/dev/ioasid``
 *   file (&struct vfio_nested_ioasid_fd).
 * - VFIO_NESTED_BIND_S1, VFIO_NESTED_UNBIND_S1: bind or unbind a guest
 *   stage-1 table for a PASID or for PASID-less DMA (&struct
 *   vfio_nested_bind_s1, &struct vfio_nested_unbind_s1).
 * - VFIO_NESTED_INVALIDATE: a batch of invalidation entries, handled in
 *   order (&struct vfio_nested_invalidate).
 * - VFIO_NESTED_GET_FAULT_FD: the fd on which faults and page requests are
 *   read and page responses written (&struct vfio_nested_fault_fd).
 * - VFIO_NESTED_TEST_DMA: test only, refused unless the module parameter
 *   ``allow_test_dma`` is set: a DMA through an emulated device of the
 *   container (&struct vfio_nested_test_dma).
 *
 * Every ioctl takes a pointer to a structure whose first field, @size, is
 * the size userspace knows for that structure, followed by @flags. The
 * kernel accepts any @size from the structure's first published size up:
 * bytes beyond what the kernel knows must be zero; output fields are
 * written back for the smaller of the two sizes. Reserved fields must be
 * zero. The ioctls are served only once ``VFIO_SET_IOMMU`` selected this
 * backend on the container.
 *
 * Errors, for every ioctl:
 *
 * - ``EFAULT``: the argument (or a buffer it points to) is not readable or
 *   writable. VFIO_NESTED_TEST_DMA also fails with ``EFAULT`` when the DMA
 *   hit a translation fault (see @out_status there).
 * - ``EINVAL``: @size is smaller than the structure's first published size;
 *   a field is out of range (a PASID of zero or wider than 20 bits, a
 *   PASID given together with ``VFIO_NESTED_PASID_NONE``, a stage-1
 *   configuration the format does not allow: root GPA not aligned, address
 *   width not the format's, an unknown invalidation type or granule, a
 *   zero or overflowing DMA length, a TEST_DMA repeat count or length out
 *   of its bounds, an invalidation entry_len below 40 or above 4096);
 *   VFIO_NESTED_SET_IOASID_FD: the fd is open but not a ``/dev/ioasid``
 *   file.
 * - ``E2BIG``: @size is larger than the kernel's structure and the extra
 *   bytes are not all zero.
 * - ``EOPNOTSUPP``: an unknown bit is set in @flags (or in another flags
 *   field), a reserved field is not zero, or a stage-1 format or feature
 *   is not supported.
 * - ``ENOTTY``: unknown ioctl number, or VFIO_NESTED_TEST_DMA while the
 *   ``allow_test_dma`` module parameter is off (the ioctl does not exist
 *   for production use).
 * - ``EBADF``: VFIO_NESTED_SET_IOASID_FD: the fd is not open.
 * - ``EBUSY``: VFIO_NESTED_SET_IOASID_FD a second time on a container;
 *   VFIO_NESTED_BIND_S1: the PASID (or the PASID-less stage 1) is already
 *   bound, in this container or in another one, or its number is the name
 *   of another binding of this container (see enum
 *   vfio_nested_pasid_flags); VFIO_NESTED_GET_FAULT_FD: a fault fd is
 *   open.
 * - ``ENXIO``: a PASID was named but the container has no ``/dev/ioasid``
 *   file yet (VFIO_NESTED_SET_IOASID_FD was not called);
 *   VFIO_NESTED_TEST_DMA: no open emulated device of this container has
 *   that IOMMU group number.
 * - ``ENOENT``: the PASID is not owned by the container's ``/dev/ioasid``
 *   file (never allocated, freed, another file's), or the guest PASID is
 *   not attached in it; VFIO_NESTED_UNBIND_S1, VFIO_NESTED_INVALIDATE,
 *   VFIO_NESTED_TEST_DMA: nothing is bound for that PASID.
 * - ``EACCES``, ``EIO``, ``EINTR``: VFIO_NESTED_TEST_DMA: the page request
 *   was answered "invalid", "failure", or the caller was killed while it
 *   waited (see &struct vfio_nested_test_dma).
 * - ``EMFILE``: VFIO_NESTED_GET_FAULT_FD: the process has no free fd.
 * - ``ENOMEM``: out of memory; nothing changed.
 *
 * On any error nothing changed, but for VFIO_NESTED_INVALIDATE, whose
 * entries before the failing one were handled (and counted in its output),
 * and VFIO_NESTED_TEST_DMA, whose bytes before the fault were moved.
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

/**
 * enum vfio_nested_pasid_flags - how an ioctl names a PASID
 * @VFIO_NESTED_PASID_GUEST: the PASID is a guest PASID attached in the
 *	container's ``/dev/ioasid`` file (``IOASID_ATTACH_GPASID``); the ioctl
 *	acts on the host PASID it is attached to at the time of the call
 * @VFIO_NESTED_PASID_NONE: no PASID: the PASID-less ("RID") stage 1, for
 *	DMA without a PASID; the PASID field must be 0
 *
 * Without either flag the PASID is a host PASID allocated by the
 * container's ``/dev/ioasid`` file.
 *
 * A binding keeps the name it was bound with: UNBIND_S1 and TEST_DMA
 * with ``VFIO_NESTED_PASID_GUEST`` name it by that guest PASID even if the
 * guest PASID was detached in ``/dev/ioasid`` since; without the flag, by
 * its host PASID. Invalidation entries (which have no such flag) and
 * fault records name it as it was bound. So that this is never ambiguous,
 * one container cannot bind a host PASID and a guest PASID of the same
 * number at once (``EBUSY``).
 */
enum vfio_nested_pasid_flags {
	VFIO_NESTED_PASID_GUEST = 1 << 0,
	VFIO_NESTED_PASID_NONE = 1 << 1,
};

/**
 * enum vfio_nested_cap_features - &vfio_nested_caps.features
 * @VFIO_NESTED_CAP_PASID: stage 1 per PASID (needs a ``/dev/ioasid`` file)
 * @VFIO_NESTED_CAP_RID_S1: PASID-less stage 1 (``VFIO_NESTED_PASID_NONE``)
 * @VFIO_NESTED_CAP_CACHING_MODE: translations are cached per PASID and stay
 *	cached until invalidated with VFIO_NESTED_INVALIDATE, even after the
 *	guest changed its table (as caching-mode hardware does)
 * @VFIO_NESTED_CAP_PAGE_REQUEST: DMA to a non-present or not-writable
 *	stage-1 page raises a page request on the fault fd and waits for its
 *	page response
 * @VFIO_NESTED_CAP_FAULT_REPORT: unrecoverable faults are reported on the
 *	fault fd
 * @VFIO_NESTED_CAP_DEVTLB_NOOP: the device-TLB invalidation kind is
 *	accepted and counted; the emulated devices keep no translation cache
 *	of their own, so it has nothing to drop
 * @VFIO_NESTED_CAP_TEST_DMA: VFIO_NESTED_TEST_DMA is enabled (the
 *	``allow_test_dma`` module parameter is set)
 */
enum vfio_nested_cap_features {
	VFIO_NESTED_CAP_PASID = 1 << 0,
	VFIO_NESTED_CAP_RID_S1 = 1 << 1,
	VFIO_NESTED_CAP_CACHING_MODE = 1 << 2,
	VFIO_NESTED_CAP_PAGE_REQUEST = 1 << 3,
	VFIO_NESTED_CAP_FAULT_REPORT = 1 << 4,
	VFIO_NESTED_CAP_DEVTLB_NOOP = 1 << 5,
	VFIO_NESTED_CAP_TEST_DMA = 1 << 6,
};

/**
 * struct vfio_nested_caps - ioctl(VFIO_NESTED_GET_CAPS)
 * @size: sizeof(struct vfio_nested_caps); the first published size is 72
 * @flags: must be 0
 * @features: output, enum vfio_nested_cap_features
 * @pasid_bits: output, width of the host PASID space (that of ioasid's
 *	pool)
 * @formats: output, bit ``1 << f`` set for every stage-1 format ``f``
 *	(``VFIO_NESTED_S1_FMT_*``) that VFIO_NESTED_BIND_S1 accepts
 * @addr_widths: output, bit ``1 << (w - 1)`` set for every guest-physical
 *	address width ``w`` that &vfio_nested_bind_s1.addr_width accepts
 *	(beside 0, which means the widest); the input address width follows
 *	from the format
 * @pgsizes: output, page sizes stage 1 can map (4 KiB, 2 MiB, 1 GiB for
 *	the x86-64 formats), a bitmap of sizes in bytes
 * @s1_flags: output, the stage-1 bind flags (&vfio_nested_bind_s1.s1_flags)
 *	the kernel knows
 * @inv_types: output, bit ``1 << t`` set for every invalidation entry type
 *	``t`` that VFIO_NESTED_INVALIDATE accepts
 * @iotlb_entries: output, translations cached per binding at most; past
 *	that, translations are walked each time until an invalidation makes
 *	room
 * @fault_depth: output, page requests and fault records the fault queue
 *	holds before it reports an overflow
 * @fault_record_size: output, size of one record read from the fault fd
 * @page_response_size: output, size of one page response written to it
 * @dma_retries: output, how many page requests one page of a DMA raises
 *	at most before the DMA fails
 * @__reserved: must be 0
 *
 * Every field but @size and @flags is output. A newer kernel may append
 * fields: a caller that passes the first published size gets the fields
 * listed here.
 */
struct vfio_nested_caps {
	__u32 size;
	__u32 flags;
	__u32 features;
	__u32 pasid_bits;
	__aligned_u64 formats;
	__aligned_u64 addr_widths;
	__aligned_u64 pgsizes;
	__u32 s1_flags;
	__u32 inv_types;
	__u32 iotlb_entries;
	__u32 fault_depth;
	__u32 fault_record_size;
	__u32 page_response_size;
	__u32 dma_retries;
	__u32 __reserved;
};

/**
 * struct vfio_nested_ioasid_fd - ioctl(VFIO_NESTED_SET_IOASID_FD)
 * @size: sizeof(struct vfio_nested_ioasid_fd)
 * @flags: must be 0
 * @fd: an open ``/dev/ioasid`` file of the VMM
 * @__reserved: must be 0
 *
 * Tie the container to the set of PASIDs the file owns, for the
 * container's life (the container keeps the set, not the file: closing
 * the file frees its PASIDs, which unbinds them here). Once per container:
 * a second call fails with ``EBUSY``. ``EBADF``: @fd is not open;
 * ``EINVAL``: it is not a ``/dev/ioasid`` file.
 */
struct vfio_nested_ioasid_fd {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 __reserved;
};

/**
 * struct vfio_nested_bind_s1 - ioctl(VFIO_NESTED_BIND_S1)
 * @size: sizeof(struct vfio_nested_bind_s1)
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID, named as @flags says; 0 with ``VFIO_NESTED_PASID_NONE``
 * @format: stage-1 format, ``VFIO_NESTED_S1_FMT_*``
 * @addr_width: guest-physical address width of the table (stage-1
 *	section: 32 to 52, 0 for 52)
 * @s1_flags: stage-1 bind flags, ``VFIO_NESTED_S1_*`` (stage-1 section)
 * @root_gpa: GPA of the table's root, aligned as the format requires
 *
 * Bind a guest stage-1 table: from now on DMA with that PASID (or without
 * a PASID) is translated by it, then by stage 2. The table is read from
 * guest memory only when a DMA needs a translation that is not cached;
 * nothing is checked at bind time but the configuration. ``EBUSY``: the
 * PASID is already bound (unbind it first); ``ENOENT``: the container's
 * ``/dev/ioasid`` file does not own it; ``ENXIO``: no ``/dev/ioasid`` file.
 */
struct vfio_nested_bind_s1 {
	__u32 size;
	__u32 flags;
	__u32 pasid;
	__u32 format;
	__u32 addr_width;
	__u32 s1_flags;
	__aligned_u64 root_gpa;
};

/**
 * struct vfio_nested_unbind_s1 - ioctl(VFIO_NESTED_UNBIND_S1)
 * @size: sizeof(struct vfio_nested_unbind_s1)
 * @flags: enum vfio_nested_pasid_flags
 * @pasid: the PASID, named as @flags says; 0 with ``VFIO_NESTED_PASID_NONE``
 * @__reserved: must be 0
 *
 * Remove a binding and its cached translations. Page requests of that
 * PASID still waiting for a response are answered with "invalid" (their
 * DMA fails); a DMA of that PASID in progress stops at its next page.
 * ``ENOENT``: nothing is bound for that PASID in this container.
 */
struct vfio_nested_unbind_s1 {
	__u32 size;
	__u32 flags;
	__u32 pasid;
	__u32 __reserved;
};

/**
 * struct vfio_nested_fault_fd - ioctl(VFIO_NESTED_GET_FAULT_FD)
 * @size: sizeof(struct vfio_nested_fault_fd)
 * @flags: must be 0
 *
 * Return (as the ioctl's value) a new file descriptor, close-on-exec, of
 * the container's fault queue; see the faults section for the records
 * read from it and the page responses written to it. One fault fd at a
 * time: ``EBUSY`` while one is open. The queue is made with the container's
 * PASID state, at the first of these ioctls on the container: faults before
 * that are not reported; while no fault fd is open, unrecoverable faults
 * are queued but page requests are refused (their DMA fails with
 * ``VFIO_NESTED_DMA_PAGE_FAULT``).
 */
struct vfio_nested_fault_fd {
	__u32 size;
	__u32 flags;
};

/**
 * enum vfio_nested_dma_flags - &vfio_nested_test_dma.flags, beside the
 *	enum vfio_nested_pasid_flags
 * @VFIO_NESTED_DMA_WRITE: the device writes memory (bytes go from @uptr to
 *	the DMA address); without it the device reads (to @uptr)
 * @VFIO_NESTED_DMA_PRIV: a privileged (supervisor) request; without it
 *	the request is a user one, checked against the stage-1 user bit
 * @VFIO_NESTED_DMA_EXEC: an instruction fetch (checked against NX); never
 *	with @VFIO_NESTED_DMA_WRITE (``EINVAL``)
 */
enum vfio_nested_dma_flags {
	VFIO_NESTED_DMA_WRITE = 1 << 8,
	VFIO_NESTED_DMA_PRIV = 1 << 9,
	VFIO_NESTED_DMA_EXEC = 1 << 10,
};

/**
 * enum vfio_nested_dma_status - how a DMA ended
 * @VFIO_NESTED_DMA_OK: every byte moved
 * @VFIO_NESTED_DMA_NO_BINDING: no stage 1 is bound for the PASID (or it
 *	was unbound during the DMA); ``ENOENT``
 * @VFIO_NESTED_DMA_S1_FAULT: an unrecoverable stage-1 fault (reserved bit,
 *	non-canonical address, user or execute violation, stage 2 refused a
 *	table read); ``EFAULT``
 * @VFIO_NESTED_DMA_S2_FAULT: stage 2 refused the data access (GPA not
 *	mapped, or mapped read-only for a write); ``EFAULT``
 * @VFIO_NESTED_DMA_PAGE_FAULT: a non-present or not-writable stage-1 page
 *	that no page request resolved: there is no fault queue, the queue was
 *	full, or the page still faulted after &vfio_nested_caps.dma_retries
 *	successful responses; ``EFAULT``
 * @VFIO_NESTED_DMA_RESP_INVALID: the page request was answered "invalid"
 *	(also the answer to what unbinding the PASID or freeing it in
 *	/dev/ioasid leaves pending); ``EACCES``
 * @VFIO_NESTED_DMA_RESP_FAILURE: the page request was answered "failure"
 *	(also the answer to what closing the fault fd or releasing the
 *	container leaves pending); ``EIO``
 * @VFIO_NESTED_DMA_ABORTED: the caller was killed while it waited for a
 *	page response; ``EINTR``
 *
 * The errno given is what vfio_nested_dma() and VFIO_NESTED_TEST_DMA
 * return with that status; a device model maps the status to what its
 * hardware would report.
 */
enum vfio_nested_dma_status {
	VFIO_NESTED_DMA_OK,
	VFIO_NESTED_DMA_NO_BINDING,
	VFIO_NESTED_DMA_S1_FAULT,
	VFIO_NESTED_DMA_S2_FAULT,
	VFIO_NESTED_DMA_PAGE_FAULT,
	VFIO_NESTED_DMA_RESP_INVALID,
	VFIO_NESTED_DMA_RESP_FAILURE,
	VFIO_NESTED_DMA_ABORTED,
};

/**
 * struct vfio_nested_test_dma - ioctl(VFIO_NESTED_TEST_DMA), test only
 * @size: sizeof(struct vfio_nested_test_dma)
 * @flags: enum vfio_nested_pasid_flags and enum vfio_nested_dma_flags
 * @dev_id: the device the DMA is issued as: an emulated device (the test
 *	device ``vfio_nested_testdev``, an mdev) whose group is in this
 *	container and whose device fd is open, named by its IOMMU group number
 *	(``N`` of ``/dev/vfio/N``), as every ioctl of the container names a
 *	device
 * @pasid: the PASID, named as @flags says; 0 with ``VFIO_NESTED_PASID_NONE``
 * @iova: the DMA address (stage-1 input; with ``VFIO_NESTED_PASID_NONE``
 *	and no PASID-less stage 1 bound, a GPA translated by stage 2 only)
 * @length: bytes to move, at least 1
 * @uptr: the user buffer of @length bytes
 * @out_done: output, bytes moved before the DMA stopped
 * @out_fault_addr: output, the DMA address whose translation failed, with
 *	a status other than ``VFIO_NESTED_DMA_OK``
 * @out_status: output, enum vfio_nested_dma_status
 * @out_page_requests: output, page requests the DMA raised (with
 *	``VFIO_NESTED_TEST_DMA_REPEAT``, by all repetitions together)
 * @repeat: with ``VFIO_NESTED_TEST_DMA_REPEAT``, how many times the DMA is
 *	made, 1 to ``VFIO_NESTED_TEST_DMA_REPEAT_MAX``; on return, how many
 *	repetitions moved every byte (all of them on success). Must be 0
 *	without the flag (``EINVAL``). Added after the first version: a
 *	caller that passes the first published size (64 bytes) has it read
 *	as 0
 * @__reserved: must be 0 (``EOPNOTSUPP``)
 *
 * Move bytes between @uptr and the DMA address as the device would, with
 * the kernel's DMA entry point: translated by the PASID's stage 1 (faults
 * raise page requests and wait for their responses), then by stage 2. It
 * exists for selftests: unless the module is loaded with
 * ``allow_test_dma=1`` the ioctl fails with ``ENOTTY``, as an unknown
 * ioctl. The outputs are written back also when the DMA fails (the errno
 * then is the one of @out_status); an ``EFAULT`` with @out_status
 * ``VFIO_NESTED_DMA_OK`` means @uptr was not accessible. *
 * With ``VFIO_NESTED_TEST_DMA_REPEAT`` (enum vfio_nested_test_dma_flags)
 * the same DMA, the whole of [@iova, @iova + @length), is made @repeat
 * times in a row, to time the kernel's DMA entry point without the cost of
 * a system call per DMA. The kernel allocates one buffer of @length bytes
 * (at most ``VFIO_NESTED_TEST_DMA_REPEAT_LEN``) for the call. For a device
 * write it copies @uptr into the buffer once, then each repetition writes
 * the buffer to the DMA address; for a device read each repetition reads
 * the DMA address into the buffer, and the buffer is copied to @uptr once,
 * after the last repetition. Every repetition is a complete DMA of its
 * own, what vfio_nested_dma() does for a device model: the PASID's binding
 * looked up, every page translated (from the IOTLB, walking on a miss,
 * page requests raised and waited for), the bytes moved through stage 2.
 * The first repetition that fails ends the call: @out_done, @out_status
 * and @out_fault_addr describe it (for a read, its @out_done bytes are
 * copied to @uptr), and @repeat counts the repetitions before it.
 */
struct vfio_nested_test_dma {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
	__aligned_u64 out_done;
	__aligned_u64 out_fault_addr;
	__u32 out_status;
	__u32 out_page_requests;
	__u32 repeat;
	__u32 __reserved;
};

/**
 * enum vfio_nested_test_dma_flags - &vfio_nested_test_dma.flags of that
 *	ioctl alone, beside enum vfio_nested_pasid_flags and enum
 *	vfio_nested_dma_flags
 * @VFIO_NESTED_TEST_DMA_REPEAT: make the DMA &vfio_nested_test_dma.repeat
 *	times in one call (``EINVAL`` when repeat is 0 or above
 *	``VFIO_NESTED_TEST_DMA_REPEAT_MAX``, or when length is above
 *	``VFIO_NESTED_TEST_DMA_REPEAT_LEN``). A kernel that predates the flag
 *	fails with ``EOPNOTSUPP``, as for every unknown flag.
 */
enum vfio_nested_test_dma_flags {
	VFIO_NESTED_TEST_DMA_REPEAT = 1 << 16,
};

/* Bounds of &vfio_nested_test_dma.repeat and of its length when repeating. */
#define VFIO_NESTED_TEST_DMA_REPEAT_MAX		65536
#define VFIO_NESTED_TEST_DMA_REPEAT_LEN		65536

/* ---- stage 1: formats, bind flags, invalidation entries ---- */

/**
 * DOC: stage 1 formats and address widths
 *
 * A stage-1 table is named at bind time by a format, the guest-physical
 * address width and bind flags.  Every table entry is read (and its
 * accessed and dirty bits set) in guest memory, at a guest-physical address
 * (GPA) that stage 2 translates: the whole table lives in guest RAM mapped
 * with ``VFIO_IOMMU_MAP_DMA``.
 *
 * ``VFIO_NESTED_S1_FMT_X86_64_4L``
 *	x86-64 4-level paging (PML4, PDPT, PD, PT): Intel VT-d first-level
 *	tables and AMD IOMMU v2 (guest) tables in 4-level mode.  Input
 *	addresses are 48 bits wide and must be canonical (bits 63 to 47 all
 *	equal).  Pages of 4 KiB, 2 MiB and 1 GiB.
 * ``VFIO_NESTED_S1_FMT_X86_64_5L``
 *	x86-64 5-level paging (a PML5 above the PML4): 57-bit canonical input
 *	addresses (bits 63 to 56 all equal), the same page sizes.
 * ``VFIO_NESTED_S1_FMT_ARM64_LPAE``
 *	Reserved for the ARM VMSAv8-64 long-descriptor stage-1 format.  Not
 *	implemented: a bind with it fails with ``EOPNOTSUPP`` (as does any
 *	other unknown value that is not 0); 0 is never a format (``EINVAL``).
 *
 * The address width given at bind time is the guest-physical (output)
 * address width of the table, the MAXPHYADDR of the guest's CPU or the
 * width its vIOMMU reports: from 32 to 52 bits, 0 meaning 52.  Address bits
 * of a table entry at or above it are reserved bits (a fault with reason
 * "reserved bit"), and the root GPA must lie below it and be 4 KiB aligned
 * (``EINVAL`` otherwise).  The input width follows from the format.
 */
#define VFIO_NESTED_S1_FMT_X86_64_4L	1
#define VFIO_NESTED_S1_FMT_X86_64_5L	2
#define VFIO_NESTED_S1_FMT_ARM64_LPAE	3

#define VFIO_NESTED_S1_ADDR_WIDTH_MIN	32
#define VFIO_NESTED_S1_ADDR_WIDTH_MAX	52

/**
 * DOC: stage 1 bind flags
 *
 * The flags of a stage-1 binding say which of the format's optional checks
 * apply, as the guest's control registers (or its vIOMMU's PASID-table
 * entry) enable them.  An unknown flag fails the bind with ``EOPNOTSUPP``.
 * A request is a supervisor (privileged) request when the device marks it
 * so (the PCIe PASID prefix's privileged bit); otherwise it is a user one.
 *
 * ``VFIO_NESTED_S1_F_NXE``
 *	Bit 63 of every entry is the execute-disable (XD/NX) bit, as with
 *	EFER.NXE set: an instruction fetch through an entry that has it set at
 *	any level faults.  Without the flag, bit 63 is a reserved bit.
 * ``VFIO_NESTED_S1_F_WP``
 *	Write protection applies to supervisor requests, as with CR0.WP set
 *	(VT-d's WPE): a supervisor write through a read-only entry faults.
 *	Without it supervisor writes ignore R/W; user writes never do.
 * ``VFIO_NESTED_S1_F_SMEP``
 *	A supervisor instruction fetch from a user page (U/S set at every
 *	level) faults, as with CR4.SMEP.
 * ``VFIO_NESTED_S1_F_SMAP``
 *	A supervisor read or write of a user page faults, as with CR4.SMAP
 *	and EFLAGS.AC clear (a device has no AC flag).
 * ``VFIO_NESTED_S1_F_PRIV``
 *	Supervisor requests are allowed at all (VT-d's SRE).  Without it every
 *	supervisor request faults with reason "privileged".
 */
#define VFIO_NESTED_S1_F_NXE		(1U << 0)
#define VFIO_NESTED_S1_F_WP		(1U << 1)
#define VFIO_NESTED_S1_F_SMEP		(1U << 2)
#define VFIO_NESTED_S1_F_SMAP		(1U << 3)
#define VFIO_NESTED_S1_F_PRIV		(1U << 4)
#define VFIO_NESTED_S1_F_ALL		(VFIO_NESTED_S1_F_NXE | \
					 VFIO_NESTED_S1_F_WP | \
					 VFIO_NESTED_S1_F_SMEP | \
					 VFIO_NESTED_S1_F_SMAP | \
					 VFIO_NESTED_S1_F_PRIV)

/**
 * enum vfio_nested_inv_type - what one invalidation entry drops
 * @VFIO_NESTED_INV_ALL: every cached translation of every stage 1 of the
 *	container, and every device TLB; all other fields must be 0.
 * @VFIO_NESTED_INV_PASID: every cached translation of one stage 1 (@pasid
 *	of &struct vfio_nested_inv_entry, or the PASID-less stage 1 with
 *	%VFIO_NESTED_INV_F_NO_PASID).
 * @VFIO_NESTED_INV_ADDR: the cached translations of one stage 1 whose page
 *	overlaps the range of @addr, @granule and @npages of the entry.
 * @VFIO_NESTED_INV_DEVTLB: a device's own address-translation cache (ATS
 *	device TLB) for one PASID (or none), the range as for
 *	%VFIO_NESTED_INV_ADDR, or every address of the PASID when @npages is
 *	0.  The IOMMU's own cache is not touched.
 */
enum vfio_nested_inv_type {
	VFIO_NESTED_INV_ALL = 1,
	VFIO_NESTED_INV_PASID = 2,
	VFIO_NESTED_INV_ADDR = 3,
	VFIO_NESTED_INV_DEVTLB = 4,
};

/**
 * define VFIO_NESTED_INV_F_LEAF - only leaf entries changed
 *
 * The guest changed only last-level (leaf) entries of the range, so cached
 * paging-structure entries may stay (VT-d's invalidation hint, SMMU's
 * leaf-only TLBI).  This engine keeps no paging-structure cache: the flag
 * is accepted and drops exactly what the same entry without it drops.
 */
#define VFIO_NESTED_INV_F_LEAF		(1U << 0)
/**
 * define VFIO_NESTED_INV_F_NO_PASID - the entry names requests without PASID
 *
 * With %VFIO_NESTED_INV_PASID, %VFIO_NESTED_INV_ADDR and
 * %VFIO_NESTED_INV_DEVTLB: the stage 1 (or device-TLB context) of requests
 * without a PASID; @pasid must then be 0.
 */
#define VFIO_NESTED_INV_F_NO_PASID	(1U << 1)
#define VFIO_NESTED_INV_F_ALL		(VFIO_NESTED_INV_F_LEAF | \
					 VFIO_NESTED_INV_F_NO_PASID)

/**
 * struct vfio_nested_inv_entry - one entry of %VFIO_NESTED_INVALIDATE
 * @type: an &enum vfio_nested_inv_type (0 is none: ``EINVAL``)
 * @flags: %VFIO_NESTED_INV_F_*; an unknown flag stops the batch with
 *	``EOPNOTSUPP``
 * @pasid: the PASID as named at %VFIO_NESTED_BIND_S1; 0 for
 *	%VFIO_NESTED_INV_ALL and with %VFIO_NESTED_INV_F_NO_PASID
 * @granule: log2 of the unit of @addr and @npages: 12 (4 KiB), 21 (2 MiB)
 *	or 30 (1 GiB); 0 for the types without a range
 * @addr: first input address of the range, aligned to the granule
 * @npages: number of granules in the range, at least 1 (0 only for
 *	%VFIO_NESTED_INV_DEVTLB, meaning every address); the range must not
 *	pass 2^64
 * @dev_id: %VFIO_NESTED_INV_DEVTLB only: the device whose ATC is
 *	invalidated, named as the container section says; 0 otherwise
 * @__reserved: must be 0
 *
 * The range of an address entry is [@addr, @addr + (@npages << @granule)).
 * Every cached translation whose page overlaps it is dropped, whatever the
 * page's size: a 2 MiB translation goes when any 4 KiB inside it is
 * named, a 4 KiB invalidation of one page keeps its neighbours.  The
 * granule is only a unit (VT-d's address mask, AMD's size bit and ARM's
 * TG+NUM+SCALE all convert to it), not a claim about the size of the
 * guest's pages.  Invalid fields give ``EINVAL``.
 */
struct vfio_nested_inv_entry {
	__u32 type;
	__u32 flags;
	__u32 pasid;
	__u32 granule;
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 dev_id;
	__u32 __reserved;
};

/**
 * struct vfio_nested_invalidate - argument of %VFIO_NESTED_INVALIDATE
 * @argsz: sizeof(struct vfio_nested_invalidate) as the caller knows it
 * @flags: 0 (no flag is defined; an unknown one gives ``EOPNOTSUPP``)
 * @entry_len: size of one element of the @entries array as the caller
 *	knows &struct vfio_nested_inv_entry; at least its first published
 *	size (40), a larger one with a non-zero unknown tail gives ``E2BIG``
 * @entry_num: in: the number of entries; out: the number of entries
 *	handled, in order, when the ioctl returns (all of them on success, the
 *	index of the entry that failed when it fails)
 * @entries: user pointer to @entry_num entries of @entry_len bytes each
 *
 * The entries are handled in array order; the first that fails stops the
 * batch and its error is the ioctl's, with @entry_num telling how many were
 * handled before it, in the style of iommufd's ``IOMMU_HWPT_INVALIDATE``.
 */
struct vfio_nested_invalidate {
	__u32 argsz;
	__u32 flags;
	__u32 entry_len;
	__u32 entry_num;
	__aligned_u64 entries;
};

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
 * bytes of those taken; writing the rest again reports the error. The fd
 * is a stream: lseek(2), pread(2) and pwrite(2) fail with ``ESPIPE``.
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
