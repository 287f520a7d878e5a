#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm_pasid benchmark (busybox sh, inside the test VM), in one boot:
# - the kvm_pasid_bench module: a translation through the two-level table
#   (the bare walk, runs of kvm_pasid_batch_translate(), and
#   kvm_pasid_translate() alone with its read side and counters) against a
#   lookup in a flat 2^20-entry array (and the runs and the single call also
#   against the flat array with the same read side and counters), the same keys,
#   interleaved rounds of rotating order, medians, ratios (target <= 1.5x);
#   the table's memory
#   for 1, 1K and 64K mapped guest PASIDs against the flat 4 MiB table;
# - kvm_pasid_bench (userspace): the latency of one update as the VMM
#   sees it with 0, 1, 2 and 4 vCPUs running a guest loop, interleaved
#   rounds, medians, ratios against no vCPU running. The VM has 2 CPUs:
#   with more running vCPUs than the one CPU left to them they share it.
#
# Parameters: KVM_PASID_BENCH_ARGS for the module (e.g. "rounds=31 batch=16"),
# KVM_PASID_BENCH_UPDATES "rounds updates" for the userspace part.

echo "== kvm_pasid benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel: instrumentation dominates;"
	echo "      'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi
rc=0
start=$(dmesg | wc -l)
# shellcheck disable=SC2086
if modprobe kvm_pasid_bench ${KVM_PASID_BENCH_ARGS:-}; then
	out=$(dmesg | tail -n +$((start + 1)) | grep 'kvm_pasid_bench: ' | sed 's/^\[[^]]*\] //')
	rmmod kvm_pasid_bench
	echo "$out"
	echo "$out" | grep -q 'kvm_pasid_bench: done' || rc=1
else
	echo "kvm_pasid_bench: module load failed"
	dmesg | tail -n +$((start + 1))
	rc=1
fi
[ -c /dev/kvm ] || modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null
# shellcheck disable=SC2086
/selftests/kvm_pasid/kvm_pasid_bench ${KVM_PASID_BENCH_UPDATES:-} || rc=1
exit $rc
