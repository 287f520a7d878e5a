/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_iommu_nested: stage 1, the guest's page table of one PASID (or of
 * the PASID-less requests): its formats, the software walker and the
 * per-stage-1 IOTLB.  Pure logic: guest memory is reached only through
 * &struct vn_s2_ops, so that the KUnit suite feeds it synthetic memory.
 *
 * Locking: &vn_s1.lock (a mutex) serialises IOTLB inserts and
 * invalidations; lookups take only an RCU read side (RCU-sched: preemption
 * off, which also keeps a CPU's copy of its last hit its own).  Nothing
 * else is taken under the mutex, and the &struct vn_s2_ops callbacks are
 * never called with it held, so it nests inside any lock of the caller.
 */
#ifndef _VFIO_IOMMU_NESTED_S1_H
#define _VFIO_IOMMU_NESTED_S1_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/vfio_iommu_nested.h>

struct vn_s1;

/**
 * struct vn_s2_ops - stage-2 access to guest memory for the walker
 * @read64: read the naturally aligned 64-bit word at guest-physical
 *	address @gpa into *@val.  Returns 0, -EFAULT when stage 2 does not
 *	map @gpa, -EPERM when it does not allow the read.  May sleep.
 * @cmpxchg64: atomically replace the 64-bit word at @gpa by @new if it
 *	still holds @old.  Returns 0 when it was replaced, -EAGAIN when the
 *	word held another value (nothing written), -EFAULT when stage 2 does
 *	not map @gpa, -EPERM when the mapping is not writable.  May sleep.
 *
 * @ctx is the caller's (the container for the module, the fake memory for
 * KUnit).  Every stage-1 table access goes through these two calls.  (The
 * kernel's cmpxchg64() is a function-like macro: call the member as
 * ``(*ops->cmpxchg64)(...)`` so that it is not expanded.)
 */
struct vn_s2_ops {
	int (*read64)(void *ctx, u64 gpa, u64 *val);
	int (*cmpxchg64)(void *ctx, u64 gpa, u64 old, u64 new);
};

/**
 * struct vn_s1_cfg - what a bind names
 * @format: %VFIO_NESTED_S1_FMT_*
 * @addr_width: guest-physical address width, 32 to 52; 0 means 52
 * @flags: %VFIO_NESTED_S1_F_*
 * @root_gpa: GPA of the top-level table, 4 KiB aligned, below the width
 */
struct vn_s1_cfg {
	u32 format;
	u32 addr_width;
	u32 flags;
	u64 root_gpa;
};

/* IOTLB entries per stage 1; a full IOTLB caches nothing more */
#define VN_S1_IOTLB_MAX	4096

/* access of a request, for vn_s1_translate(): read is implied by write */
#define VN_ACC_READ	BIT(0)
#define VN_ACC_WRITE	BIT(1)
#define VN_ACC_EXEC	BIT(2)
/* a user (non-privileged) request; without it, a supervisor request */
#define VN_ACC_USER	BIT(3)
#define VN_ACC_ALL	(VN_ACC_READ | VN_ACC_WRITE | VN_ACC_EXEC | VN_ACC_USER)

/**
 * enum vn_s1_reason - why a translation failed (&vn_s1_xlate.reason)
 * @VN_S1_OK: no fault
 * @VN_S1_NOT_PRESENT: an entry on the way has P clear
 * @VN_S1_WRITE: a write through a read-only translation
 * @VN_S1_USER: a user request to a supervisor page (U/S clear somewhere)
 * @VN_S1_EXEC: an instruction fetch with XD set somewhere (needs NXE)
 * @VN_S1_SMEP: a supervisor fetch from a user page (%VFIO_NESTED_S1_F_SMEP)
 * @VN_S1_SMAP: a supervisor access to a user page (%VFIO_NESTED_S1_F_SMAP)
 * @VN_S1_PRIV: a supervisor request without %VFIO_NESTED_S1_F_PRIV
 * @VN_S1_RSVD: a reserved bit is set in an entry
 * @VN_S1_CANONICAL: the input address is not canonical for the format
 * @VN_S1_S2: stage 2 refused an access to a stage-1 table entry at
 *	&vn_s1_xlate.fault_gpa (&vn_s1_xlate.s2_err says how)
 */
enum vn_s1_reason {
	VN_S1_OK = 0,
	VN_S1_NOT_PRESENT,
	VN_S1_WRITE,
	VN_S1_USER,
	VN_S1_EXEC,
	VN_S1_SMEP,
	VN_S1_SMAP,
	VN_S1_PRIV,
	VN_S1_RSVD,
	VN_S1_CANONICAL,
	VN_S1_S2,
};

/**
 * struct vn_s1_xlate - the result of vn_s1_translate()
 * @gpa: the GPA of the input address (on success)
 * @page_size: size of the page that maps it: 4 KiB, 2 MiB or 1 GiB
 * @perm: %VN_ACC_READ, %VN_ACC_WRITE, %VN_ACC_EXEC that a request of the
 *	same privilege may do through this page (on success)
 * @reason: an &enum vn_s1_reason; %VN_S1_OK on success
 * @level: the level of the entry that faulted: 1 for a page table entry up
 *	to 4 (PML4) or 5 (PML5); 0 when no entry is at fault (non-canonical,
 *	privileged)
 * @s2_err: with %VN_S1_S2: -EFAULT (stage 2 maps no page at @fault_gpa)
 *	or -EPERM (it refused the access: a write for an A/D update)
 * @fault_gpa: with %VN_S1_S2: the GPA of the stage-1 entry
 * @refs: guest-memory references this call made (entry reads and A/D
 *	compare-and-exchanges); 0 on an IOTLB hit
 * @hit: the translation came from the IOTLB
 */
struct vn_s1_xlate {
	u64 gpa;
	u64 page_size;
	u32 perm;
	u32 reason;
	u32 level;
	int s2_err;
	u64 fault_gpa;
	u32 refs;
	bool hit;
};

/**
 * struct vn_s1_stats - counters of one stage 1, since its allocation
 * @walks: table walks started (IOTLB misses plus retries of a write that
 *	hit an entry whose dirty bit was not set)
 * @refs: guest-memory references of all walks (entry reads, A/D updates)
 * @refs_max: the most references one walk made
 * @hits: translations served by the IOTLB
 * @misses: translations that had to walk
 * @faults: translations that failed with a fault
 * @invalidations: invalidation calls (all, by stage 1, by range)
 * @inv_dropped: IOTLB entries dropped by invalidations
 * @entries: IOTLB entries held now
 */
struct vn_s1_stats {
	u64 walks;
	u64 refs;
	u64 refs_max;
	u64 hits;
	u64 misses;
	u64 faults;
	u64 invalidations;
	u64 inv_dropped;
	u64 entries;
};

/*
 * The functions (kernel-doc in s1.c), in a binding's life:
 * vn_s1_cfg_check() validates a bind's arguments (-EINVAL, -EOPNOTSUPP);
 * vn_s1_alloc() makes the stage 1 (NULL: -ENOMEM, or a bad cfg);
 * vn_s1_translate() walks or hits the IOTLB (0, -EFAULT with a fault in
 * @out, -EAGAIN when the guest kept changing an entry under the walk),
 * may sleep; vn_s1_lookup() is its hit path alone (no walk, no fault, no
 * sleep: callable in an RCU read side without a reference on the stage 1);
 * vn_s1_inv_entry_check() validates one uAPI invalidation entry
 * of any type; vn_s1_invalidate_entry() applies one to this stage 1 (ALL and
 * PASID drop everything, ADDR the range, DEVTLB nothing: the caller sends
 * that one to its devices); vn_s1_invalidate_all() and
 * vn_s1_invalidate_range() are the same without the uAPI struct;
 * vn_s1_free() once no vn_s1_translate() can run on it any more (the
 * memory goes after an RCU grace period: a module that has this code calls
 * rcu_barrier() before it is unloaded).
 */
int vn_s1_cfg_check(const struct vn_s1_cfg *cfg);
struct vn_s1 *vn_s1_alloc(const struct vn_s1_cfg *cfg);
void vn_s1_free(struct vn_s1 *s1);
int vn_s1_translate(struct vn_s1 *s1, u64 iova, u32 access,
		    const struct vn_s2_ops *ops, void *ctx,
		    struct vn_s1_xlate *out);
bool vn_s1_lookup(struct vn_s1 *s1, u64 iova, u32 access, u64 *gpa,
		  u64 *page_size);
void vn_s1_invalidate_all(struct vn_s1 *s1);
int vn_s1_invalidate_range(struct vn_s1 *s1, u64 addr, u64 size, bool leaf);
int vn_s1_inv_entry_check(const struct vfio_nested_inv_entry *e);
int vn_s1_invalidate_entry(struct vn_s1 *s1,
			   const struct vfio_nested_inv_entry *e);
void vn_s1_get_stats(struct vn_s1 *s1, struct vn_s1_stats *st);
const char *vn_s1_reason_name(u32 reason);

#endif /* _VFIO_IOMMU_NESTED_S1_H */
