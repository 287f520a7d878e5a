// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: the work queues. Submission (portal write or kick) checks a
 * descriptor and its PASID and puts it on the queue's ring under the
 * queue's spinlock; the queue's worker executes the ring in order as DMA
 * through the nested backend, writes completion records and signals the
 * completion eventfd.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/kvm_pasid.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vfio_iommu_nested.h>

#include "sva_sim_private.h"

struct workqueue_struct *sva_sim_wq;

/**
 * struct sva_sim_exec - one descriptor being executed
 * @q: its queue
 * @seq: the ring sequence number of the descriptor (of its batch)
 * @hpasid: the host PASID
 * @cr: the completion record being built
 * @page_requests: page requests its DMA raised
 * @bytes: bytes it processed
 */
struct sva_sim_exec {
	struct sva_sim_queue *q;
	u64 seq;
	u32 hpasid;
	struct sva_sim_completion cr;
	u64 page_requests;
	u64 bytes;
};

static bool sva_sim_aborted(const struct sva_sim_exec *x)
{
	return READ_ONCE(x->q->abort_until) > x->seq;
}

/* The completion status of a DMA that failed. */
static void sva_sim_dma_failed(struct sva_sim_exec *x,
			       const struct vfio_nested_dma_result *res,
			       int ret, bool write)
{
	u32 status = ret == -ENODEV ? VFIO_NESTED_DMA_NO_BINDING : res->status;

	switch (status) {
	case VFIO_NESTED_DMA_NO_BINDING:
		x->cr.status = SVA_SIM_COMP_BAD_PASID;
		return;
	case VFIO_NESTED_DMA_ABORTED:
		x->cr.status = SVA_SIM_COMP_ABORTED;
		return;
	case VFIO_NESTED_DMA_PAGE_FAULT:
	case VFIO_NESTED_DMA_RESP_INVALID:
	case VFIO_NESTED_DMA_RESP_FAILURE:
		x->cr.status = SVA_SIM_COMP_PAGE_FAULT;
		break;
	default:
		x->cr.status = SVA_SIM_COMP_ADDR_ERROR;
		break;
	}
	x->cr.fault_addr = res->fault_addr;
	x->cr.fault_info = write ? SVA_SIM_FAULT_WRITE : 0;
}

/*
 * One DMA of the descriptor. Another queue's abort may end a page request
 * wait of ours (vfio_nested_dma_abort() acts on the device): then the rest
 * is asked again. Return: 0, or an errno with @x->cr.status set.
 */
static int sva_sim_dma(struct sva_sim_exec *x, u64 iova, void *buf,
		       size_t len, bool write, size_t *done)
{
	struct vfio_nested_dma_result res;
	size_t moved = 0;
	int ret;

	for (;;) {
		if (sva_sim_aborted(x)) {
			x->cr.status = SVA_SIM_COMP_ABORTED;
			ret = -EINTR;
			break;
		}
		ret = vfio_nested_dma(&x->q->sd->vdev, x->hpasid, iova + moved,
				      buf + moved, len - moved,
				      write ? VFIO_NESTED_DMA_WRITE : 0, &res);
		x->page_requests += res.page_requests;
		moved += res.done;
		if (!ret)
			break;
		if (ret == -EINTR && res.status == VFIO_NESTED_DMA_ABORTED &&
		    !sva_sim_aborted(x))
			continue;
		sva_sim_dma_failed(x, &res, ret, write);
		break;
	}
	if (done)
		*done = moved;
	return ret;
}

/*
 * A memmove of ranges that do not overlap: page to page, one copy, no
 * bounce buffer (vfio_nested_dma_copy()).
 */
static void sva_sim_copy(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	struct vfio_nested_dma_result res;
	u32 moved = 0;
	bool write;
	int ret;

	for (;;) {
		if (sva_sim_aborted(x)) {
			x->cr.status = SVA_SIM_COMP_ABORTED;
			break;
		}
		ret = vfio_nested_dma_copy(&x->q->sd->vdev, x->hpasid,
					   d->dst + moved, d->src + moved,
					   d->size - moved, 0, &res);
		x->page_requests += res.page_requests;
		moved += res.done;
		if (!ret)
			break;
		if (ret == -EINTR && res.status == VFIO_NESTED_DMA_ABORTED &&
		    !sva_sim_aborted(x))
			continue;
		/* the faulting address tells which side it was */
		write = res.fault_addr - (d->src + moved) >= d->size - moved;
		sva_sim_dma_failed(x, &res, ret, write);
		break;
	}
	x->cr.bytes_done = moved;
}

static void sva_sim_memmove(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	bool back = d->dst > d->src && d->dst - d->src < d->size;
	void *b = x->q->bounce;
	u32 i, n, off;
	size_t done;

	if (d->dst > d->src + (d->size - 1) || d->src > d->dst + (d->size - 1)) {
		sva_sim_copy(x, d);
		return;
	}

	/* Overlapping with @dst above @src: from the end, like memmove(). */
	for (i = 0; i < d->size; i += n) {
		n = min_t(u32, d->size - i, SVA_SIM_BOUNCE_SIZE);
		off = back ? d->size - i - n : i;
		x->cr.bytes_done = i;
		if (sva_sim_dma(x, d->src + off, b, n, false, NULL))
			return;
		if (sva_sim_dma(x, d->dst + off, b, n, true, &done)) {
			if (!back)
				x->cr.bytes_done = i + done;
			return;
		}
	}
	x->cr.bytes_done = d->size;
}

static void sva_sim_fill(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	void *b = x->q->bounce;
	size_t done;
	u32 i, n;

	/* The bounce size is a multiple of 8: every chunk starts the pattern. */
	sva_sim_fill_pattern(b, min_t(u32, d->size, SVA_SIM_BOUNCE_SIZE),
			     d->pattern, 0);
	for (i = 0; i < d->size; i += n) {
		n = min_t(u32, d->size - i, SVA_SIM_BOUNCE_SIZE);
		if (sva_sim_dma(x, d->dst + i, b, n, true, &done)) {
			x->cr.bytes_done = i + done;
			return;
		}
	}
	x->cr.bytes_done = d->size;
}

static void sva_sim_compare(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	const u32 half = SVA_SIM_BOUNCE_SIZE / 2;
	void *a = x->q->bounce, *b = x->q->bounce + half;
	size_t diff;
	u32 i, n;

	for (i = 0; i < d->size; i += n) {
		n = min_t(u32, d->size - i, half);
		x->cr.bytes_done = i;
		if (sva_sim_dma(x, d->src + i, a, n, false, NULL) ||
		    sva_sim_dma(x, d->dst + i, b, n, false, NULL))
			return;
		diff = sva_sim_first_diff(a, b, n);
		if (diff < n) {
			x->cr.result = 1;
			x->cr.bytes_done = i + diff;
			return;
		}
	}
	x->cr.bytes_done = d->size;
}

static void sva_sim_crc(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	void *b = x->q->bounce;
	u32 crc = (u32)d->pattern;
	u32 i, n;

	for (i = 0; i < d->size; i += n) {
		n = min_t(u32, d->size - i, SVA_SIM_BOUNCE_SIZE);
		x->cr.bytes_done = i;
		if (sva_sim_dma(x, d->src + i, b, n, false, NULL))
			return;
		crc = sva_sim_crc32c(crc, b, n);
	}
	x->cr.bytes_done = d->size;
	x->cr.crc = crc;
}

/* Write the record, its status byte last; a failure is counted. */
static bool sva_sim_write_cr(struct sva_sim_exec *x, u64 addr)
{
	struct vfio_nested_dma_result res;
	struct vfio_device *vdev = &x->q->sd->vdev;
	u8 *cr = (u8 *)&x->cr;
	int ret;

	for (;;) {
		ret = vfio_nested_dma(vdev, x->hpasid, addr + 1, cr + 1,
				      sizeof(x->cr) - 1, VFIO_NESTED_DMA_WRITE,
				      &res);
		x->page_requests += res.page_requests;
		if (!ret)
			ret = vfio_nested_dma(vdev, x->hpasid, addr, cr, 1,
					      VFIO_NESTED_DMA_WRITE, &res);
		if (ret != -EINTR || sva_sim_aborted(x))
			return !ret;
	}
}

static void sva_sim_exec_one(struct sva_sim_exec *x,
			     const struct sva_sim_desc *d, bool in_batch);

static void sva_sim_batch(struct sva_sim_exec *x, const struct sva_sim_desc *d)
{
	struct sva_sim_queue *q = x->q;
	u32 i, ok = 0;

	if (sva_sim_dma(x, d->src, q->batch, d->size * sizeof(*d), false,
			NULL)) {
		if (x->cr.status != SVA_SIM_COMP_ABORTED &&
		    x->cr.status != SVA_SIM_COMP_BAD_PASID)
			x->cr.fault_info |= SVA_SIM_FAULT_BATCH_LIST;
		return;
	}
	for (i = 0; i < d->size; i++) {
		struct sva_sim_exec y = {
			.q = q,
			.seq = x->seq,
			.hpasid = x->hpasid,
		};

		/* counts its own page requests and bytes */
		sva_sim_exec_one(&y, &q->batch[i], true);
		if (y.cr.status == SVA_SIM_COMP_SUCCESS)
			ok++;
	}
	x->cr.bytes_done = ok;
	if (ok != d->size)
		x->cr.status = sva_sim_aborted(x) ? SVA_SIM_COMP_ABORTED :
						    SVA_SIM_COMP_BATCH_FAIL;
}

/* Execute one descriptor, write its record, signal, count. */
static void sva_sim_exec_one(struct sva_sim_exec *x,
			     const struct sva_sim_desc *d, bool in_batch)
{
	struct sva_sim_queue *q = x->q;
	u32 invalid = in_batch ? sva_sim_desc_check(d, true) : 0;
	bool cr_fault = false, data = false;
	unsigned long flags;
	u64 *c = q->st.c;

	memset(&x->cr, 0, sizeof(x->cr));
	x->cr.status = SVA_SIM_COMP_SUCCESS;
	if (invalid) {
		x->cr.status = SVA_SIM_COMP_INVALID;
		x->cr.result = invalid;
	} else if (sva_sim_aborted(x)) {
		x->cr.status = SVA_SIM_COMP_ABORTED;
	} else {
		switch (d->opcode) {
		case SVA_SIM_OP_BATCH:
			sva_sim_batch(x, d);
			break;
		case SVA_SIM_OP_MEMMOVE:
			sva_sim_memmove(x, d);
			data = true;
			break;
		case SVA_SIM_OP_FILL:
			sva_sim_fill(x, d);
			data = true;
			break;
		case SVA_SIM_OP_COMPARE:
			sva_sim_compare(x, d);
			data = true;
			break;
		case SVA_SIM_OP_CRC32C:
			sva_sim_crc(x, d);
			data = true;
			break;
		default:
			/* noop; drain: the ring runs in order, all is done */
			break;
		}
	}
	if (data)
		x->bytes += x->cr.bytes_done;
	if ((d->flags & SVA_SIM_F_RCR) && d->completion &&
	    IS_ALIGNED(d->completion, 32))
		cr_fault = !sva_sim_write_cr(x, d->completion);

	spin_lock_irqsave(&q->lock, flags);
	c[SVA_SIM_ST_COMPLETED]++;
	switch (x->cr.status) {
	case SVA_SIM_COMP_SUCCESS:
		c[SVA_SIM_ST_SUCCESS]++;
		break;
	case SVA_SIM_COMP_ABORTED:
		c[SVA_SIM_ST_ABORTED]++;
		break;
	case SVA_SIM_COMP_PAGE_FAULT:
	case SVA_SIM_COMP_ADDR_ERROR:
		c[SVA_SIM_ST_FAULTS]++;
		break;
	case SVA_SIM_COMP_BAD_PASID:
		c[SVA_SIM_ST_BAD_PASID]++;
		break;
	}
	c[SVA_SIM_ST_PAGE_REQUESTS] += x->page_requests;
	c[SVA_SIM_ST_BYTES] += x->bytes;
	c[SVA_SIM_ST_CR_FAULTS] += cr_fault;
	c[SVA_SIM_ST_IRQS] += !!(d->flags & SVA_SIM_F_RCI);
	spin_unlock_irqrestore(&q->lock, flags);
	/* the batch's descriptors counted theirs */
	x->page_requests = 0;
	x->bytes = 0;

	if (d->flags & SVA_SIM_F_RCI)
		sva_sim_signal(q->sd, SVA_SIM_IRQ_COMPLETION, q->idx);
}

static void sva_sim_work(struct work_struct *work)
{
	struct sva_sim_queue *q = container_of(work, struct sva_sim_queue,
					       work);
	struct sva_sim_exec x = { .q = q };
	struct sva_sim_desc d;
	unsigned long flags;
	bool done = false;

	/* one lock section per descriptor: the last one's end, the next */
	spin_lock_irqsave(&q->lock, flags);
	for (;;) {
		if (done)
			sva_sim_ring_pop(&q->ring);
		if (q->ring.head == q->ring.tail) {
			q->busy = false;
			break;
		}
		x.seq = q->ring.head;
		d = q->entries[x.seq % q->ring.size].desc;
		x.hpasid = q->entries[x.seq % q->ring.size].hpasid;
		spin_unlock_irqrestore(&q->lock, flags);

		/* a waiter checks under the lock after queueing itself */
		if (done && wq_has_sleeper(&q->wq))
			wake_up_all(&q->wq);
		sva_sim_exec_one(&x, &d, false);
		done = true;
		cond_resched();
		spin_lock_irqsave(&q->lock, flags);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	wake_up_all(&q->wq);
}

/* May the queue take @pasid; *@hpasid the host PASID. Lock held. */
static bool sva_sim_pasid_ok(struct sva_sim_queue *q, u32 pasid, u32 *hpasid)
{
	lockdep_assert_held(&q->lock);
	if (q->mode == SVA_SIM_QUEUE_DEDICATED) {
		*hpasid = q->hpasid;
		return q->pasid_set && pasid == q->pasid;
	}
	if (!pasid)
		return false;
	if (q->guest)
		return kvm_pasid_translate(q->kp, pasid, hpasid);
	*hpasid = pasid;
	return true;
}

/**
 * sva_sim_submit() - offer a descriptor to a queue's portal
 * @q: the queue
 * @d: the descriptor (a copy the caller owns)
 *
 * Context: any (a spinlock with interrupts off; no sleeping).
 * Return: 0 accepted; not accepted: -ENXIO portal closed, -EINVAL
 * malformed, -EACCES PASID, -EAGAIN queue full.
 */
int sva_sim_submit(struct sva_sim_queue *q, const struct sva_sim_desc *d)
{
	u32 invalid = sva_sim_desc_check(d, false), idx, hpasid = 0;
	u64 *c = q->st.c;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&q->lock, flags);
	c[SVA_SIM_ST_SUBMITTED]++;
	if (!q->open) {
		c[SVA_SIM_ST_CLOSED]++;
		ret = -ENXIO;
	} else if (invalid) {
		c[SVA_SIM_ST_INVALID]++;
		ret = -EINVAL;
	} else if (!sva_sim_pasid_ok(q, d->pasid, &hpasid)) {
		c[SVA_SIM_ST_REFUSED]++;
		ret = -EACCES;
	} else if (!sva_sim_ring_push(&q->ring, &idx)) {
		c[SVA_SIM_ST_RETRY]++;
		ret = -EAGAIN;
	} else {
		c[SVA_SIM_ST_ACCEPTED]++;
		q->entries[idx].desc = *d;
		q->entries[idx].hpasid = hpasid;
		if (!q->busy) {
			q->busy = true;
			queue_work(sva_sim_wq, &q->work);
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return ret;
}

/* Take the submitted slots of the portal page; the kick's lock is held. */
static void sva_sim_kick(struct sva_sim_queue *q)
{
	struct sva_sim_portal *p = page_address(q->portal);
	struct sva_sim_desc d;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < SVA_SIM_PORTAL_SLOTS; i++) {
		/* the descriptor is read after the submitter's release */
		if (smp_load_acquire(&p->status[i]) != SVA_SIM_SLOT_SUBMIT)
			continue;
		memcpy(&d, &p->slot[i], sizeof(d));
		/* the answer after our read of the slot: it may reuse it */
		smp_store_release(&p->status[i],
				  sva_sim_slot_status(sva_sim_submit(q, &d)));
	}
	spin_lock_irqsave(&q->lock, flags);
	q->st.c[SVA_SIM_ST_KICKS]++;
	spin_unlock_irqrestore(&q->lock, flags);
}

/* The kick eventfd was written: called under its wait-queue lock. */
static int sva_sim_kick_wake(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct sva_sim_queue *q = container_of(wait, struct sva_sim_queue,
					       kick_wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(q->kick, &cnt);
		sva_sim_kick(q);
	}
	return 0;
}

static void sva_sim_kick_ptable(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct sva_sim_queue *q = container_of(pt, struct sva_sim_queue,
					       kick_pt);

	q->kick_wqh = wqh;
	add_wait_queue(wqh, &q->kick_wait);
}

/**
 * sva_sim_queue_set_kick() - replace the kick eventfd of a queue
 * @q: the queue
 * @fd: an eventfd, or -1 to remove it
 *
 * Context: process context, &sva_sim_dev.lock held.
 * Return: 0, -EBADF (@fd not open), -EINVAL (not an eventfd, or the page
 * size is not SVA_SIM_PORTAL_SIZE). On error nothing changed.
 */
int sva_sim_queue_set_kick(struct sva_sim_queue *q, int fd)
{
	struct eventfd_ctx *ctx = NULL;
	struct file *file = NULL;
	__poll_t events;
	u64 cnt;

	lockdep_assert_held(&q->sd->lock);
	if (fd < -1)
		return -EBADF;
	if (fd >= 0) {
		if (!sva_sim_mappable())
			return -EINVAL;
		file = fget(fd);
		if (!file)
			return -EBADF;
		ctx = eventfd_ctx_fileget(file);
		if (IS_ERR(ctx)) {
			fput(file);
			return -EINVAL;
		}
	}
	if (q->kick) {
		eventfd_ctx_remove_wait_queue(q->kick, &q->kick_wait, &cnt);
		eventfd_ctx_put(q->kick);
		q->kick = NULL;
	}
	if (!ctx)
		return 0;

	q->kick = ctx;
	init_waitqueue_func_entry(&q->kick_wait, sva_sim_kick_wake);
	init_poll_funcptr(&q->kick_pt, sva_sim_kick_ptable);
	events = vfs_poll(file, &q->kick_pt);
	if (events & EPOLLIN) {
		/* written before we listened: as if just now */
		spin_lock_irq(&q->kick_wqh->lock);
		eventfd_ctx_do_read(ctx, &cnt);
		sva_sim_kick(q);
		spin_unlock_irq(&q->kick_wqh->lock);
	}
	fput(file);
	return 0;
}

/**
 * sva_sim_queue_shut() - close a queue's portal
 * @q: the queue
 *
 * Context: &sva_sim_dev.lock held.
 * Return: the KVM attachment the queue held (the caller drops it with
 * kvm_pasid_put() once no lock is held), or NULL.
 */
struct kvm_pasid *sva_sim_queue_shut(struct sva_sim_queue *q)
{
	struct kvm_pasid *kp;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	q->open = false;
	q->guest = false;
	kp = q->kp;
	q->kp = NULL;
	spin_unlock_irqrestore(&q->lock, flags);
	return kp;
}

static bool sva_sim_reached(struct sva_sim_queue *q, u64 target)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&q->lock, flags);
	done = q->ring.head >= target;
	spin_unlock_irqrestore(&q->lock, flags);
	return done;
}

/**
 * sva_sim_queue_abort() - abort what a queue accepted so far, and wait
 * @q: the queue
 *
 * Every descriptor accepted before the call completes with
 * SVA_SIM_COMP_ABORTED (a batch's remaining descriptors too) or, when it
 * was finishing, its own status. Page request waits of the device are
 * ended with vfio_nested_dma_abort() until the queue reached its target:
 * the wait is bounded, whatever the VMM does.
 *
 * Context: process context, may sleep; &sva_sim_dev.lock held.
 */
void sva_sim_queue_abort(struct sva_sim_queue *q)
{
	unsigned long flags;
	u64 target;

	spin_lock_irqsave(&q->lock, flags);
	target = q->ring.tail;
	q->abort_until = max(q->abort_until, target);
	spin_unlock_irqrestore(&q->lock, flags);
	while (!sva_sim_reached(q, target)) {
		vfio_nested_dma_abort(&q->sd->vdev);
		wait_event_timeout(q->wq, sva_sim_reached(q, target),
				   msecs_to_jiffies(10));
	}
}

/**
 * sva_sim_queue_wait() - wait for what a queue accepted so far
 * @q: the queue
 *
 * Context: process context, may sleep; no lock held (the descriptors may
 * need the VMM to answer page requests).
 * Return: 0, or -EINTR when a signal arrived first.
 */
int sva_sim_queue_wait(struct sva_sim_queue *q)
{
	unsigned long flags;
	u64 target;

	spin_lock_irqsave(&q->lock, flags);
	target = q->ring.tail;
	spin_unlock_irqrestore(&q->lock, flags);
	if (wait_event_interruptible(q->wq, sva_sim_reached(q, target)))
		return -EINTR;
	return 0;
}

/**
 * sva_sim_queue_open() - set a queue up when the device fd is opened
 * @sd: the device
 * @i: the queue
 *
 * Context: process context; &sva_sim_dev.lock held.
 * Return: 0 or -ENOMEM (nothing to undo).
 */
int sva_sim_queue_open(struct sva_sim_dev *sd, unsigned int i)
{
	struct sva_sim_queue *q = &sd->q[i];

	memset(q, 0, sizeof(*q));
	q->sd = sd;
	q->idx = i;
	q->mode = sd->cfg.mode[i];
	q->ring.size = sd->cfg.size[i];
	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->wq);
	INIT_WORK(&q->work, sva_sim_work);
	q->portal = sd->portal[i];
	clear_page(page_address(q->portal));
	q->entries = kcalloc(q->ring.size, sizeof(*q->entries),
			     GFP_KERNEL_ACCOUNT);
	q->bounce = kvmalloc(SVA_SIM_BOUNCE_SIZE, GFP_KERNEL_ACCOUNT);
	q->batch = kmalloc_array(SVA_SIM_MAX_BATCH, sizeof(*q->batch),
				 GFP_KERNEL_ACCOUNT);
	if (!q->entries || !q->bounce || !q->batch) {
		sva_sim_queue_close(q);
		return -ENOMEM;
	}
	return 0;
}

/**
 * sva_sim_queue_close() - tear a queue down when the device fd is closed
 * @q: the queue (set up by sva_sim_queue_open(), maybe half)
 *
 * Closes the portal, aborts and waits for every descriptor, removes the
 * kick, frees the buffers.
 *
 * Context: process context; &sva_sim_dev.lock held.
 */
void sva_sim_queue_close(struct sva_sim_queue *q)
{
	struct kvm_pasid *kp = sva_sim_queue_shut(q);

	sva_sim_queue_abort(q);
	if (kp)
		kvm_pasid_put(kp);
	sva_sim_queue_set_kick(q, -1);
	flush_work(&q->work);
	kfree(q->batch);
	kvfree(q->bounce);
	kfree(q->entries);
	q->batch = NULL;
	q->bounce = NULL;
	q->entries = NULL;
}

/**
 * sva_sim_signal() - signal an interrupt's eventfd, if set
 * @sd: the device
 * @index: SVA_SIM_IRQ_COMPLETION or SVA_SIM_IRQ_REQ
 * @vector: the queue, for SVA_SIM_IRQ_COMPLETION
 *
 * Context: any; no queue lock held.
 */
void sva_sim_signal(struct sva_sim_dev *sd, unsigned int index,
		    unsigned int vector)
{
	struct eventfd_ctx *ctx;
	unsigned long flags;

	spin_lock_irqsave(&sd->irq_lock, flags);
	ctx = index == SVA_SIM_IRQ_COMPLETION ? sd->irq[vector] : sd->req;
	if (ctx)
		eventfd_signal(ctx);
	spin_unlock_irqrestore(&sd->irq_lock, flags);
}
