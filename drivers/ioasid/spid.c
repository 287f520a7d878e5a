// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid guest mapping: set-private IDs (guest PASIDs) attached to host IDs.
 */
#include <linux/module.h>

#include "ioasid_private.h"

/**
 * pvm_ioasid_attach_spid() - attach a set-private ID to a host ID
 * @set: the set owning @id
 * @id: host ID
 * @spid: set-private ID (guest PASID), 1 to IOASID_SPID_MAX
 *
 * Each host ID has at most one set-private ID and each set-private ID is
 * attached to at most one host ID of the set. Delivers IOASID_NOTIFY_BIND.
 * A registration may refuse the BIND (e.g. kvm_pasid without memory for a
 * table page): the ones that accepted it get IOASID_NOTIFY_BIND_ROLLBACK,
 * the attach is undone and the refusal's errno returned: nothing changed.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL for a bad @spid or an @id of 0 or above the pool's
 * capacity, -ENOENT if @set does not own an active @id, -EBUSY if @id
 * already has a set-private ID or @spid is in use, -ENOMEM, or the errno of
 * a registration that refused the BIND.
 */
int pvm_ioasid_attach_spid(struct pvm_ioasid_set *set, ioasid_t id, ioasid_t spid)
{
	struct ioasid_data *data;
	int ret;

	might_sleep();
	if (!spid || spid > IOASID_SPID_MAX || !ioasid_in_pool(id))
		return -EINVAL;
	mutex_lock(&set->lock);
	data = ioasid_find_data_locked(set, id);
	if (!data) {
		ret = -ENOENT;
		goto out;
	}
	if (data->spid != PVM_IOASID_INVALID) {
		ret = -EBUSY;
		goto out;
	}
	ret = xa_insert(&set->spids, spid, data, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out;
	WRITE_ONCE(data->spid, spid);
	ret = ioasid_notify(set, IOASID_NOTIFY_BIND, data, spid);
	if (ret) {
		/* Refused: lookups may have seen it meanwhile, like a detach. */
		WRITE_ONCE(data->spid, PVM_IOASID_INVALID);
		xa_erase(&set->spids, spid);
	}
out:
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_attach_spid, PVM_IOASID_NS);

void ioasid_detach_spid_locked(struct pvm_ioasid_set *set,
			       struct ioasid_data *data)
{
	ioasid_t spid = data->spid;

	lockdep_assert_held(&set->lock);
	xa_erase(&set->spids, spid);
	WRITE_ONCE(data->spid, PVM_IOASID_INVALID);
	ioasid_notify(set, IOASID_NOTIFY_UNBIND, data, spid);
}

/**
 * pvm_ioasid_detach_spid() - detach the set-private ID of a host ID
 * @set: the set owning @id
 * @id: host ID
 *
 * Delivers IOASID_NOTIFY_UNBIND.
 *
 * Context: process context, may sleep. Takes set->lock.
 * Return: 0, -EINVAL if @id is 0 or above the pool's capacity, -ENOENT if
 * @set does not own an active @id or @id has no set-private ID.
 */
int pvm_ioasid_detach_spid(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	int ret = -ENOENT;

	might_sleep();
	if (!ioasid_in_pool(id))
		return -EINVAL;
	mutex_lock(&set->lock);
	data = ioasid_find_data_locked(set, id);
	if (data && data->spid != PVM_IOASID_INVALID) {
		ioasid_detach_spid_locked(set, data);
		ret = 0;
	}
	mutex_unlock(&set->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_detach_spid, PVM_IOASID_NS);

/**
 * pvm_ioasid_find_by_spid() - host ID of a set-private ID
 * @set: the set
 * @spid: set-private ID (guest PASID)
 * @get: also take a reference on the host ID (drop it with pvm_ioasid_put())
 *
 * O(1), lock-free: one lookup in the set's xarray under RCU.
 *
 * Context: any but interrupt context; the caller keeps @set alive.
 * Return: the host ID, or PVM_IOASID_INVALID if @spid is not attached.
 */
ioasid_t pvm_ioasid_find_by_spid(struct pvm_ioasid_set *set, ioasid_t spid, bool get)
{
	struct ioasid_data *data;
	ioasid_t id = PVM_IOASID_INVALID;

	rcu_read_lock();
	data = xa_load(&set->spids, spid);
	/* Pairs with the release in pvm_ioasid_alloc(): fields before the state. */
	if (!data || !ioasid_key_active(smp_load_acquire(&data->key), set) ||
	    READ_ONCE(data->spid) != spid)
		goto out;
	if (get && !ioasid_data_tryget(data, set))
		goto out;
	id = data->id;
out:
	rcu_read_unlock();
	return id;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_find_by_spid, PVM_IOASID_NS);

/**
 * pvm_ioasid_get_spid() - set-private ID of a host ID
 * @set: the set owning @id
 * @id: host ID
 *
 * O(1), lock-free: the host ID's data keeps its set-private ID.
 *
 * Context: any but interrupt context.
 * Return: the set-private ID, or PVM_IOASID_INVALID if @id is not active (in
 * @set) or has none.
 */
ioasid_t pvm_ioasid_get_spid(struct pvm_ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	ioasid_t spid = PVM_IOASID_INVALID;

	if (!set)
		return spid;
	rcu_read_lock();
	data = ioasid_find_data_rcu(set, id);
	if (data)
		spid = READ_ONCE(data->spid);
	rcu_read_unlock();
	return spid;
}
EXPORT_SYMBOL_NS_GPL(pvm_ioasid_get_spid, PVM_IOASID_NS);
