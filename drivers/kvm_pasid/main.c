// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pasid: /dev/kvm_pasid, the attachment of a KVM VM to its ioasid set,
 * the ioasid notifier that keeps the VM's table in step, and the device
 * API (kvm_pasid_get()).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pvm_ioasid.h>
#include <linux/pvm_ucmd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kvm_pasid_private.h"

/* Attached VMs by struct kvm address: writers under the mutex, RCU readers. */
static DEFINE_HASHTABLE(kvm_pasid_vms, 6);
static DEFINE_MUTEX(kvm_pasid_vms_lock);
static struct workqueue_struct *kvm_pasid_wq;

/**
 * struct kvm_pasid_file - one open /dev/kvm_pasid
 * @lock: see the lock order
 * @vm: the attachment, NULL if none; an ended one stays until replaced
 * @updates: counters of the file's earlier attachments
 * @kicks: likewise
 * @lookups: likewise
 * @misses: likewise
 * @refused: likewise
 */
struct kvm_pasid_file {
	struct mutex lock;	/* see the lock order in kvm_pasid_private.h */
	struct kvm_pasid_vm *vm;
	u64 updates, kicks, lookups, misses, refused;
};

/* ---- the VM fd ----------------------------------------------------- */

/*
 * The struct kvm of a KVM VM file, or NULL for any other file. Where KVM
 * exports file_is_kvm() (6.1 to 6.x) it decides. Where it does not (7.x
 * exports it to KVM's own modules only) a VM file is recognised by what
 * only KVM makes: an anonymous inode named "kvm-vm" (vCPU files are
 * "kvm-vcpu:N", device files carry their device's name, stats files
 * "kvm-vm-stats") whose file operations belong to KVM: to kvm.ko or its
 * vendor module (kvm_amd, kvm_intel: KVM sets that owner on its VM, vCPU
 * and device operations) or, KVM being built in, to no module.
 */
static struct kvm *kvm_pasid_file_kvm(struct file *file)
{
#ifdef HAVE_FILE_IS_KVM
	return file_is_kvm(file) ? file->private_data : NULL;
#else
	struct module *owner = file->f_op->owner;

	if (file_inode(file)->i_sb->s_magic != ANON_INODE_FS_MAGIC ||
	    strcmp(file->f_path.dentry->d_name.name, "kvm-vm"))
		return NULL;
	if (owner ? strncmp(module_name(owner), "kvm", 3) : !IS_BUILTIN(CONFIG_KVM))
		return NULL;
	return file->private_data;
#endif
}

/* ---- the registry and the device API -------------------------------- */

static struct kvm_pasid_vm *kvm_pasid_vm_find(struct kvm *kvm)
{
	struct kvm_pasid_vm *vm;

	hash_for_each_possible_rcu(kvm_pasid_vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/**
 * kvm_pasid_get() - the attachment of a VM
 * @kvm: the VM (the caller keeps it alive, e.g. by its own reference)
 *
 * How a device that takes a guest's submissions finds the VM's table: it
 * calls this once when it is set up for the VM and keeps the reference.
 *
 * Context: any (RCU, no lock, no sleeping).
 * Return: the attachment with a reference (drop it with kvm_pasid_put()),
 * or NULL if the VM is not attached.
 */
struct kvm_pasid *kvm_pasid_get(struct kvm *kvm)
{
	struct kvm_pasid_vm *vm;

	rcu_read_lock();
	vm = kvm_pasid_vm_find(kvm);
	if (vm && !refcount_inc_not_zero(&vm->ref))
		vm = NULL;
	rcu_read_unlock();
	return vm ? &vm->pub : NULL;
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_get, KVM_PASID_NS);

/**
 * kvm_pasid_put() - drop the reference of kvm_pasid_get()
 * @kp: the attachment
 *
 * Context: any but interrupt context (hard or soft).
 */
void kvm_pasid_put(struct kvm_pasid *kp)
{
	kvm_pasid_vm_put(to_kvm_pasid_vm(kp));
}
EXPORT_SYMBOL_NS_GPL(kvm_pasid_put, KVM_PASID_NS);

/* ---- keeping the table in step: the ioasid notifier ----------------- */

static int kvm_pasid_notify(struct notifier_block *nb, unsigned long event,
			    void *arg)
{
	struct kvm_pasid_vm *vm = container_of(nb, struct kvm_pasid_vm, nb);
	struct pvm_ioasid_nb_args *args = arg;
	int ret = 0;

	mutex_lock(&vm->lock);
	switch (event) {
	case IOASID_NOTIFY_BIND:
		ret = kvm_pasid_vm_set(vm, args->spid, args->id);
		if (ret)
			vm->refused++;
		break;
	case IOASID_NOTIFY_UNBIND:
	case IOASID_NOTIFY_BIND_ROLLBACK:
		kvm_pasid_vm_unset(vm, args->spid);
		break;
	case IOASID_NOTIFY_FREE:
		/* Normally after its UNBIND: then nothing is left. */
		kvm_pasid_vm_unset_host(vm, args->id);
		break;
	case IOASID_NOTIFY_SET_FREE:
		kvm_pasid_vm_clear(vm);
		vm->set_freed = true;
		/* Unregistering takes the set's mutex: not from here. */
		kvm_pasid_vm_get(vm);
		if (!queue_work(kvm_pasid_wq, &vm->end_work))
			kvm_pasid_vm_put(vm);
		break;
	}
	mutex_unlock(&vm->lock);
	return notifier_from_errno(ret);
}

/* ---- attach and end -------------------------------------------------- */

static int kvm_pasid_attach_locked(struct kvm_pasid_vm *vm)
{
	struct kvm_pasid_vm *pos;
	int bkt, ret;

	lockdep_assert_held(&kvm_pasid_vms_lock);
	hash_for_each(kvm_pasid_vms, bkt, pos, node)
		if (pos->kvm == vm->kvm || pos->set == vm->set)
			return -EBUSY;
	ret = pvm_ioasid_register_notifier_replay(vm->set, &vm->nb);
	if (ret)
		return ret;
	vm->attached = true;
	hash_add_rcu(kvm_pasid_vms, &vm->node, (unsigned long)vm->kvm);
	return 0;
}

/*
 * End an attachment, once: out of the registry (no new device finds it),
 * no more events, the table emptied (kicked), the references dropped.
 */
static void kvm_pasid_vm_end(struct kvm_pasid_vm *vm)
{
	struct pvm_ioasid_set *set;
	struct kvm *kvm;

	mutex_lock(&kvm_pasid_vms_lock);
	if (!vm->attached) {
		mutex_unlock(&kvm_pasid_vms_lock);
		return;
	}
	vm->attached = false;
	hash_del_rcu(&vm->node);
	pvm_ioasid_unregister_notifier(vm->set, &vm->nb);
	mutex_unlock(&kvm_pasid_vms_lock);

	mutex_lock(&vm->lock);
	kvm_pasid_vm_clear(vm);
	kvm = vm->kvm;
	set = vm->set;
	vm->kvm = NULL;
	vm->set = NULL;
	mutex_unlock(&vm->lock);
	pvm_ioasid_set_put(set);
	kvm_put_kvm(kvm);
}

static void kvm_pasid_end_work(struct work_struct *work)
{
	struct kvm_pasid_vm *vm = container_of(work, struct kvm_pasid_vm,
					       end_work);

	kvm_pasid_vm_end(vm);
	kvm_pasid_vm_put(vm);
}

/* Fold an ended attachment's counters into the file's and let it go. */
static void kvm_pasid_file_retire(struct kvm_pasid_file *kf)
{
	struct kvm_pasid_vm *vm = kf->vm;
	u64 lookups, misses;

	lockdep_assert_held(&kf->lock);
	if (!vm)
		return;
	kvm_pasid_vm_end(vm);
	kvm_pasid_vm_stats(vm, &lookups, &misses);
	mutex_lock(&vm->lock);
	kf->updates += vm->updates;
	kf->kicks += vm->kicks;
	kf->refused += vm->refused;
	mutex_unlock(&vm->lock);
	kf->lookups += lookups;
	kf->misses += misses;
	kf->vm = NULL;
	kvm_pasid_vm_put(vm);
}

/* ---- ioctls ----------------------------------------------------------- */

union kvm_pasid_ucmd_buffer {
	struct kvm_pasid_info info;
	struct kvm_pasid_attach attach;
	struct kvm_pasid_detach detach;
	struct kvm_pasid_translation translate;
	struct kvm_pasid_dump dump;
};

/**
 * struct kvm_pasid_ucmd - one ioctl call
 * @kf: the file (its lock held)
 * @ubuffer: the user's structure
 * @user_size: its size as the user gave it
 * @cmd: the kernel copy
 */
struct kvm_pasid_ucmd {
	struct kvm_pasid_file *kf;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

static int kvm_pasid_respond(struct kvm_pasid_ucmd *ucmd, size_t size)
{
	return pvm_ucmd_respond(ucmd->ubuffer, ucmd->user_size, ucmd->cmd,
				size);
}

/*
 * The live attachment of the file, or NULL. One whose set was freed is
 * ended here if its work did not run yet, so that the file's state follows
 * the set's at once.
 */
static struct kvm_pasid_vm *kvm_pasid_file_vm(struct kvm_pasid_file *kf)
{
	struct kvm_pasid_vm *vm = kf->vm;

	lockdep_assert_held(&kf->lock);
	if (!vm)
		return NULL;
	if (READ_ONCE(vm->set_freed))
		kvm_pasid_vm_end(vm);
	return READ_ONCE(vm->attached) ? vm : NULL;
}

static int kvm_pasid_ioctl_get_info(struct kvm_pasid_ucmd *ucmd)
{
	struct kvm_pasid_info *cmd = ucmd->cmd;
	struct kvm_pasid_file *kf = ucmd->kf;
	struct kvm_pasid_vm *vm = kf->vm;
	u64 lookups = 0, misses = 0;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	kvm_pasid_file_vm(kf);	/* ends one whose set was freed */
	cmd->out_flags = 0;
	cmd->nr_entries = 0;
	cmd->nr_tables = 0;
	cmd->table_bytes = 0;
	cmd->updates = kf->updates;
	cmd->kicks = kf->kicks;
	cmd->refused = kf->refused;
	if (vm) {
		mutex_lock(&vm->lock);
		if (READ_ONCE(vm->attached))
			cmd->out_flags |= KVM_PASID_INFO_ATTACHED;
		if (vm->set_freed)
			cmd->out_flags |= KVM_PASID_INFO_SET_FREED;
		if (vm->kick_vcpus)
			cmd->out_flags |= KVM_PASID_INFO_KICK_VCPUS;
		cmd->nr_entries = vm->nr_entries;
		cmd->nr_tables = vm->nr_tables;
		cmd->table_bytes = kvm_pasid_vm_bytes(vm);
		cmd->updates += vm->updates;
		cmd->kicks += vm->kicks;
		cmd->refused += vm->refused;
		mutex_unlock(&vm->lock);
		kvm_pasid_vm_stats(vm, &lookups, &misses);
	}
	cmd->lookups = kf->lookups + lookups;
	cmd->misses = kf->misses + misses;
	return kvm_pasid_respond(ucmd, sizeof(*cmd));
}

static int kvm_pasid_ioctl_attach(struct kvm_pasid_ucmd *ucmd)
{
	struct kvm_pasid_attach *cmd = ucmd->cmd;
	struct kvm_pasid_file *kf = ucmd->kf;
	struct pvm_ioasid_set *set;
	struct file *vmf, *iof;
	struct kvm_pasid_vm *vm;
	struct kvm *kvm;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (kvm_pasid_file_vm(kf))
		return -EBUSY;
	vmf = fget(cmd->vm_fd);
	if (!vmf)
		return -EBADF;
	iof = fget(cmd->ioasid_fd);
	if (!iof) {
		ret = -EBADF;
		goto out_vmf;
	}
	kvm = kvm_pasid_file_kvm(vmf);
	set = pvm_ioasid_set_get_from_file(iof);
	if (!kvm || IS_ERR(set)) {
		ret = -EINVAL;
		goto out_set;
	}
	/* The VM file is held: its VM is alive; checked nevertheless. */
	if (!kvm_get_kvm_safe(kvm)) {
		ret = -ENOENT;
		goto out_set;
	}
	vm = kvm_pasid_vm_alloc();
	if (!vm) {
		ret = -ENOMEM;
		goto out_kvm;
	}
	vm->kvm = kvm;
	vm->set = set;
	vm->nb.notifier_call = kvm_pasid_notify;
	vm->nb.priority = IOASID_PRIO_CPU;
	INIT_WORK(&vm->end_work, kvm_pasid_end_work);
#ifdef HAVE_KVM_MAKE_ALL_CPUS_REQUEST
	vm->kick_vcpus = true;
#endif
	mutex_lock(&kvm_pasid_vms_lock);
	ret = kvm_pasid_attach_locked(vm);
	mutex_unlock(&kvm_pasid_vms_lock);
	if (ret)
		goto out_vm;
	/* Folds the ended one's counters; it holds no VM or set any more. */
	kvm_pasid_file_retire(kf);
	kf->vm = vm;
	fput(iof);
	fput(vmf);
	return 0;

out_vm:
	mutex_lock(&vm->lock);
	kf->refused += vm->refused;
	kvm_pasid_vm_clear(vm);	/* empty: the replay rolled back */
	vm->kvm = NULL;
	vm->set = NULL;
	mutex_unlock(&vm->lock);
	kvm_pasid_vm_put(vm);
out_kvm:
	kvm_put_kvm(kvm);
out_set:
	if (!IS_ERR(set))
		pvm_ioasid_set_put(set);
	fput(iof);
out_vmf:
	fput(vmf);
	return ret;
}

static int kvm_pasid_ioctl_detach(struct kvm_pasid_ucmd *ucmd)
{
	struct kvm_pasid_detach *cmd = ucmd->cmd;
	struct kvm_pasid_vm *vm;

	if (cmd->flags)
		return -EOPNOTSUPP;
	vm = kvm_pasid_file_vm(ucmd->kf);
	if (!vm)
		return -ENOTCONN;
	kvm_pasid_vm_end(vm);
	return 0;
}

static int kvm_pasid_ioctl_translate(struct kvm_pasid_ucmd *ucmd)
{
	struct kvm_pasid_translation *cmd = ucmd->cmd;
	struct kvm_pasid_vm *vm;
	u32 hpasid;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!cmd->gpasid || cmd->gpasid > KVM_PASID_MAX)
		return -EINVAL;
	vm = kvm_pasid_file_vm(ucmd->kf);
	if (!vm)
		return -ENOTCONN;
	if (!kvm_pasid_translate(&vm->pub, cmd->gpasid, &hpasid))
		return -ENOENT;
	cmd->out_hpasid = hpasid;
	return kvm_pasid_respond(ucmd, sizeof(*cmd));
}

static int kvm_pasid_ioctl_dump(struct kvm_pasid_ucmd *ucmd)
{
	struct kvm_pasid_dump *cmd = ucmd->cmd;
	struct kvm_pasid_entry __user *uentries;
	struct kvm_pasid_entry *buf;
	struct kvm_pasid_vm *vm;
	u32 g, hpasid, n = 0, room;
	int ret = 0;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->start > KVM_PASID_MAX)
		return -EINVAL;
	vm = kvm_pasid_file_vm(ucmd->kf);
	if (!vm)
		return -ENOTCONN;
	uentries = u64_to_user_ptr(cmd->entries);
	/* A snapshot under the lock, copied out after it. */
	room = min_t(u32, cmd->nr_entries, KVM_PASID_TABLE_ENTRIES);
	buf = kvmalloc_array(room ?: 1, sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	cmd->out_next = 0;
	mutex_lock(&vm->lock);
	for (g = cmd->start ?: 1; g <= KVM_PASID_MAX; g++) {
		u32 *table = kvm_pasid_vm_table(vm, g);

		if (!table) {
			/* Skip the whole range of a missing table. */
			g |= KVM_PASID_TABLE_ENTRIES - 1;
			continue;
		}
		if (!kvm_pasid_pte_decode(table[g & (KVM_PASID_TABLE_ENTRIES - 1)],
					  &hpasid))
			continue;
		if (n == room) {
			cmd->out_next = g;
			break;
		}
		buf[n].gpasid = g;
		buf[n].hpasid = hpasid;
		n++;
	}
	mutex_unlock(&vm->lock);
	if (n && copy_to_user(uentries, buf, n * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	if (ret)
		return ret;
	cmd->nr_entries = n;
	return kvm_pasid_respond(ucmd, sizeof(*cmd));
}

struct kvm_pasid_ioctl_op {
	struct pvm_ucmd_op uop;
	int (*execute)(struct kvm_pasid_ucmd *ucmd);
};

/* In KVM_PASID_CMD_* order: the entry of an ioctl is its number's offset. */
#define KVM_PASID_IOCTL_OP(_ioctl, _fn, _struct, _last)                       \
	{                                                                     \
		.uop = PVM_UCMD_OP(union kvm_pasid_ucmd_buffer, _ioctl,        \
				   _struct, _last),                           \
		.execute = _fn,                                               \
	}

static const struct kvm_pasid_ioctl_op kvm_pasid_ioctl_ops[] = {
	KVM_PASID_IOCTL_OP(KVM_PASID_GET_INFO, kvm_pasid_ioctl_get_info,
			   struct kvm_pasid_info, refused),
	KVM_PASID_IOCTL_OP(KVM_PASID_ATTACH, kvm_pasid_ioctl_attach,
			   struct kvm_pasid_attach, ioasid_fd),
	KVM_PASID_IOCTL_OP(KVM_PASID_DETACH, kvm_pasid_ioctl_detach,
			   struct kvm_pasid_detach, flags),
	KVM_PASID_IOCTL_OP(KVM_PASID_TRANSLATE, kvm_pasid_ioctl_translate,
			   struct kvm_pasid_translation, out_hpasid),
	KVM_PASID_IOCTL_OP(KVM_PASID_DUMP, kvm_pasid_ioctl_dump,
			   struct kvm_pasid_dump, __reserved),
};

static long kvm_pasid_fops_ioctl(struct file *filp, unsigned int cmd,
				 unsigned long arg)
{
	const struct kvm_pasid_ioctl_op *op;
	union kvm_pasid_ucmd_buffer buf;
	struct kvm_pasid_ucmd ucmd = {
		.kf = filp->private_data,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	int ret;

	op = pvm_ucmd_op_by_nr(kvm_pasid_ioctl_ops, KVM_PASID_CMD_BASE, cmd);
	if (!op)
		return -ENOTTY;
	ret = pvm_ucmd_copy_in(&op->uop, ucmd.cmd, ucmd.ubuffer,
			       &ucmd.user_size);
	if (ret)
		return ret;
	mutex_lock(&ucmd.kf->lock);
	ret = op->execute(&ucmd);
	mutex_unlock(&ucmd.kf->lock);
	return ret;
}

static int kvm_pasid_fops_open(struct inode *inode, struct file *filp)
{
	struct kvm_pasid_file *kf;

	kf = kzalloc(sizeof(*kf), GFP_KERNEL_ACCOUNT);
	if (!kf)
		return -ENOMEM;
	mutex_init(&kf->lock);
	filp->private_data = kf;
	return 0;
}

static int kvm_pasid_fops_release(struct inode *inode, struct file *filp)
{
	struct kvm_pasid_file *kf = filp->private_data;

	mutex_lock(&kf->lock);
	kvm_pasid_file_retire(kf);
	mutex_unlock(&kf->lock);
	mutex_destroy(&kf->lock);
	kfree(kf);
	return 0;
}

static const struct file_operations kvm_pasid_fops = {
	.owner = THIS_MODULE,
	.open = kvm_pasid_fops_open,
	.release = kvm_pasid_fops_release,
	.unlocked_ioctl = kvm_pasid_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kvm_pasid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvm_pasid",
	.fops = &kvm_pasid_fops,
	.mode = 0600,
};

static int __init kvm_pasid_init(void)
{
	int ret;

	kvm_pasid_table_fault_init();
	kvm_pasid_wq = alloc_workqueue("kvm_pasid", WQ_UNBOUND, 0);
	if (!kvm_pasid_wq)
		return -ENOMEM;
	ret = misc_register(&kvm_pasid_misc);
	if (ret)
		destroy_workqueue(kvm_pasid_wq);
	return ret;
}

/*
 * Every open file holds a module reference: no attachment is left. The
 * work queued by a SET_FREE may still run (it ends nothing any more, but
 * runs this module's code): the workqueue is drained first, then the RCU
 * callbacks (table pages, attachments) are waited for.
 */
static void __exit kvm_pasid_exit(void)
{
	misc_deregister(&kvm_pasid_misc);
	destroy_workqueue(kvm_pasid_wq);
	rcu_barrier();
}

module_init(kvm_pasid_init);
module_exit(kvm_pasid_exit);

MODULE_IMPORT_NS(PVM_IOASID_NS);
MODULE_DESCRIPTION("KVM guest-to-host PASID translation tables for ENQCMD");
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
