#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vhost_vfio example (busybox sh, inside the VM): the admin turns a vDPA
# network device into a VFIO mdev with mdevctl (defined, given a feature
# mask, started), the example VMM (samples/vhost_vfio) drives it, then the
# admin removes it all. Exits non-zero on any failure.
set -e
DEV=vvex0
UUID=5d7c3a1e-20f1-4b0e-9c55-0000000000ee
TYPE=vhost_vfio-vhost-vfio
TDIR=/sys/bus/vdpa/devices/$DEV/mdev_supported_types/$TYPE
# the guest gets no control queue: hide CTRL_VQ (17) and CTRL_MAC_ADDR (23)
MASK=0xffffffffff7dffff

step() { echo "[admin] $*"; }

echo "== vhost_vfio: a VMM giving its guest a vDPA network device through VFIO"
modprobe mdev 2>/dev/null || true
# the container needs a type1 backend (a module on distribution kernels)
modprobe vfio_iommu_type1 2>/dev/null || true
modprobe vhost_vfio
modprobe vdpa_sim_net 2>/dev/null || true
step "modules: $(for m in vhost_vfio mdev vfio_iommu_type1 vdpa_sim_net; do
	grep -q "^$m " /proc/modules && printf '%s ' $m; done)loaded"

vdpa dev add mgmtdev vdpasim_net name $DEV mac 52:54:00:12:34:56
step "vdpa dev add: $(vdpa dev show $DEV | head -1)"

# vhost_vdpa (or nothing) may have taken it: move it to vhost_vfio
echo vhost_vfio >/sys/bus/vdpa/devices/$DEV/driver_override
if [ -e /sys/bus/vdpa/devices/$DEV/driver ]; then
	echo $DEV >/sys/bus/vdpa/devices/$DEV/driver/unbind
fi
echo $DEV >/sys/bus/vdpa/drivers/vhost_vfio/bind
step "$DEV bound to vhost_vfio: it is an mdev parent with type $TYPE"
step "  description: $(cat $TDIR/description)"
step "  available instances: $(cat $TDIR/available_instances)"

if command -v mdevctl >/dev/null; then
	step "mdevctl types -p $DEV:"
	mdevctl types -p $DEV | sed 's/^/          /'
	mdevctl define -u $UUID -p $DEV -t $TYPE
	mdevctl modify -u $UUID --addattr=vhost_vfio/feature_mask --value=$MASK
	step "mdevctl define + modify: instance $UUID defined, with feature_mask $MASK"
	mdevctl list -d | sed 's/^/          /'
	mdevctl start -u $UUID
	step "mdevctl start: created, feature mask written; mdevctl list:"
	mdevctl list | sed 's/^/          /'
else
	step "no mdevctl: creating the instance through sysfs"
	echo $UUID >$TDIR/create
	echo $MASK >/sys/bus/mdev/devices/$UUID/vhost_vfio/feature_mask
fi
[ -e /sys/bus/mdev/devices/$UUID ]
step "instance $UUID: IOMMU group $(basename "$(readlink /sys/bus/mdev/devices/$UUID/iommu_group)"), " \
	"feature_mask $(cat /sys/bus/mdev/devices/$UUID/vhost_vfio/feature_mask)"
step "  available instances now: $(cat $TDIR/available_instances)"

rc=0
/samples/vhost_vfio/vhost_vfio_example $UUID 1024 $MASK || rc=$?

if command -v mdevctl >/dev/null; then
	mdevctl stop -u $UUID
	mdevctl undefine -u $UUID
	step "mdevctl stop + undefine: instance removed, definition deleted" \
		"($(mdevctl list -d | grep -c $UUID || true) left)"
else
	echo 1 >/sys/bus/mdev/devices/$UUID/remove
	step "instance removed through sysfs"
fi
[ ! -e /sys/bus/mdev/devices/$UUID ]
vdpa dev del $DEV
step "vdpa dev del $DEV: $(vdpa dev show 2>/dev/null | grep -c . || true) vDPA devices left"
[ $rc -eq 0 ] && echo "vhost_vfio example: OK"
exit $rc
