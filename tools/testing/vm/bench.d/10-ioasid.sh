#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ioasid benchmark (busybox sh, inside the test VM): the ioasid_bench module
# measures, in this boot and side by side, alloc+free throughput of ioasid
# (per-VM sets, quotas, a notifier receiving every event) against the IDA
# that iommu_alloc_global_pasid() uses and against an allocating xarray, for
# 1 and 2 threads; ioasid_find() latency against xa_load(); slab memory per
# ID. It prints its numbers and ratios to the kernel log at load.
#
# Parameters can be passed through IOASID_BENCH_ARGS, e.g.
# "rounds=128 batch=2048".

echo "== ioasid benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel: slab and lock instrumentation dominate;"
	echo "      'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi
start=$(dmesg | wc -l)
# shellcheck disable=SC2086
if ! modprobe ioasid_bench ${IOASID_BENCH_ARGS:-}; then
	echo "ioasid_bench: module load failed"
	dmesg | tail -n +$((start + 1))
	exit 1
fi
out=$(dmesg | tail -n +$((start + 1)) | grep 'ioasid_bench: ' | sed 's/^\[[^]]*\] //')
rmmod ioasid_bench
echo "$out"
echo "$out" | grep -q 'ioasid_bench: done' || exit 1
