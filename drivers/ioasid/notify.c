// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid notifiers: one list per set, sorted by priority. There are no
 * global or by-token registrations: a consumer registers on the set it
 * holds (a VM's set from the VMM's /dev/ioasid file, or its own).
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "ioasid_private.h"

/* Delivery order: descending priority, then registration order. */
static void ioasid_nb_insert(struct list_head *head,
			     struct ioasid_nb_entry *entry)
{
	struct ioasid_nb_entry *pos;

	list_for_each_entry(pos, head, node) {
		if (entry->nb->priority > pos->nb->priority) {
			list_add_tail(&entry->node, &pos->node);
			return;
		}
	}
	list_add_tail(&entry->node, head);
}

static struct ioasid_nb_entry *ioasid_nb_find(struct pvm_ioasid_set *set,
					      struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry;

	lockdep_assert_held(&set->lock);
	list_for_each_entry(entry, &set->notifiers, node)
		if (entry->nb == nb)
			return entry;
	return NULL;
}

/* One replayed event for the attached guest PASID @spid of @data. */
static int ioasid_nb_replay(struct pvm_ioasid_set *set,
			    struct notifier_block *nb, unsigned long event,
			    struct ioasid_data *data, unsigned long spid)
{
	struct pvm_ioasid_nb_args args = {
		.set = set,
		.id = data->id,
		.spid = spid,
		.pdata = rcu_dereference_protected(data->private,
						   lockdep_is_held(&set->lock)),
	};

	return notifier_to_errno(nb->notifier_call(nb, event, &args));
}

/* Undo the replayed BINDs of @nb up to (not including) guest PASID @stop. */
static void ioasid_nb_rollback(struct pvm_ioasid_set *set,
			       struct notifier_block *nb, unsigned long stop)
{
	struct ioasid_data *data;
	unsigned long spid;

	xa_for_each_range(&set->spids, spid, data, 1, stop - 1)
		ioasid_nb_replay(set, nb, IOASID_NOTIFY_BIND_ROLLBACK, data, spid);
}

/*
 * Register @nb on @set; with @replay, first deliver IOASID_NOTIFY_BIND to
 * @nb for every attached guest PASID (rolled back if @nb refuses one).
 */
static int ioasid_nb_register(struct pvm_ioasid_set *set,
			      struct notifier_block *nb, bool replay)
{
	struct ioasid_nb_entry *entry;
	struct ioasid_data *data;
	unsigned long spid;
	int ret = 0;

	if (!set || !nb)
		return -EINVAL;
	entry = kzalloc(sizeof(*entry), GFP_KERNEL_ACCOUNT);
	if (!entry)
		return -ENOMEM;
	entry->nb = nb;
	mutex_lock(&set->lock);
	if (ioasid_nb_find(set, nb)) {
		ret = -EEXIST;
		goto out;
	}
	if (replay) {
		xa_for_each(&set->spids, spid, data) {
			ret = ioasid_nb_replay(set, nb, IOASID_NOTIFY_BIND,
					       data, spid);
			if (ret) {
				ioasid_nb_rollback(set, nb, spid);
				goto out;
			}
		}
	}
	ioasid_nb_insert(&set->notifiers, entry);
	entry = NULL;
out:
	mutex_unlock(&set->lock);
	kfree(entry);
	return ret;
}

/**
 * pvm_ioasid_register_notifier() - register on a set's chain
 * @set: the set, held by the caller (e.g. from pvm_ioasid_set_get_from_file())
 * @nb: the block; @nb->priority is an enum pvm_ioasid_notifier_prio
 *
 * The handler is called as nb->notifier_call(nb, event, args) with an
 * enum pvm_ioasid_notify_event and a &struct pvm_ioasid_nb_args for every
 * event of @set from now on. Its return value matters for
 * IOASID_NOTIFY_BIND only: notifier_from_errno(-E...) refuses the bind
 * (see enum pvm_ioasid_notify_event). Handlers run in process context with
 * the set's mutex held, may sleep, must not change the set the event is
 * about, allocate or free IDs in any set, nor (un)register notifiers: the
 * lock order is in <linux/pvm_ioasid.h>.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @set or @nb is NULL, -EEXIST if @nb is already
 * registered on @set, -ENOMEM.
 */
int pvm_ioasid_register_notifier(struct pvm_ioasid_set *set,
				 struct notifier_block *nb)
{
	return ioasid_nb_register(set, nb, false);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_register_notifier, PVM_IOASID_NS);

/**
 * pvm_ioasid_register_notifier_replay() - register and replay the binds
 * @set: the set, held by the caller
 * @nb: the block, as for pvm_ioasid_register_notifier()
 *
 * Like pvm_ioasid_register_notifier(), and, atomically with the
 * registration (under the set's mutex, so no event is missed or seen
 * twice), delivers IOASID_NOTIFY_BIND to @nb alone for every guest PASID
 * attached in @set, in ascending guest PASID order: a consumer that joins a
 * set late (kvm_pasid attaching a VM) picks up the binds made before. If
 * @nb refuses one (notifier_from_errno()), it gets
 * IOASID_NOTIFY_BIND_ROLLBACK for each it accepted and is not registered.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @set or @nb is NULL, -EEXIST if @nb is already
 * registered on @set, -ENOMEM, or the errno of @nb's refusal.
 */
int pvm_ioasid_register_notifier_replay(struct pvm_ioasid_set *set,
					struct notifier_block *nb)
{
	return ioasid_nb_register(set, nb, true);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_register_notifier_replay, PVM_IOASID_NS);

/**
 * pvm_ioasid_unregister_notifier() - undo pvm_ioasid_register_notifier()
 * @set: the set given at registration
 * @nb: the block
 *
 * No call to @nb is in progress or made once this returns. A registration
 * on a set that its owner has freed may still be unregistered while the
 * caller holds a reference on the set; one left registered goes with the
 * set's memory.
 *
 * Context: process context, may sleep. Takes set->lock.
 */
void pvm_ioasid_unregister_notifier(struct pvm_ioasid_set *set,
				    struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry;

	mutex_lock(&set->lock);
	entry = ioasid_nb_find(set, nb);
	if (entry)
		list_del(&entry->node);
	mutex_unlock(&set->lock);
	WARN_ON(!entry);
	kfree(entry);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_unregister_notifier, PVM_IOASID_NS);

/* Last reference of a set: drop registrations nobody unregistered. */
void ioasid_set_free_nbs(struct pvm_ioasid_set *set)
{
	struct ioasid_nb_entry *entry, *next;

	list_for_each_entry_safe(entry, next, &set->notifiers, node) {
		list_del(&entry->node);
		kfree(entry);
	}
}
