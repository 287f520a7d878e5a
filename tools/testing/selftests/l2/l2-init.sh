#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the L2 guest (busybox sh on the stock Debian 6.12 kernel). It
# loads the image's own virtio_net and virtio_blk (virtio_pci is built in),
# checks that both bind to the virtio PCI devices QEMU gives it, moves frames
# and blocks through them, prints one line per check on the serial console
#   l2-result: ok|fail <check> <detail>
# then "l2-result: done" and powers off. The L1 script (l2_test) turns the
# lines into TAP. The devices may be QEMU's own (the control) or vhost_vfio
# mdevs through vfio-pci: the checks are the same, since a network device
# looping its TX back to RX (vdpa_sim_net, or QEMU's socket netdev sending
# to itself) and a block device storing blocks are what both provide.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

res() { echo "l2-result: $*"; }
echo "l2-result: start uptime $(cut -d' ' -f1 /proc/uptime) s"

# wait_for N CMD...: up to N tenths of a second for CMD to succeed
wait_for() {
	local n=$1
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# --- network: bind, link up, frames looped back and counted ----------------
modprobe virtio_net || res "fail modprobe_virtio_net"
bound() { ls -d /sys/bus/virtio/drivers/"$1"/virtio* >/dev/null; }
if wait_for 50 bound virtio_net; then
	VDEV=$(basename "$(ls -d /sys/bus/virtio/drivers/virtio_net/virtio* | head -1)")
	PDEV=$(basename "$(readlink -f /sys/bus/virtio/devices/$VDEV/..)")
	res "ok net_bound virtio_net bound $VDEV on PCI $PDEV" \
		"($(cat /sys/bus/pci/devices/$PDEV/vendor):$(cat /sys/bus/pci/devices/$PDEV/device))"
	IF=$(ls /sys/bus/virtio/devices/$VDEV/net/ 2>/dev/null | head -1)
else
	res "fail net_bound no device bound to virtio_net"
	IF=
fi
if [ -n "$IF" ]; then
	S=/sys/class/net/$IF/statistics
	# only our frames: no IPv6 autoconfiguration or neighbour discovery
	echo 1 >/proc/sys/net/ipv6/conf/$IF/disable_ipv6 2>/dev/null
	ip link set "$IF" up
	ip addr add 10.0.0.1/24 dev "$IF"
	oper() { [ "$(cat /sys/class/net/$IF/operstate)" = up ]; }
	if wait_for 50 oper; then
		res "ok net_up $IF is up, carrier $(cat /sys/class/net/$IF/carrier)"
	else
		res "fail net_up $IF operstate $(cat /sys/class/net/$IF/operstate)"
	fi
	# Frames to our own MAC: the loopback hands them back (vdpa_sim_net
	# takes only those and broadcast/multicast), the stack drops them as
	# not for a local address, and the driver counts them first.
	MAC=$(cat /sys/class/net/$IF/address)
	arp -i "$IF" -s 10.0.0.2 "$MAC"
	N=16 SIZE=1000
	tx0=$(cat $S/tx_packets) rx0=$(cat $S/rx_packets) rb0=$(cat $S/rx_bytes)
	ping -q -c $N -i 0.05 -s $SIZE -p a5 -W 1 10.0.0.2 >/dev/null 2>&1
	sleep 0.5
	tx=$(($(cat $S/tx_packets) - tx0)) rx=$(($(cat $S/rx_packets) - rx0))
	rb=$(($(cat $S/rx_bytes) - rb0))
	# an echo request of SIZE bytes is a frame of SIZE + 42 bytes
	if [ $tx -ge $N ] && [ $rx -ge $N ] && [ $rb -ge $((N * (SIZE + 42))) ]; then
		res "ok net_loopback $N frames sent: tx $tx rx $rx packets, rx $rb bytes"
	else
		res "fail net_loopback $N frames sent: tx $tx rx $rx packets, rx $rb bytes" \
			"(want >= $N and >= $((N * (SIZE + 42))) bytes)"
	fi
fi

# --- block: bind, a pattern written reads back ------------------------------
modprobe virtio_blk || res "fail modprobe_virtio_blk"
if wait_for 50 bound virtio_blk && wait_for 50 [ -b /dev/vda ]; then
	VDEV=$(basename "$(ls -d /sys/bus/virtio/drivers/virtio_blk/virtio* | head -1)")
	PDEV=$(basename "$(readlink -f /sys/bus/virtio/devices/$VDEV/..)")
	res "ok blk_bound virtio_blk bound $VDEV on PCI $PDEV" \
		"($(cat /sys/bus/pci/devices/$PDEV/vendor):$(cat /sys/bus/pci/devices/$PDEV/device))," \
		"vda $(($(cat /sys/block/vda/size) / 2048)) MiB"
	# 256 KiB of random bytes at 1 MiB, written and read back with
	# O_DIRECT (no page cache between us and the device)
	dd if=/dev/urandom of=/tmp/pat bs=4096 count=64 2>/dev/null
	if dd if=/tmp/pat of=/dev/vda bs=4096 seek=256 oflag=direct conv=notrunc,fsync 2>/dev/null &&
	   dd if=/dev/vda of=/tmp/back bs=4096 skip=256 count=64 iflag=direct 2>/dev/null &&
	   cmp -s /tmp/pat /tmp/back; then
		res "ok blk_pattern 256 KiB written at 1 MiB read back equal ($(md5sum </tmp/pat | cut -c1-12))"
	else
		res "fail blk_pattern 256 KiB written at 1 MiB did not read back equal"
	fi
else
	res "fail blk_bound no /dev/vda bound to virtio_blk"
fi

echo "l2-result: done uptime $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
