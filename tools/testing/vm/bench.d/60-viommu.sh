#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvm_viommu benchmark (busybox sh, inside the test VM), one boot,
# interleaved rounds, medians, ratios (viommu_bench.c says what each
# path does):
#
# (a) guest invalidation commands per second, INVALIDATE_IOMMU_PAGES in
#     batches of 1, 8 and 64 per tail move: the accelerated path (the
#     kernel's command processor consumes the guest's ring from guest
#     memory) against the emulated path a VMM has without the module (a
#     userspace loop reading each command from the ring and issuing
#     VFIO_NESTED_INVALIDATE for it), and, for scale, that loop issuing
#     one VFIO_NESTED_INVALIDATE per tail move. VIOMMU_BENCH_ROUNDS (5)
#     rounds of VIOMMU_BENCH_SECS (0.3) s per path and batch, the order
#     rotating. Ratio: accelerated over emulated commands per second
#     (target >= 2x at batch 8).
# (b) latency from a device fault to its entry in the guest's event log:
#     the module writing IO_PAGE_FAULT itself, against a VMM thread that
#     reads the fault fd and writes the entry; the median of
#     VIOMMU_BENCH_FAULTS (100) faults per round and path.
B=/selftests/viommu/viommu_bench
ROUNDS=${VIOMMU_BENCH_ROUNDS:-5}
SECS=${VIOMMU_BENCH_SECS:-0.3}
FAULTS=${VIOMMU_BENCH_FAULTS:-100}

echo "== pvm_viommu benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel; 'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi

median() { # key file: median of the values after "key"
	awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { # label a b note: prints a / b
	awk -v l="$1" -v a="$2" -v b="$3" -v t="$4" 'BEGIN {
		if (a == "nan" || b == "nan" || b + 0 == 0) { printf "  %s: n/a\n", l; exit }
		printf "  %s: %.2fx (%s)\n", l, a / b, t }'
}
rounds() { # key file: the values of every round
	awk -v k="$1" 'index($0, k " ") == 1 { printf "%s ", $NF }' "$2"
}

$B "$ROUNDS" "$SECS" "$FAULTS" > /tmp/vb_raw.txt 2>&1
rc=$?
grep -v '^cmds \|^fault ' /tmp/vb_raw.txt

echo "pvm_viommu: guest invalidation commands per second (INVALIDATE_IOMMU_PAGES), $ROUNDS interleaved rounds of ${SECS}s, medians"
for b in 1 8 64; do
	a=$(median "cmds $b accel" /tmp/vb_raw.txt)
	e=$(median "cmds $b emul" /tmp/vb_raw.txt)
	eb=$(median "cmds $b emulb" /tmp/vb_raw.txt)
	echo "  batch $b: accelerated $a/s, emulated $e/s, emulated batching $eb/s" \
		"(rounds: accel $(rounds "cmds $b accel" /tmp/vb_raw.txt)| emul $(rounds "cmds $b emul" /tmp/vb_raw.txt)| emulb $(rounds "cmds $b emulb" /tmp/vb_raw.txt))"
	if [ "$b" = 8 ]; then
		ratio "ratio batch $b accelerated/emulated" "$a" "$e" "target >= 2x"
	else
		ratio "ratio batch $b accelerated/emulated" "$a" "$e" "no target"
	fi
	ratio "ratio batch $b accelerated/emulated-batching" "$a" "$eb" "for scale"
done

k=$(median "fault kernel" /tmp/vb_raw.txt)
v=$(median "fault vmm" /tmp/vb_raw.txt)
echo "pvm_viommu: latency from a device fault to its IO_PAGE_FAULT entry in a guest event log, $ROUNDS rounds of $FAULTS faults, medians in microseconds"
echo "  module writes the guest log: $k us (rounds: $(rounds "fault kernel" /tmp/vb_raw.txt))"
echo "  VMM thread via the fault fd: $v us (rounds: $(rounds "fault vmm" /tmp/vb_raw.txt))"
ratio "ratio fault latency VMM/module" "$v" "$k" ">= 1.0x: the module is as fast"

fail=0
[ $rc -eq 0 ] && grep -q '^done' /tmp/vb_raw.txt || { echo "viommu_bench failed (exit $rc)"; fail=1; }
exit $fail
