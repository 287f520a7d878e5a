/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvm_ioasid: the host PASID (I/O address space ID) allocator shared by VMs and
 * host SVA users.
 *
 * Kernel API used by kvm_pasid, vfio_iommu_nested, sva_sim and any other
 * consumer. The symbols are exported GPL-only in the PVM_IOASID symbol namespace:
 * a consumer adds ``MODULE_IMPORT_NS(PVM_IOASID_NS);``.
 */
#ifndef _LINUX_PVM_IOASID_H
#define _LINUX_PVM_IOASID_H

#include <linux/types.h>
#include <linux/iommu.h>	/* ioasid_t, IOMMU_PASID_INVALID */
#include <linux/notifier.h>
#include <uapi/linux/ioasid.h>

/*
 * Symbol namespace of the exported API. Out-of-tree compat: before 6.13
 * the namespace argument of EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS()
 * is a bare word that the macros stringify; from 6.13 on it is a string
 * (HAVE_SYMBOL_NS_STRING: scripts/conftest.sh).
 */
#ifdef HAVE_SYMBOL_NS_STRING
#define PVM_IOASID_NS "PVM_IOASID"
#else
#define PVM_IOASID_NS PVM_IOASID
#endif

/*
 * ioasid_t (from <linux/iommu.h>) is a host PASID or a set-private ID
 * (guest PASID). PVM_IOASID_INVALID is never allocated; lookups that find
 * nothing return it.
 */
#define PVM_IOASID_INVALID		IOMMU_PASID_INVALID
/* Widest PASID space (PCIe): 20 bits. */
#define IOASID_MAX_BITS		20
/* Largest set-private ID (guest PASID) accepted by pvm_ioasid_attach_spid(). */
#define IOASID_SPID_MAX		((1U << IOASID_MAX_BITS) - 1)
/* Quota value meaning "bounded by the pool only": reserves nothing. */
#define IOASID_QUOTA_UNLIMITED	0U

struct pvm_ioasid_set;
struct file;

/**
 * enum pvm_ioasid_notify_event - events delivered on the notifier chains
 * @IOASID_NOTIFY_ALLOC: an ID was allocated in a set
 * @IOASID_NOTIFY_FREE: an ID was freed by its owner; it is free-pending until
 *	the last reference is put, consumers should drop theirs
 * @IOASID_NOTIFY_BIND: a set-private ID (guest PASID) was attached to an ID
 * @IOASID_NOTIFY_UNBIND: the set-private ID was detached (also sent before
 *	FREE when an attached ID is freed)
 * @IOASID_NOTIFY_SET_FREE: the set was freed by its owner; the last event
 *	of the set
 * @IOASID_NOTIFY_BIND_ROLLBACK: a BIND this registration accepted was
 *	refused by a later one: undo it (same arguments as the BIND); the
 *	attach failed and no UNBIND follows
 *
 * A handler may refuse IOASID_NOTIFY_BIND, and only that event, by
 * returning notifier_from_errno(-E...) (e.g. -ENOMEM when it has no memory
 * for the translation it must install): the registrations that ran before
 * it get IOASID_NOTIFY_BIND_ROLLBACK, latest first, the later ones see
 * nothing, and pvm_ioasid_attach_spid() (IOASID_ATTACH_GPASID) fails with
 * that errno with nothing changed. Any other return value (NOTIFY_DONE,
 * NOTIFY_OK, NOTIFY_BAD, NOTIFY_STOP...) accepts; return values of other
 * events are ignored: UNBIND, FREE and SET_FREE always happen. A consumer
 * that ignores an event it does not know stays correct.
 */
enum pvm_ioasid_notify_event {
	IOASID_NOTIFY_ALLOC,
	IOASID_NOTIFY_FREE,
	IOASID_NOTIFY_BIND,
	IOASID_NOTIFY_UNBIND,
	IOASID_NOTIFY_SET_FREE,
	IOASID_NOTIFY_BIND_ROLLBACK,
};

/**
 * enum pvm_ioasid_notifier_prio - notifier priorities, higher runs first
 * @IOASID_PRIO_DEVICE: device drivers (run last)
 * @IOASID_PRIO_IOMMU: IOMMU drivers and VFIO backends
 * @IOASID_PRIO_CPU: CPU-side translation such as KVM's ENQCMD PASID table
 *	(run first)
 *
 * Put in &notifier_block.priority. Every event of a set is delivered to
 * the set's registrations in this fixed order; equal priorities run in
 * registration order.
 */
enum pvm_ioasid_notifier_prio {
	IOASID_PRIO_DEVICE = 10,
	IOASID_PRIO_IOMMU = 20,
	IOASID_PRIO_CPU = 30,
};

/**
 * struct pvm_ioasid_nb_args - argument of every notification
 * @set: the set the event is about (valid during the call)
 * @id: host ID (PVM_IOASID_INVALID for SET_FREE)
 * @spid: set-private ID for BIND/UNBIND, PVM_IOASID_INVALID otherwise
 * @pdata: private data of the ID at the time of the event
 */
struct pvm_ioasid_nb_args {
	struct pvm_ioasid_set *set;
	ioasid_t id;
	ioasid_t spid;
	void *pdata;
};

/* Pool */
ioasid_t pvm_ioasid_pool_capacity(void);
unsigned int pvm_ioasid_pool_used(void);

/*
 * Sets. A set is named only by a pointer its holder has a reference on:
 * a VM's set is the one of the VMM's /dev/ioasid file, taken with
 * pvm_ioasid_set_get_from_file(); a kernel user allocates its own.
 */
struct pvm_ioasid_set *pvm_ioasid_set_alloc(unsigned int quota);
void pvm_ioasid_set_free(struct pvm_ioasid_set *set);
void pvm_ioasid_set_get(struct pvm_ioasid_set *set);
void pvm_ioasid_set_put(struct pvm_ioasid_set *set);
struct pvm_ioasid_set *pvm_ioasid_set_get_from_file(struct file *file);
int pvm_ioasid_set_set_quota(struct pvm_ioasid_set *set, unsigned int quota);
unsigned int pvm_ioasid_set_quota(struct pvm_ioasid_set *set);
unsigned int pvm_ioasid_set_used(struct pvm_ioasid_set *set);

/* IDs */
int pvm_ioasid_alloc(struct pvm_ioasid_set *set, ioasid_t min, ioasid_t max,
		     void *private, ioasid_t *id);
int pvm_ioasid_free(struct pvm_ioasid_set *set, ioasid_t id);
void pvm_ioasid_free_all_in_set(struct pvm_ioasid_set *set);
int pvm_ioasid_get(struct pvm_ioasid_set *set, ioasid_t id);
int pvm_ioasid_put(struct pvm_ioasid_set *set, ioasid_t id);
void *pvm_ioasid_find(struct pvm_ioasid_set *set, ioasid_t id,
		      bool (*getter)(void *));
int pvm_ioasid_set_data(struct pvm_ioasid_set *set, ioasid_t id, void *data);

/* Guest (set-private) mapping */
int pvm_ioasid_attach_spid(struct pvm_ioasid_set *set, ioasid_t id, ioasid_t spid);
int pvm_ioasid_detach_spid(struct pvm_ioasid_set *set, ioasid_t id);
ioasid_t pvm_ioasid_find_by_spid(struct pvm_ioasid_set *set, ioasid_t spid, bool get);
ioasid_t pvm_ioasid_get_spid(struct pvm_ioasid_set *set, ioasid_t id);

/*
 * Notifiers, per set.
 *
 * Lock order across modules: handlers run in process context under the
 * set's mutex, which is outside every lock a handler takes. So a handler
 * may sleep, allocate with GFP_KERNEL, take its own mutexes and call
 * pvm_ioasid_find(), pvm_ioasid_get(), pvm_ioasid_put(),
 * pvm_ioasid_find_by_spid(), pvm_ioasid_get_spid(), pvm_ioasid_set_get()
 * and pvm_ioasid_set_put() (not the last put of a set: hold one beyond the
 * handler); it must not call anything else of this API (alloc, free,
 * attach, detach, quota, set_free, (un)register: they take a set's mutex).
 * Outside its handler a consumer must not call those functions while
 * holding a lock its handler takes (for kvm_pasid: the VM table's mutex).
 * Handlers of one set are never called concurrently, and an event is
 * delivered after the set's state changed (BIND: the guest PASID already
 * translates; a refusal undoes it).
 */
int pvm_ioasid_register_notifier(struct pvm_ioasid_set *set,
				 struct notifier_block *nb);
int pvm_ioasid_register_notifier_replay(struct pvm_ioasid_set *set,
					struct notifier_block *nb);
void pvm_ioasid_unregister_notifier(struct pvm_ioasid_set *set,
				    struct notifier_block *nb);

#endif /* _LINUX_PVM_IOASID_H */
