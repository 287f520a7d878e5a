// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the fault queue, the fault fd and page requests.
 *
 * The queue holds, in the order they were reported, unrecoverable fault
 * records (from a pool of @depth preallocated entries, so that a reporter
 * never allocates nor sleeps) and page request groups (allocated by their
 * reporter, which sleeps until the group is answered; at most @depth at a
 * time). A reader takes records from the head; a group leaves the delivery
 * list once its last record was read and waits on the pending list for its
 * response. Faults that find the pool empty and page requests that find
 * @depth groups outstanding are counted; the counts are delivered as an
 * overflow record placed after the records queued before the first of
 * them.
 *
 * Every group is answered exactly once, by vn_fault_answer() under
 * q->lock: by a response, the fd's release, the queue's shutdown,
 * vn_fault_abort() or its reporter being killed. Answering takes it off
 * every list and the cookie table and completes it; only then may its
 * reporter free it. None of these waits for a reader: a reader copies a
 * record out without q->lock, and afterwards advances only if the head of
 * the queue is still the item it copied from (by sequence number), since
 * the item may have been answered and freed meanwhile. The lock order is
 * in fault.h.
 */
#include <kunit/visibility.h>
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/vfio_iommu_nested.h>
#include <linux/xarray.h>
#include "nested_private.h"
#include "fault.h"

static_assert(sizeof(struct vfio_nested_fault) == 64);
static_assert(sizeof(struct vfio_nested_page_response) == 16);

#define VN_FAULT_PERM_MASK						\
	(VFIO_NESTED_FAULT_PERM_READ | VFIO_NESTED_FAULT_PERM_WRITE |	\
	 VFIO_NESTED_FAULT_PERM_EXEC | VFIO_NESTED_FAULT_PERM_PRIV)
/* PCIe's Page Request Group Index is 9 bits wide. */
#define VN_FAULT_GRPID_MASK	0x1ff
/* Page requests name 4 KiB pages. */
#define VN_FAULT_PAGE_MASK	(~0xfffULL)

/* What sits on q->deliver: an unrecoverable record or a page request group. */
struct vn_fault_item {
	struct list_head node;
	u64 seq;
	bool is_group;
};

struct vn_fault_evt {
	struct vn_fault_item item;
	struct vfio_nested_fault rec;
};

enum vn_fault_group_state {
	VN_GROUP_NEW,		/* in q->groups only, not yet queued */
	VN_GROUP_QUEUED,	/* on q->deliver, not read whole */
	VN_GROUP_PENDING,	/* on q->pending: read whole, may be answered */
	VN_GROUP_ANSWERED,	/* on no list; its reporter owns it again */
};

struct vn_fault_group {
	struct vn_fault_item item;
	struct completion done;
	enum vn_fault_group_state state;
	int code;
	u32 cookie;
	u32 pasid;
	bool has_pasid;
	bool sunk;			/* handed to a fault sink (kapi.c) */
	unsigned int n;
	unsigned int nread;
	struct vfio_nested_fault recs[];
};

struct vn_fault_queue {
	struct kref ref;
	unsigned int depth;
	/* Serializes readers: only a reader removes unrecoverable records. */
	struct mutex read_mutex;
	/* Protects what follows; nothing sleeps holding it. */
	spinlock_t lock;
	struct list_head deliver;	/* items to read, oldest first */
	struct list_head pending;	/* groups read whole, not answered */
	struct list_head free;		/* unused entries of @evts */
	struct vn_fault_evt *evts;
	u64 seq;			/* of the newest item queued */
	unsigned int queued;		/* records of @evts on @deliver */
	unsigned int ngroups;		/* groups queued or pending */
	u32 ovf_lost;			/* not reported yet */
	u32 ovf_refused;		/* not reported yet */
	u64 ovf_after;			/* they go after the items up to this seq */
	u64 lost, refused, answered;	/* totals */
	bool fd_open;
	bool dead;
	/* Cookie -> group, for every group not answered (own irq-safe lock). */
	struct xarray groups;
	u32 next_cookie;
	wait_queue_head_t wait;		/* readers and pollers */
	/* dev_id -> struct vfio_nested_fault_sink; read under @lock */
	struct xarray sinks;
};

static void vn_fault_queue_release(struct kref *ref)
{
	struct vn_fault_queue *q = container_of(ref, struct vn_fault_queue, ref);

	WARN_ON_ONCE(q->ngroups || !xa_empty(&q->groups));
	xa_destroy(&q->groups);
	xa_destroy(&q->sinks);
	mutex_destroy(&q->read_mutex);
	kvfree(q->evts);
	kfree(q);
}

/**
 * vn_fault_queue_alloc() - allocate a container's fault queue
 * @depth: most unread unrecoverable records, and most page request groups
 *	not answered, the queue holds (VN_FAULT_DEPTH_MIN to VN_FAULT_DEPTH_MAX)
 *
 * Context: process context, may sleep.
 * Return: the queue, holding one reference for the caller;
 * ERR_PTR(-EINVAL) for a @depth out of bounds, ERR_PTR(-ENOMEM).
 */
struct vn_fault_queue *vn_fault_queue_alloc(unsigned int depth)
{
	struct vn_fault_queue *q;
	unsigned int i;

	if (depth < VN_FAULT_DEPTH_MIN || depth > VN_FAULT_DEPTH_MAX)
		return ERR_PTR(-EINVAL);
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->evts = kvcalloc(depth, sizeof(*q->evts), GFP_KERNEL_ACCOUNT);
	if (!q->evts) {
		kfree(q);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&q->ref);
	q->depth = depth;
	mutex_init(&q->read_mutex);
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->deliver);
	INIT_LIST_HEAD(&q->pending);
	INIT_LIST_HEAD(&q->free);
	for (i = 0; i < depth; i++)
		list_add_tail(&q->evts[i].item.node, &q->free);
	xa_init_flags(&q->groups, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_IRQ);
	xa_init(&q->sinks);
	init_waitqueue_head(&q->wait);
	return q;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_alloc);

/**
 * vn_fault_queue_put() - drop a reference to a fault queue
 * @q: the queue, or NULL
 *
 * The last reference frees it. The container drops its own after
 * vn_fault_queue_shutdown(); an open fault fd and a waiting reporter each
 * hold one of their own.
 */
void vn_fault_queue_put(struct vn_fault_queue *q)
{
	if (q)
		kref_put(&q->ref, vn_fault_queue_release);
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_put);

/**
 * vn_fault_queue_depth() - the depth a fault queue was allocated with
 * @q: the queue
 *
 * Return: the depth, for the capability query.
 */
unsigned int vn_fault_queue_depth(struct vn_fault_queue *q)
{
	return q->depth;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_depth);

/**
 * vn_fault_queue_stats() - a snapshot of a fault queue's counters
 * @q: the queue
 * @st: filled with the counters
 */
void vn_fault_queue_stats(struct vn_fault_queue *q, struct vn_fault_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	st->queued = q->queued;
	st->groups = q->ngroups;
	st->lost = q->lost;
	st->refused = q->refused;
	st->answered = q->answered;
	spin_unlock_irqrestore(&q->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_stats);

static bool vn_fault_ovf_pending(struct vn_fault_queue *q)
{
	return q->ovf_lost || q->ovf_refused;
}

/* A fault lost or a page request refused: count it for the next overflow record. */
static void vn_fault_overflow(struct vn_fault_queue *q, bool refused)
{
	lockdep_assert_held(&q->lock);
	if (!vn_fault_ovf_pending(q))
		q->ovf_after = q->seq;
	if (refused) {
		q->refused++;
		if (q->ovf_refused != U32_MAX)
			q->ovf_refused++;
	} else {
		q->lost++;
		if (q->ovf_lost != U32_MAX)
			q->ovf_lost++;
	}
}

static void vn_fault_enqueue(struct vn_fault_queue *q, struct vn_fault_item *it)
{
	lockdep_assert_held(&q->lock);
	it->seq = ++q->seq;
	list_add_tail(&it->node, &q->deliver);
}

static bool vn_fault_readable(struct vn_fault_queue *q)
{
	lockdep_assert_held(&q->lock);
	return !list_empty(&q->deliver) || vn_fault_ovf_pending(q);
}

static void vn_fault_fill(struct vfio_nested_fault *rec,
			  const struct vn_fault_info *f, u32 kind)
{
	memset(rec, 0, sizeof(*rec));
	rec->size = sizeof(*rec);
	rec->kind = kind;
	rec->dev_id = f->dev_id;
	if (f->has_pasid) {
		rec->flags |= VFIO_NESTED_FAULT_PASID_VALID;
		rec->pasid = f->pasid;
	}
	if (f->has_gpa) {
		rec->flags |= VFIO_NESTED_FAULT_GPA_VALID;
		rec->gpa = f->gpa;
	}
	rec->perm = f->perm & VN_FAULT_PERM_MASK;
	rec->reason = f->reason;
	rec->addr = f->addr;
}

/* A fault of a device with a sink goes to the sink, not to the queue. */
static bool vn_fault_sink_report(struct vn_fault_queue *q,
				 const struct vn_fault_info *f)
{
	const struct vfio_nested_fault_sink *sink;
	struct vfio_nested_fault rec;

	lockdep_assert_held(&q->lock);
	sink = xa_load(&q->sinks, f->dev_id);
	if (!sink)
		return false;
	vn_fault_fill(&rec, f, VFIO_NESTED_FAULT_UNRECOVERABLE);
	sink->ops->fault(sink->priv, &rec);
	return true;
}

/**
 * vn_fault_report() - report an unrecoverable fault
 * @q: the container's fault queue
 * @f: the faulting access
 *
 * Queue a record for the fault fd's reader. Never waits: when the queue
 * holds @depth unread records already, the fault is lost, counted and
 * reported by the next overflow record.
 *
 * Context: any context but NMI; takes a spinlock with interrupts off.
 * Return: 0 when queued; -ENOSPC when the queue was full (counted);
 * -ESHUTDOWN after vn_fault_queue_shutdown().
 */
int vn_fault_report(struct vn_fault_queue *q, const struct vn_fault_info *f)
{
	struct vn_fault_evt *e;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&q->lock, flags);
	if (q->dead) {
		spin_unlock_irqrestore(&q->lock, flags);
		return -ESHUTDOWN;
	}
	if (vn_fault_sink_report(q, f)) {
		spin_unlock_irqrestore(&q->lock, flags);
		return 0;
	}
	e = list_first_entry_or_null(&q->free, struct vn_fault_evt, item.node);
	if (e) {
		list_del(&e->item.node);
		vn_fault_fill(&e->rec, f, VFIO_NESTED_FAULT_UNRECOVERABLE);
		e->item.is_group = false;
		vn_fault_enqueue(q, &e->item);
		q->queued++;
	} else {
		vn_fault_overflow(q, false);
		ret = -ENOSPC;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	wake_up_interruptible(&q->wait);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_report);

/*
 * Answer @g with @code: take it off its list and the cookie table and wake
 * its reporter, which may free it at once: @g is not touched after.
 */
static void vn_fault_answer(struct vn_fault_queue *q, struct vn_fault_group *g,
			    int code)
{
	lockdep_assert_held(&q->lock);
	if (WARN_ON_ONCE(g->state != VN_GROUP_QUEUED &&
			 g->state != VN_GROUP_PENDING))
		return;
	list_del(&g->item.node);
	xa_erase(&q->groups, g->cookie);
	q->ngroups--;
	q->answered++;
	g->code = code;
	g->state = VN_GROUP_ANSWERED;
	complete(&g->done);
}

static bool vn_fault_group_match(struct vn_fault_group *g, u32 pasid,
				 bool has_pasid, bool all)
{
	if (all)
		return true;
	if (has_pasid)
		return g->has_pasid && g->pasid == pasid;
	return !g->has_pasid;
}

/* Answer with @code every group of the queue that matches. */
static void vn_fault_answer_all(struct vn_fault_queue *q, int code, u32 pasid,
				bool has_pasid, bool all)
{
	struct vn_fault_group *g, *gn;
	struct vn_fault_item *it, *itn;

	lockdep_assert_held(&q->lock);
	list_for_each_entry_safe(it, itn, &q->deliver, node) {
		if (!it->is_group)
			continue;
		g = container_of(it, struct vn_fault_group, item);
		if (vn_fault_group_match(g, pasid, has_pasid, all))
			vn_fault_answer(q, g, code);
	}
	list_for_each_entry_safe(g, gn, &q->pending, item.node)
		if (vn_fault_group_match(g, pasid, has_pasid, all))
			vn_fault_answer(q, g, code);
}

/**
 * vn_fault_page_request() - raise a page request group and wait for its answer
 * @q: the container's fault queue
 * @pages: the pages of the group, all of one device and one PASID (or none);
 *	@pages[0].grpid is the group's index
 * @n: how many (1 to VN_FAULT_GROUP_MAX)
 *
 * Queue one record per page for the fault fd's reader, the last one
 * flagged VFIO_NESTED_FAULT_LAST_PAGE, and wait until the group is
 * answered: by a page response written to the fault fd, or by the fd's
 * close or the queue's shutdown (VFIO_NESTED_PAGE_RESP_FAILURE), or by
 * vn_fault_abort() for its PASID (VFIO_NESTED_PAGE_RESP_INVALID). The wait
 * ends early when the task is killed.
 *
 * Context: process context, may sleep. The caller must hold no lock of the
 * container (see fault.h) and must keep @q alive for the call.
 * Return: the response code (enum vfio_nested_page_resp_code), or a
 * negative errno the caller treats as a Response Failure: -ENOSPC the queue
 * holds @depth groups already (counted and reported as refused), -ENOTCONN
 * no fault fd is open, -ESHUTDOWN the queue is shut down, -EINTR the task
 * was killed, -EINVAL @n out of bounds or pages of different PASIDs,
 * -ENOMEM.
 */
int vn_fault_page_request(struct vn_fault_queue *q,
			  const struct vn_fault_info *pages, unsigned int n)
{
	const struct vfio_nested_fault_sink *sink;
	struct vn_fault_group *g;
	unsigned int i;
	int ret;

	might_sleep();
	if (!n || n > VN_FAULT_GROUP_MAX)
		return -EINVAL;
	for (i = 1; i < n; i++)
		if (pages[i].has_pasid != pages[0].has_pasid ||
		    (pages[0].has_pasid && pages[i].pasid != pages[0].pasid))
			return -EINVAL;

	g = kzalloc(struct_size(g, recs, n), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	init_completion(&g->done);
	g->item.is_group = true;
	g->state = VN_GROUP_NEW;
	g->n = n;
	g->pasid = pages[0].pasid;
	g->has_pasid = pages[0].has_pasid;
	ret = xa_alloc_cyclic_irq(&q->groups, &g->cookie, g, xa_limit_32b,
				  &q->next_cookie, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		kfree(g);
		return ret;
	}
	for (i = 0; i < n; i++) {
		struct vfio_nested_fault *rec = &g->recs[i];

		vn_fault_fill(rec, &pages[i], VFIO_NESTED_FAULT_PAGE_REQ);
		rec->addr &= VN_FAULT_PAGE_MASK;
		rec->grpid = pages[0].grpid & VN_FAULT_GRPID_MASK;
		rec->cookie = g->cookie;
	}
	g->recs[n - 1].flags |= VFIO_NESTED_FAULT_LAST_PAGE;

	kref_get(&q->ref);
	spin_lock_irq(&q->lock);
	sink = xa_load(&q->sinks, pages[0].dev_id);
	if (q->dead) {
		ret = -ESHUTDOWN;
	} else if (!q->fd_open && !sink) {
		ret = -ENOTCONN;
	} else if (q->ngroups >= q->depth) {
		vn_fault_overflow(q, true);
		ret = -ENOSPC;
	} else if (sink) {
		/* Pending at once: the sink's owner answers it by cookie. */
		q->ngroups++;
		g->sunk = true;
		g->state = VN_GROUP_PENDING;
		list_add_tail(&g->item.node, &q->pending);
		sink->ops->page_request(sink->priv, g->recs, n);
		ret = 0;
	} else {
		q->ngroups++;
		g->state = VN_GROUP_QUEUED;
		vn_fault_enqueue(q, &g->item);
		ret = 0;
	}
	if (ret)
		xa_erase(&q->groups, g->cookie);
	spin_unlock_irq(&q->lock);
	wake_up_interruptible(&q->wait);
	if (ret)
		goto out;

	if (wait_for_completion_killable(&g->done)) {
		/* Killed: withdraw the group unless it was answered meanwhile. */
		spin_lock_irq(&q->lock);
		if (g->state != VN_GROUP_ANSWERED)
			vn_fault_answer(q, g, -EINTR);
		spin_unlock_irq(&q->lock);
	}
	ret = g->code;
out:
	kfree(g);
	vn_fault_queue_put(q);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_page_request);

/**
 * vn_fault_abort_dev() - end the page request waits of a device
 * @q: the container's fault queue
 * @dev_id: the device, as its records name it (&vfio_nested_fault.dev_id)
 *
 * Every page request group of that device, read or not, is answered
 * -EINTR: its DMA ends as if its task had been killed
 * (VFIO_NESTED_DMA_ABORTED); a page response to it later is refused. For a
 * device model that resets, drains or goes away while its worker waits.
 * Groups raised after the call are not affected.
 *
 * Context: any context but NMI; never sleeps, never waits for a reader.
 * Return: the number of groups answered.
 */
unsigned int vn_fault_abort_dev(struct vn_fault_queue *q, u32 dev_id)
{
	struct vn_fault_group *g, *gn;
	struct vn_fault_item *it, *itn;
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry_safe(it, itn, &q->deliver, node) {
		if (!it->is_group)
			continue;
		g = container_of(it, struct vn_fault_group, item);
		if (g->recs[0].dev_id == dev_id) {
			vn_fault_answer(q, g, -EINTR);
			n++;
		}
	}
	list_for_each_entry_safe(g, gn, &q->pending, item.node) {
		if (g->recs[0].dev_id == dev_id) {
			vn_fault_answer(q, g, -EINTR);
			n++;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_abort_dev);

/**
 * vn_fault_abort() - answer the page requests of a PASID that goes away
 * @q: the container's fault queue
 * @pasid: the PASID, with @has_pasid
 * @has_pasid: false for the requests without PASID (the RID's stage 1)
 *
 * Every page request group of that PASID, read or not, is answered
 * VFIO_NESTED_PAGE_RESP_INVALID; a response to it later is refused. Called
 * on unbind, after new DMA through the PASID can no longer raise requests.
 *
 * Context: any context but NMI; never sleeps, never waits for a reader.
 */
void vn_fault_abort(struct vn_fault_queue *q, u32 pasid, bool has_pasid)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	vn_fault_answer_all(q, VFIO_NESTED_PAGE_RESP_INVALID, pasid, has_pasid,
			    false);
	spin_unlock_irqrestore(&q->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_abort);

/**
 * vn_fault_set_sink() - send a device's faults to a sink, or back
 * @q: the container's fault queue
 * @dev_id: the device, as fault records name it
 * @sink: the sink (see struct vfio_nested_fault_sink), or NULL to clear
 *
 * Clearing answers VFIO_NESTED_PAGE_RESP_FAILURE every page request the
 * sink was given and not answered yet; once it returns, no callback of
 * the old sink runs or will run.
 *
 * Context: process context, may sleep; none of the queue's locks held.
 * Return: 0; -EBUSY: setting, and the device has a sink; -ENOENT:
 * clearing, and it has none; -ENOMEM.
 */
int vn_fault_set_sink(struct vn_fault_queue *q, u32 dev_id,
		      const struct vfio_nested_fault_sink *sink)
{
	struct vn_fault_group *g, *gn;
	void *old;

	if (sink)
		return xa_insert(&q->sinks, dev_id, (void *)sink, GFP_KERNEL);
	old = xa_erase(&q->sinks, dev_id);
	if (!old)
		return -ENOENT;
	/* Callbacks run under q->lock: none runs past this point. */
	spin_lock_irq(&q->lock);
	list_for_each_entry_safe(g, gn, &q->pending, item.node)
		if (g->sunk && g->recs[0].dev_id == dev_id)
			vn_fault_answer(q, g, VFIO_NESTED_PAGE_RESP_FAILURE);
	spin_unlock_irq(&q->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_set_sink);

/**
 * vn_fault_respond() - answer a page request group handed to a sink
 * @q: the container's fault queue
 * @cookie: the group's cookie
 * @code: enum vfio_nested_page_resp_code
 *
 * Context: any context but NMI; never sleeps.
 * Return: 0; -EINVAL for an unknown @code, or when @cookie names no
 * pending group given to a sink (answered already, aborted, never given).
 */
int vn_fault_respond(struct vn_fault_queue *q, u32 cookie, u32 code)
{
	struct vn_fault_group *g;
	unsigned long flags;
	int ret = 0;

	if (code != VFIO_NESTED_PAGE_RESP_SUCCESS &&
	    code != VFIO_NESTED_PAGE_RESP_INVALID &&
	    code != VFIO_NESTED_PAGE_RESP_FAILURE)
		return -EINVAL;
	spin_lock_irqsave(&q->lock, flags);
	g = xa_load(&q->groups, cookie);
	if (g && g->sunk && g->state == VN_GROUP_PENDING)
		vn_fault_answer(q, g, code);
	else
		ret = -EINVAL;
	spin_unlock_irqrestore(&q->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_respond);

/**
 * vn_fault_queue_shutdown() - the container goes away
 * @q: the container's fault queue
 *
 * Answer every page request VFIO_NESTED_PAGE_RESP_FAILURE, refuse new
 * reports and page requests (-ESHUTDOWN) and new fault fds; a reader of an
 * open fault fd reads what is queued, then end of file, and poll reports
 * EPOLLHUP. Idempotent.
 *
 * Context: process context; never waits for a reader.
 */
void vn_fault_queue_shutdown(struct vn_fault_queue *q)
{
	spin_lock_irq(&q->lock);
	q->dead = true;
	vn_fault_answer_all(q, VFIO_NESTED_PAGE_RESP_FAILURE, 0, false, true);
	spin_unlock_irq(&q->lock);
	wake_up_interruptible_all(&q->wait);
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_shutdown);

/* What the reader took from the head of the queue, to copy out. */
struct vn_fault_taken {
	struct vfio_nested_fault rec;
	u64 seq;			/* of the item; 0 for an overflow record */
	unsigned int nread;		/* of the group, when it was taken */
	u32 lost, refused;		/* of an overflow record */
	u64 after;
	bool dead;			/* the queue is shut down */
};

/*
 * Take the next record: an overflow record when one is due before the
 * head, else the head's (next) record. The head stays queued until
 * vn_fault_advance(), which finds it again by its sequence number.
 */
static bool vn_fault_peek(struct vn_fault_queue *q, struct vn_fault_taken *p)
{
	struct vn_fault_item *it;
	struct vn_fault_group *g;

	lockdep_assert_held(&q->read_mutex);
	spin_lock_irq(&q->lock);
	p->dead = q->dead;
	it = list_first_entry_or_null(&q->deliver, struct vn_fault_item, node);
	if (vn_fault_ovf_pending(q) && (!it || it->seq > q->ovf_after)) {
		memset(&p->rec, 0, sizeof(p->rec));
		p->rec.size = sizeof(p->rec);
		p->rec.kind = VFIO_NESTED_FAULT_OVERFLOW;
		p->rec.lost = q->ovf_lost;
		p->rec.refused = q->ovf_refused;
		p->lost = q->ovf_lost;
		p->refused = q->ovf_refused;
		p->after = q->ovf_after;
		p->seq = 0;
		q->ovf_lost = 0;
		q->ovf_refused = 0;
	} else if (it && it->is_group) {
		g = container_of(it, struct vn_fault_group, item);
		p->rec = g->recs[g->nread];
		p->seq = it->seq;
		p->nread = g->nread;
	} else if (it) {
		p->rec = container_of(it, struct vn_fault_evt, item)->rec;
		p->seq = it->seq;
	}
	spin_unlock_irq(&q->lock);
	return it || p->rec.kind == VFIO_NESTED_FAULT_OVERFLOW;
}

/*
 * The record taken was copied out (@copied) or not: consume or restore it.
 * A group answered while its record was copied is off the queue already
 * (and maybe freed): it is not the head any more, nothing to consume.
 */
static void vn_fault_advance(struct vn_fault_queue *q, struct vn_fault_taken *p,
			     bool copied)
{
	struct vn_fault_item *it;
	struct vn_fault_group *g;

	lockdep_assert_held(&q->read_mutex);
	spin_lock_irq(&q->lock);
	it = list_first_entry_or_null(&q->deliver, struct vn_fault_item, node);
	if (!p->seq) {
		if (!copied) {
			q->ovf_lost = min_t(u64, (u64)q->ovf_lost + p->lost,
					    U32_MAX);
			q->ovf_refused = min_t(u64, (u64)q->ovf_refused +
					       p->refused, U32_MAX);
			q->ovf_after = p->after;
		}
	} else if (!copied || !it || it->seq != p->seq) {
		/* nothing was taken, or the group was answered meanwhile */
	} else if (it->is_group) {
		g = container_of(it, struct vn_fault_group, item);
		if (g->nread == p->nread && ++g->nread == g->n) {
			list_move_tail(&g->item.node, &q->pending);
			g->state = VN_GROUP_PENDING;
		}
	} else {
		list_move(&it->node, &q->free);
		q->queued--;
	}
	spin_unlock_irq(&q->lock);
}

static bool vn_fault_wait_cond(struct vn_fault_queue *q)
{
	bool ret;

	spin_lock_irq(&q->lock);
	ret = vn_fault_readable(q) || q->dead;
	spin_unlock_irq(&q->lock);
	return ret;
}

/**
 * vn_fault_read_records() - the fault fd's read
 * @q: the queue
 * @to: where the records go
 * @nonblock: do not wait for a record
 *
 * Return: the bytes read (whole records); 0 at end of file (shut down,
 * nothing left); -EINVAL for room for less than one record, -EAGAIN,
 * -ERESTARTSYS, -EFAULT.
 */
VISIBLE_IF_KUNIT ssize_t vn_fault_read_records(struct vn_fault_queue *q,
					       struct iov_iter *to,
					       bool nonblock)
{
	const size_t rsz = sizeof(struct vfio_nested_fault);
	struct vn_fault_taken p;
	size_t done = 0;
	int ret = 0;

	if (iov_iter_count(to) < rsz)
		return -EINVAL;
	if (mutex_lock_interruptible(&q->read_mutex))
		return -ERESTARTSYS;
	while (iov_iter_count(to) >= rsz) {
		memset(&p, 0, sizeof(p));
		if (!vn_fault_peek(q, &p)) {
			if (done || p.dead)
				break;
			if (nonblock) {
				ret = -EAGAIN;
				break;
			}
			mutex_unlock(&q->read_mutex);
			if (wait_event_interruptible(q->wait,
						     vn_fault_wait_cond(q)))
				return -ERESTARTSYS;
			if (mutex_lock_interruptible(&q->read_mutex))
				return -ERESTARTSYS;
			continue;
		}
		if (copy_to_iter(&p.rec, rsz, to) != rsz) {
			vn_fault_advance(q, &p, false);
			ret = -EFAULT;
			break;
		}
		vn_fault_advance(q, &p, true);
		done += rsz;
	}
	mutex_unlock(&q->read_mutex);
	return done ? done : ret;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_read_records);

/* Bytes past the kernel's response must be zero. */
static int vn_fault_check_tail(struct iov_iter *from, size_t len)
{
	u8 buf[32];
	size_t chunk, i;

	while (len) {
		chunk = min(len, sizeof(buf));
		if (copy_from_iter(buf, chunk, from) != chunk)
			return -EFAULT;
		for (i = 0; i < chunk; i++)
			if (buf[i])
				return -E2BIG;
		len -= chunk;
	}
	return 0;
}

/**
 * vn_fault_write_responses() - the fault fd's write
 * @q: the queue
 * @from: the page responses
 *
 * Return: the bytes of the responses taken, if any; else the error of the
 * first one: -EINVAL (short, bad @size or @code, no pending group of that
 * cookie), -EOPNOTSUPP (flags), -E2BIG (non-zero tail), -EFAULT.
 */
VISIBLE_IF_KUNIT ssize_t vn_fault_write_responses(struct vn_fault_queue *q,
						  struct iov_iter *from)
{
	const size_t rsz = sizeof(struct vfio_nested_page_response);
	struct vfio_nested_page_response r;
	struct vn_fault_group *g;
	size_t done = 0, left;
	int ret = 0;

	if (!iov_iter_count(from))
		return 0;
	while ((left = iov_iter_count(from))) {
		if (left < rsz) {
			ret = -EINVAL;
			break;
		}
		if (copy_from_iter(&r, rsz, from) != rsz) {
			ret = -EFAULT;
			break;
		}
		if (r.size < rsz || r.size > left) {
			ret = -EINVAL;
			break;
		}
		ret = vn_fault_check_tail(from, r.size - rsz);
		if (ret)
			break;
		if (r.flags) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (r.code != VFIO_NESTED_PAGE_RESP_SUCCESS &&
		    r.code != VFIO_NESTED_PAGE_RESP_INVALID &&
		    r.code != VFIO_NESTED_PAGE_RESP_FAILURE) {
			ret = -EINVAL;
			break;
		}
		spin_lock_irq(&q->lock);
		g = xa_load(&q->groups, r.cookie);
		/* a group given to a sink is answered through the sink's owner */
		if (g && g->state == VN_GROUP_PENDING && !g->sunk)
			vn_fault_answer(q, g, r.code);
		else
			ret = -EINVAL;
		spin_unlock_irq(&q->lock);
		if (ret)
			break;
		done += r.size;
	}
	return done ? done : ret;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_write_responses);

static ssize_t vn_fault_fop_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct vn_fault_queue *q = iocb->ki_filp->private_data;
	bool nonblock = (iocb->ki_filp->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);

	return vn_fault_read_records(q, to, nonblock);
}

static ssize_t vn_fault_fop_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	return vn_fault_write_responses(iocb->ki_filp->private_data, from);
}

static __poll_t vn_fault_fop_poll(struct file *file, poll_table *wait)
{
	struct vn_fault_queue *q = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &q->wait, wait);
	spin_lock_irq(&q->lock);
	if (vn_fault_readable(q))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (q->dead)
		mask |= EPOLLHUP;
	spin_unlock_irq(&q->lock);
	return mask;
}

/* Closing the fd answers every page request: nobody else will. */
static int vn_fault_fop_release(struct inode *inode, struct file *file)
{
	struct vn_fault_queue *q = file->private_data;

	struct vn_fault_group *g, *gn;
	struct vn_fault_item *it, *itn;

	spin_lock_irq(&q->lock);
	q->fd_open = false;
	/* every group but those given to a fault sink (kapi.c): not ours */
	list_for_each_entry_safe(it, itn, &q->deliver, node) {
		if (it->is_group)
			vn_fault_answer(q, container_of(it, struct vn_fault_group,
							item),
					VFIO_NESTED_PAGE_RESP_FAILURE);
	}
	list_for_each_entry_safe(g, gn, &q->pending, item.node)
		if (!g->sunk)
			vn_fault_answer(q, g, VFIO_NESTED_PAGE_RESP_FAILURE);
	spin_unlock_irq(&q->lock);
	vn_fault_queue_put(q);
	return 0;
}

static const struct file_operations vn_fault_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= vn_fault_fop_read_iter,
	.write_iter	= vn_fault_fop_write_iter,
	.poll		= vn_fault_fop_poll,
	.release	= vn_fault_fop_release,
};

/**
 * vn_fault_queue_get_file() - open the fault fd's file
 * @q: the queue
 *
 * Return: a new file holding a reference to @q, read-write, not seekable;
 * ERR_PTR(-EBUSY) while another is open, ERR_PTR(-ESHUTDOWN) after
 * shutdown, or the error of the file's allocation.
 */
VISIBLE_IF_KUNIT struct file *vn_fault_queue_get_file(struct vn_fault_queue *q)
{
	struct file *file;
	int ret = 0;

	/* Claim the one fault fd first; page requests are taken from now. */
	spin_lock_irq(&q->lock);
	if (q->dead)
		ret = -ESHUTDOWN;
	else if (q->fd_open)
		ret = -EBUSY;
	else
		q->fd_open = true;
	spin_unlock_irq(&q->lock);
	if (ret)
		return ERR_PTR(ret);

	file = anon_inode_getfile("[vfio-nested-fault]", &vn_fault_fops, q,
				  O_RDWR);
	if (IS_ERR(file)) {
		/* As if it was closed: answer what came meanwhile. */
		spin_lock_irq(&q->lock);
		q->fd_open = false;
		vn_fault_answer_all(q, VFIO_NESTED_PAGE_RESP_FAILURE, 0, false,
				    true);
		spin_unlock_irq(&q->lock);
		return file;
	}
	stream_open(file_inode(file), file);
	kref_get(&q->ref);
	return file;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_get_file);

/**
 * vn_fault_queue_get_fd() - install a new fault fd
 * @q: the queue
 *
 * The fd is close-on-exec; it holds a reference to @q until it is closed,
 * and closing it answers every page request of the queue
 * VFIO_NESTED_PAGE_RESP_FAILURE. Only one fault fd is open at a time.
 *
 * Context: process context, may sleep.
 * Return: the fd number; -EBUSY while another fault fd is open,
 * -ESHUTDOWN after vn_fault_queue_shutdown(), -EMFILE, -ENOMEM.
 */
int vn_fault_queue_get_fd(struct vn_fault_queue *q)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = vn_fault_queue_get_file(q);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}
EXPORT_SYMBOL_IF_KUNIT(vn_fault_queue_get_fd);
