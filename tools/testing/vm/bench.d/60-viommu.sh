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
#     one VFIO_NESTED_INVALIDATE per tail move. VIOMMU_BENCH_ROUNDS (9)
#     rounds of VIOMMU_BENCH_SECS (0.2) s per path and batch, the order
#     rotating (more, shorter rounds: a round's paths run back to back,
#     and the host's load drifts less within one). Ratios: accelerated
#     over emulated commands per second, the medians' and the median of
#     the rounds' (target >= 2x at batch 8).
# (b) latency from a device fault to its entry in the guest's event log:
#     the module writing IO_PAGE_FAULT itself, against a VMM thread that
#     reads the fault fd and writes the entry; the median of
#     VIOMMU_BENCH_FAULTS (100) faults per round and path.
B=/selftests/viommu/viommu_bench
ROUNDS=${VIOMMU_BENCH_ROUNDS:-9}
SECS=${VIOMMU_BENCH_SECS:-0.2}
FAULTS=${VIOMMU_BENCH_FAULTS:-100}

echo "== pvm_viommu benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel; 'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi

$B "$ROUNDS" "$SECS" "$FAULTS" > /tmp/vb_raw.txt 2>&1
rc=$?
# the rounds, one line per batch and path, then the program's medians and ratios
for key in "cmds 1 accel" "cmds 1 emul" "cmds 1 emulb" "cmds 8 accel" "cmds 8 emul" \
	   "cmds 8 emulb" "cmds 64 accel" "cmds 64 emul" "cmds 64 emulb" "fault kernel" "fault vmm"; do
	echo "  rounds, $key: $(awk -v k="$key" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/vb_raw.txt)"
done
grep -v '^cmds \|^fault \|^done' /tmp/vb_raw.txt

fail=0
[ $rc -eq 0 ] && grep -q '^done' /tmp/vb_raw.txt || { echo "viommu_bench failed (exit $rc)"; fail=1; }
exit $fail
