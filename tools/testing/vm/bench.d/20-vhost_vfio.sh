#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vhost_vfio benchmark: the same userspace virtio-net driver on two
# vdpa_sim_net devices of this boot, one through vhost_vfio (VFIO mdev fd),
# one through vhost-vdpa (/dev/vhost-vdpa-N, the baseline); frames per
# second and kick-to-RX-interrupt latency, and their ratios.  Then the
# virtio-pci personality (a VFIO PCI device, the driver on its registers)
# against the vhost personality: frames/s, latency, kicks/s, ratios.  Fair by
# construction: interleaved rounds, each path on each device for half of
# them, and one CPU placement for both paths, reported per placement
# (VV_BENCH_PLACEMENT="split same" by default; see place() below).
# VV_BENCH_PARTS="vdpa pci" (the default) runs both comparisons; name one
# to run only it. VV_BENCH_CONTROL=1 adds, per round of the virtio-pci
# comparison, the same one-process pair with the vhost personality on both
# devices, opened in the pair's order: the ratio the method gives when the
# paths are the same, and the pair's ratio over it, round by round (what
# the two devices, the CPUs and the order give one role cancels).
set -e
B=/selftests/vhost_vfio/vhost_vfio_bench
SECS=${VV_BENCH_SECS:-1}
ROUNDS=${VV_BENCH_ROUNDS:-10}
UUID=5d7c3a1e-20f1-4b0e-9c55-0000000000bb

modprobe mdev 2>/dev/null || true
# the container needs a type1 backend (a module on distribution kernels)
modprobe vfio_iommu_type1 2>/dev/null || true
# the virtio-pci personality's type1 v2 containers are served by it
modprobe vfio_iommu_nested 2>/dev/null || true
modprobe vhost_vfio
modprobe vdpa_sim_net 2>/dev/null || true
modprobe vhost_vdpa 2>/dev/null || true
# The stock kernel's initramfs carries only what vhost_vfio needs: take the
# baseline's modules from the host's module tree (mounted at /host).
if [ ! -d /sys/bus/vdpa/drivers/vhost_vdpa ]; then
	H=/host/lib/modules/$(uname -r)/kernel
	for m in virt/lib/irqbypass drivers/vhost/vhost drivers/vhost/vhost_vdpa; do
		[ -f "$H/$m.ko.xz" ] || continue
		xzcat "$H/$m.ko.xz" > /tmp/m.ko && insmod /tmp/m.ko 2>/dev/null || true
	done
	rm -f /tmp/m.ko
fi

bind() { # dev driver
	echo "$2" > /sys/bus/vdpa/devices/$1/driver_override
	if [ -e /sys/bus/vdpa/devices/$1/driver ]; then
		echo "$1" > /sys/bus/vdpa/devices/$1/driver/unbind
	fi
	echo "$1" > /sys/bus/vdpa/drivers/$2/bind
}

# Two simulator devices; each path uses each device for half of the rounds
# (the bindings swap every round), so neither path keeps the device created
# first, its worker thread or anything else tied to one binding, to itself.
vdpa dev add mgmtdev vdpasim_net name vvbench0 mac 52:54:00:12:34:56
vdpa dev add mgmtdev vdpasim_net name vvbench1 mac 52:54:00:12:34:56
assign() { # vfio-dev vdpa-dev
	if [ -e /sys/bus/mdev/devices/$UUID ]; then
		echo 1 > /sys/bus/mdev/devices/$UUID/remove
	fi
	bind "$1" vhost_vfio
	bind "$2" vhost_vdpa
	echo $UUID > /sys/bus/vdpa/devices/$1/mdev_supported_types/vhost_vfio-vhost-vfio/create
	VFIO_DEV=$1 VDPA_DEV=$2
}

# CPU placement, the same for both paths: the simulators' worker threads
# (the "device") on one CPU mask, the driver process on another.  Left to
# the scheduler, the placement differs from process to process and the
# frame rate with it, by far more than any difference between the paths.
#   split: driver on CPU 0, device on CPU 1 (every kick and call crosses CPUs)
#   same:  both on CPU 0
NCPU=$(nproc)
place() { # placement -> sets DRV_MASK, DEV_MASK
	case "$1" in
	split) DRV_MASK=1 DEV_MASK=2 ;;
	same) DRV_MASK=1 DEV_MASK=1 ;;
	esac
	[ "$NCPU" -ge 2 ] || DEV_MASK=1
	for st in /proc/[0-9]*/status; do
		if grep -q '^Name:.*sim.*worker' "$st" 2>/dev/null; then
			pid=${st#/proc/}
			taskset -p "$DEV_MASK" "${pid%/status}" > /dev/null || true
		fi
	done
}

median() {
	awk -v k="$1" '$1 == k { print $2 }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rounds() { awk -v k="$1" '$1 == k { printf "%s ", $2 }' "$2"; }
# spread KEY FILE: "q1 .. q3" of the values (the middle half of the rounds)
spread() {
	awk -v k="$1" '$1 == k { print $2 }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%s .. %s", v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)] }'
}

PARTS=" ${VV_BENCH_PARTS:-vdpa pci} "
VFIO_DEV=vvbench0
case "$PARTS" in *" vdpa "*) VDPA_PLACEMENTS=${VV_BENCH_PLACEMENT:-split same} ;; *) VDPA_PLACEMENTS= ;; esac
for P in $VDPA_PLACEMENTS; do
	place "$P"
	# Interleaved rounds, so that drift inside the boot hits both alike.
	: > /tmp/vv_vdpa.txt
	: > /tmp/vv_vfio.txt
	: > /tmp/vv_dev.txt
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		# swap the devices every round, and which path goes first every
		# other round: each path meets each device in either order
		if [ $((i % 2)) -eq 0 ]; then
			assign vvbench0 vvbench1
		else
			assign vvbench1 vvbench0
		fi
		if [ $((i / 2 % 2)) -eq 0 ]; then
			taskset "$DRV_MASK" $B vdpa $VDPA_DEV "$SECS" > /tmp/vv_r_vdpa.txt
			taskset "$DRV_MASK" $B vfio $UUID "$SECS" > /tmp/vv_r_vfio.txt
		else
			taskset "$DRV_MASK" $B vfio $UUID "$SECS" > /tmp/vv_r_vfio.txt
			taskset "$DRV_MASK" $B vdpa $VDPA_DEV "$SECS" > /tmp/vv_r_vdpa.txt
		fi
		cat /tmp/vv_r_vdpa.txt >> /tmp/vv_vdpa.txt
		cat /tmp/vv_r_vfio.txt >> /tmp/vv_vfio.txt
		awk -v d="$VFIO_DEV" '$1 == "fps" { print "vfio", d, $2 }' /tmp/vv_r_vfio.txt >> /tmp/vv_dev.txt
		awk -v d="$VDPA_DEV" '$1 == "fps" { print "vdpa", d, $2 }' /tmp/vv_r_vdpa.txt >> /tmp/vv_dev.txt
		i=$((i + 1))
	done

	# Medians: the host's other load (TCG shares 2 cores with builds)
	# makes single rounds noisy; interleaving plus medians keeps the
	# comparison fair.
	FV=$(median fps /tmp/vv_vfio.txt); FD=$(median fps /tmp/vv_vdpa.txt)
	LV=$(median lat_us /tmp/vv_vfio.txt); LD=$(median lat_us /tmp/vv_vdpa.txt)
	echo "vhost_vfio: vdpa_sim_net TX->RX loopback, same driver, $ROUNDS interleaved rounds of ${SECS}s, medians"
	echo "  placement $P: driver on CPU mask $DRV_MASK, device workers on CPU mask $DEV_MASK; devices swapped every round"
	echo "  fps per round:  vhost_vfio $(rounds fps /tmp/vv_vfio.txt)"
	echo "                  vhost-vdpa $(rounds fps /tmp/vv_vdpa.txt)"
	for d in vvbench0 vvbench1; do
		echo "  fps on $d:  vhost_vfio $(awk -v d=$d '$1 == "vfio" && $2 == d { printf "%s ", $3 }' /tmp/vv_dev.txt)"
		echo "                  vhost-vdpa $(awk -v d=$d '$1 == "vdpa" && $2 == d { printf "%s ", $3 }' /tmp/vv_dev.txt)"
	done
	echo "  frames/s (32-frame batches)  vhost_vfio $FV   vhost-vdpa $FD"
	echo "  kick-to-RX-interrupt (us)    vhost_vfio $LV   vhost-vdpa $LD"
	awk -v fv="$FV" -v fd="$FD" -v lv="$LV" -v ld="$LD" -v p="$P" 'BEGIN {
		printf "  ratio frames/s vhost_vfio/vhost-vdpa (%s): %.2fx (target >= 1.0x)\n", p, fv / fd
		printf "  ratio latency vhost-vdpa/vhost_vfio (%s): %.2fx (>= 1.0x: vhost_vfio no slower)\n", p, ld / lv
	}'
done

# ---- the virtio-pci personality against the vhost personality ----------
# The same driver on both: a VFIO PCI device in a type1 v2 container
# (kicks through VFIO_DEVICE_IOEVENTFD, interrupts through MSI-X eventfds;
# what a VMM wires to KVM's ioeventfd and irqfd) and the vhost personality
# (kick and call eventfds).  Same rules: interleaved rounds, devices swapped
# every round, the order every other round, one placement for both, medians.
# Kicks/s: kicks with nothing queued, through the trapped path (a write to
# the notify window / the doorbell region) and through the eventfd.
PCI_TYPE=vhost_vfio-virtio_pci
UUID_P=5d7c3a1e-20f1-4b0e-9c55-0000000000bc
UUID_C=5d7c3a1e-20f1-4b0e-9c55-0000000000bd
# "pair2 vfio <vhost> pci <pci>" output as "pair" prints it: the keys name
# the first client "pci" and the second "vhost"; swap them back.
swap_pair() {
	awk '	$1 ~ /^pair_.*_pci$/ { k = $1; sub(/_pci$/, "_vhost", k); print k, $2; next }
		$1 ~ /^pair_.*_vhost$/ { k = $1; sub(/_vhost$/, "_pci", k); print k, $2; next }
		$1 ~ /^pair_.*_ratio$/ { printf "%s %.4f\n", $1, 1 / $2; next }
		{ print }'
}
assign_pci() { # pci-dev vhost-dev
	for u in $UUID $UUID_P $UUID_C; do
		if [ -e /sys/bus/mdev/devices/$u ]; then
			echo 1 > /sys/bus/mdev/devices/$u/remove
		fi
	done
	bind "$1" vhost_vfio
	bind "$2" vhost_vfio
	echo $UUID_P > /sys/bus/vdpa/devices/$1/mdev_supported_types/$PCI_TYPE/create
	echo $UUID > /sys/bus/vdpa/devices/$2/mdev_supported_types/vhost_vfio-vhost-vfio/create
	PCI_DEV=$1 VH_DEV=$2
}

# (the last round left $VFIO_DEV bound to vhost_vfio)
case "$PARTS" in *" pci "*) ;; *) PCI_TYPE=none ;; esac
[ "$PCI_TYPE" = none ] || [ -e "/sys/bus/vdpa/devices/$VFIO_DEV/mdev_supported_types" ] ||
	bind "$VFIO_DEV" vhost_vfio
if [ "$PCI_TYPE" = none ]; then
	:
elif [ -e "/sys/bus/vdpa/devices/$VFIO_DEV/mdev_supported_types/$PCI_TYPE" ]; then
for P in ${VV_BENCH_PLACEMENT:-split same}; do
	place "$P"
	: > /tmp/vp_pci.txt
	: > /tmp/vp_vh.txt
	: > /tmp/vp_dev.txt
	: > /tmp/vp_pair.txt
	: > /tmp/vp_ctl.txt
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			assign_pci vvbench0 vvbench1
		else
			assign_pci vvbench1 vvbench0
		fi
		if [ $((i / 2 % 2)) -eq 0 ]; then
			taskset "$DRV_MASK" $B pci $UUID_P "$SECS" > /tmp/vp_r_pci.txt
			taskset "$DRV_MASK" $B vfio $UUID "$SECS" > /tmp/vp_r_vh.txt
		else
			taskset "$DRV_MASK" $B vfio $UUID "$SECS" > /tmp/vp_r_vh.txt
			taskset "$DRV_MASK" $B pci $UUID_P "$SECS" > /tmp/vp_r_pci.txt
		fi
		# both in one process, alternating every batch; which client the
		# process opens first alternates too (the control below shows
		# what being opened first is worth), each order on each device
		if [ $((i / 2 % 2)) -eq 0 ]; then
			taskset "$DRV_MASK" $B pair $UUID_P $UUID "$SECS" > /tmp/vp_r_pair.txt
			o=pci
		else
			taskset "$DRV_MASK" $B pair2 vfio $UUID pci $UUID_P "$SECS" > /tmp/vp_r_pair0.txt
			swap_pair < /tmp/vp_r_pair0.txt > /tmp/vp_r_pair.txt
			o=vhost
		fi
		cat /tmp/vp_r_pair.txt >> /tmp/vp_pair.txt
		awk -v o=$o '$1 == "pair_fps_ratio" { print "pair_fps_ratio_" o "_first", $2 }' \
			/tmp/vp_r_pair.txt >> /tmp/vp_pair.txt
		if [ "${VV_BENCH_CONTROL:-0}" = 1 ]; then
			# the control: the vhost personality on the first device too
			echo 1 > /sys/bus/mdev/devices/$UUID_P/remove
			echo $UUID_C > /sys/bus/vdpa/devices/$PCI_DEV/mdev_supported_types/vhost_vfio-vhost-vfio/create
			# in the pair's order: the client on the pair's
			# virtio-pci device first when virtio-pci went first
			if [ $o = pci ]; then
				taskset "$DRV_MASK" $B pair2 vfio $UUID_C vfio $UUID "$SECS" > /tmp/vp_r_ctl.txt
			else
				taskset "$DRV_MASK" $B pair2 vfio $UUID vfio $UUID_C "$SECS" > /tmp/vp_r_ctl0.txt
				swap_pair < /tmp/vp_r_ctl0.txt > /tmp/vp_r_ctl.txt
			fi
			cat /tmp/vp_r_ctl.txt >> /tmp/vp_ctl.txt
			# this round's pair over this round's control: the same
			# devices in the same roles, so what the devices and the
			# CPUs give one role over the other cancels
			awk '$1 == "pair_fps_ratio" { print "pair", $2 }' /tmp/vp_r_pair.txt > /tmp/vp_r_q.txt
			awk '$1 == "pair_fps_ratio" { print "ctl", $2 }' /tmp/vp_r_ctl.txt >> /tmp/vp_r_q.txt
			awk '$1 == "pair" { p = $2 } $1 == "ctl" { c = $2 }
				END { if (p && c) printf "pair_over_control %.4f\n", p / c }' \
				/tmp/vp_r_q.txt >> /tmp/vp_ctl.txt
		fi
		cat /tmp/vp_r_pci.txt >> /tmp/vp_pci.txt
		cat /tmp/vp_r_vh.txt >> /tmp/vp_vh.txt
		awk -v d="$PCI_DEV" '$1 == "fps" { print "pci", d, $2 }' /tmp/vp_r_pci.txt >> /tmp/vp_dev.txt
		awk -v d="$VH_DEV" '$1 == "fps" { print "vhost", d, $2 }' /tmp/vp_r_vh.txt >> /tmp/vp_dev.txt
		i=$((i + 1))
	done
	FP=$(median fps /tmp/vp_pci.txt); FH=$(median fps /tmp/vp_vh.txt)
	LP=$(median lat_us /tmp/vp_pci.txt); LH=$(median lat_us /tmp/vp_vh.txt)
	KTP=$(median kps_trap /tmp/vp_pci.txt); KTH=$(median kps_trap /tmp/vp_vh.txt)
	KEP=$(median kps_eventfd /tmp/vp_pci.txt); KEH=$(median kps_eventfd /tmp/vp_vh.txt)
	VCP=$(median vcsw_batch /tmp/vp_pci.txt); VCH=$(median vcsw_batch /tmp/vp_vh.txt)
	ICP=$(median ivcsw_batch /tmp/vp_pci.txt); ICH=$(median ivcsw_batch /tmp/vp_vh.txt)
	PR=$(median pair_fps_ratio /tmp/vp_pair.txt); PL=$(median pair_lat_ratio /tmp/vp_pair.txt)
	echo "vhost_vfio virtio-pci personality vs vhost personality: vdpa_sim_net TX->RX loopback, same driver, $ROUNDS interleaved rounds of ${SECS}s, medians"
	echo "  placement $P: driver on CPU mask $DRV_MASK, device workers on CPU mask $DEV_MASK; devices swapped every round"
	echo "  fps per round:  virtio-pci $(rounds fps /tmp/vp_pci.txt)"
	echo "                  vhost      $(rounds fps /tmp/vp_vh.txt)"
	for d in vvbench0 vvbench1; do
		echo "  fps on $d:  virtio-pci $(awk -v d=$d '$1 == "pci" && $2 == d { printf "%s ", $3 }' /tmp/vp_dev.txt)"
		echo "                  vhost      $(awk -v d=$d '$1 == "vhost" && $2 == d { printf "%s ", $3 }' /tmp/vp_dev.txt)"
	done
	echo "  frames/s (32-frame batches)  virtio-pci $FP   vhost $FH"
	echo "  kick-to-RX-interrupt (us)    virtio-pci $LP   vhost $LH"
	echo "  kicks/s trapped write        virtio-pci $KTP   vhost $KTH"
	echo "  kicks/s eventfd              virtio-pci $KEP   vhost $KEH"
	echo "  driver sleeps per batch      virtio-pci $VCP   vhost $VCH"
	echo "  driver preemptions per batch virtio-pci $ICP   vhost $ICH"
	echo "  one process, both paths alternating every batch (pair), per round:"
	echo "    frames/s ratio virtio-pci/vhost: $(rounds pair_fps_ratio /tmp/vp_pair.txt)"
	echo "    frames/s virtio-pci $(median pair_fps_pci /tmp/vp_pair.txt)   vhost $(median pair_fps_vhost /tmp/vp_pair.txt) (medians)"
	echo "    latency (us) virtio-pci $(median pair_lat_us_pci /tmp/vp_pair.txt)   vhost $(median pair_lat_us_vhost /tmp/vp_pair.txt) (medians)"
	awk -v fp="$FP" -v fh="$FH" -v lp="$LP" -v lh="$LH" -v ktp="$KTP" -v kth="$KTH" \
	    -v kep="$KEP" -v keh="$KEH" -v p="$P" 'BEGIN {
		printf "  ratio frames/s virtio-pci/vhost (%s): %.2fx (target >= 1.0x)\n", p, fp / fh
		printf "  ratio latency vhost/virtio-pci (%s): %.2fx (>= 1.0x: virtio-pci no slower)\n", p, lh / lp
		printf "  ratio kicks/s trapped virtio-pci/vhost (%s): %.2fx\n", p, ktp / kth
		printf "  ratio kicks/s eventfd virtio-pci/vhost (%s): %.2fx\n", p, kep / keh
	}'
	echo "  ratio frames/s virtio-pci/vhost, pair ($P): $(awk -v r="$PR" 'BEGIN { printf "%.2f", r }')x median of the rounds, middle half $(spread pair_fps_ratio /tmp/vp_pair.txt) (target >= 1.0x)"
	echo "  ratio latency vhost/virtio-pci, pair ($P): $(awk -v r="$PL" 'BEGIN { printf "%.2f", r }')x median of the rounds, middle half $(spread pair_lat_ratio /tmp/vp_pair.txt)"
	echo "  ratio kicks/s virtio-pci/vhost, pair ($P), the clients taking turns: trapped $(median pair_kps_trap_ratio /tmp/vp_pair.txt)x [$(spread pair_kps_trap_ratio /tmp/vp_pair.txt)], eventfd $(median pair_kps_eventfd_ratio /tmp/vp_pair.txt)x [$(spread pair_kps_eventfd_ratio /tmp/vp_pair.txt)]"
	echo "  the same by which client the process opened first: virtio-pci first $(median pair_fps_ratio_pci_first /tmp/vp_pair.txt)x [$(spread pair_fps_ratio_pci_first /tmp/vp_pair.txt)], vhost first $(median pair_fps_ratio_vhost_first /tmp/vp_pair.txt)x [$(spread pair_fps_ratio_vhost_first /tmp/vp_pair.txt)]"
	if [ -s /tmp/vp_ctl.txt ]; then
		echo "  control, vhost on both devices, pair ($P): frames/s ratio per round $(rounds pair_fps_ratio /tmp/vp_ctl.txt)"
		echo "  control ratio frames/s (on the virtio-pci device)/(on the vhost device), pair ($P): $(median pair_fps_ratio /tmp/vp_ctl.txt)x median, middle half $(spread pair_fps_ratio /tmp/vp_ctl.txt); latency $(median pair_lat_ratio /tmp/vp_ctl.txt)x"
		echo "  control ratio kicks/s, pair ($P): trapped $(median pair_kps_trap_ratio /tmp/vp_ctl.txt)x [$(spread pair_kps_trap_ratio /tmp/vp_ctl.txt)], eventfd $(median pair_kps_eventfd_ratio /tmp/vp_ctl.txt)x [$(spread pair_kps_eventfd_ratio /tmp/vp_ctl.txt)]"
		echo "  ratio frames/s virtio-pci/vhost over the control, per round ($P): $(rounds pair_over_control /tmp/vp_ctl.txt)"
		echo "  ratio frames/s virtio-pci/vhost over the control ($P): $(median pair_over_control /tmp/vp_ctl.txt)x median of the rounds, middle half $(spread pair_over_control /tmp/vp_ctl.txt) (target >= 1.0x)"
	fi
done
else
	echo "vhost_vfio: no $PCI_TYPE mdev type: the virtio-pci comparison is skipped"
fi

for u in $UUID $UUID_P $UUID_C; do
	if [ -e /sys/bus/mdev/devices/$u ]; then
		echo 1 > /sys/bus/mdev/devices/$u/remove
	fi
done
vdpa dev del vvbench0
vdpa dev del vvbench1
