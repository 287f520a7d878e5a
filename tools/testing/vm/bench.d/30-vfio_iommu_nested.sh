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
#     alternating every round (NESTED_BENCH_ROUNDS, 3). Ratios: type1's
#     time over the nested backend's (>= 1.0x: the nested one is as fast).
# (b) DMA on IOTLB hits: 4 KiB device reads and writes of a guest page
#     through VFIO_NESTED_TEST_DMA (a PASID's 4-level stage 1, then stage 2)
#     against memcpy() of the same 4 KiB in the process, rotating order,
#     NESTED_BENCH_DMA_ROUNDS (15) rounds of NESTED_BENCH_DMA_SECS (0.25) s
#     (more, shorter rounds than the 7 of 0.5 s before, for the same time:
#     a burst of load on the shared host spoils fewer of them).
#     Two measurements of the DMA: one ioctl per DMA (the test ioctl's own
#     cost included: system call, argument, bounce buffer, lookups, the
#     copy to or from user memory), and 256 DMAs per ioctl with
#     VFIO_NESTED_TEST_DMA_REPEAT (the DMA path a device model uses,
#     vfio_nested_dma()'s, between one kernel buffer and the guest page;
#     the ioctl's cost shared by 256 DMAs). Ratios: the DMA's bytes per
#     second over memcpy's, for both; for scale also 64 KiB transfers, and
#     what a DMA ioctl and any ioctl cost by themselves.
# (c) the stage-1 walker's guest-memory references per IOTLB miss, as the
#     walker counts them (vfio_iommu_nested_bench, a test-only module that
#     prints them at load), 4- and 5-level; bound 24 for 4-level over 4-level.
B=/selftests/vfio_iommu_nested/nested_bench
ROUNDS=${NESTED_BENCH_ROUNDS:-3}
MB=${NESTED_BENCH_MB:-1024}
T1=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
VN=/sys/module/vfio_iommu_nested/parameters/dma_entry_limit

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
ratio() { # label a b note: prints a / b
	awk -v l="$1" -v b="$2" -v n="$3" -v t="$4" 'BEGIN {
		if (b == "nan" || n == "nan" || n + 0 == 0) { printf "  %s: n/a\n", l; exit }
		printf "  %s: %.2fx (%s)\n", l, b / n, t }'
}

# ---- (a) stage 2 ----------------------------------------------------------
# 4 KiB pieces: MB * 256 mappings at once; both allow 65535 by default
old_limit=$(cat $T1 2>/dev/null)
[ -z "$old_limit" ] || echo $((MB * 256 + 1024)) > $T1
old_vn_limit=$(cat $VN 2>/dev/null)
[ -z "$old_vn_limit" ] || echo $((MB * 256 + 1024)) > $VN
echo "dma_entry_limit: type1 $(cat $T1 2>/dev/null), nested $(cat $VN 2>/dev/null) for this run"
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
[ -z "$old_vn_limit" ] || echo "$old_vn_limit" > $VN
echo "$old_huge" > /proc/sys/vm/nr_hugepages

echo "vfio_iommu_nested: stage 2 MAP_DMA/UNMAP_DMA of $MB MiB with edu's group attached (emulated VT-d), $ROUNDS interleaved rounds, medians in seconds"
for p in 4k 2m; do
	for op in map unmap; do
		n=$(median "$p nested $op" /tmp/nb_s2.txt)
		t=$(median "$p type1 $op" /tmp/nb_s2.txt)
		echo "  $p pieces $op: nested $n s, type1 $t s" \
			"(nested rounds: $(awk -v k="$p nested $op" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/nb_s2.txt)" \
			"type1 rounds: $(awk -v k="$p type1 $op" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/nb_s2.txt))"
		ratio "ratio $p $op type1/nested time" "$t" "$n" "target >= 1.0x"
	done
done
fail=0
[ $rc -eq 0 ] || { echo "nested_bench s2 failed (exit $rc)"; fail=1; }

# ---- (b) DMA on IOTLB hits ------------------------------------------------
DR=${NESTED_BENCH_DMA_ROUNDS:-15}
DS=${NESTED_BENCH_DMA_SECS:-0.25}
$B dma "$DR" "$DS" > /tmp/nb_dma_raw.txt 2>&1
rc=$?
grep -v '^dma .*_us ' /tmp/nb_dma_raw.txt
# "dma memcpy_us 1.2 read_us 16.4 ..." -> "memcpy 1.2", "read 16.4", ...
awk '$1 == "dma" && $2 ~ /_us$/ { for (i = 2; i < NF; i += 2) { k = $i; sub(/_us$/, "", k); print k, $(i + 1) } }' \
	/tmp/nb_dma_raw.txt > /tmp/nb_dma.txt
for k in memcpy read write rread rwrite rread_s2 memcpy64k read64k dma8 ioctl; do
	eval "U_$k=\$(median $k /tmp/nb_dma.txt)"
done
mbps() { awk -v b="$1" -v u="$2" 'BEGIN { if (u == "nan" || u + 0 == 0) print "n/a"; else printf "%.0f", b / u }'; }
echo "vfio_iommu_nested: DMA on IOTLB hits (VFIO_NESTED_TEST_DMA, PASID, 4-level stage 1) against memcpy,"
echo "  $DR rounds of ${DS}s per operation, rotating order, medians (microseconds per operation)"
for k in memcpy read write rread rwrite rread_s2; do
	echo "  us per round, $k 4K: $(awk -v k=$k '$1 == k { printf "%s ", $2 }' /tmp/nb_dma.txt)"
done
echo "  (read/write: one TEST_DMA ioctl per 4 KiB DMA; rread/rwrite: TEST_DMA_REPEAT, 256 DMAs per ioctl, time per DMA)"
echo "  4 KiB, DMA path (vfio_nested_dma(), 256 per ioctl): memcpy $U_memcpy us ($(mbps 4096 "$U_memcpy") MB/s)," \
	"DMA read $U_rread us ($(mbps 4096 "$U_rread") MB/s), DMA write $U_rwrite us ($(mbps 4096 "$U_rwrite") MB/s)"
ratio "ratio DMA read/memcpy throughput (4 KiB, DMA path)" "$U_memcpy" "$U_rread" "target >= 0.8x"
ratio "ratio DMA write/memcpy throughput (4 KiB, DMA path)" "$U_memcpy" "$U_rwrite" "target >= 0.8x"
# the same ratios round by round (memcpy and the DMA measured side by side),
# the median of those: less exposed to a busy host than medians apart
rmed() { # a b: median over the rounds of a's time / b's time
	awk -v a="$1" -v b="$2" '$1 == "dma" { for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
		if (v[b "_us"] + 0 > 0) print v[a "_us"] / v[b "_us"] }' /tmp/nb_dma_raw.txt | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "n/a"; else if (NR % 2) printf "%.2fx\n", v[(NR + 1) / 2]; else printf "%.2fx\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "  median of the per-round ratios (DMA path): read $(rmed memcpy rread), write $(rmed memcpy rwrite)"
echo "  without stage 1 (no PASID, by GPA, stage 2 alone, 256 per ioctl): DMA read $U_rread_s2 us;" \
	"the PASID's stage-1 IOTLB hit and binding lookup add $(awk -v a="$U_rread" -v b="$U_rread_s2" 'BEGIN { if (a == "nan" || b == "nan") print "n/a"; else printf "%.3f", a - b }') us"
ratio "ratio DMA read by GPA/memcpy throughput (4 KiB, stage 2 alone)" "$U_memcpy" "$U_rread_s2" "for scale"
echo "  4 KiB, one ioctl per DMA: memcpy $U_memcpy us ($(mbps 4096 "$U_memcpy") MB/s), DMA read $U_read us ($(mbps 4096 "$U_read") MB/s)," \
	"DMA write $U_write us ($(mbps 4096 "$U_write") MB/s)"
ratio "ratio DMA read/memcpy throughput (4 KiB, one ioctl per DMA)" "$U_memcpy" "$U_read" "the test ioctl's cost, no target"
ratio "ratio DMA write/memcpy throughput (4 KiB, one ioctl per DMA)" "$U_memcpy" "$U_write" "the test ioctl's cost, no target"
echo "  64 KiB (16 pages, 16 IOTLB hits in one ioctl): memcpy $U_memcpy64k us ($(mbps 65536 "$U_memcpy64k") MB/s)," \
	"DMA read $U_read64k us ($(mbps 65536 "$U_read64k") MB/s)"
ratio "ratio DMA read/memcpy throughput (64 KiB, for scale)" "$U_memcpy64k" "$U_read64k" "no target"
echo "  where a 4 KiB DMA's time goes: any ioctl on the container (VFIO_CHECK_EXTENSION) $U_ioctl us;"
echo "  an 8-byte TEST_DMA $U_dma8 us: the system call, its 64-byte argument in and out, a bounce buffer"
echo "  allocated and freed, the device and PASID binding lookups, an IOTLB hit, the stage-2 page lookup;"
echo "  the rest moves the 4 KiB twice: guest page to the bounce buffer (kmap, memcpy; what the kernel's"
echo "  DMA entry point does for a device model) and bounce buffer to user memory (copy_to_user), or the"
echo "  reverse for writes. memcpy() moves it once, in user space. In the repeat mode a DMA is what"
echo "  vfio_nested_dma() does for a device model: the binding lookup, an IOTLB hit, the stage-2 lookup"
echo "  and one copy of the 4 KiB between the guest page and a kernel buffer (kmap_local_page, memcpy)."
[ $rc -eq 0 ] || { echo "nested_bench dma failed (exit $rc)"; fail=1; }

# ---- (c) references per IOTLB miss ----------------------------------------
start=$(dmesg | wc -l)
if modprobe vfio_iommu_nested_bench; then
	echo "vfio_iommu_nested: stage-1 walker, guest-memory references per IOTLB miss (the walker's counters)"
	dmesg | tail -n +$((start + 1)) | grep 'vfio_iommu_nested_bench: ' | sed 's/^\[[^]]*\] /  /'
	rmmod vfio_iommu_nested_bench
	dmesg | tail -n +$((start + 1)) | grep -q 'vfio_iommu_nested_bench: done' || fail=1
	dmesg | tail -n +$((start + 1)) | grep -q 'bound 24: EXCEEDED' && fail=1
else
	echo "vfio_iommu_nested_bench: module load failed"
	dmesg | tail -n +$((start + 1))
	fail=1
fi
exit $fail
