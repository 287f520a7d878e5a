#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's test kernel from Debian's linux-source-6.12 and the
# fragment kernel.config, into a cache outside the work tree keyed by source
# version and fragment. Prints the build directory (usable as KDIR) on stdout.
# A warm cache returns at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs linux-source-6.12 build-essential bc flex bison libelf-dev libssl-dev \
	cpio kmod xz-utils python3 rsync

KDIR=$(kernel_dir)
if [ -f "$KDIR/.build-ok" ]; then
	echo "$KDIR"
	exit 0
fi

SRC=$(kernel_src)

mkdir -p "$KDIR"
LOG="$KDIR/build.log"
note "building test kernel in $KDIR (log: $LOG)"
start=$(date +%s)
{
	make -C "$SRC" O="$KDIR" x86_64_defconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$KDIR" "$KDIR/.config" "$VM_DIR/kernel.config"
	make -C "$SRC" O="$KDIR" olddefconfig
} >"$LOG" 2>&1 || die "configuring failed, see $LOG"

fragment_applied "$KDIR/.config" ||
	die "the config fragment does not apply cleanly to $(src_version)"

make -C "$SRC" O="$KDIR" -j"$JOBS" bzImage modules >>"$LOG" 2>&1 ||
	{ tail -30 "$LOG" >&2; die "kernel build failed, see $LOG"; }
end=$(date +%s)
echo "test kernel built in $((end - start)) s" | tee -a "$LOG" >&2
echo "$((end - start))" >"$KDIR/.build-seconds"
touch "$KDIR/.build-ok"
echo "$KDIR"
