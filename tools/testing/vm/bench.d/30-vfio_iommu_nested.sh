#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vfio_iommu_nested benchmark (busybox sh, inside the test VM), one boot,
# interleaved rounds, medians, ratios:
#
# (a) stage 2 on the physical path: VFIO_IOMMU_MAP_DMA then UNMAP_DMA of
#     NESTED_BENCH_MB (1024) MiB in 4 KiB and in 2 MiB pieces, QEMU's edu
#     behind the emulated VT-d in the container, the nested backend against
#     vfio_iommu_type1 on the same device and the same memory, the order
#     alternating every round (NESTED_BENCH_ROUNDS, 3).
#
# The ratios are type1's time over the nested backend's: >= 1.0x means the
# nested backend is at least as fast.
B=/selftests/vfio_iommu_nested/nested_bench
ROUNDS=${NESTED_BENCH_ROUNDS:-3}
MB=${NESTED_BENCH_MB:-1024}
T1=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit

echo "== vfio_iommu_nested benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel; 'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi
# the baseline and the device's driver are modules on distribution kernels
modprobe vfio_iommu_type1 2>/dev/null || true
modprobe vfio_pci 2>/dev/null || true

median() { # key file: median of the values after "key"
	awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { # label baseline nested target
	awk -v l="$1" -v b="$2" -v n="$3" -v t="$4" 'BEGIN {
		if (b == "nan" || n == "nan" || n + 0 == 0) { printf "  %s: n/a\n", l; exit }
		printf "  %s: %.2fx (target >= %s)\n", l, b / n, t }'
}

# ---- (a) stage 2 ----------------------------------------------------------
# 4 KiB pieces: MB * 256 mappings at once; type1 allows 65535 by default
old_limit=$(cat $T1 2>/dev/null)
[ -z "$old_limit" ] || echo $((MB * 256 + 1024)) > $T1
# 2 MiB pieces on hugetlb pages when they can be had (1 GiB + slack)
old_huge=$(cat /proc/sys/vm/nr_hugepages)
echo $((MB / 2 + 8)) > /proc/sys/vm/nr_hugepages 2>/dev/null
echo "hugetlb: $(cat /proc/sys/vm/nr_hugepages) pages of 2 MiB reserved (wanted $((MB / 2 + 8)))"

: > /tmp/nb_s2.txt
$B s2 "$ROUNDS" "$MB" > /tmp/nb_s2_raw.txt 2>&1
rc=$?
grep -v '^s2 [42]' /tmp/nb_s2_raw.txt
# "s2 4k nested map_s X unmap_s Y" -> "4k nested map X" and "4k nested unmap Y"
awk '$1 == "s2" && $4 == "map_s" { print $2, $3, "map", $5; print $2, $3, "unmap", $7 }' \
	/tmp/nb_s2_raw.txt > /tmp/nb_s2.txt
[ -z "$old_limit" ] || echo "$old_limit" > $T1
echo "$old_huge" > /proc/sys/vm/nr_hugepages

echo "vfio_iommu_nested: stage 2 MAP_DMA/UNMAP_DMA of $MB MiB with edu's group attached (emulated VT-d), $ROUNDS interleaved rounds, medians in seconds"
for p in 4k 2m; do
	for op in map unmap; do
		n=$(median "$p nested $op" /tmp/nb_s2.txt)
		t=$(median "$p type1 $op" /tmp/nb_s2.txt)
		echo "  $p pieces $op: nested $n s, type1 $t s" \
			"(nested rounds: $(awk -v k="$p nested $op" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/nb_s2.txt)" \
			"type1 rounds: $(awk -v k="$p type1 $op" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/nb_s2.txt))"
		ratio "ratio $p $op type1/nested time" "$t" "$n" 1.0x
	done
done
[ $rc -eq 0 ] || { echo "nested_bench s2 failed (exit $rc)"; exit 1; }
