// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_nested: the registry of map clients, the emulated devices
 * that get the container's stage-2 mappings as their IOTLB (the contract
 * is in include/linux/vfio_iommu_nested.h). The calls to a client's ops are
 * made by stage 2 (s2.c) and the device registration (main.c).
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/vfio.h>
#include <linux/vfio_iommu_nested.h>
#include <linux/xarray.h>
#include "nested_private.h"

/* struct device of a registered VFIO device -> its map-client ops */
static DEFINE_XARRAY(vn_map_clients);

/**
 * vfio_nested_register_map_client() - make a VFIO device a map client
 * @vdev: an emulated-IOMMU VFIO device, initialized (vfio_alloc_device())
 *	and not registered with the VFIO core yet
 * @ops: its callbacks: ->unmap and exactly one of ->map and ->map_va set
 *	(->map_end is optional); must stay valid until
 *	vfio_nested_unregister_map_client()
 *
 * Call it before vfio_register_emulated_iommu_dev(): from then on, each
 * time the device is opened in a container of this backend it gets the
 * container's stage-2 mappings through @ops, and a container serving
 * VFIO_TYPE1v2_IOMMU accepts its group (when every device of the group is
 * a map client).
 *
 * Return: 0; -EINVAL when @vdev, its struct device or ->unmap is missing,
 * or not exactly one of ->map and ->map_va is set; -EBUSY when the device
 * is a map client already; -ENOMEM.
 */
int vfio_nested_register_map_client(struct vfio_device *vdev,
				    const struct vfio_nested_map_client_ops *ops)
{
	if (!vdev || !vdev->dev || !ops || !ops->unmap ||
	    !ops->map == !ops->map_va)
		return -EINVAL;
	/* xa_insert() answers -EBUSY for a key in use */
	return xa_insert(&vn_map_clients, (unsigned long)vdev->dev,
			 (void *)ops, GFP_KERNEL);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_register_map_client, VFIO_NESTED_NS);

/**
 * vfio_nested_unregister_map_client() - end vfio_nested_register_map_client()
 * @vdev: the device, unregistered from the VFIO core already
 *	(vfio_unregister_group_dev() returned, so it is closed and its group
 *	gone)
 *
 * Unregistering a device that is not a map client does nothing.
 */
void vfio_nested_unregister_map_client(struct vfio_device *vdev)
{
	if (!vdev || !vdev->dev)
		return;
	/* the device must be closed: no container calls its ops any more */
	WARN_ON(vn_container_from_device(vdev));
	xa_erase(&vn_map_clients, (unsigned long)vdev->dev);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_unregister_map_client, VFIO_NESTED_NS);

/**
 * vfio_nested_map_client_served() - does a container of ours serve it?
 * @vdev: a map client the caller holds open
 *
 * A map client opened in a container of another backend (vfio_iommu_type1
 * asked first for VFIO_TYPE1v2_IOMMU, or this backend's serve_type1v2 off)
 * never gets a mapping: its driver can refuse to start instead of letting
 * the device fault on every access.
 *
 * Context: any; lockless.
 * Return: true when @vdev is registered with a container of this backend.
 */
bool vfio_nested_map_client_served(struct vfio_device *vdev)
{
	return vdev && vn_container_from_device(vdev);
}
EXPORT_SYMBOL_NS_GPL(vfio_nested_map_client_served, VFIO_NESTED_NS);

/**
 * vn_map_client_ops() - the map-client ops of a device
 * @dev: the struct device of a VFIO device
 *
 * Return: the ops registered for it, or NULL.
 */
const struct vfio_nested_map_client_ops *vn_map_client_ops(struct device *dev)
{
	return xa_load(&vn_map_clients, (unsigned long)dev);
}

static int vn_map_client_dev(struct device *dev, void *data)
{
	unsigned int *n = data;

	if (!vn_map_client_ops(dev))
		return -ENODEV;
	(*n)++;
	return 0;
}

/**
 * vn_map_client_group() - is every device of a group a map client?
 * @group: an IOMMU group
 *
 * Return: true when @group has devices and all of them are map clients.
 */
bool vn_map_client_group(struct iommu_group *group)
{
	unsigned int n = 0;

	if (iommu_group_for_each_dev(group, &n, vn_map_client_dev))
		return false;
	return n > 0;
}
