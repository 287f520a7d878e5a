#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run sparse (C=2) over every module of the tree; fail on any report.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs sparse
: "${KDIR:=$("$VM_DIR/kdir.sh")}"
mkdir -p "$TREE/build"
log="$TREE/build/sparse.log"
make -C "$KDIR" M="$TREE" C=2 -j"$(nproc)" modules >"$log" 2>&1 || { cat "$log"; die "build under sparse failed"; }
if grep -E '(warning|error):' "$log"; then
	die "sparse reported the problems above"
fi
echo "sparse: clean ($(grep -c '^  CHECK' "$log" || true) files checked)"
