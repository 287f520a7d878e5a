#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's test kernel from Debian's linux-source-6.12 and the
# fragment kernel.config, into a cache outside the work tree keyed by source
# version and fragment. Prints the build directory (usable as KDIR) on stdout.
#
# The kernel is built when KDIR/.build-ok exists, written last: a warm cache
# returns at once. A build that was interrupted (no stamp) is resumed with
# make's incremental build in the same directory, never used half-done. A
# lock (KDIR.lock) serialises two checkouts or CI runs sharing the cache: the
# second waits, saying for what and since when, then finds the stamp.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs linux-source-6.12 build-essential bc flex bison libelf-dev libssl-dev \
	cpio kmod xz-utils python3 rsync

KDIR=$(kernel_dir)
if [ -f "$KDIR/.build-ok" ]; then
	echo "$KDIR"
	exit 0
fi
cache_lock "$KDIR.lock" "the test kernel $KDIR"
if [ -f "$KDIR/.build-ok" ]; then
	echo "$KDIR"
	exit 0
fi

SRC=$(kernel_src)

mkdir -p "$KDIR"
LOG="$KDIR/build.log"
start=$(date +%s)
RESUMED=0
if [ -f "$KDIR/.config-ok" ] && fragment_applied "$KDIR/.config" 2>/dev/null; then
	RESUMED=1
	note "resuming the interrupted test kernel build in $KDIR (log: $LOG)"
	echo "=== resumed $(date)" >>"$LOG"
else
	note "building test kernel in $KDIR (log: $LOG)"
	rm -f "$KDIR/.config-ok"
	{
		make -C "$SRC" O="$KDIR" x86_64_defconfig
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$KDIR" "$KDIR/.config" "$VM_DIR/kernel.config"
		make -C "$SRC" O="$KDIR" olddefconfig
	} >"$LOG" 2>&1 || die "configuring failed, see $LOG"
	fragment_applied "$KDIR/.config" ||
		die "the config fragment does not apply cleanly to $(src_version)"
	touch "$KDIR/.config-ok"
fi

# Kbuild rebuilds any object whose .cmd file is missing, so objects an
# interruption left half-written are not reused when resuming.
make -C "$SRC" O="$KDIR" -j"$JOBS" bzImage modules >>"$LOG" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
progress_while "$pid" "building the test kernel" "$LOG"
wait "$pid" || { tail -30 "$LOG" >&2; die "kernel build failed, see $LOG"; }
trap - EXIT
end=$(date +%s)
echo "test kernel built in $((end - start)) s$([ $RESUMED = 0 ] || echo ' (resumed)')" |
	tee -a "$LOG" >&2
# a resumed build does not measure the build time
[ $RESUMED = 1 ] || echo "$((end - start))" >"$KDIR/.build-seconds"
touch "$KDIR/.build-ok"
echo "$KDIR"
