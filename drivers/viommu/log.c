// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu: the guest's event and PPR logs. Entries come from the
 * command processor (its errors), from the VMM (PVM_VIOMMU_INSERT_EVENT)
 * and from the devices' faults and page requests, which the nested
 * backend hands to our fault sinks in a context that cannot sleep: the
 * sinks encode the entry with the guest IDs at once and queue it; a work
 * item writes the queue into guest memory.
 */
#include <kunit/visibility.h>
#include <linux/eventfd.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "viommu_private.h"

/**
 * pv_log_write() - write an entry into the guest's event or PPR log
 * @v: the vIOMMU, its lock held
 * @ppr: the PPR log (else the event log)
 * @e: the entry
 *
 * The entry goes at the log's tail, which then moves on, unless the log
 * is disabled or stopped (its run bit clear) or full (the tail would
 * reach the guest's head): then it is dropped, and a full log sets its
 * overflow bit and stops (run bit cleared) until the guest re-enables it,
 * as the specification's logs do. A written entry, and an overflow,
 * raise the log's interrupt when it is enabled.
 *
 * Return: 0 written; -ENOSPC dropped (full or stopped); -EIO guest memory
 * not writable there (dropped, counted).
 */
int pv_log_write(struct pv_viommu *v, bool ppr, const struct pv_entry *e)
{
	u64 run = ppr ? PVM_VIOMMU_STATUS_PPR_RUN : PVM_VIOMMU_STATUS_EVT_RUN;
	u64 ovf = ppr ? PVM_VIOMMU_STATUS_PPR_OVERFLOW :
			PVM_VIOMMU_STATUS_EVT_OVERFLOW;
	u64 irq = ppr ? PVM_VIOMMU_STATUS_PPR_INT : PVM_VIOMMU_STATUS_EVT_INT;
	u64 inten = ppr ? PVM_VIOMMU_CTRL_PPR_INT_EN :
			  PVM_VIOMMU_CTRL_EVT_INT_EN;
	u32 head_off = ppr ? PVM_VIOMMU_MMIO_PPR_HEAD : PVM_VIOMMU_MMIO_EVT_HEAD;
	u32 tail_off = ppr ? PVM_VIOMMU_MMIO_PPR_TAIL : PVM_VIOMMU_MMIO_EVT_TAIL;
	unsigned int idx = ppr ? PVM_VIOMMU_EVENTFD_PPR : PVM_VIOMMU_EVENTFD_EVT;
	__le64 buf[2];
	u64 base, head, tail, next;
	u32 size;
	int ret;

	lockdep_assert_held(&v->lock);
	if (!(v->status & run) ||
	    pv_base_decode(ppr ? v->ppr_base : v->evt_base, &base, &size) ||
	    !size) {
		v->stats.dropped++;
		return -ENOSPC;
	}
	head = (pv_mmio_read(v, head_off) & PVM_VIOMMU_PTR_MASK) % size;
	tail = (pv_mmio_read(v, tail_off) & PVM_VIOMMU_PTR_MASK) % size;
	next = (tail + PVM_VIOMMU_EVT_SIZE) % size;
	if (next == head) {
		v->stats.dropped++;
		pv_set_status(v, ovf | irq, run);
		if (v->control & inten)
			pv_signal(v, idx);
		return -ENOSPC;
	}
	buf[0] = cpu_to_le64(e->q[0]);
	buf[1] = cpu_to_le64(e->q[1]);
	ret = v->be->rw(v->be_ctx, base + tail, buf, sizeof(buf), true);
	if (ret) {
		v->stats.dropped++;
		return -EIO;
	}
	pv_mmio_write(v, tail_off, next);
	if (ppr)
		v->stats.pprs++;
	else
		v->stats.events++;
	if (v->control & inten) {
		pv_set_status(v, irq, 0);
		pv_signal(v, idx);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_log_write);

/* Queue an entry for the log worker. Under the fault queue's spinlock. */
static void pv_evq_add(struct pv_viommu *v, const struct pv_pending *p)
{
	unsigned long flags;
	bool lost = false;

	spin_lock_irqsave(&v->evq_lock, flags);
	if (v->evq_len < PV_PENDING_MAX) {
		v->evq[(v->evq_head + v->evq_len) % PV_PENDING_MAX] = *p;
		v->evq_len++;
	} else {
		v->evq_lost++;
		lost = true;
	}
	spin_unlock_irqrestore(&v->evq_lock, flags);
	/*
	 * A page request that cannot be queued stays pending: the worker
	 * answers what it cannot log, this one it never saw. It is answered
	 * when the sink is cleared (device cleared, vIOMMU closed).
	 */
	if (!lost)
		queue_work(system_unbound_wq, &v->evt_work);
}

static void pv_sink_fault(void *priv, const struct vfio_nested_fault *rec)
{
	struct pv_dev *d = priv;
	struct pv_pending p = { .devid = d->guest_devid };

	pv_evt_io_page_fault(&p.e, d->guest_devid, READ_ONCE(d->domid), rec);
	pv_evq_add(d->v, &p);
}

static void pv_sink_page_request(void *priv,
				 const struct vfio_nested_fault *recs,
				 unsigned int n)
{
	struct pv_dev *d = priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct pv_pending p = {
			.ppr = true,
			.cookie = recs[i].cookie,
			.devid = d->guest_devid,
			.tag = recs[i].grpid & 0x1ff,
		};

		pv_ppr_request(&p.e, d->guest_devid, &recs[i]);
		/* one answer per group: only the last page carries the cookie */
		if (!(recs[i].flags & VFIO_NESTED_FAULT_LAST_PAGE))
			p.cookie = 0;
		pv_evq_add(d->v, &p);
	}
}

static const struct vfio_nested_fault_sink_ops pv_sink_ops = {
	.fault = pv_sink_fault,
	.page_request = pv_sink_page_request,
};

/**
 * pv_dev_sink_init() - set up a device mapping's fault sink
 * @d: the device mapping
 *
 * Both callbacks encode the entry with the device's guest IDs at once
 * (they run under the backend's fault queue spinlock) and queue it for
 * pv_evt_work(); a page request's entry carries its cookie only on the
 * group's last page, so that the group is answered once.
 */
void pv_dev_sink_init(struct pv_dev *d)
{
	d->sink.ops = &pv_sink_ops;
	d->sink.priv = d;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dev_sink_init);

/**
 * pv_evq_drain() - write what the fault sinks queued into the guest's logs
 * @v: the vIOMMU, its lock held
 *
 * A page request whose entry could not be written is answered with
 * failure at once (the guest will never see it to complete it); one that
 * was written is remembered by guest device ID and tag for
 * COMPLETE_PPR_REQUEST.
 */
void pv_evq_drain(struct pv_viommu *v)
{
	struct pv_pending p;
	unsigned long key;
	int ret;

	lockdep_assert_held(&v->lock);
	for (;;) {
		spin_lock_irq(&v->evq_lock);
		if (!v->evq_len) {
			spin_unlock_irq(&v->evq_lock);
			break;
		}
		p = v->evq[v->evq_head];
		v->evq_head = (v->evq_head + 1) % PV_PENDING_MAX;
		v->evq_len--;
		spin_unlock_irq(&v->evq_lock);

		if (v->dead) {
			ret = -ENODEV;
		} else if (p.ppr && p.cookie) {
			/* known before the guest can see the entry */
			key = (unsigned long)p.devid << 9 | p.tag;
			ret = xa_err(xa_store(&v->ppr_tags, key,
					      xa_mk_value(p.cookie),
					      GFP_KERNEL));
			if (!ret) {
				ret = pv_log_write(v, true, &p.e);
				if (ret)
					xa_erase(&v->ppr_tags, key);
			}
		} else {
			ret = pv_log_write(v, p.ppr, &p.e);
		}
		if (ret && p.ppr && p.cookie && !v->dead)
			v->be->page_response(v->be_ctx, p.cookie,
					     VFIO_NESTED_PAGE_RESP_FAILURE);
	}
}
EXPORT_SYMBOL_IF_KUNIT(pv_evq_drain);

void pv_evt_work(struct work_struct *work)
{
	struct pv_viommu *v = container_of(work, struct pv_viommu, evt_work);

	mutex_lock(&v->lock);
	pv_evq_drain(v);
	mutex_unlock(&v->lock);
}
