#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vhost_vfio example: bind a vdpa_sim_net device to vhost_vfio, create an
# mdev instance through sysfs, move frames through it with the example VMM,
# then remove everything. Exits non-zero on any failure.
set -e
DEV=vvex0
UUID=5d7c3a1e-20f1-4b0e-9c55-0000000000ee
TYPE=/sys/bus/vdpa/devices/$DEV/mdev_supported_types/vhost_vfio-vhost-vfio

modprobe mdev 2>/dev/null || true
# the container needs a type1 backend (a module on distribution kernels)
modprobe vfio_iommu_type1 2>/dev/null || true
modprobe vhost_vfio
modprobe vdpa_sim_net 2>/dev/null || true

vdpa dev add mgmtdev vdpasim_net name $DEV mac 52:54:00:12:34:56
# vhost_vdpa (or nothing) may have taken it: move it to vhost_vfio
echo vhost_vfio > /sys/bus/vdpa/devices/$DEV/driver_override
if [ -e /sys/bus/vdpa/devices/$DEV/driver ]; then
	echo $DEV > /sys/bus/vdpa/devices/$DEV/driver/unbind
fi
echo $DEV > /sys/bus/vdpa/drivers/vhost_vfio/bind
echo "mdev type: $(cat $TYPE/name 2>/dev/null || echo vhost-vfio)," \
	"available instances: $(cat $TYPE/available_instances)"
echo $UUID > $TYPE/create

rc=0
/samples/vhost_vfio/vhost_vfio_example $UUID 1024 || rc=$?

echo 1 > /sys/bus/mdev/devices/$UUID/remove
vdpa dev del $DEV
[ $rc -eq 0 ] && echo "vhost_vfio example: OK"
exit $rc
