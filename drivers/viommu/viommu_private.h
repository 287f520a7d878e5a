/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvm_viommu: private structures, the AMD formats and the lock order.
 *
 * Files: main.c (the char device, ioctls, mmap, ID tables, lifetime),
 * cmd.c (the command processor: commands, device table and GCR3 walks,
 * binds and invalidations on the nested backend), log.c (event and PPR
 * log writing, the fault sinks), fmt.c (encoding and decoding of the
 * specification's commands, log entries, registers and device table
 * entries: pure functions, tested by tests/pvm_viommu_kunit.c), cmd_fmt.h
 * (the command layouts, the decoding of commands inline for cmd.c).
 *
 * Objects
 * -------
 * A &struct pv_viommu per open file of /dev/pvm_viommu, created on a
 * nested container (PVM_VIOMMU_CREATE). The vIOMMUs of one container share
 * a &struct pv_vm (found by the container's kapi handle): the guest IDs in
 * use, the devices in a device table, and the container-wide guest-PASID
 * bindings made from device table entries (refcounted by the devices
 * using them). A &struct pv_dev is one device table mapping; while it
 * exists its faults go to its vIOMMU (a fault sink on the backend).
 *
 * All the backend calls of cmd.c and log.c go through &struct pv_backend
 * (the kapi functions in the module, fakes in the KUnit suite).
 *
 * Lock order (outer first)
 * ------------------------
 * 1. the kapi's client callbacks run with the backend's handle locks held
 *    (see include/linux/vfio_iommu_nested.h); they take 2.
 * 2. pv_viommu.lock (mutex): registers, tables, the processor (held for a
 *    whole run), the eventfds, @dead. Held while calling the backend.
 * 3. pv_vm.lock (mutex): the VM's guest IDs, devices and PASID bindings.
 *    Held while calling the backend's bind/unbind.
 * 4. the backend's own locks (kapi, PASID state, stage 2, fault queue).
 * 5. pv_viommu.evq_lock (spinlock, irqs off): the queue of entries the
 *    fault sinks hand to the log worker. Taken by the sink callbacks
 *    inside the fault queue's spinlock; nothing is called under it.
 *
 * pv_vms_lock (mutex, main.c) guards the list of pv_vm; taken alone, at
 * PVM_VIOMMU_CREATE and at release, never with 2 or 3 held.
 * vfio_nested_client_register()/unregister() are called without 2 held
 * (the callbacks take 2 under the backend's client mutex).
 */
#ifndef _PVM_VIOMMU_PRIVATE_H
#define _PVM_VIOMMU_PRIVATE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/vfio_iommu_nested.h>
#include <uapi/linux/pvm_viommu.h>

struct eventfd_ctx;
struct file;
struct page;

/* ---- the specification's formats (fmt.c) ------------------------------- */

/* a 16-byte command or log entry, as two little-endian qwords */
struct pv_entry {
	u64 q[2];
};

/* a decoded command */
struct pv_cmd {
	u8 op;
	/* COMPLETION_WAIT */
	bool store, intr, flush;
	u64 store_addr;
	u64 store_data;
	/* device and domain IDs, PASID */
	u16 devid;
	u16 domid;
	u32 pasid;
	bool gn;
	/* invalidation ranges */
	bool size;
	bool pde;
	u64 addr;
	/* COMPLETE_PPR_REQUEST */
	u16 tag;
	u8 status;
};

/* an invalidation range: @all, or [@start, @start + @len) */
struct pv_range {
	bool all;
	u64 start;
	u64 len;
};

/* a decoded device table entry */
struct pv_dte {
	bool v, tv, gv, giov, ppr;
	u8 mode;
	u8 glx;
	u8 gpt_level;
	u16 domid;
	u64 gcr3_root;
};

#define PV_DTE_SIZE		32
#define PV_GCR3_VALID		BIT_ULL(0)
#define PV_GCR3_ADDR_MASK	GENMASK_ULL(51, 12)
#define PV_PASID_BITS		20
/* PPR response codes of COMPLETE_PPR_REQUEST (PCIe PRG response codes) */
#define PV_PPR_SUCCESS		0x0
#define PV_PPR_INVALID		0x1
#define PV_PPR_FAILURE		0xf
/* IO_PAGE_FAULT flags (bits 27:16 of the second dword) */
#define PV_EVT_F_GN		BIT(0)
#define PV_EVT_F_NX		BIT(1)
#define PV_EVT_F_US		BIT(2)
#define PV_EVT_F_I		BIT(3)
#define PV_EVT_F_PR		BIT(4)
#define PV_EVT_F_RW		BIT(5)
#define PV_EVT_F_PE		BIT(6)
#define PV_EVT_F_RZ		BIT(7)
#define PV_EVT_F_TR		BIT(8)
/* PPR_REQUEST flags (bits 59:48) */
#define PV_PPR_F_EXEC		BIT(1)
#define PV_PPR_F_READ		BIT(2)
#define PV_PPR_F_WRITE		BIT(5)
#define PV_PPR_F_US		BIT(6)
#define PV_PPR_F_GN		BIT(8)

void pv_cmd_encode(const struct pv_cmd *c, struct pv_entry *e);
void pv_evt_illegal_command(struct pv_entry *e, u64 gpa);
void pv_evt_hardware_error(struct pv_entry *e, u64 gpa);
void pv_evt_illegal_dte(struct pv_entry *e, u16 devid, u64 gpa);
void pv_evt_io_page_fault(struct pv_entry *e, u16 devid, u16 domid,
			  const struct vfio_nested_fault *rec);
void pv_ppr_request(struct pv_entry *e, u16 devid,
		    const struct vfio_nested_fault *rec);
int pv_dte_decode(const u64 *q, struct pv_dte *d);
u32 pv_ppr_code(u8 status);
int pv_base_decode(u64 val, u64 *base, u32 *size);
int pv_dtb_decode(u64 val, u64 *base, u32 *entries);

/* ---- the backend the processor drives ---------------------------------- */

/**
 * struct pv_backend - the nested backend, as cmd.c and log.c use it
 * @rw: read or write guest memory by GPA (vfio_nested_gpa_rw())
 * @bind: vfio_nested_bind()
 * @unbind: vfio_nested_unbind()
 * @invalidate: vfio_nested_invalidate_batch(): @n entries in order, every
 *	one tried, the first error returned
 * @page_response: vfio_nested_page_response()
 */
struct pv_backend {
	int (*rw)(void *ctx, u64 gpa, void *buf, size_t len, bool write);
	int (*bind)(void *ctx, const struct vfio_nested_bind_s1 *b);
	int (*unbind)(void *ctx, u32 flags, u32 pasid);
	int (*invalidate)(void *ctx, const struct vfio_nested_inv_entry *e,
			  unsigned int n);
	int (*page_response)(void *ctx, u32 cookie, u32 code);
};

/**
 * struct pv_pasid - a guest PASID binding of the VM, made from GCR3 entries
 * @root: the guest CR3 bound
 * @format: VFIO_NESTED_S1_FMT_X86_64_4L or _5L
 * @users: devices whose device table entry uses it
 */
struct pv_pasid {
	u64 root;
	u32 format;
	unsigned int users;
};

/* the key of the PASID-less binding (GCR3 entry 0) in the tables */
#define PV_RID_KEY		0

/**
 * struct pv_vm - what the vIOMMUs of one container share
 * @node: on pv_vms (main.c)
 * @ref: the vIOMMUs using it
 * @nc: the container's kapi handle (the key)
 * @lock: lock 3
 * @guest_ids: guest ID -> its vIOMMU
 * @devices: host dev_id -> its struct pv_dev (a device is in one table)
 * @pasids: guest PASID -> struct pv_pasid (PV_RID_KEY: without PASID)
 */
struct pv_vm {
	struct list_head node;
	struct kref ref;
	struct vfio_nested_container *nc;
	struct mutex lock;		/* lock 3 */
	struct xarray guest_ids;
	struct xarray devices;
	struct xarray pasids;
};

struct pv_viommu;

/**
 * struct pv_dev - one device table mapping
 * @v: its vIOMMU
 * @guest_devid: the guest's device ID
 * @dev_id: the backend's name of the device (IOMMU group number)
 * @sink: the fault sink handed to the backend (priv: this)
 * @has_dte: the device's entry was read and is in force
 * @domid: the guest domain ID of that entry
 * @pasids: guest PASID -> root (xa_mk_value of root >> 12) this device's
 *	entry holds (PV_RID_KEY: without PASID)
 */
struct pv_dev {
	struct pv_viommu *v;
	u16 guest_devid;
	u32 dev_id;
	struct vfio_nested_fault_sink sink;
	bool has_dte;
	u16 domid;
	struct xarray pasids;
};

/* what a fault sink hands to the log worker */
struct pv_pending {
	struct pv_entry e;
	bool ppr;
	u32 cookie;
	u16 devid;
	u16 tag;
};

#define PV_PENDING_MAX		256
#define PV_MAX_DEVICES		4096
#define PV_MAX_DOMAINS		4096
#define PV_POLL_MIN_US		100
#define PV_POLL_MAX_US		1000000
/* commands fetched by one guest-memory read */
#define PV_FETCH_BATCH		64

/**
 * struct pv_viommu - one vIOMMU (one open file)
 * @lock: lock 2
 * @created: PVM_VIOMMU_CREATE done
 * @creating: a PVM_VIOMMU_CREATE is in progress (or done)
 * @dead: the container went away (or the file is being released)
 * @vm: the VM (container) it belongs to
 * @nc: the container's handle (a reference)
 * @container: the container file (a reference)
 * @client: our registration with the handle
 * @be: the backend; @be_ctx its context
 * @be_ctx: see @be
 * @guest_id: as created
 * @poll_us: polling period, 0 for none
 * @devs: guest device ID -> struct pv_dev
 * @doms: guest domain ID -> xa_mk_value(host domain ID)
 * @ppr_tags: (guest device ID << 9 | tag) -> xa_mk_value(cookie)
 * @dtb: device table base register
 * @cmd_base: command buffer base register
 * @evt_base: event log base register
 * @ppr_base: PPR log base register
 * @control: control register
 * @status: status register
 * @mmio_page: the head/tail page
 * @mmio: its kernel address
 * @irq: eventfds of enum pvm_viommu_eventfd_index (but the doorbell)
 * @db_ctx: the doorbell eventfd
 * @db_wait: our entry on its wait queue
 * @db_pt: poll table used to add @db_wait
 * @cmd_work: runs the processor (doorbell eventfd)
 * @poll_work: polls the tail
 * @evq_lock: lock 5
 * @evq: entries from the fault sinks, for @evt_work
 * @evq_head: first used slot of @evq
 * @evq_len: used slots
 * @evq_lost: entries the full @evq dropped
 * @evt_work: writes @evq into the guest's logs
 * @stats: counters of PVM_VIOMMU_GET_STATS
 * @fetch: the processor's buffer of commands read from guest memory
 * @run_head: the head of the running processor, published at each sync
 * @ninv: entries of @inv queued, not yet passed to the backend
 * @dc_valid: @dc_domid, @dc_key and @dc_used hold the last answer of the
 *	processor's question "does a device of the domain use the PASID?"
 *	(@dc_domid is a mapped domain then); cleared by every change of
 *	@devs, @doms or a device's entry (pv_tables_changed())
 * @dc_domid: see @dc_valid
 * @dc_key: see @dc_valid
 * @dc_used: see @dc_valid
 * @inv: the running processor's invalidations, passed down in one call
 */
struct pv_viommu {
	struct mutex lock;		/* lock 2 */
	bool created;
	bool creating;
	bool dead;
	struct pv_vm *vm;
	struct vfio_nested_container *nc;
	struct file *container;
	struct vfio_nested_client client;
	const struct pv_backend *be;
	void *be_ctx;
	u32 guest_id;
	u32 poll_us;
	struct xarray devs;
	struct xarray doms;
	struct xarray ppr_tags;
	u64 dtb, cmd_base, evt_base, ppr_base, control, status;
	struct page *mmio_page;
	__le64 *mmio;
	struct eventfd_ctx *irq[PVM_VIOMMU_EVENTFD_DOORBELL];
	struct eventfd_ctx *db_ctx;
	wait_queue_entry_t db_wait;
	poll_table db_pt;
	struct work_struct cmd_work;
	struct delayed_work poll_work;
	spinlock_t evq_lock;		/* lock 5 */
	struct pv_pending *evq;
	unsigned int evq_head, evq_len;
	u64 evq_lost;
	struct work_struct evt_work;
	struct pvm_viommu_stats stats;
	__le64 fetch[PV_FETCH_BATCH * 2];
	u64 run_head;
	unsigned int ninv;
	bool dc_valid;
	bool dc_used;
	u16 dc_domid;
	u32 dc_key;
	struct vfio_nested_inv_entry inv[PV_FETCH_BATCH];
};

/* registers of the head/tail page, by their MMIO offset */
static inline u64 pv_mmio_read(struct pv_viommu *v, u32 off)
{
	return le64_to_cpu(READ_ONCE(v->mmio[(off - PVM_VIOMMU_MMIO_PAGE2) / 8]));
}

static inline void pv_mmio_write(struct pv_viommu *v, u32 off, u64 val)
{
	WRITE_ONCE(v->mmio[(off - PVM_VIOMMU_MMIO_PAGE2) / 8], cpu_to_le64(val));
}

/*
 * @v's device or domain table, or a device's entry, changed (its lock
 * held): the processor's cached answer (@dc_valid) no longer holds.
 */
static inline void pv_tables_changed(struct pv_viommu *v)
{
	lockdep_assert_held(&v->lock);
	v->dc_valid = false;
}

/* main.c */
void pv_set_status(struct pv_viommu *v, u64 set, u64 clear);
void pv_signal(struct pv_viommu *v, unsigned int index);
int pv_viommu_init(struct pv_viommu *v, const struct pv_backend *be,
		   void *be_ctx);
void pv_viommu_fini(struct pv_viommu *v);
int pv_dom_set(struct pv_viommu *v, u32 guest, u32 host);
int pv_dom_clear(struct pv_viommu *v, u32 guest);
int pv_dom_query(struct pv_viommu *v, u32 guest, u32 *host);
int pv_reg_write(struct pv_viommu *v, u32 off, u64 val);

/* cmd.c */
unsigned int pv_cmd_run(struct pv_viommu *v);
void pv_dev_release(struct pv_viommu *v, struct pv_dev *d);
void pv_cmd_work(struct work_struct *work);

/* log.c */
int pv_log_write(struct pv_viommu *v, bool ppr, const struct pv_entry *e);
void pv_dev_sink_init(struct pv_dev *d);
void pv_evt_work(struct work_struct *work);
void pv_evq_drain(struct pv_viommu *v);

#endif /* _PVM_VIOMMU_PRIVATE_H */
