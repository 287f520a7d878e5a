#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sva_sim benchmark (busybox sh, inside the test VM), one boot, interleaved
# rounds, medians, ratios:
#
# (a) memmove descriptors through the nested translation (a PASID's 4-level
#     guest stage 1, then stage 2) against memmove() of the same bytes in
#     the same process, 4 KiB and 64 KiB, IOTLB-hit-heavy (the same pages
#     every time) and miss-heavy (2 x 8 MiB walked in order, the PASID's
#     IOTLB invalidated at every pass), SVA_SIM_BENCH_ROUNDS (5) rounds of
#     SVA_SIM_BENCH_SECS (0.5) s per measurement, rotating order. The
#     device three ways: one descriptor per pwrite(2) on one shared queue,
#     the same over both shared queues (two workers in parallel), and
#     batches of 16 memmoves over both queues. Completion records are
#     written for every descriptor; a submitter that finds its queue full
#     sleeps until a completion interrupt (it used to spin on sched_yield(),
#     taking host CPU time from the device's worker vCPU on a busy host).
#     Ratios: the device's bytes per second over memmove()'s (target on
#     hits at 64 KiB: >= 0.7x). For scale also memmove() in 4 KiB pieces:
#     at 64 KiB glibc's memmove() is a rep movsb (ERMS), which QEMU's TCG
#     runs byte by byte, and pieces of 4 KiB take its vector loop instead.
# (b) the cost of one submission through the portal: pwrite(2) of a noop
#     descriptor, and the mapped page (slot, status word, kick eventfd),
#     against a system call that does nothing.
B=/selftests/sva_sim/sva_sim_bench
ROUNDS=${SVA_SIM_BENCH_ROUNDS:-5}
SECS=${SVA_SIM_BENCH_SECS:-0.5}

echo "== sva_sim benchmark (kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs)"
if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "note: KASAN/lockdep test kernel; 'tools/testing/vm/run-vm.sh --bench --stock' measures the stock kernel"
fi

median() { # key file: median of the values after "key"
	awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { # label a b note: prints a / b
	awk -v l="$1" -v b="$2" -v n="$3" -v t="$4" 'BEGIN {
		if (b == "nan" || n == "nan" || n + 0 == 0) { printf "  %s: n/a\n", l; exit }
		printf "  %s: %.2fx (%s)\n", l, b / n, t }'
}
mbps() { awk -v b="$1" -v u="$2" 'BEGIN { if (u == "nan" || u + 0 == 0) print "n/a"; else printf "%.0f", b / u }'; }
rate() { awk -v u="$1" 'BEGIN { if (u == "nan" || u + 0 == 0) print "n/a"; else printf "%.0f", 1e6 / u }'; }
rmed() { # case a b: median over the rounds of a's time / b's time
	awk -v c="$1" -v a="$2" -v b="$3" '$1 == "mm" && $2 " " $3 == c {
		for (i = 4; i < NF; i += 2) v[$i] = $(i + 1)
		if (v[b "_us"] + 0 > 0) print v[a "_us"] / v[b "_us"] }' /tmp/ss_mm_raw.txt | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "n/a"; else if (NR % 2) printf "%.2fx\n", v[(NR + 1) / 2]; else printf "%.2fx\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fail=0
# ---- (a) memmove ---------------------------------------------------------
$B memmove "$ROUNDS" "$SECS" > /tmp/ss_mm_raw.txt 2>&1
rc=$?
grep -v '^mm ' /tmp/ss_mm_raw.txt
# "mm hit 4k cpu_us 1 dev_us 2 ..." -> "hit 4k cpu 1", "hit 4k dev 2", ...
awk '$1 == "mm" { for (i = 4; i < NF; i += 2) { k = $i; sub(/_us$/, "", k); print $2, $3, k, $(i + 1) } }' \
	/tmp/ss_mm_raw.txt > /tmp/ss_mm.txt
echo "sva_sim: memmove descriptors through the nested translation against memmove(), $ROUNDS interleaved rounds"
echo "  of ${SECS}s per measurement, medians (microseconds per memmove; descriptors/s and MB/s)"
for c in "hit 4k" "hit 64k" "miss 4k" "miss 64k"; do
	set -- $c
	len=4096
	[ "$2" = 64k ] && len=65536
	cpu=$(median "$c cpu" /tmp/ss_mm.txt)
	cpu4k=$(median "$c cpu4k" /tmp/ss_mm.txt)
	echo "  $c: memmove() $cpu us ($(mbps $len "$cpu") MB/s);" \
		"memmove() in 4 KiB pieces $cpu4k us ($(mbps $len "$cpu4k") MB/s)"
	for m in dev dev2q batch; do
		u=$(median "$c $m" /tmp/ss_mm.txt)
		case $m in
		dev) what="one queue, one descriptor per pwrite" ;;
		dev2q) what="two queues, one descriptor per pwrite" ;;
		batch) what="two queues, batches of 16" ;;
		esac
		echo "    device, $what: $u us, $(rate "$u") descriptors/s, $(mbps $len "$u") MB/s" \
			"(rounds: $(awk -v k="$c $m" 'index($0, k " ") == 1 { printf "%s ", $NF }' /tmp/ss_mm.txt))"
	done
	note="no target"
	[ "$c" = "hit 64k" ] && note="target >= 0.7x"
	ratio "ratio $c device/memmove throughput, one queue" "$cpu" "$(median "$c dev" /tmp/ss_mm.txt)" "$note"
	ratio "ratio $c device/memmove throughput, two queues" "$cpu" "$(median "$c dev2q" /tmp/ss_mm.txt)" "$note"
	ratio "ratio $c device/memmove throughput, two queues, batches" "$cpu" "$(median "$c batch" /tmp/ss_mm.txt)" "$note"
	ratio "ratio $c device/memmove in 4 KiB pieces throughput, one queue" "$cpu4k" \
		"$(median "$c dev" /tmp/ss_mm.txt)" "for scale"
	echo "  median of the per-round ratios ($c): one queue $(rmed "$c" cpu dev), two queues $(rmed "$c" cpu dev2q)," \
		"batches $(rmed "$c" cpu batch);" \
		"one queue against 4 KiB pieces $(rmed "$c" cpu4k dev)"
done
[ $rc -eq 0 ] || { echo "sva_sim_bench memmove failed (exit $rc)"; fail=1; }

# ---- (b) one submission --------------------------------------------------
$B submit "$ROUNDS" "$SECS" > /tmp/ss_sub_raw.txt 2>&1
rc=$?
grep -v '^sub ' /tmp/ss_sub_raw.txt
awk '$1 == "sub" { for (i = 2; i < NF; i += 2) { k = $i; sub(/_us$/, "", k); print k, $(i + 1) } }' \
	/tmp/ss_sub_raw.txt > /tmp/ss_sub.txt
P=$(median pwrite /tmp/ss_sub.txt)
M=$(median mapped /tmp/ss_sub.txt)
S=$(median syscall /tmp/ss_sub.txt)
echo "sva_sim: one submission through the portal (a noop descriptor, accepted), medians of $ROUNDS rounds"
echo "  pwrite(2): $P us; mapped page + kick eventfd: $M us; an empty system call (getppid): $S us"
ratio "ratio pwrite/empty system call" "$P" "$S" "for scale"
ratio "ratio mapped page/empty system call" "$M" "$S" "for scale"
[ $rc -eq 0 ] || { echo "sva_sim_bench submit failed (exit $rc)"; fail=1; }
exit $fail
