/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pvm_viommu: a vIOMMU in the model of AMD's hardware-assisted vIOMMU, in
 * software on top of the vfio_iommu_nested backend.
 */
#ifndef _UAPI_LINUX_PVM_VIOMMU_H
#define _UAPI_LINUX_PVM_VIOMMU_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: pvm_viommu uAPI
 *
 * Model. A guest sees an AMD IOMMU: a device table, a command buffer, an
 * event log and a PPR log in its memory, and two 4 KiB MMIO pages, the
 * first with the base and control registers, the second with the head
 * and tail registers. Its DMA translation uses the "v2" (x86-64 format)
 * guest page tables named per PASID by each device's GCR3 table, nested
 * over the host's stage 2. This module is the IOMMU hardware of that
 * model: it reads the guest's commands from guest memory and carries
 * them out on the ``vfio_iommu_nested`` container of the VM (stage-1
 * binds, invalidations, page responses), and writes the guest's event and
 * PPR logs, with guest device IDs and guest domain IDs translated through
 * per-vIOMMU tables that the VMM fills.
 *
 * Objects. Each open of ``/dev/pvm_viommu`` is one vIOMMU once
 * PVM_VIOMMU_CREATE bound it to a nested container (a VFIO container fd
 * on which ``VFIO_SET_IOMMU`` chose ``VFIO_NESTED_IOMMU``). A VM with
 * several vIOMMUs opens the device several times and creates each on the
 * same container, each with its own guest ID (the IOMMU's number in the
 * guest, for the VMM's own bookkeeping; unique per container). Every fd
 * an ioctl takes later (a VFIO device fd for the device table) must
 * belong to that container: nothing of another VM can be named.
 *
 * Why a char device and not ioctls on the container: the container's fd
 * belongs to VFIO and the nested backend; a file of our own gives each
 * vIOMMU its own lifetime (close tears it down), its own mmap (the guest
 * MMIO page) and its own fd to pass to a VMM's helper process, and keeps
 * the backend's uAPI unchanged. Ownership still follows the container:
 * the vIOMMU holds the container file, and every name it resolves is
 * checked against it.
 *
 * Guest MMIO. The register offsets are those of the AMD specification
 * (``PVM_VIOMMU_MMIO_*``). The *control page* (offsets 0x0000 to 0x0fff:
 * device table base, command buffer base, event log base, control, PPR
 * log base) stays with the VMM: it traps the guest's accesses and
 * forwards them with PVM_VIOMMU_REG_WRITE and PVM_VIOMMU_REG_READ. The
 * *head/tail page* (offsets 0x2000 to 0x2fff) is a page of the vIOMMU
 * file: mmap(2) at offset 0 (``PVM_VIOMMU_MMAP_OFFSET``), 4096 bytes,
 * ``MAP_SHARED``, read and write, and the VMM maps it into the guest at
 * the IOMMU's BAR + 0x2000 as ordinary memory (a KVM memory slot): the
 * guest reads and writes its heads and tails without any trap. Offsets in
 * the page are the register's offset minus 0x2000. The page also holds,
 * at 0x20, a copy of the status register that the kernel rewrites on
 * every status change; a guest's write there is not seen (write-1-to-
 * clear of status goes through PVM_VIOMMU_REG_WRITE of
 * ``PVM_VIOMMU_MMIO_STATUS``, which a VMM that wants it exact traps).
 *
 * Noticing tail moves. A plain store to a memory page raises nothing, and
 * an ioeventfd does not fire on memory a memory slot backs (nor does it
 * keep the value written), so the kernel learns that the command tail
 * moved in one of three ways, all of which end in the same command
 * processor (it reads the tail from the page each time and executes every
 * command from head to tail):
 *
 * - the *doorbell*: PVM_VIOMMU_DOORBELL runs the processor at once, in the
 *   caller, and returns when it stopped (what a VMM does from a vCPU exit
 *   of its own choosing, and what the tests and the benchmark use);
 * - the doorbell *eventfd* (``PVM_VIOMMU_EVENTFD_DOORBELL``): every signal
 *   queues a run of the processor in a kernel worker (for a VMM that traps
 *   the page, or that wires the eventfd with ``KVM_IOEVENTFD`` on a
 *   doorbell of its own);
 * - *polling*: with a non-zero @poll_us at PVM_VIOMMU_CREATE, a kernel
 *   worker compares the command tail with the head every @poll_us
 *   microseconds while the command buffer is enabled, so that an
 *   unmodified guest driver is served with no trap at all, at the cost of
 *   the poll (latency up to @poll_us).
 *
 * A PVM_VIOMMU_REG_WRITE of ``PVM_VIOMMU_MMIO_CMD_TAIL`` (for a VMM that
 * traps the page) stores the tail in the page and runs the processor
 * like the doorbell.
 *
 * Guest structures. They are registered by GPA by writing their base
 * registers, encoded as the specification encodes them: the device table
 * base (bits 51:12 the base, bits 8:0 the size in 4 KiB pages minus one),
 * the command buffer, event log and PPR log bases (bits 51:12 the base,
 * bits 59:56 the log2 of the number of 16-byte entries, 8 to 15). Every
 * guest-memory access goes through the container's stage 2
 * (``VFIO_IOMMU_MAP_DMA``) at the time of the access; nothing is checked
 * or pinned at registration. A base may not change while its structure is
 * enabled (``EBUSY``).
 *
 * Commands. COMPLETION_WAIT (store and/or interrupt),
 * INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES, INVALIDATE_IOTLB_PAGES,
 * INVALIDATE_IOMMU_ALL and COMPLETE_PPR_REQUEST are executed;
 * INVALIDATE_INTERRUPT_TABLE is accepted and does nothing (no interrupt
 * remapping is modelled). Any other opcode, a reserved bit set, or a guest device or
 * domain ID the tables do not map stops the processor before the command
 * with an ILLEGAL_COMMAND_ERROR event (its address the command's GPA); a
 * device table entry that cannot be used (not readable, reserved bits,
 * its domain ID not mapped, GCR3 table unreadable or its PASID not owned
 * by the container) stops it with an ILLEGAL_DEV_TABLE_ENTRY event; a
 * command that cannot be read stops it with a COMMAND_HARDWARE_ERROR
 * event. A stopped processor clears CmdBufRun in the status register,
 * leaves the head at the failing command and has done nothing of it; the
 * guest restarts it by clearing and setting CmdBufEn.
 *
 * Device table entries. INVALIDATE_DEVTAB_ENTRY re-reads the 32-byte entry
 * of a mapped guest device ID and makes the container's stage-1 bindings
 * follow it: with V, GV and a GCR3 table root (GLX: 1 to 3 levels of 512
 * eight-byte entries), every valid GCR3 entry binds its guest CR3 as the
 * stage 1 (x86-64 format, 4 levels, or 5 with the entry's guest paging
 * level) of that PASID, named as a *guest PASID* of the container's
 * ``/dev/ioasid`` file (``VFIO_NESTED_PASID_GUEST``: the VMM attaches the
 * guest PASIDs the guest may use before the guest uses them); the entry
 * of PASID 0 is the stage 1 of requests without PASID. What the device's
 * previous entry bound and the new one does not is unbound. A PASID
 * binding is the container's: devices (of any vIOMMU of the container)
 * that use one guest PASID must name the same guest CR3, else the second
 * entry is an ILLEGAL_DEV_TABLE_ENTRY. So is an entry with a PASID the
 * backend refuses to bind (not attached in ``/dev/ioasid``, bound by the
 * VMM itself): the PASIDs it would have added are given back and the
 * device keeps its previous bindings (but one whose guest CR3 changed and
 * could not be bound again, which stays unbound).
 *
 * Events in. I/O page faults and page requests of a device in the device
 * table reach this vIOMMU instead of the container's fault fd and are
 * written into the guest's event log (IO_PAGE_FAULT) or PPR log
 * (PPR_REQUEST) with the guest device ID, the guest domain ID (or the
 * guest PASID), the address and the access. A page request waits for
 * the guest's COMPLETE_PPR_REQUEST. A log that is full (the tail would
 * reach the head) or disabled takes nothing: the entry is dropped, the
 * log's overflow bit set in the status register, and a page request that
 * could not be logged answered with failure. With the log's interrupt
 * enabled, each write signals the matching eventfd, for the VMM to
 * inject the guest's interrupt (KVM irqfd).
 *
 * Every ioctl takes a pointer to a structure whose first field, @argsz,
 * is the size userspace knows for that structure, followed by @flags.
 * The kernel accepts any @argsz from the structure's first published size
 * up: bytes beyond what the kernel knows must be zero; output fields are
 * written back for the smaller of the two sizes. Reserved fields must be
 * zero.
 *
 * Errors, for every ioctl:
 *
 * - ``EFAULT``: the argument is not readable or writable. An ioctl whose
 *   outputs cannot be written back has done its work all the same
 *   (PVM_VIOMMU_DOORBELL ran the commands, PVM_VIOMMU_INSERT_EVENT wrote
 *   or dropped the entry, the REG and QUERY ioctls changed nothing).
 * - ``EINVAL``: @argsz is smaller than the structure's first published
 *   size; a field is out of range (a guest device or domain ID above
 *   0xffff, a register offset not one of the list, a misaligned or
 *   reserved register value, an eventfd index unknown, @poll_us out of
 *   bounds); PVM_VIOMMU_CREATE: the fd is not a VFIO container of the
 *   nested backend; PVM_VIOMMU_SET_DEVICE: the fd is not a VFIO device fd;
 *   PVM_VIOMMU_SET_EVENTFD: the fd is not an eventfd.
 * - ``E2BIG``: @argsz is larger than the kernel's structure and the extra
 *   bytes are not all zero.
 * - ``EOPNOTSUPP``: an unknown bit in @flags, a reserved field not zero.
 * - ``ENOTTY``: unknown ioctl number.
 * - ``EBADF``: an fd argument is not open.
 * - ``ENODEV``: any ioctl but PVM_VIOMMU_CREATE before PVM_VIOMMU_CREATE,
 *   or after the container went away (its last group left it or it was
 *   closed): the vIOMMU is dead and only close(2) is left.
 * - ``EBUSY``: PVM_VIOMMU_CREATE a second time on a file;
 *   PVM_VIOMMU_SET_DEVICE: the device is in the device table of a vIOMMU
 *   already (this or another one); PVM_VIOMMU_REG_WRITE: a base register
 *   while its structure is enabled.
 * - ``EEXIST``: PVM_VIOMMU_CREATE: the guest ID is used by another vIOMMU
 *   of the container; PVM_VIOMMU_SET_DEVICE, PVM_VIOMMU_SET_DOMAIN: the
 *   guest ID is mapped already (clear it first).
 * - ``ENOENT``: CLEAR and QUERY: the guest ID is not mapped.
 * - ``EXDEV``: PVM_VIOMMU_SET_DEVICE: the device is not a device of the
 *   vIOMMU's container (of another container, or of none).
 * - ``ENOMEM``: out of memory; nothing changed.
 *
 * On any other error nothing changed.
 */

#define PVM_VIOMMU_TYPE			0xBB

#define PVM_VIOMMU_CREATE		_IO(PVM_VIOMMU_TYPE, 0x00)
#define PVM_VIOMMU_GET_INFO		_IO(PVM_VIOMMU_TYPE, 0x01)
#define PVM_VIOMMU_SET_DEVICE		_IO(PVM_VIOMMU_TYPE, 0x02)
#define PVM_VIOMMU_CLEAR_DEVICE		_IO(PVM_VIOMMU_TYPE, 0x03)
#define PVM_VIOMMU_QUERY_DEVICE		_IO(PVM_VIOMMU_TYPE, 0x04)
#define PVM_VIOMMU_SET_DOMAIN		_IO(PVM_VIOMMU_TYPE, 0x05)
#define PVM_VIOMMU_CLEAR_DOMAIN		_IO(PVM_VIOMMU_TYPE, 0x06)
#define PVM_VIOMMU_QUERY_DOMAIN		_IO(PVM_VIOMMU_TYPE, 0x07)
#define PVM_VIOMMU_REG_WRITE		_IO(PVM_VIOMMU_TYPE, 0x08)
#define PVM_VIOMMU_REG_READ		_IO(PVM_VIOMMU_TYPE, 0x09)
#define PVM_VIOMMU_SET_EVENTFD		_IO(PVM_VIOMMU_TYPE, 0x0a)
#define PVM_VIOMMU_DOORBELL		_IO(PVM_VIOMMU_TYPE, 0x0b)
#define PVM_VIOMMU_INSERT_EVENT		_IO(PVM_VIOMMU_TYPE, 0x0c)
#define PVM_VIOMMU_GET_STATS		_IO(PVM_VIOMMU_TYPE, 0x0d)

/* mmap(2) offset and length of the head/tail page */
#define PVM_VIOMMU_MMAP_OFFSET		0
#define PVM_VIOMMU_MMAP_SIZE		4096

/* ---- guest MMIO: register offsets of the AMD IOMMU ---- */

/* control page (trapped by the VMM, forwarded by REG_WRITE/REG_READ) */
#define PVM_VIOMMU_MMIO_DEV_TABLE_BASE	0x0000
#define PVM_VIOMMU_MMIO_CMD_BASE	0x0008
#define PVM_VIOMMU_MMIO_EVT_BASE	0x0010
#define PVM_VIOMMU_MMIO_CONTROL		0x0018
#define PVM_VIOMMU_MMIO_PPR_BASE	0x0038
/* head/tail page (mapped into the guest; at offset - 0x2000 in the page) */
#define PVM_VIOMMU_MMIO_PAGE2		0x2000
#define PVM_VIOMMU_MMIO_CMD_HEAD	0x2000
#define PVM_VIOMMU_MMIO_CMD_TAIL	0x2008
#define PVM_VIOMMU_MMIO_EVT_HEAD	0x2010
#define PVM_VIOMMU_MMIO_EVT_TAIL	0x2018
#define PVM_VIOMMU_MMIO_STATUS		0x2020
#define PVM_VIOMMU_MMIO_PPR_HEAD	0x2030
#define PVM_VIOMMU_MMIO_PPR_TAIL	0x2038

/* base registers: bits 51:12 the GPA; logs: bits 59:56 log2(entries) */
#define PVM_VIOMMU_BASE_ADDR_MASK	0x000ffffffffff000ULL
#define PVM_VIOMMU_BASE_LEN_SHIFT	56
#define PVM_VIOMMU_BASE_LEN_MASK	0xfULL
#define PVM_VIOMMU_LOG_LEN_MIN		8	/* 256 entries, 4 KiB */
#define PVM_VIOMMU_LOG_LEN_MAX		15	/* 32768 entries, 512 KiB */
/* device table base: bits 8:0 the size in 4 KiB pages minus 1 */
#define PVM_VIOMMU_DTB_SIZE_MASK	0x1ffULL
/* head and tail registers: bits 18:4 the byte offset of an entry */
#define PVM_VIOMMU_PTR_MASK		0x7fff0ULL

/* control register bits (the ones the model acts on; others are kept) */
#define PVM_VIOMMU_CTRL_IOMMU_EN	(1ULL << 0)
#define PVM_VIOMMU_CTRL_EVT_LOG_EN	(1ULL << 2)
#define PVM_VIOMMU_CTRL_EVT_INT_EN	(1ULL << 3)
#define PVM_VIOMMU_CTRL_COMWAIT_INT_EN	(1ULL << 4)
#define PVM_VIOMMU_CTRL_CMDBUF_EN	(1ULL << 12)
#define PVM_VIOMMU_CTRL_PPRLOG_EN	(1ULL << 13)
#define PVM_VIOMMU_CTRL_PPR_INT_EN	(1ULL << 14)
#define PVM_VIOMMU_CTRL_PPR_EN		(1ULL << 15)
#define PVM_VIOMMU_CTRL_GT_EN		(1ULL << 16)

/* status register bits; the overflow and interrupt bits are write-1-to-clear */
#define PVM_VIOMMU_STATUS_EVT_OVERFLOW	(1ULL << 0)
#define PVM_VIOMMU_STATUS_EVT_INT	(1ULL << 1)
#define PVM_VIOMMU_STATUS_COMWAIT_INT	(1ULL << 2)
#define PVM_VIOMMU_STATUS_EVT_RUN	(1ULL << 3)
#define PVM_VIOMMU_STATUS_CMDBUF_RUN	(1ULL << 4)
#define PVM_VIOMMU_STATUS_PPR_OVERFLOW	(1ULL << 5)
#define PVM_VIOMMU_STATUS_PPR_INT	(1ULL << 6)
#define PVM_VIOMMU_STATUS_PPR_RUN	(1ULL << 7)
#define PVM_VIOMMU_STATUS_W1C		(PVM_VIOMMU_STATUS_EVT_OVERFLOW | \
					 PVM_VIOMMU_STATUS_EVT_INT | \
					 PVM_VIOMMU_STATUS_COMWAIT_INT | \
					 PVM_VIOMMU_STATUS_PPR_OVERFLOW | \
					 PVM_VIOMMU_STATUS_PPR_INT)

/* ---- commands: 16 bytes, opcode in bits 63:60 of the first qword ---- */

#define PVM_VIOMMU_CMD_SIZE		16
#define PVM_VIOMMU_CMD_OP_SHIFT		60
#define PVM_VIOMMU_CMD_COMPLETION_WAIT	0x1
#define PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY	0x2
#define PVM_VIOMMU_CMD_INV_IOMMU_PAGES	0x3
#define PVM_VIOMMU_CMD_INV_IOTLB_PAGES	0x4
#define PVM_VIOMMU_CMD_INV_INTR_TABLE	0x5
#define PVM_VIOMMU_CMD_COMPLETE_PPR	0x7
#define PVM_VIOMMU_CMD_INV_IOMMU_ALL	0x8

/* ---- event and PPR log entries: 16 bytes, code in bits 63:60 ---- */

#define PVM_VIOMMU_EVT_SIZE		16
#define PVM_VIOMMU_EVT_CODE_SHIFT	60
#define PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY	0x1
#define PVM_VIOMMU_EVT_IO_PAGE_FAULT		0x2
#define PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR	0x5
#define PVM_VIOMMU_EVT_COMMAND_HARDWARE_ERROR	0x6
#define PVM_VIOMMU_PPR_REQUEST			0x1

/* ---- the ioctls ---- */

/**
 * struct pvm_viommu_create - ioctl(PVM_VIOMMU_CREATE)
 * @argsz: sizeof(struct pvm_viommu_create) (24)
 * @flags: must be 0
 * @container_fd: a VFIO container fd set to ``VFIO_NESTED_IOMMU``
 *	(``EINVAL`` if it is not one, including a container the nested
 *	backend serves as ``VFIO_TYPE1v2_IOMMU``; ``EBADF`` if not open)
 * @guest_id: the vIOMMU's number for the VMM, unique among the vIOMMUs of
 *	the container (``EEXIST``)
 * @poll_us: 0: no polling; else the period, 100 to 1000000 microseconds,
 *	at which a kernel worker looks for a moved command tail while the
 *	command buffer is enabled
 * @__reserved: must be 0
 *
 * Make this file a vIOMMU of the container, once (``EBUSY`` the second
 * time). The vIOMMU holds a reference on the container file. It starts
 * with empty tables, every register 0 (disabled) and no eventfd. When the
 * container's IOMMU state goes away (its last group detached), the vIOMMU
 * dies: its bindings are gone with the container and every later ioctl
 * fails with ``ENODEV``.
 */
struct pvm_viommu_create {
	__u32 argsz;
	__u32 flags;
	__s32 container_fd;
	__u32 guest_id;
	__u32 poll_us;
	__u32 __reserved;
};

/**
 * enum pvm_viommu_features - &pvm_viommu_info.features
 * @PVM_VIOMMU_FEAT_PPR: page requests are logged in the PPR log and
 *	answered by COMPLETE_PPR_REQUEST
 * @PVM_VIOMMU_FEAT_GT: guest translation (GCR3 tables, v2 page tables)
 * @PVM_VIOMMU_FEAT_POLL: polling of the command tail (@poll_us)
 * @PVM_VIOMMU_FEAT_5LEVEL: 5-level guest page tables
 */
enum pvm_viommu_features {
	PVM_VIOMMU_FEAT_PPR = 1 << 0,
	PVM_VIOMMU_FEAT_GT = 1 << 1,
	PVM_VIOMMU_FEAT_POLL = 1 << 2,
	PVM_VIOMMU_FEAT_5LEVEL = 1 << 3,
};

/**
 * struct pvm_viommu_info - ioctl(PVM_VIOMMU_GET_INFO)
 * @argsz: sizeof(struct pvm_viommu_info) (48)
 * @flags: must be 0
 * @features: output, enum pvm_viommu_features
 * @guest_id: output, as created
 * @commands: output, bit ``1 << op`` for every command opcode executed
 * @events: output, bit ``1 << code`` for every event code written
 * @pasid_bits: output, guest PASID width the GCR3 walk accepts (20)
 * @mmap_size: output, PVM_VIOMMU_MMAP_SIZE
 * @max_devices: output, device table mappings one vIOMMU holds at most
 * @max_domains: output, domain table mappings one vIOMMU holds at most
 *
 * ``ENODEV`` before PVM_VIOMMU_CREATE.
 */
struct pvm_viommu_info {
	__u32 argsz;
	__u32 flags;
	__u32 features;
	__u32 guest_id;
	__aligned_u64 commands;
	__aligned_u64 events;
	__u32 pasid_bits;
	__u32 mmap_size;
	__u32 max_devices;
	__u32 max_domains;
};

/**
 * struct pvm_viommu_device - PVM_VIOMMU_SET_DEVICE, CLEAR_DEVICE, QUERY_DEVICE
 * @argsz: sizeof(struct pvm_viommu_device) (24)
 * @flags: must be 0
 * @guest_devid: the guest device ID (the BDF the guest sees: bus << 8 |
 *	device << 3 | function), 0 to 0xffff
 * @device_fd: SET: a VFIO device fd (emulated device or vfio-pci) of the
 *	vIOMMU's container (``EXDEV`` otherwise); CLEAR: must be 0; QUERY:
 *	output, -1
 * @host_dev_id: QUERY: output, the device as the nested backend names it
 *	(its IOMMU group number); SET, CLEAR: must be 0
 * @__reserved: must be 0
 *
 * SET maps the guest device ID to the device (``EEXIST`` if the guest ID
 * is mapped, ``EBUSY`` if the device is in a device table already). From
 * then on the device's I/O page faults and page requests go to this
 * vIOMMU's logs instead of the container's fault fd. Nothing is bound
 * until the guest's INVALIDATE_DEVTAB_ENTRY for that ID. CLEAR unbinds
 * what the device's entry had bound, answers its page requests still
 * waiting with failure, gives its faults back to the fault fd and
 * forgets the mapping; closing the device fd afterwards is allowed at
 * any time (the vIOMMU does not hold the device open: a device that
 * leaves the container is cleared as by CLEAR). ``ENOENT``: CLEAR or
 * QUERY of a guest ID not mapped.
 */
struct pvm_viommu_device {
	__u32 argsz;
	__u32 flags;
	__u32 guest_devid;
	__s32 device_fd;
	__u32 host_dev_id;
	__u32 __reserved;
};

/**
 * struct pvm_viommu_domain - PVM_VIOMMU_SET_DOMAIN, CLEAR_DOMAIN, QUERY_DOMAIN
 * @argsz: sizeof(struct pvm_viommu_domain) (16)
 * @flags: must be 0
 * @guest_domid: the guest domain ID (DomainID of the guest's device table
 *	entries and commands), 0 to 0xffff
 * @host_domid: SET: the host domain it stands for, 0 to 0xffff (several
 *	guest domains, of this vIOMMU or of others of the container, may
 *	share one); QUERY: output; CLEAR: must be 0
 *
 * A guest domain ID must be mapped for a device table entry naming it to
 * be used and for INVALIDATE_IOMMU_PAGES naming it. An invalidation of a
 * guest domain drops the cached translations of every stage 1 that a
 * device table entry of that guest domain bound. CLEAR forgets the
 * mapping (what was bound stays bound until the device's entry is
 * invalidated again). ``EEXIST``: SET of a mapped guest ID; ``ENOENT``:
 * CLEAR or QUERY of one not mapped.
 */
struct pvm_viommu_domain {
	__u32 argsz;
	__u32 flags;
	__u32 guest_domid;
	__u32 host_domid;
};

/**
 * struct pvm_viommu_reg - PVM_VIOMMU_REG_WRITE, PVM_VIOMMU_REG_READ
 * @argsz: sizeof(struct pvm_viommu_reg) (24)
 * @flags: must be 0
 * @offset: the register, one of ``PVM_VIOMMU_MMIO_*`` (``EINVAL``
 *	otherwise); a 64-bit access
 * @__reserved: must be 0
 * @value: WRITE: the value the guest wrote; READ: output, the register
 *
 * The VMM forwards the guest's trapped accesses to the control page, and
 * may read or write the head/tail registers here too. Writes:
 *
 * - a base register: the structure's GPA and size (``EBUSY`` while the
 *   structure is enabled; ``EINVAL`` for a log length below
 *   PVM_VIOMMU_LOG_LEN_MIN or a set bit outside the register's fields);
 * - control: every bit is stored; enabling the command buffer, event log
 *   or PPR log sets its run bit in status (enabling the command buffer
 *   also restarts a stopped processor and runs it), disabling clears it;
 * - status: the write-1-to-clear bits are cleared;
 * - a head or tail: stored in the page (bits 18:4); a command tail runs
 *   the processor. A value beyond the structure's size is refused
 *   (``EINVAL``).
 */
struct pvm_viommu_reg {
	__u32 argsz;
	__u32 flags;
	__u32 offset;
	__u32 __reserved;
	__aligned_u64 value;
};

/**
 * enum pvm_viommu_eventfd_index - &pvm_viommu_eventfd.index
 * @PVM_VIOMMU_EVENTFD_EVT: signalled when an entry is written into the
 *	event log with the event interrupt enabled (EventIntEn); the guest's
 *	IOMMU interrupt
 * @PVM_VIOMMU_EVENTFD_PPR: the same for the PPR log (PPRIntEn)
 * @PVM_VIOMMU_EVENTFD_COMWAIT: a COMPLETION_WAIT with its I bit completed
 *	with ComWaitIntEn set
 * @PVM_VIOMMU_EVENTFD_DOORBELL: input: each signal runs the command
 *	processor in a kernel worker
 *
 * The three interrupts are what the guest's IOMMU MSI stands for: a VMM
 * wires them to the guest with KVM irqfd (one vector, so possibly the
 * same irqfd for all three).
 */
enum pvm_viommu_eventfd_index {
	PVM_VIOMMU_EVENTFD_EVT = 0,
	PVM_VIOMMU_EVENTFD_PPR = 1,
	PVM_VIOMMU_EVENTFD_COMWAIT = 2,
	PVM_VIOMMU_EVENTFD_DOORBELL = 3,
};

/**
 * struct pvm_viommu_eventfd - ioctl(PVM_VIOMMU_SET_EVENTFD)
 * @argsz: sizeof(struct pvm_viommu_eventfd) (16)
 * @flags: must be 0
 * @index: enum pvm_viommu_eventfd_index
 * @fd: an eventfd, or -1 to remove the one set
 *
 * Set or replace (or, with -1, remove) one eventfd.
 */
struct pvm_viommu_eventfd {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__s32 fd;
};

/**
 * struct pvm_viommu_doorbell - ioctl(PVM_VIOMMU_DOORBELL)
 * @argsz: sizeof(struct pvm_viommu_doorbell) (24)
 * @flags: must be 0
 * @out_executed: output, commands executed by this run
 * @out_status: output, the status register when the run ended
 *	(``PVM_VIOMMU_STATUS_CMDBUF_RUN`` clear: the processor is stopped,
 *	disabled or was stopped by this run)
 * @out_head: output, the command head when the run ended
 *
 * Run the command processor now, in the caller: every command from the
 * head to the tail the page holds (or none while the command buffer is
 * disabled or the processor stopped). Returns 0 whether or not a command
 * failed: a failure is the guest's, reported in its event log.
 */
struct pvm_viommu_doorbell {
	__u32 argsz;
	__u32 flags;
	__u32 out_executed;
	__u32 out_status;
	__aligned_u64 out_head;
};

/**
 * enum pvm_viommu_insert_flags - &pvm_viommu_insert.flags
 * @PVM_VIOMMU_INSERT_PPR: the entry goes into the PPR log (without it:
 *	the event log)
 */
enum pvm_viommu_insert_flags {
	PVM_VIOMMU_INSERT_PPR = 1 << 0,
};

/**
 * struct pvm_viommu_insert - ioctl(PVM_VIOMMU_INSERT_EVENT)
 * @argsz: sizeof(struct pvm_viommu_insert) (32)
 * @flags: enum pvm_viommu_insert_flags
 * @out_result: output, 0 written, 1 dropped (log full: overflow set, or
 *	log disabled)
 * @__reserved: must be 0
 * @entry: the 16-byte entry, as the guest will read it (two qwords in
 *	the guest's little-endian order)
 *
 * The VMM's "insert guest event": put an entry of its own (say, for a
 * device it emulates) into the guest's event or PPR log, with overflow
 * and interrupt as for the entries the kernel writes.
 */
struct pvm_viommu_insert {
	__u32 argsz;
	__u32 flags;
	__u32 out_result;
	__u32 __reserved;
	__aligned_u64 entry[2];
};

/**
 * struct pvm_viommu_stats - ioctl(PVM_VIOMMU_GET_STATS)
 * @argsz: sizeof(struct pvm_viommu_stats) (80)
 * @flags: must be 0
 * @commands: output, commands executed, ever
 * @runs: output, runs of the processor that found work
 * @stops: output, times the processor stopped on an error
 * @events: output, entries written into the event log
 * @pprs: output, entries written into the PPR log
 * @dropped: output, entries dropped (log full or disabled)
 * @binds: output, stage-1 binds made from device table entries
 * @invalidations: output, invalidations passed to the nested backend
 * @completion_waits: output, COMPLETION_WAITs completed
 */
struct pvm_viommu_stats {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 commands;
	__aligned_u64 runs;
	__aligned_u64 stops;
	__aligned_u64 events;
	__aligned_u64 pprs;
	__aligned_u64 dropped;
	__aligned_u64 binds;
	__aligned_u64 invalidations;
	__aligned_u64 completion_waits;
};

#endif /* _UAPI_LINUX_PVM_VIOMMU_H */
