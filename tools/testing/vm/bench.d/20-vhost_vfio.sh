#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vhost_vfio benchmark: the same userspace virtio-net driver on two
# vdpa_sim_net devices of this boot, one through vhost_vfio (VFIO mdev fd),
# one through vhost-vdpa (/dev/vhost-vdpa-N, the baseline); frames per
# second and kick-to-RX-interrupt latency, and their ratios.
set -e
B=/selftests/vhost_vfio/vhost_vfio_bench
SECS=${VV_BENCH_SECS:-1}
ROUNDS=${VV_BENCH_ROUNDS:-10}
UUID=5d7c3a1e-20f1-4b0e-9c55-0000000000bb

modprobe mdev 2>/dev/null || true
# the container needs a type1 backend (a module on distribution kernels)
modprobe vfio_iommu_type1 2>/dev/null || true
modprobe vhost_vfio
modprobe vdpa_sim_net 2>/dev/null || true
modprobe vhost_vdpa 2>/dev/null || true

bind() { # dev driver
	echo "$2" > /sys/bus/vdpa/devices/$1/driver_override
	if [ -e /sys/bus/vdpa/devices/$1/driver ]; then
		echo "$1" > /sys/bus/vdpa/devices/$1/driver/unbind
	fi
	echo "$1" > /sys/bus/vdpa/drivers/$2/bind
}

vdpa dev add mgmtdev vdpasim_net name vvbench_vfio mac 52:54:00:12:34:56
vdpa dev add mgmtdev vdpasim_net name vvbench_vdpa mac 52:54:00:12:34:56
bind vvbench_vfio vhost_vfio
bind vvbench_vdpa vhost_vdpa
echo $UUID > /sys/bus/vdpa/devices/vvbench_vfio/mdev_supported_types/vhost_vfio-vhost-vfio/create

# Interleaved rounds, so that drift inside the boot hits both alike.
: > /tmp/vv_vdpa.txt
: > /tmp/vv_vfio.txt
i=0
while [ $i -lt "$ROUNDS" ]; do
	# alternate which one goes first
	if [ $((i % 2)) -eq 0 ]; then
		$B vdpa vvbench_vdpa "$SECS" >> /tmp/vv_vdpa.txt
		$B vfio $UUID "$SECS" >> /tmp/vv_vfio.txt
	else
		$B vfio $UUID "$SECS" >> /tmp/vv_vfio.txt
		$B vdpa vvbench_vdpa "$SECS" >> /tmp/vv_vdpa.txt
	fi
	i=$((i + 1))
done

# Medians: the host's other load (TCG shares 2 cores with builds) makes
# single rounds noisy; interleaving plus medians keeps the comparison fair.
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rounds() { awk -v k="$1" '$1 == k { printf "%s ", $2 }' "$2"; }
FV=$(median fps /tmp/vv_vfio.txt); FD=$(median fps /tmp/vv_vdpa.txt)
LV=$(median lat_us /tmp/vv_vfio.txt); LD=$(median lat_us /tmp/vv_vdpa.txt)
echo "vhost_vfio: vdpa_sim_net TX->RX loopback, same driver, $ROUNDS interleaved rounds of ${SECS}s, medians"
echo "  fps per round:  vhost_vfio $(rounds fps /tmp/vv_vfio.txt)"
echo "                  vhost-vdpa $(rounds fps /tmp/vv_vdpa.txt)"
echo "  frames/s (32-frame batches)  vhost_vfio $FV   vhost-vdpa $FD"
echo "  kick-to-RX-interrupt (us)    vhost_vfio $LV   vhost-vdpa $LD"
awk -v fv="$FV" -v fd="$FD" -v lv="$LV" -v ld="$LD" 'BEGIN {
	printf "  ratio frames/s vhost_vfio/vhost-vdpa: %.2fx (target >= 1.0x)\n", fv / fd
	printf "  ratio latency vhost-vdpa/vhost_vfio: %.2fx (>= 1.0x: vhost_vfio no slower)\n", ld / lv
}'

echo 1 > /sys/bus/mdev/devices/$UUID/remove
vdpa dev del vvbench_vfio
vdpa dev del vvbench_vdpa
