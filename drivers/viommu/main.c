// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu: /dev/pvm_viommu. Each open file is one vIOMMU once created
 * on a nested container; see include/uapi/linux/pvm_viommu.h for the
 * interface and viommu_private.h for the objects and the lock order.
 */
#include <kunit/visibility.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pvm_ucmd.h>
#include <linux/slab.h>

#include "viommu_private.h"

/* the vIOMMUs' VMs (one per container), by the container's handle */
static DEFINE_MUTEX(pv_vms_lock);
static LIST_HEAD(pv_vms);

static struct pv_vm *pv_vm_get(struct vfio_nested_container *nc)
{
	struct pv_vm *vm;

	mutex_lock(&pv_vms_lock);
	list_for_each_entry(vm, &pv_vms, node) {
		if (vm->nc == nc) {
			kref_get(&vm->ref);
			goto out;
		}
	}
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto out;
	kref_init(&vm->ref);
	vm->nc = nc;
	mutex_init(&vm->lock);
	xa_init(&vm->guest_ids);
	xa_init(&vm->devices);
	xa_init(&vm->pasids);
	list_add(&vm->node, &pv_vms);
out:
	mutex_unlock(&pv_vms_lock);
	return vm;
}

static void pv_vm_free(struct kref *ref)
{
	struct pv_vm *vm = container_of(ref, struct pv_vm, ref);

	list_del(&vm->node);
	WARN_ON(!xa_empty(&vm->pasids) || !xa_empty(&vm->devices));
	xa_destroy(&vm->guest_ids);
	xa_destroy(&vm->devices);
	xa_destroy(&vm->pasids);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

static void pv_vm_put(struct pv_vm *vm)
{
	mutex_lock(&pv_vms_lock);
	kref_put(&vm->ref, pv_vm_free);
	mutex_unlock(&pv_vms_lock);
}

/* ---- the backend: the nested container's kapi --------------------------- */

static int pv_kapi_rw(void *ctx, u64 gpa, void *buf, size_t len, bool write)
{
	return vfio_nested_gpa_rw(ctx, gpa, buf, len, write);
}

static int pv_kapi_bind(void *ctx, const struct vfio_nested_bind_s1 *b)
{
	return vfio_nested_bind(ctx, b);
}

static int pv_kapi_unbind(void *ctx, u32 flags, u32 pasid)
{
	return vfio_nested_unbind(ctx, flags, pasid);
}

static int pv_kapi_invalidate(void *ctx, const struct vfio_nested_inv_entry *e,
			      unsigned int n)
{
	return vfio_nested_invalidate_batch(ctx, e, n);
}

static int pv_kapi_page_response(void *ctx, u32 cookie, u32 code)
{
	return vfio_nested_page_response(ctx, cookie, code);
}

static const struct pv_backend pv_kapi_backend = {
	.rw = pv_kapi_rw,
	.bind = pv_kapi_bind,
	.unbind = pv_kapi_unbind,
	.invalidate = pv_kapi_invalidate,
	.page_response = pv_kapi_page_response,
};

/* ---- registers and interrupts ------------------------------------------- */

/**
 * pv_set_status() - change the status register and its copy in the page
 * @v: the vIOMMU, its lock held
 * @set: bits to set
 * @clear: bits to clear
 */
void pv_set_status(struct pv_viommu *v, u64 set, u64 clear)
{
	lockdep_assert_held(&v->lock);
	v->status = (v->status | set) & ~clear;
	pv_mmio_write(v, PVM_VIOMMU_MMIO_STATUS, v->status);
}
EXPORT_SYMBOL_IF_KUNIT(pv_set_status);

/**
 * pv_signal() - signal an interrupt eventfd, if one is set
 * @v: the vIOMMU, its lock held
 * @index: enum pvm_viommu_eventfd_index, but the doorbell
 */
void pv_signal(struct pv_viommu *v, unsigned int index)
{
	lockdep_assert_held(&v->lock);
	if (v->irq[index])
		eventfd_signal(v->irq[index]);
}
EXPORT_SYMBOL_IF_KUNIT(pv_signal);

static void pv_poll_work(struct work_struct *work)
{
	struct pv_viommu *v = container_of(to_delayed_work(work),
					   struct pv_viommu, poll_work);
	bool dead;

	mutex_lock(&v->lock);
	pv_cmd_run(v);
	dead = v->dead;
	mutex_unlock(&v->lock);
	if (!dead)
		queue_delayed_work(system_unbound_wq, &v->poll_work,
				   usecs_to_jiffies(v->poll_us));
}

/**
 * pv_viommu_init() - set up a vIOMMU's state
 * @v: zeroed memory
 * @be: the backend
 * @be_ctx: its context
 *
 * Return: 0 or -ENOMEM.
 */
int pv_viommu_init(struct pv_viommu *v, const struct pv_backend *be,
		   void *be_ctx)
{
	mutex_init(&v->lock);
	spin_lock_init(&v->evq_lock);
	xa_init(&v->devs);
	xa_init(&v->doms);
	xa_init(&v->ppr_tags);
	INIT_WORK(&v->cmd_work, pv_cmd_work);
	INIT_WORK(&v->evt_work, pv_evt_work);
	INIT_DELAYED_WORK(&v->poll_work, pv_poll_work);
	v->be = be;
	v->be_ctx = be_ctx;
	v->stats.argsz = sizeof(v->stats);
	v->evq = kcalloc(PV_PENDING_MAX, sizeof(*v->evq), GFP_KERNEL_ACCOUNT);
	v->mmio_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!v->evq || !v->mmio_page) {
		kfree(v->evq);
		if (v->mmio_page)
			__free_page(v->mmio_page);
		return -ENOMEM;
	}
	v->mmio = page_address(v->mmio_page);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_viommu_init);

/**
 * pv_viommu_fini() - free what pv_viommu_init() set up
 * @v: the vIOMMU, with no device, no work pending and no eventfd
 */
void pv_viommu_fini(struct pv_viommu *v)
{
	WARN_ON(!xa_empty(&v->devs));
	xa_destroy(&v->devs);
	xa_destroy(&v->doms);
	xa_destroy(&v->ppr_tags);
	kfree(v->evq);
	__free_page(v->mmio_page);
	mutex_destroy(&v->lock);
}
EXPORT_SYMBOL_IF_KUNIT(pv_viommu_fini);

/* ---- devices ------------------------------------------------------------ */

/* Forget a device mapping: its bindings, its sink, its PPR tags. */
static void pv_dev_remove(struct pv_viommu *v, struct pv_dev *d)
{
	unsigned long first = (unsigned long)d->guest_devid << 9, key;
	void *val;

	lockdep_assert_held(&v->lock);
	/* answers the page requests it was given: FAILURE */
	if (!v->dead)
		vfio_nested_set_fault_sink(v->nc, d->dev_id, NULL);
	pv_dev_release(v, d);
	mutex_lock(&v->vm->lock);
	xa_erase(&v->vm->devices, d->dev_id);
	mutex_unlock(&v->vm->lock);
	xa_erase(&v->devs, d->guest_devid);
	xa_for_each_range(&v->ppr_tags, key, val, first, first + 511)
		xa_erase(&v->ppr_tags, key);
	xa_destroy(&d->pasids);
	kfree(d);
}

static void pv_remove_all(struct pv_viommu *v)
{
	struct pv_dev *d;
	unsigned long i;

	xa_for_each(&v->devs, i, d)
		pv_dev_remove(v, d);
}

/* the container's IOMMU state goes away: the vIOMMU dies */
static void pv_client_gone(struct vfio_nested_client *cl)
{
	struct pv_viommu *v = container_of(cl, struct pv_viommu, client);

	mutex_lock(&v->lock);
	pv_remove_all(v);
	v->dead = true;
	pv_set_status(v, 0, PVM_VIOMMU_STATUS_CMDBUF_RUN |
		      PVM_VIOMMU_STATUS_EVT_RUN | PVM_VIOMMU_STATUS_PPR_RUN);
	mutex_unlock(&v->lock);
}

/* a device leaves the container: its mapping goes, as by CLEAR_DEVICE */
static void pv_client_device_gone(struct vfio_nested_client *cl,
				  struct vfio_device *vdev, u32 dev_id)
{
	struct pv_viommu *v = container_of(cl, struct pv_viommu, client);
	struct pv_dev *d;
	unsigned long i;

	mutex_lock(&v->lock);
	xa_for_each(&v->devs, i, d) {
		if (d->dev_id == dev_id) {
			pv_dev_remove(v, d);
			break;
		}
	}
	mutex_unlock(&v->lock);
}

static const struct vfio_nested_client_ops pv_client_ops = {
	.gone = pv_client_gone,
	.device_gone = pv_client_device_gone,
};

/* ---- the doorbell eventfd ----------------------------------------------- */

static int pv_db_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		      void *key)
{
	struct pv_viommu *v = container_of(wait, struct pv_viommu, db_wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(v->db_ctx, &cnt);
		queue_work(system_unbound_wq, &v->cmd_work);
	}
	return 0;
}

static void pv_db_queue(struct file *file, wait_queue_head_t *wqh,
			poll_table *pt)
{
	struct pv_viommu *v = container_of(pt, struct pv_viommu, db_pt);

	add_wait_queue(wqh, &v->db_wait);
}

static void pv_db_clear(struct pv_viommu *v)
{
	u64 cnt;

	if (!v->db_ctx)
		return;
	eventfd_ctx_remove_wait_queue(v->db_ctx, &v->db_wait, &cnt);
	eventfd_ctx_put(v->db_ctx);
	v->db_ctx = NULL;
}

static int pv_db_set(struct pv_viommu *v, int fd)
{
	struct eventfd_ctx *ctx;
	struct file *file;
	__poll_t events;

	file = fget(fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		fput(file);
		return PTR_ERR(ctx);
	}
	pv_db_clear(v);
	v->db_ctx = ctx;
	init_waitqueue_func_entry(&v->db_wait, pv_db_wake);
	init_poll_funcptr(&v->db_pt, pv_db_queue);
	events = vfs_poll(file, &v->db_pt);
	fput(file);
	if (events & EPOLLIN)
		queue_work(system_unbound_wq, &v->cmd_work);
	return 0;
}

/* ---- ioctls ------------------------------------------------------------- */

union pv_ucmd_buffer {
	struct pvm_viommu_create create;
	struct pvm_viommu_info info;
	struct pvm_viommu_device device;
	struct pvm_viommu_domain domain;
	struct pvm_viommu_reg reg;
	struct pvm_viommu_eventfd eventfd;
	struct pvm_viommu_doorbell doorbell;
	struct pvm_viommu_insert insert;
	struct pvm_viommu_stats stats;
};

/**
 * struct pv_ucmd - one ioctl call
 * @v: the vIOMMU (its lock held, but for CREATE)
 * @ubuffer: the user's structure
 * @user_size: its size as the user gave it
 * @cmd: the kernel copy
 */
struct pv_ucmd {
	struct pv_viommu *v;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

static int pv_respond(struct pv_ucmd *ucmd, size_t size)
{
	return pvm_ucmd_respond(ucmd->ubuffer, ucmd->user_size, ucmd->cmd,
				size);
}

/* the file's vIOMMU state, created and alive (else ENODEV) */
static int pv_live(struct pv_viommu *v)
{
	lockdep_assert_held(&v->lock);
	return v->created && !v->dead ? 0 : -ENODEV;
}

static int pv_ioctl_create(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_create *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	struct vfio_nested_container *nc;
	struct file *file;
	struct pv_vm *vm;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->poll_us && (cmd->poll_us < PV_POLL_MIN_US ||
			     cmd->poll_us > PV_POLL_MAX_US))
		return -EINVAL;
	/* one CREATE per file, even two at once */
	mutex_lock(&v->lock);
	ret = v->created || v->creating ? -EBUSY : 0;
	v->creating = true;
	mutex_unlock(&v->lock);
	if (ret)
		return ret;

	file = fget(cmd->container_fd);
	if (!file) {
		ret = -EBADF;
		goto uncreate;
	}
	nc = vfio_nested_container_get(file);
	if (IS_ERR(nc)) {
		ret = PTR_ERR(nc);
		goto put_file;
	}
	vm = pv_vm_get(nc);
	if (!vm) {
		ret = -ENOMEM;
		goto put_nc;
	}
	mutex_lock(&vm->lock);
	ret = xa_insert(&vm->guest_ids, cmd->guest_id, v, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&vm->lock);
	if (ret) {
		ret = ret == -EBUSY ? -EEXIST : ret;
		goto put_vm;
	}
	INIT_LIST_HEAD(&v->client.node);
	v->client.ops = &pv_client_ops;
	ret = vfio_nested_client_register(nc, &v->client);
	if (ret)
		goto erase_id;

	mutex_lock(&v->lock);
	v->container = file;
	v->nc = nc;
	v->vm = vm;
	v->be_ctx = nc;
	v->guest_id = cmd->guest_id;
	v->poll_us = cmd->poll_us;
	v->created = true;
	if (v->poll_us)
		queue_delayed_work(system_unbound_wq, &v->poll_work,
				   usecs_to_jiffies(v->poll_us));
	mutex_unlock(&v->lock);
	return 0;

erase_id:
	mutex_lock(&vm->lock);
	xa_erase(&vm->guest_ids, cmd->guest_id);
	mutex_unlock(&vm->lock);
put_vm:
	pv_vm_put(vm);
put_nc:
	vfio_nested_container_put(nc);
put_file:
	fput(file);
uncreate:
	mutex_lock(&v->lock);
	v->creating = false;
	mutex_unlock(&v->lock);
	return ret;
}

static int pv_ioctl_get_info(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_info *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	cmd->features = PVM_VIOMMU_FEAT_PPR | PVM_VIOMMU_FEAT_GT |
			PVM_VIOMMU_FEAT_POLL | PVM_VIOMMU_FEAT_5LEVEL;
	cmd->guest_id = v->guest_id;
	cmd->commands = BIT_ULL(PVM_VIOMMU_CMD_COMPLETION_WAIT) |
			BIT_ULL(PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY) |
			BIT_ULL(PVM_VIOMMU_CMD_INV_IOMMU_PAGES) |
			BIT_ULL(PVM_VIOMMU_CMD_INV_IOTLB_PAGES) |
			BIT_ULL(PVM_VIOMMU_CMD_INV_INTR_TABLE) |
			BIT_ULL(PVM_VIOMMU_CMD_COMPLETE_PPR) |
			BIT_ULL(PVM_VIOMMU_CMD_INV_IOMMU_ALL);
	cmd->events = BIT_ULL(PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY) |
		      BIT_ULL(PVM_VIOMMU_EVT_IO_PAGE_FAULT) |
		      BIT_ULL(PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR) |
		      BIT_ULL(PVM_VIOMMU_EVT_COMMAND_HARDWARE_ERROR);
	cmd->pasid_bits = PV_PASID_BITS;
	cmd->mmap_size = PVM_VIOMMU_MMAP_SIZE;
	cmd->max_devices = PV_MAX_DEVICES;
	cmd->max_domains = PV_MAX_DOMAINS;
	return pv_respond(ucmd, sizeof(*cmd));
}

static unsigned int pv_xa_count(struct xarray *xa)
{
	unsigned int n = 0;
	unsigned long i;
	void *p;

	xa_for_each(xa, i, p)
		n++;
	return n;
}

static int pv_ioctl_set_device(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_device *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	struct vfio_device *vdev;
	struct file *file;
	struct pv_dev *d;
	u32 dev_id = 0;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	if (cmd->guest_devid > 0xffff || cmd->host_dev_id)
		return -EINVAL;
	if (xa_load(&v->devs, cmd->guest_devid))
		return -EEXIST;
	if (pv_xa_count(&v->devs) >= PV_MAX_DEVICES)
		return -ENOSPC;
	file = fget(cmd->device_fd);
	if (!file)
		return -EBADF;
	/* the device stays registered while we hold its file */
	vdev = vfio_nested_device_from_file(v->nc, file, &dev_id);
	if (IS_ERR(vdev)) {
		ret = PTR_ERR(vdev);
		goto put_file;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		ret = -ENOMEM;
		goto put_file;
	}
	d->v = v;
	d->guest_devid = cmd->guest_devid;
	d->dev_id = dev_id;
	pv_dev_sink_init(d);
	xa_init(&d->pasids);

	mutex_lock(&v->vm->lock);
	ret = xa_insert(&v->vm->devices, dev_id, d, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&v->vm->lock);
	if (ret)
		goto free;
	ret = xa_insert(&v->devs, d->guest_devid, d, GFP_KERNEL_ACCOUNT);
	pv_tables_changed(v);
	if (ret)
		goto erase_vm;
	ret = vfio_nested_set_fault_sink(v->nc, dev_id, &d->sink);
	if (ret)
		goto erase_dev;
	fput(file);
	return 0;

erase_dev:
	xa_erase(&v->devs, d->guest_devid);
erase_vm:
	mutex_lock(&v->vm->lock);
	xa_erase(&v->vm->devices, dev_id);
	mutex_unlock(&v->vm->lock);
free:
	kfree(d);
put_file:
	fput(file);
	return ret;
}

/*
 * The device of CLEAR_DEVICE and QUERY_DEVICE; @in_only: device_fd and
 * host_dev_id are no outputs and must be 0.
 */
static struct pv_dev *pv_dev_find(struct pv_viommu *v,
				  const struct pvm_viommu_device *cmd,
				  bool in_only)
{
	struct pv_dev *d;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return ERR_PTR(-EOPNOTSUPP);
	ret = pv_live(v);
	if (ret)
		return ERR_PTR(ret);
	if (cmd->guest_devid > 0xffff ||
	    (in_only && (cmd->device_fd || cmd->host_dev_id)))
		return ERR_PTR(-EINVAL);
	d = xa_load(&v->devs, cmd->guest_devid);
	return d ? d : ERR_PTR(-ENOENT);
}

static int pv_ioctl_clear_device(struct pv_ucmd *ucmd)
{
	struct pv_dev *d = pv_dev_find(ucmd->v, ucmd->cmd, true);

	if (IS_ERR(d))
		return PTR_ERR(d);
	pv_dev_remove(ucmd->v, d);
	return 0;
}

static int pv_ioctl_query_device(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_device *cmd = ucmd->cmd;
	struct pv_dev *d = pv_dev_find(ucmd->v, cmd, false);

	if (IS_ERR(d))
		return PTR_ERR(d);
	cmd->device_fd = -1;
	cmd->host_dev_id = d->dev_id;
	return pv_respond(ucmd, sizeof(*cmd));
}

/**
 * pv_dom_set() - map a guest domain ID
 * @v: the vIOMMU, its lock held
 * @guest: guest domain ID
 * @host: host domain ID
 *
 * Return: 0; -EINVAL an ID above 0xffff; -EEXIST mapped already; -ENOSPC
 * the table holds PV_MAX_DOMAINS; -ENOMEM.
 */
int pv_dom_set(struct pv_viommu *v, u32 guest, u32 host)
{
	int ret;

	lockdep_assert_held(&v->lock);
	if (guest > 0xffff || host > 0xffff)
		return -EINVAL;
	if (xa_load(&v->doms, guest))
		return -EEXIST;
	if (pv_xa_count(&v->doms) >= PV_MAX_DOMAINS)
		return -ENOSPC;
	ret = xa_insert(&v->doms, guest, xa_mk_value(host), GFP_KERNEL_ACCOUNT);
	pv_tables_changed(v);
	return ret == -EBUSY ? -EEXIST : ret;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dom_set);

/**
 * pv_dom_clear() - unmap a guest domain ID
 * @v: the vIOMMU, its lock held
 * @guest: guest domain ID
 *
 * Return: 0; -EINVAL above 0xffff; -ENOENT not mapped.
 */
int pv_dom_clear(struct pv_viommu *v, u32 guest)
{
	lockdep_assert_held(&v->lock);
	if (guest > 0xffff)
		return -EINVAL;
	pv_tables_changed(v);
	return xa_erase(&v->doms, guest) ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dom_clear);

/**
 * pv_dom_query() - the host domain ID of a guest domain ID
 * @v: the vIOMMU, its lock held
 * @guest: guest domain ID
 * @host: output
 *
 * Return: 0; -EINVAL above 0xffff; -ENOENT not mapped.
 */
int pv_dom_query(struct pv_viommu *v, u32 guest, u32 *host)
{
	void *val;

	lockdep_assert_held(&v->lock);
	if (guest > 0xffff)
		return -EINVAL;
	val = xa_load(&v->doms, guest);
	if (!val)
		return -ENOENT;
	*host = xa_to_value(val);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dom_query);

static int pv_ioctl_domain(struct pv_ucmd *ucmd, unsigned int op)
{
	struct pvm_viommu_domain *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	switch (op) {
	case PVM_VIOMMU_SET_DOMAIN:
		return pv_dom_set(v, cmd->guest_domid, cmd->host_domid);
	case PVM_VIOMMU_CLEAR_DOMAIN:
		if (cmd->host_domid)
			return -EINVAL;
		return pv_dom_clear(v, cmd->guest_domid);
	default:
		ret = pv_dom_query(v, cmd->guest_domid, &cmd->host_domid);
		return ret ? ret : pv_respond(ucmd, sizeof(*cmd));
	}
}

static int pv_ioctl_set_domain(struct pv_ucmd *ucmd)
{
	return pv_ioctl_domain(ucmd, PVM_VIOMMU_SET_DOMAIN);
}

static int pv_ioctl_clear_domain(struct pv_ucmd *ucmd)
{
	return pv_ioctl_domain(ucmd, PVM_VIOMMU_CLEAR_DOMAIN);
}

static int pv_ioctl_query_domain(struct pv_ucmd *ucmd)
{
	return pv_ioctl_domain(ucmd, PVM_VIOMMU_QUERY_DOMAIN);
}

/* the size of the structure a head or tail register points into */
static u32 pv_ptr_size(struct pv_viommu *v, u32 off)
{
	u64 val, base;
	u32 size;

	switch (off) {
	case PVM_VIOMMU_MMIO_CMD_HEAD:
	case PVM_VIOMMU_MMIO_CMD_TAIL:
		val = v->cmd_base;
		break;
	case PVM_VIOMMU_MMIO_EVT_HEAD:
	case PVM_VIOMMU_MMIO_EVT_TAIL:
		val = v->evt_base;
		break;
	default:
		val = v->ppr_base;
		break;
	}
	return pv_base_decode(val, &base, &size) ? 0 : size;
}

/* A base register write: ebusy while @en is set in control. */
static int pv_write_base(struct pv_viommu *v, u64 *reg, u64 val, u64 en)
{
	u64 base;
	u32 size;

	if (pv_base_decode(val, &base, &size))
		return -EINVAL;
	if (v->control & en)
		return -EBUSY;
	*reg = val;
	return 0;
}

/**
 * pv_reg_write() - a guest's register write, forwarded by the VMM
 * @v: the vIOMMU, its lock held
 * @off: the register's offset
 * @val: the value
 *
 * Return: 0; -EINVAL unknown offset or bad value; -EBUSY a base register
 * while its structure is enabled.
 */
int pv_reg_write(struct pv_viommu *v, u32 off, u64 val)
{
	u64 old, on, off_bits, set = 0, clear = 0;
	u64 base;
	u32 entries;

	lockdep_assert_held(&v->lock);
	switch (off) {
	case PVM_VIOMMU_MMIO_DEV_TABLE_BASE:
		if (pv_dtb_decode(val, &base, &entries))
			return -EINVAL;
		v->dtb = val;
		return 0;
	case PVM_VIOMMU_MMIO_CMD_BASE:
		return pv_write_base(v, &v->cmd_base, val,
				     PVM_VIOMMU_CTRL_CMDBUF_EN);
	case PVM_VIOMMU_MMIO_EVT_BASE:
		return pv_write_base(v, &v->evt_base, val,
				     PVM_VIOMMU_CTRL_EVT_LOG_EN);
	case PVM_VIOMMU_MMIO_PPR_BASE:
		return pv_write_base(v, &v->ppr_base, val,
				     PVM_VIOMMU_CTRL_PPRLOG_EN);
	case PVM_VIOMMU_MMIO_CONTROL:
		old = v->control;
		v->control = val;
		on = val & ~old;
		off_bits = old & ~val;
		if (on & PVM_VIOMMU_CTRL_CMDBUF_EN)
			set |= PVM_VIOMMU_STATUS_CMDBUF_RUN;
		if (off_bits & PVM_VIOMMU_CTRL_CMDBUF_EN)
			clear |= PVM_VIOMMU_STATUS_CMDBUF_RUN;
		if (on & PVM_VIOMMU_CTRL_EVT_LOG_EN)
			set |= PVM_VIOMMU_STATUS_EVT_RUN;
		if (off_bits & PVM_VIOMMU_CTRL_EVT_LOG_EN)
			clear |= PVM_VIOMMU_STATUS_EVT_RUN;
		if (on & PVM_VIOMMU_CTRL_PPRLOG_EN)
			set |= PVM_VIOMMU_STATUS_PPR_RUN;
		if (off_bits & PVM_VIOMMU_CTRL_PPRLOG_EN)
			clear |= PVM_VIOMMU_STATUS_PPR_RUN;
		pv_set_status(v, set, clear);
		if (on & PVM_VIOMMU_CTRL_CMDBUF_EN)
			pv_cmd_run(v);
		return 0;
	case PVM_VIOMMU_MMIO_STATUS:
		pv_set_status(v, 0, val & PVM_VIOMMU_STATUS_W1C);
		return 0;
	case PVM_VIOMMU_MMIO_CMD_HEAD:
	case PVM_VIOMMU_MMIO_CMD_TAIL:
	case PVM_VIOMMU_MMIO_EVT_HEAD:
	case PVM_VIOMMU_MMIO_EVT_TAIL:
	case PVM_VIOMMU_MMIO_PPR_HEAD:
	case PVM_VIOMMU_MMIO_PPR_TAIL:
		if ((val & ~PVM_VIOMMU_PTR_MASK) ||
		    (val && val >= pv_ptr_size(v, off)))
			return -EINVAL;
		pv_mmio_write(v, off, val);
		if (off == PVM_VIOMMU_MMIO_CMD_TAIL)
			pv_cmd_run(v);
		return 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(pv_reg_write);

static int pv_reg_read(struct pv_viommu *v, u32 off, u64 *val)
{
	switch (off) {
	case PVM_VIOMMU_MMIO_DEV_TABLE_BASE:
		*val = v->dtb;
		return 0;
	case PVM_VIOMMU_MMIO_CMD_BASE:
		*val = v->cmd_base;
		return 0;
	case PVM_VIOMMU_MMIO_EVT_BASE:
		*val = v->evt_base;
		return 0;
	case PVM_VIOMMU_MMIO_PPR_BASE:
		*val = v->ppr_base;
		return 0;
	case PVM_VIOMMU_MMIO_CONTROL:
		*val = v->control;
		return 0;
	case PVM_VIOMMU_MMIO_STATUS:
		*val = v->status;
		return 0;
	case PVM_VIOMMU_MMIO_CMD_HEAD:
	case PVM_VIOMMU_MMIO_CMD_TAIL:
	case PVM_VIOMMU_MMIO_EVT_HEAD:
	case PVM_VIOMMU_MMIO_EVT_TAIL:
	case PVM_VIOMMU_MMIO_PPR_HEAD:
	case PVM_VIOMMU_MMIO_PPR_TAIL:
		*val = pv_mmio_read(v, off);
		return 0;
	default:
		return -EINVAL;
	}
}

static int pv_ioctl_reg_write(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_reg *cmd = ucmd->cmd;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = pv_live(ucmd->v);
	if (ret)
		return ret;
	return pv_reg_write(ucmd->v, cmd->offset, cmd->value);
}

static int pv_ioctl_reg_read(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_reg *cmd = ucmd->cmd;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = pv_live(ucmd->v);
	if (!ret)
		ret = pv_reg_read(ucmd->v, cmd->offset, &cmd->value);
	return ret ? ret : pv_respond(ucmd, sizeof(*cmd));
}

static int pv_ioctl_set_eventfd(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_eventfd *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	struct eventfd_ctx *ctx = NULL;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	if (cmd->index > PVM_VIOMMU_EVENTFD_DOORBELL || cmd->fd < -1)
		return -EINVAL;
	if (cmd->index == PVM_VIOMMU_EVENTFD_DOORBELL) {
		if (cmd->fd == -1) {
			pv_db_clear(v);
			return 0;
		}
		return pv_db_set(v, cmd->fd);
	}
	if (cmd->fd >= 0) {
		ctx = eventfd_ctx_fdget(cmd->fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	if (v->irq[cmd->index])
		eventfd_ctx_put(v->irq[cmd->index]);
	v->irq[cmd->index] = ctx;
	return 0;
}

static int pv_ioctl_doorbell(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_doorbell *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	cmd->out_executed = pv_cmd_run(v);
	cmd->out_status = v->status;
	cmd->out_head = pv_mmio_read(v, PVM_VIOMMU_MMIO_CMD_HEAD);
	return pv_respond(ucmd, sizeof(*cmd));
}

static int pv_ioctl_insert_event(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_insert *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	struct pv_entry e;
	int ret;

	if ((cmd->flags & ~PVM_VIOMMU_INSERT_PPR) || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	e.q[0] = cmd->entry[0];
	e.q[1] = cmd->entry[1];
	cmd->out_result = pv_log_write(v, cmd->flags & PVM_VIOMMU_INSERT_PPR,
				       &e) ? 1 : 0;
	return pv_respond(ucmd, sizeof(*cmd));
}

static int pv_ioctl_get_stats(struct pv_ucmd *ucmd)
{
	struct pvm_viommu_stats *cmd = ucmd->cmd;
	struct pv_viommu *v = ucmd->v;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = pv_live(v);
	if (ret)
		return ret;
	*cmd = v->stats;
	cmd->argsz = sizeof(*cmd);
	return pv_respond(ucmd, sizeof(*cmd));
}

struct pv_ioctl_op {
	struct pvm_ucmd_op uop;
	bool unlocked;
	int (*execute)(struct pv_ucmd *ucmd);
};

/* In PVM_VIOMMU_* order: the entry of an ioctl is its number. */
#define PV_IOCTL_OP(_ioctl, _fn, _struct, _last, _unlocked)		\
	{								\
		.uop = PVM_UCMD_OP(union pv_ucmd_buffer, _ioctl,	\
				   _struct, _last),			\
		.unlocked = _unlocked,					\
		.execute = _fn,						\
	}

static const struct pv_ioctl_op pv_ioctl_ops[] = {
	PV_IOCTL_OP(PVM_VIOMMU_CREATE, pv_ioctl_create,
		    struct pvm_viommu_create, __reserved, true),
	PV_IOCTL_OP(PVM_VIOMMU_GET_INFO, pv_ioctl_get_info,
		    struct pvm_viommu_info, max_domains, false),
	PV_IOCTL_OP(PVM_VIOMMU_SET_DEVICE, pv_ioctl_set_device,
		    struct pvm_viommu_device, __reserved, false),
	PV_IOCTL_OP(PVM_VIOMMU_CLEAR_DEVICE, pv_ioctl_clear_device,
		    struct pvm_viommu_device, __reserved, false),
	PV_IOCTL_OP(PVM_VIOMMU_QUERY_DEVICE, pv_ioctl_query_device,
		    struct pvm_viommu_device, __reserved, false),
	PV_IOCTL_OP(PVM_VIOMMU_SET_DOMAIN, pv_ioctl_set_domain,
		    struct pvm_viommu_domain, host_domid, false),
	PV_IOCTL_OP(PVM_VIOMMU_CLEAR_DOMAIN, pv_ioctl_clear_domain,
		    struct pvm_viommu_domain, host_domid, false),
	PV_IOCTL_OP(PVM_VIOMMU_QUERY_DOMAIN, pv_ioctl_query_domain,
		    struct pvm_viommu_domain, host_domid, false),
	PV_IOCTL_OP(PVM_VIOMMU_REG_WRITE, pv_ioctl_reg_write,
		    struct pvm_viommu_reg, value, false),
	PV_IOCTL_OP(PVM_VIOMMU_REG_READ, pv_ioctl_reg_read,
		    struct pvm_viommu_reg, value, false),
	PV_IOCTL_OP(PVM_VIOMMU_SET_EVENTFD, pv_ioctl_set_eventfd,
		    struct pvm_viommu_eventfd, fd, false),
	PV_IOCTL_OP(PVM_VIOMMU_DOORBELL, pv_ioctl_doorbell,
		    struct pvm_viommu_doorbell, out_head, false),
	PV_IOCTL_OP(PVM_VIOMMU_INSERT_EVENT, pv_ioctl_insert_event,
		    struct pvm_viommu_insert, entry, false),
	PV_IOCTL_OP(PVM_VIOMMU_GET_STATS, pv_ioctl_get_stats,
		    struct pvm_viommu_stats, completion_waits, false),
};

static long pv_fop_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	const struct pv_ioctl_op *op;
	/*
	 * pvm_ucmd_copy_in() fills the ioctl's structure in full and the
	 * handlers use nothing else of it: not cleared at every call (as
	 * CONFIG_INIT_STACK_ALL_ZERO would, the doorbell's included).
	 */
	union pv_ucmd_buffer buf __uninitialized;
	struct pv_ucmd ucmd = {
		.v = filp->private_data,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	int ret;

	op = pvm_ucmd_op_by_nr(pv_ioctl_ops, _IOC_NR(PVM_VIOMMU_CREATE), cmd);
	if (!op)
		return -ENOTTY;
	ret = pvm_ucmd_copy_in(&op->uop, ucmd.cmd, ucmd.ubuffer,
			       &ucmd.user_size);
	if (ret)
		return ret;
	if (op->unlocked)
		return op->execute(&ucmd);
	mutex_lock(&ucmd.v->lock);
	ret = op->execute(&ucmd);
	mutex_unlock(&ucmd.v->lock);
	return ret;
}

static int pv_fop_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct pv_viommu *v = filp->private_data;

	if (vma->vm_pgoff != PVM_VIOMMU_MMAP_OFFSET >> PAGE_SHIFT ||
	    vma->vm_end - vma->vm_start != PVM_VIOMMU_MMAP_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, v->mmio_page);
}

static int pv_fop_open(struct inode *inode, struct file *filp)
{
	struct pv_viommu *v;
	int ret;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	ret = pv_viommu_init(v, &pv_kapi_backend, NULL);
	if (ret) {
		kfree(v);
		return ret;
	}
	filp->private_data = v;
	return 0;
}

static int pv_fop_release(struct inode *inode, struct file *filp)
{
	struct pv_viommu *v = filp->private_data;
	unsigned int i;

	if (v->created)
		/* no callback runs after this; they take v->lock */
		vfio_nested_client_unregister(v->nc, &v->client);
	mutex_lock(&v->lock);
	pv_db_clear(v);
	if (v->created)
		pv_remove_all(v);
	v->dead = true;
	mutex_unlock(&v->lock);
	/* no sink is left: nothing queues work any more */
	cancel_delayed_work_sync(&v->poll_work);
	cancel_work_sync(&v->cmd_work);
	cancel_work_sync(&v->evt_work);
	for (i = 0; i < ARRAY_SIZE(v->irq); i++)
		if (v->irq[i])
			eventfd_ctx_put(v->irq[i]);
	if (v->created) {
		mutex_lock(&v->vm->lock);
		xa_erase(&v->vm->guest_ids, v->guest_id);
		mutex_unlock(&v->vm->lock);
		pv_vm_put(v->vm);
		vfio_nested_container_put(v->nc);
		fput(v->container);
	}
	pv_viommu_fini(v);
	kfree(v);
	return 0;
}

static const struct file_operations pv_fops = {
	.owner = THIS_MODULE,
	.open = pv_fop_open,
	.release = pv_fop_release,
	.unlocked_ioctl = pv_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = pv_fop_mmap,
};

static struct miscdevice pv_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pvm_viommu",
	.fops = &pv_fops,
	.mode = 0600,
};

static int __init pv_init(void)
{
	return misc_register(&pv_misc);
}

static void __exit pv_exit(void)
{
	misc_deregister(&pv_misc);
}

module_init(pv_init);
module_exit(pv_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("A vIOMMU in the AMD hardware-assisted model over vfio_iommu_nested");
MODULE_IMPORT_NS(VFIO_NESTED_NS);
