// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: the module, its mdev parent and type, and the per-instance
 * configuration in sysfs (nr_queues, queue_sizes, queue_modes).
 */
#include <linux/device.h>
#include <linux/kvm_pasid.h>
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vfio_iommu_nested.h>

#include "sva_sim_private.h"

static const char * const sva_sim_mode_names[] = {
	[SVA_SIM_QUEUE_DEDICATED] = "dedicated",
	[SVA_SIM_QUEUE_SHARED] = "shared",
};

static struct sva_sim_dev *dev_to_sd(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t nr_queues_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct sva_sim_dev *sd = dev_to_sd(dev);
	u32 n;

	mutex_lock(&sd->lock);
	n = sd->cfg.nr_queues;
	mutex_unlock(&sd->lock);
	return sysfs_emit(buf, "%u\n", n);
}

static ssize_t nr_queues_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct sva_sim_dev *sd = dev_to_sd(dev);
	u32 n;
	int ret;

	ret = kstrtou32(buf, 0, &n);
	if (ret)
		return ret;
	if (!n || n > SVA_SIM_MAX_QUEUES)
		return -EINVAL;
	mutex_lock(&sd->lock);
	if (sd->opened)
		ret = -EBUSY;
	else
		sd->cfg.nr_queues = n;
	mutex_unlock(&sd->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(nr_queues);

/* A comma-separated list for @cfg->nr_queues queues (lock held). */
static ssize_t sva_sim_show_list(struct sva_sim_dev *sd, char *buf, bool modes)
{
	ssize_t len = 0;
	unsigned int i;

	mutex_lock(&sd->lock);
	for (i = 0; i < sd->cfg.nr_queues; i++) {
		if (modes)
			len += sysfs_emit_at(buf, len, "%s%s", i ? "," : "",
					     sva_sim_mode_names[sd->cfg.mode[i]]);
		else
			len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "",
					     sd->cfg.size[i]);
	}
	mutex_unlock(&sd->lock);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

/*
 * Parse "v0,v1,..." (1 to SVA_SIM_MAX_QUEUES values); one value sets every
 * queue. Nothing changes on error.
 */
static ssize_t sva_sim_store_list(struct sva_sim_dev *sd, const char *buf,
				  size_t count, bool modes)
{
	u32 vals[SVA_SIM_MAX_QUEUES];
	char *copy, *p, *tok;
	unsigned int n = 0, i;
	int ret = 0;

	copy = kstrndup(buf, count, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	p = strim(copy);
	while ((tok = strsep(&p, ",")) != NULL) {
		tok = strim(tok);
		if (n == SVA_SIM_MAX_QUEUES) {
			ret = -EINVAL;
			break;
		}
		if (modes) {
			ret = sysfs_match_string(sva_sim_mode_names, tok);
			if (ret < 0)
				break;
			vals[n++] = ret;
			ret = 0;
		} else {
			ret = kstrtou32(tok, 0, &vals[n]);
			if (ret)
				break;
			if (!vals[n] || vals[n] > SVA_SIM_MAX_QUEUE_SIZE) {
				ret = -EINVAL;
				break;
			}
			n++;
		}
	}
	kfree(copy);
	if (ret)
		return ret;
	if (!n)
		return -EINVAL;

	mutex_lock(&sd->lock);
	if (sd->opened) {
		ret = -EBUSY;
	} else {
		for (i = 0; i < (n == 1 ? SVA_SIM_MAX_QUEUES : n); i++) {
			if (modes)
				sd->cfg.mode[i] = vals[n == 1 ? 0 : i];
			else
				sd->cfg.size[i] = vals[n == 1 ? 0 : i];
		}
	}
	mutex_unlock(&sd->lock);
	return ret ? ret : count;
}

static ssize_t queue_sizes_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sva_sim_show_list(dev_to_sd(dev), buf, false);
}

static ssize_t queue_sizes_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	return sva_sim_store_list(dev_to_sd(dev), buf, count, false);
}
static DEVICE_ATTR_RW(queue_sizes);

static ssize_t queue_modes_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sva_sim_show_list(dev_to_sd(dev), buf, true);
}

static ssize_t queue_modes_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	return sva_sim_store_list(dev_to_sd(dev), buf, count, true);
}
static DEVICE_ATTR_RW(queue_modes);

static struct attribute *sva_sim_dev_attrs[] = {
	&dev_attr_nr_queues.attr,
	&dev_attr_queue_sizes.attr,
	&dev_attr_queue_modes.attr,
	NULL,
};

static const struct attribute_group sva_sim_dev_group = {
	.attrs = sva_sim_dev_attrs,
};

static const struct attribute_group *sva_sim_dev_groups[] = {
	&sva_sim_dev_group,
	NULL,
};

static int sva_sim_probe(struct mdev_device *mdev)
{
	struct sva_sim_dev *sd;
	int ret;

	sd = vfio_alloc_device(sva_sim_dev, vdev, &mdev->dev,
			       &sva_sim_vfio_ops);
	if (IS_ERR(sd))
		return PTR_ERR(sd);
	dev_set_drvdata(&mdev->dev, sd);
	ret = vfio_register_emulated_iommu_dev(&sd->vdev);
	if (ret)
		vfio_put_device(&sd->vdev);
	return ret;
}

static void sva_sim_remove(struct mdev_device *mdev)
{
	struct sva_sim_dev *sd = dev_get_drvdata(&mdev->dev);

	/* waits for the fd's close, asking with sva_sim_request() */
	vfio_unregister_group_dev(&sd->vdev);
	vfio_put_device(&sd->vdev);
}

static ssize_t sva_sim_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "simulated SVA accelerator, %u work queues at most\n",
			  SVA_SIM_MAX_QUEUES);
}

static struct mdev_driver sva_sim_driver = {
	.device_api = SVA_SIM_DEVICE_API,
	.max_instances = 16,
	.show_description = sva_sim_show_description,
	.driver = {
		.name = "sva_sim",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = sva_sim_dev_groups,
	},
	.probe = sva_sim_probe,
	.remove = sva_sim_remove,
};

static const struct class sva_sim_class = {
	.name = SVA_SIM_CLASS,
};

static struct mdev_type sva_sim_type = {
	.sysfs_name = SVA_SIM_MDEV_TYPE,
	.pretty_name = "sva_sim accelerator",
};

static struct mdev_type *sva_sim_types[] = { &sva_sim_type };

static struct {
	struct device dev;
	struct mdev_parent parent;
} sva_sim_parent;

static void sva_sim_parent_release(struct device *dev)
{
}

static int __init sva_sim_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct sva_sim_desc) != 64);
	BUILD_BUG_ON(sizeof(struct sva_sim_completion) != 32);
	BUILD_BUG_ON(sizeof(struct sva_sim_portal) != SVA_SIM_PORTAL_SIZE);

	sva_sim_wq = alloc_workqueue("sva_sim", WQ_UNBOUND, 0);
	if (!sva_sim_wq)
		return -ENOMEM;
	ret = mdev_register_driver(&sva_sim_driver);
	if (ret)
		goto err_wq;
	ret = class_register(&sva_sim_class);
	if (ret)
		goto err_driver;
	device_initialize(&sva_sim_parent.dev);
	sva_sim_parent.dev.class = &sva_sim_class;
	sva_sim_parent.dev.release = sva_sim_parent_release;
	ret = dev_set_name(&sva_sim_parent.dev, SVA_SIM_PARENT);
	if (ret)
		goto err_put;
	ret = device_add(&sva_sim_parent.dev);
	if (ret)
		goto err_put;
	ret = mdev_register_parent(&sva_sim_parent.parent, &sva_sim_parent.dev,
				   &sva_sim_driver, sva_sim_types,
				   ARRAY_SIZE(sva_sim_types));
	if (ret)
		goto err_del;
	return 0;

err_del:
	device_del(&sva_sim_parent.dev);
err_put:
	put_device(&sva_sim_parent.dev);
	class_unregister(&sva_sim_class);
err_driver:
	mdev_unregister_driver(&sva_sim_driver);
err_wq:
	destroy_workqueue(sva_sim_wq);
	return ret;
}

static void __exit sva_sim_exit(void)
{
	mdev_unregister_parent(&sva_sim_parent.parent);
	device_unregister(&sva_sim_parent.dev);
	class_unregister(&sva_sim_class);
	mdev_unregister_driver(&sva_sim_driver);
	destroy_workqueue(sva_sim_wq);
}

module_init(sva_sim_init);
module_exit(sva_sim_exit);
MODULE_IMPORT_NS(VFIO_NESTED_NS);
MODULE_IMPORT_NS(KVM_PASID_NS);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("Simulated SVA accelerator: dedicated and shared work queues through the nested VFIO IOMMU");
