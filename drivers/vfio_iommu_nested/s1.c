// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: stage 1, the guest's own page table of a PASID.
 *
 * The walker reads the guest's table entry by entry, each entry a
 * guest-physical address (GPA) handed to the caller's &struct vn_s2_ops, so
 * a stage-2 fault during the walk is seen as such, with the entry's GPA.
 * Accessed and dirty bits are set with a compare-and-exchange through the
 * same callbacks; when the guest changed the entry in between, the entry is
 * read again and checked again.
 *
 * Translations are cached in a per-stage-1 IOTLB: one xarray per page size,
 * indexed by the input address (truncated to the format's input width)
 * shifted by the page size.  Lookups run under RCU only.  In front of the
 * xarrays, each CPU keeps copies of the last two translations it found
 * there (&struct vn_s1_pcpu), valid while @seq is what it was when the
 * copies were made: every change of the xarrays (insert, invalidation)
 * bumps @seq once it is done, so a copy never outlives the entry it was
 * taken from, and a device that keeps hitting the same page, or copies
 * from one page to another, costs a compare, not a walk of three
 * xarrays.  The IOTLB changes
 * only by explicit invalidation (the caching-mode rule: a guest that edits
 * its table without invalidating keeps the old translation), with two
 * exceptions that hardware shares: an entry whose dirty bit was not set
 * when it was cached is walked again by a write (to set the bit), and a
 * full IOTLB caches no more entries until an invalidation makes room.
 *
 * A walk runs without any lock, since the callbacks may sleep.  Every
 * invalidation bumps @gen under @lock; a walk samples @gen before its first
 * read and inserts its result, under @lock, only if @gen is unchanged, so a
 * translation read before an invalidation is never cached after it.
 *
 * No paging-structure (non-leaf) entry is cached: every miss walks from the
 * root, and a leaf-only invalidation drops what a full one drops.
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "s1.h"

/* x86-64 paging entry bits (Intel first-level, AMD v2, the CPU's own) */
#define X86_P		BIT_ULL(0)
#define X86_RW		BIT_ULL(1)
#define X86_US		BIT_ULL(2)
#define X86_A		BIT_ULL(5)
#define X86_D		BIT_ULL(6)
#define X86_PS		BIT_ULL(7)
#define X86_XD		BIT_ULL(63)
/* address fields end at bit 51 whatever the width */
#define X86_ADDR_TOP	51
#define X86_IDX_BITS	9

/* compare-and-exchange attempts on one walk before giving up (-EAGAIN) */
#define VN_S1_CAS_TRIES		16

/* the page sizes the IOTLB holds, one xarray each */
enum { VN_PG_4K, VN_PG_2M, VN_PG_1G, VN_PG_NR };
static const unsigned int vn_pg_shift[VN_PG_NR] = { 12, 21, 30 };

/* attributes of a translation, combined over the levels of its walk */
#define VN_AT_W		BIT(0)	/* writable at every level */
#define VN_AT_U		BIT(1)	/* user at every level */
#define VN_AT_NX	BIT(2)	/* execute-disable at some level */
#define VN_AT_D		BIT(3)	/* the leaf's dirty bit is set */

/**
 * struct vn_s1_tlbe - one cached translation
 * @gpa: GPA of the start of the page
 * @attr: %VN_AT_* of the translation
 * @rcu: for kfree_rcu() when dropped
 */
struct vn_s1_tlbe {
	u64 gpa;
	u32 attr;
	struct rcu_head rcu;
};

/* what a walk found: the page and its attributes */
struct vn_walk_res {
	u64 gpa;		/* start of the page */
	unsigned int pg;	/* VN_PG_* */
	u32 attr;
};

/* per-CPU copies of translations found in the xarrays (see vn_tlb_lookup()) */
#define VN_S1_PCPU_WAYS	2

/**
 * struct vn_s1_pcpu - one CPU's part of a stage 1
 * @seq: &vn_s1.seq when the copies were taken; 0: none
 * @next: the way the next copy replaces
 * @idx: per way, the input address of @res shifted by its page size;
 *	ULONG_MAX for an empty way
 * @res: per way, a translation this CPU found in the xarrays
 * @hits: IOTLB hits on this CPU (counted without an atomic operation)
 *
 * Two ways, so that a device copying from one page to another (a source
 * read, a destination write, a completion record) keeps both translations
 * without going back to the xarrays. Written only by its CPU, with
 * preemption disabled; @hits is read by vn_s1_get_stats() from any CPU.
 */
struct vn_s1_pcpu {
	unsigned long seq;
	unsigned int next;
	unsigned long idx[VN_S1_PCPU_WAYS];
	struct vn_walk_res res[VN_S1_PCPU_WAYS];
	u64 hits;
};

/* the state of one walk */
struct vn_walk {
	struct vn_s1 *s1;
	const struct vn_s2_ops *ops;
	void *ctx;
	struct vn_s1_xlate *out;
	u32 refs;
	u32 tries;
};

/**
 * struct vn_s1_fmt - a stage-1 format
 * @levels: table levels
 * @in_width: input address width; addresses are canonical at it
 * @walk: walk the table for one address; 0, -EFAULT with the fault in
 *	&vn_walk.out, or another error
 *
 * A new format (ARM VMSAv8-64 stage 1 is the one reserved) brings a walk
 * that maps its descriptors to the same %VN_AT_* attributes (UXN and PXN
 * would need a second execute-disable attribute) and its granule's page
 * sizes to the IOTLB's, and a row in vn_s1_fmts[].
 */
struct vn_s1_fmt {
	unsigned int levels;
	unsigned int in_width;
	int (*walk)(struct vn_walk *w, u64 iova, u32 access,
		    struct vn_walk_res *res);
};

/**
 * struct vn_s1 - one stage 1: a bound guest table and its IOTLB
 * @cfg: the bind's arguments, width defaulted
 * @fmt: its format
 * @lock: serialises IOTLB inserts and invalidations (&vn_s1.gen, @seq, @nr)
 * @gen: bumped by every invalidation before it drops entries, under @lock
 * @seq: bumped by every change of @tlb once it is made (an insert, an
 *	invalidation), under @lock; starts at 1 (see &struct vn_s1_pcpu)
 * @nr: entries in @tlb, under @lock
 * @tlb: the IOTLB, one xarray per page size; read under RCU
 * @pcpu: each CPU's last translation found in @tlb, and its hit count
 * @rcu: the memory goes after a grace period (vn_s1_free())
 * @walks: see &struct vn_s1_stats, as are the counters below
 * @refs: memory references of all walks
 * @refs_max: most references in one walk
 * @misses: IOTLB misses
 * @faults: translations that faulted
 * @invalidations: invalidation calls
 * @dropped: entries dropped by invalidations
 */
struct vn_s1 {
	struct vn_s1_cfg cfg;
	const struct vn_s1_fmt *fmt;
	struct mutex lock;	/* IOTLB inserts, invalidations */
	unsigned long gen;
	unsigned long seq;
	unsigned int nr;
	struct xarray tlb[VN_PG_NR];
	struct vn_s1_pcpu __percpu *pcpu;
	struct rcu_head rcu;
	atomic64_t walks;
	atomic64_t refs;
	atomic64_t refs_max;
	atomic64_t misses;
	atomic64_t faults;
	atomic64_t invalidations;
	atomic64_t dropped;
};

static int vn_x86_walk(struct vn_walk *w, u64 iova, u32 access,
		       struct vn_walk_res *res);

static const struct vn_s1_fmt vn_s1_fmts[] = {
	[VFIO_NESTED_S1_FMT_X86_64_4L] = { 4, 48, vn_x86_walk },
	[VFIO_NESTED_S1_FMT_X86_64_5L] = { 5, 57, vn_x86_walk },
	/* ARM64 LPAE: reserved, no walk yet (EOPNOTSUPP) */
	[VFIO_NESTED_S1_FMT_ARM64_LPAE] = { 4, 48, NULL },
};

static const char * const vn_s1_reasons[] = {
	[VN_S1_OK] = "ok",
	[VN_S1_NOT_PRESENT] = "not present",
	[VN_S1_WRITE] = "write to read-only",
	[VN_S1_USER] = "user access to supervisor page",
	[VN_S1_EXEC] = "execute-disable",
	[VN_S1_SMEP] = "supervisor fetch from user page",
	[VN_S1_SMAP] = "supervisor access to user page",
	[VN_S1_PRIV] = "supervisor request not allowed",
	[VN_S1_RSVD] = "reserved bit",
	[VN_S1_CANONICAL] = "non-canonical address",
	[VN_S1_S2] = "stage-2 fault on a stage-1 entry",
};

/**
 * vn_s1_reason_name() - a fault reason as text, for logs and test output
 * @reason: an &enum vn_s1_reason
 *
 * Return: a static string; "?" for an unknown value.
 */
const char *vn_s1_reason_name(u32 reason)
{
	if (reason >= ARRAY_SIZE(vn_s1_reasons) || !vn_s1_reasons[reason])
		return "?";
	return vn_s1_reasons[reason];
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_reason_name);

/**
 * vn_s1_cfg_check() - check a bind's stage-1 arguments
 * @cfg: format, address width, flags and root GPA
 *
 * Return: 0; -EINVAL for format 0, an address width outside 32..52 (0
 * stands for 52) or a root GPA that is not 4 KiB aligned or not below the
 * width; -EOPNOTSUPP for a format this engine does not walk (ARM64 LPAE
 * today, or an unknown one) or an unknown flag.
 */
int vn_s1_cfg_check(const struct vn_s1_cfg *cfg)
{
	u32 width = cfg->addr_width ? cfg->addr_width :
		VFIO_NESTED_S1_ADDR_WIDTH_MAX;

	if (!cfg->format)
		return -EINVAL;
	if (cfg->format >= ARRAY_SIZE(vn_s1_fmts) ||
	    !vn_s1_fmts[cfg->format].walk)
		return -EOPNOTSUPP;
	if (cfg->flags & ~VFIO_NESTED_S1_F_ALL)
		return -EOPNOTSUPP;
	if (width < VFIO_NESTED_S1_ADDR_WIDTH_MIN ||
	    width > VFIO_NESTED_S1_ADDR_WIDTH_MAX)
		return -EINVAL;
	if (cfg->root_gpa & (BIT_ULL(12) - 1) || cfg->root_gpa >> width)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_cfg_check);

/**
 * vn_s1_alloc() - make a stage 1 for a bind
 * @cfg: checked by vn_s1_cfg_check() first
 *
 * Return: the stage 1 with an empty IOTLB, or NULL when @cfg is bad or
 * memory is short.
 */
struct vn_s1 *vn_s1_alloc(const struct vn_s1_cfg *cfg)
{
	struct vn_s1 *s1;
	unsigned int i;

	if (vn_s1_cfg_check(cfg))
		return NULL;
	s1 = kzalloc(sizeof(*s1), GFP_KERNEL_ACCOUNT);
	if (!s1)
		return NULL;
	s1->pcpu = alloc_percpu_gfp(struct vn_s1_pcpu, GFP_KERNEL_ACCOUNT);
	if (!s1->pcpu) {
		kfree(s1);
		return NULL;
	}
	/* the per-CPU copies start empty: 0 is never a valid @seq */
	s1->seq = 1;
	s1->cfg = *cfg;
	if (!s1->cfg.addr_width)
		s1->cfg.addr_width = VFIO_NESTED_S1_ADDR_WIDTH_MAX;
	s1->fmt = &vn_s1_fmts[cfg->format];
	mutex_init(&s1->lock);
	for (i = 0; i < VN_PG_NR; i++)
		xa_init(&s1->tlb[i]);
	return s1;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_alloc);

/* Drop the entries of one page size from index @first to @last; lock held. */
static unsigned int vn_tlb_drop(struct vn_s1 *s1, unsigned int pg,
				unsigned long first, unsigned long last)
{
	struct vn_s1_tlbe *e;
	unsigned long idx;
	unsigned int n = 0;

	lockdep_assert_held(&s1->lock);
	xa_for_each_range(&s1->tlb[pg], idx, e, first, last) {
		xa_erase(&s1->tlb[pg], idx);
		kfree_rcu(e, rcu);
		n++;
	}
	s1->nr -= n;
	return n;
}

static void vn_s1_free_rcu(struct rcu_head *head)
{
	struct vn_s1 *s1 = container_of(head, struct vn_s1, rcu);

	free_percpu(s1->pcpu);
	kfree(s1);
}

/**
 * vn_s1_free() - free a stage 1 and its IOTLB
 * @s1: the stage 1, or NULL; no vn_s1_translate() on it may be running or
 *	start any more, but a vn_s1_lookup() that found it under RCU may
 *	still run: the memory goes after a grace period (whoever unloads
 *	the code of this file calls rcu_barrier() first)
 */
void vn_s1_free(struct vn_s1 *s1)
{
	unsigned int i;

	if (!s1)
		return;
	mutex_lock(&s1->lock);
	for (i = 0; i < VN_PG_NR; i++) {
		vn_tlb_drop(s1, i, 0, ULONG_MAX);
		xa_destroy(&s1->tlb[i]);
	}
	/* a lookup still running misses from now on */
	smp_store_release(&s1->seq, s1->seq + 1);
	mutex_unlock(&s1->lock);
	mutex_destroy(&s1->lock);
	call_rcu(&s1->rcu, vn_s1_free_rcu);
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_free);

/* ---- the walk ---- */

static int vn_fault(struct vn_walk *w, u32 reason, unsigned int level)
{
	w->out->reason = reason;
	w->out->level = level;
	return -EFAULT;
}

/* A stage-2 error on an entry: -EFAULT and -EPERM are faults, others pass. */
static int vn_s2_err(struct vn_walk *w, int err, u64 gpa, unsigned int level)
{
	if (err != -EFAULT && err != -EPERM)
		return err;
	w->out->s2_err = err;
	w->out->fault_gpa = gpa;
	return vn_fault(w, VN_S1_S2, level);
}

static int vn_read(struct vn_walk *w, u64 gpa, u64 *val, unsigned int level)
{
	int ret;

	w->refs++;
	ret = w->ops->read64(w->ctx, gpa, val);
	return ret ? vn_s2_err(w, ret, gpa, level) : 0;
}

/*
 * Set @bits in the entry at @gpa that was read as *@e.  Returns 0 with *@e
 * updated; -EAGAIN with *@e read again when the guest changed it (the
 * caller checks it anew); -EAGAIN without a read when out of tries; or a
 * fault.
 */
static int vn_set_bits(struct vn_walk *w, u64 gpa, u64 *e, u64 bits,
		       unsigned int level)
{
	int ret;

	if (w->tries++ >= VN_S1_CAS_TRIES)
		return -EBUSY;
	w->refs++;
	ret = (*w->ops->cmpxchg64)(w->ctx, gpa, *e, *e | bits);
	if (!ret) {
		*e |= bits;
		return 0;
	}
	if (ret != -EAGAIN)
		return vn_s2_err(w, ret, gpa, level);
	ret = vn_read(w, gpa, e, level);
	return ret ? ret : -EAGAIN;
}

/*
 * Whether a request may go through a translation of attributes @attr.
 * Checked in this order: a user request needs U at every level, then W for
 * a write, then no XD for a fetch; a supervisor fetch needs no XD, then (with
 * SMEP) not a user page; a supervisor data access needs (with SMAP) not a
 * user page, then for a write W or no WP.
 */
static __always_inline u32 vn_check(const struct vn_s1 *s1, u32 attr,
				    u32 access)
{
	u32 flags = s1->cfg.flags;

	if (access & VN_ACC_USER) {
		if (!(attr & VN_AT_U))
			return VN_S1_USER;
		if ((access & VN_ACC_WRITE) && !(attr & VN_AT_W))
			return VN_S1_WRITE;
		if ((access & VN_ACC_EXEC) && (attr & VN_AT_NX))
			return VN_S1_EXEC;
		return VN_S1_OK;
	}
	if (access & VN_ACC_EXEC) {
		if (attr & VN_AT_NX)
			return VN_S1_EXEC;
		if ((flags & VFIO_NESTED_S1_F_SMEP) && (attr & VN_AT_U))
			return VN_S1_SMEP;
		return VN_S1_OK;
	}
	if ((flags & VFIO_NESTED_S1_F_SMAP) && (attr & VN_AT_U))
		return VN_S1_SMAP;
	if ((access & VN_ACC_WRITE) && !(attr & VN_AT_W) &&
	    (flags & VFIO_NESTED_S1_F_WP))
		return VN_S1_WRITE;
	return VN_S1_OK;
}

/* What a request of the same privilege as @access may do: VN_ACC_*. */
static u32 vn_perm(const struct vn_s1 *s1, u32 attr, u32 access)
{
	u32 user = access & VN_ACC_USER, perm = 0;

	if (vn_check(s1, attr, user | VN_ACC_READ) == VN_S1_OK)
		perm |= VN_ACC_READ;
	if (vn_check(s1, attr, user | VN_ACC_WRITE) == VN_S1_OK)
		perm |= VN_ACC_WRITE;
	if (vn_check(s1, attr, user | VN_ACC_EXEC) == VN_S1_OK)
		perm |= VN_ACC_EXEC;
	return perm;
}

/*
 * Reserved bits of an x86-64 entry at @level (1 = PT): the address bits at
 * or above the width, XD without NXE, PS in a PML4E or PML5E, and in a 2M or
 * 1G page's entry the address bits below the page's size but above the PAT
 * bit (bit 12).
 */
static u64 vn_x86_rsvd(const struct vn_s1 *s1, unsigned int level, u64 e)
{
	u64 rsvd = 0;

	if (s1->cfg.addr_width <= X86_ADDR_TOP)
		rsvd = GENMASK_ULL(X86_ADDR_TOP, s1->cfg.addr_width);
	if (!(s1->cfg.flags & VFIO_NESTED_S1_F_NXE))
		rsvd |= X86_XD;
	if (level >= 4)
		rsvd |= X86_PS;
	else if (level > 1 && (e & X86_PS))
		rsvd |= GENMASK_ULL(12 + X86_IDX_BITS * (level - 1) - 1, 13);
	return rsvd;
}

/*
 * Walk an x86-64 4- or 5-level table.  At every level: read the entry
 * (one reference), check P and the reserved bits, then set A (a non-leaf
 * entry) or, at the leaf, check the access and set A, and D for a write (one
 * compare-and-exchange each when a bit is missing).  A leaf is a PT entry
 * or a PDPTE/PDE with PS set.
 */
static int vn_x86_walk(struct vn_walk *w, u64 iova, u32 access,
		       struct vn_walk_res *res)
{
	struct vn_s1 *s1 = w->s1;
	unsigned int level = s1->fmt->levels, shift;
	u64 table = s1->cfg.root_gpa, e, gpa, want;
	u32 attr = VN_AT_W | VN_AT_U, at, reason;
	bool leaf;
	int ret;

	for (;;) {
		shift = 12 + X86_IDX_BITS * (level - 1);
		gpa = table + ((iova >> shift) & (BIT(X86_IDX_BITS) - 1)) * 8;
		ret = vn_read(w, gpa, &e, level);
		if (ret)
			return ret;
again:
		if (!(e & X86_P))
			return vn_fault(w, VN_S1_NOT_PRESENT, level);
		if (e & vn_x86_rsvd(s1, level, e))
			return vn_fault(w, VN_S1_RSVD, level);
		leaf = level == 1 || ((level == 2 || level == 3) && (e & X86_PS));
		at = attr;
		if (!(e & X86_RW))
			at &= ~VN_AT_W;
		if (!(e & X86_US))
			at &= ~VN_AT_U;
		if ((s1->cfg.flags & VFIO_NESTED_S1_F_NXE) && (e & X86_XD))
			at |= VN_AT_NX;
		want = X86_A;
		if (leaf) {
			reason = vn_check(s1, at, access);
			if (reason != VN_S1_OK)
				return vn_fault(w, reason, level);
			if (access & VN_ACC_WRITE)
				want |= X86_D;
		}
		if ((e & want) != want) {
			ret = vn_set_bits(w, gpa, &e, want, level);
			if (ret == -EAGAIN)
				goto again;
			if (ret)
				return ret == -EBUSY ? -EAGAIN : ret;
		}
		attr = at;
		if (leaf)
			break;
		table = e & GENMASK_ULL(X86_ADDR_TOP, 12);
		level--;
	}
	if (e & X86_D)
		attr |= VN_AT_D;
	res->attr = attr;
	res->pg = level - 1;
	res->gpa = e & GENMASK_ULL(X86_ADDR_TOP, shift);
	return 0;
}

/* ---- the IOTLB ---- */

static u64 vn_in_mask(const struct vn_s1 *s1)
{
	return GENMASK_ULL(s1->fmt->in_width - 1, 0);
}

static bool vn_canonical(const struct vn_s1 *s1, u64 iova)
{
	unsigned int sh = 64 - s1->fmt->in_width;

	return (u64)((s64)(iova << sh) >> sh) == iova;
}

/* The xarrays changed: the per-CPU copies taken before are stale. */
static void vn_tlb_changed(struct vn_s1 *s1)
{
	lockdep_assert_held(&s1->lock);
	/*
	 * After the change, so that a copy taken under the new value is of
	 * the new content; pairs with the acquire in vn_tlb_lookup().
	 */
	smp_store_release(&s1->seq, s1->seq + 1);
}

/* Cache a walk's result unless an invalidation ran since @gen was read. */
static void vn_tlb_insert(struct vn_s1 *s1, unsigned long gen, u64 in,
			  const struct vn_walk_res *res)
{
	unsigned long idx = in >> vn_pg_shift[res->pg];
	struct vn_s1_tlbe *e, *old;

	e = kmalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return;
	e->gpa = res->gpa;
	e->attr = res->attr;
	mutex_lock(&s1->lock);
	if (s1->gen != gen)
		goto drop;
	if (s1->nr >= VN_S1_IOTLB_MAX && !xa_load(&s1->tlb[res->pg], idx))
		goto drop;
	old = xa_store(&s1->tlb[res->pg], idx, e, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old))
		goto drop;
	if (old)
		kfree_rcu(old, rcu);
	else
		s1->nr++;
	vn_tlb_changed(s1);
	mutex_unlock(&s1->lock);
	return;
drop:
	mutex_unlock(&s1->lock);
	kfree(e);
}

/*
 * The cached translation of @in (masked input address), if any: one of
 * this CPU's copies of what it last found when the xarrays have not
 * changed since, else the xarrays' (copied for the next lookups, in place
 * of the older copy). The RCU-sched read side (preemption off) keeps this
 * CPU's copies ours and the entries alive (they go by kfree_rcu(), whose
 * grace period waits for it).
 */
static __always_inline bool vn_tlb_lookup(struct vn_s1 *s1, u64 in,
					  struct vn_walk_res *res)
{
	struct vn_s1_pcpu *pc;
	struct vn_s1_tlbe *e;
	unsigned long seq;
	unsigned int pg, w;

	rcu_read_lock_sched();
	pc = this_cpu_ptr(s1->pcpu);
	/* before the xarrays: pairs with vn_tlb_changed() */
	seq = smp_load_acquire(&s1->seq);
	if (pc->seq == seq) {
		for (w = 0; w < VN_S1_PCPU_WAYS; w++) {
			if (pc->idx[w] == in >> vn_pg_shift[pc->res[w].pg]) {
				*res = pc->res[w];
				rcu_read_unlock_sched();
				return true;
			}
		}
	} else {
		/* stale: no index shifted from an input address is ~0 */
		for (w = 0; w < VN_S1_PCPU_WAYS; w++)
			pc->idx[w] = ULONG_MAX;
		pc->seq = seq;
	}
	for (pg = 0; pg < VN_PG_NR; pg++) {
		e = xa_load(&s1->tlb[pg], in >> vn_pg_shift[pg]);
		if (e) {
			res->gpa = e->gpa;
			res->attr = e->attr;
			res->pg = pg;
			w = pc->next;
			pc->next = (w + 1) % VN_S1_PCPU_WAYS;
			pc->res[w] = *res;
			pc->idx[w] = in >> vn_pg_shift[pg];
			break;
		}
	}
	rcu_read_unlock_sched();
	return pg < VN_PG_NR;
}

/* A hit: counted on this CPU, no shared cache line written. */
static void vn_tlb_hit(struct vn_s1 *s1)
{
	this_cpu_inc(s1->pcpu->hits);
}

/**
 * vn_s1_lookup() - the IOTLB's translation of an access, without a walk
 * @s1: the stage 1
 * @iova: the input address
 * @access: as for vn_s1_translate()
 * @gpa: the GPA of @iova on success
 * @page_size: the size of the page that maps it on success
 *
 * The hit path of vn_s1_translate() alone: it neither walks nor faults nor
 * sleeps, so that a caller can run it without holding a reference on
 * @s1, in an RCU read side in which it found @s1 (vn_s1_free() frees the
 * memory after a grace period).  Only a hit counts in the statistics.
 *
 * Return: true when the IOTLB holds a translation of @iova that allows
 * @access and needs no walk (vn_s1_translate() would return it with
 * &vn_s1_xlate.hit set); false otherwise: call vn_s1_translate().
 */
bool vn_s1_lookup(struct vn_s1 *s1, u64 iova, u32 access, u64 *gpa,
		  u64 *page_size)
{
	struct vn_walk_res res;
	u64 size;

	if (!access || (access & ~VN_ACC_ALL) ||
	    ((access & VN_ACC_EXEC) && (access & VN_ACC_WRITE)) ||
	    !vn_canonical(s1, iova) ||
	    (!(access & VN_ACC_USER) && !(s1->cfg.flags & VFIO_NESTED_S1_F_PRIV)))
		return false;
	if (!vn_tlb_lookup(s1, iova & vn_in_mask(s1), &res) ||
	    vn_check(s1, res.attr, access) != VN_S1_OK ||
	    ((access & VN_ACC_WRITE) && !(res.attr & VN_AT_D)))
		return false;
	vn_tlb_hit(s1);
	size = BIT_ULL(vn_pg_shift[res.pg]);
	*page_size = size;
	*gpa = res.gpa | (iova & (size - 1));
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_lookup);

static void vn_stat_max(atomic64_t *max, u64 val)
{
	s64 cur = atomic64_read(max);

	while ((u64)cur < val && !atomic64_try_cmpxchg(max, &cur, val))
		;
}

/**
 * vn_s1_translate() - translate one input address of a request
 * @s1: the stage 1
 * @iova: the input address (guest virtual or guest IOVA)
 * @access: %VN_ACC_READ, %VN_ACC_WRITE or %VN_ACC_EXEC (fetch, read only),
 *	with %VN_ACC_USER for a user request
 * @ops: stage-2 access to the guest's memory
 * @ctx: passed to @ops
 * @out: the result; on a fault its reason, level and stage-2 details
 *
 * A canonical address is looked up in the IOTLB first: a hit whose
 * attributes allow the access is served from it without a memory access;
 * one that does not allow it faults without a walk (the entry stays until
 * invalidated), except that a write hitting a translation cached with its
 * dirty bit clear walks again to set the bit.  A miss walks the table and
 * caches the result unless an invalidation ran meanwhile.  Faults are never
 * cached.  Context: may sleep (the callbacks may, and the IOTLB insert
 * takes a mutex).
 *
 * Return: 0 with the GPA, page size and permissions in @out; -EFAULT for a
 * fault described in @out; -EAGAIN when the guest kept changing an entry
 * that needed an accessed or dirty update (the caller may retry); -EINVAL
 * for a bad @access; another error of the callbacks as is.
 */
int vn_s1_translate(struct vn_s1 *s1, u64 iova, u32 access,
		    const struct vn_s2_ops *ops, void *ctx,
		    struct vn_s1_xlate *out)
{
	struct vn_walk w = { .s1 = s1, .ops = ops, .ctx = ctx, .out = out };
	struct vn_walk_res res;
	unsigned long gen;
	u32 reason;
	u64 in;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!access || (access & ~VN_ACC_ALL) ||
	    ((access & VN_ACC_EXEC) && (access & VN_ACC_WRITE)))
		return -EINVAL;
	if (!vn_canonical(s1, iova)) {
		reason = VN_S1_CANONICAL;
		goto fault;
	}
	if (!(access & VN_ACC_USER) &&
	    !(s1->cfg.flags & VFIO_NESTED_S1_F_PRIV)) {
		reason = VN_S1_PRIV;
		goto fault;
	}
	in = iova & vn_in_mask(s1);
	if (vn_tlb_lookup(s1, in, &res)) {
		reason = vn_check(s1, res.attr, access);
		/* an allowed write to a page not yet dirty walks to set D */
		if (reason != VN_S1_OK || !(access & VN_ACC_WRITE) ||
		    (res.attr & VN_AT_D)) {
			vn_tlb_hit(s1);
			if (reason != VN_S1_OK) {
				out->level = res.pg + 1;
				goto fault;
			}
			out->hit = true;
			goto done;
		}
	} else {
		atomic64_inc(&s1->misses);
	}

	/* read before any table entry: pairs with the invalidation's lock */
	gen = smp_load_acquire(&s1->gen);
	ret = s1->fmt->walk(&w, iova, access, &res);
	atomic64_inc(&s1->walks);
	atomic64_add(w.refs, &s1->refs);
	vn_stat_max(&s1->refs_max, w.refs);
	out->refs = w.refs;
	if (ret) {
		if (ret == -EFAULT)
			atomic64_inc(&s1->faults);
		return ret;
	}
	vn_tlb_insert(s1, gen, in, &res);
done:
	out->page_size = BIT_ULL(vn_pg_shift[res.pg]);
	out->gpa = res.gpa | (iova & (out->page_size - 1));
	out->perm = vn_perm(s1, res.attr, access);
	return 0;
fault:
	out->reason = reason;
	atomic64_inc(&s1->faults);
	return -EFAULT;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_translate);

/* ---- invalidation ---- */

/*
 * Drop every entry whose page overlaps the masked input range [@first,
 * @last]; lock held.  Returns the number dropped.
 */
static unsigned int vn_inv_masked(struct vn_s1 *s1, u64 first, u64 last)
{
	unsigned int pg, n = 0;

	for (pg = 0; pg < VN_PG_NR; pg++)
		n += vn_tlb_drop(s1, pg, first >> vn_pg_shift[pg],
				 last >> vn_pg_shift[pg]);
	return n;
}

/**
 * vn_s1_invalidate_all() - drop every cached translation of a stage 1
 * @s1: the stage 1
 *
 * Context: may sleep.
 */
void vn_s1_invalidate_all(struct vn_s1 *s1)
{
	unsigned int n;

	mutex_lock(&s1->lock);
	WRITE_ONCE(s1->gen, s1->gen + 1);
	n = vn_inv_masked(s1, 0, vn_in_mask(s1));
	vn_tlb_changed(s1);
	mutex_unlock(&s1->lock);
	atomic64_inc(&s1->invalidations);
	atomic64_add(n, &s1->dropped);
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_invalidate_all);

/**
 * vn_s1_invalidate_range() - drop the cached translations of a range
 * @s1: the stage 1
 * @addr: first input address
 * @size: bytes, at least 1; @addr + @size may reach 2^64 but not pass it
 * @leaf: only leaf entries changed (no difference here: no
 *	paging-structure entry is cached)
 *
 * Every translation whose page overlaps [@addr, @addr + @size) is dropped,
 * whatever its page size, and no other.  Parts of the range outside the
 * canonical halves of the input space hold nothing.  Context: may sleep.
 *
 * Return: 0, or -EINVAL for an empty or wrapping range.
 */
int vn_s1_invalidate_range(struct vn_s1 *s1, u64 addr, u64 size, bool leaf)
{
	u64 last = addr + size - 1, half = BIT_ULL(s1->fmt->in_width - 1);
	u64 mask = vn_in_mask(s1);
	unsigned int n = 0;

	if (!size || last < addr)
		return -EINVAL;
	mutex_lock(&s1->lock);
	WRITE_ONCE(s1->gen, s1->gen + 1);
	/* the lower half: [0, half) */
	if (addr < half)
		n += vn_inv_masked(s1, addr, min(last, half - 1));
	/* the upper half: [-half, 2^64), masked to [half, 2 * half) */
	if (last >= -half)
		n += vn_inv_masked(s1, max(addr, -half) & mask, last & mask);
	vn_tlb_changed(s1);
	mutex_unlock(&s1->lock);
	atomic64_inc(&s1->invalidations);
	atomic64_add(n, &s1->dropped);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_invalidate_range);

/**
 * vn_s1_inv_entry_check() - check one invalidation entry of the uAPI
 * @e: the entry, copied from the user
 *
 * The fields an entry's type does not use must be 0.  The PASID is not
 * looked up here: that is the caller's (``ENOENT`` when nothing is bound).
 *
 * Return: 0; -EINVAL for an unknown type, a non-zero unused or reserved
 * field, a granule other than 12, 21 or 30, an address not aligned to it,
 * no pages (except a device-TLB entry for every address) or a range
 * passing 2^64, a PASID with %VFIO_NESTED_INV_F_NO_PASID or that flag on
 * %VFIO_NESTED_INV_ALL; -EOPNOTSUPP for an unknown flag.
 */
int vn_s1_inv_entry_check(const struct vfio_nested_inv_entry *e)
{
	u64 size;

	if (e->flags & ~VFIO_NESTED_INV_F_ALL)
		return -EOPNOTSUPP;
	if (e->__reserved)
		return -EINVAL;
	if ((e->flags & VFIO_NESTED_INV_F_NO_PASID) && e->pasid)
		return -EINVAL;
	switch (e->type) {
	case VFIO_NESTED_INV_ALL:
		if (e->pasid || (e->flags & VFIO_NESTED_INV_F_NO_PASID))
			return -EINVAL;
		fallthrough;
	case VFIO_NESTED_INV_PASID:
		if (e->granule || e->addr || e->npages || e->dev_id)
			return -EINVAL;
		return 0;
	case VFIO_NESTED_INV_DEVTLB:
		if (!e->npages)
			return e->granule || e->addr ? -EINVAL : 0;
		break;
	case VFIO_NESTED_INV_ADDR:
		if (e->dev_id || !e->npages)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (e->granule != vn_pg_shift[VN_PG_4K] &&
	    e->granule != vn_pg_shift[VN_PG_2M] &&
	    e->granule != vn_pg_shift[VN_PG_1G])
		return -EINVAL;
	if (e->addr & (BIT_ULL(e->granule) - 1))
		return -EINVAL;
	if (e->npages > (U64_MAX >> e->granule))
		return -EINVAL;
	size = e->npages << e->granule;
	if (e->addr + size - 1 < e->addr)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_inv_entry_check);

/**
 * vn_s1_invalidate_entry() - apply one checked invalidation entry
 * @s1: the stage 1 the entry names (the caller resolved its PASID; for
 *	%VFIO_NESTED_INV_ALL it calls this for every stage 1)
 * @e: the entry
 *
 * %VFIO_NESTED_INV_ALL and %VFIO_NESTED_INV_PASID drop everything,
 * %VFIO_NESTED_INV_ADDR the translations that overlap the range,
 * %VFIO_NESTED_INV_DEVTLB nothing (a device's own cache is the caller's to
 * reach).  Context: may sleep.
 *
 * Return: 0, or the error of vn_s1_inv_entry_check().
 */
int vn_s1_invalidate_entry(struct vn_s1 *s1,
			   const struct vfio_nested_inv_entry *e)
{
	int ret = vn_s1_inv_entry_check(e);

	if (ret)
		return ret;
	switch (e->type) {
	case VFIO_NESTED_INV_ALL:
	case VFIO_NESTED_INV_PASID:
		vn_s1_invalidate_all(s1);
		return 0;
	case VFIO_NESTED_INV_ADDR:
		return vn_s1_invalidate_range(s1, e->addr,
					      e->npages << e->granule,
					      e->flags & VFIO_NESTED_INV_F_LEAF);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_invalidate_entry);

/**
 * vn_s1_get_stats() - read the counters of a stage 1
 * @s1: the stage 1
 * @st: filled with the counters (each read on its own, not a snapshot)
 */
void vn_s1_get_stats(struct vn_s1 *s1, struct vn_s1_stats *st)
{
	unsigned int cpu;

	st->hits = 0;
	for_each_possible_cpu(cpu)
		st->hits += READ_ONCE(per_cpu_ptr(s1->pcpu, cpu)->hits);
	st->walks = atomic64_read(&s1->walks);
	st->refs = atomic64_read(&s1->refs);
	st->refs_max = atomic64_read(&s1->refs_max);
	st->misses = atomic64_read(&s1->misses);
	st->faults = atomic64_read(&s1->faults);
	st->invalidations = atomic64_read(&s1->invalidations);
	st->inv_dropped = atomic64_read(&s1->dropped);
	st->entries = READ_ONCE(s1->nr);
}
EXPORT_SYMBOL_IF_KUNIT(vn_s1_get_stats);
