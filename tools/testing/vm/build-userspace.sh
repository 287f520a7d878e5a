#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the selftests (tools/testing/selftests/<suite>/) and the examples
# (samples/<suite>/) as static binaries into OUT (default build/user):
#   OUT/selftests/<suite>/   OUT/samples/<suite>/
# Each directory's Makefile gets OUTPUT, KSRC, KHDR and TREE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs build-essential libc6-dev

OUT=${1:-$TREE/build/user}
SUITES=${SUITES:-}
KSRC=$(kernel_src)
KHDR=$(uapi_headers)
mkdir -p "$OUT"

# The suite of a directory: its name when that is a suite of modules.list,
# else the suite whose line loads a module of that name (init.sh's rule).
suite_of() {
	awk -v n="$1" '$1 == n { f = 1 } $2 == n && s == "" { s = $1 }
		END { print (f || s == "") ? n : s }' "$VM_DIR/modules.list"
}

build_dir() { # kind dir
	local kind=$1 dir=$2 suite
	suite=$(basename "$dir")
	if [ -n "$SUITES" ] && ! echo ",$SUITES," | grep -q ",$(suite_of "$suite"),"; then
		return 0
	fi
	mkdir -p "$OUT/$kind/$suite"
	make -s -C "$dir" all OUTPUT="$OUT/$kind/$suite" KSRC="$KSRC" KHDR="$KHDR" TREE="$TREE" ||
		die "building $dir failed"
}

# The VM's own helpers (init.sh): static binaries in OUT/bin.
mkdir -p "$OUT/bin"
cc -static -O2 -Wall -Werror -isystem "$KHDR" -o "$OUT/bin/kvm_hold" "$VM_DIR/kvm_hold.c" ||
	die "building kvm_hold failed"

for d in "$TREE"/tools/testing/selftests/*/ "$TREE"/samples/*/; do
	[ -f "$d/Makefile" ] || continue
	case "$d" in
	*/selftests/*) build_dir selftests "${d%/}" ;;
	*) build_dir samples "${d%/}" ;;
	esac
done
echo "$OUT"
