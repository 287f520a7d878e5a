// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the kernel API a vIOMMU model drives a container with
 * (include/linux/vfio_iommu_nested.h, "the kernel API for a vIOMMU").
 *
 * A handle (struct vfio_nested_container) is made for a container at the
 * first vfio_nested_container_get*() and indexed by the container in
 * vn_kapi_handles; the index holds one reference, every caller of a get
 * one more. The container's release takes the handle out of the index,
 * tells the clients, and clears @c under the handle's rw_semaphore held
 * for write: every function below holds it for read while it uses @c, so
 * none runs on a container being freed.
 *
 * Locks (outer first): vn_kapi_lock (the index; held while a handle is
 * found or made), vfio_nested_container.clients_lock (the client list;
 * held while the callbacks run), vfio_nested_container.lock (read: a call
 * in progress; write: the container goes), then the container's locks in
 * the order of nested_private.h and pasid.h.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <linux/xarray.h>

#include "fault.h"
#include "pasid.h"

/*
 * The VFIO core's container and device-file structures are private to it
 * (drivers/vfio/), as its IOMMU driver interface is (nested_private.h):
 * the module states the leading fields it reads. They are the same in
 * 6.12 and 7.2 (compared in both sources). A container file is the misc
 * device VFIO_MINOR; a device file is what vfio_file_is_valid() accepts
 * and vfio_file_is_group() does not.
 */
struct vn_vfio_iommu_driver {
	const struct vn_vfio_iommu_driver_ops *ops;
};

struct vn_vfio_container {
	struct kref kref;
	struct list_head group_list;
	struct rw_semaphore group_lock;
	struct vn_vfio_iommu_driver *iommu_driver;
	void *iommu_data;
};

struct vn_vfio_device_file {
	struct vfio_device *device;
};

/**
 * struct vfio_nested_container - a handle on a container, for a vIOMMU
 * @ref: references: the index's one, one per get
 * @lock: read: a call using @c; write: the release clearing @c
 * @c: the container, NULL once its IOMMU state went away
 * @clients_lock: guards @clients
 * @clients: struct vfio_nested_client
 */
struct vfio_nested_container {
	struct kref ref;
	struct rw_semaphore lock;
	struct vn_container *c;
	struct mutex clients_lock;	/* guards @clients; outside @lock */
	struct list_head clients;
};

static DEFINE_MUTEX(vn_kapi_lock);
/* struct vn_container * -> its handle (vn_kapi_lock) */
static DEFINE_XARRAY(vn_kapi_handles);

static void vn_kapi_free(struct kref *ref)
{
	struct vfio_nested_container *nc =
		container_of(ref, struct vfio_nested_container, ref);

	WARN_ON(!list_empty(&nc->clients));
	mutex_destroy(&nc->clients_lock);
	kfree(nc);
}

/* The handle of @c, made if needed, with a reference for the caller. */
static struct vfio_nested_container *vn_kapi_handle(struct vn_container *c)
{
	struct vfio_nested_container *nc;
	int ret;

	mutex_lock(&vn_kapi_lock);
	nc = xa_load(&vn_kapi_handles, (unsigned long)c);
	if (nc) {
		kref_get(&nc->ref);
		goto out;
	}
	nc = kzalloc(sizeof(*nc), GFP_KERNEL_ACCOUNT);
	if (!nc) {
		nc = ERR_PTR(-ENOMEM);
		goto out;
	}
	kref_init(&nc->ref);
	init_rwsem(&nc->lock);
	mutex_init(&nc->clients_lock);
	INIT_LIST_HEAD(&nc->clients);
	nc->c = c;
	ret = xa_err(xa_store(&vn_kapi_handles, (unsigned long)c, nc,
			      GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(nc);
		nc = ERR_PTR(ret);
		goto out;
	}
	kref_get(&nc->ref);
out:
	mutex_unlock(&vn_kapi_lock);
	return nc;
}

/**
 * vfio_nested_container_get() - a handle on the container of a file
 * @file: a VFIO container file (``/dev/vfio/vfio``) whose IOMMU is this
 *	backend (``VFIO_SET_IOMMU`` with ``VFIO_NESTED_IOMMU`` done)
 *
 * Context: process context, may sleep; takes the VFIO container's group
 * lock for read, then vn_kapi_lock.
 * Return: the handle, holding a reference for the caller;
 * ERR_PTR(-EINVAL) when @file is not a VFIO container or its IOMMU is not
 * this backend (or none is set, or the container was set to
 * ``VFIO_TYPE1v2_IOMMU`` and this backend serves it), ERR_PTR(-ENOMEM).
 */
struct vfio_nested_container *vfio_nested_container_get(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct vfio_nested_container *nc = ERR_PTR(-EINVAL);
	struct vn_vfio_container *vc;

	if (!S_ISCHR(inode->i_mode) ||
	    inode->i_rdev != MKDEV(MISC_MAJOR, VFIO_MINOR) ||
	    !file->private_data)
		return nc;
	vc = file->private_data;
	/* The container's IOMMU data stays while its group lock is held. */
	down_read(&vc->group_lock);
	/* a container serving type1 v2 has no stage 1: not this API's */
	if (vc->iommu_driver && vn_is_nested_driver(vc->iommu_driver->ops) &&
	    vc->iommu_data &&
	    !((struct vn_container *)vc->iommu_data)->type1)
		nc = vn_kapi_handle(vc->iommu_data);
	up_read(&vc->group_lock);
	return nc;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_container_get, VFIO_NESTED_NS);

/**
 * vfio_nested_container_get_dev() - a handle on the container of a device
 * @vdev: a VFIO device the caller holds open
 *
 * Context: process context, may sleep.
 * Return: the handle, holding a reference for the caller;
 * ERR_PTR(-ENODEV) when @vdev is not registered with a container of this
 * backend, ERR_PTR(-ENOMEM).
 */
struct vfio_nested_container *
vfio_nested_container_get_dev(struct vfio_device *vdev)
{
	struct vn_container *c = vn_container_from_device(vdev);

	if (!c)
		return ERR_PTR(-ENODEV);
	return vn_kapi_handle(c);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_container_get_dev, VFIO_NESTED_NS);

/**
 * vfio_nested_container_put() - drop a handle reference
 * @nc: the handle, or NULL
 *
 * Context: process context.
 */
void vfio_nested_container_put(struct vfio_nested_container *nc)
{
	if (nc)
		kref_put(&nc->ref, vn_kapi_free);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_container_put, VFIO_NESTED_NS);

/**
 * vfio_nested_client_register() - be told when the container or a device goes
 * @nc: the handle
 * @cl: the client, its @ops set; it must stay valid until unregistered or
 *	until its @gone ran
 *
 * Context: process context, may sleep; takes the handle's clients mutex:
 * not to be called from a client callback.
 * Return: 0; -ENODEV when the container is gone already.
 */
int vfio_nested_client_register(struct vfio_nested_container *nc,
				struct vfio_nested_client *cl)
{
	int ret = 0;

	mutex_lock(&nc->clients_lock);
	down_read(&nc->lock);
	if (nc->c)
		list_add_tail(&cl->node, &nc->clients);
	else
		ret = -ENODEV;
	up_read(&nc->lock);
	mutex_unlock(&nc->clients_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_client_register, VFIO_NESTED_NS);

/**
 * vfio_nested_client_unregister() - stop being told
 * @nc: the handle
 * @cl: a client registered with vfio_nested_client_register(), or one
 *	whose @gone ran (then nothing is done)
 *
 * Once it returns, no callback of @cl runs or will run.
 *
 * Context: process context, may sleep; takes the handle's clients mutex:
 * not to be called from a client callback, nor with a lock held that a
 * callback takes.
 */
void vfio_nested_client_unregister(struct vfio_nested_container *nc,
				   struct vfio_nested_client *cl)
{
	mutex_lock(&nc->clients_lock);
	if (!list_empty(&cl->node))
		list_del_init(&cl->node);
	mutex_unlock(&nc->clients_lock);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_client_unregister, VFIO_NESTED_NS);

/* The container's release: tell the clients, then kill the handle. */
void vn_kapi_container_release(struct vn_container *c)
{
	struct vfio_nested_client *cl, *tmp;
	struct vfio_nested_container *nc;

	mutex_lock(&vn_kapi_lock);
	nc = xa_erase(&vn_kapi_handles, (unsigned long)c);
	mutex_unlock(&vn_kapi_lock);
	if (!nc)
		return;
	mutex_lock(&nc->clients_lock);
	list_for_each_entry_safe(cl, tmp, &nc->clients, node) {
		list_del_init(&cl->node);
		cl->ops->gone(cl);
	}
	mutex_unlock(&nc->clients_lock);
	down_write(&nc->lock);
	nc->c = NULL;
	up_write(&nc->lock);
	vfio_nested_container_put(nc);
}

static u32 vn_kapi_dev_id(struct vfio_device *vdev)
{
	struct iommu_group *group = iommu_group_get(vdev->dev);
	u32 id = U32_MAX;

	if (group) {
		id = iommu_group_id(group);
		iommu_group_put(group);
	}
	return id;
}

/* A device leaves the container: tell the clients. */
void vn_kapi_device_unregister(struct vn_container *c,
			       struct vfio_device *vdev)
{
	struct vfio_nested_container *nc;
	struct vfio_nested_client *cl;

	mutex_lock(&vn_kapi_lock);
	nc = xa_load(&vn_kapi_handles, (unsigned long)c);
	if (nc)
		kref_get(&nc->ref);
	mutex_unlock(&vn_kapi_lock);
	if (!nc)
		return;
	mutex_lock(&nc->clients_lock);
	list_for_each_entry(cl, &nc->clients, node)
		cl->ops->device_gone(cl, vdev, vn_kapi_dev_id(vdev));
	mutex_unlock(&nc->clients_lock);
	vfio_nested_container_put(nc);
}

/* Start a call: the container, with nc->lock held for read, or NULL. */
static struct vn_container *vn_kapi_enter(struct vfio_nested_container *nc)
{
	down_read(&nc->lock);
	if (!nc->c) {
		up_read(&nc->lock);
		return NULL;
	}
	return nc->c;
}

static void vn_kapi_leave(struct vfio_nested_container *nc)
{
	up_read(&nc->lock);
}

/**
 * vfio_nested_device_from_file() - a device of the container, by its fd
 * @nc: the handle
 * @file: a VFIO device file (from ``VFIO_GROUP_GET_DEVICE_FD``)
 * @dev_id: output, the device's IOMMU group number (how fault records and
 *	the container's ioctls name it)
 *
 * The device stays usable while it is registered with the container; the
 * clients' @device_gone runs before it leaves. The caller holds @file for
 * the call only.
 *
 * Context: process context, may sleep.
 * Return: the device; ERR_PTR(-EINVAL) when @file is not a VFIO device
 * file; ERR_PTR(-EXDEV) when the device is not one of this container's;
 * ERR_PTR(-ENODEV) when the container is gone.
 */
struct vfio_device *vfio_nested_device_from_file(struct vfio_nested_container *nc,
						 struct file *file,
						 u32 *dev_id)
{
	struct vn_vfio_device_file *df;
	struct vfio_device *vdev;
	struct vn_container *c;

	if (!vfio_file_is_valid(file) || vfio_file_is_group(file))
		return ERR_PTR(-EINVAL);
	df = file->private_data;
	vdev = df ? df->device : NULL;
	if (!vdev)
		return ERR_PTR(-EINVAL);
	c = vn_kapi_enter(nc);
	if (!c)
		return ERR_PTR(-ENODEV);
	if (vn_container_from_device(vdev) != c)
		vdev = ERR_PTR(-EXDEV);
	else
		*dev_id = vn_kapi_dev_id(vdev);
	vn_kapi_leave(nc);
	return vdev;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_device_from_file, VFIO_NESTED_NS);

/**
 * vfio_nested_gpa_rw() - read or write guest memory through stage 2
 * @nc: the handle
 * @gpa: first guest-physical address
 * @buf: kernel buffer of @len bytes
 * @len: bytes
 * @write: write guest memory (else read it)
 *
 * Nothing is copied unless every byte is mapped with the permission.
 *
 * Context: process context, may sleep; takes the stage-2 lock for read.
 * Return: 0; -EFAULT a byte is not mapped; -EPERM a mapping lacks the
 * permission; -ENODEV the container is gone.
 */
int vfio_nested_gpa_rw(struct vfio_nested_container *nc, u64 gpa, void *buf,
		       size_t len, bool write)
{
	struct vn_container *c = vn_kapi_enter(nc);
	int ret;

	if (!c)
		return -ENODEV;
	ret = vn_s2_rw(c, gpa, buf, len, write);
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_gpa_rw, VFIO_NESTED_NS);

/* The container's PASID state, made if needed. */
static struct vn_pasid_state *vn_kapi_ps(struct vn_container *c)
{
	return vn_pasid_state_get_or_alloc(c);
}

/**
 * vfio_nested_bind() - bind a guest stage 1, as VFIO_NESTED_BIND_S1 does
 * @nc: the handle
 * @bind: the bind, as the ioctl's structure (@size is not looked at):
 *	@flags names the PASID (enum vfio_nested_pasid_flags: a guest PASID
 *	of the container's ``/dev/ioasid`` file, none for the PASID-less
 *	stage 1, or a host PASID the file owns), @format (the x86-64 4- or
 *	5-level format of AMD's v2 table and Intel's first level), @root_gpa
 *
 * Context: process context, may sleep; takes the PASID state's locks.
 * Return: 0 or the ioctl's errno (-EBUSY bound already, -ENOENT the PASID
 * not owned, -ENXIO no ``/dev/ioasid`` file, -EINVAL, -EOPNOTSUPP,
 * -ENOMEM); -ENODEV the container is gone.
 */
int vfio_nested_bind(struct vfio_nested_container *nc,
		     const struct vfio_nested_bind_s1 *bind)
{
	struct vn_container *c = vn_kapi_enter(nc);
	struct vn_pasid_state *ps;
	struct vn_s1_cfg cfg = {
		.format = bind->format,
		.addr_width = bind->addr_width,
		.flags = bind->s1_flags,
		.root_gpa = bind->root_gpa,
	};
	int ret;

	if (!c)
		return -ENODEV;
	ps = vn_kapi_ps(c);
	if (IS_ERR(ps))
		ret = PTR_ERR(ps);
	else
		ret = vn_pasid_bind(ps, bind->flags, bind->pasid, &cfg);
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_bind, VFIO_NESTED_NS);

/**
 * vfio_nested_unbind() - remove a binding, as VFIO_NESTED_UNBIND_S1 does
 * @nc: the handle
 * @flags: enum vfio_nested_pasid_flags, as at the bind
 * @pasid: the PASID as named at the bind; 0 with VFIO_NESTED_PASID_NONE
 *
 * Page requests of the PASID still waiting are answered "invalid".
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT nothing bound; -EINVAL; -ENODEV the container is gone.
 */
int vfio_nested_unbind(struct vfio_nested_container *nc, u32 flags, u32 pasid)
{
	struct vn_container *c = vn_kapi_enter(nc);
	struct vn_pasid_state *ps;
	int ret;

	if (!c)
		return -ENODEV;
	ps = vn_kapi_ps(c);
	if (IS_ERR(ps))
		ret = PTR_ERR(ps);
	else
		ret = vn_pasid_unbind(ps, flags, pasid);
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_unbind, VFIO_NESTED_NS);

/* Is a device of that IOMMU group number registered with @c? */
static bool vn_kapi_has_device(struct vn_container *c, u32 dev_id)
{
	struct vn_device *d;
	bool found = false;

	mutex_lock(&c->dev_lock);
	list_for_each_entry(d, &c->devices, next) {
		if (vn_kapi_dev_id(d->vdev) == dev_id) {
			found = true;
			break;
		}
	}
	mutex_unlock(&c->dev_lock);
	return found;
}

/*
 * What one batch keeps between its entries: the binding the last PASID
 * entry named (a reference), the last device a DEVTLB entry found.
 */
struct vn_kapi_inv {
	struct vn_pasid_state *ps;
	struct vn_binding *b;
	u32 name;
	bool no_pasid;
	bool have_dev;
	u32 dev_id;
};

/* The binding an entry names: the last one's again, or looked up. */
static struct vn_binding *vn_kapi_inv_binding(struct vn_kapi_inv *st,
					      const struct vfio_nested_inv_entry *e)
{
	bool no_pasid = e->flags & VFIO_NESTED_INV_F_NO_PASID;

	if (st->b && st->no_pasid == no_pasid &&
	    (no_pasid || st->name == e->pasid))
		return st->b;
	if (st->b)
		vn_binding_put(st->b);
	st->b = vn_binding_get_by_name(st->ps, e->pasid, no_pasid);
	st->name = e->pasid;
	st->no_pasid = no_pasid;
	return st->b;
}

/* Apply one entry, checked or not, to the container @c. */
static int vn_kapi_inv_one(struct vn_container *c, struct vn_kapi_inv *st,
			   const struct vfio_nested_inv_entry *e)
{
	struct vn_binding *b;
	int ret;

	ret = vn_s1_inv_entry_check(e);
	if (ret)
		return ret;
	switch (e->type) {
	case VFIO_NESTED_INV_ALL:
		atomic64_inc(&st->ps->devtlb_invs);
		vn_pasid_invalidate_all(st->ps);
		return 0;
	case VFIO_NESTED_INV_PASID:
		b = vn_kapi_inv_binding(st, e);
		if (!b)
			return -ENOENT;
		vn_s1_invalidate_all(b->s1);
		return 0;
	case VFIO_NESTED_INV_ADDR:
		b = vn_kapi_inv_binding(st, e);
		if (!b)
			return -ENOENT;
		return vn_s1_invalidate_range(b->s1, e->addr,
					      e->npages << e->granule,
					      e->flags & VFIO_NESTED_INV_F_LEAF);
	case VFIO_NESTED_INV_DEVTLB:
		/* the emulated devices cache no translation of their own */
		if (!st->have_dev || st->dev_id != e->dev_id) {
			if (!vn_kapi_has_device(c, e->dev_id))
				return -ENOENT;
			st->have_dev = true;
			st->dev_id = e->dev_id;
		}
		atomic64_inc(&st->ps->devtlb_invs);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * vfio_nested_invalidate_batch() - invalidations, in order, in one call
 * @nc: the handle
 * @e: the entries, each as for vfio_nested_invalidate()
 * @n: how many
 *
 * Applies every entry in array order, as @n calls of
 * vfio_nested_invalidate() would, but enters the container once and
 * looks a PASID's binding up once for a run of entries naming it. An
 * entry that fails does not stop the others: a vIOMMU passes down what
 * the guest asked, and a PASID whose binding went has nothing cached.
 * When it returns, every entry that succeeded has taken effect.
 *
 * Context: process context, may sleep.
 * Return: 0 when every entry succeeded; else the error of the first that
 * failed (as vfio_nested_invalidate() gives it); -ENODEV the container is
 * gone (no entry applied).
 */
int vfio_nested_invalidate_batch(struct vfio_nested_container *nc,
				 const struct vfio_nested_inv_entry *e,
				 unsigned int n)
{
	struct vn_container *c = vn_kapi_enter(nc);
	struct vn_kapi_inv st = {};
	unsigned int i;
	int ret = 0, err;

	if (!c)
		return -ENODEV;
	st.ps = vn_kapi_ps(c);
	if (IS_ERR(st.ps)) {
		ret = PTR_ERR(st.ps);
		goto out;
	}
	for (i = 0; i < n; i++) {
		err = vn_kapi_inv_one(c, &st, &e[i]);
		if (err && !ret)
			ret = err;
	}
	if (st.b)
		vn_binding_put(st.b);
out:
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_invalidate_batch, VFIO_NESTED_NS);

/**
 * vfio_nested_invalidate() - one invalidation, as an entry of VFIO_NESTED_INVALIDATE
 * @nc: the handle
 * @e: the entry: everything, one PASID's stage 1, a range of it, or a
 *	device TLB (see struct vfio_nested_inv_entry)
 *
 * Context: process context, may sleep.
 * Return: 0; the ioctl's errno for the entry (-EINVAL, -EOPNOTSUPP,
 * -ENOENT nothing bound for the PASID or no such device); -ENODEV the
 * container is gone.
 */
int vfio_nested_invalidate(struct vfio_nested_container *nc,
			   const struct vfio_nested_inv_entry *e)
{
	return vfio_nested_invalidate_batch(nc, e, 1);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_invalidate, VFIO_NESTED_NS);

/**
 * vfio_nested_set_fault_sink() - send a device's faults to a sink, or back
 * @nc: the handle
 * @dev_id: the device, by its IOMMU group number
 * @sink: the sink, or NULL to give the device's faults back to the fault fd
 *
 * With a sink, the device's unrecoverable faults and page requests go to
 * the sink *instead of* the container's fault queue: the fault fd never
 * sees them, and page requests are raised even while no fault fd is open.
 * They still count against the queue's depth of unanswered groups; the
 * fault fd cannot answer them, and closing it does not.
 * Clearing answers VFIO_NESTED_PAGE_RESP_FAILURE every page request the
 * sink was given and not answered yet; once it returns, no callback of the
 * old sink runs or will run.
 *
 * Context: process context, may sleep; the fault queue's lock.
 * Return: 0; -EBUSY setting, and the device has a sink already; -ENOENT
 * clearing, and it has none; -ENOMEM; -ENODEV the container is gone.
 */
int vfio_nested_set_fault_sink(struct vfio_nested_container *nc, u32 dev_id,
			       const struct vfio_nested_fault_sink *sink)
{
	struct vn_container *c = vn_kapi_enter(nc);
	struct vn_pasid_state *ps;
	int ret;

	if (!c)
		return -ENODEV;
	ps = vn_kapi_ps(c);
	if (IS_ERR(ps))
		ret = PTR_ERR(ps);
	else
		ret = vn_fault_set_sink(ps->faultq, dev_id, sink);
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_set_fault_sink, VFIO_NESTED_NS);

/**
 * vfio_nested_page_response() - answer a page request given to a sink
 * @nc: the handle
 * @cookie: the @cookie of the group's records
 * @code: enum vfio_nested_page_resp_code
 *
 * Context: process context (never sleeps but for the handle's lock).
 * Return: 0; -EINVAL an unknown @code, or @cookie names no pending group
 * given to a sink (answered already, aborted by an unbind, never given);
 * -ENODEV the container is gone.
 */
int vfio_nested_page_response(struct vfio_nested_container *nc, u32 cookie,
			      u32 code)
{
	struct vn_container *c = vn_kapi_enter(nc);
	struct vn_pasid_state *ps;
	int ret;

	if (!c)
		return -ENODEV;
	ps = vn_pasid_state(c);
	ret = ps ? vn_fault_respond(ps->faultq, cookie, code) : -EINVAL;
	vn_kapi_leave(nc);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_page_response, VFIO_NESTED_NS);
