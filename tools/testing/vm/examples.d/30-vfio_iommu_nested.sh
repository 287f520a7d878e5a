#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vfio_iommu_nested example (busybox sh, inside the VM): flow 1, shared
# virtual addressing for a guest. The admin gives the VMM two devices: a
# passthrough PCI device (QEMU's edu behind the emulated VT-d, bound to
# vfio-pci) and a PASID-capable device. No product device model does DMA
# by PASID through this backend yet (the simulated accelerator sva_sim is
# the next module), so the admin loads the test device vfio_nested_testdev
# as the stand-in and allows the backend's test-only DMA ioctl, which that
# device's DMA goes through; both are said on the way and undone at the end.
# The example VMM (samples/vfio_iommu_nested) then runs flow 1 step by step.
# Exits non-zero on any failure.
set -e
UUID=6e657374-6564-4000-8000-0000000000ee
TYPE=vfio_nested_testdev-vnt
PARENT=/sys/class/mdev_bus/vnt0
PARAM=/sys/module/vfio_iommu_nested/parameters/allow_test_dma

step() { echo "[admin] $*"; }

echo "== vfio_iommu_nested: a VMM giving its guest shared virtual addressing (flow 1)"
modprobe pvm_ioasid
modprobe vfio_iommu_nested
# vfio-pci is a module on distribution kernels
modprobe vfio_pci 2>/dev/null || true
step "modules: $(for m in pvm_ioasid vfio_iommu_nested vfio vfio_pci mdev; do
	grep -q "^$m " /proc/modules && printf '%s ' $m; done)loaded"

# the passthrough device: edu, bound to vfio-pci
EDU=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		EDU=$(basename "$d")
	fi
done
[ -n "$EDU" ] || { step "no edu device in this VM"; exit 1; }
if [ "$(basename "$(readlink /sys/bus/pci/devices/$EDU/driver 2>/dev/null)")" != vfio-pci ]; then
	echo vfio-pci > /sys/bus/pci/devices/$EDU/driver_override
	[ ! -e /sys/bus/pci/devices/$EDU/driver ] ||
		echo "$EDU" > /sys/bus/pci/devices/$EDU/driver/unbind
	echo "$EDU" > /sys/bus/pci/drivers_probe
fi
step "PCI device $EDU (QEMU edu) bound to vfio-pci, IOMMU group" \
	"$(basename "$(readlink /sys/bus/pci/devices/$EDU/iommu_group)"), behind $(ls /sys/class/iommu)"

# the PASID device: the test device, loaded explicitly as a stand-in
step "no product device does DMA by PASID yet (sva_sim is next): loading the TEST device"
step "  vfio_nested_testdev as the PASID-capable device, and allowing its test-only DMA"
modprobe vfio_nested_testdev
old_allow=$(cat $PARAM)
echo 1 > $PARAM
step "  allow_test_dma: $old_allow -> $(cat $PARAM)"
echo $UUID > $PARENT/mdev_supported_types/$TYPE/create
step "mdev $UUID of type $TYPE created, IOMMU group" \
	"$(basename "$(readlink /sys/bus/mdev/devices/$UUID/iommu_group)")"

rc=0
/samples/vfio_iommu_nested/nested_vmm --edu $UUID || rc=$?

echo 1 > /sys/bus/mdev/devices/$UUID/remove
echo "$old_allow" > $PARAM
rmmod vfio_nested_testdev
step "mdev removed, allow_test_dma back to $(cat $PARAM), vfio_nested_testdev unloaded"
exit $rc
