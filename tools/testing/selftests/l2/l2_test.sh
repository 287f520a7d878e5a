#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real client (issue 14), inside the test VM: Debian's stock QEMU, run
# from the host root the VM sees at /host, starts an L2 guest with
# -accel kvm (the test VM has SVM) running the stock Debian 6.12 kernel and
# a small initramfs (l2-init.sh) that checks what it was given:
#   emulated  QEMU's own virtio-net-pci (a socket netdev sending to itself)
#             and virtio-blk-pci: the control, proving QEMU, KVM and the L2
#             kernel work, so that a failure of the second run is the device's
#   mdev      vhost_vfio's virtio-pci personality through QEMU's unmodified
#             -device vfio-pci,sysfsdev=...: an mdev on a vdpa_sim_net and
#             one on a vdpa_sim_blk device, vdpa_sim as loaded (the test VM
#             boots it with use_va=0: the parent takes physical addresses,
#             as hardware does)
#   mdev_va   the same with vdpa_sim reloaded with use_va=1, its default:
#             the parent reads QEMU's memory by its user addresses (the
#             personality binds it to QEMU's mm); skipped where vdpa_sim is
#             built in (its mode is the boot's)
# Per run: "boot" (L2 reached its checks and finished in time) and the L2's
# checks (net_bound, net_up, net_loopback, blk_bound, blk_pattern), as TAP.
# An L2 boot costs about a minute under nested SVM on TCG, so by default
# the control runs only when the mdev run failed, to tell a broken
# platform (QEMU, KVM, the L2 kernel) from a broken device; otherwise its
# lines are skips. L2_RUNS="mdev emulated" runs both always, L2_RUNS=emulated
# the control alone; L2_TIMEOUT bounds each QEMU.
HERE=$(cd "$(dirname "$0")" && pwd)
H=${L2_HOST-/host}
RUNS=${L2_RUNS:-mdev mdev_va control-on-failure}
TMO=${L2_TIMEOUT:-200}
LOGDIR=/tmp
[ -d /out/selftests/l2 ] && LOGDIR=/out/selftests/l2
CHECKS="net_bound net_up net_loopback blk_bound blk_pattern"
TYPE=vhost_vfio-virtio_pci
N=0

ok() { N=$((N + 1)); echo "ok $N $*"; }
nok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N $*"; }
skip() { N=$((N + 1)); echo "ok $N $1 # SKIP $2"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

echo "TAP version 13"
echo "1..$(($(echo $RUNS | wc -w) * 6))"
FAILS=0

ABI=$(cat "$HERE/l2-kernel" 2>/dev/null)
KERNEL=$H/boot/vmlinuz-$ABI
LIBS=$H/usr/lib/x86_64-linux-gnu
QEMU="$LIBS/ld-linux-x86-64.so.2 --library-path $LIBS $H/usr/bin/qemu-system-x86_64"
SKIP=
if [ ! -x $H/usr/bin/qemu-system-x86_64 ] || [ ! -f "$KERNEL" ]; then
	SKIP="no QEMU or no $KERNEL under $H"
fi
[ -c /dev/kvm ] || modprobe kvm_amd 2>/dev/null
[ -c /dev/kvm ] || SKIP="no /dev/kvm"
# QEMU's socket netdev sends to itself over the loopback
ip link set lo up

# qemu_where PID: each thread's name, state and kernel stack, SeaBIOS's
# last words (its debug port), L1's last kernel messages
qemu_where() {
	local t
	for t in /proc/$1/task/*; do
		echo "# thread $(basename "$t") $(cat "$t/comm"): $(grep State "$t/status")" \
			"wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$t/stack" 2>/dev/null | head -12
	done
	tail -n 5 "$LOGDIR/l2-$name.firmware" 2>/dev/null | sed 's/^/# firmware: /'
	dmesg | tail -n 15 | sed 's/^/# L1 dmesg: /'
}

# run_l2 NAME QEMU-ARGS...: boot L2 with the devices, report its checks.
# The L2's console goes next to the TAP output when the results share is
# there. Once L2 says "done" QEMU gets a few seconds to see the power-off,
# then is killed: the checks are what count, not how fast it exits.
run_l2() {
	local name=$1 log=$LOGDIR/l2-$1.console t0 rc c line qpid fw first start fin el
	local attempt=0 tmo
	shift
	while [ $attempt -lt 2 ]; do
		attempt=$((attempt + 1))
		fw= first= start= fin= tmo=
		: >"$log"
		rm -f "$LOGDIR/l2-$name.firmware"
		t0=$(now)
		# -cpu host: L1's CPU model (no LA57 in L2 either, see run-vm.sh).
		# Every port access of L2 is an exit to L1's KVM, emulated by TCG:
		# pci=noearly spares the two early scans of all 256 PCI buses for an
		# AGP aperture (12 s measured); no_timer_check the IO-APIC timer test.
		# The console stays quiet: each byte on ttyS0 is an exit too (a
		# verbose boot took over 200 s). QEMU's start costs ~20 s itself
		# (its binary and 49 libraries read over 9p from /host).
		# 128 MiB of L2 RAM: vfio-pci maps (pins) all of it before the
		# device opens, and pinning under the debug kernel on TCG is slow.
		$QEMU -machine pc,accel=${L2_ACCEL:-kvm} -cpu ${L2_CPU:-host} -m ${L2_MEM:-128M} \
			-nodefaults -display none -no-reboot \
			-L $H/usr/share/qemu -L $H/usr/share/seabios \
			-kernel "$KERNEL" -initrd "$HERE/l2-initramfs.cpio.gz" \
			-append "console=ttyS0 panic=-1 no5lvl pci=noearly no_timer_check ${L2_APPEND-quiet}" \
			-chardev file,id=fw,path=$LOGDIR/l2-$name.firmware \
			-device isa-debugcon,iobase=0x402,chardev=fw \
			-serial "file:$log" "$@" </dev/null >/tmp/l2-$name.qemu 2>&1 &
		qpid=$!
		while kill -0 $qpid 2>/dev/null; do
			el=$(since "$t0")
			[ -n "$fw" ] || ! grep -aq 'Booting from' "$LOGDIR/l2-$name.firmware" 2>/dev/null || fw=$el
			[ -n "$first" ] || [ ! -s "$log" ] || first=$el
			[ -n "$start" ] || ! grep -aq '^l2-result: start' "$log" || start=$el
			[ -n "$fin" ] || ! grep -aq '^l2-result: done' "$log" || fin=$el
			if [ -n "$fin" ] && awk -v a="$el" -v b="$fin" 'BEGIN { exit !(a - b > 5) }'; then
				kill -9 $qpid
			elif awk -v a="$el" -v b="$TMO" 'BEGIN { exit !(a > b) }'; then
				echo "# $name: timeout after $TMO s, killing QEMU; where its threads are:"
				qemu_where $qpid
				kill -9 $qpid
				tmo=1
				break
			fi
			sleep 0.5
		done
		wait $qpid
		rc=$?
		# QEMU may have ended between two looks
		[ -n "$fin" ] || ! grep -aq '^l2-result: done' "$log" || fin="<$(since "$t0")"
		[ -n "$start" ] || ! grep -aq '^l2-result: start' "$log" || start="<$(since "$t0")"
		echo "# $name: QEMU ran $(since "$t0") s (exit $rc): firmware boots the kernel at ${fw:--} s," \
			"first console output at ${first:--} s," \
			"L2 init at ${start:--} s, checks done at ${fin:--} s;" \
			"L2 $(grep -a 'l2-result: \(start\|done\)' "$log" | tr -d '\r' | sed 's/l2-result: //' | tr '\n' ' ')"
		sed 's/^/# qemu: /' /tmp/l2-$name.qemu
		# An L2 that ended by itself before its init printed a word is
		# booted once more, said here and in the summary line. Seen once
		# in about ten runs, in a CI run's mdev run: QEMU exited 4.6 s
		# after the firmware's hand-over with the console empty, the same
		# boot's mdev_va and control runs passed; the cause is not known. The L2 kernel's virtio drivers are modules
		# that init loads: of the device, only the firmware's use of it
		# and the config space precede it. A second such end fails.
		if [ -z "$start" ] && [ -z "$tmo" ] && [ $attempt -lt 2 ]; then
			echo "# $name: L2 ended before its init started (QEMU exit $rc, console empty or partial): booting it once more"
			RETRIED="$RETRIED $name"
			mv "$log" "$log.attempt1"
			mv "$LOGDIR/l2-$name.firmware" "$LOGDIR/l2-$name.firmware.attempt1" 2>/dev/null
			continue
		fi
		break
	done
	if grep -aq '^l2-result: done' "$log"; then
		ok "$name boot: L2 booted and ran its checks"
	else
		nok "$name boot: QEMU exit $rc, L2 did not finish (timeout ${TMO} s); its console:"
		# (its last line may lack a newline: the TAP lines must not
		# continue it)
		{ tail -n 40 "$log"; echo; } | tr -d '\r' | sed 's/^/# L2 console: /'
	fi
	for c in $CHECKS; do
		line=$(grep -a "^l2-result: [a-z]* $c " "$log" | tr -d '\r' | head -1)
		case "$line" in
		"l2-result: ok $c "*) ok "$name $c: ${line#l2-result: ok $c }" ;;
		"") nok "$name $c: not reported" ;;
		*) nok "$name $c: ${line#l2-result: fail $c }" ;;
		esac
	done
}

emulated() {
	dd if=/dev/zero of=/tmp/l2-disk.img bs=1M count=16 2>/dev/null
	run_l2 emulated \
		-netdev socket,id=n0,udp=127.0.0.1:5555,localaddr=127.0.0.1:5555 \
		-device virtio-net-pci,netdev=n0,disable-legacy=on,romfile= \
		-drive file=/tmp/l2-disk.img,if=none,format=raw,id=d0 \
		-device virtio-blk-pci,drive=d0,disable-legacy=on
	rm -f /tmp/l2-disk.img
}

# mdev_of DEV MGMTDEV UUID [vdpa args]: a vDPA device bound to vhost_vfio
# and an instance of the virtio-pci personality on it
mdev_of() {
	local dev=$1 mgmt=$2 uuid=$3
	shift 3
	vdpa dev add mgmtdev "$mgmt" name "$dev" "$@" || return 1
	echo vhost_vfio >/sys/bus/vdpa/devices/$dev/driver_override
	[ -e /sys/bus/vdpa/devices/$dev/driver ] &&
		echo "$dev" >/sys/bus/vdpa/devices/$dev/driver/unbind
	echo "$dev" >/sys/bus/vdpa/drivers/vhost_vfio/bind || return 1
	echo "$uuid" >/sys/bus/vdpa/devices/$dev/mdev_supported_types/$TYPE/create || return 1
	[ -e /sys/bus/mdev/devices/$uuid ]
}

# vdpa_sim_use_va Y|N: have vdpa_sim (a module) loaded with that use_va
vdpa_sim_use_va() {
	local p=/sys/module/vdpa_sim/parameters/use_va
	[ "$(cat $p 2>/dev/null)" = "$1" ] && return 0
	[ -e /sys/module/vdpa_sim/initstate ] || return 1	# built in
	rmmod vdpa_sim_net vdpa_sim_blk vdpa_sim 2>/dev/null
	modprobe vdpa_sim use_va=$([ "$1" = Y ] && echo 1 || echo 0) &&
		modprobe vdpa_sim_net && modprobe vdpa_sim_blk &&
		[ "$(cat $p 2>/dev/null)" = "$1" ]
}

# mdev [NAME]: the run on vdpa_sim as it is ("mdev") or in use_va mode
mdev() {
	local name=${1:-mdev} u1=2a6e9b40-14a0-4c51-9d1e-0000000012a0 u2=2a6e9b40-14a0-4c51-9d1e-0000000012b0
	local mode0
	modprobe vhost_vfio 2>/dev/null
	modprobe vfio_iommu_nested 2>/dev/null
	modprobe vdpa_sim_net 2>/dev/null
	modprobe vdpa_sim_blk 2>/dev/null
	if ! grep -q '^vhost_vfio ' /proc/modules; then
		skip_run $name "vhost_vfio is not loaded"
		MDEV_SKIPPED=1
		return
	fi
	mode0=$(cat /sys/module/vdpa_sim/parameters/use_va 2>/dev/null)
	if [ $name = mdev_va ] && ! vdpa_sim_use_va Y; then
		skip_run $name "vdpa_sim cannot be reloaded with use_va=1 (built in with use_va=$mode0)"
		vdpa_sim_use_va "$mode0"
		return
	fi
	echo "# $name: vdpa_sim use_va=$(cat /sys/module/vdpa_sim/parameters/use_va 2>/dev/null)"
	if mdev_of l2net vdpasim_net $u1 mac 52:54:00:12:34:a0 &&
	   mdev_of l2blk vdpasim_blk $u2; then
		run_l2 $name \
			-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u1 \
			-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u2
	else
		nok "$name boot: no $TYPE instance on vdpa_sim_net and vdpa_sim_blk"
		for c in $CHECKS; do nok "$name $c: no device"; done
	fi
	for u in $u1 $u2; do
		[ -e /sys/bus/mdev/devices/$u ] && echo 1 >/sys/bus/mdev/devices/$u/remove
	done
	vdpa dev del l2net 2>/dev/null
	vdpa dev del l2blk 2>/dev/null
	[ -z "$mode0" ] || vdpa_sim_use_va "$mode0" ||
		echo "# $name: could not reload vdpa_sim with use_va=$mode0"
}

mdev_va() { mdev mdev_va; }

skip_run() { # NAME REASON
	local c
	skip "$1 boot" "$2"
	for c in $CHECKS; do skip "$1 $c" "$2"; done
}

T0=$(now)
for r in $RUNS; do
	if [ -n "$SKIP" ]; then
		skip_run "$r" "$SKIP"
	elif [ "$r" = control-on-failure ]; then
		if [ $FAILS -gt 0 ] || [ -n "$MDEV_SKIPPED" ]; then
			echo "# the mdev run failed or could not run: the control with QEMU's own devices tells whether the platform works"
			emulated
		else
			skip_run emulated "control not needed: the mdev run passed"
		fi
	else
		$r
	fi
done
echo "# l2: the L2 step took $(since "$T0") s ($RUNS)${RETRIED:+; booted again after an early L2 reset:$RETRIED}"
[ $FAILS -eq 0 ]
