#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job's end-to-end example (busybox sh, inside the VM): an
# unmodified QEMU (Debian's qemu-system-x86 7.2, run from the host root the
# VM sees at /host) gives an unmodified guest (Debian's packaged 6.12 kernel
# and its own virtio modules) a vDPA network device and a vDPA block device
# through plain "-device vfio-pci,sysfsdev=...": vhost_vfio's virtio-pci
# personality. The guest (tools/testing/selftests/l2/l2-init.sh) binds
# virtio_net and virtio_blk, pings through the network device (vdpa_sim_net
# loops the frames back) and writes and reads back a block pattern; its
# console is shown. Exits non-zero on any failure.
set -e
H=/host
TYPE=vhost_vfio-virtio_pci
NET=vpnet0 BLK=vpblk0
U_NET=7b1c2e30-5a4d-4e2f-8a61-0000000000a1
U_BLK=7b1c2e30-5a4d-4e2f-8a61-0000000000b1
ABI=$(cat /selftests/l2/l2-kernel)
LIBS=$H/usr/lib/x86_64-linux-gnu

step() { echo "[admin] $*"; }

echo "== vhost_vfio virtio-pci: an unmodified QEMU and guest using vDPA devices through vfio-pci"
modprobe mdev 2>/dev/null || true
modprobe vhost_vfio
# the container: QEMU asks for VFIO_TYPE1v2_IOMMU; the nested backend
# serves it for our devices (and leaves every other group to type1)
modprobe vfio_iommu_nested
modprobe vfio_iommu_type1 2>/dev/null || true
modprobe vdpa_sim_net 2>/dev/null || true
modprobe vdpa_sim_blk 2>/dev/null || true
[ -c /dev/kvm ] || modprobe kvm_amd
step "modules: $(for m in vhost_vfio vfio_iommu_nested mdev vdpa_sim_net vdpa_sim_blk kvm_amd; do
	grep -q "^$m " /proc/modules && printf '%s ' $m; done)loaded; /dev/kvm present"

# a vDPA device of each class, moved to vhost_vfio, an instance of the
# virtio-pci personality on each (mdevctl, as an admin would)
newdev() { # NAME UUID MGMTDEV [vdpa args]
	local dev=$1 uuid=$2 mgmt=$3
	shift 3
	vdpa dev add mgmtdev "$mgmt" name "$dev" "$@"
	echo vhost_vfio >/sys/bus/vdpa/devices/$dev/driver_override
	[ ! -e /sys/bus/vdpa/devices/$dev/driver ] ||
		echo "$dev" >/sys/bus/vdpa/devices/$dev/driver/unbind
	echo "$dev" >/sys/bus/vdpa/drivers/vhost_vfio/bind
	if command -v mdevctl >/dev/null; then
		mdevctl define -u "$uuid" -p "$dev" -t $TYPE
		mdevctl start -u "$uuid"
	else
		echo "$uuid" >/sys/bus/vdpa/devices/$dev/mdev_supported_types/$TYPE/create
	fi
	step "$dev ($mgmt): instance $uuid of $TYPE, IOMMU group" \
		"$(basename "$(readlink /sys/bus/mdev/devices/$uuid/iommu_group)")"
}
newdev $NET $U_NET vdpasim_net mac 52:54:00:12:34:a1
newdev $BLK $U_BLK vdpasim_blk

# the VMM: Debian's QEMU, unmodified; run through /host's dynamic loader
# since its libraries live there. The devices are plain vfio-pci.
set -- -machine pc,accel=kvm -cpu host -m 256M -nodefaults -display none -no-reboot \
	-L $H/usr/share/qemu -L $H/usr/share/seabios \
	-kernel $H/boot/vmlinuz-$ABI -initrd /selftests/l2/l2-initramfs.cpio.gz \
	-append "console=ttyS0 quiet panic=-1 no5lvl pci=noearly no_timer_check" \
	-serial file:/tmp/guest.log \
	-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$U_NET \
	-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$U_BLK
step "qemu-system-x86_64 $*"
: >/tmp/guest.log
$LIBS/ld-linux-x86-64.so.2 --library-path $LIBS $H/usr/bin/qemu-system-x86_64 "$@" </dev/null &
qpid=$!
# the guest reports, then powers off; QEMU is stopped 5 s after the report
# (or after 300 s) if it is still there
n=0
while kill -0 $qpid 2>/dev/null && [ $n -lt 600 ]; do
	grep -q '^l2-result: done' /tmp/guest.log && sleep 5 && break
	sleep 0.5
	n=$((n + 1))
done
kill -9 $qpid 2>/dev/null || true
wait $qpid || true
step "QEMU ran for about $((n / 2)) s; the guest's console ($ABI):"
rc=0
tr -d '\r' </tmp/guest.log | sed 's/^/[guest] /'
grep -q '^l2-result: done' /tmp/guest.log || rc=1
! grep -q '^l2-result: fail' /tmp/guest.log || rc=1

for u in $U_NET $U_BLK; do
	if command -v mdevctl >/dev/null; then
		mdevctl stop -u $u
		mdevctl undefine -u $u
	else
		echo 1 >/sys/bus/mdev/devices/$u/remove
	fi
done
vdpa dev del $NET
vdpa dev del $BLK
step "instances removed, vDPA devices deleted"
[ $rc -eq 0 ] && echo "vhost_vfio virtio-pci example: OK"
exit $rc
