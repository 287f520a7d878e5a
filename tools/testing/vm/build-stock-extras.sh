#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stock Debian kernel does not ship the vDPA simulators (nor vringh they
# need). Build them from the matching linux-source-6.12 files as external
# modules against the stock headers, into the cache (never into the tree).
# Prints the directory holding the .ko files; OUT/.ok, written last, says
# they are complete, and a lock serialises two callers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ABI=$1
HDR=/usr/src/linux-headers-$ABI
[ -d "$HDR" ] || die "no headers for $ABI"
SRC=$(kernel_src)
OUT="$CACHE/stock-extras/$ABI-$(src_tag)"
if [ -f "$OUT/.ok" ]; then echo "$OUT"; exit 0; fi
cache_lock "$OUT.lock" "the vDPA simulators for $ABI in $OUT"
if [ -f "$OUT/.ok" ]; then echo "$OUT"; exit 0; fi
rm -rf "$OUT" && mkdir -p "$OUT"
cp "$SRC/drivers/vhost/vringh.c" "$SRC"/drivers/vdpa/vdpa_sim/*.[ch] "$OUT/"
cat >"$OUT/Kbuild" <<'EOK'
obj-m += vringh.o vdpa_sim.o vdpa_sim_net.o vdpa_sim_blk.o
EOK
make -C "$HDR" M="$OUT" modules >"$OUT/build.log" 2>&1 ||
	{ tail -20 "$OUT/build.log" >&2; die "building the vDPA simulators for $ABI failed"; }
touch "$OUT/.ok"
echo "$OUT"
