#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox sh). The kernel command line says what to do:
#   pasidvm.mode=check|smoke|shell|bench|run   pasidvm.suites=a,b (default: all)
#   pasidvm.skip=a,b (suites not to run)
# Results go to /out (a 9p share of the host's run directory):
#   /out/kunit/<module>.log     kernel log lines printed while loading it
#   /out/selftests/<suite>/<test>.tap and .rc
#   /out/bench.log /out/examples.log  /out/dmesg.txt  /out/kmemleak.txt
#   /out/done                   written last; its absence means a crash

export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts

MODE=check
SUITES=
SKIP=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	pasidvm.mode=*) MODE=${arg#pasidvm.mode=} ;;
	pasidvm.suites=*) SUITES=${arg#pasidvm.suites=} ;;
	pasidvm.skip=*) SKIP=${arg#pasidvm.skip=} ;;
	esac
done

log() { echo "pasidvm: $*" >/dev/kmsg; echo "pasidvm: $*"; }

# The suite of a selftests directory, benchmark or example script named
# NAME: NAME itself when it is a suite of modules.list, else the suite whose
# line loads a module called NAME (tools/testing/selftests/vfio_iommu_nested
# belongs to suite "nested"), else NAME.
suite_of() {
	awk -v n="$1" '$1 == n { f = 1 } $2 == n && s == "" { s = $1 }
		END { print (f || s == "") ? n : s }' /etc/pasidvm/modules.list
}

in_suites() {
	case ",$SKIP," in *",$1,"*) return 1 ;; esac
	[ -z "$SUITES" ] && return 0
	case ",$SUITES," in *",$1,"*) return 0 ;; esac
	return 1
}

# The 9p transport may be modular (distribution kernels; 6.1 has even
# virtio_pci as a module).
modprobe -q virtio_pci 2>/dev/null
modprobe -q 9pnet_virtio 2>/dev/null
modprobe -q 9p 2>/dev/null
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out; then
	echo "pasidvm: cannot mount the results share" >&2
	[ "$MODE" = shell ] || { echo o >/proc/sysrq-trigger; sleep 10; }
fi
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host 2>/dev/null
mkdir -p /out/kunit /out/selftests

# Boot-time objects are not ours: start kmemleak from a clean slate.
KML=/sys/kernel/debug/kmemleak
if [ -w $KML ]; then
	echo scan >$KML
	echo clear >$KML
fi
log "mode=$MODE suites=${SUITES:-all} kernel=$(uname -r)"

# Platform modules a distribution kernel lacks, built by the project.
for m in $(cat /etc/pasidvm/preload 2>/dev/null); do
	modprobe "$m" || log "FAILED to preload $m"
done

LOADED=
load_modules() {
	local suite mod params n
	while read -r suite mod params; do
		case "$suite" in ''|'#'*) continue ;; esac
		in_suites "$suite" || continue
		# named by several suites (stress needs the others' modules)
		case " $LOADED " in *" $mod "*) continue ;; esac
		# the main job loads what a user would: no tests
		if [ "$MODE" = run ]; then
			case "$mod" in *_kunit|*_bench|*_testdev) continue ;; esac
			# and with the product's defaults: test-only switches
			# (allow_test_dma=...) stay off unless an example sets
			# them itself, and says so
			params=$(printf '%s\n' $params | { grep -v '^allow_test_' || true; } | tr '\n' ' ')
		fi
		if [ "$MODE" = smoke ]; then
			# a distribution kernel has no KUnit and may lack a simulator
			case "$mod" in *_kunit) continue ;; esac
			if ! grep -q "/$mod.ko:" "/lib/modules/$(uname -r)/modules.dep"; then
				echo "$mod" >>/out/skipped.txt
				continue
			fi
		fi
		n=$(dmesg | wc -l)
		log "loading $mod $params"
		if modprobe "$mod" $params; then
			LOADED="$mod $LOADED"
			echo "$mod" >>/out/loaded.txt
		else
			log "FAILED to load $mod"
			echo "$mod" >>/out/load-failed.txt
		fi
		dmesg | tail -n +$((n + 1)) >"/out/kunit/$mod.log"
	done </etc/pasidvm/modules.list
}

unload_modules() {
	local mod
	for mod in $LOADED; do
		# busybox's modprobe -r also tries the module's dependencies and
		# exits with the status of the last one tried, which fails when
		# another module still uses it: what counts is that ours is gone
		modprobe -r "$mod"
		if grep -q "^$mod " /proc/modules; then
			log "FAILED to unload $mod"
			echo "$mod" >>/out/unload-failed.txt
		fi
	done
}

run_selftests() {
	local dir suite t t0 name
	for dir in /selftests/*/; do
		[ -d "$dir" ] || continue
		suite=$(suite_of "$(basename "$dir")")
		in_suites "$suite" || continue
		mkdir -p "/out/selftests/$suite"
		for t in "$dir"*_test; do
			[ -x "$t" ] || continue
			name=$(basename "$t")
			log "selftest $suite/$name"
			t0=$(date +%s)
			(cd /tmp && timeout -s KILL "${PASIDVM_TEST_TIMEOUT:-900}" "$t" \
				>"/out/selftests/$suite/$name.tap" 2>&1)
			echo $? >"/out/selftests/$suite/$name.rc"
			cat "/out/selftests/$suite/$name.tap"
			# what make check's time goes to, per binary
			echo "$suite/$name $(($(date +%s) - t0))" >>/out/times.txt
		done
	done
}

# One KVM VM held open for the run (/sbin/kvm_hold says why): the static
# key KVM flips in __schedule() then flips once, before the tests. It is
# never stopped, power-off ends it: stopping it flipped the key back, a
# second chance for QEMU's text-patching race, and CI met it there once
# (an int3 in __schedule() of rcu_preempt right after the last selftest).
KVM_HOLD=
kvm_hold_start() {
	# the real-client test needs KVM anyway: load it before, not during
	in_suites l2 && [ ! -c /dev/kvm ] && modprobe -q kvm_amd 2>/dev/null
	[ -c /dev/kvm ] && [ -x /sbin/kvm_hold ] || return 0
	/sbin/kvm_hold &
	KVM_HOLD=$!
	log "holding a KVM VM for the run (kvm_hold, pid $KVM_HOLD)"
}

case "$MODE" in
check)
	t0=$(date +%s)
	load_modules
	echo "load-modules+kunit $(($(date +%s) - t0))" >>/out/times.txt
	# What the platform selftests and KVM-using tests need; built in on
	# the test kernel, modules on a distribution kernel. KVM only for the
	# suites that create VMs, and then before kvm_hold_start, so that
	# its static key in __schedule flips once, before any test (see
	# kvm_hold.c: under TCG a flip while vCPUs run once met a vCPU in the
	# patched instruction, an int3 oops).
	kmods=
	for s in platform kvm_pasid sva_sim vhost_vfio; do
		in_suites "$s" && kmods="kvm_amd" && break
	done
	in_suites platform && kmods="kvm_amd vfio_iommu_type1 vfio_pci"
	for m in $kmods; do
		grep -qE "/$(echo "$m" | sed 's/_/[-_]/g').ko:" \
			"/lib/modules/$(uname -r)/modules.dep" 2>/dev/null &&
			{ modprobe "$m" || log "FAILED to load $m"; }
	done
	kvm_hold_start
	run_selftests
	t0=$(date +%s)
	unload_modules
	echo "unload-modules $(($(date +%s) - t0))" >>/out/times.txt
	;;
smoke)
	load_modules
	unload_modules
	;;
bench)
	load_modules
	kvm_hold_start
	for s in /etc/pasidvm/bench.d/*.sh; do
		[ -f "$s" ] || continue
		in_suites "$(suite_of "$(basename "$s" .sh | sed 's/^[0-9]*-//')")" || continue
		log "benchmark $s"
		sh "$s" 2>&1 | tee -a /out/bench.log
	done
	unload_modules
	;;
run)
	load_modules
	kvm_hold_start
	: >/out/examples.rc
	for s in /etc/pasidvm/examples.d/*.sh; do
		[ -f "$s" ] || continue
		in_suites "$(suite_of "$(basename "$s" .sh | sed 's/^[0-9]*-//')")" || continue
		log "example $s"
		( sh "$s"; echo "$s $?" >>/out/examples.rc ) 2>&1 | tee -a /out/examples.log
	done
	unload_modules
	;;
shell)
	load_modules
	echo "pasidvm: interactive shell; 'poweroff -f' ends the VM"
	setsid cttyhack sh -l
	;;
esac

if [ -w $KML ]; then
	t0=$(date +%s)
	# an object must be unreferenced for two scans some seconds apart
	echo scan >$KML
	sleep 6
	echo scan >$KML
	cat $KML >/out/kmemleak.txt
	echo "kmemleak-scans $(($(date +%s) - t0))" >>/out/times.txt
fi
log "finished"
dmesg >/out/dmesg.txt
echo ok >/out/done
sync
poweroff -f
