#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sva_sim example (busybox sh, inside the VM): a guest's accelerator with
# shared virtual addressing and ENQCMD-style submission, flows 1 and 2
# together. The admin creates an instance of the simulated SVA accelerator
# sva_sim with mdevctl (or sysfs), a dedicated and a shared work queue;
# the example VMM (samples/sva_sim) gives it to a KVM VM, binds the guest's
# PASID and page table, attaches the VM on /dev/kvm_pasid, and a
# guest-style submission carrying the guest PASID is translated and moves
# the bytes. Exits non-zero on any failure.
set -e
UUID=73766173-696d-4000-8000-0000000000ee
PARENT=sva_sim
TYPE=sva_sim-accel
TDIR=/sys/class/mdev_bus/$PARENT/mdev_supported_types/$TYPE

step() { echo "[admin] $*"; }

echo "== sva_sim: a guest's SVA accelerator, its PASID translated (flows 1 and 2)"
modprobe pvm_ioasid
modprobe vfio_iommu_nested
modprobe kvm_pasid
modprobe sva_sim
# KVM: built in on the test kernel, kvm_amd (or kvm_intel) on a stock one
[ -c /dev/kvm ] || modprobe kvm_amd 2>/dev/null || modprobe kvm_intel
step "modules: $(for m in pvm_ioasid vfio_iommu_nested kvm_pasid sva_sim kvm_amd mdev; do
	grep -q "^$m " /proc/modules && printf '%s ' $m; done)loaded"
step "mdev parent $PARENT, type $TYPE: $(cat $TDIR/description)"

if command -v mdevctl >/dev/null; then
	mdevctl define -u $UUID -p $PARENT -t $TYPE
	mdevctl modify -u $UUID --addattr=nr_queues --value=2
	mdevctl modify -u $UUID --addattr=queue_modes --value=dedicated,shared
	mdevctl modify -u $UUID --addattr=queue_sizes --value=16,64
	step "mdevctl define + modify: $UUID with 2 queues (dedicated 16, shared 64)"
	mdevctl start -u $UUID
	step "mdevctl start: created and configured"
else
	step "no mdevctl: creating the instance through sysfs"
	echo $UUID >$TDIR/create
	echo 2 >/sys/bus/mdev/devices/$UUID/nr_queues
	echo dedicated,shared >/sys/bus/mdev/devices/$UUID/queue_modes
	echo 16,64 >/sys/bus/mdev/devices/$UUID/queue_sizes
fi
[ -e /sys/bus/mdev/devices/$UUID ]
step "instance $UUID: IOMMU group $(basename "$(readlink /sys/bus/mdev/devices/$UUID/iommu_group)")," \
	"queues $(cat /sys/bus/mdev/devices/$UUID/queue_modes), sizes $(cat /sys/bus/mdev/devices/$UUID/queue_sizes)"

rc=0
/samples/sva_sim/sva_sim_example $UUID || rc=$?

if command -v mdevctl >/dev/null; then
	mdevctl stop -u $UUID
	mdevctl undefine -u $UUID
	step "mdevctl stop + undefine: instance removed"
else
	echo 1 >/sys/bus/mdev/devices/$UUID/remove
	step "instance removed through sysfs"
fi
[ ! -e /sys/bus/mdev/devices/$UUID ]
exit $rc
