// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid notifiers: one sorted list per set holding the set's own
 * registrations, its token's and a copy of every global one; registrations
 * by token wait for their set.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "ioasid_private.h"

/*
 * Global registrations (ioasid_sets_lock). Each live set holds a copy of
 * every one in its own list, so that delivery walks one list under the
 * set's mutex and takes no global lock.
 */
static LIST_HEAD(ioasid_global_nbs);
/* Every registration by token, pending or attached (ioasid_sets_lock). */
static LIST_HEAD(ioasid_token_nbs);

/*
 * Delivery order: descending priority; among equal priorities the set's
 * own registrations (by set or by token) before global ones; then FIFO.
 */
static bool ioasid_nb_before(struct ioasid_nb_entry *a,
			     struct ioasid_nb_entry *b)
{
	if (a->nb->priority != b->nb->priority)
		return a->nb->priority > b->nb->priority;
	return !a->global && b->global;
}

static void ioasid_nb_insert(struct list_head *head,
			     struct ioasid_nb_entry *entry)
{
	struct ioasid_nb_entry *pos;

	list_for_each_entry(pos, head, node) {
		if (ioasid_nb_before(entry, pos)) {
			list_add_tail(&entry->node, &pos->node);
			return;
		}
	}
	list_add_tail(&entry->node, head);
}

/* The registration of @nb in @head: a global copy or a set's own. */
static struct ioasid_nb_entry *ioasid_nb_find(struct list_head *head,
					      struct notifier_block *nb,
					      bool global)
{
	struct ioasid_nb_entry *entry;

	list_for_each_entry(entry, head, node)
		if (entry->nb == nb && entry->global == global && !entry->token)
			return entry;
	return NULL;
}

static struct ioasid_nb_entry *ioasid_nb_alloc(struct notifier_block *nb,
					       bool global)
{
	struct ioasid_nb_entry *entry = kzalloc(sizeof(*entry), GFP_KERNEL);

	if (entry) {
		entry->nb = nb;
		entry->global = global;
		INIT_LIST_HEAD(&entry->node);
		INIT_LIST_HEAD(&entry->token_node);
	}
	return entry;
}

/* A new set gets a copy of every global registration; ioasid_sets_lock. */
int ioasid_copy_global_nbs(struct pvm_ioasid_set *set)
{
	struct ioasid_nb_entry *global, *copy;

	lockdep_assert_held(&ioasid_sets_lock);
	list_for_each_entry(global, &ioasid_global_nbs, node) {
		copy = ioasid_nb_alloc(global->nb, true);
		if (!copy)
			return -ENOMEM;	/* the caller frees the copies */
		ioasid_nb_insert(&set->notifiers, copy);
	}
	return 0;
}

static void ioasid_set_del_nb(struct pvm_ioasid_set *set,
			      struct notifier_block *nb, bool global)
{
	struct ioasid_nb_entry *entry;

	mutex_lock(&set->lock);
	entry = ioasid_nb_find(&set->notifiers, nb, global);
	if (entry)
		list_del(&entry->node);
	mutex_unlock(&set->lock);
	kfree(entry);
}

static int ioasid_register_global(struct notifier_block *nb)
{
	struct ioasid_nb_entry *global, *copy;
	struct pvm_ioasid_set *set, *undo;
	int ret = 0;

	global = ioasid_nb_alloc(nb, true);
	if (!global)
		return -ENOMEM;
	mutex_lock(&ioasid_sets_lock);
	if (ioasid_nb_find(&ioasid_global_nbs, nb, true)) {
		ret = -EEXIST;
		goto out;
	}
	list_for_each_entry(set, &ioasid_sets, node) {
		copy = ioasid_nb_alloc(nb, true);
		if (!copy) {
			list_for_each_entry(undo, &ioasid_sets, node) {
				if (undo == set)
					break;
				ioasid_set_del_nb(undo, nb, true);
			}
			ret = -ENOMEM;
			goto out;
		}
		mutex_lock(&set->lock);
		ioasid_nb_insert(&set->notifiers, copy);
		mutex_unlock(&set->lock);
	}
	list_add_tail(&global->node, &ioasid_global_nbs);
	global = NULL;
out:
	mutex_unlock(&ioasid_sets_lock);
	kfree(global);
	return ret;
}

/**
 * pvm_ioasid_register_notifier() - register on a set's chain or the global one
 * @set: the set, or NULL for the global chain (events of every set)
 * @nb: the block; @nb->priority is an enum pvm_ioasid_notifier_prio
 *
 * The handler is called as nb->notifier_call(nb, event, args) with an
 * enum pvm_ioasid_notify_event and a &struct pvm_ioasid_nb_args; its return value
 * is ignored. Handlers run in process context, may sleep, must not change
 * the set the event is about, allocate or free IDs in any set, nor
 * (un)register notifiers.
 *
 * A global registration is copied into every set, so that delivering an
 * event takes no global lock: registering and unregistering cost O(sets).
 *
 * Context: process context, may sleep.
 * Return: 0, -EEXIST if @nb is already registered there, -ENOMEM.
 */
int pvm_ioasid_register_notifier(struct pvm_ioasid_set *set, struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry;
	int ret = 0;

	if (!set)
		return ioasid_register_global(nb);

	entry = ioasid_nb_alloc(nb, false);
	if (!entry)
		return -ENOMEM;
	mutex_lock(&set->lock);
	if (ioasid_nb_find(&set->notifiers, nb, false))
		ret = -EEXIST;
	else
		ioasid_nb_insert(&set->notifiers, entry);
	mutex_unlock(&set->lock);
	if (ret)
		kfree(entry);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_register_notifier, PVM_IOASID_NS);

/**
 * pvm_ioasid_unregister_notifier() - undo pvm_ioasid_register_notifier()
 * @set: the set given at registration, or NULL
 * @nb: the block
 *
 * No call to @nb is in progress or made once this returns. A registration
 * on a set that its owner has freed may still be unregistered while the
 * caller holds a reference on the set.
 *
 * Context: process context, may sleep.
 */
void pvm_ioasid_unregister_notifier(struct pvm_ioasid_set *set,
				struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry;
	struct pvm_ioasid_set *pos;

	if (set) {
		mutex_lock(&set->lock);
		entry = ioasid_nb_find(&set->notifiers, nb, false);
		if (entry)
			list_del(&entry->node);
		mutex_unlock(&set->lock);
		WARN_ON(!entry);
		kfree(entry);
		return;
	}

	mutex_lock(&ioasid_sets_lock);
	entry = ioasid_nb_find(&ioasid_global_nbs, nb, true);
	if (entry) {
		list_del(&entry->node);
		/* Freed sets deliver nothing more; their copies go at release. */
		list_for_each_entry(pos, &ioasid_sets, node)
			ioasid_set_del_nb(pos, nb, true);
	}
	mutex_unlock(&ioasid_sets_lock);
	WARN_ON(!entry);
	kfree(entry);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_unregister_notifier, PVM_IOASID_NS);

/**
 * pvm_ioasid_register_notifier_token() - register for the set of a token
 * @token: the mm or kvm
 * @type: what @token is (not IOASID_SET_TOKEN_NONE)
 * @nb: the block, as for pvm_ioasid_register_notifier()
 *
 * The set need not exist yet: the registration is pending until a set with
 * @token is allocated, then receives that set's events (the first is the
 * ALLOC of its first ID). When the set is freed (after its SET_FREE) the
 * registration becomes pending again, for a later set with the same token.
 *
 * Context: process context, may sleep. Takes ioasid_sets_lock.
 * Return: 0, -EINVAL for a bad type or NULL token, -EEXIST if @nb is already
 * registered for @token, -ENOMEM.
 */
int pvm_ioasid_register_notifier_token(void *token,
				   enum pvm_ioasid_set_token_type type,
				   struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry, *pos;
	struct pvm_ioasid_set *set;
	int ret = 0;

	if (!token || type == IOASID_SET_TOKEN_NONE ||
	    type >= IOASID_SET_TOKEN_NR)
		return -EINVAL;
	entry = ioasid_nb_alloc(nb, false);
	if (!entry)
		return -ENOMEM;
	entry->token = token;
	entry->type = type;

	mutex_lock(&ioasid_sets_lock);
	list_for_each_entry(pos, &ioasid_token_nbs, token_node) {
		if (pos->nb == nb && pos->token == token && pos->type == type) {
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&entry->token_node, &ioasid_token_nbs);
	set = ioasid_find_set_by_token_locked(token, type);
	if (set) {
		mutex_lock(&set->lock);
		entry->set = set;
		ioasid_nb_insert(&set->notifiers, entry);
		mutex_unlock(&set->lock);
	}
	entry = NULL;
out:
	mutex_unlock(&ioasid_sets_lock);
	kfree(entry);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_register_notifier_token, PVM_IOASID_NS);

/**
 * pvm_ioasid_unregister_notifier_token() - undo pvm_ioasid_register_notifier_token()
 * @token: the token given at registration
 * @type: its type
 * @nb: the block
 *
 * Context: process context, may sleep. Takes ioasid_sets_lock.
 */
void pvm_ioasid_unregister_notifier_token(void *token,
				      enum pvm_ioasid_set_token_type type,
				      struct notifier_block *nb)
{
	struct ioasid_nb_entry *entry, *found = NULL;

	mutex_lock(&ioasid_sets_lock);
	list_for_each_entry(entry, &ioasid_token_nbs, token_node) {
		if (entry->nb == nb && entry->token == token &&
		    entry->type == type) {
			found = entry;
			break;
		}
	}
	if (found) {
		list_del(&found->token_node);
		if (found->set) {
			mutex_lock(&found->set->lock);
			list_del(&found->node);
			mutex_unlock(&found->set->lock);
		}
	}
	mutex_unlock(&ioasid_sets_lock);
	WARN_ON(!found);
	kfree(found);
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_unregister_notifier_token, PVM_IOASID_NS);

/* A set with a token was created: attach the registrations waiting for it. */
void ioasid_attach_token_nbs(struct pvm_ioasid_set *set)
{
	struct ioasid_nb_entry *entry;

	lockdep_assert_held(&ioasid_sets_lock);
	mutex_lock(&set->lock);
	list_for_each_entry(entry, &ioasid_token_nbs, token_node) {
		if (!entry->set && entry->token == set->token &&
		    entry->type == set->type) {
			entry->set = set;
			ioasid_nb_insert(&set->notifiers, entry);
		}
	}
	mutex_unlock(&set->lock);
}

/* The set was freed: its token registrations become pending again. */
void ioasid_detach_token_nbs(struct pvm_ioasid_set *set)
{
	struct ioasid_nb_entry *entry, *next;

	lockdep_assert_held(&ioasid_sets_lock);
	lockdep_assert_held(&set->lock);
	list_for_each_entry_safe(entry, next, &set->notifiers, node) {
		if (entry->token) {
			list_del_init(&entry->node);
			entry->set = NULL;
		}
	}
}

/* Last reference of a set: drop registrations nobody unregistered. */
void ioasid_set_free_nbs(struct pvm_ioasid_set *set)
{
	struct ioasid_nb_entry *entry, *next;

	list_for_each_entry_safe(entry, next, &set->notifiers, node) {
		list_del(&entry->node);
		kfree(entry);
	}
}
