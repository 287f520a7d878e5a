// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the DMA path of emulated devices. An access is
 * translated by the stage 1 bound for its PASID (vn_s1_translate(), whose
 * table reads go through stage 2), then its bytes are moved through stage
 * 2, one page at a time. A non-present or not-writable stage-1 page raises
 * a page request and waits for the VMM's answer; after a success the page
 * is translated again.
 *
 * A DMA that one cached translation covers (one page, an IOTLB hit: what a
 * device model's descriptor fetches and buffer accesses mostly are) takes
 * a shorter way, vn_dma_hit(): no reference, no lock, no fault handling;
 * whatever it does not cover goes the general way.
 */
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pvm_ioasid.h>
#include <linux/sched/signal.h>
#include <linux/vfio.h>

#include "fault.h"
#include "pasid.h"

/* stage-2 access for the walker: @ctx is the container */
static int vn_dma_read64(void *ctx, u64 gpa, u64 *val)
{
	return vn_s2_read64(ctx, gpa, val);
}

static int vn_dma_cmpxchg64(void *ctx, u64 gpa, u64 old, u64 new)
{
	return vn_s2_cmpxchg64(ctx, gpa, old, new);
}

static const struct vn_s2_ops vn_dma_s2_ops = {
	.read64 = vn_dma_read64,
	.cmpxchg64 = vn_dma_cmpxchg64,
};

/**
 * struct vn_dma_req - one DMA on its way
 * @c: the container
 * @ps: its PASID state, NULL if never made
 * @b: the stage 1 used (referenced), NULL for stage 2 only
 * @res: what the caller learns
 * @vdev: the device (fault records name it by its IOMMU group number,
 *	looked up only when a fault is reported)
 * @access: VN_ACC_* of every page
 * @perm: VFIO_NESTED_FAULT_PERM_* of every page
 * @write: the device writes memory
 * @has_pasid: the stage 1 used is a PASID's (fault records name it)
 * @name: that PASID as bound
 */
struct vn_dma_req {
	struct vn_container *c;
	struct vn_pasid_state *ps;
	struct vn_binding *b;
	struct vfio_nested_dma_result *res;
	struct vfio_device *vdev;
	u32 access;
	u32 perm;
	bool write;
	bool has_pasid;
	u32 name;
};

static const u8 vn_dma_errno[] = {
	[VFIO_NESTED_DMA_OK] = 0,
	[VFIO_NESTED_DMA_NO_BINDING] = ENOENT,
	[VFIO_NESTED_DMA_S1_FAULT] = EFAULT,
	[VFIO_NESTED_DMA_S2_FAULT] = EFAULT,
	[VFIO_NESTED_DMA_PAGE_FAULT] = EFAULT,
	[VFIO_NESTED_DMA_RESP_INVALID] = EACCES,
	[VFIO_NESTED_DMA_RESP_FAILURE] = EIO,
	[VFIO_NESTED_DMA_ABORTED] = EINTR,
};

/* End the DMA at @iova with @status; returns its errno. */
static int vn_dma_fail(struct vn_dma_req *r, u64 iova, u32 status)
{
	r->res->status = status;
	r->res->fault_addr = iova;
	return -vn_dma_errno[status];
}

static u32 vn_dma_fault_reason(u32 s1_reason)
{
	switch (s1_reason) {
	case VN_S1_NOT_PRESENT:
		return VFIO_NESTED_FAULT_REASON_S1_NOT_PRESENT;
	case VN_S1_WRITE:
		return VFIO_NESTED_FAULT_REASON_S1_WRITE;
	case VN_S1_USER:
	case VN_S1_SMEP:
	case VN_S1_SMAP:
	case VN_S1_PRIV:
		return VFIO_NESTED_FAULT_REASON_S1_PRIV;
	case VN_S1_EXEC:
		return VFIO_NESTED_FAULT_REASON_S1_EXEC;
	case VN_S1_RSVD:
		return VFIO_NESTED_FAULT_REASON_S1_RESERVED;
	case VN_S1_CANONICAL:
		return VFIO_NESTED_FAULT_REASON_S1_ADDRESS;
	case VN_S1_S2:
		return VFIO_NESTED_FAULT_REASON_S2_WALK;
	default:
		return VFIO_NESTED_FAULT_REASON_UNKNOWN;
	}
}

/* The IOMMU group number of a device: how the uAPI names it. */
static u32 vn_dma_dev_id(struct vfio_device *vdev)
{
	struct iommu_group *group = iommu_group_get(vdev->dev);
	u32 id = U32_MAX;

	if (group) {
		id = iommu_group_id(group);
		iommu_group_put(group);
	}
	return id;
}

static void vn_dma_fault_info(struct vn_dma_req *r, u64 iova, u32 reason,
			      struct vn_fault_info *f)
{
	memset(f, 0, sizeof(*f));
	f->dev_id = vn_dma_dev_id(r->vdev);
	f->has_pasid = r->has_pasid;
	f->pasid = r->name;
	f->perm = r->perm;
	f->reason = reason;
	f->addr = iova;
}

/* An unrecoverable fault, for the VMM to read (lost if nobody asked). */
static void vn_dma_report(struct vn_dma_req *r, u64 iova, u32 reason,
			  bool has_gpa, u64 gpa)
{
	struct vn_fault_info f;

	if (!r->ps)
		return;
	vn_dma_fault_info(r, iova, reason, &f);
	f.has_gpa = has_gpa;
	f.gpa = gpa;
	/* A full queue counts the loss and reports it as an overflow. */
	vn_fault_report(r->ps->faultq, &f);
}

/*
 * A page request for the page of @iova, waiting for its answer: 0 after a
 * success response (translate again), else the DMA's errno.
 */
static int vn_dma_page_request(struct vn_dma_req *r, u64 iova, u32 reason)
{
	struct vn_binding *b = r->b;
	struct vn_fault_info f;
	int ret;

	vn_dma_fault_info(r, iova & PAGE_MASK, reason, &f);
	f.grpid = atomic_inc_return(&r->ps->grpid);

	/* See vn_binding_drain(): raise @waiters, then look at @dead. */
	atomic_inc(&b->waiters);
	/* @waiters before @dead; pairs with vn_binding_drain()'s barrier. */
	smp_mb__after_atomic();
	if (READ_ONCE(b->dead)) {
		ret = -ENOENT;
	} else {
		r->res->page_requests++;
		ret = vn_fault_page_request(r->ps->faultq, &f, 1);
	}
	if (atomic_dec_and_test(&b->waiters))
		wake_up_all(&r->ps->drain_wq);

	switch (ret) {
	case VFIO_NESTED_PAGE_RESP_SUCCESS:
		return 0;
	case VFIO_NESTED_PAGE_RESP_INVALID:
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_RESP_INVALID);
	case VFIO_NESTED_PAGE_RESP_FAILURE:
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_RESP_FAILURE);
	case -ENOENT:
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_NO_BINDING);
	case -EINTR:
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_ABORTED);
	default:
		/* No fault fd, queue full or shut down: nobody can answer. */
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_PAGE_FAULT);
	}
}

/* Stage 1 of @iova: *@gpa and the bytes left in its page, or the errno. */
static int vn_dma_translate(struct vn_dma_req *r, u64 iova, u64 *gpa,
			    u64 *span)
{
	unsigned int faults = 0, races = 0;
	/* vn_s1_translate() clears it: no zeroing of the stack (per page) */
	struct vn_s1_xlate x __uninitialized;
	u32 reason;
	int ret;

	for (;;) {
		if (READ_ONCE(r->b->dead))
			return vn_dma_fail(r, iova, VFIO_NESTED_DMA_NO_BINDING);
		ret = vn_s1_translate(r->b->s1, iova, r->access,
				      &vn_dma_s2_ops, r->c, &x);
		if (!ret) {
			*gpa = x.gpa;
			*span = x.page_size - (iova & (x.page_size - 1));
			return 0;
		}
		/* The guest kept changing an entry under the walk. */
		if (ret == -EAGAIN && ++races < VN_DMA_MAX_RETRIES)
			continue;
		if (ret != -EFAULT) {
			vn_dma_report(r, iova, VFIO_NESTED_FAULT_REASON_UNKNOWN,
				      false, 0);
			return vn_dma_fail(r, iova, VFIO_NESTED_DMA_S1_FAULT);
		}
		reason = vn_dma_fault_reason(x.reason);
		if (x.reason != VN_S1_NOT_PRESENT && x.reason != VN_S1_WRITE) {
			vn_dma_report(r, iova, reason, x.reason == VN_S1_S2,
				      x.fault_gpa);
			return vn_dma_fail(r, iova, VFIO_NESTED_DMA_S1_FAULT);
		}
		/* Recoverable: ask the guest, a bounded number of times. */
		if (!r->ps || faults++ >= VN_DMA_MAX_RETRIES)
			return vn_dma_fail(r, iova, VFIO_NESTED_DMA_PAGE_FAULT);
		ret = vn_dma_page_request(r, iova, reason);
		if (ret)
			return ret;
	}
}

/*
 * Stage 1 of @iova with the binding referenced: the IOTLB's translation
 * when it has one that allows the access (no walk, no fault, no copy of a
 * result), else vn_dma_translate()'s. Same results.
 */
static int vn_dma_gpa(struct vn_dma_req *r, u64 iova, u64 *gpa, u64 *span)
{
	if (!READ_ONCE(r->b->dead) &&
	    vn_s1_lookup(r->b->s1, iova, r->access, gpa, span)) {
		*span -= iova & (*span - 1);
		return 0;
	}
	return vn_dma_translate(r, iova, gpa, span);
}

/* The fault records of the DMA name @b's PASID, if it has one. */
static void vn_dma_name(struct vn_dma_req *r, struct vn_binding *b)
{
	r->has_pasid = b->pasid != VFIO_NESTED_NO_PASID;
	r->name = r->has_pasid ? b->name : 0;
}

/* Move @chunk bytes at @gpa (the translation of @iova) through stage 2. */
static int vn_dma_move(struct vn_dma_req *r, u64 iova, u64 gpa, void *buf,
		       size_t chunk)
{
	if (vn_s2_rw(r->c, gpa, buf, chunk, r->write)) {
		vn_dma_report(r, iova, VFIO_NESTED_FAULT_REASON_S2, true, gpa);
		return vn_dma_fail(r, iova, VFIO_NESTED_DMA_S2_FAULT);
	}
	r->res->done += chunk;
	return 0;
}

/*
 * The GPA of a DMA that one translation covers: the first and only page
 * of [@iova, @iova + @len), an IOTLB hit or no stage 1 at all. The binding
 * and the translation are looked up in an RCU-sched read side without a
 * reference (the memory of both goes after a grace period) and neither is
 * used after it. False when that does not apply (no binding for a PASID,
 * unbound, not cached or not allowed by the cached translation, more than
 * one page, a fatal signal): the general way then does the whole DMA.
 */
static bool vn_dma_hit(struct vn_dma_req *r, u32 pasid, u64 iova, size_t len,
		       u64 *gpa)
{
	struct vn_binding *b = NULL;
	u64 span = PAGE_SIZE;
	bool ok;

	if (fatal_signal_pending(current))
		return false;
	rcu_read_lock_sched();
	if (r->ps)
		b = vn_binding_find(r->ps, pasid);
	if (b) {
		ok = !READ_ONCE(b->dead) &&
		     vn_s1_lookup(b->s1, iova, r->access, gpa, &span);
		if (ok)
			vn_dma_name(r, b);
	} else {
		/* stage 2 alone: a request without PASID, none bound */
		ok = pasid == VFIO_NESTED_NO_PASID;
		*gpa = iova;
	}
	rcu_read_unlock_sched();
	/* one stage-1 page, one stage-2 page */
	return ok && len <= span - (iova & (span - 1)) &&
	       len <= PAGE_SIZE - (*gpa & ~PAGE_MASK);
}

/**
 * vn_dma() - vfio_nested_dma() on a known container
 * @c: the container @vdev is registered with
 * @vdev: the device
 * @pasid: host PASID, or VFIO_NESTED_NO_PASID
 * @iova: DMA address
 * @buf: kernel buffer of @len bytes
 * @len: bytes to move
 * @flags: enum vfio_nested_dma_flags
 * @res: filled in
 *
 * Context: process context, may sleep. No lock of the container held.
 * Return: see vfio_nested_dma().
 */
int vn_dma(struct vn_container *c, struct vfio_device *vdev, u32 pasid,
	   u64 iova, void *buf, size_t len, unsigned int flags,
	   struct vfio_nested_dma_result *res)
{
	/* every field is set below: no zeroing (INIT_STACK_ALL_ZERO) per DMA */
	struct vn_dma_req r __uninitialized;
	u64 hit_gpa;
	int ret = 0;

	/* no might_sleep() here: the hit path's cond_resched() checks that */
	memset(res, 0, sizeof(*res));
	if (flags & ~(VFIO_NESTED_DMA_WRITE | VFIO_NESTED_DMA_PRIV |
		      VFIO_NESTED_DMA_EXEC))
		return -EOPNOTSUPP;
	/* an instruction fetch never writes */
	if (!len || iova + (len - 1) < iova ||
	    ((flags & VFIO_NESTED_DMA_WRITE) && (flags & VFIO_NESTED_DMA_EXEC)))
		return -EINVAL;

	r.c = c;
	r.ps = vn_pasid_state(c);
	r.b = NULL;
	r.res = res;
	r.vdev = vdev;
	r.write = flags & VFIO_NESTED_DMA_WRITE;
	r.has_pasid = false;
	r.name = 0;

	r.access = r.write ? VN_ACC_READ | VN_ACC_WRITE : VN_ACC_READ;
	r.perm = r.write ? VFIO_NESTED_FAULT_PERM_WRITE :
			   VFIO_NESTED_FAULT_PERM_READ;
	if (flags & VFIO_NESTED_DMA_EXEC) {
		r.access |= VN_ACC_EXEC;
		r.perm |= VFIO_NESTED_FAULT_PERM_EXEC;
	}
	if (flags & VFIO_NESTED_DMA_PRIV)
		r.perm |= VFIO_NESTED_FAULT_PERM_PRIV;
	else
		r.access |= VN_ACC_USER;

	if (vn_dma_hit(&r, pasid, iova, len, &hit_gpa)) {
		ret = vn_dma_move(&r, iova, hit_gpa, buf, len);
		cond_resched();
		return ret;
	}

	might_sleep();
	if (r.ps)
		r.b = vn_binding_get_host(r.ps, pasid);
	if (r.b)
		vn_dma_name(&r, r.b);
	if (!r.b && pasid != VFIO_NESTED_NO_PASID) {
		/* A PASID whose context is not set: reported, not retried. */
		if (r.ps) {
			struct vn_fault_info f;

			vn_dma_fault_info(&r, iova, VFIO_NESTED_FAULT_REASON_NO_S1,
					  &f);
			f.has_pasid = true;
			f.pasid = pasid;
			vn_fault_report(r.ps->faultq, &f);
		}
		return vn_dma_fail(&r, iova, VFIO_NESTED_DMA_NO_BINDING);
	}

	while (res->done < len) {
		u64 cur = iova + res->done, gpa = cur, span = PAGE_SIZE;
		size_t chunk;

		if (fatal_signal_pending(current)) {
			ret = vn_dma_fail(&r, cur, VFIO_NESTED_DMA_ABORTED);
			break;
		}
		if (r.b) {
			ret = vn_dma_gpa(&r, cur, &gpa, &span);
			if (ret)
				break;
		}
		/* One stage-2 page at most: a fault names its exact address. */
		chunk = min3((u64)(len - res->done), span,
			     PAGE_SIZE - (gpa & ~PAGE_MASK));
		ret = vn_dma_move(&r, cur, gpa, buf + res->done, chunk);
		if (ret)
			break;
		cond_resched();
	}
	if (r.b)
		vn_binding_put(r.b);
	return ret;
}

/**
 * vfio_nested_dma() - DMA of an emulated device through a nested container
 * @vdev: the device: its VFIO group is in a container of type
 *	VFIO_NESTED_IOMMU and its device fd is open (the device is registered
 *	with the container)
 * @pasid: the host PASID of the request, or VFIO_NESTED_NO_PASID for a
 *	request without PASID
 * @iova: the DMA address: input of the PASID's stage 1 (for a request
 *	without PASID, of the container's PASID-less stage 1, or a GPA when
 *	none is bound)
 * @buf: kernel buffer of @len bytes: the source of a write, the
 *	destination of a read
 * @len: bytes to move, at least 1
 * @flags: enum vfio_nested_dma_flags: VFIO_NESTED_DMA_WRITE (the device
 *	writes memory), VFIO_NESTED_DMA_PRIV (a privileged request, else a
 *	user one), VFIO_NESTED_DMA_EXEC (an instruction fetch)
 * @res: filled in: status, bytes moved, faulting address, page requests
 *
 * Translates every page by stage 1 (guest memory reached through stage 2
 * for the table walk) and stage 2, as a device's requests through a nested
 * IOMMU would be, and moves the bytes. A non-present or not-writable
 * stage-1 page raises a page request on the container's fault queue and
 * waits (killable) for the VMM's page response; after a success the page
 * is translated again, at most VFIO_NESTED_CAPS' dma_retries times. Other
 * faults are unrecoverable: they are reported on the fault queue and end
 * the DMA. Bytes before the faulting page have been moved (@res->done).
 *
 * Context: process context, may sleep (for a page response). The caller
 * holds no lock the VMM may need to answer a page request.
 * Return: 0 when every byte moved; otherwise the errno of @res->status
 * (enum vfio_nested_dma_status: -ENOENT no stage 1 bound, -EFAULT a
 * translation fault, -EACCES an "invalid" response, -EIO a "failure"
 * response, -EINTR killed while waiting), or -EINVAL (@len 0, range past
 * 2^64, VFIO_NESTED_DMA_WRITE with VFIO_NESTED_DMA_EXEC), -EOPNOTSUPP
 * (unknown @flags), -ENODEV (@vdev is not registered with a nested
 * container) with @res->status VFIO_NESTED_DMA_OK.
 */
int vfio_nested_dma(struct vfio_device *vdev, u32 pasid, u64 iova,
		    void *buf, size_t len, unsigned int flags,
		    struct vfio_nested_dma_result *res)
{
	struct vn_container *c = vn_container_from_device(vdev);

	if (!c) {
		memset(res, 0, sizeof(*res));
		return -ENODEV;
	}
	return vn_dma(c, vdev, pasid, iova, buf, len, flags, res);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_dma, VFIO_NESTED_NS);

/**
 * vfio_nested_dma_abort() - end the page request waits of a device's DMA
 * @vdev: the device, registered with a nested container (its fd open)
 *
 * Every DMA of @vdev that waits for a page response (vfio_nested_dma() in
 * a worker of the device model) stops waiting and fails with
 * VFIO_NESTED_DMA_ABORTED (-EINTR), as if its task had been killed; the
 * page request is withdrawn and a page response to it later is refused.
 * A DMA that raises a page request after the call is not affected: a
 * device model first stops its workers from starting new DMA, then calls
 * this until they are idle.
 *
 * Context: any context but NMI (hard or soft interrupt included); never
 * sleeps, takes only the fault queue's spinlock.
 * Return: the number of waits ended; 0 also when @vdev has no nested
 * container or it has no fault queue.
 */
unsigned int vfio_nested_dma_abort(struct vfio_device *vdev)
{
	struct vn_container *c = vn_container_from_device(vdev);
	struct vn_pasid_state *ps;

	if (!c)
		return 0;
	ps = vn_pasid_state(c);
	if (!ps)
		return 0;
	return vn_fault_abort_dev(ps->faultq, vn_dma_dev_id(vdev));
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_dma_abort, VFIO_NESTED_NS);

/**
 * vfio_nested_pasid_resolve() - the host PASID a device model executes with
 * @vdev: the device, registered with a nested container (its fd open)
 * @flags: 0, or VFIO_NESTED_PASID_GUEST: @pasid is a guest PASID
 * @pasid: the PASID as the VMM names it to the container's ioctls
 * @hpasid: output, the host PASID
 *
 * For a device model whose VMM gives it a PASID (a dedicated work queue):
 * check that the container's ``/dev/ioasid`` file owns @pasid (allocated
 * it, or, with VFIO_NESTED_PASID_GUEST, attached that guest PASID) and
 * resolve it to the host PASID, as VFIO_NESTED_BIND_S1 does. Nothing needs
 * to be bound for it yet. The answer is that of the time of the call.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (unknown @flags), -EINVAL (a PASID of 0 or wider
 * than 20 bits), -ENODEV (@vdev has no nested container), -ENXIO (the
 * container has no ``/dev/ioasid`` file), -ENOENT (the file does not own
 * @pasid), -ENOMEM.
 */
int vfio_nested_pasid_resolve(struct vfio_device *vdev, u32 flags, u32 pasid,
			      u32 *hpasid)
{
	struct vn_container *c = vn_container_from_device(vdev);
	struct vn_pasid_state *ps;
	ioasid_t host;
	int ret;

	if (flags & ~VFIO_NESTED_PASID_GUEST)
		return -EOPNOTSUPP;
	ret = vn_pasid_check(flags, pasid);
	if (ret)
		return ret;
	if (!c)
		return -ENODEV;
	ps = vn_pasid_state(c);
	if (!ps)
		return -ENXIO;
	mutex_lock(&ps->lock);
	if (!ps->set) {
		ret = -ENXIO;
	} else if (flags & VFIO_NESTED_PASID_GUEST) {
		host = pvm_ioasid_find_by_spid(ps->set, pasid, true);
		if (host == PVM_IOASID_INVALID) {
			ret = -ENOENT;
		} else {
			pvm_ioasid_put(ps->set, host);
			*hpasid = host;
		}
	} else if (pvm_ioasid_get(ps->set, pasid)) {
		ret = -ENOENT;
	} else {
		pvm_ioasid_put(ps->set, pasid);
		*hpasid = pasid;
	}
	mutex_unlock(&ps->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_pasid_resolve, VFIO_NESTED_NS);

/**
 * vfio_nested_dma_copy() - a device's copy from memory to memory
 * @vdev: the device, registered with a nested container (its fd open)
 * @pasid: the host PASID of both accesses, or VFIO_NESTED_NO_PASID
 * @dst: the destination DMA address
 * @src: the source DMA address
 * @len: bytes, at least 1; the two ranges must not overlap
 * @flags: 0 or VFIO_NESTED_DMA_PRIV
 * @res: filled in as by vfio_nested_dma(); with a status other than
 *	VFIO_NESTED_DMA_OK, @res->fault_addr is a source or a destination
 *	address (the access that failed)
 *
 * What vfio_nested_dma() of the source into a buffer and then of the
 * buffer to the destination would do, but with one copy: page by page,
 * the source translated for reading and the destination for writing (page
 * requests raised and waited for alike), the bytes copied from guest page
 * to guest page through the kernel's mappings. @res->done bytes are at the
 * destination when it stops.
 *
 * Context: process context, may sleep (for a page response). The caller
 * holds no lock the VMM may need to answer a page request.
 * Return: as vfio_nested_dma(); -EINVAL also for overlapping ranges.
 */
int vfio_nested_dma_copy(struct vfio_device *vdev, u32 pasid, u64 dst,
			 u64 src, size_t len, unsigned int flags,
			 struct vfio_nested_dma_result *res)
{
	struct vn_container *c = vn_container_from_device(vdev);
	struct vn_dma_req rd = { .c = c, .res = res, .vdev = vdev };
	struct vn_dma_req wr;
	int ret = 0;

	might_sleep();
	memset(res, 0, sizeof(*res));
	if (!c)
		return -ENODEV;
	if (flags & ~VFIO_NESTED_DMA_PRIV)
		return -EOPNOTSUPP;
	if (!len || src + (len - 1) < src || dst + (len - 1) < dst ||
	    (src <= dst + (len - 1) && dst <= src + (len - 1)))
		return -EINVAL;

	rd.ps = vn_pasid_state(c);
	rd.access = VN_ACC_READ;
	rd.perm = VFIO_NESTED_FAULT_PERM_READ;
	if (flags & VFIO_NESTED_DMA_PRIV)
		rd.perm |= VFIO_NESTED_FAULT_PERM_PRIV;
	else
		rd.access |= VN_ACC_USER;
	if (rd.ps)
		rd.b = vn_binding_get_host(rd.ps, pasid);
	if (rd.b)
		vn_dma_name(&rd, rd.b);
	if (!rd.b && pasid != VFIO_NESTED_NO_PASID) {
		if (rd.ps) {
			struct vn_fault_info f;

			vn_dma_fault_info(&rd, src, VFIO_NESTED_FAULT_REASON_NO_S1,
					  &f);
			f.has_pasid = true;
			f.pasid = pasid;
			vn_fault_report(rd.ps->faultq, &f);
		}
		return vn_dma_fail(&rd, src, VFIO_NESTED_DMA_NO_BINDING);
	}
	wr = rd;
	wr.write = true;
	wr.access |= VN_ACC_WRITE;
	wr.perm = (rd.perm & ~VFIO_NESTED_FAULT_PERM_READ) |
		  VFIO_NESTED_FAULT_PERM_WRITE;

	while (res->done < len) {
		u64 s = src + res->done, d = dst + res->done;
		u64 gs = s, gd = d, ss = PAGE_SIZE, sd = PAGE_SIZE;
		bool dst_fault;
		size_t chunk;

		if (fatal_signal_pending(current)) {
			ret = vn_dma_fail(&rd, s, VFIO_NESTED_DMA_ABORTED);
			break;
		}
		if (rd.b) {
			ret = vn_dma_gpa(&rd, s, &gs, &ss);
			if (!ret)
				ret = vn_dma_gpa(&wr, d, &gd, &sd);
			if (ret)
				break;
		}
		chunk = min3((u64)(len - res->done), ss, sd);
		chunk = min3((u64)chunk, PAGE_SIZE - (gs & ~PAGE_MASK),
			     PAGE_SIZE - (gd & ~PAGE_MASK));
		ret = vn_s2_copy_gpa(c, gd, gs, chunk, &dst_fault);
		if (ret) {
			struct vn_dma_req *r = dst_fault ? &wr : &rd;
			u64 a = dst_fault ? d : s;

			vn_dma_report(r, a, VFIO_NESTED_FAULT_REASON_S2, true,
				      dst_fault ? gd : gs);
			ret = vn_dma_fail(r, a, VFIO_NESTED_DMA_S2_FAULT);
			break;
		}
		res->done += chunk;
		cond_resched();
	}
	if (rd.b)
		vn_binding_put(rd.b);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_dma_copy, VFIO_NESTED_NS);
