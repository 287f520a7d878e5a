/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: the fault queue, the fault fd and page requests.
 *
 * One queue per container. Reporters (the DMA path) put unrecoverable
 * faults and page request groups on it; the VMM reads them as records from
 * the fault fd and answers page requests by writing page responses to it.
 * The uAPI (record, response, codes) is the "faults" section of
 * include/uapi/linux/vfio_iommu_nested.h.
 *
 * Lifetime: the queue is refcounted. The container holds the reference
 * vn_fault_queue_alloc() returns and drops it with vn_fault_queue_put()
 * after vn_fault_queue_shutdown(); an open fault fd holds one; a reporter
 * waiting in vn_fault_page_request() holds one while it waits.
 *
 * Locks (fault.c): q->read_mutex serializes the fault fd's readers and
 * is held by nothing else; q->lock (a spinlock taken with interrupts off)
 * protects the queue, the groups' states and the counters; the xarray of
 * cookies (q->groups) has its own lock, taken inside q->lock. Order:
 * q->read_mutex -> q->lock -> q->groups' lock. Reporters, responses, the
 * fd's release, shutdown and vn_fault_abort() take q->lock only, so none
 * of them waits for a reader (which may sleep in copy_to_user()).
 *
 * A reporter must hold no lock of the container (nor any lock the fault
 * fd's reader or the container's ioctls may take) across
 * vn_fault_page_request(): the answer comes from userspace, which may need
 * those locks first. vn_fault_abort() and vn_fault_queue_shutdown() may be
 * called with the container's locks held: they take q->lock only.
 */
#ifndef _VFIO_IOMMU_NESTED_FAULT_H
#define _VFIO_IOMMU_NESTED_FAULT_H

#include <linux/types.h>
#include <uapi/linux/vfio_iommu_nested.h>

struct vn_fault_queue;

/* Bounds of vn_fault_queue_alloc()'s @depth and a good default. */
#define VN_FAULT_DEPTH_MIN	1
#define VN_FAULT_DEPTH_MAX	4096
#define VN_FAULT_DEPTH_DEFAULT	256
/* Most pages in one page request group. */
#define VN_FAULT_GROUP_MAX	32

/**
 * struct vn_fault_info - one faulting access, as a reporter describes it
 * @dev_id: the device, as the container names it to userspace
 * @pasid: the PASID of the access, valid with @has_pasid
 * @has_pasid: the access carried a PASID
 * @has_gpa: @gpa is valid (a stage-2 fault)
 * @perm: the access, VFIO_NESTED_FAULT_PERM_*
 * @reason: VFIO_NESTED_FAULT_REASON_*
 * @grpid: page requests: the device's Page Request Group Index (the
 *	queue keeps the low 9 bits, as PCIe does); ignored otherwise
 * @addr: the address of the access
 * @gpa: the guest physical address stage 2 faulted on, with @has_gpa
 */
struct vn_fault_info {
	u32 dev_id;
	u32 pasid;
	bool has_pasid;
	bool has_gpa;
	u32 perm;
	u32 reason;
	u32 grpid;
	u64 addr;
	u64 gpa;
};

/**
 * struct vn_fault_stats - counters of a queue, for tests and debugging
 * @queued: unrecoverable records waiting to be read
 * @groups: page request groups not answered yet (read or not)
 * @lost: unrecoverable faults lost because the queue was full, ever
 * @refused: page requests refused because the queue was full, ever
 * @answered: page request groups answered, ever (by a response or not)
 */
struct vn_fault_stats {
	unsigned int queued;
	unsigned int groups;
	u64 lost;
	u64 refused;
	u64 answered;
};

/*
 * The contract in short (kernel-doc in fault.c):
 *
 * vn_fault_queue_alloc(): a queue holding at most @depth unread
 *	unrecoverable records and @depth unanswered page request groups;
 *	ERR_PTR(-EINVAL) for a depth out of bounds, ERR_PTR(-ENOMEM).
 * vn_fault_queue_shutdown(): the container goes away: answer every page
 *	request with FAILURE, refuse new reports, readers see EOF.
 * vn_fault_queue_put(): drop a reference (the container's after shutdown).
 * vn_fault_queue_get_fd(): install a new fault fd (O_CLOEXEC) and return
 *	its number; -EBUSY while one is open, -ESHUTDOWN after shutdown.
 * vn_fault_report(): queue an unrecoverable fault; never sleeps, callable
 *	in any context; 0, or -ENOSPC when the queue was full (the fault is
 *	counted and reported as lost), -ESHUTDOWN after shutdown.
 * vn_fault_page_request(): queue one page request group of @n pages and
 *	wait, killable, for its answer. Process context, may sleep, no lock
 *	of the container held. Returns the response code
 *	(VFIO_NESTED_PAGE_RESP_*) or a negative errno, which the caller
 *	treats as a Response Failure: -ENOSPC the queue was full (counted,
 *	reported), -ENOTCONN no fault fd is open, -ESHUTDOWN after shutdown,
 *	-EINTR the task was killed, -EINVAL n is 0 or above
 *	VN_FAULT_GROUP_MAX, -ENOMEM.
 * vn_fault_abort(): answer INVALID every page request of that PASID (or of
 *	the RID, !has_pasid), read or not: on unbind. Never sleeps.
 * vn_fault_abort_dev(): answer -EINTR every page request of a device (its
 *	DMA ends VFIO_NESTED_DMA_ABORTED); returns how many. Never sleeps.
 */
struct vn_fault_queue *vn_fault_queue_alloc(unsigned int depth);
void vn_fault_queue_put(struct vn_fault_queue *q);
void vn_fault_queue_shutdown(struct vn_fault_queue *q);
int vn_fault_queue_get_fd(struct vn_fault_queue *q);
unsigned int vn_fault_queue_depth(struct vn_fault_queue *q);
void vn_fault_queue_stats(struct vn_fault_queue *q, struct vn_fault_stats *st);

int vn_fault_report(struct vn_fault_queue *q, const struct vn_fault_info *f);
int vn_fault_page_request(struct vn_fault_queue *q,
			  const struct vn_fault_info *pages, unsigned int n);
void vn_fault_abort(struct vn_fault_queue *q, u32 pasid, bool has_pasid);
unsigned int vn_fault_abort_dev(struct vn_fault_queue *q, u32 dev_id);

/*
 * Fault sinks (kapi.c): a device's faults and page requests go to a sink
 * instead of the fault fd; its callbacks run under q->lock (kernel-doc in
 * fault.c).
 */
struct vfio_nested_fault_sink;
int vn_fault_set_sink(struct vn_fault_queue *q, u32 dev_id,
		      const struct vfio_nested_fault_sink *sink);
int vn_fault_respond(struct vn_fault_queue *q, u32 cookie, u32 code);

#if IS_ENABLED(CONFIG_KUNIT)
/* The fault fd's insides, for tests/fault_kunit.c. */
struct file;
struct iov_iter;
struct file *vn_fault_queue_get_file(struct vn_fault_queue *q);
ssize_t vn_fault_read_records(struct vn_fault_queue *q, struct iov_iter *to,
			      bool nonblock);
ssize_t vn_fault_write_responses(struct vn_fault_queue *q,
				 struct iov_iter *from);
#endif

#endif /* _VFIO_IOMMU_NESTED_FAULT_H */
