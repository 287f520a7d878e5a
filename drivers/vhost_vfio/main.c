// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: a vDPA bus driver that makes each vDPA device an mdev parent;
 * each mdev instance is a VFIO device on whose fd the VMM speaks vhost.
 *
 * Bind a vDPA device with driver_override:
 *   echo vhost_vfio > /sys/bus/vdpa/devices/vdpa0/driver_override
 *   echo vdpa0 > /sys/bus/vdpa/drivers/vhost_vdpa/unbind
 *   echo vdpa0 > /sys/bus/vdpa/drivers/vhost_vfio/bind
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <uapi/linux/virtio_config.h>
#include "vhost_vfio_private.h"

static struct mdev_driver vv_mdev_driver;

static ssize_t feature_mask_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vv_dev *vv = dev_get_drvdata(dev);
	u64 mask;

	mutex_lock(&vv->lock);
	mask = vv->feature_mask;
	mutex_unlock(&vv->lock);
	return sysfs_emit(buf, "0x%016llx\n", mask);
}

static ssize_t feature_mask_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct vv_dev *vv = dev_get_drvdata(dev);
	u64 mask;
	int ret;

	ret = kstrtou64(buf, 0, &mask);
	if (ret)
		return ret;
	ret = vhost_vfio_check_mask(vv->vdpa->config->get_device_features(vv->vdpa),
				    mask);
	if (ret)
		return ret;
	mutex_lock(&vv->lock);
	if (vv->opened)
		ret = -EBUSY;
	else
		vv->feature_mask = mask;
	mutex_unlock(&vv->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(feature_mask);

static ssize_t device_features_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct vv_dev *vv = dev_get_drvdata(dev);

	return sysfs_emit(buf, "0x%016llx\n",
			  vv->vdpa->config->get_device_features(vv->vdpa));
}
static DEVICE_ATTR_RO(device_features);

static struct attribute *vv_mdev_attrs[] = {
	&dev_attr_feature_mask.attr,
	&dev_attr_device_features.attr,
	NULL,
};

static const struct attribute_group vv_mdev_group = {
	.name = "vhost_vfio",
	.attrs = vv_mdev_attrs,
};

static const struct attribute_group *vv_mdev_groups[] = {
	&vv_mdev_group,
	NULL,
};

static struct vv_parent *vv_type_parent(struct mdev_type *mtype)
{
	struct vv_parent *p = dev_get_drvdata(mtype->parent->dev);

	return p;
}

static bool vv_type_is_pci(struct mdev_type *mtype)
{
	return mtype == &vv_type_parent(mtype)->types[VV_TYPE_PCI];
}

static int vv_mdev_probe(struct mdev_device *mdev)
{
	struct vv_parent *p = vv_type_parent(mdev->type);
	bool pci = vv_type_is_pci(mdev->type);
	struct vdpa_device *vdpa = p->vdpa;
	struct vv_dev *vv;
	u32 i;
	int ret;

	vv = vfio_alloc_device(vv_dev, vdev, &mdev->dev,
			       pci ? &vv_pci_ops : &vv_vfio_ops);
	if (IS_ERR(vv))
		return PTR_ERR(vv);
	mutex_init(&vv->lock);
	spin_lock_init(&vv->irq_lock);
	vv->parent = p;
	vv->vdpa = vdpa;
	vv->feature_mask = U64_MAX;
	vv->nvqs = vdpa->nvqs;
	vv->vqs = kcalloc(vv->nvqs, sizeof(*vv->vqs), GFP_KERNEL);
	if (!vv->vqs) {
		ret = -ENOMEM;
		goto err_put;
	}
	for (i = 0; i < vv->nvqs; i++) {
		vv->vqs[i].vv = vv;
		vv->vqs[i].idx = i;
	}
	dev_set_drvdata(&mdev->dev, vv);
	if (pci) {
		/* registers the map client, before the VFIO device exists */
		ret = vv_pci_probe(vv);
		if (ret)
			goto err_put;
	}
	ret = vfio_register_emulated_iommu_dev(&vv->vdev);
	if (ret)
		goto err_put;
	return 0;

err_put:
	/* vv_release() frees what was allocated, and unregisters */
	vfio_put_device(&vv->vdev);
	return ret;
}

static void vv_mdev_remove(struct mdev_device *mdev)
{
	struct vv_dev *vv = dev_get_drvdata(&mdev->dev);

	/* Waits for the user to close, calling vv_request() meanwhile. */
	vfio_unregister_group_dev(&vv->vdev);
	vv_pci_remove(vv);
	vfio_put_device(&vv->vdev);
}

/* The type's "description" in sysfs, shown by "mdevctl types". */
static ssize_t vv_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	struct vv_parent *p = vv_type_parent(mtype);

	return sysfs_emit(buf,
			  "%s for vDPA device %s (virtio device id %u, %u virtqueues)\n",
			  vv_type_is_pci(mtype) ?
			  "virtio 1.x PCI device (vfio-pci API)" :
			  "vhost protocol on a VFIO device fd",
			  dev_name(&p->vdpa->dev),
			  p->vdpa->config->get_device_id(p->vdpa),
			  p->vdpa->nvqs);
}

static struct mdev_driver vv_mdev_driver = {
	/* one mdev driver, so one device_api for both types */
	.device_api = "vhost-vfio",
	/* counted per parent across the types: one personality at a time */
	.max_instances = 1,
	.show_description = vv_mdev_show_description,
	.driver = {
		.name = "vhost_vfio_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = vv_mdev_groups,
	},
	.probe = vv_mdev_probe,
	.remove = vv_mdev_remove,
};

static int vv_vdpa_probe(struct vdpa_device *vdpa)
{
	const struct vdpa_config_ops *ops = vdpa->config;
	struct vv_parent *p;
	int ret;

	/* The same minimum vhost-vdpa needs: per-queue state and a map op. */
	if (!ops->get_vq_state || !ops->set_vq_state || !ops->get_config_size ||
	    !ops->set_vq_cb || !(ops->set_map || ops->dma_map))
		return -EOPNOTSUPP;
	if (ops->dma_map && !ops->dma_unmap)
		return -EOPNOTSUPP;
	if (vdpa->use_va && !ops->bind_mm)
		return -EOPNOTSUPP;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->vdpa = vdpa;
	p->types[VV_TYPE_VHOST].sysfs_name = VHOST_VFIO_MDEV_TYPE;
	p->types[VV_TYPE_VHOST].pretty_name = "vhost protocol on a VFIO device";
	p->types[VV_TYPE_PCI].sysfs_name = VHOST_VFIO_MDEV_TYPE_PCI;
	p->types[VV_TYPE_PCI].pretty_name = "virtio PCI device (vfio-pci)";
	p->type_list[VV_TYPE_VHOST] = &p->types[VV_TYPE_VHOST];
	p->type_list[VV_TYPE_PCI] = &p->types[VV_TYPE_PCI];
	dev_set_drvdata(&vdpa->dev, p);
	ret = mdev_register_parent(&p->mparent, &vdpa->dev, &vv_mdev_driver,
				   p->type_list, VV_NUM_TYPES);
	if (ret) {
		dev_set_drvdata(&vdpa->dev, NULL);
		kfree(p);
	}
	return ret;
}

static void vv_vdpa_remove(struct vdpa_device *vdpa)
{
	struct vv_parent *p = dev_get_drvdata(&vdpa->dev);

	/* Removes every instance, each waiting for its user to close. */
	mdev_unregister_parent(&p->mparent);
	dev_set_drvdata(&vdpa->dev, NULL);
	kfree(p);
}

static struct vdpa_driver vv_vdpa_driver = {
	.driver = {
		.name = "vhost_vfio",
	},
	.probe = vv_vdpa_probe,
	.remove = vv_vdpa_remove,
};

static int __init vv_init(void)
{
	int ret;

	ret = mdev_register_driver(&vv_mdev_driver);
	if (ret)
		return ret;
	ret = vdpa_register_driver(&vv_vdpa_driver);
	if (ret)
		mdev_unregister_driver(&vv_mdev_driver);
	return ret;
}

static void __exit vv_exit(void)
{
	vdpa_unregister_driver(&vv_vdpa_driver);
	mdev_unregister_driver(&vv_mdev_driver);
}

module_init(vv_init);
module_exit(vv_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("vhost protocol on VFIO mdev devices for any vDPA device");
