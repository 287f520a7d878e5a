#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvm_viommu example (busybox sh, inside the VM): flow 4, a guest's AMD
# IOMMU driver served without the VMM. The admin gives the VMM a
# PASID-capable device. No product device model does DMA by PASID through
# the nested backend here, so, as the vfio_iommu_nested example does, the
# admin loads the test device vfio_nested_testdev as the stand-in and
# allows the backend's test-only DMA ioctl; both are said on the way and
# undone at the end. The example VMM (samples/viommu) then creates a
# vIOMMU, lets the guest's command ring be consumed by the kernel and
# shows a device fault landing in the guest's event log.
# Exits non-zero on any failure.
set -e
UUID=6e657374-6564-4000-8000-0000000000ed
TYPE=vfio_nested_testdev-vnt
PARENT=/sys/class/mdev_bus/vnt0
PARAM=/sys/module/vfio_iommu_nested/parameters/allow_test_dma

step() { echo "[admin] $*"; }

echo "== pvm_viommu: a guest IOMMU whose command ring and event log the kernel serves (flow 4)"
modprobe pvm_ioasid
modprobe vfio_iommu_nested
modprobe pvm_viommu
step "modules: $(for m in pvm_ioasid vfio_iommu_nested pvm_viommu vfio mdev; do
	grep -q "^$m " /proc/modules && printf '%s ' $m; done)loaded; /dev/pvm_viommu is there: $(test -c /dev/pvm_viommu && echo yes || echo no)"

step "no product device does DMA by PASID here: loading the TEST device"
step "  vfio_nested_testdev as the PASID-capable device, and allowing its test-only DMA"
modprobe vfio_nested_testdev
old_allow=$(cat $PARAM)
echo 1 > $PARAM
step "  allow_test_dma: $old_allow -> $(cat $PARAM)"
echo $UUID > $PARENT/mdev_supported_types/$TYPE/create
step "mdev $UUID of type $TYPE created, IOMMU group" \
	"$(basename "$(readlink /sys/bus/mdev/devices/$UUID/iommu_group)")"

rc=0
/samples/viommu/viommu_vmm $UUID || rc=$?

echo 1 > /sys/bus/mdev/devices/$UUID/remove
echo "$old_allow" > $PARAM
rmmod vfio_nested_testdev
step "mdev removed, allow_test_dma back to $(cat $PARAM), vfio_nested_testdev unloaded"
exit $rc
