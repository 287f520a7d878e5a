// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu: the command processor. It runs with the vIOMMU's lock held,
 * from the doorbell ioctl, a tail register write, the doorbell eventfd's
 * work item or the poll: it reads the commands from the guest's command
 * buffer between the head and the tail the guest wrote into the head/tail
 * page, executes them with the guest IDs translated through the vIOMMU's
 * tables, and moves the head past each one. A command it cannot execute
 * stops it before the command: the event goes into the guest's event log,
 * CmdBufRun is cleared, and nothing of the command was done.
 */
#include <kunit/visibility.h>
#include <linux/eventfd.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "viommu_private.h"
#include "cmd_fmt.h"

/* commands one run executes at most (the rest waits for the next run) */
#define PV_RUN_MAX		4096
/* GCR3 table pages and valid entries one device table entry may use */
#define PV_GCR3_PAGES_MAX	64
#define PV_GCR3_PASIDS_MAX	1024

#define PV_S1_FLAGS	(VFIO_NESTED_S1_F_NXE | VFIO_NESTED_S1_F_WP | \
			 VFIO_NESTED_S1_F_PRIV)

/* a device's PASID: the root and the format in an xarray value */
#define PV_VAL_5L		BIT_ULL(40)

static unsigned long pv_val(u64 root, u32 format)
{
	return root >> 12 | (format == VFIO_NESTED_S1_FMT_X86_64_5L ?
			     PV_VAL_5L : 0);
}

/* ---- the run's pending invalidations ----------------------------------- */

/*
 * Pass the invalidations queued since the last sync down in one backend
 * call, then publish the head: the guest never sees the head past an
 * invalidation that has not reached the backend. Every command that is
 * not an invalidation syncs before it runs (a COMPLETION_WAIT so that it
 * completes after every earlier invalidation, a device table entry or a
 * page response so that they see the earlier invalidations done), so do
 * a stop and the end of every fetched chunk.
 */
static void pv_cmd_sync(struct pv_viommu *v)
{
	if (v->ninv) {
		v->be->invalidate(v->be_ctx, v->inv, v->ninv);
		v->stats.invalidations += v->ninv;
		v->ninv = 0;
	}
	pv_mmio_write(v, PVM_VIOMMU_MMIO_CMD_HEAD, v->run_head);
}

/* A slot for one more invalidation of this run (once per command). */
static __always_inline struct vfio_nested_inv_entry *
pv_inv_slot(struct pv_viommu *v)
{
	struct vfio_nested_inv_entry *e;

	if (unlikely(v->ninv == ARRAY_SIZE(v->inv)))
		pv_cmd_sync(v);
	e = &v->inv[v->ninv++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Stop the processor with @e in the event log. */
static void pv_stop(struct pv_viommu *v, const struct pv_entry *e)
{
	/* what came before the stopping command is done, the head on it */
	pv_cmd_sync(v);
	pv_log_write(v, false, e);
	pv_set_status(v, 0, PVM_VIOMMU_STATUS_CMDBUF_RUN);
	v->stats.stops++;
}

/* ---- the VM's PASID bindings (pv_vm.lock) ------------------------------- */

static int pv_vm_acquire(struct pv_viommu *v, u32 key, u64 root, u32 format)
{
	struct pv_vm *vm = v->vm;
	struct vfio_nested_bind_s1 b = {
		.size = sizeof(b),
		.flags = key == PV_RID_KEY ? VFIO_NESTED_PASID_NONE :
					     VFIO_NESTED_PASID_GUEST,
		.pasid = key,
		.format = format,
		.s1_flags = PV_S1_FLAGS,
		.root_gpa = root,
	};
	struct pv_pasid *p;
	int ret;

	lockdep_assert_held(&vm->lock);
	p = xa_load(&vm->pasids, key);
	if (p) {
		if (p->root != root || p->format != format)
			return -EBUSY;
		p->users++;
		return 0;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->root = root;
	p->format = format;
	p->users = 1;
	ret = xa_insert(&vm->pasids, key, p, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto free;
	ret = v->be->bind(v->be_ctx, &b);
	if (ret)
		goto erase;
	v->stats.binds++;
	return 0;
erase:
	xa_erase(&vm->pasids, key);
free:
	kfree(p);
	return ret;
}

static void pv_vm_release(struct pv_viommu *v, u32 key)
{
	struct pv_vm *vm = v->vm;
	struct pv_pasid *p;

	lockdep_assert_held(&vm->lock);
	p = xa_load(&vm->pasids, key);
	if (WARN_ON_ONCE(!p) || --p->users)
		return;
	xa_erase(&vm->pasids, key);
	kfree(p);
	v->be->unbind(v->be_ctx, key == PV_RID_KEY ? VFIO_NESTED_PASID_NONE :
			 VFIO_NESTED_PASID_GUEST, key);
}

/**
 * pv_dev_release() - drop every binding a device's entry holds
 * @v: the vIOMMU, its lock held
 * @d: the device
 */
void pv_dev_release(struct pv_viommu *v, struct pv_dev *d)
{
	unsigned long key;
	void *val;

	lockdep_assert_held(&v->lock);
	mutex_lock(&v->vm->lock);
	xa_for_each(&d->pasids, key, val) {
		pv_vm_release(v, key);
		xa_erase(&d->pasids, key);
	}
	mutex_unlock(&v->vm->lock);
	d->has_dte = false;
	pv_tables_changed(v);
}
EXPORT_SYMBOL_IF_KUNIT(pv_dev_release);

/* ---- device table entries and GCR3 tables ------------------------------- */

struct pv_walk {
	struct pv_viommu *v;
	struct xarray *out;
	__le64 *buf[3];
	unsigned int pages;
	unsigned int found;
};

/* Walk the GCR3 table at @gpa, level @lvl (0 = leaf), PASIDs from @prefix. */
static int pv_gcr3_walk(struct pv_walk *w, u64 gpa, unsigned int lvl,
			u32 prefix)
{
	__le64 *t = w->buf[lvl];
	unsigned int i, n = 512;
	int ret;

	if (++w->pages > PV_GCR3_PAGES_MAX)
		return -E2BIG;
	ret = w->v->be->rw(w->v->be_ctx, gpa & PV_GCR3_ADDR_MASK, t, 4096,
			   false);
	if (ret)
		return ret;
	/* a 20-bit PASID leaves the top of a 3-level table 4 entries */
	if (lvl == 2)
		n = 4;
	for (i = 0; i < n; i++) {
		u64 ent = le64_to_cpu(t[i]);
		u32 pasid = prefix | i << (9 * lvl);

		if (!(ent & PV_GCR3_VALID))
			continue;
		if (lvl) {
			ret = pv_gcr3_walk(w, ent, lvl - 1, pasid);
			if (ret)
				return ret;
			/* the recursion reused lower buffers only */
			continue;
		}
		if (++w->found > PV_GCR3_PASIDS_MAX)
			return -E2BIG;
		ret = xa_err(xa_store(w->out, pasid,
				      xa_mk_value(ent & PV_GCR3_ADDR_MASK),
				      GFP_KERNEL));
		if (ret)
			return ret;
	}
	return 0;
}

/* Bind @key for @d (the VM's binding, shared or made). */
static int pv_dev_take(struct pv_viommu *v, struct pv_dev *d, u32 key,
		       u64 root, u32 format)
{
	int ret = pv_vm_acquire(v, key, root, format);

	if (ret)
		return ret;
	ret = xa_err(xa_store(&d->pasids, key,
			      xa_mk_value(pv_val(root, format)), GFP_KERNEL));
	if (ret)
		pv_vm_release(v, key);
	return ret;
}

/* Give back what the first pass of pv_dte_apply() took, before @stop. */
static void pv_dev_drop_new(struct pv_viommu *v, struct pv_dev *d,
			    struct xarray *want, unsigned long stop)
{
	unsigned long key;
	void *val;

	xa_for_each_marked(want, key, val, XA_MARK_0) {
		if (key >= stop)
			break;
		pv_vm_release(v, key);
		xa_erase(&d->pasids, key);
	}
}

/*
 * Make @d's bindings those of its device table entry, or stop with an
 * ILLEGAL_DEV_TABLE_ENTRY event. Return: 0, or -EINVAL when it stopped.
 */
static int pv_dte_apply(struct pv_viommu *v, struct pv_dev *d, u64 cmd_gpa)
{
	struct pv_walk w = { .v = v };
	bool failed = false;
	struct pv_entry ev;
	struct xarray want;
	struct pv_dte dte;
	u64 base, gpa, q[4];
	__le64 raw[4];
	unsigned long key;
	u32 entries, format;
	unsigned int i;
	void *val;
	int ret;

	pv_tables_changed(v);
	xa_init(&want);
	ret = pv_dtb_decode(v->dtb, &base, &entries);
	gpa = base + (u64)d->guest_devid * PV_DTE_SIZE;
	if (ret || !v->dtb || d->guest_devid >= entries)
		goto illegal;
	ret = v->be->rw(v->be_ctx, gpa, raw, sizeof(raw), false);
	if (ret)
		goto illegal;
	for (i = 0; i < 4; i++)
		q[i] = le64_to_cpu(raw[i]);
	if (pv_dte_decode(q, &dte))
		goto illegal;
	format = dte.gpt_level ? VFIO_NESTED_S1_FMT_X86_64_5L :
				 VFIO_NESTED_S1_FMT_X86_64_4L;
	if (dte.v && dte.tv && dte.gv) {
		if (!xa_load(&v->doms, dte.domid))
			goto illegal;
		w.out = &want;
		for (i = 0; i <= dte.glx; i++) {
			w.buf[i] = kmalloc(4096, GFP_KERNEL);
			if (!w.buf[i])
				goto illegal;
		}
		if (pv_gcr3_walk(&w, dte.gcr3_root, dte.glx, 0))
			goto illegal;
	}

	mutex_lock(&v->vm->lock);
	/* Nothing changes unless every PASID can be had. */
	xa_for_each(&want, key, val) {
		bool have = xa_load(&d->pasids, key);
		struct pv_pasid *p = xa_load(&v->vm->pasids, key);
		u64 root = xa_to_value(val);

		if (p && (p->root != root || p->format != format) &&
		    !(have && p->users == 1))
			goto unlock_illegal;
	}
	/*
	 * Take the PASIDs the device did not hold; a refusal (say, a guest
	 * PASID the VMM did not attach) gives them back: nothing changed.
	 */
	xa_for_each(&want, key, val) {
		if (xa_load(&d->pasids, key))
			continue;
		ret = pv_dev_take(v, d, key, xa_to_value(val), format);
		if (ret) {
			pv_dev_drop_new(v, d, &want, key);
			goto unlock_illegal;
		}
		xa_set_mark(&want, key, XA_MARK_0);
	}
	/* Then those whose root changed (a refusal leaves them unbound)... */
	xa_for_each(&d->pasids, key, val) {
		void *nv = xa_load(&want, key);

		if (!nv || xa_get_mark(&want, key, XA_MARK_0) ||
		    pv_val(xa_to_value(nv), format) == xa_to_value(val))
			continue;
		pv_vm_release(v, key);
		xa_erase(&d->pasids, key);
		if (pv_dev_take(v, d, key, xa_to_value(nv), format))
			failed = true;
	}
	/* ...and drop those that went. */
	xa_for_each(&d->pasids, key, val) {
		if (xa_load(&want, key))
			continue;
		pv_vm_release(v, key);
		xa_erase(&d->pasids, key);
	}
	if (failed)
		goto unlock_illegal;
	mutex_unlock(&v->vm->lock);
	d->has_dte = dte.v && dte.tv && dte.gv;
	WRITE_ONCE(d->domid, dte.domid);
	ret = 0;
	goto out;

unlock_illegal:
	mutex_unlock(&v->vm->lock);
illegal:
	pv_evt_illegal_dte(&ev, d->guest_devid, gpa);
	pv_stop(v, &ev);
	ret = -EINVAL;
out:
	for (i = 0; i < ARRAY_SIZE(w.buf); i++)
		kfree(w.buf[i]);
	xa_destroy(&want);
	return ret;
}

/* ---- invalidations ------------------------------------------------------ */

/* Queue the invalidation of @r in the stage 1 of @key. */
static void pv_inv_key(struct pv_viommu *v, u32 key, const struct pv_range *r)
{
	struct vfio_nested_inv_entry *e = pv_inv_slot(v);

	e->pasid = key;
	e->flags = key == PV_RID_KEY ? VFIO_NESTED_INV_F_NO_PASID : 0;
	if (r->all) {
		e->type = VFIO_NESTED_INV_PASID;
	} else {
		e->type = VFIO_NESTED_INV_ADDR;
		e->granule = 12;
		e->addr = r->start;
		e->npages = r->len >> 12;
	}
}

static struct pv_dev *pv_dev_of(struct pv_viommu *v, u16 devid)
{
	return xa_load(&v->devs, devid);
}

/*
 * Does a device of domain @domid use @key? The answer of the last
 * question is kept, across runs, until a table it depends on changes:
 * they change under the vIOMMU's lock only, and every change forgets it
 * (pv_tables_changed()).
 */
static bool pv_dom_uses(struct pv_viommu *v, u16 domid, u32 key)
{
	unsigned long i;
	struct pv_dev *d;

	if (v->dc_valid && v->dc_domid == domid && v->dc_key == key)
		return v->dc_used;
	v->dc_used = false;
	xa_for_each(&v->devs, i, d) {
		if (d->has_dte && d->domid == domid &&
		    xa_load(&d->pasids, key)) {
			v->dc_used = true;
			break;
		}
	}
	v->dc_valid = true;
	v->dc_domid = domid;
	v->dc_key = key;
	return v->dc_used;
}

static void pv_inv_domain(struct pv_viommu *v, const struct pv_cmd *c)
{
	u32 key = c->gn ? c->pasid : PV_RID_KEY;
	struct pv_range r;

	/* the PASID's stage 1 if a device of the domain uses it */
	if (pv_dom_uses(v, c->domid, key)) {
		pv_cmd_range(c, &r);
		pv_inv_key(v, key, &r);
	}
}

static void pv_inv_iotlb(struct pv_viommu *v, struct pv_dev *d,
			 const struct pv_cmd *c)
{
	struct vfio_nested_inv_entry *e = pv_inv_slot(v);
	struct pv_range r;

	e->type = VFIO_NESTED_INV_DEVTLB;
	e->flags = c->gn ? 0 : VFIO_NESTED_INV_F_NO_PASID;
	e->pasid = c->gn ? c->pasid : 0;
	e->dev_id = d->dev_id;
	pv_cmd_range(c, &r);
	if (!r.all) {
		e->granule = 12;
		e->addr = r.start;
		e->npages = r.len >> 12;
	}
}

static void pv_inv_all(struct pv_viommu *v)
{
	struct pv_range r = { .all = true };
	unsigned long i, key;
	struct pv_dev *d;
	void *val;

	xa_for_each(&v->devs, i, d)
		xa_for_each(&d->pasids, key, val)
			pv_inv_key(v, key, &r);
}

/* ---- commands ----------------------------------------------------------- */

static void pv_complete_ppr(struct pv_viommu *v, const struct pv_cmd *c)
{
	unsigned long key = (unsigned long)c->devid << 9 | c->tag;
	void *val = xa_erase(&v->ppr_tags, key);

	/* an answer nobody waits for any more (aborted, or none) is dropped */
	if (val)
		v->be->page_response(v->be_ctx, xa_to_value(val),
				     pv_ppr_code(c->status));
}

/*
 * Execute one command (inline in pv_cmd_run(), its one caller: no call
 * per command). Return: 0, or -EINVAL when the processor stopped.
 */
static __always_inline int pv_cmd_exec(struct pv_viommu *v, const struct pv_entry *e, u64 gpa)
{
	struct pv_entry ev;
	/*
	 * pv_cmd_decode() sets every field: no clearing of it per command
	 * (CONFIG_INIT_STACK_ALL_ZERO would, with a string store).
	 */
	struct pv_cmd c __uninitialized;
	struct pv_dev *d = NULL;
	__le64 data;

	if (pv_cmd_decode(e, &c))
		goto illegal;
	switch (c.op) {
	case PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY:
	case PVM_VIOMMU_CMD_INV_IOTLB_PAGES:
	case PVM_VIOMMU_CMD_COMPLETE_PPR:
		d = pv_dev_of(v, c.devid);
		if (!d)
			goto illegal;
		break;
	case PVM_VIOMMU_CMD_INV_IOMMU_PAGES:
		/* the domain of the last one was looked up already */
		if (!(v->dc_valid && v->dc_domid == c.domid) &&
		    !xa_load(&v->doms, c.domid))
			goto illegal;
		break;
	}

	/* invalidations queue up; any other command waits for them first */
	switch (c.op) {
	case PVM_VIOMMU_CMD_INV_IOMMU_PAGES:
	case PVM_VIOMMU_CMD_INV_IOTLB_PAGES:
	case PVM_VIOMMU_CMD_INV_IOMMU_ALL:
	case PVM_VIOMMU_CMD_INV_INTR_TABLE:
		break;
	default:
		pv_cmd_sync(v);
	}

	switch (c.op) {
	case PVM_VIOMMU_CMD_COMPLETION_WAIT:
		if (c.store) {
			data = cpu_to_le64(c.store_data);
			if (v->be->rw(v->be_ctx, c.store_addr, &data,
				      sizeof(data), true)) {
				pv_evt_hardware_error(&ev, c.store_addr);
				pv_stop(v, &ev);
				return -EINVAL;
			}
		}
		if (c.intr) {
			pv_set_status(v, PVM_VIOMMU_STATUS_COMWAIT_INT, 0);
			if (v->control & PVM_VIOMMU_CTRL_COMWAIT_INT_EN)
				pv_signal(v, PVM_VIOMMU_EVENTFD_COMWAIT);
		}
		v->stats.completion_waits++;
		return 0;
	case PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY:
		return pv_dte_apply(v, d, gpa);
	case PVM_VIOMMU_CMD_INV_IOMMU_PAGES:
		pv_inv_domain(v, &c);
		return 0;
	case PVM_VIOMMU_CMD_INV_IOTLB_PAGES:
		pv_inv_iotlb(v, d, &c);
		return 0;
	case PVM_VIOMMU_CMD_INV_INTR_TABLE:
		return 0;
	case PVM_VIOMMU_CMD_COMPLETE_PPR:
		pv_complete_ppr(v, &c);
		return 0;
	case PVM_VIOMMU_CMD_INV_IOMMU_ALL:
		pv_inv_all(v);
		return 0;
	}
illegal:
	pv_evt_illegal_command(&ev, gpa);
	pv_stop(v, &ev);
	return -EINVAL;
}

/**
 * pv_cmd_run() - run the command processor
 * @v: the vIOMMU, its lock held
 *
 * Executes the commands from the head to the tail of the head/tail page
 * (re-reading the tail until they meet, at most PV_RUN_MAX commands), or
 * nothing while the command buffer is disabled or the processor stopped.
 * Head and tail are taken modulo the buffer's size. The invalidations of
 * a fetched chunk go to the backend in one call, before the next command
 * that is not an invalidation, before a stop and at the chunk's end; the
 * head is published then (pv_cmd_sync()).
 *
 * Return: the number of commands executed.
 */
unsigned int pv_cmd_run(struct pv_viommu *v)
{
	__le64 *buf = v->fetch;
	unsigned int done = 0, n, i;
	u64 base, head, tail, mask;
	struct pv_entry e;
	u32 size;

	lockdep_assert_held(&v->lock);
	if (v->dead || !(v->control & PVM_VIOMMU_CTRL_CMDBUF_EN) ||
	    !(v->status & PVM_VIOMMU_STATUS_CMDBUF_RUN) ||
	    pv_base_decode(v->cmd_base, &base, &size) || !size)
		return 0;
	/* a power of two (pv_base_decode()): no division per command */
	mask = size - 1;
	for (;;) {
		head = pv_mmio_read(v, PVM_VIOMMU_MMIO_CMD_HEAD) &
		       PVM_VIOMMU_PTR_MASK & mask;
		tail = pv_mmio_read(v, PVM_VIOMMU_MMIO_CMD_TAIL) &
		       PVM_VIOMMU_PTR_MASK & mask;
		if (head == tail)
			break;
		v->run_head = head;
		n = ((tail > head ? tail : size) - head) / PVM_VIOMMU_CMD_SIZE;
		n = min3(n, (unsigned int)PV_FETCH_BATCH, PV_RUN_MAX - done);
		if (v->be->rw(v->be_ctx, base + head, buf,
			      n * PVM_VIOMMU_CMD_SIZE, false)) {
			pv_evt_hardware_error(&e, base + head);
			pv_stop(v, &e);
			break;
		}
		for (i = 0; i < n; i++) {
			e.q[0] = le64_to_cpu(buf[2 * i]);
			e.q[1] = le64_to_cpu(buf[2 * i + 1]);
			/* a stop synced at the stopping command already */
			if (pv_cmd_exec(v, &e, base + v->run_head))
				goto out;
			v->run_head = (v->run_head + PVM_VIOMMU_CMD_SIZE) & mask;
			done++;
		}
		pv_cmd_sync(v);
		if (done >= PV_RUN_MAX)
			break;
		/* more may follow: the tail is read again */
		cond_resched();
	}
out:
	if (done) {
		v->stats.runs++;
		v->stats.commands += done;
	}
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(pv_cmd_run);

void pv_cmd_work(struct work_struct *work)
{
	struct pv_viommu *v = container_of(work, struct pv_viommu, cmd_work);

	mutex_lock(&v->lock);
	pv_cmd_run(v);
	mutex_unlock(&v->lock);
}
